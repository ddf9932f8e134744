/*
 * payload.c - where a node keeps its sealed payloads and outbox envelopes:
 * files in its folder (a node on SQLite), or the store (a node on
 * PostgreSQL: its daemons share nothing but the database).
 *
 * A payload has one name either way, the file's path in the folder
 * ("blobs/HASH.lsn", "outbox/ID"). It is written to a temporary file
 * first, then kept: renamed into place after a sync, or streamed into the
 * store in chunks and the file dropped. Read back, a payload in the store
 * is streamed into a file without a name in tmp/; one still in the folder
 * (a node moved to PostgreSQL before payloads were kept there, until
 * `store migrate` moves them) is read where it is.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../crypto/fio.h"
#include "../store/store.h"
#include "internal.h"
#include "items.h"
#include "peer.h"

static int folder_path(const struct node *n, const char *name, char *buf, size_t size,
		       struct lerr *e)
{
	int w = snprintf(buf, size, "%s/%s", n->home, name);
	if (w < 0 || (size_t)w >= size)
		return lerr_set(e, LERR_LIMIT, "node folder path is too long");
	return 0;
}

bool node_payloads_in_store(const struct node *n)
{
	return store_keeps_payloads(n->store);
}

int node_payload_begin(struct node *n, const char *dir, struct fio_out *o, struct lerr *e)
{
	char d[NODE_PATH_MAX + 32], pending[NODE_PATH_MAX + 48];
	const char *in = node_payloads_in_store(n) ? "tmp" : dir;
	if (folder_path(n, in, d, sizeof d, e) < 0 ||
	    snprintf(pending, sizeof pending, "%s/pending", d) >= (int)sizeof pending)
		return LERR_LIMIT;
	if (mkdir(d, 0700) != 0 && errno != EEXIST)
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", d, strerror(errno));
	return fio_begin(o, pending, 0600, true, e);
}

int node_payload_keep(struct node *n, const char *name, struct fio_out *o, struct lerr *e)
{
	if (!node_payloads_in_store(n)) {
		char path[NODE_PATH_MAX + 128];
		if (folder_path(n, name, path, sizeof path, e) < 0 ||
		    !str_copy(o->path, sizeof o->path, path)) {
			fio_abort(o);
			return LERR_LIMIT;
		}
		return fio_commit(o, e);
	}
	int r = lseek(o->fd, 0, SEEK_SET) == 0
		    ? 0
		    : lerr_set(e, LERR_IO, "%s: cannot read back: %s", name, strerror(errno));
	if (r == 0)
		r = store_payload_put(n->store, name, o->fd, false, (int64_t)time(NULL), NULL, e);
	fio_abort(o); /* in the store now, or not at all */
	return r;
}

/* The payload `name` from the store into a nameless file in tmp/, *fd at its start. */
static int from_store(struct node *n, const char *name, int *fd, struct lerr *e)
{
	char tmp[NODE_PATH_MAX + 8];
	if (folder_path(n, "tmp", tmp, sizeof tmp, e) < 0)
		return LERR_LIMIT;
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
	int s = fio_scratch(tmp, e);
	if (s < 0)
		return s;
	int r = store_payload_get(n->store, name, s, NULL, e);
	if (r == 0 && lseek(s, 0, SEEK_SET) != 0)
		r = lerr_set(e, LERR_IO, "%s: cannot read back: %s", name, strerror(errno));
	if (r == 0)
		*fd = s;
	else
		close(s);
	return r;
}

