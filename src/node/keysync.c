/*
 * keysync.c - a node on PostgreSQL keeps its sealed keys in the database
 * too, so that a daemon on another machine needs nothing but the
 * database's URL and the passphrase.
 *
 * The database holds the truth: payloads "keys/FILE", one for each of the
 * party's key files (PARTY.key, PARTY.pub, and the retired PARTY-N.key and
 * .pub). Every act that changes the key files writes them there in the
 * same transaction as its store rows (init, rotation, a new passphrase);
 * the folder's keys/ is a copy, brought up to date from the database
 * (node_keys_fetch) when the node is opened. The secrets stay sealed with
 * the passphrase in both places.
 */
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

#include <sodium.h>

#include "../crypto/fio.h"
#include "../store/store.h"
#include "internal.h"
#include "items.h"

#define KEYS_PREFIX NODE_KEYS_DIR "/"

/*
 * Whether name (a file in keys/) is one of party's key files: PARTY.key,
 * PARTY.pub, PARTY-N.key, PARTY-N.pub; *next: PARTY.next.key or .pub (a
 * rotation under way), which is one only when next is asked for.
 */
static bool key_file_name(const char *name, const char *party, bool *next)
{
	size_t pl = strlen(party);
	*next = false;
	if (strncmp(name, party, pl) != 0)
		return false;
	const char *s = name + pl;
	if (s[0] == '-') {
		size_t d = strspn(s + 1, "0123456789");
		if (d == 0 || d > 3 || s[1] == '0')
			return false;
		s += 1 + d;
	} else if (strncmp(s, ".next", 5) == 0) {
		*next = true;
		s += 5;
	}
	return strcmp(s, ".key") == 0 || strcmp(s, ".pub") == 0;
}

/* Whether the payload name (keys/FILE) is in the list. */
static bool among(char (*names)[STORE_PAYLOAD_NAME], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Whether the file at path holds exactly the len bytes at p. */
static bool same_file(const char *path, const char *p, size_t len)
{
	char *have = NULL;
	size_t hn = 0;
	bool same = fio_read_file(path, KEY_FILE_MAX, &have, &hn, NULL) == 0 && hn == len &&
		    sodium_memcmp(have, p, len) == 0;
	if (have) {
		sodium_memzero(have, hn);
		free(have);
	}
	return same;
}

/* One of the party's key files as the database holds it. */
struct kfile {
	char file[STORE_PAYLOAD_NAME]; /* its name in keys/ */
	char buf[KEY_FILE_MAX];
	size_t len;
};

static void kfiles_free(struct kfile *k, size_t n)
{
	if (k)
		sodium_memzero(k, n * sizeof *k);
	free(k);
}

/* The small payload `name` (a key file) into buf, through a nameless file in
 * home/tmp; *got: its size. */
static int read_small(struct store *s, const char *home, const char *name, char *buf, size_t size,
		      size_t *got, struct lerr *e)
{
	char tmp[NODE_PATH_MAX + 16];
	snprintf(tmp, sizeof tmp, "%s/tmp", home);
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
	int fd = fio_scratch(tmp, e);
	if (fd < 0)
		return fd;
	uint64_t n = 0;
	int r = store_payload_get(s, name, fd, &n, e);
	if (r == 0 && n > size)
		r = lerr_set(e, LERR_LIMIT, "%s: %llu bytes, more than a key file's", name,
			     (unsigned long long)n);
	else if (r == 0 && (lseek(fd, 0, SEEK_SET) != 0 || fio_read_full(fd, buf, n) != (ssize_t)n))
		r = lerr_set(e, LERR_IO, "%s: cannot read back: %s", name, strerror(errno));
	close(fd);
	*got = (size_t)n;
	return r;
}

/* The party's key files in the database, by name, from one snapshot (the
 * open transaction's, or a read of their own), into *out (kfiles_free). */
static int kfiles_read(struct store *s, const char *home, const char *party, struct kfile **out,
		       size_t *count, struct lerr *e)
{
	struct store_payload *ps = NULL;
	struct kfile *k = NULL;
	size_t np = 0, n = 0;
	bool own = !store_in_transaction(s);
	*out = NULL;
	*count = 0;
	int r = own ? store_read_begin(s, e) : 0;
	if (r == 0)
		r = store_payloads(s, KEYS_PREFIX, &ps, &np, e);
	if (r == 0 && np && !(k = calloc(np, sizeof *k)))
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < np; i++) {
		const char *file = ps[i].name + strlen(KEYS_PREFIX);
		bool next;
		if (!key_file_name(file, party, &next) || next || strlen(file) > 64)
			continue; /* not one of the party's key files: never written */
		str_copy(k[n].file, sizeof k[n].file, file);
		if ((r = read_small(s, home, ps[i].name, k[n].buf, sizeof k[n].buf, &k[n].len,
				    e)) == 0)
			n++;
	}
	if (own)
		store_read_end(s);
	free(ps);
	if (r < 0) {
		kfiles_free(k, np);
		return r;
	}
	*out = k;
	*count = n;
	return 0;
}

