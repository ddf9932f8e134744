/* pstream.c - the payload's chunk cipher of each envelope version (see pstream.h). */
#include "pstream.h"

#include <openssl/evp.h>
#include <string.h>

#include "kept.h"

#define CTX_CHUNK_KEY "liaison-envelope/v3 chunk key"

_Static_assert(PS_HEADER == crypto_secretstream_xchacha20poly1305_HEADERBYTES, "framing");
_Static_assert(PS_OVERHEAD == crypto_secretstream_xchacha20poly1305_ABYTES, "framing");
_Static_assert(PS_TAG_MESSAGE == crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, "tags");
_Static_assert(PS_TAG_FINAL == crypto_secretstream_xchacha20poly1305_TAG_FINAL, "tags");
_Static_assert(PS_KEY == crypto_secretstream_xchacha20poly1305_KEYBYTES, "keys");

struct pstream {
	int version;
	crypto_secretstream_xchacha20poly1305_state ss; /* versions 1, 2 */
	EVP_CIPHER_CTX *ctx;				/* version 3: keyed once */
	uint64_t counter;				/* version 3: the next chunk's */
	uint8_t k[PS_KEY];				/* version 3: the chunk key as it is made */
};

_Static_assert(sizeof(struct pstream) <= KEPT_ROOM, "a stream's state fits a kept room");

struct pstream *ps_new(int version)
{
	if (version < 1 || version > 4)
		return NULL;
	struct pstream *s = kept_take(KEPT_STREAM, sizeof *s); /* zeroed */
	if (s)
		s->version = version;
	return s;
}

void ps_free(struct pstream *s)
{
	if (!s)
		return;
	EVP_CIPHER_CTX_free(s->ctx); /* OpenSSL wipes the key schedule it frees */
	kept_give(KEPT_STREAM, s);   /* wiped */
}

/* Version 3: the chunk key from the payload key and the stream header, set in a new context. */
static bool v3_start(struct pstream *s, const uint8_t header[PS_HEADER], const uint8_t key[PS_KEY],
		     int enc)
{
	uint8_t *k = s->k;
	crypto_generichash_state h;
	bool ok = (s->ctx = EVP_CIPHER_CTX_new()) != NULL;
	if (ok) {
		crypto_generichash_init(&h, key, PS_KEY, PS_KEY);
		crypto_generichash_update(&h, (const uint8_t *)CTX_CHUNK_KEY, sizeof CTX_CHUNK_KEY);
		crypto_generichash_update(&h, header, PS_HEADER);
		crypto_generichash_final(&h, k, PS_KEY);
		ok = EVP_CipherInit_ex(s->ctx, EVP_chacha20_poly1305(), NULL, k, NULL, enc) == 1;
	}
	sodium_memzero(&h, sizeof h);
	sodium_memzero(k, PS_KEY); /* in OpenSSL's context now */
	s->counter = 0;
	return ok;
}

bool ps_init_push(struct pstream *s, uint8_t header[PS_HEADER], const uint8_t key[PS_KEY])
{
	if (s->version < 3) {
		crypto_secretstream_xchacha20poly1305_init_push(&s->ss, header, key);
		return true;
	}
	randombytes_buf(header, PS_HEADER);
	return v3_start(s, header, key, 1);
}

enum ps_result ps_init_pull(struct pstream *s, const uint8_t header[PS_HEADER],
			    const uint8_t key[PS_KEY])
{
	if (s->version < 3)
		return crypto_secretstream_xchacha20poly1305_init_pull(&s->ss, header, key) == 0
			   ? PS_OK
			   : PS_FORGED;
	return v3_start(s, header, key, 0) ? PS_OK : PS_FAILED;
}

/* Version 3: the next chunk's nonce set (its number, big-endian in 96 bits). */
static bool v3_next(struct pstream *s)
{
	uint8_t nonce[12] = {0};
	uint64_t i = s->counter++;
	if (i == UINT64_MAX)
		return false; /* never reached: 2^64 chunks */
	for (int b = 0; b < 8; b++)
		nonce[11 - b] = (uint8_t)(i >> (8 * b));
	return EVP_CipherInit_ex(s->ctx, NULL, NULL, NULL, nonce, -1) == 1;
}

bool ps_push(struct pstream *s, uint8_t *c, const uint8_t *m, size_t mlen, uint8_t tag)
{
	if (s->version < 3)
		return crypto_secretstream_xchacha20poly1305_push(&s->ss, c, NULL, m, mlen, NULL, 0,
								  tag) == 0;
	int n = 0, f = 0;
	if (mlen > (size_t)INT32_MAX || !v3_next(s) ||
	    EVP_EncryptUpdate(s->ctx, c, &n, &tag, 1) != 1 || n != 1 ||
	    (mlen &&
	     (EVP_EncryptUpdate(s->ctx, c + 1, &n, m, (int)mlen) != 1 || (size_t)n != mlen)) ||
	    EVP_EncryptFinal_ex(s->ctx, c + 1 + mlen, &f) != 1 || f != 0)
		return false;
	return EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_AEAD_GET_TAG, 16, c + 1 + mlen) == 1;
}

enum ps_result ps_pull(struct pstream *s, uint8_t *m, size_t *mlen, uint8_t *tag, const uint8_t *c,
		       size_t clen)
{
	*mlen = 0;
	if (clen < PS_OVERHEAD)
		return PS_FORGED;
	size_t dlen = clen - PS_OVERHEAD;
	if (s->version < 3) {
		unsigned long long ml = 0;
		int r = crypto_secretstream_xchacha20poly1305_pull(&s->ss, m, &ml, tag, c, clen,
								   NULL, 0);
		*mlen = (size_t)ml;
		return r == 0 ? PS_OK : PS_FORGED;
	}
	int n = 0, f = 0;
	uint8_t t = 0xff;
	/* the cipher's own failures apart from the tag's check, which alone says forged */
	bool ran = dlen <= (size_t)INT32_MAX && v3_next(s) &&
		   EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_AEAD_SET_TAG, 16,
				       (void *)(uintptr_t)(c + 1 + dlen)) == 1 &&
		   EVP_DecryptUpdate(s->ctx, &t, &n, c, 1) == 1 && n == 1 &&
		   (!dlen ||
		    (EVP_DecryptUpdate(s->ctx, m, &n, c + 1, (int)dlen) == 1 && (size_t)n == dlen));
	if (!ran)
		return PS_FAILED;
	if (EVP_DecryptFinal_ex(s->ctx, m + dlen, &f) != 1 || f != 0)
		return PS_FORGED; /* m holds bytes that did not authenticate: the caller drops them
				   */
	*tag = t;
	*mlen = dlen;
	return PS_OK;
}
