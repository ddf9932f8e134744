/* backup.c - a node's backup while its daemons serve, and its restore (see node.h). */
#include "node.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../crypto/fio.h"
#include "../store/store.h"
#include "internal.h"
#include "log.h"

/* Copies the file from to the new file to (mode 0600), synced and renamed
 * into place; *bytes grows by its size. */
static int copy_file(const char *from, const char *to, uint64_t *bytes, struct lerr *e)
{
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return lerr_set(e, LERR_IO, "%s: cannot open: %s", from, strerror(errno));
	struct fio_out o;
	int r = fio_begin(&o, to, 0600, false, e);
	uint8_t buf[1 << 16];
	ssize_t got = 0;
	while (r == 0 && (got = fio_read_full(in, buf, sizeof buf)) > 0) {
		if (fio_write_full(o.fd, buf, (size_t)got) != 0)
			r = lerr_set(e, LERR_IO, "%s: %s", to, strerror(errno));
		*bytes += (uint64_t)got;
	}
	if (r == 0 && got < 0)
		r = lerr_set(e, LERR_IO, "%s: %s", from, strerror(errno));
	close(in);
	if (r == 0)
		r = fio_commit(&o, e);
	else if (o.fd >= 0)
		fio_abort(&o);
	return r;
}

/* Makes the folder home/sub (0700). */
static int make_dir(const char *home, const char *sub, struct lerr *e)
{
	char path[NODE_PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/%s", home, sub);
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", path, strerror(errno));
	return 0;
}

/* Copies every regular file of from/sub into to/sub; counts them in *files. */
static int copy_folder(const char *from, const char *to, const char *sub, size_t *files,
		       uint64_t *bytes, struct lerr *e)
{
	char dir[NODE_PATH_MAX + 32];
	snprintf(dir, sizeof dir, "%s/%s", from, sub);
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : lerr_set(e, LERR_IO, "%s: %s", dir, strerror(errno));
	int r = make_dir(to, sub, e);
	struct dirent *de;
	while (r == 0 && (de = readdir(d)) != NULL) {
		char a[NODE_PATH_MAX + 320], b[NODE_PATH_MAX + 320];
		struct stat sb;
		snprintf(a, sizeof a, "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || lstat(a, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		snprintf(b, sizeof b, "%s/%s/%s", to, sub, de->d_name);
		if ((r = copy_file(a, b, bytes, e)) == 0)
			(*files)++;
	}
	closedir(d);
	return r;
}

/* The payloads and queued envelopes the snapshot at dest names, copied from home. */
static int copy_named(const char *home, const char *dest, struct node_backup *b, struct lerr *e)
{
	struct node *snap;
	int r = node_open(dest, &snap, e);
	if (r < 0)
		return lerr_prefix(e, "the backup's store");
	char(*blobs)[STORE_BLOB_NAME] = NULL;
	char(*msgs)[MSG_ID_MAX] = NULL;
	size_t nb = 0, nm = 0;
	if ((r = store_blob_names(snap->store, &blobs, &nb, e)) == 0)
		r = store_outbox_pending_ids(snap->store, &msgs, &nm, e);
	node_close(snap);
	if (r == 0)
		r = make_dir(dest, NODE_BLOBS_DIR, e);
	if (r == 0)
		r = make_dir(dest, "outbox", e);
	for (size_t i = 0; r == 0 && i < nb; i++) {
		char a[NODE_PATH_MAX + 128], c[NODE_PATH_MAX + 128];
		snprintf(a, sizeof a, "%s/%s/%s.lsn", home, NODE_BLOBS_DIR, blobs[i]);
		snprintf(c, sizeof c, "%s/%s/%s.lsn", dest, NODE_BLOBS_DIR, blobs[i]);
		if (access(c, F_OK) == 0) /* two items, one payload */
			continue;
		if ((r = copy_file(a, c, &b->bytes, e)) == 0)
			b->blobs++;
	}
	for (size_t i = 0; r == 0 && i < nm; i++) {
		char a[NODE_PATH_MAX + 128], c[NODE_PATH_MAX + 128];
		snprintf(a, sizeof a, "%s/outbox/%s", home, msgs[i]);
		snprintf(c, sizeof c, "%s/outbox/%s", dest, msgs[i]);
		if (access(a, F_OK) != 0) /* its body is in the store */
			continue;
		if ((r = copy_file(a, c, &b->bytes, e)) == 0)
			b->outbox++;
	}
	free(blobs);
	free(msgs);
	return r;
}

/* The backup's own log checked whole, with its latest checkpoint. */
static int check_copy(const char *dest, struct node_backup *b, struct lerr *e)
{
	struct node *n;
	struct log_report rep;
	int r = node_open(dest, &n, e);
	if (r == 0) {
		if ((r = node_log_verify(n, &rep, e)) == 0) {
			b->entries = rep.entries;
			b->checkpoint = rep.checkpoint ? rep.latest.size : 0;
		}
		node_close(n);
	}
	return r < 0 ? lerr_prefix(e, "the backup's log") : 0;
}

int node_store_backup(const char *home, const char *dest, struct node_backup *b, struct lerr *e)
{
	char from[NODE_PATH_MAX + NODE_STORE_URL_MAX], db[NODE_PATH_MAX + 32];
	memset(b, 0, sizeof *b);
	int r = node_store_location(home, from, sizeof from, e);
	if (r < 0)
		return r;
	if (store_is_url(from))
		return lerr_set(e, LERR_USAGE,
				"the node keeps its store in PostgreSQL: back it up with the "
				"database's tools (pg_dump, pg_basebackup) and copy the folder's "
				"keys (docs/deploy.md)");
	if (mkdir(dest, 0700) != 0)
		return lerr_set(e, errno == EEXIST ? LERR_EXISTS : LERR_IO,
				"%s: %s (a backup goes into a new folder)", dest, strerror(errno));
	/* the store first: what it names is then on disk already (a payload and an
	 * envelope are written before their row), and copied after it */
	struct store *s;
	snprintf(db, sizeof db, "%s/%s", dest, NODE_DB_FILE);
	/* made empty, 0600, before the copy fills it: the store's labels and
	 * people are for the node's user alone, at no moment for others */
	int made = open(db, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (made < 0)
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", db, strerror(errno));
	close(made);
	if ((r = store_open(from, false, &s, e)) == 0) {
		r = store_backup(s, db, e);
		store_close(s);
	}
	if (r == 0) {
		int fd = open(db, O_RDONLY | O_CLOEXEC); /* durable before it is called a backup */
		if (fd < 0 || fsync(fd) != 0)
			r = lerr_set(e, LERR_IO, "%s: %s", db, strerror(errno));
		if (fd >= 0)
			close(fd);
		struct stat sb;
		if (r == 0 && stat(db, &sb) == 0)
			b->bytes += (uint64_t)sb.st_size;
	}
	if (r == 0)
		r = make_dir(dest, "tmp", e);
	if (r == 0)
		r = copy_folder(home, dest, NODE_KEYS_DIR, &b->keys, &b->bytes, e);
	if (r == 0)
		r = copy_folder(home, dest, "reports", &b->reports, &b->bytes, e);
	if (r == 0)
		r = copy_named(home, dest, b, e);
	if (r == 0)
		r = check_copy(dest, b, e);
	return r < 0 ? lerr_prefix(e, "backup into %s", dest) : 0;
}

int node_store_restore(const char *src, const char *home, struct node_backup *b, struct lerr *e)
{
	char a[NODE_PATH_MAX + 32], c[NODE_PATH_MAX + 32];
	memset(b, 0, sizeof *b);
	snprintf(a, sizeof a, "%s/%s", src, NODE_DB_FILE);
	if (access(a, R_OK) != 0)
		return lerr_set(e, LERR_NOTFOUND, "%s: not a backup of a node (no %s)", src,
				NODE_DB_FILE);
	if (mkdir(home, 0700) != 0)
		return lerr_set(e, errno == EEXIST ? LERR_EXISTS : LERR_IO,
				"%s: %s (a node is restored into a new folder)", home,
				strerror(errno));
	snprintf(c, sizeof c, "%s/%s", home, NODE_DB_FILE);
	int r = copy_file(a, c, &b->bytes, e);
	static const char *const subs[] = {NODE_KEYS_DIR, NODE_BLOBS_DIR, "outbox", "reports"};
	size_t *counts[] = {&b->keys, &b->blobs, &b->outbox, &b->reports};
	for (size_t i = 0; r == 0 && i < sizeof subs / sizeof subs[0]; i++)
		r = copy_folder(src, home, subs[i], counts[i], &b->bytes, e);
	if (r == 0)
		r = make_dir(home, "tmp", e);
	if (r == 0)
		r = check_copy(home, b, e);
	return r < 0 ? lerr_prefix(e, "restore into %s", home) : 0;
}