/* The files' digest: each name, length and bytes, in name order. */
static void kfiles_digest(const struct kfile *k, size_t n, uint8_t out[crypto_generichash_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, crypto_generichash_BYTES);
	for (size_t i = 0; i < n; i++) {
		uint8_t len[8];
		for (size_t b = 0; b < 8; b++)
			len[b] = (uint8_t)((uint64_t)k[i].len >> (8 * b));
		crypto_generichash_update(&st, (const uint8_t *)k[i].file, strlen(k[i].file) + 1);
		crypto_generichash_update(&st, len, sizeof len);
		crypto_generichash_update(&st, (const uint8_t *)k[i].buf, k[i].len);
	}
	crypto_generichash_final(&st, out, crypto_generichash_BYTES);
}

/* The digest of the database's key files; with `compare`, LERR_REFUSED
 * unless the folder holds each of them byte for byte. */
static int keys_state(struct store *s, const char *home, const char *party, bool compare,
		      uint8_t digest[crypto_generichash_BYTES], struct lerr *e)
{
	struct kfile *k = NULL;
	size_t n = 0;
	int r = kfiles_read(s, home, party, &k, &n, e);
	for (size_t i = 0; r == 0 && compare && i < n; i++) {
		char path[NODE_PATH_MAX + 128];
		snprintf(path, sizeof path, "%s/%s/%s", home, NODE_KEYS_DIR, k[i].file);
		if (!same_file(path, k[i].buf, k[i].len))
			r = lerr_set(
			    e, LERR_REFUSED,
			    "the node's keys in the database changed since this folder "
			    "took them (%s: a rotation or a new passphrase made on another "
			    "machine meanwhile); nothing was changed: run the command "
			    "again",
			    k[i].file);
	}
	if (r == 0)
		kfiles_digest(k, n, digest);
	kfiles_free(k, n);
	return r;
}

int node_keys_base(struct store *s, const char *home, const char *party,
		   uint8_t digest[crypto_generichash_BYTES], struct lerr *e)
{
	return keys_state(s, home, party, true, digest, e);
}

