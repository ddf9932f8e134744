/*
 * rekey.c - a party's keys over time: the node's own pair and the pairs it
 * retired (keys/PARTY-N.key and .pub, N from 1), a rotation (a new pair
 * vouched for by the old one, sent to the peers as a signed note), and the
 * keys a signature is checked with: the party's current key, or one it
 * retired, within what that key may still vouch for.
 *
 * A rotation survives a crash at any point: the new pair is written beside
 * the old (PARTY.next.key, .pub), the old one linked to its retired name,
 * the rotation committed to the store (the retired key, the log entry, the
 * notes to the peers), and only then the new pair renamed into place.
 * settle() finishes a committed rotation, or undoes one that was not.
 */
#include "node.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../crypto/fio.h"
#include "../log/note.h"
#include "../store/store.h"
#include "exchange.h"
#include "internal.h"
#include "items.h"
#include "keyfile.h"
#include "log.h"
#include "peer.h"

#define CTX_ROTATION	  "liaison-key-rotation/v1"
#define RETIRED_FILES_MAX 1000

/* home/keys/PARTY-i.ext (i > 0), or home/keys/PARTY.next.ext (i == 0). */
static int key_file(const struct node *n, unsigned i, const char *ext, char *buf, size_t size,
		    struct lerr *e)
{
	int w = i ? snprintf(buf, size, "%s/%s/%s-%u.%s", n->home, NODE_KEYS_DIR, n->party, i, ext)
		  : snprintf(buf, size, "%s/%s/%s.next.%s", n->home, NODE_KEYS_DIR, n->party, ext);
	if (w < 0 || (size_t)w >= size)
		return lerr_set(e, LERR_LIMIT, "node folder path is too long");
	return 0;
}

static bool exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

static void sync_keys_dir(const struct node *n)
{
	char dir[NODE_PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s/%s", n->home, NODE_KEYS_DIR);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int node_keys_lock(const char *home, struct lerr *e)
{
	return node_keys_lock_if(home, true, e);
}

int node_keys_lock_if(const char *home, bool wait, struct lerr *e)
{
	char dir[NODE_PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s/%s", home, NODE_KEYS_DIR);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) /* a folder that joined: made here */
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", dir, strerror(errno));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return lerr_set(e, LERR_IO, "%s: %s", dir, strerror(errno));
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0)
		if (errno == EWOULDBLOCK && !wait) {
			close(fd);
			return lerr_set(e, LERR_REFUSED, "%s: locked by another process", dir);
		} else if (errno != EINTR) {
			int err = errno;
			close(fd);
			return lerr_set(e, LERR_IO, "%s: cannot lock: %s", dir, strerror(err));
		}
	return fd;
}

/* The numbers N of the retired pairs' files keys/PARTY-N.key, in order. */
static int retired_numbers(const struct node *n, unsigned **out, size_t *count, struct lerr *e)
{
	char dir[NODE_PATH_MAX + 16];
	size_t pl = strlen(n->party);
	*out = NULL;
	*count = 0;
	snprintf(dir, sizeof dir, "%s/%s", n->home, NODE_KEYS_DIR);
	DIR *d = opendir(dir);
	if (!d)
		return lerr_set(e, LERR_IO, "%s: %s", dir, strerror(errno));
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(d)) != NULL) {
		const char *s = de->d_name;
		char *end;
		if (strncmp(s, n->party, pl) != 0 || s[pl] != '-' || s[pl + 1] < '1' ||
		    s[pl + 1] > '9')
			continue;
		unsigned long i = strtoul(s + pl + 1, &end, 10);
		if (strcmp(end, ".key") != 0 || i >= RETIRED_FILES_MAX)
			continue;
		unsigned *grown = realloc(*out, (*count + 1) * sizeof *grown);
		if (!grown)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
		else {
			*out = grown;
			size_t j = (*count)++;
			for (; j > 0 && grown[j - 1] > i; j--) /* kept in order */
				grown[j] = grown[j - 1];
			grown[j] = (unsigned)i;
		}
	}
	closedir(d);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	return r;
}

/* Whether p is among the party's retired keys (*k gets it). */
static int find_retired(struct node *n, const char *party, const uint8_t sign_pk[KEY_SIGN_PK],
			struct store_retired_key *k, struct lerr *e)
{
	struct store_retired_key *ks;
	size_t nk;
	int r = store_retired_keys(n->store, party, &ks, &nk, e);
	if (r < 0)
		return r;
	r = LERR_NOTFOUND;
	for (size_t i = 0; i < nk && r == LERR_NOTFOUND; i++)
		if (sodium_memcmp(ks[i].pub.sign_pk, sign_pk, KEY_SIGN_PK) == 0) {
			*k = ks[i];
			r = 0;
		}
	free(ks);
	return r;
}

