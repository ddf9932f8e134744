/*
 * test_hasher.c - the content hash of each envelope version, against
 * answers computed elsewhere: BLAKE3 by b3sum (the BLAKE3 team's Rust
 * implementation, not the C code liaison builds in), SHA-256 by
 * sha256sum, BLAKE2b-256 by Python's hashlib; fed whole, in odd pieces,
 * and through the hashing thread.
 */
#include "crypto/hasher.h"
#include "helpers.h"

/* 3 MiB and 12,345 bytes: byte i is (7i + i div 1000) mod 251. */
#define BIG (3u * 1048576u + 12345u)
/* b3sum of those bytes */
static const char BIG_B3[] = "515e116ac6161ffe82f632af8b0d4e3b8e6e4203f2b5e74c505c20426ecc46f3";

static uint8_t *big(void)
{
	uint8_t *p = malloc(BIG);
	cr_assert_not_null(p);
	for (size_t i = 0; i < BIG; i++)
		p[i] = (uint8_t)((i * 7 + i / 1000) % 251);
	return p;
}

static void hex(const uint8_t h[CHASH_BYTES], char out[2 * CHASH_BYTES + 1])
{
	sodium_bin2hex(out, 2 * CHASH_BYTES + 1, h, CHASH_BYTES);
}

/* The version's hash of p (n bytes), in pieces of `piece` bytes, threaded or not. */
static void hash_of(int version, const uint8_t *p, size_t n, size_t piece, bool threaded,
		    char out[2 * CHASH_BYTES + 1], char *sha)
{
	struct chash c;
	uint8_t h[CHASH_BYTES], s[CHASH_BYTES];
	cr_assert(chash_init(&c, version, sha != NULL));
	struct hasher *hs = hs_start(&c, threaded);
	cr_assert_not_null(hs);
	for (size_t at = 0; at < n; at += piece)
		hs_submit(hs, p + at, n - at < piece ? n - at : piece);
	hs_finish(hs);
	cr_assert(chash_final(&c, h, sha ? s : NULL));
	hex(h, out);
	if (sha)
		hex(s, sha);
}

Test(hasher, each_version_hashes_as_its_function_does, .fini = leak_check)
{
	char got[65];
	hash_of(1, (const uint8_t *)"abc", 3, 3, false, got, NULL);
	cr_assert_str_eq(got, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
	for (int v = 2; v <= 3; v++) {
		hash_of(v, (const uint8_t *)"abc", 3, 1, false, got, NULL);
		cr_assert_str_eq(
		    got, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}
	hash_of(4, (const uint8_t *)"", 0, 1, false, got, NULL);
	cr_assert_str_eq(got, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
	hash_of(4, (const uint8_t *)"abc", 3, 2, false, got, NULL);
	cr_assert_str_eq(got, "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
}

/* BLAKE3's vector code hashes many 1 KiB chunks at once: large inputs, cut anywhere. */
Test(hasher, blake3_of_a_large_input_whole_in_pieces_and_threaded, .fini = leak_check)
{
	uint8_t *p = big();
	char got[65], sha[65];
	const size_t pieces[] = {BIG, 1u << 20, 65536, 1000, 4097};
	for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++)
		for (int threaded = 0; threaded <= 1; threaded++) {
			hash_of(4, p, BIG, pieces[i], threaded, got, NULL);
			cr_assert_str_eq(got, BIG_B3, "pieces of %zu, threaded %d", pieces[i],
					 threaded);
		}
	/* SHA-256 beside it, when asked (a node keeps the content's SHA-256) */
	char want[65];
	hash_of(2, p, BIG, 1u << 20, true, want, NULL);
	hash_of(4, p, BIG, 1u << 20, true, got, sha);
	cr_assert_str_eq(got, BIG_B3);
	cr_assert_str_eq(sha, want);
	free(p);
}

Test(hasher, a_version_it_does_not_know_has_no_hash, .fini = leak_check)
{
	struct chash c;
	cr_assert_not(chash_init(&c, 0, false));
	cr_assert_not(chash_init(&c, 5, false));
	cr_assert_not(chash_init(&c, 5, true));
}