int node_keys_publish(struct store *s, const char *home, const char *party, bool next_is_current,
		      const uint8_t *base, struct lerr *e)
{
	char dir[NODE_PATH_MAX + 16];
	char(*names)[STORE_PAYLOAD_NAME] = NULL;
	size_t nn = 0;
	uint8_t now[crypto_generichash_BYTES];
	if (!store_keeps_payloads(s))
		return 0;
	/* the database's keys as this folder took them: every byte the same
	 * (a rotation: its old pair still in place), or as they were before
	 * the folder changed them (a new passphrase: base) */
	int r = keys_state(s, home, party, base == NULL, now, e);
	if (r == 0 && base && sodium_memcmp(now, base, sizeof now) != 0)
		r = lerr_set(e, LERR_REFUSED,
			     "the node's keys in the database changed since this folder took them "
			     "(a rotation or a new passphrase made on another machine meanwhile); "
			     "nothing was changed: run the command again");
	if (r < 0)
		return r;
	snprintf(dir, sizeof dir, "%s/%s", home, NODE_KEYS_DIR);
	DIR *d = opendir(dir);
	if (!d)
		return lerr_set(e, LERR_IO, "%s: %s", dir, strerror(errno));
	struct dirent *de;
	while (r == 0 && (de = readdir(d)) != NULL) {
		bool next;
		char path[NODE_PATH_MAX + 300], name[STORE_PAYLOAD_NAME];
		size_t pl = strlen(party);
		if (!key_file_name(de->d_name, party, &next) || strlen(de->d_name) > 64)
			continue;
		/* a rotation committing: its new pair is the current one */
		if (next && !next_is_current)
			continue;
		if (next_is_current && !next && de->d_name[pl] == '.')
			continue; /* the pair it replaces: PARTY.next.* stands for it */
		snprintf(name, sizeof name, "%s%s%s", KEYS_PREFIX, party,
			 next ? de->d_name + pl + 5 : de->d_name + pl);
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = lerr_set(e, LERR_IO, "%s: %s", path, strerror(errno));
			break;
		}
		r = store_payload_put(s, name, fd, true, (int64_t)time(NULL), NULL, e);
		close(fd);
		char(*grown)[STORE_PAYLOAD_NAME] = realloc(names, (nn + 1) * sizeof *names);
		if (r == 0 && !grown)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
		else if (grown) {
			names = grown;
			memcpy(names[nn++], name, sizeof name);
		}
	}
	closedir(d);
	/* what the folder no longer holds (an undone rotation's link) goes too */
	struct store_payload *ps = NULL;
	size_t np = 0;
	if (r == 0)
		r = store_payloads(s, KEYS_PREFIX, &ps, &np, e);
	for (size_t i = 0; r == 0 && i < np; i++)
		if (!among(names, nn, ps[i].name))
			r = store_payload_remove(s, ps[i].name, e);
	free(ps);
	free(names);
	return r < 0 ? lerr_prefix(e, "the keys into the database") : 0;
}

/* node_keys_fetch, holding the lock. */
static int fetch_locked(struct node *n, struct lerr *e)
{
	struct kfile *k = NULL;
	size_t nk = 0;
	int r = kfiles_read(n->store, n->home, n->party, &k, &nk, e);
	if (r == 0 && nk == 0) { /* a node moved before its keys were kept there: all at once */
		if ((r = store_begin(n->store, e)) == 0 &&
		    ((r = node_keys_publish(n->store, n->home, n->party, false, NULL, e)) < 0 ||
		     (r = store_commit(n->store, e)) < 0))
			store_rollback(n->store);
		return r;
	}
	char dir[NODE_PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s/%s", n->home, NODE_KEYS_DIR);
	struct stat owner;
	bool chown_to = r == 0 && geteuid() == 0 && stat(dir, &owner) == 0 && owner.st_uid != 0;
	for (size_t i = 0; r == 0 && i < nk; i++) {
		char path[NODE_PATH_MAX + 128];
		const char *file = k[i].file;
		bool secret = strcmp(file + strlen(file) - 4, ".key") == 0;
		snprintf(path, sizeof path, "%s/%s", dir, file);
		if (!same_file(path, k[i].buf, k[i].len) &&
		    (r = fio_write_file(path, k[i].buf, k[i].len, secret ? 0600 : 0644, true, e)) ==
			0 &&
		    chown_to && chown(path, owner.st_uid, owner.st_gid) != 0)
			r = lerr_set(e, LERR_IO, "%s: cannot give it to uid %u: %s", path,
				     (unsigned)owner.st_uid, strerror(errno));
	}
	kfiles_free(k, nk);
	return r;
}

/* The keys from the database, under the keys' lock (waiting for it, or not). */
static int fetch(struct node *n, bool wait, struct lerr *e)
{
	if (!node_payloads_in_store(n))
		return 0;
	int lock = node_keys_lock_if(n->home, wait, e);
	if (lock == LERR_REFUSED && !wait)
		return 0; /* a key change under way: the next turn */
	if (lock < 0)
		return lock;
	int r = fetch_locked(n, e);
	close(lock);
	return r < 0 ? lerr_prefix(e, "the keys from the database") : 0;
}

int node_keys_fetch(struct node *n, struct lerr *e)
{
	return fetch(n, true, e);
}

int node_keys_fetch_now(struct node *n, struct lerr *e)
{
	return fetch(n, false, e);
}
