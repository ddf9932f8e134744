/* node.c - the node's folder, store and clock (see node.h). */
#include "node.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../core/text.h"
#include "../crypto/fio.h"
#include "../store/store.h"
#include "acts.h"
#include "internal.h"
#include "items.h"
#include "keyfile.h"
#include "log.h"

int node_clock_read(struct node_clock *c, struct lerr *e)
{
	const char *now = getenv("LIAISON_NOW");
	c->today = 0;
	c->simulated = false;
	time_t t = time(NULL);
	struct tm tm;
	if (now && now[0] && strlen(now) == 20 && now[10] == 'T' && now[19] == 'Z') {
		/* an instant (YYYY-MM-DDTHH:MM:SSZ): its date in the node's zone */
		char day[11];
		int f[3] = {0, 0, 0};
		bool form = now[13] == ':' && now[16] == ':';
		date_t d, epoch;
		for (int k = 0; k < 3 && form; k++)
			for (int j = 0; j < 2 && form; j++) {
				char ch = now[11 + 3 * k + j];
				form = ch >= '0' && ch <= '9';
				f[k] = f[k] * 10 + (ch - '0');
			}
		memcpy(day, now, 10);
		day[10] = '\0';
		if (!form || f[0] > 23 || f[1] > 59 || f[2] > 59 || date_parse(day, &d, NULL) < 0 ||
		    date_from_ymd(1970, 1, 1, &epoch, NULL) < 0)
			return lerr_set(
			    e, LERR_INVAL,
			    "LIAISON_NOW: \"%.32s\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ",
			    now);
		const int h = f[0], m = f[1], sec = f[2];
		t = (time_t)((int64_t)(d - epoch) * 86400 + h * 3600 + m * 60 + sec);
		c->simulated = true;
	} else if (now && now[0]) {
		if (date_parse(now, &c->today, e) < 0)
			return lerr_prefix(e, "LIAISON_NOW (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
		c->simulated = true;
		return 0;
	}
	if (t == (time_t)-1 || !(c->local ? localtime_r(&t, &tm) : gmtime_r(&t, &tm)))
		return lerr_set(e, LERR_IO, "cannot read the system clock");
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &c->today, e);
}

int node_zone_check(const char *zone, struct lerr *e)
{
	char path[PARTY_TZ_MAX + 32];
	const char *dir = getenv("TZDIR");
	bool ok = zone[0] != '/' && !strstr(zone, "..") && strlen(zone) < PARTY_TZ_MAX;
	for (const char *z = zone; ok && *z; z++)
		ok = (*z >= 'A' && *z <= 'Z') || (*z >= 'a' && *z <= 'z') ||
		     (*z >= '0' && *z <= '9') || strchr("/_+-", *z);
	if (ok && (zone[strlen(zone) - 1] == '/' || strstr(zone, "//")))
		ok = false;
	if (!ok)
		return lerr_set(e, LERR_INVAL, "\"%.64s\" is not a time zone name (Asia/Tokyo)",
				zone);
	/* one of the database's files: a regular file that begins "TZif" */
	snprintf(path, sizeof path, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", zone);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat sb;
	char magic[4] = {0};
	int err = fd < 0 ? errno : 0;
	bool zonefile = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
			read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
	if (fd >= 0)
		close(fd);
	if (!zonefile)
		return lerr_set(e, LERR_INVAL,
				"%s is not a time zone of this machine's tz database (%s: %s; the "
				"tzdata package has them)",
				zone, path, err ? strerror(err) : "not a zone file");
	return 0;
}

/*
 * Whether the process dates in a zone: decided by the first node it opens
 * (a daemon or a command works for one node; the daemon opens it in its
 * main thread before any other starts), from that node's party, and kept
 * for the process's life, so that every thread of a daemon says the same
 * day: a change of time_zone takes effect at the daemon's next start. The
 * C library knows one zone at a time, through TZ.
 */
static bool use_zone(const char *zone)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static int decided; /* 0: not yet; 1: in a zone; 2: UTC */
	pthread_mutex_lock(&mu);
	if (!decided) {
		decided = zone[0] ? 1 : 2;
		if (zone[0]) {
			char tz[PARTY_TZ_MAX + 2];
			snprintf(tz, sizeof tz, ":%s", zone);
			setenv("TZ", tz, 1);
			tzset();
		}
	}
	bool local = decided == 1;
	pthread_mutex_unlock(&mu);
	return local;
}