/*
 * Under the lock: a rotation a crash interrupted. Committed (the key in
 * PARTY.pub is retired in the store) it is finished, the new files renamed
 * into place, the key's first; not committed, the new files and the
 * retired link it made are removed.
 */
static int settle_locked(struct node *n, struct lerr *e)
{
	char nk[NODE_PATH_MAX + 64], np[NODE_PATH_MAX + 64], ck[NODE_PATH_MAX + 64],
	    cp[NODE_PATH_MAX + 64];
	int r = key_file(n, 0, "key", nk, sizeof nk, e);
	if (r == 0)
		r = key_file(n, 0, "pub", np, sizeof np, e);
	if (r < 0 || (!exists(nk) && !exists(np)))
		return r;
	struct key_public cur;
	struct store_retired_key k;
	if ((r = node_key_path(n->home, n->party, "key", ck, sizeof ck, e)) < 0 ||
	    (r = node_key_path(n->home, n->party, "pub", cp, sizeof cp, e)) < 0 ||
	    (r = keyfile_public(cp, &cur, e)) < 0)
		return r;
	r = find_retired(n, n->party, cur.sign_pk, &k, e);
	if (r == 0) {
		if ((exists(nk) && rename(nk, ck) != 0) || (exists(np) && rename(np, cp) != 0))
			return lerr_set(e, LERR_IO, "finishing a key rotation: %s",
					strerror(errno));
		fprintf(stderr, "liaison: the key rotation an interruption left half done is "
				"finished: the new keys are in place\n");
	} else if (r == LERR_NOTFOUND) {
		/* the retired link made for it: the highest one, the current file's */
		unsigned *nums = NULL;
		size_t nn = 0;
		struct stat a, b;
		char lk[NODE_PATH_MAX + 64], lp[NODE_PATH_MAX + 64];
		if (retired_numbers(n, &nums, &nn, e) == 0 && nn &&
		    key_file(n, nums[nn - 1], "key", lk, sizeof lk, e) == 0 &&
		    key_file(n, nums[nn - 1], "pub", lp, sizeof lp, e) == 0 && stat(lk, &a) == 0 &&
		    stat(ck, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			(void)unlink(lp); /* the .key last: a lone .key is found, and skipped */
			(void)unlink(lk);
		}
		free(nums);
		(void)unlink(nk);
		(void)unlink(np);
		fprintf(stderr, "liaison: a key rotation an interruption left uncommitted is "
				"undone: the keys are the ones before it\n");
		r = 0;
	}
	sync_keys_dir(n);
	return r;
}

/* A rotation a crash interrupted, settled (settle_locked) under the lock. */
static int settle(struct node *n, struct lerr *e)
{
	char nk[NODE_PATH_MAX + 64], np[NODE_PATH_MAX + 64];
	int r = key_file(n, 0, "key", nk, sizeof nk, e);
	if (r == 0)
		r = key_file(n, 0, "pub", np, sizeof np, e);
	if (r < 0 || (!exists(nk) && !exists(np))) /* the usual case: no lock taken */
		return r;
	int lock = node_keys_lock(n->home, e);
	if (lock < 0)
		return lock;
	r = settle_locked(n, e);
	close(lock);
	return r;
}

int node_secret_key(struct node *n, const char *pass, size_t len, struct key_secret *k,
		    struct lerr *e)
{
	char path[NODE_PATH_MAX + 64];
	unsigned *nums = NULL;
	size_t nn = 0;
	memset(k, 0, sizeof *k);
	int r = settle(n, e);
	if (r == 0) /* a node on PostgreSQL: the keys as its database has them */
		r = node_keys_fetch(n, e);
	if (r == 0)
		r = node_key_path(n->home, n->party, "key", path, sizeof path, e);
	if (r == 0)
		r = keyfile_secret(path, pass, len, k, e);
	/* the public file is the secret's half: what checks the node's own
	 * signatures cannot be swapped apart from it (a folder or a database
	 * written by someone without the passphrase) */
	struct key_public pub;
	if (r == 0 && (r = node_public_key(n, n->party, &pub, e)) == 0 &&
	    !key_public_equal(&pub, &k->pub))
		r = lerr_set(e, LERR_INVAL, "keys/%s.pub is not the public half of keys/%s.key",
			     n->party, n->party);
	/* nor a pair it retired put back in use (a retired secret opens with the
	 * passphrase too: it is resealed with every change of it) */
	struct store_retired_key was;
	int fr = r == 0 ? find_retired(n, n->party, k->pub.sign_pk, &was, e) : LERR_NOTFOUND;
	if (fr == 0)
		r = lerr_set(e, LERR_INVAL,
			     "keys/%s.key holds a key this node retired on %s (%s): rotated "
			     "meanwhile (run the command again), or the folder or the database "
			     "was written by someone else; nothing was signed",
			     n->party, was.retired_on, was.how);
	else if (fr != LERR_NOTFOUND)
		r = fr;
	/* the pairs it retired, sealed under the same passphrase */
	if (r == 0)
		r = retired_numbers(n, &nums, &nn, e);
	for (size_t i = 0; r == 0 && i < nn; i++) {
		struct key_secret old, *grown;
		if ((r = key_file(n, nums[i], "key", path, sizeof path, e)) < 0 ||
		    (r = keyfile_secret(path, pass, len, &old, e)) < 0)
			break;
		if (key_public_equal(&old.pub, &k->pub)) { /* a link an undone rotation left */
			key_secret_free(&old);
			continue;
		}
		if (!(grown = realloc(k->retired, (k->nretired + 1) * sizeof *grown))) {
			key_secret_free(&old);
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		k->retired = grown;
		k->retired[k->nretired++] = old;
	}
	free(nums);
	if (r < 0)
		key_secret_free(k);
	return r;
}

int node_passphrase_change(struct node *n, const char *old, size_t oldlen, const char *pass,
			   size_t len, struct lerr *e)
{
	char path[NODE_PATH_MAX + 64];
	unsigned *nums = NULL;
	size_t nn = 0, done = 0;
	if (len == oldlen && sodium_memcmp(old, pass, len) == 0)
		return lerr_set(e, LERR_USAGE, "the new passphrase is the one the keys have");
	/* no rotation meanwhile, none left half done: every pair is resealed */
	int lock = node_keys_lock(n->home, e), r = lock < 0 ? lock : 0;
	uint8_t base[crypto_generichash_BYTES];
	bool in_store = node_payloads_in_store(n);
	if (r == 0 && (r = settle_locked(n, e)) == 0)
		r = retired_numbers(n, &nums, &nn, e);
	/* a node on PostgreSQL: the folder's keys must be the database's, and
	 * stay so until they are written back (base: what they are now) */
	if (r == 0 && in_store)
		r = node_keys_base(n->store, n->home, n->party, base, e);
	/* every pair under one passphrase: a failure puts back the old one on
	 * those sealed anew already */
	for (; r == 0 && done < nn; done++)
		if ((r = key_file(n, nums[done], "key", path, sizeof path, e)) < 0 ||
		    (r = keyfile_reseal(path, old, oldlen, pass, len, NULL, e)) < 0)
			break;
	if (r == 0 && (r = node_key_path(n->home, n->party, "key", path, sizeof path, e)) == 0)
		r = keyfile_reseal(path, old, oldlen, pass, len, NULL, e);
	/* a node on PostgreSQL: every pair into the database at once, or the
	 * current pair back under the old passphrase with the others */
	if (r == 0 && in_store) {
		uint8_t now[crypto_generichash_BYTES];
		struct lerr q = {0};
		if ((r = store_begin(n->store, e)) == 0 &&
		    ((r = node_keys_publish(n->store, n->home, n->party, false, base, e)) < 0 ||
		     (r = store_commit(n->store, e)) < 0))
			store_rollback(n->store);
		/* a commit said to fail that landed (a failover): the database has
		 * the new keys, which the folder keeps */
		if (r == LERR_STORE && node_keys_base(n->store, n->home, n->party, now, &q) == 0) {
			fprintf(stderr,
				"liaison: the change's commit was said to fail (%s), but it "
				"is in the database: the keys are under the new passphrase\n",
				e->msg);
			r = 0;
		}
		if (r < 0 && keyfile_reseal(path, pass, len, old, oldlen, NULL, &q) < 0)
			fprintf(stderr, "liaison: %s is left under the new passphrase: %s\n", path,
				q.msg);
	}
	for (size_t i = 0; r < 0 && i < done; i++) {
		struct lerr q = {0};
		if (key_file(n, nums[i], "key", path, sizeof path, &q) == 0 &&
		    keyfile_reseal(path, pass, len, old, oldlen, NULL, &q) < 0)
			fprintf(stderr, "liaison: %s is left under the new passphrase: %s\n", path,
				q.msg);
	}
	free(nums);
	if (lock >= 0)
		close(lock);
	if (r < 0)
		return r;
	if ((r = node_log_record(n, "node-passphrase-changed", json_object(), e)) < 0)
		lerr_prefix(e, "the keys are sealed under the new passphrase, but the change is "
			       "not logged");
	return r;
}

/* ---- the keys a signature is checked with ---- */

int node_signer_key(struct node *n, const char *party, const uint8_t sign_pk[KEY_SIGN_PK],
		    enum signer_use use, struct key_public *p, struct lerr *e)
{
	int r = node_public_key(n, party, p, e);
	if (r < 0 || sodium_memcmp(p->sign_pk, sign_pk, KEY_SIGN_PK) == 0)
		return r;
	struct store_retired_key k;
	if ((r = find_retired(n, party, sign_pk, &k, e)) == LERR_NOTFOUND)
		return 0; /* the current key: the check then says it is not the sender's */
	if (r < 0)
		return r;
	/* what arrives now may be signed by a key rotated in the routine way
	 * (sent before the peer learnt of it, and retried since) for a while,
	 * never by one retired otherwise */
	char fp[KEY_FINGERPRINT_MAX];
	date_t on;
	key_fingerprint(&k.pub, fp);
	if (use != SIGNER_STORED && strcmp(k.how, "rotated") != 0)
		return lerr_set(e, LERR_AUTH,
				"signed with a key of %s (%s) retired on %s as %s: nothing new "
				"it signs is taken",
				party, fp, k.retired_on, k.how);
	if (use == SIGNER_ARRIVING && (date_parse(k.retired_on, &on, NULL) < 0 ||
				       n->clock.today > on + NODE_ROTATED_GRACE_DAYS))
		return lerr_set(e, LERR_AUTH,
				"signed with a key of %s (%s) rotated on %s: it is taken %d days "
				"after, no longer",
				party, fp, k.retired_on, NODE_ROTATED_GRACE_DAYS);
	*p = k.pub;
	return 0;
}

int node_party_signed_check(struct node *n, const char *party, enum signer_use use, const char *ctx,
			    const char *text, const char *sig64, struct lerr *given)
{
	struct lerr quiet = {0}, *e = given ? given : &quiet; /* a caller may want no words */
	struct key_public pub;
	int r = node_public_key(n, party, &pub, e);
	if (r < 0 || (r = node_signed_check(&pub, ctx, text, sig64, party, e)) != LERR_AUTH)
		return r;
	/* signed before the party rotated its key, and sent since */
	struct lerr first = *e;
	struct store_retired_key *ks;
	size_t nk;
	bool signed_by_one = false; /* then its refusal is the answer */
	if (store_retired_keys(n->store, party, &ks, &nk, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < nk && !signed_by_one; i++) {
		struct lerr q = {0};
		if ((signed_by_one =
			 node_signed_check(&ks[i].pub, ctx, text, sig64, party, &q) == 0))
			r = node_signer_key(n, party, ks[i].pub.sign_pk, use, &pub, e);
	}
	free(ks);
	if (!signed_by_one)
		*e = first;
	return r;
}

int node_checkpoint_check(struct node *n, const char *party, const char *note, bool capped,
			  struct checkpoint *cp, struct lerr *given)
{
	struct lerr quiet = {0}, *e = given ? given : &quiet;
	char origin[NOTE_ORIGIN_MAX];
	struct key_public pub;
	node_log_origin(party, origin);
	int r = node_public_key(n, party, &pub, e);
	if (r < 0)
		return r;
	if ((r = checkpoint_verify(note, strlen(note), origin, pub.sign_pk, cp, e)) != LERR_AUTH)
		return r;
	struct lerr first = *e;
	struct store_retired_key *ks;
	size_t nk;
	if (store_retired_keys(n->store, party, &ks, &nk, e) < 0)
		return LERR_STORE;
	bool signed_by_one = false; /* then its refusal is the answer */
	r = LERR_AUTH;
	for (size_t i = 0; i < nk && !signed_by_one; i++) {
		struct lerr q = {0};
		if (checkpoint_verify(note, strlen(note), origin, ks[i].pub.sign_pk, cp, &q) < 0)
			continue;
		signed_by_one = true;
		char fp[KEY_FINGERPRINT_MAX];
		key_fingerprint(&ks[i].pub, fp);
		/* a compromised key vouches for no checkpoint that comes now (the ones
		 * kept before it was known stand); another up to the log it had */
		if (capped && strcmp(ks[i].how, "compromised") == 0)
			r = lerr_set(e, LERR_AUTH,
				     "checkpoint of %llu entries signed with %s's key %s, retired "
				     "as compromised on %s: no checkpoint it signs is taken now",
				     (unsigned long long)cp->size, party, fp, ks[i].retired_on);
		else if (capped && cp->size > ks[i].log_size)
			r = lerr_set(e, LERR_AUTH,
				     "checkpoint of %llu entries signed with %s's key %s, retired "
				     "(%s, on %s) when its log had %llu: that key vouches for no "
				     "more",
				     (unsigned long long)cp->size, party, fp, ks[i].how,
				     ks[i].retired_on, (unsigned long long)ks[i].log_size);
		else
			r = 0;
	}
	free(ks);
	if (!signed_by_one)
		*e = first;
	return r;
}

/* ---- rotation ---- */

/* The note's signed text: the canonical JSON of its fields. */
static char *rotation_text(json_t *o)
{
	return json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
}

/* The rotation note: the fields, signed by the old key and by the new. */
static int rotation_note(const struct key_secret *old, const struct key_secret *now, uint64_t size,
			 const char *day, bool compromised, char **out, size_t *n, struct lerr *e)
{
	char was[KEY_PUB_LINE_MAX], line[KEY_PUB_LINE_MAX];
	*out = NULL;
	int r = key_public_format(&old->pub, was, sizeof was, e);
	if (r == 0)
		r = key_public_format(&now->pub, line, sizeof line, e);
	if (r < 0)
		return r;
	was[strcspn(was, "\n")] = line[strcspn(line, "\n")] = '\0';
	json_t *f = json_pack("{s:s, s:s, s:s, s:I, s:s, s:b}", "party", old->pub.party, "retires",
			      was, "public_key", line, "log_size", (json_int_t)size, "date", day,
			      "compromised", compromised);
	char *text = f ? rotation_text(f) : NULL;
	json_decref(f);
	char *a = NULL, *b = NULL;
	size_t al, bl;
	if (!text)
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	if (r == 0)
		r = node_signed_json(old, CTX_ROTATION, "key_rotation", text, &a, &al, e);
	if (r == 0)
		r = node_signed_json(now, CTX_ROTATION, "key_rotation", text, &b, &bl, e);
	free(text);
	json_t *o = r == 0 ? json_loadb(a, al, 0, NULL) : NULL,
	       *p = r == 0 ? json_loadb(b, bl, 0, NULL) : NULL;
	free(a);
	free(b);
	if (r == 0 && (!o || !p || json_object_set(o, "proof", json_object_get(p, "signature"))))
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	char *s = r == 0 ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	json_decref(p);
	if (r == 0 && !s)
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	if (r < 0)
		return r;
	*n = strlen(s);
	*out = s;
	return 0;
}

/* The first message ref for a key note: the retired key's first 16 bytes, in hex. */
void node_key_ref(const struct key_public *p, char out[33])
{
	sodium_bin2hex(out, 33, p->sign_pk, 16);
}

/* Step 4: the old key retired, the notes queued, the rotation logged. */
static int rotation_commit(struct node *n, const struct key_secret *old,
			   const struct key_secret *now, bool compromised,
			   struct node_rotation *res, struct lerr *e)
{
	char day[DATE_BUF_SIZE];
	struct store_retired_key rk = {.pub = old->pub};
	struct store_retired_key *mine = NULL;
	struct store_peer *ps = NULL;
	size_t nmine = 0, np = 0;
	char *note = NULL;
	size_t nl = 0;
	date_format(n->clock.today, day);
	int r = store_begin(n->store, e);
	if (r < 0)
		return r;
	if ((r = store_log_size(n->store, &rk.log_size, e)) == 0 &&
	    (r = store_retired_keys(n->store, n->party, &mine, &nmine, e)) == 0 &&
	    (r = store_peer_list(n->store, &ps, &np, e)) == 0) {
		/* the pair in use since the last rotation, or since the node began */
		str_copy(rk.added_on, sizeof rk.added_on, nmine ? mine[0].retired_on : "");
		str_copy(rk.retired_on, sizeof rk.retired_on, day);
		str_copy(rk.how, sizeof rk.how, compromised ? "compromised" : "rotated");
		r = rotation_note(old, now, rk.log_size, day, compromised, &note, &nl, e);
	}
	free(mine);
	/* compromised: the pairs retired before sat beside it, under the same
	 * passphrase, and are taken to be in other hands too */
	if (r == 0 && compromised)
		r = store_retired_keys_compromised(n->store, n->party, e);
	if (r == 0)
		r = store_retired_key_put(n->store, &rk, e);
	json_t *msgs = json_array();
	for (size_t i = 0; r == 0 && i < np; i++) {
		struct store_msg m = {.body = note, .body_len = nl};
		node_msg_id(m.id);
		str_copy(m.peer, sizeof m.peer, ps[i].party);
		str_copy(m.kind, sizeof m.kind, "key");
		node_key_ref(&old->pub, m.ref);
		peer_digest(note, nl, m.digest);
		str_copy(m.created_on, sizeof m.created_on, day);
		if ((r = store_outbox_add(n->store, &m, e)) == 0)
			json_array_append_new(msgs, json_string(m.id));
	}
	free(ps);
	res->log_size = rk.log_size;
	res->peers = np;
	key_fingerprint(&old->pub, res->old_fingerprint);
	key_fingerprint(&now->pub, res->fingerprint);
	res->note = note;
	res->note_len = nl;
	if (r < 0) {
		json_decref(msgs);
		store_rollback(n->store);
		return r;
	}
	char line[KEY_PUB_LINE_MAX];
	if (key_public_format(&now->pub, line, sizeof line, e) < 0) {
		json_decref(msgs);
		store_rollback(n->store);
		return LERR_LIMIT;
	}
	line[strcspn(line, "\n")] = '\0';
	/* a node on PostgreSQL: the new pair is the database's with the commit */
	if ((r = node_keys_publish(n->store, n->home, n->party, true, NULL, e)) < 0) {
		json_decref(msgs);
		store_rollback(n->store);
		return r;
	}
	return node_log_commit(n, "key-rotated",
			       json_pack("{s:s, s:s, s:s, s:I, s:b, s:o}", "retired",
					 res->old_fingerprint, "fingerprint", res->fingerprint,
					 "key", line, "log_size", (json_int_t)rk.log_size,
					 "compromised", compromised, "messages", msgs),
			       e);
}

/* Gives path to the owner of the file it replaces (as store passphrase run
 * by root does). */
static int same_owner(const char *path, const struct stat *was, struct lerr *e)
{
	if ((was->st_uid != geteuid() || was->st_gid != getegid()) &&
	    chown(path, was->st_uid, was->st_gid) != 0)
		return lerr_set(e, LERR_IO, "%s: cannot give it to uid %u: %s", path,
				(unsigned)was->st_uid, strerror(errno));
	return 0;
}

int node_key_rotate(struct node *n, const char *pass, size_t len, bool compromised,
		    struct node_rotation *res, struct lerr *e)
{
	char ck[NODE_PATH_MAX + 64], cp[NODE_PATH_MAX + 64], nk[NODE_PATH_MAX + 64],
	    np[NODE_PATH_MAX + 64], lk[NODE_PATH_MAX + 64] = "", lp[NODE_PATH_MAX + 64] = "";
	struct key_secret old = {0}, now = {0};
	struct key_kdf kdf;
	struct stat ks, ps;
	char *text = NULL, line[KEY_PUB_LINE_MAX];
	size_t tn = 0, nn = 0;
	unsigned *nums = NULL;
	memset(res, 0, sizeof *res);
	/* one rotation at a time, and nothing settles it while it runs */
	int lock = node_keys_lock(n->home, e);
	if (lock < 0)
		return lock;
	int r = settle_locked(n, e);
	if (r == 0 && (r = node_key_path(n->home, n->party, "key", ck, sizeof ck, e)) == 0 &&
	    (r = node_key_path(n->home, n->party, "pub", cp, sizeof cp, e)) == 0 &&
	    (r = key_file(n, 0, "key", nk, sizeof nk, e)) == 0)
		r = key_file(n, 0, "pub", np, sizeof np, e);
	if (r == 0 && (stat(ck, &ks) != 0 || stat(cp, &ps) != 0))
		r = lerr_set(e, LERR_IO, "%s: %s", ck, strerror(errno));
	/* the old pair opens with this passphrase; the new is sealed as it was */
	if (r == 0 && (r = keyfile_secret(ck, pass, len, &old, e)) == 0 &&
	    (r = fio_read_file(ck, KEY_FILE_MAX, &text, &tn, e)) == 0) {
		r = key_secret_kdf(text, &kdf, e);
		sodium_memzero(text, tn);
		free(text);
		text = NULL;
	}
	if (r == 0)
		r = key_generate(n->party, &now, e);
	if (r == 0)
		r = key_secret_seal(&now, pass, len, &kdf, &text, &tn, e);
	if (r == 0)
		r = key_public_format(&now.pub, line, sizeof line, e);
	/* 2: the new pair beside the old, the secret first, owned as the old */
	if (r == 0 && (r = fio_write_file(nk, text, tn, 0600, false, e)) == 0 &&
	    (r = same_owner(nk, &ks, e)) == 0 &&
	    (r = fio_write_file(np, line, strlen(line), 0644, false, e)) == 0)
		r = same_owner(np, &ps, e);
	/* 3: the old pair under its retired name, after the last one */
	if (r == 0 && (r = retired_numbers(n, &nums, &nn, e)) == 0 && nn &&
	    nums[nn - 1] + 1 >= RETIRED_FILES_MAX)
		r = lerr_set(e, LERR_LIMIT, "%d keys retired already", RETIRED_FILES_MAX - 1);
	if (r == 0 && (r = key_file(n, nn ? nums[nn - 1] + 1 : 1, "key", lk, sizeof lk, e)) == 0 &&
	    (r = key_file(n, nn ? nums[nn - 1] + 1 : 1, "pub", lp, sizeof lp, e)) == 0) {
		if (link(ck, lk) != 0) {
			r = lerr_set(e, LERR_IO, "%s: %s", lk, strerror(errno));
			lk[0] = lp[0] = '\0';
		} else if (link(cp, lp) != 0) {
			r = lerr_set(e, LERR_IO, "%s: %s", lp, strerror(errno));
			lp[0] = '\0';
		}
		sync_keys_dir(n);
	} else
		lk[0] = lp[0] = '\0';
	free(nums);
	/* 4: committed; 5: the new pair in place */
	if (r == 0 && (r = rotation_commit(n, &old, &now, compromised, res, e)) < 0) {
		/* a commit said to fail may have landed (a connection lost before
		 * PostgreSQL's answer): what the store holds decides, as in settle */
		struct store_retired_key k;
		struct lerr q = {0};
		if (find_retired(n, n->party, old.pub.sign_pk, &k, &q) == 0) {
			fprintf(stderr,
				"liaison: the rotation's commit was said to fail (%s), but it "
				"is in the store: the new keys go in place\n",
				e->msg);
			r = 0;
		}
	}
	if (r == 0) {
		if (rename(nk, ck) != 0 || rename(np, cp) != 0)
			r = lerr_set(e, LERR_IO,
				     "the rotation is committed, but the new keys are not in place "
				     "(%s); any command that unseals the keys finishes it",
				     strerror(errno));
	} else { /* undone: what it made removed (settle_locked left no next files) */
		if (lp[0])
			(void)unlink(lp);
		if (lk[0])
			(void)unlink(lk);
		(void)unlink(nk);
		(void)unlink(np);
	}
	sync_keys_dir(n);
	close(lock);
	if (text) {
		sodium_memzero(text, tn);
		free(text);
	}
	key_secret_free(&old);
	key_secret_free(&now);
	return r;
}

void node_rotation_free(struct node_rotation *res)
{
	free(res->note);
	res->note = NULL;
}

/* ---- a peer's rotation ---- */

int node_key_note_take(struct node *n, const char *from, const char *text, size_t len,
		       struct node_rotation *res, struct lerr *e)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), *f = NULL;
	const char *party, *retires, *line, *date, *sig64, *proof64;
	json_int_t size = -1;
	int compromised = 0, r = 0;
	memset(res, 0, sizeof *res);
	if (!root ||
	    json_unpack_ex(root, &je, JSON_STRICT, "{s:o, s:s, s:s}", "key_rotation", &f,
			   "signature", &sig64, "proof", &proof64) != 0 ||
	    json_unpack_ex(f, &je, JSON_STRICT, "{s:s, s:s, s:s, s:I, s:s, s:b}", "party", &party,
			   "retires", &retires, "public_key", &line, "log_size", &size, "date",
			   &date, "compromised", &compromised) != 0) {
		json_decref(root);
		return lerr_set(e, LERR_INVAL, "not a key rotation note: %s", je.text);
	}
	struct key_public was, now, cur;
	date_t day;
	char *signed_text = NULL;
	if (strcmp(party, from) != 0)
		r = lerr_set(e, LERR_REFUSED,
			     "a key note speaks for its sender: it names %.32s, "
			     "and %s sent it",
			     party, from);
	else if (key_public_parse(retires, &was, e) < 0)
		r = lerr_prefix(e, "key note: retires");
	else if (key_public_parse(line, &now, e) < 0)
		r = lerr_prefix(e, "key note: public_key");
	else if (strcmp(was.party, from) != 0 || strcmp(now.party, from) != 0)
		r = lerr_set(e, LERR_INVAL, "key note: its keys are not %s's", from);
	else if (date_parse(date, &day, e) < 0)
		r = lerr_prefix(e, "key note: date");
	else if (day > n->clock.today + 1)
		r = lerr_set(e, LERR_INVAL, "key note: dated %s, after this node's today", date);
	else if (size < 0)
		r = lerr_set(e, LERR_INVAL, "key note: log_size is negative");
	else if (strcmp(from, n->party) == 0)
		r = lerr_set(e, LERR_INVAL, "key note: that is this node's own party (%s)", from);
	char ref[33];
	if (r == 0 && n->receiving) { /* a message's ref names the key the note retires */
		node_key_ref(&was, ref);
		if (strcmp(ref, n->receiving->ref) != 0)
			r = lerr_set(e, LERR_INVAL,
				     "message %s names %.64s, not the key the note retires (%s)",
				     n->receiving->id, n->receiving->ref, ref);
	}
	if (r == 0 && !(signed_text = rotation_text(f)))
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	/* vouched for by the key this node holds for the party, and made by the new one */
	if (r == 0)
		r = store_begin(n->store, e);
	if (r < 0) {
		free(signed_text);
		json_decref(root);
		return r;
	}
	key_fingerprint(&was, res->old_fingerprint);
	key_fingerprint(&now, res->fingerprint);
	res->log_size = (uint64_t)size;
	if ((r = store_party_key_get(n->store, from, &cur, e)) == 0 && key_public_equal(&cur, &now))
		r = 1; /* taken before: nothing to do */
	else if (r == 0 && !key_public_equal(&cur, &was))
		r = lerr_set(e, LERR_REFUSED,
			     "%s's key note retires %s, which is not the key this node holds "
			     "for it: refused (compare fingerprints with %s's operator)",
			     from, res->old_fingerprint, from);
	else if (r == 0 &&
		 (r = node_signed_check(&cur, CTX_ROTATION, signed_text, sig64, from, e)) < 0)
		lerr_prefix(e, "key note: the retired key's signature");
	else if (r == 0 &&
		 (r = node_signed_check(&now, CTX_ROTATION, signed_text, proof64, from, e)) < 0)
		lerr_prefix(e, "key note: the new key's proof");
	free(signed_text);
	struct store_retired_key rk = {.pub = cur, .log_size = (uint64_t)size};
	if (r == 0) {
		str_copy(rk.retired_on, sizeof rk.retired_on, date);
		str_copy(rk.how, sizeof rk.how, compromised ? "compromised" : "rotated");
		if ((r = store_party_key_added(n->store, from, rk.added_on, e)) == 0 &&
		    (!compromised ||
		     (r = store_retired_keys_compromised(n->store, from, e)) == 0) &&
		    (r = store_retired_key_put(n->store, &rk, e)) == 0)
			r = store_party_key_put(n->store, &now, date, e);
	}
	if (r != 0) {
		store_rollback(n->store);
		json_decref(root);
		return r;
	}
	json_t *facts =
	    json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:O}", "party", from, "retired",
		      res->old_fingerprint, "fingerprint", res->fingerprint, "key", line,
		      "log_size", (json_int_t)size, "compromised", compromised, "note", root);
	json_decref(root);
	return node_log_commit(n, "party-key-rotated", facts, e);
}

int node_party_keys(struct node *n, const char *party, struct key_public *cur,
		    struct store_retired_key **retired, size_t *count, struct lerr *e)
{
	*retired = NULL;
	*count = 0;
	int r = node_public_key(n, party, cur, e);
	if (r == LERR_NOTFOUND)
		memset(cur, 0, sizeof *cur);
	else if (r < 0)
		return r;
	return store_retired_keys(n->store, party, retired, count, e);
}
