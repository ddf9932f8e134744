/* envhelpers.h - envelopes in memory for the unit tests. */
#ifndef LIAISON_TEST_ENVHELPERS_H
#define LIAISON_TEST_ENVHELPERS_H

#include <stdio.h>
#include <unistd.h>

#include "crypto/envelope.h"
#include "crypto/fio.h"
#include "helpers.h"

/* Keys for party from a one-byte seed: the same every run. */
static inline struct key_secret seeded(const char *party, uint8_t seed)
{
	uint8_t s1[32], s2[32];
	memset(s1, seed, sizeof s1);
	memset(s2, seed + 100, sizeof s2);
	struct key_secret k;
	struct lerr e = {0};
	cr_assert_eq(key_from_seeds(party, s1, s2, &k, &e), 0, "%s", e.msg);
	return k;
}

/* A temporary file holding n bytes, positioned at its start. */
static inline int tmp_with(const void *data, size_t n)
{
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	int fd = dup(fileno(f));
	fclose(f);
	cr_assert_eq(fio_write_full(fd, data, n), 0);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* The whole content of fd, from its start; *n its size. */
static inline uint8_t *slurp(int fd, size_t *n)
{
	off_t end = lseek(fd, 0, SEEK_END);
	cr_assert_geq(end, 0);
	uint8_t *b = malloc((size_t)end + 1);
	cr_assert_not_null(b);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	cr_assert_eq(fio_read_full(fd, b, (size_t)end), end);
	*n = (size_t)end;
	return b;
}

static const char LABEL[] = "{\"item\":\"t1\",\"level\":\"GOKUHI\",\"originator\":\"JPN\","
			    "\"releasable_to\":[\"KOR\"],\"title\":\"test item\"}";

/* Seals n bytes of plain from `from` to to[0..nto); returns the envelope. */
static inline uint8_t *seal_mem_v(int version, const struct key_secret *from,
				  const struct key_public *to, size_t nto, const char *label,
				  const uint8_t *plain, size_t n, uint32_t chunk, size_t *len)
{
	int in = tmp_with(plain, n), out = tmp_with("", 0);
	struct env_seal_args a = {.from = from,
				  .to = to,
				  .nto = nto,
				  .label = label,
				  .label_len = strlen(label),
				  .chunk = chunk,
				  .version = version};
	struct lerr e = {0};
	uint64_t bytes = 0;
	cr_assert_eq(envelope_seal(in, out, &a, &bytes, &e), 0, "seal: %s", e.msg);
	cr_assert_eq(bytes, n);
	uint8_t *env = slurp(out, len);
	close(in);
	close(out);
	return env;
}

/* An envelope of the current version. */
static inline uint8_t *seal_mem(const struct key_secret *from, const struct key_public *to,
				size_t nto, const char *label, const uint8_t *plain, size_t n,
				uint32_t chunk, size_t *len)
{
	return seal_mem_v(0, from, to, nto, label, plain, n, chunk, len);
}

/* Opens an envelope in memory; returns 0 or the error, with *why and the plaintext. */
static inline int open_mem(const uint8_t *env, size_t len, const struct key_secret *me,
			   const struct key_public *sender, enum env_check *why, uint8_t **plain,
			   size_t *n, struct lerr *e)
{
	int in = tmp_with(env, len), out = tmp_with("", 0);
	struct env_header h;
	int r = envelope_read_header(in, &h, why, e);
	if (r == 0) {
		r = envelope_open_payload(in, out, &h, me, sender, NULL, NULL, false, NULL, why, e);
		envelope_header_free(&h);
	}
	if (plain)
		*plain = slurp(out, n);
	close(in);
	close(out);
	return r;
}

/*
 * The payload key of an envelope (env, its header h) from its file key fk,
 * written from docs/envelope.md apart from src/crypto/envelope.c:
 * BLAKE2b-256 keyed by fk over a context and a hash of the header bytes:
 * before version 4 the whole header's, from version 4 the header's
 * without its signature.
 */
static inline void hand_payload_key(const uint8_t *env, const struct env_header *h,
				    const uint8_t fk[32], uint8_t pk[32])
{
	char ctx[64];
	int cl =
	    snprintf(ctx, sizeof ctx, "liaison-envelope/v%d payload key", h->version < 4 ? 1 : 4) +
	    1;
	uint8_t hh[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, env, h->signed_len);
	if (h->version < 4)
		crypto_generichash_update(&st, env + h->signed_len, ENV_SIG);
	crypto_generichash_update(&st, env + h->signed_len + ENV_SIG, h->label_len);
	crypto_generichash_final(&st, hh, 32);
	crypto_generichash_init(&st, fk, 32, 32);
	crypto_generichash_update(&st, (const uint8_t *)ctx, (size_t)cl);
	crypto_generichash_update(&st, hh, 32);
	crypto_generichash_final(&st, pk, 32);
}

/*
 * The payload's chunk cipher written from docs/envelope.md with libsodium
 * alone, apart from src/crypto/pstream.c (which uses OpenSSL in version
 * 3 and 4): versions 1 and 2 crypto_secretstream_xchacha20poly1305; from
 * version 3 ChaCha20-Poly1305 (IETF) under BLAKE2b-256(key: the payload key,
 * "liaison-envelope/v3 chunk key" NUL || the stream header), chunk i with
 * nonce i (96 bits, big-endian), its plaintext the tag byte then the data.
 */
struct hand_stream {
	int version;
	crypto_secretstream_xchacha20poly1305_state ss;
	uint8_t ck[32];
	uint64_t i;
};

static inline void hand_init(struct hand_stream *s, int version, const uint8_t header[24],
			     const uint8_t pk[32])
{
	static const char ctx[] = "liaison-envelope/v3 chunk key";
	s->version = version;
	s->i = 0;
	if (version < 3) {
		cr_assert_eq(crypto_secretstream_xchacha20poly1305_init_pull(&s->ss, header, pk),
			     0);
		return;
	}
	crypto_generichash_state st;
	crypto_generichash_init(&st, pk, 32, 32);
	crypto_generichash_update(&st, (const uint8_t *)ctx, sizeof ctx);
	crypto_generichash_update(&st, header, 24);
	crypto_generichash_final(&st, s->ck, 32);
}

static inline void hand_nonce(struct hand_stream *s, uint8_t nonce[12])
{
	memset(nonce, 0, 12);
	for (int b = 0; b < 8; b++)
		nonce[11 - b] = (uint8_t)(s->i >> (8 * b));
	s->i++;
}

/* A new stream to push: its header written to header. */
static inline void hand_init_push(struct hand_stream *s, int version, uint8_t header[24],
				  const uint8_t pk[32])
{
	if (version < 3) {
		s->version = version;
		s->i = 0;
		crypto_secretstream_xchacha20poly1305_init_push(&s->ss, header, pk);
		return;
	}
	randombytes_buf(header, 24);
	hand_init(s, version, header, pk);
}

/* The next chunk (clen bytes, at most 4096 + 17) opened: 0, or -1 when it does not authenticate. */
static inline int hand_pull(struct hand_stream *s, uint8_t *m, size_t *mlen, uint8_t *tag,
			    const uint8_t *c, size_t clen)
{
	if (s->version < 3) {
		unsigned long long ml;
		int r = crypto_secretstream_xchacha20poly1305_pull(&s->ss, m, &ml, tag, c, clen,
								   NULL, 0);
		*mlen = (size_t)ml;
		return r;
	}
	uint8_t nonce[12], t[4096 + 1];
	unsigned long long tl;
	hand_nonce(s, nonce);
	cr_assert_leq(clen, sizeof t + 16);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(t, &tl, NULL, c, clen, NULL, 0, nonce,
						      s->ck) != 0)
		return -1;
	*tag = t[0];
	*mlen = (size_t)tl - 1;
	memcpy(m, t + 1, *mlen);
	return 0;
}

/* The next chunk sealed: mlen (at most 4096) bytes of m with tag into c (mlen + 17 bytes). */
static inline void hand_push(struct hand_stream *s, uint8_t *c, const uint8_t *m, size_t mlen,
			     uint8_t tag)
{
	if (s->version < 3) {
		crypto_secretstream_xchacha20poly1305_push(&s->ss, c, NULL, m, mlen, NULL, 0, tag);
		return;
	}
	uint8_t nonce[12], t[4096 + 1];
	cr_assert_leq(mlen, 4096);
	t[0] = tag;
	memcpy(t + 1, m, mlen);
	hand_nonce(s, nonce);
	crypto_aead_chacha20poly1305_ietf_encrypt(c, NULL, t, mlen + 1, NULL, 0, NULL, nonce,
						  s->ck);
}

#endif