int node_payload_open(struct node *n, const char *name, int *fd, struct lerr *e)
{
	char path[NODE_PATH_MAX + 128];
	bool in_store = node_payloads_in_store(n);
	*fd = -1;
	if (folder_path(n, name, path, sizeof path, e) < 0)
		return LERR_LIMIT;
	/* the store, then the folder (a payload not moved yet); the store again
	 * when the file went meanwhile (moved by store migrate) */
	for (int tries = 0;; tries++) {
		struct lerr se = {0};
		int r = in_store ? from_store(n, name, fd, &se) : LERR_NOTFOUND;
		if (r != LERR_NOTFOUND || tries > 0) {
			if (r < 0 && e)
				*e = se;
			return r;
		}
		if ((*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) /* never a link */
			return 0;
		if (errno != ENOENT || !in_store)
			return lerr_set(e, errno == ENOENT ? LERR_NOTFOUND : LERR_IO, "%s: %s",
					path, strerror(errno));
	}
}

int node_payload_remove(struct node *n, const char *name, struct lerr *e)
{
	char path[NODE_PATH_MAX + 128];
	int r = folder_path(n, name, path, sizeof path, e);
	if (r == 0 && unlink(path) != 0 && errno != ENOENT)
		r = lerr_set(e, LERR_IO, "%s: cannot remove: %s", path, strerror(errno));
	if (node_payloads_in_store(n) && store_payload_remove(n->store, name, r < 0 ? NULL : e) < 0)
		r = r < 0 ? r : LERR_STORE;
	return r;
}

/* ---- check, collect, move ---- */

/* The payload names the store's rows need: live items' blobs, queued envelopes. */
static int needed(struct node *n, char (**names)[STORE_PAYLOAD_NAME], size_t *count, struct lerr *e)
{
	char(*blobs)[STORE_BLOB_NAME] = NULL;
	char(*msgs)[MSG_ID_MAX] = NULL;
	size_t nb = 0, nm = 0;
	int r = store_blob_names(n->store, &blobs, &nb, e);
	if (r == 0)
		r = store_outbox_pending_ids(n->store, &msgs, &nm, e);
	*names = r == 0 ? calloc(nb + nm + 1, sizeof **names) : NULL;
	if (r == 0 && !*names)
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < nb; i++)
		snprintf((*names)[i], STORE_PAYLOAD_NAME, "%s/%.64s.lsn", NODE_BLOBS_DIR, blobs[i]);
	for (size_t i = 0; r == 0 && i < nm; i++)
		node_outbox_name(msgs[i], (*names)[nb + i]);
	*count = r == 0 ? nb + nm : 0;
	free(blobs);
	free(msgs);
	return r;
}

