/* hasher.c - the content hash, and a hashing thread fed with byte ranges (see hasher.h). */
#include "hasher.h"

#include <blake3.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* BLAKE3 picks its vector code on first use, in a global it sets without
 * atomics: once, before any thread hashes, so that hashers do not race. */
static pthread_once_t blake3_ready = PTHREAD_ONCE_INIT;

static void blake3_start(void)
{
	blake3_hasher h;
	uint8_t out[CHASH_BYTES];
	blake3_hasher_init(&h);
	blake3_hasher_update(&h, (const uint8_t *)"", 0);
	blake3_hasher_finalize(&h, out, sizeof out);
}

/* Whether the content hash of that version is SHA-256 itself. */
static bool is_sha(int version)
{
	return version == 2 || version == 3;
}

bool chash_init(struct chash *c, int version, bool sha256)
{
	c->version = version;
	c->sha = NULL;
	c->b3 = NULL;
	c->failed = false;
	if (version < 1 || version > 4)
		return false; /* a version this build does not know has no hash */
	if (version == 1 && crypto_generichash_init(&c->b2, NULL, 0, CHASH_BYTES) != 0)
		return false;
	if (version == 4) {
		pthread_once(&blake3_ready, blake3_start);
		if (!(c->b3 = malloc(sizeof(blake3_hasher))))
			return false;
		blake3_hasher_init(c->b3);
	}
	if (!is_sha(version) && !sha256)
		return true;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	if (!m || EVP_DigestInit_ex(m, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(m);
		chash_drop(c);
		return false;
	}
	c->sha = m;
	return true;
}

void chash_update(struct chash *c, const uint8_t *p, size_t n)
{
	if (c->version == 1)
		crypto_generichash_update(&c->b2, p, n);
	else if (c->version == 4)
		blake3_hasher_update(c->b3, p, n);
	if (c->sha && EVP_DigestUpdate(c->sha, p, n) != 1)
		c->failed = true; /* chash_final then fails */
}

bool chash_final(struct chash *c, uint8_t out[CHASH_BYTES], uint8_t *sha256)
{
	uint8_t sha[CHASH_BYTES];
	unsigned int len = 0;
	bool ok = c->version >= 1 && c->version <= 4;
	/* SHA-256 where it is kept: the content hash itself in versions 2 and 3 */
	if (c->sha)
		ok = ok && !c->failed && EVP_DigestFinal_ex(c->sha, sha, &len) == 1 &&
		     len == CHASH_BYTES;
	else if (is_sha(c->version) || sha256)
		ok = false;
	if (ok && c->version == 1)
		ok = crypto_generichash_final(&c->b2, out, CHASH_BYTES) == 0;
	else if (ok && c->version == 4)
		blake3_hasher_finalize(c->b3, out, CHASH_BYTES);
	else if (ok)
		memcpy(out, sha, CHASH_BYTES);
	if (ok && sha256)
		memcpy(sha256, sha, CHASH_BYTES);
	sodium_memzero(sha, sizeof sha);
	chash_drop(c);
	return ok;
}

void chash_drop(struct chash *c)
{
	EVP_MD_CTX_free(c->sha); /* OpenSSL clears the state it frees */
	c->sha = NULL;
	/* they held the plaintext's last bytes */
	sodium_memzero(&c->b2, sizeof c->b2);
	if (c->b3)
		sodium_memzero(c->b3, sizeof(blake3_hasher));
	free(c->b3);
	c->b3 = NULL;
}

#define HS_QUEUE 8

struct hasher {
	struct chash *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const uint8_t *p[HS_QUEUE];
	size_t n[HS_QUEUE];
	uint64_t submitted, hashed; /* tickets: ranges queued and done */
	bool done;
	bool threaded;
};

static void *hashing(void *arg)
{
	struct hasher *h = arg;
	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (h->hashed == h->submitted && !h->done)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->hashed == h->submitted)
			break;
		size_t i = h->hashed % HS_QUEUE;
		const uint8_t *p = h->p[i];
		size_t n = h->n[i];
		pthread_mutex_unlock(&h->mu);
		chash_update(h->st, p, n);
		pthread_mutex_lock(&h->mu);
		h->hashed++;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

struct hasher *hs_start(struct chash *st, bool threaded)
{
	struct hasher *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->st = st;
	h->threaded = threaded;
	if (!threaded)
		return h;
	if (pthread_mutex_init(&h->mu, NULL) != 0) {
		free(h);
		return NULL;
	}
	if (pthread_cond_init(&h->cv, NULL) != 0) {
		pthread_mutex_destroy(&h->mu);
		free(h);
		return NULL;
	}
	if (pthread_create(&h->thread, NULL, hashing, h) != 0) {
		pthread_cond_destroy(&h->cv);
		pthread_mutex_destroy(&h->mu);
		free(h);
		return NULL;
	}
	return h;
}

uint64_t hs_submit(struct hasher *h, const uint8_t *p, size_t n)
{
	if (!h->threaded) {
		chash_update(h->st, p, n);
		return ++h->submitted;
	}
	pthread_mutex_lock(&h->mu);
	while (h->submitted - h->hashed == HS_QUEUE)
		pthread_cond_wait(&h->cv, &h->mu);
	size_t i = h->submitted % HS_QUEUE;
	h->p[i] = p;
	h->n[i] = n;
	uint64_t ticket = ++h->submitted;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return ticket;
}

void hs_wait(struct hasher *h, uint64_t ticket)
{
	if (!h->threaded)
		return; /* hashed when submitted */
	pthread_mutex_lock(&h->mu);
	while (h->hashed < ticket)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

void hs_finish(struct hasher *h)
{
	if (!h->threaded) {
		free(h);
		return;
	}
	pthread_mutex_lock(&h->mu);
	h->done = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
