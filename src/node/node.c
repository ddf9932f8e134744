/* node.c - the node's folder, store and clock (see node.h). */
#include "node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../store/store.h"
#include "internal.h"
#include "keyfile.h"
#include "log.h"

int node_clock_read(struct node_clock *c, struct lerr *e)
{
	const char *now = getenv("LIAISON_NOW");
	memset(c, 0, sizeof *c);
	if (now && now[0]) {
		if (date_parse(now, &c->today, e) < 0)
			return lerr_prefix(e, "LIAISON_NOW");
		c->simulated = true;
		return 0;
	}
	time_t t = time(NULL);
	struct tm tm;
	if (t == (time_t)-1 || !gmtime_r(&t, &tm))
		return lerr_set(e, LERR_IO, "cannot read the system clock");
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &c->today, e);
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

/* The log's first entry: the node, with its public key. */
static int log_init(const char *path, const char *home, const char *party,
		    const struct node_clock *clock, struct lerr *e)
{
	char pub[NODE_PATH_MAX + 64], line[KEY_PUB_LINE_MAX];
	struct key_public p;
	struct store *s;
	int r = node_key_path(home, party, "pub", pub, sizeof pub, e);
	if (r == 0)
		r = keyfile_public(pub, &p, e);
	if (r == 0)
		r = key_public_format(&p, line, sizeof line, e);
	if (r < 0 || (r = store_open(path, false, &s, e)) < 0)
		return r;
	line[strcspn(line, "\n")] = '\0';
	if ((r = store_begin(s, e)) == 0) {
		r = node_log_append_to(s, party, clock, "node-init",
				       json_pack("{s:s}", "key", line), NULL, e);
		if (r == 0)
			r = store_commit(s, e);
		else
			store_rollback(s);
	}
	store_close(s);
	return r;
}

int node_init(const char *home, const char *party, const char *pass, size_t len, struct lerr *e)
{
	char path[NODE_PATH_MAX + 16];
	struct stat sb;
	if (party_code_check(party, e) < 0)
		return lerr_prefix(e, "--party");
	if (db_path(home, path, sizeof path, e) < 0)
		return e ? e->code : LERR_LIMIT;
	if (stat(path, &sb) == 0)
		return lerr_set(e, LERR_EXISTS, "%s already holds a node", home);
	if (mkdir(home, 0700) != 0 && errno != EEXIST)
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", home, strerror(errno));
	if (stat(home, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return lerr_set(e, LERR_IO, "%s is not a folder", home);

	struct node_clock clock;
	if (node_clock_read(&clock, e) < 0)
		return e ? e->code : LERR_INVAL;
	struct store *s;
	if (store_open(path, true, &s, e) < 0) {
		remove_store(path);
		return e ? e->code : LERR_STORE;
	}
	char today[DATE_BUF_SIZE];
	int r = store_begin(s, e);
	if (r == 0)
		r = store_meta_set(s, "party", party, e);
	if (r == 0)
		r = store_meta_set(s, "created", date_format(clock.today, today), e);
	if (r == 0)
		r = store_commit(s, e);
	else
		store_rollback(s);
	store_close(s);
	if (r == 0)
		r = make_keys(home, party, pass, len, e);
	if (r == 0)
		r = log_init(path, home, party, &clock, e);
	if (r == 0)
		(void)chmod(path, 0600);
	else
		remove_store(path);
	return r;
}

int node_secret_key(struct node *n, const char *pass, size_t len, struct key_secret *k,
		    struct lerr *e)
{
	char path[NODE_PATH_MAX + 64];
	if (node_key_path(n->home, n->party, "key", path, sizeof path, e) < 0)
		return LERR_LIMIT;
	return keyfile_secret(path, pass, len, k, e);
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

int node_party_key_add(struct node *n, const char *party_code, const char *file,
		       struct key_public *p, struct lerr *e)
{
	int r = keyfile_public(file, p, e);
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
	char today[DATE_BUF_SIZE];
	char line[KEY_PUB_LINE_MAX];
	if ((r = store_party_key_put(n->store, p, date_format(n->clock.today, today), e)) < 0 ||
	    (r = key_public_format(p, line, sizeof line, e)) < 0) {
		store_rollback(n->store);
		return r;
	}
	line[strcspn(line, "\n")] = '\0';
	return node_log_commit(n, "party-key", json_pack("{s:s}", "key", line), e);
}

int node_open(const char *home, struct node **out, struct lerr *e)
{
	char path[NODE_PATH_MAX + 16];
	*out = NULL;
	struct node *n = calloc(1, sizeof *n);
	if (!n || !(n->cache = node_cache_new())) {
		free(n);
		return lerr_set(e, LERR_NOMEM, "out of memory");
	}
	int r = 0;
	if (!str_copy(n->home, sizeof n->home, home) || db_path(home, path, sizeof path, e) < 0)
		r = lerr_set(e, LERR_LIMIT, "node folder path is too long");
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
	if (r < 0) {
		node_close(n);
		return r;
	}
	*out = n;
	return 0;
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

int node_read_begin(struct node *n, struct lerr *e)
{
	int r = store_read_begin(n->store, e);
	if (r == 0)
		node_cache_pin(n, true);
	return r;
}

void node_read_end(struct node *n)
{
	node_cache_pin(n, false);
	store_read_end(n->store);
}
