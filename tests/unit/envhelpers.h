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
		r = envelope_open_payload(in, out, &h, me, sender, NULL, NULL, NULL, why, e);
		envelope_header_free(&h);
	}
	if (plain)
		*plain = slurp(out, n);
	close(in);
	close(out);
	return r;
}

#endif
