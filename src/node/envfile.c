/* envfile.c - envelopes in files and streams (see envfile.h). */
#include "envfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../crypto/fio.h"
#include "keyfile.h"
#include "label_json.h"

/* Opens the input: a path, or stdin for NULL. */
static int open_in(const char *path, int *fd, struct lerr *e)
{
	if (!path) {
		*fd = STDIN_FILENO;
		return 0;
	}
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return lerr_set(e, errno == ENOENT ? LERR_NOTFOUND : LERR_IO, "%s: cannot open: %s",
				path, strerror(errno));
	return 0;
}

static void close_in(const char *path, int fd)
{
	if (path && fd >= 0)
		close(fd);
}

/* Starts the output: a temporary file beside the path, or stdout for NULL. */
static int begin_out(const struct envfile_io *io, struct fio_out *o, struct lerr *e)
{
	if (!io->out) {
		o->fd = STDOUT_FILENO;
		o->tmp[0] = '\0';
		return 0;
	}
	return fio_begin(o, io->out, 0600, io->force, e);
}

/* Commits the output when r is 0, else removes it; returns the outcome. */
static int end_out(const struct envfile_io *io, struct fio_out *o, int r, struct lerr *e)
{
	if (!io->out)
		return r;
	if (r < 0) {
		fio_abort(o);
		return r;
	}
	return fio_commit(o, e);
}

/* Reads the label file and gives the label an item id when it has none. */
static int read_label(const char *path, struct label *l, char **canon, size_t *cn, struct lerr *e)
{
	char *text;
	size_t n;
	int r = fio_read_file(path, LABEL_JSON_MAX, &text, &n, e);
	if (r < 0)
		return r;
	r = label_parse(text, n, path, l, e);
	free(text);
	if (r == 0 && !l->item[0])
		label_new_id(l);
	else if (r == 0 && label_id_owner_check(l, e) < 0)
		r = lerr_prefix(e, "%s", path);
	return r == 0 ? label_canonical(l, canon, cn, e) : r;
}

int envfile_seal(struct key_later *from, const char *const *to, size_t nto, const char *label_path,
		 uint32_t chunk, const struct envfile_io *io, struct label *l, uint64_t *bytes,
		 struct lerr *e)
{
	struct key_public pubs[ENVFILE_TO_MAX];
	*bytes = 0;
	if (nto == 0 || nto > ENVFILE_TO_MAX)
		return lerr_set(e, LERR_INVAL, "give 1 to %d recipients (--to PARTY.pub)",
				ENVFILE_TO_MAX);
	for (size_t i = 0; i < nto; i++)
		if (keyfile_public(to[i], &pubs[i], e) < 0)
			return e ? e->code : LERR_INVAL;
	char *canon = NULL;
	size_t cn = 0;
	int in = -1, r = read_label(label_path, l, &canon, &cn, e);
	if (r == 0 && strcmp(l->originator, from->pub.party) != 0)
		r = lerr_set(e, LERR_INVAL, "%s: originator %s is not the sender %s", label_path,
			     l->originator, from->pub.party);
	if (r == 0)
		r = open_in(io->in, &in, e);
	struct fio_out o;
	if (r == 0 && (r = begin_out(io, &o, e)) == 0) {
		const struct env_seal_args a = {.later = from,
						.to = pubs,
						.nto = nto,
						.label = canon,
						.label_len = cn,
						.chunk = chunk,
						.progress = io->progress,
						.arg = io->arg,
						.version = io->version,
						.unsynced = !io->out};
		r = envelope_seal(in, o.fd, &a, bytes, e);
		r = end_out(io, &o, r, e);
	}
	close_in(io->in, in);
	free(canon);
	return r;
}

void envfile_info_free(struct envfile_info *info)
{
	if (info)
		envelope_header_free(&info->h);
}

/* Reads the header and its label (which must be canonical). */
static int read_head(int fd, struct envfile_info *info, struct lerr *e)
{
	int r = envelope_read_header(fd, &info->h, &info->why, e);
	if (r == 0 &&
	    label_parse_canonical(info->h.label, info->h.label_len, &info->label, e) < 0) {
		info->why = ENV_MALFORMED;
		r = lerr_prefix(e, "malformed");
	}
	return r;
}

int envfile_open(const struct key_secret *me, const char *sender_path, const struct envfile_io *io,
		 struct envfile_info *info, struct lerr *e)
{
	struct key_public sender;
	memset(info, 0, sizeof *info);
	info->size = -1;
	int in = -1, r = keyfile_public(sender_path, &sender, e);
	if (r == 0)
		r = open_in(io->in, &in, e);
	if (r == 0)
		r = read_head(in, info, e);
	struct fio_out o;
	if (r == 0 && (r = begin_out(io, &o, e)) == 0) {
		r = envelope_open_payload(in, o.fd, &info->h, me, &sender, io->progress, io->arg,
					  io->out != NULL, &info->bytes, &info->why, e);
		r = end_out(io, &o, r, e);
	}
	if (r < 0 && io->in && in >= 0)
		lerr_prefix(e, "%s", io->in);
	close_in(io->in, in);
	return r;
}

int envfile_inspect(const char *path, const char *sender_path, struct envfile_info *info,
		    struct lerr *e)
{
	struct key_public sender;
	memset(info, 0, sizeof *info);
	info->size = -1;
	int in = -1, r = 0;
	if (sender_path)
		r = keyfile_public(sender_path, &sender, e);
	if (r == 0)
		r = open_in(path, &in, e);
	if (r == 0)
		r = read_head(in, info, e);
	struct stat sb;
	if (r == 0 && fstat(in, &sb) == 0 && S_ISREG(sb.st_mode))
		info->size = envelope_plain_size(&info->h, (uint64_t)sb.st_size);
	if (r == 0 && sender_path)
		r = envelope_verify_header(&info->h, &sender, &info->why, e);
	if (r < 0 && path && in >= 0)
		lerr_prefix(e, "%s", path);
	close_in(path, in);
	return r;
}