int node_clock_act(const struct node_clock *c, struct lerr *e)
{
	char d[DATE_BUF_SIZE];
	if (!c->simulated || c->replay)
		return 0;
	return lerr_set(e, LERR_USAGE,
			"LIAISON_NOW is set (%s), but this node was not made for replays "
			"(liaison init --replay): its acts take the system's date. Unset "
			"LIAISON_NOW; questions take --at DATE",
			date_format(c->today, d));
}

int node_home(const char *home, char *buf, size_t n, struct lerr *e)
{
	if (!home || !home[0])
		home = getenv("LIAISON_HOME");
	if (!home || !home[0])
		home = "./.liaison";
	if (!str_copy(buf, n, home))
		return lerr_set(e, LERR_LIMIT, "node folder path is too long");
	return 0;
}

static int db_path(const char *home, char *buf, size_t n, struct lerr *e)
{
	int w = snprintf(buf, n, "%s/%s", home, NODE_DB_FILE);
	if (w < 0 || (size_t)w >= n)
		return lerr_set(e, LERR_LIMIT, "node folder path is too long");
	return 0;
}

int node_store_location(const char *home, char *buf, size_t n, struct lerr *e)
{
	char path[NODE_PATH_MAX + 16];
	char *text;
	size_t len;
	int w = snprintf(path, sizeof path, "%s/%s", home, NODE_STORE_FILE);
	if (w < 0 || (size_t)w >= sizeof path)
		return lerr_set(e, LERR_LIMIT, "node folder path is too long");
	if (access(path, F_OK) != 0)
		return db_path(home, buf, n, e);
	if (fio_read_file(path, NODE_STORE_URL_MAX, &text, &len, e) < 0)
		return LERR_IO;
	text[strcspn(text, "\r\n")] = '\0';
	int r = !store_is_url(text) ? lerr_set(e, LERR_INVAL, "%s: not a postgresql:// URL", path)
		: !str_copy(buf, n, text) ? lerr_set(e, LERR_LIMIT, "%s: too long", path)
					  : 0;
	sodium_memzero(text, len); /* it may hold a password */
	free(text);
	return r;
}

/* Removes a store file that could not be made whole, with its WAL files. */
static void remove_store(const char *path)
{
	char side[NODE_PATH_MAX + 32];
	(void)unlink(path);
	if (snprintf(side, sizeof side, "%s-wal", path) < (int)sizeof side)
		(void)unlink(side);
	if (snprintf(side, sizeof side, "%s-shm", path) < (int)sizeof side)
		(void)unlink(side);
}

int node_key_path(const char *home, const char *party, const char *ext, char *buf, size_t n,
		  struct lerr *e)
{
	int w = snprintf(buf, n, "%s/%s/%s.%s", home, NODE_KEYS_DIR, party, ext);
	if (w < 0 || (size_t)w >= n)
		return lerr_set(e, LERR_LIMIT, "node folder path is too long");
	return 0;
}

/* Makes home/keys and the party's keys in it. */
static int make_keys(const char *home, const char *party, const char *pass, size_t len,
		     struct lerr *e)
{
	char dir[NODE_PATH_MAX + 16];
	int w = snprintf(dir, sizeof dir, "%s/%s", home, NODE_KEYS_DIR);
	if (w < 0 || (size_t)w >= sizeof dir)
		return lerr_set(e, LERR_LIMIT, "node folder path is too long");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", dir, strerror(errno));
	const struct key_kdf kdf = {.ops = KEY_KDF_OPS_DEFAULT, .mem = KEY_KDF_MEM_DEFAULT};
	return keyfile_generate(dir, party, pass, len, &kdf, false, NULL, 0, e);
}