static bool listed(char (*names)[STORE_PAYLOAD_NAME], size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Whether a file name in blobs/ or outbox/ is a payload's (not a temporary file). */
static bool payload_file(const char *dir, const char *name)
{
	size_t len = strlen(name);
	if (strcmp(dir, NODE_BLOBS_DIR) == 0)
		return len == 68 && strspn(name, "0123456789abcdef") == 64 &&
		       strcmp(name + 64, ".lsn") == 0;
	return len == 32 && strspn(name, "0123456789abcdef") == 32;
}

/*
 * Removes the orphan `name`, from the store or (path) the folder, unless a
 * row came to name it since the check listed the rows, or it was made
 * again after cutoff (an act naming it anew, its row still to come): under
 * the store's write lock, which every act's rows take.
 */
static int orphan_remove(struct node *n, const char *name, const char *path, int64_t cutoff,
			 struct lerr *e)
{
	struct stat sb;
	int r = store_begin(n->store, e);
	if (r < 0)
		return r;
	int used = store_payload_in_use(n->store, name, e);
	if (used < 0)
		r = used;
	else if (used == 0 && !path)
		r = store_payload_remove_older(n->store, name, cutoff, e) < 0 ? LERR_STORE : 0;
	else if (used == 0 && lstat(path, &sb) == 0 && (int64_t)sb.st_mtime <= cutoff &&
		 unlink(path) != 0 && errno != ENOENT)
		r = lerr_set(e, LERR_IO, "%s: cannot remove: %s", path, strerror(errno));
	if (r == 0)
		return store_commit(n->store, e);
	store_rollback(n->store);
	return r;
}

/* Adds {name, size, where} to the array a. */
static void add_found(json_t *a, const char *name, uint64_t size, const char *where)
{
	json_array_append_new(a, json_pack("{s:s, s:I, s:s}", "name", name, "size",
					   (json_int_t)size, "where", where));
}

int node_payload_check(struct node *n, int64_t now, int64_t min_age, bool collect, json_t **out,
		       struct lerr *e)
{
	char(*names)[STORE_PAYLOAD_NAME] = NULL;
	size_t count = 0, kept = 0, young = 0;
	bool *seen = NULL, in_store = node_payloads_in_store(n);
	uint64_t bytes = 0;
	json_t *orphans = json_array(), *missing = json_array(), *in_folder = json_array();
	*out = NULL;
	int r = needed(n, &names, &count, e);
	if (r == 0 && !(seen = calloc(count + 1, sizeof *seen)))
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	/* in the store */
	struct store_payload *ps = NULL;
	size_t np = 0;
	if (r == 0 && in_store)
		r = store_payloads(n->store, "", &ps, &np, e);
	for (size_t i = 0; r == 0 && i < np; i++) {
		bool ours = strncmp(ps[i].name, NODE_BLOBS_DIR "/", 6) == 0 ||
			    strncmp(ps[i].name, "outbox/", 7) == 0;
		size_t k = 0;
		while (k < count && strcmp(names[k], ps[i].name) != 0)
			k++;
		if (k < count) {
			seen[k] = true;
			kept++;
			bytes += ps[i].size;
		} else if (ours && now - ps[i].made < min_age) {
			young++;
		} else if (ours) {
			add_found(orphans, ps[i].name, ps[i].size, "store");
			if (collect &&
			    (r = orphan_remove(n, ps[i].name, NULL, now - min_age, e)) < 0)
				break;
		}
	}
	free(ps);
	/* in the folder */
	static const char *const dirs[] = {NODE_BLOBS_DIR, "outbox"};
	for (size_t d = 0; r == 0 && d < sizeof dirs / sizeof *dirs; d++) {
		char dir[NODE_PATH_MAX + 16], path[NODE_PATH_MAX + 128], name[STORE_PAYLOAD_NAME];
		snprintf(dir, sizeof dir, "%s/%s", n->home, dirs[d]);
		DIR *dh = opendir(dir);
		struct dirent *de;
		while (dh && (de = readdir(dh)) != NULL) {
			struct stat sb;
			if (!payload_file(dirs[d], de->d_name))
				continue;
			snprintf(name, sizeof name, "%s/%.70s", dirs[d], de->d_name);
			snprintf(path, sizeof path, "%s/%.70s", dir, de->d_name);
			if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
				continue;
			size_t k = 0;
			while (k < count && strcmp(names[k], name) != 0)
				k++;
			/* kept here; on PostgreSQL, where other daemons cannot read it */
			if (k < count && !seen[k]) {
				seen[k] = true;
				kept++;
				bytes += (uint64_t)sb.st_size;
				if (in_store)
					json_array_append_new(in_folder, json_string(name));
			} else if (now - (int64_t)sb.st_mtime < min_age) {
				young++;
			} else { /* no row names it, or it is in the store as well */
				add_found(orphans, name, (uint64_t)sb.st_size, "folder");
				if (!collect)
					continue;
				if (k < count) /* the store has it: this copy goes */
					r = unlink(path) == 0 || errno == ENOENT
						? 0
						: lerr_set(e, LERR_IO, "%s: cannot remove: %s",
							   path, strerror(errno));
				else
					r = orphan_remove(n, name, path, now - min_age, e);
				if (r < 0)
					break;
			}
		}
		if (dh)
			closedir(dh);
		else if (errno != ENOENT)
			r = lerr_set(e, LERR_IO, "%s: %s", dir, strerror(errno));
	}
	for (size_t k = 0; r == 0 && k < count; k++)
		if (!seen[k] && !listed(names, k, names[k])) /* two items, one payload: once */
			json_array_append_new(missing, json_string(names[k]));
	free(seen);
	free(names);
	if (r == 0 && orphans && missing && in_folder) {
		/* "o" takes them, made or not */
		*out =
		    json_pack("{s:s, s:I, s:I, s:o, s:o, s:o, s:I, s:b}", "kept_in",
			      in_store ? "store" : "folder", "kept", (json_int_t)kept, "bytes",
			      (json_int_t)bytes, "missing", missing, "in_folder", in_folder,
			      "orphans", orphans, "young", (json_int_t)young, "removed", collect);
		return *out ? 0 : lerr_set(e, LERR_NOMEM, "out of memory");
	}
	json_decref(orphans);
	json_decref(missing);
	json_decref(in_folder);
	return r < 0 ? r : lerr_set(e, LERR_NOMEM, "out of memory");
}

int node_payloads_move(struct node *n, uint64_t *files, uint64_t *bytes, struct lerr *e)
{
	char(*names)[STORE_PAYLOAD_NAME] = NULL;
	size_t count = 0;
	*files = *bytes = 0;
	if (!node_payloads_in_store(n))
		return lerr_set(e, LERR_USAGE,
				"the node in %s keeps its store in SQLite: its "
				"payloads stay in its folder",
				n->home);
	int r = needed(n, &names, &count, e);
	for (size_t i = 0; r == 0 && i < count; i++) {
		char path[NODE_PATH_MAX + 128];
		uint64_t size = 0;
		snprintf(path, sizeof path, "%s/%s", n->home, names[i]);
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT) /* in the store already, or missing (store check) */
				r = lerr_set(e, LERR_IO, "%s: %s", path, strerror(errno));
			continue;
		}
		r = store_payload_put(n->store, names[i], fd, false, (int64_t)time(NULL), &size, e);
		close(fd);
		if (r == 0 && unlink(path) != 0 && errno != ENOENT)
			r = lerr_set(e, LERR_IO, "%s: cannot remove: %s", path, strerror(errno));
		if (r == 0) {
			(*files)++;
			*bytes += size;
		}
	}
	free(names);
	return r;
}
