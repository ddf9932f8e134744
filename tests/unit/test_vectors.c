/*
 * test_vectors.c - a known-answer envelope: fixed keys and fixed
 * "randomness" give one exact envelope, checked in at
 * tests/vectors/envelope-v1.bin. It must keep opening, and sealing again
 * must give the same bytes: any change of the format shows here.
 *
 * To write the vector anew (only when the format version changes):
 *     LIAISON_WRITE_VECTORS=1 build/tests/test_vectors
 */
#include "envhelpers.h"

#ifndef VECTORS
#define VECTORS "tests/vectors"
#endif

static uint64_t counter;

/* "Random" bytes: BLAKE2b-keyed counter stream from a fixed seed. */
static void fixed_buf(void *const buf, const size_t size)
{
	uint8_t seed[randombytes_SEEDBYTES];
	uint64_t c = counter++;
	crypto_generichash(seed, sizeof seed, (const uint8_t *)&c, sizeof c,
			   (const uint8_t *)"liaison test vectors, not random", 32);
	randombytes_buf_deterministic(buf, size, seed);
}

static uint32_t fixed_random(void)
{
	uint32_t v;
	fixed_buf(&v, sizeof v);
	return v;
}

static const char *fixed_name(void)
{
	return "liaison-fixed";
}

static struct randombytes_implementation fixed = {
    .implementation_name = fixed_name, .random = fixed_random, .buf = fixed_buf};

static const char VECTOR_LABEL[] =
    "{\"item\":\"vector-1\",\"level\":\"GOKUHI\",\"ntk\":\"MISSILE-WARNING\","
    "\"originator\":\"JPN\",\"releasable_to\":[\"KOR\",\"USA\"],"
    "\"title\":\"Known-answer test\"}";

/* The vector's plaintext: 2500 bytes in three chunks of 1024. */
static uint8_t *vector_plain(size_t *n)
{
	*n = 2500;
	uint8_t *p = malloc(*n);
	for (size_t i = 0; i < *n; i++)
		p[i] = (uint8_t)("GSOMIA"[i % 6] + i / 6 % 7);
	return p;
}

static uint8_t *sealed_now(size_t *len)
{
	cr_assert_eq(randombytes_set_implementation(&fixed), 0);
	counter = 0;
	struct key_secret jpn = seeded("JPN", 1), kor = seeded("KOR", 2), usa = seeded("USA", 3);
	struct key_public to[2] = {kor.pub, usa.pub};
	size_t n;
	uint8_t *plain = vector_plain(&n);
	uint8_t *env = seal_mem(&jpn, to, 2, VECTOR_LABEL, plain, n, 1024, len);
	free(plain);
	key_secret_free(&jpn);
	key_secret_free(&kor);
	key_secret_free(&usa);
	return env;
}

Test(vectors, sealing_gives_the_checked_in_envelope, .fini = leak_check)
{
	size_t len;
	uint8_t *env = sealed_now(&len);
	char *want;
	size_t wn;
	struct lerr e = {0};
	if (getenv("LIAISON_WRITE_VECTORS"))
		cr_assert_eq(fio_write_file(VECTORS "/envelope-v1.bin", env, len, 0644, true, &e),
			     0, "%s", e.msg);
	cr_assert_eq(fio_read_file(VECTORS "/envelope-v1.bin", 1 << 20, &want, &wn, &e), 0, "%s",
		     e.msg);
	cr_assert_eq(wn, len, "the envelope is %zu bytes; the vector %zu", len, wn);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(env[i], (uint8_t)want[i], "byte %zu differs from the vector", i);
	free(want);
	free(env);
}

Test(vectors, the_checked_in_envelope_opens, .fini = leak_check)
{
	char *env;
	size_t len, n, on;
	struct lerr e = {0};
	cr_assert_eq(fio_read_file(VECTORS "/envelope-v1.bin", 1 << 20, &env, &len, &e), 0, "%s",
		     e.msg);
	struct key_secret jpn = seeded("JPN", 1), usa = seeded("USA", 3);
	enum env_check why;
	uint8_t *out, *plain = vector_plain(&n);
	cr_assert_eq(open_mem((uint8_t *)env, len, &usa, &jpn.pub, &why, &out, &on, &e), 0, "%s",
		     e.msg);
	cr_assert_eq(on, n);
	cr_assert_eq(memcmp(out, plain, n), 0);
	free(out);
	free(plain);
	free(env);
	key_secret_free(&jpn);
	key_secret_free(&usa);
}