/* The node's settings and the log's first entry (the node, with its public
 * key), in one transaction. */
static int first_entries(struct store *s, const char *home, const char *party,
			 const struct node_clock *clock, struct lerr *e)
{
	char pub[NODE_PATH_MAX + 64], line[KEY_PUB_LINE_MAX], today[DATE_BUF_SIZE];
	struct key_public p;
	int r = node_key_path(home, party, "pub", pub, sizeof pub, e);
	if (r == 0)
		r = keyfile_public(pub, &p, e);
	if (r == 0)
		r = key_public_format(&p, line, sizeof line, e);
	if (r < 0 || (r = store_begin(s, e)) < 0)
		return r;
	line[strcspn(line, "\n")] = '\0';
	r = store_meta_set(s, "party", party, e);
	if (r == 0)
		r = store_meta_set(s, "created", date_format(clock->today, today), e);
	if (r == 0 && clock->replay)
		r = store_meta_set(s, "replay", "true", e);
	if (r == 0)
		r = node_log_append_to(s, party, clock, "node-init",
				       json_pack("{s:s}", "key", line), NULL, e);
	if (r == 0)
		r = node_keys_publish(s, home, party, false, NULL, e);
	if (r == 0)
		return store_commit(s, e);
	store_rollback(s);
	return r;
}

/* Removes the party's key files made by a node_init that failed. */
static void remove_keys(const char *home, const char *party)
{
	char path[NODE_PATH_MAX + 64];
	if (node_key_path(home, party, "key", path, sizeof path, NULL) == 0)
		(void)unlink(path);
	if (node_key_path(home, party, "pub", path, sizeof path, NULL) == 0)
		(void)unlink(path);
}

/* One folder of the node: a real folder of ours (or root's), not writable by
 * others. The node's own folder may be reached through a link (its operator
 * chose the path); one that is not there yet (a subfolder) is fine. */
static int folder_ok(const char *path, bool is_home, struct lerr *e)
{
	struct stat sb;
	if ((is_home ? stat(path, &sb) : lstat(path, &sb)) != 0)
		return errno == ENOENT && !is_home
			   ? 0
			   : lerr_set(e, LERR_IO, "%s: %s", path, strerror(errno));
	if (S_ISLNK(sb.st_mode))
		return lerr_set(e, LERR_INVAL,
				"%s is a symbolic link: the node's folders must be its own (remove "
				"it; the node makes it again)",
				path);
	if (!S_ISDIR(sb.st_mode))
		return lerr_set(e, LERR_INVAL, "%s is not a folder", path);
	if (sb.st_uid != geteuid() && sb.st_uid != 0)
		return lerr_set(e, LERR_INVAL,
				"%s belongs to another user (uid %lu): the node's folder must be "
				"its operator's (chown it)",
				path, (unsigned long)sb.st_uid);
	if (sb.st_mode & (S_IWGRP | S_IWOTH))
		return lerr_set(e, LERR_INVAL,
				"%s is writable by %s (mode %04o): anyone who can write it can "
				"plant files and links the node would use; fix it with: chmod "
				"go-w %s",
				path,
				(sb.st_mode & S_IWGRP) && (sb.st_mode & S_IWOTH)
				    ? "group and others"
				: (sb.st_mode & S_IWGRP) ? "its group"
							 : "others",
				(unsigned)(sb.st_mode & 07777), path);
	return 0;
}

int node_folder_check(const char *home, struct lerr *e)
{
	static const char *const subs[] = {"tmp", NODE_KEYS_DIR, NODE_BLOBS_DIR, "outbox",
					   "reports"};
	char path[NODE_PATH_MAX + 16];
	int r = folder_ok(home, true, e);
	for (size_t i = 0; r == 0 && i < sizeof subs / sizeof subs[0]; i++) {
		if (snprintf(path, sizeof path, "%s/%s", home, subs[i]) >= (int)sizeof path)
			return lerr_set(e, LERR_LIMIT, "%s: too long", home);
		r = folder_ok(path, false, e);
	}
	return r;
}

