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

int node_keys_publish(struct store *s, const char *home, const char *party, bool next_is_current,
		      struct lerr *e)
{
	char dir[NODE_PATH_MAX + 16];
	char(*names)[STORE_PAYLOAD_NAME] = NULL;
	size_t nn = 0;
	if (!store_keeps_payloads(s))
		return 0;
	snprintf(dir, sizeof dir, "%s/%s", home, NODE_KEYS_DIR);
	DIR *d = opendir(dir);
	if (!d)
		return lerr_set(e, LERR_IO, "%s: %s", dir, strerror(errno));
	struct dirent *de;
	int r = 0;
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

int node_keys_fetch(struct node *n, struct lerr *e)
{
	struct store_payload *ps = NULL;
	size_t np = 0;
	if (!node_payloads_in_store(n))
		return 0;
	int r = store_payloads(n->store, KEYS_PREFIX, &ps, &np, e);
	if (r == 0 && np == 0) { /* a node moved before its keys were kept there */
		free(ps);
		return node_keys_publish(n->store, n->home, n->party, false, e);
	}
	char dir[NODE_PATH_MAX + 16], tmp[NODE_PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s/%s", n->home, NODE_KEYS_DIR);
	snprintf(tmp, sizeof tmp, "%s/tmp", n->home);
	if (r == 0 && mkdir(dir, 0700) != 0 && errno != EEXIST)
		r = lerr_set(e, LERR_IO, "%s: cannot create: %s", dir, strerror(errno));
	if (r == 0 && mkdir(tmp, 0700) != 0 && errno != EEXIST)
		r = lerr_set(e, LERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
	struct stat owner;
	bool chown_to = r == 0 && geteuid() == 0 && stat(dir, &owner) == 0 && owner.st_uid != 0;
	for (size_t i = 0; r == 0 && i < np; i++) {
		const char *file = ps[i].name + strlen(KEYS_PREFIX);
		bool next;
		char path[NODE_PATH_MAX + 128], buf[KEY_FILE_MAX];
		if (!key_file_name(file, n->party, &next) || next || ps[i].size > sizeof buf)
			continue; /* not one of the party's key files: never written */
		int fd = fio_scratch(tmp, e);
		if (fd < 0) {
			r = fd;
			break;
		}
		ssize_t got = 0;
		if ((r = store_payload_get(n->store, ps[i].name, fd, NULL, e)) == 0 &&
		    (lseek(fd, 0, SEEK_SET) != 0 || (got = fio_read_full(fd, buf, sizeof buf)) < 0))
			r = lerr_set(e, LERR_IO, "%s: cannot read back: %s", ps[i].name,
				     strerror(errno));
		close(fd);
		snprintf(path, sizeof path, "%s/%s", dir, file);
		bool secret = strcmp(file + strlen(file) - 4, ".key") == 0;
		if (r == 0 && !same_file(path, buf, (size_t)got) &&
		    (r = fio_write_file(path, buf, (size_t)got, secret ? 0600 : 0644, true, e)) ==
			0 &&
		    chown_to && chown(path, owner.st_uid, owner.st_gid) != 0)
			r = lerr_set(e, LERR_IO, "%s: cannot give it to uid %u: %s", path,
				     (unsigned)owner.st_uid, strerror(errno));
		sodium_memzero(buf, sizeof buf);
	}
	free(ps);
	return r < 0 ? lerr_prefix(e, "the keys from the database") : 0;
}
