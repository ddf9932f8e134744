/* backup.c - a node's backup while its daemons serve, and its restore (see node.h). */
#define _GNU_SOURCE /* renameat2 */
#include "node.h"

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
#include "log.h"
#include "peer.h"

/* Copies what is read from `in` (closed) to the new file to (mode 0600),
 * synced and renamed into place; *bytes grows by its size. */
static int copy_in(int in, const char *from, const char *to, uint64_t *bytes, struct lerr *e)
{
	struct fio_out o;
	int r = fio_begin(&o, to, 0600, false, e);
	if (r == 0)
		r = fio_copy(in, o.fd, from, to, bytes, e);
	close(in);
	if (r == 0)
		r = fio_commit(&o, e);
	else if (o.fd >= 0)
		fio_abort(&o);
	return r;
}

/* Copies the regular file from (never through a link, nor a pipe or a
 * device, which could be read without end) to the new file to (copy_in). */
static int copy_file(const char *from, const char *to, uint64_t *bytes, struct lerr *e)
{
	struct stat was, sb;
	if (lstat(from, &was) != 0)
		return lerr_set(e, LERR_IO, "%s: cannot open: %s", from, strerror(errno));
	if (!S_ISREG(was.st_mode)) /* never opened: opening some devices acts */
		return lerr_set(e, LERR_IO, "%s: not a regular file (refused)", from);
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return lerr_set(e, LERR_IO, "%s: cannot open: %s", from, strerror(errno));
	if (fstat(in, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_ino != was.st_ino ||
	    sb.st_dev != was.st_dev) {
		close(in);
		return lerr_set(e, LERR_IO, "%s: not a regular file (refused)", from);
	}
	return copy_in(in, from, to, bytes, e);
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

/* Copies every regular file of from/sub into to/sub; counts them in *files.
 * Neither the folder nor a file in it is taken through a link: a backup's
 * keys/ linked to another folder would restore that folder's files. */
static int copy_folder(const char *from, const char *to, const char *sub, size_t *files,
		       uint64_t *bytes, struct lerr *e)
{
	char dir[NODE_PATH_MAX + 32];
	snprintf(dir, sizeof dir, "%s/%s", from, sub);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT)
		return 0;
	if (dfd < 0)
		return lerr_set(e, LERR_IO, "%s: %s", dir,
				errno == ELOOP || errno == ENOTDIR
				    ? "a link or not a folder (refused: its files are not copied)"
				    : strerror(errno));
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return lerr_set(e, LERR_IO, "%s: %s", dir, strerror(errno));
	}
	int r = make_dir(to, sub, e);
	struct dirent *de;
	while (r == 0 && (de = readdir(d)) != NULL) {
		char b[NODE_PATH_MAX + 320];
		struct stat was, sb;
		/* a link, a folder, a pipe, a device: not a node's file, and not
		 * opened (opening some devices acts); then the same file opened */
		if (de->d_name[0] == '.' ||
		    fstatat(dfd, de->d_name, &was, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(was.st_mode))
			continue;
		int in = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (in < 0 || fstat(in, &sb) != 0 || !S_ISREG(sb.st_mode) ||
		    sb.st_ino != was.st_ino || sb.st_dev != was.st_dev) {
			if (in >= 0)
				close(in);
			continue;
		}
		char a[NODE_PATH_MAX + 320];
		snprintf(a, sizeof a, "%s/%s", dir, de->d_name);
		snprintf(b, sizeof b, "%s/%s/%s", to, sub, de->d_name);
		if ((r = copy_in(in, a, b, bytes, e)) == 0)
			(*files)++;
	}
	closedir(d);
	return r;
}

/* The payload `name` of node n copied to dest/name (copy_in); LERR_NOTFOUND
 * when it is gone. */
static int copy_payload(struct node *n, const char *name, const char *dest, uint64_t *bytes,
			struct lerr *e)
{
	char to[NODE_PATH_MAX + 128];
	int in, r = node_payload_open(n, name, &in, e);
	snprintf(to, sizeof to, "%s/%s", dest, name);
	return r < 0 ? r : copy_in(in, name, to, bytes, e);
}

/* The payloads and queued envelopes the snapshot at dest names, copied from
 * the node in home (its folder, or its store). */
static int copy_named(const char *home, const char *dest, struct node_backup *b, struct lerr *e)
{
	struct node *snap, *n = NULL;
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
	if (r == 0)
		r = node_open(home, &n, e);
	for (size_t i = 0; r == 0 && i < nb; i++) {
		char name[STORE_PAYLOAD_NAME], c[NODE_PATH_MAX + 128];
		snprintf(name, sizeof name, "%s/%s.lsn", NODE_BLOBS_DIR, blobs[i]);
		snprintf(c, sizeof c, "%s/%s", dest, name);
		if (access(c, F_OK) == 0) /* two items, one payload */
			continue;
		if ((r = copy_payload(n, name, dest, &b->bytes, e)) == LERR_NOTFOUND)
			r = lerr_set(e, LERR_REFUSED,
				     "an item's payload went while the backup ran (the item was "
				     "destroyed): run it again");
		else if (r == 0)
			b->blobs++;
	}
	for (size_t i = 0; r == 0 && i < nm; i++) {
		char name[STORE_PAYLOAD_NAME];
		node_outbox_name(msgs[i], name);
		if ((r = copy_payload(n, name, dest, &b->bytes, e)) == LERR_NOTFOUND)
			r = lerr_set(
			    e, LERR_REFUSED,
			    "a message went while the backup ran (it was delivered): run it "
			    "again");
		else if (r == 0)
			b->outbox++;
	}
	node_close(n);
	free(blobs);
	free(msgs);
	return r;
}

/* path made absolute (a relative one from the working folder): a name that
 * SQLite would read as a URI ("file:...") is then only a name */
static int absolute(const char *path, char *out, size_t n, struct lerr *e)
{
	char cwd[NODE_PATH_MAX];
	if (path[0] == '/'
		? (size_t)snprintf(out, n, "%s", path) >= n
		: !getcwd(cwd, sizeof cwd) || (size_t)snprintf(out, n, "%s/%s", cwd, path) >= n)
		return lerr_set(e, LERR_LIMIT, "%.64s...: path too long", path);
	return 0;
}

#define MANIFEST "backup.json" /* written last: a backup is whole when it has one */

/* The backup's own log checked whole, with its latest checkpoint. */
static int check_copy(const char *dest, struct node_backup *b, char party[PARTY_CODE_MAX],
		      struct lerr *e)
{
	struct node *n;
	struct log_report rep;
	json_t *found = NULL;
	int r = node_open(dest, &n, e);
	if (r == 0) {
		str_copy(party, PARTY_CODE_MAX, n->party);
		if ((r = node_log_verify(n, &rep, e)) == 0) {
			b->entries = rep.entries;
			b->checkpoint = rep.checkpoint ? rep.latest.size : 0;
		} else
			lerr_prefix(e, "the backup's log");
		/* every payload its store names is there (a blob lost from a
		 * backup's folder is an item that no longer opens) */
		if (r == 0 &&
		    (r = node_payload_check(n, (int64_t)time(NULL), 0, false, &found, e)) == 0) {
			json_t *missing = json_object_get(found, "missing");
			if (json_array_size(missing))
				r = lerr_set(e, LERR_INVAL,
					     "the backup lacks %zu payload(s) its store names (%s "
					     "first): not whole",
					     json_array_size(missing),
					     json_string_value(json_array_get(missing, 0)));
		}
		json_decref(found);
		node_close(n);
	}
	return r;
}

/* A consistent copy of the store at from into the new file db (0600 from
 * its first byte: the store's labels and people are the node user's alone). */
static int store_snapshot(const char *from, const char *db, uint64_t *bytes, struct lerr *e)
{
	int made = open(db, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (made < 0)
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", db, strerror(errno));
	close(made);
	struct store *s;
	int r = store_open(from, false, &s, e);
	if (r == 0) {
		r = store_backup(s, db, e);
		store_close(s);
	}
	int fd = r == 0 ? open(db, O_RDONLY | O_CLOEXEC) : -1; /* durable before it is used */
	struct stat sb;
	if (r == 0 && (fd < 0 || fsync(fd) != 0 || fstat(fd, &sb) != 0))
		r = lerr_set(e, LERR_IO, "%s: %s", db, strerror(errno));
	else if (r == 0)
		*bytes += (uint64_t)sb.st_size;
	if (fd >= 0)
		close(fd);
	return r;
}

/*
 * A backup and a restore are made under another name, renamed once whole:
 * a folder called DEST is whole, and one killed midway leaves only
 * DEST.partial (into part, of n bytes). left: what a
 * DEST.partial found there is and what to do, after "it exists: ".
 */
static int partial_begin(const char *dest, char *part, size_t n, const char *left, struct lerr *e)
{
	snprintf(part, n, "%s.partial", dest);
	if (mkdir(part, 0700) == 0)
		return 0;
	return errno == EEXIST
		   ? lerr_set(e, LERR_EXISTS, "%s: it exists: %s", part, left)
		   : lerr_set(e, LERR_IO, "%s: cannot create: %s", part, strerror(errno));
}

/* part whole (r is 0) in place at dest, never over a folder made there
 * meanwhile (a plain rename takes an empty one); else removed. */
static int partial_end(int r, const char *part, const char *dest, const char *shown, struct lerr *e)
{
	if (r == 0 && renameat2(AT_FDCWD, part, AT_FDCWD, dest, RENAME_NOREPLACE) != 0)
		r = lerr_set(e, errno == EEXIST ? LERR_EXISTS : LERR_IO, "%s: %s", shown,
			     strerror(errno));
	if (r < 0)
		fio_remove_tree(part, 2); /* the folder and its subfolders */
	return r;
}

/* The manifest, last: what the backup holds, so that restore knows it whole. */
static int write_manifest(const char *dir, const char *party, const struct node_backup *b,
			  struct lerr *e)
{
	char path[NODE_PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/%s", dir, MANIFEST);
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I}", "party", party, "entries",
			      (json_int_t)b->entries, "checkpoint", (json_int_t)b->checkpoint,
			      "blobs", (json_int_t)b->blobs, "outbox", (json_int_t)b->outbox);
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	int r = text ? fio_write_file(path, text, strlen(text), 0600, false, e)
		     : lerr_set(e, LERR_NOMEM, "out of memory");
	free(text);
	return r;
}

int node_store_backup(const char *home, const char *dest_given, struct node_backup *b,
		      struct lerr *e)
{
	char from[NODE_PATH_MAX + NODE_STORE_URL_MAX], db[NODE_PATH_MAX + 32], dest[NODE_PATH_MAX],
	    part[NODE_PATH_MAX + 16], party[PARTY_CODE_MAX] = "";
	memset(b, 0, sizeof *b);
	int r = node_store_location(home, from, sizeof from, e);
	if (r < 0)
		return r;
	if ((r = absolute(dest_given, dest, sizeof dest, e)) < 0)
		return r;
	struct stat sb;
	if (lstat(dest, &sb) == 0)
		return lerr_set(e, LERR_EXISTS, "%s: it exists (a backup goes into a new folder)",
				dest_given);
	if ((r = partial_begin(dest, part, sizeof part,
			       "a backup that did not finish (killed, or the machine stopped) "
			       "left it; it holds a copy of the store and the sealed keys: "
			       "remove it, then back up again",
			       e)) < 0)
		return r;
	/* the store first: what it names is then on disk already (a payload and an
	 * envelope are written before their row), and copied after it */
	snprintf(db, sizeof db, "%s/%s", part, NODE_DB_FILE);
	/* the store and the keys of one moment: no rotation between them (a
	 * node on PostgreSQL: its keys as the database has them first) */
	struct node *n;
	if ((r = node_open(home, &n, e)) == 0) {
		r = node_keys_fetch(n, e);
		node_close(n);
	}
	int lock = r < 0 ? r : node_keys_lock(home, e);
	r = lock < 0 ? lock : store_snapshot(from, db, &b->bytes, e);
	if (r == 0)
		r = make_dir(part, "tmp", e);
	if (r == 0)
		r = copy_folder(home, part, NODE_KEYS_DIR, &b->keys, &b->bytes, e);
	if (lock >= 0)
		close(lock);
	if (r == 0)
		r = copy_folder(home, part, "reports", &b->reports, &b->bytes, e);
	if (r == 0)
		r = copy_named(home, part, b, e);
	if (r == 0)
		r = check_copy(part, b, party, e);
	if (r == 0)
		r = write_manifest(part, party, b, e);
	r = partial_end(r, part, dest, dest, e);
	return r < 0 ? lerr_prefix(e, "backup into %s", dest_given) : 0;
}

int node_store_restore(const char *src, const char *home, struct node_backup *b, struct lerr *e)
{
	char a[NODE_PATH_MAX + 32], c[NODE_PATH_MAX + 32], party[PARTY_CODE_MAX] = "";
	char part[NODE_PATH_MAX + 16];
	struct stat sb;
	memset(b, 0, sizeof *b);
	snprintf(a, sizeof a, "%s/%s", src, MANIFEST);
	if (access(a, R_OK) != 0)
		return lerr_set(e, LERR_NOTFOUND,
				"%s: not a backup made by liaison store backup (no %s); a node's "
				"own folder is not one",
				src, MANIFEST);
	/* made under another name, renamed once whole, as a backup is */
	char name[NODE_PATH_MAX];
	size_t hl = strlen(home);
	while (hl > 1 && home[hl - 1] == '/')
		hl--;
	if (hl >= sizeof name)
		return lerr_set(e, LERR_INVAL, "%s: the path is too long", home);
	snprintf(name, sizeof name, "%.*s", (int)hl, home); /* HOME/ is HOME, a link not followed */
	if (lstat(name, &sb) == 0)
		return lerr_set(e, LERR_EXISTS, "%s: %s (a node is restored into a new folder)",
				home, strerror(EEXIST));
	if (errno != ENOENT)
		return lerr_set(e, LERR_IO, "%s: %s", home, strerror(errno));
	int r = partial_begin(name, part, sizeof part,
			      "a restore that did not finish (killed, or the machine stopped) "
			      "left it; remove it, then restore again",
			      e);
	if (r < 0)
		return r;
	/* The backup is only read, never opened as a store: it may sit on
	 * write-protected media, and one an older release made must stay as it
	 * is (the copy is brought to this release's schema when check_copy
	 * opens it). Its store is copied as files, with its write-ahead log had
	 * the backup been opened as a node since (SQLite replays it into the
	 * copy); the rest as files too. */
	for (int wal = 0; r == 0 && wal <= 1; wal++) {
		snprintf(a, sizeof a, "%s/%s%s", src, NODE_DB_FILE, wal ? "-wal" : "");
		snprintf(c, sizeof c, "%s/%s%s", part, NODE_DB_FILE, wal ? "-wal" : "");
		if (!wal || lstat(a, &sb) == 0)
			r = copy_file(a, c, &b->bytes, e);
	}
	static const char *const subs[] = {NODE_KEYS_DIR, NODE_BLOBS_DIR, "outbox", "reports"};
	size_t *counts[] = {&b->keys, &b->blobs, &b->outbox, &b->reports};
	for (size_t i = 0; r == 0 && i < sizeof subs / sizeof subs[0]; i++)
		r = copy_folder(src, part, subs[i], counts[i], &b->bytes, e);
	if (r == 0)
		r = make_dir(part, "tmp", e);
	if (r == 0)
		r = check_copy(part, b, party, e);
	r = partial_end(r, part, name, home, e);
	return r < 0 ? lerr_prefix(e, "restore into %s", home) : 0;
}