int node_init(const struct node_init_args *a, const char *pass, size_t len, struct lerr *e)
{
	const char *home = a->home, *party = a->party, *store = a->store;
	char path[NODE_PATH_MAX + 16], url_file[NODE_PATH_MAX + 16];
	struct stat sb;
	struct node_clock clock = {.replay = a->replay};
	if (party_code_check(party, e) < 0)
		return lerr_prefix(e, "--party");
	if (node_clock_read(&clock, e) < 0 || node_clock_act(&clock, e) < 0)
		return e ? e->code : LERR_INVAL;
	if (store && !store_is_url(store))
		return lerr_set(e, LERR_INVAL,
				"--store: \"%.64s\" is not a postgresql:// URL (leave it out for "
				"SQLite in the node's folder)",
				store);
	if (store && strlen(store) >= NODE_STORE_URL_MAX)
		return lerr_set(e, LERR_LIMIT, "--store: longer than %d bytes",
				NODE_STORE_URL_MAX - 1);
	if (db_path(home, path, sizeof path, e) < 0 ||
	    snprintf(url_file, sizeof url_file, "%s/%s", home, NODE_STORE_FILE) >=
		(int)sizeof url_file)
		return lerr_set(e, LERR_LIMIT, "node folder path is too long");
	if (stat(path, &sb) == 0 || stat(url_file, &sb) == 0)
		return lerr_set(e, LERR_EXISTS, "%s already holds a node", home);
	if (mkdir(home, 0700) != 0 && errno != EEXIST)
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", home, strerror(errno));
	if (stat(home, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return lerr_set(e, LERR_IO, "%s is not a folder", home);
	if (node_folder_check(home, e) < 0)
		return LERR_INVAL;

	struct store *s;
	char held[STORE_META_MAX];
	if (store_open(store ? store : path, true, &s, e) < 0) {
		if (!store)
			remove_store(path);
		return e ? e->code : LERR_STORE;
	}
	/* a database holds one node */
	int r = store_meta_get(s, "party", held, sizeof held, NULL) == 0
		    ? lerr_set(e, LERR_EXISTS, "that database already holds the node of %s", held)
		    : 0;
	if (r == 0 && (r = make_keys(home, party, pass, len, e)) == 0 &&
	    (r = first_entries(s, home, party, &clock, e)) < 0)
		remove_keys(home, party);
	store_close(s);
	/* the node's folder names its database last: a node is there once whole */
	if (r == 0 && store &&
	    (r = fio_write_file(url_file, store, strlen(store), 0600, false, e)) < 0)
		remove_keys(home, party);
	if (r == 0 && !store)
		(void)chmod(path, 0600);
	else if (r < 0 && !store)
		remove_store(path);
	return r;
}

/* node_join, once the folder is there: the database's node, its keys. */
static int join_store(const char *home, const char *url, const char *shown, const char *url_file,
		      const char *pass, size_t len, char party[PARTY_CODE_MAX], struct lerr *e)
{
	struct store *s;
	char held[PARTY_CODE_MAX] = "";
	int r = store_open(url, false, &s, e);
	if (r == 0) {
		r = store_meta_get(s, "party", held, sizeof held, e);
		store_close(s);
	}
	if (r == LERR_NOTFOUND)
		return lerr_set(e, LERR_NOTFOUND,
				"the database %s holds no node (init without --join makes one)",
				shown);
	if (r < 0)
		return r;
	if (party[0] && strcmp(party, held) != 0)
		return lerr_set(e, LERR_REFUSED, "the database %s holds the node of %s, not of %s",
				shown, held, party);
	str_copy(party, PARTY_CODE_MAX, held);
	/* the folder names the database; its keys come from there, and must open */
	if ((r = fio_write_file(url_file, url, strlen(url), 0600, false, e)) < 0)
		return r;
	struct node *n;
	struct key_secret k;
	if ((r = node_open(home, &n, e)) == 0) {
		if ((r = node_secret_key(n, pass, len, &k, e)) == 0)
			key_secret_free(&k);
		else if (r == LERR_AUTH)
			lerr_set(e, r,
				 "the passphrase does not open the keys of %s's node (from the "
				 "database %s)",
				 held, shown);
		else
			lerr_prefix(e, "the keys of %s's node, from the database %s", held, shown);
		node_close(n);
	}
	return r;
}

int node_join(const char *home, const char *url, const char *pass, size_t len,
	      char party[PARTY_CODE_MAX], struct lerr *e)
{
	char db[NODE_PATH_MAX + 16], url_file[NODE_PATH_MAX + 16], shown[NODE_STORE_URL_MAX];
	struct stat sb;
	if (!store_is_url(url))
		return lerr_set(e, LERR_INVAL,
				"--store: \"%.64s\" is not a postgresql:// URL (--join is for a "
				"node whose store is in PostgreSQL)",
				url);
	if (strlen(url) >= NODE_STORE_URL_MAX)
		return lerr_set(e, LERR_LIMIT, "--store: longer than %d bytes",
				NODE_STORE_URL_MAX - 1);
	store_location_shown(url, shown, sizeof shown);
	if (db_path(home, db, sizeof db, e) < 0 ||
	    snprintf(url_file, sizeof url_file, "%s/%s", home, NODE_STORE_FILE) >=
		(int)sizeof url_file)
		return lerr_set(e, LERR_LIMIT, "node folder path is too long");
	if (stat(db, &sb) == 0 || stat(url_file, &sb) == 0)
		return lerr_set(e, LERR_EXISTS, "%s already holds a node", home);
	bool made = mkdir(home, 0700) == 0;
	if (!made && errno != EEXIST)
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", home, strerror(errno));
	char keys[NODE_PATH_MAX + 16];
	snprintf(keys, sizeof keys, "%s/%s", home, NODE_KEYS_DIR);
	if (rmdir(keys) != 0 && errno != ENOENT) /* an empty one is made again */
		return lerr_set(e, LERR_EXISTS, "%s holds keys already (%s)", home,
				errno == ENOTEMPTY || errno == EEXIST ? "not empty"
								      : strerror(errno));
	/* the folders it makes, to remove again if it fails (none that was there) */
	static const char *const subs[] = {NODE_KEYS_DIR, "tmp"};
	char sub[2][NODE_PATH_MAX + 16];
	bool had[2];
	for (size_t i = 0; i < 2; i++) {
		snprintf(sub[i], sizeof sub[i], "%s/%s", home, subs[i]);
		had[i] = lstat(sub[i], &sb) == 0;
	}
	int r = node_folder_check(home, e) < 0
		    ? LERR_INVAL
		    : join_store(home, url, shown, url_file, pass, len, party, e);
	if (r < 0) { /* nothing left: another try starts afresh */
		(void)unlink(url_file);
		for (size_t i = 0; i < 2; i++)
			if (!had[i])
				fio_remove_tree(sub[i], 1); /* the folder and the files in it */
		if (made)
			(void)rmdir(home);
	}
	return r;
}

int node_serve_dir(const char *name, long *pid)
{
	char *end;
	*pid = 0;
	if (strncmp(name, "serve-", 6) != 0)
		return 0;
	long p = strtol(name + 6, &end, 10);
	if (*end || p <= 0 || (kill((pid_t)p, 0) != 0 && errno == ESRCH))
		return -1;
	*pid = p;
	return 1;
}

/* A daemon serving the node in home: its pid, or 0. */
static long daemon_running(const char *home)
{
	char dir[NODE_PATH_MAX + 8];
	long found = 0;
	snprintf(dir, sizeof dir, "%s/tmp", home);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && !found && (de = readdir(d)) != NULL)
		if (node_serve_dir(de->d_name, &found) != 1)
			found = 0;
	if (d)
		closedir(d);
	return found;
}

int node_store_migrate(const char *home, const char *url, struct node_migrated *m, struct lerr *e)
{
	uint64_t *rows = &m->rows;
	memset(m, 0, sizeof *m);
	char from[NODE_PATH_MAX + NODE_STORE_URL_MAX], url_file[NODE_PATH_MAX + 16],
	    kept[sizeof from + 16];
	struct store *src = NULL, *dst = NULL;
	long daemon;
	if (!store_is_url(url))
		return lerr_set(e, LERR_INVAL, "--to: \"%.64s\" is not a postgresql:// URL", url);
	if (strlen(url) >= NODE_STORE_URL_MAX)
		return lerr_set(e, LERR_LIMIT, "--to: longer than %d bytes",
				NODE_STORE_URL_MAX - 1);
	int r = node_store_location(home, from, sizeof from, e);
	if (r < 0)
		return r;
	if (store_is_url(from))
		return lerr_set(e, LERR_EXISTS,
				"the node in %s keeps its store in PostgreSQL already", home);
	if ((daemon = daemon_running(home)) != 0)
		return lerr_set(e, LERR_REFUSED,
				"a daemon (pid %ld) serves this node: stop it first, and start it "
				"again once the store has moved",
				daemon);
	snprintf(url_file, sizeof url_file, "%s/%s", home, NODE_STORE_FILE);
	snprintf(kept, sizeof kept, "%s.migrated", from);
	if ((r = store_open(from, false, &src, e)) == 0 &&
	    (r = store_open(url, true, &dst, e)) == 0)
		r = store_copy(src, dst, rows, e);
	store_close(src);
	store_close(dst);
	/* from here the node is the database's: named in the folder, then verified and logged */
	if (r == 0)
		r = fio_write_file(url_file, url, strlen(url), 0600, false, e);
	if (r < 0)
		return r;
	(void)rename(from, kept);
	struct node *n;
	struct log_report rep;
	if ((r = node_open(home, &n, e)) == 0) {
		if ((r = node_log_verify(n, &rep, e)) < 0)
			lerr_prefix(e,
				    "the copy's log does not verify; the node stays on %s (empty "
				    "the database before trying again)",
				    NODE_DB_FILE);
		else if ((r = store_begin(n->store, e)) == 0)
			r = node_log_commit(n, "store-migrated",
					    json_pack("{s:s, s:s, s:I}", "from", "sqlite", "to",
						      "postgresql", "rows", (json_int_t)*rows),
					    e);
		/* the node is the database's now: its keys and payloads follow; a
		 * failure leaves them in the folder, where they are still read (the
		 * keys go there at the next command, store migrate again moves the
		 * payloads) */
		if (r == 0 && ((r = node_keys_fetch(n, e)) < 0 ||
			       (r = node_payloads_move(n, &m->files, &m->bytes, e)) < 0)) {
			lerr_prefix(e, "the store moved, not every payload or key file (run "
				       "store migrate again)");
			node_close(n);
			return r;
		}
		node_close(n);
	}
	if (r < 0) { /* back to the SQLite file, untouched */
		(void)unlink(url_file);
		(void)rename(kept, from);
	}
	return r;
}

int node_public_key(struct node *n, const char *party, struct key_public *p, struct lerr *e)
{
	char path[NODE_PATH_MAX + 64];
	if (strcmp(party, n->party) != 0)
		return store_party_key_get(n->store, party, p, e);
	if (node_key_path(n->home, n->party, "pub", path, sizeof path, e) < 0)
		return LERR_LIMIT;
	return keyfile_public(path, p, e);
}

int node_party_key_add(struct node *n, const char *party_code, const char *file, const char *text,
		       bool replace, bool compromised, struct key_public *p, struct key_public *old,
		       struct lerr *e)
{
	memset(old, 0, sizeof *old);
	if (compromised && !replace)
		return lerr_set(e, LERR_USAGE, "--compromised goes with --replace");
	int r = key_public_parse(text, p, e);
	if (r < 0)
		lerr_prefix(e, "%s", file);
	struct party party;
	if (r == 0 && strcmp(p->party, party_code) != 0)
		r = lerr_set(e, LERR_INVAL, "%s holds the key of %s, not of %s", file, p->party,
			     party_code);
	if (r == 0 && strcmp(p->party, n->party) == 0)
		r = lerr_set(e, LERR_INVAL, "%s: that is this node's own party (%s)", file,
			     n->party);
	if (r == 0)
		r = store_party_get(n->store, p->party, &party, e);
	if (r == 0)
		r = store_begin(n->store, e);
	if (r < 0)
		return r;
	/* read in the write transaction: two adds at once cannot both find none */
	int had = store_party_key_get(n->store, p->party, old, e);
	if (had == LERR_NOTFOUND) {
		memset(old, 0, sizeof *old);
		had = 0;
	} else if (had == 0) {
		char was[KEY_FINGERPRINT_MAX], now[KEY_FINGERPRINT_MAX];
		key_fingerprint(old, was);
		key_fingerprint(p, now);
		if (strcmp(was, now) == 0) /* the same keys again: nothing to do */
			had = 1;
		else if (!replace)
			had =
			    lerr_set(e, LERR_EXISTS,
				     "%s's keys are on file already (%s); %s holds others (%s): "
				     "compare them with %s's operator, then replace with --replace",
				     p->party, was, file, now, p->party);
	}
	if (had != 0) { /* the same keys, a refusal, or the store's error */
		store_rollback(n->store);
		if (had == 1)
			memset(old, 0, sizeof *old);
		return had == 1 ? 0 : had;
	}
	char today[DATE_BUF_SIZE];
	char line[KEY_PUB_LINE_MAX];
	date_format(n->clock.today, today);
	/* the keys replaced are kept, to check what they signed before: the
	 * party's checkpoints up to the latest this node kept, and its items */
	if (old->party[0]) {
		struct store_retired_key rk = {.pub = *old};
		char origin[NOTE_ORIGIN_MAX];
		node_log_origin(old->party, origin);
		str_copy(rk.retired_on, sizeof rk.retired_on, today);
		str_copy(rk.how, sizeof rk.how, compromised ? "compromised" : "replaced");
		if ((r = store_party_key_added(n->store, old->party, rk.added_on, e)) < 0 ||
		    (r = node_log_witnessed_size(n, origin, &rk.log_size, e)) < 0 ||
		    (compromised &&
		     (r = store_retired_keys_compromised(n->store, old->party, e)) < 0) ||
		    (r = store_retired_key_put(n->store, &rk, e)) < 0) {
			store_rollback(n->store);
			return r;
		}
	}
	if ((r = store_party_key_put(n->store, p, today, e)) < 0 ||
	    (r = key_public_format(p, line, sizeof line, e)) < 0) {
		store_rollback(n->store);
		return r;
	}
	line[strcspn(line, "\n")] = '\0';
	json_t *facts = json_pack("{s:s}", "key", line);
	if (facts && old->party[0]) { /* a replacement: the keys it ends */
		char was[KEY_FINGERPRINT_MAX];
		key_fingerprint(old, was);
		json_object_set_new(facts, "replaced", json_string(was));
		if (compromised)
			json_object_set_new(facts, "compromised", json_true());
	}
	return node_log_commit(n, "party-key", facts, e);
}

int node_open(const char *home, struct node **out, struct lerr *e)
{
	char path[NODE_PATH_MAX + NODE_STORE_URL_MAX];
	*out = NULL;
	struct node *n = calloc(1, sizeof *n);
	if (!n || !(n->cache = node_cache_new())) {
		free(n);
		return lerr_set(e, LERR_NOMEM, "out of memory");
	}
	int r = 0;
	if (!str_copy(n->home, sizeof n->home, home))
		r = lerr_set(e, LERR_LIMIT, "node folder path is too long");
	if (r == 0)
		r = node_store_location(home, path, sizeof path, e);
	if (r == 0)
		r = node_clock_read(&n->clock, e);
	if (r == 0 && store_open(path, false, &n->store, e) < 0) {
		r = e ? e->code : LERR_STORE;
		if (r == LERR_NOTFOUND)
			lerr_set(e, r, "no node in %s (make one with: liaison init --party CODE)",
				 home);
	}
	if (r == 0)
		r = store_meta_get(n->store, "party", n->party, sizeof n->party, e);
	if (r == 0 && party_code_check(n->party, e) < 0) /* it names key files */
		r = lerr_prefix(e, "the store's party");
	char replay[8];
	if (r == 0)
		n->clock.replay =
		    store_meta_get(n->store, "replay", replay, sizeof replay, NULL) == 0 &&
		    strcmp(replay, "true") == 0;
	/* its party's time zone dates its acts: the day in Tokyo, not in UTC */
	struct party own;
	if (r == 0 && store_party_get(n->store, n->party, &own, NULL) == 0) {
		if (own.time_zone[0] && (r = node_zone_check(own.time_zone, e)) < 0)
			lerr_prefix(e, "party %s's time_zone", n->party); /* never UTC unsaid */
		else if ((n->clock.local = use_zone(own.time_zone)))
			r = node_clock_read(&n->clock, e);
	}
	if (r < 0) {
		node_close(n);
		return r;
	}
	*out = n;
	return 0;
}

int node_person_act(struct node *n, const char *who, struct lerr *e)
{
	struct party own;
	if (!n->operator|| node_party_get(n, n->party, &own, NULL) < 0 || !own.no_operator_acts)
		return 0;
	return lerr_set(e, LERR_FORBIDDEN,
			"this node of %s takes acts from its people's own tokens only "
			"(configuration: \"operator_acts\": false): %s acts through liaison serve "
			"(liaison login URL, or LIAISON_URL and LIAISON_TOKEN)",
			n->party, who);
}

void node_close(struct node *n)
{
	if (!n)
		return;
	store_close(n->store);
	node_cache_free(n->cache);
	free(n->scratch);
	free(n);
}

/* A read stretch, light or usual, with the cache pinned to its snapshot
 * (its generation g when given: a light stretch's, read elsewhere). */
static int read_begin(struct node *n, bool light, const struct store_gen *g, struct lerr *e)
{
	int r = light ? store_read_begin_light(n->store, e) : store_read_begin(n->store, e);
	if (r == 0 && g)
		store_generation_given(n->store, g);
	if (r == 0)
		node_cache_pin(n, true);
	return r;
}

int node_read_begin(struct node *n, struct lerr *e)
{
	return read_begin(n, false, NULL, e);
}

int node_read_begin_light(struct node *n, struct lerr *e)
{
	return read_begin(n, true, NULL, e);
}

int node_read_begin_light_at(struct node *n, const struct store_gen *g, struct lerr *e)
{
	return read_begin(n, true, g, e);
}

bool node_read_moved(const struct node *n)
{
	return store_read_moved(n->store);
}

bool node_generation_known(const struct node *n)
{
	return store_generation_known(n->store);
}

void node_read_end(struct node *n)
{
	node_cache_pin(n, false);
	store_read_end(n->store);
}

void node_store_shown(const char *where, char *out, size_t n)
{
	store_location_shown(where, out, n);
}

void node_hint_nearest(struct lerr *e, const char *word, const char *words, size_t stride, size_t n)
{
	const char *near = n ? text_nearest_in(word, words, stride, n) : NULL;
	size_t len = strlen(e->msg);
	if (near && strcmp(near, word) != 0)
		snprintf(e->msg + len, sizeof e->msg - len, "; did you mean \"%s\"?", near);
}
