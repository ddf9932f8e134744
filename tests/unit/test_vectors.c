/*
 * test_vectors.c - known-answer envelopes: fixed keys and fixed
 * "randomness" give one exact envelope of each format version, checked in
 * at tests/vectors/envelope-v1.bin (BLAKE2b-256 content hash),
 * envelope-v2.bin (SHA-256), envelope-v3.bin (SHA-256, ChaCha20-Poly1305
 * chunks) and envelope-v4.bin (BLAKE3, the payload key from the header
 * without its signature). Each must keep opening, and sealing again must
 * give the same bytes: any change of the format shows here.
 *
 * To write the current version's vector anew (only when a new format
 * version is made; the older ones are frozen):
 *     LIAISON_WRITE_VECTORS=1 build/tests/test_vectors
 */
#define _GNU_SOURCE /* memfd_create */
#include <blake3.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <openssl/evp.h>

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

static uint8_t *sealed_now(int version, size_t *len)
{
	cr_assert_eq(randombytes_set_implementation(&fixed), 0);
	counter = 0;
	struct key_secret jpn = seeded("JPN", 1), kor = seeded("KOR", 2), usa = seeded("USA", 3);
	struct key_public to[2] = {kor.pub, usa.pub};
	size_t n;
	uint8_t *plain = vector_plain(&n);
	uint8_t *env = seal_mem_v(version, &jpn, to, 2, VECTOR_LABEL, plain, n, 1024, len);
	free(plain);
	key_secret_free(&jpn);
	key_secret_free(&kor);
	key_secret_free(&usa);
	return env;
}

static void sealing_gives(int version)
{
	char path[64];
	snprintf(path, sizeof path, VECTORS "/envelope-v%d.bin", version);
	size_t len;
	uint8_t *env = sealed_now(version, &len);
	char *want;
	size_t wn;
	struct lerr e = {0};
	if (getenv("LIAISON_WRITE_VECTORS") && version == ENV_VERSION)
		cr_assert_eq(fio_write_file(path, env, len, 0644, true, &e), 0, "%s", e.msg);
	cr_assert_eq(fio_read_file(path, 1 << 20, &want, &wn, &e), 0, "%s", e.msg);
	cr_assert_eq(env[ENV_MAGIC_LEN], version);
	cr_assert_eq(wn, len, "the envelope is %zu bytes; the vector %zu", len, wn);
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(env[i], (uint8_t)want[i], "byte %zu differs from the vector v%d", i,
			     version);
	free(want);
	free(env);
}

Test(vectors, sealing_gives_the_checked_in_envelopes, .fini = leak_check)
{
	for (int v = 1; v <= ENV_VERSION; v++)
		sealing_gives(v);
}

/* Another version than v, for the tests that take one for the other. */
static int other(int v)
{
	return v == 1 ? 2 : v - 1;
}

/* Opens the vector of that version as USA; *on and the plaintext in *out. */
static int open_vector(int version, uint8_t **out, size_t *on, enum env_check *why,
		       bool flip_version)
{
	char path[64], *env;
	size_t len;
	struct lerr e = {0};
	snprintf(path, sizeof path, VECTORS "/envelope-v%d.bin", version);
	cr_assert_eq(fio_read_file(path, 1 << 20, &env, &len, &e), 0, "%s", e.msg);
	if (flip_version)
		env[ENV_MAGIC_LEN] = (char)other(version);
	struct key_secret jpn = seeded("JPN", 1), usa = seeded("USA", 3);
	int r = open_mem((uint8_t *)env, len, &usa, &jpn.pub, why, out, on, &e);
	free(env);
	key_secret_free(&jpn);
	key_secret_free(&usa);
	return r;
}

Test(vectors, the_checked_in_envelopes_open, .fini = leak_check)
{
	size_t n;
	uint8_t *plain = vector_plain(&n);
	for (int v = 1; v <= ENV_VERSION; v++) {
		uint8_t *out;
		size_t on;
		enum env_check why;
		cr_assert_eq(open_vector(v, &out, &on, &why, false), 0, "v%d: %s", v,
			     envelope_check_name(why));
		cr_assert_eq(on, n);
		cr_assert_eq(memcmp(out, plain, n), 0);
		free(out);
	}
	free(plain);
}

/* The version is signed: one envelope's version read as the other's fails at the header. */
Test(vectors, a_changed_version_does_not_open, .fini = leak_check)
{
	for (int v = 1; v <= ENV_VERSION; v++) {
		uint8_t *out;
		size_t on;
		enum env_check why;
		cr_assert_neq(open_vector(v, &out, &on, &why, true), 0);
		cr_assert_eq(why, ENV_BAD_SIGNATURE, "v%d read as v%d: %s", v, other(v),
			     envelope_check_name(why));
		free(out);
	}
}

/*
 * A vector opened by hand from the format in docs/envelope.md (not through
 * envelope_open_payload): the file key opened from USA's stanza, the payload
 * key derived, every chunk but the last pulled into plain (envhelpers.h's
 * cipher, written apart from pstream.c). p: the last chunk; s: the stream's
 * state as pulling left it (pushing's, too).
 */
struct by_hand {
	char *env;
	size_t len;
	struct env_header h;
	struct hand_stream s;
	uint8_t *p;
	uint8_t plain[2500 + 64];
	size_t at; /* plaintext bytes pulled */
	struct key_secret jpn, usa;
};

static void by_hand_open(int version, struct by_hand *b)
{
	char path[64];
	struct lerr e = {0};
	snprintf(path, sizeof path, VECTORS "/envelope-v%d.bin", version);
	cr_assert_eq(fio_read_file(path, 1 << 20, &b->env, &b->len, &e), 0, "%s", e.msg);
	int fd = tmp_with(b->env, b->len);
	enum env_check why;
	cr_assert_eq(envelope_read_header(fd, &b->h, &why, &e), 0, "%s", e.msg);
	close(fd);
	cr_assert_eq(b->h.version, version);
	b->jpn = seeded("JPN", 1);
	b->usa = seeded("USA", 3);
	uint8_t fk[32], pk[32];
	cr_assert_str_eq(b->h.stanzas[1].party, "USA");
	cr_assert_eq(crypto_box_seal_open(fk, b->h.stanzas[1].sealed, ENV_SEALED_KEY,
					  b->usa.pub.box_pk, b->usa.box_sk),
		     0);
	hand_payload_key((const uint8_t *)b->env, &b->h, fk, pk);
	b->p = (uint8_t *)b->env + b->h.header_len;
	hand_init(&b->s, version, b->p, pk);
	b->p += ENV_STREAM_HEADER;
	b->at = 0;
	/* while more than a last chunk can hold remains, the next is not the last */
	while (b->len - (size_t)(b->p - (uint8_t *)b->env) >= 1024 + 17 + 81) {
		size_t mlen;
		uint8_t tag;
		cr_assert_eq(hand_pull(&b->s, b->plain + b->at, &mlen, &tag, b->p, 1024 + 17), 0);
		cr_assert_eq(tag, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
		b->at += mlen;
		b->p += 1024 + 17;
	}
}

static void by_hand_free(struct by_hand *b)
{
	envelope_header_free(&b->h);
	key_secret_free(&b->jpn);
	key_secret_free(&b->usa);
	free(b->env);
}

/* The content hash of each version: 1 BLAKE2b-256, 2 and 3 SHA-256, 4 BLAKE3. */
static int hash_kind(int version)
{
	return version == 3 ? 2 : version;
}

/* What a payload signature covers: the context of ctx_version, a NUL, the
 * header hash and the plaintext's hash of hash_version. Returns its length. */
static size_t payload_message(const struct by_hand *b, int ctx_version, int hash_version,
			      const uint8_t *plain, size_t n, uint8_t msg[128])
{
	uint8_t ch[32];
	if (hash_version == 1)
		crypto_generichash(ch, 32, plain, n, NULL, 0);
	else if (hash_version == 4) {
		blake3_hasher h;
		blake3_hasher_init(&h);
		blake3_hasher_update(&h, plain, n);
		blake3_hasher_finalize(&h, ch, 32);
	} else {
		unsigned int hl = 0;
		cr_assert_eq(EVP_Digest(plain, n, ch, &hl, EVP_sha256(), NULL), 1);
	}
	int cl = snprintf((char *)msg, 64, "liaison-envelope/v%d payload", ctx_version) + 1;
	memcpy(msg + cl, b->h.header_hash, 32);
	memcpy(msg + cl + 32, ch, 32);
	return (size_t)cl + 64;
}

/*
 * The payload signature of each vector, checked by hand: the last chunk's
 * signature verified over the header hash and the content hash of the
 * version (BLAKE2b-256 in v1, SHA-256 in v2 and v3, BLAKE3 in v4), and not
 * over another's.
 */
static void payload_signature_by_hand(int version)
{
	struct by_hand b;
	size_t n;
	by_hand_open(version, &b);
	size_t mlen;
	uint8_t tag;
	size_t clen = b.len - (size_t)(b.p - (uint8_t *)b.env);
	cr_assert_eq(hand_pull(&b.s, b.plain + b.at, &mlen, &tag, b.p, clen), 0);
	cr_assert_eq(tag, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	uint8_t *plain = vector_plain(&n), msg[128];
	cr_assert_eq(b.at + mlen, n + 64);
	cr_assert_eq(memcmp(b.plain, plain, n), 0);
	size_t ml = payload_message(&b, version, version, plain, n, msg);
	cr_assert_eq(crypto_sign_verify_detached(b.plain + n, msg, ml, b.jpn.pub.sign_pk), 0,
		     "v%d: the payload signature is not over its content hash", version);
	ml = payload_message(&b, version, version == 1 ? 2 : 1, plain, n, msg);
	cr_assert_neq(crypto_sign_verify_detached(b.plain + n, msg, ml, b.jpn.pub.sign_pk), 0);
	free(plain);
	by_hand_free(&b);
}

Test(vectors, the_payload_signature_is_over_the_versions_content_hash, .fini = leak_check)
{
	for (int v = 1; v <= ENV_VERSION; v++)
		payload_signature_by_hand(v);
}

/*
 * The vector of that version with its payload signature replaced by one the
 * real sender makes in the terms of ctx_version and hash_version
 * (payload_message): the final chunk pushed again with the stream's state
 * as pulling left it. *len: its size.
 */
static uint8_t *resigned(int version, int ctx_version, int hash_version, size_t *len)
{
	struct by_hand b;
	size_t n;
	by_hand_open(version, &b);
	uint8_t *plain = vector_plain(&n), msg[128], last[1024 + 64];
	size_t rest = n - b.at, ml = payload_message(&b, ctx_version, hash_version, plain, n, msg);
	memcpy(last, plain + b.at, rest);
	crypto_sign_detached(last + rest, NULL, msg, ml, b.jpn.sign_sk);
	cr_assert_eq((size_t)(b.p - (uint8_t *)b.env) + rest + 64 + 17, b.len);
	hand_push(&b.s, b.p, last, rest + 64, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	uint8_t *env = (uint8_t *)b.env;
	*len = b.len;
	b.env = NULL; /* the caller's */
	by_hand_free(&b);
	free(plain);
	return env;
}

/* What the reseal opens as: ENV_OK, or the check that failed. */
static enum env_check open_resigned(int version, int ctx_version, int hash_version)
{
	size_t len, on;
	uint8_t *env = resigned(version, ctx_version, hash_version, &len), *out;
	struct key_secret jpn = seeded("JPN", 1), usa = seeded("USA", 3);
	enum env_check why = ENV_OK;
	struct lerr e = {0};
	(void)open_mem(env, len, &usa, &jpn.pub, &why, &out, &on, &e);
	free(out);
	free(env);
	key_secret_free(&jpn);
	key_secret_free(&usa);
	return why;
}

/*
 * The sender itself cannot make one version's payload signature pass for
 * the other's: each version opens only with its own context and its own
 * hash (a reader that took either would fail here).
 */
Test(vectors, a_payload_signed_as_the_other_version_does_not_open, .fini = leak_check)
{
	for (int v = 1; v <= ENV_VERSION; v++) {
		cr_assert_eq(open_resigned(v, v, v), ENV_OK, "v%d signed as itself", v);
		for (int w = 1; w <= ENV_VERSION; w++) {
			if (w == v)
				continue;
			cr_assert_eq(open_resigned(v, w, w), ENV_BAD_PAYLOAD, "v%d as v%d", v, w);
			cr_assert_eq(open_resigned(v, w, v), ENV_BAD_PAYLOAD, "v%d, v%d's context",
				     v, w);
			if (hash_kind(v) != hash_kind(w)) /* v2 and v3 share SHA-256 */
				cr_assert_eq(open_resigned(v, v, w), ENV_BAD_PAYLOAD,
					     "v%d, v%d's hash", v, w);
		}
	}
}

Test(vectors, sealing_refuses_a_version_it_does_not_know, .fini = leak_check)
{
	struct key_secret jpn = seeded("JPN", 1), kor = seeded("KOR", 2);
	int in = tmp_with("x", 1), out = tmp_with("", 0);
	for (int v = ENV_VERSION + 1; v <= ENV_VERSION + 2; v++) {
		struct env_seal_args a = {.from = &jpn,
					  .to = &kor.pub,
					  .nto = 1,
					  .label = VECTOR_LABEL,
					  .label_len = strlen(VECTOR_LABEL),
					  .version = v};
		struct lerr e = {0};
		cr_assert_eq(envelope_seal(in, out, &a, NULL, &e), LERR_INVAL);
		char want[32];
		snprintf(want, sizeof want, "is not in 1..%d", ENV_VERSION);
		cr_assert(strstr(e.msg, want), "%s", e.msg);
	}
	close(in);
	close(out);
	key_secret_free(&jpn);
	key_secret_free(&kor);
}

/*
 * Sealing while the sender's key is still being opened (a->later: the
 * command line's seal, while Argon2id runs): a file gets the payload
 * first and its header last, in the room left for it. The envelope must be
 * the same, byte for byte, as sealing in order: the vector, whatever the
 * moment the key opens (polls: how many times it says "not yet" before).
 */
struct slow_key {
	struct key_later l;
	const struct key_secret *k;
	int polls;
	bool fails;
	int asked; /* times asked without waiting, before the first wait */
	bool waited;
};

static int slow_get(struct key_later *l, bool wait, const struct key_secret **k, struct lerr *e)
{
	struct slow_key *s = (struct slow_key *)l;
	if (!wait && !s->waited)
		s->asked++;
	s->waited = s->waited || wait;
	if (!wait && s->polls-- > 0)
		return 1;
	if (s->fails)
		return lerr_set(e, LERR_AUTH, "wrong passphrase (the test's)");
	*k = s->k;
	return 0;
}

/* Seals the vector's plaintext from a slow key to out; returns envelope_seal's result. */
static int seal_slowly(int out, int polls, bool fails, struct lerr *e)
{
	/* libsodium first: its start draws random bytes of its own (the vector
	 * was sealed after others, in a process where it had started) */
	cr_assert_geq(sodium_init(), 0);
	cr_assert_eq(randombytes_set_implementation(&fixed), 0);
	counter = 0;
	struct key_secret jpn = seeded("JPN", 1), kor = seeded("KOR", 2), usa = seeded("USA", 3);
	struct key_public to[2] = {kor.pub, usa.pub};
	struct slow_key sk = {
	    .l = {.pub = jpn.pub, .get = slow_get}, .k = &jpn, .polls = polls, .fails = fails};
	size_t n;
	uint8_t *plain = vector_plain(&n);
	int in = tmp_with(plain, n);
	struct env_seal_args a = {.later = &sk.l,
				  .to = to,
				  .nto = 2,
				  .label = VECTOR_LABEL,
				  .label_len = strlen(VECTOR_LABEL),
				  .chunk = 1024};
	uint64_t bytes = 0;
	int r = envelope_seal(in, out, &a, &bytes, e);
	cr_assert_eq(bytes, r == 0 ? n : bytes);
	close(in);
	free(plain);
	key_secret_free(&jpn);
	key_secret_free(&kor);
	key_secret_free(&usa);
	return r;
}

/* The bytes of fd from offset `from` to its end equal the version 4 vector. */
static void holds_the_vector(int fd, size_t from, const char *what)
{
	size_t len;
	uint8_t *got = slurp(fd, &len);
	char *want;
	size_t wn;
	struct lerr e = {0};
	cr_assert_eq(fio_read_file(VECTORS "/envelope-v4.bin", 1 << 20, &want, &wn, &e), 0, "%s",
		     e.msg);
	cr_assert_eq(len, from + wn, "%s: %zu bytes, not %zu", what, len, from + wn);
	for (size_t i = 0; i < wn; i++)
		cr_assert_eq(got[from + i], (uint8_t)want[i], "%s: byte %zu is not the vector's",
			     what, i);
	free(got);
	free(want);
}

Test(vectors, sealing_ahead_of_the_key_gives_the_same_envelope, .fini = leak_check)
{
	/* the key opens at once, after the first batch, or only at the end */
	for (int polls = 0; polls <= 3; polls++) {
		int out = tmp_with("ab", 2);
		cr_assert_eq(lseek(out, 0, SEEK_END), 2); /* after what the file already holds */
		struct lerr e = {0};
		cr_assert_eq(seal_slowly(out, polls, false, &e), 0, "%s", e.msg);
		cr_assert_eq(lseek(out, 0, SEEK_CUR), lseek(out, 0, SEEK_END));
		char what[32];
		snprintf(what, sizeof what, "a file, %d polls", polls);
		holds_the_vector(out, 2, what);
		close(out);
	}
	/* a pipe, and a file opened to append to, are written in order */
	int p[2];
	cr_assert_eq(pipe(p), 0);
	struct lerr e = {0};
	cr_assert_eq(seal_slowly(p[1], 2, false, &e), 0, "%s",
		     e.msg); /* 3158 bytes: fits the pipe */
	close(p[1]);
	uint8_t buf[8192];
	ssize_t got = fio_read_full(p[0], buf, sizeof buf);
	close(p[0]);
	int piped = tmp_with(buf, (size_t)got);
	holds_the_vector(piped, 0, "a pipe");
	close(piped);
	char path[] = "/tmp/liaison-test-append-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	int app = open(path, O_WRONLY | O_APPEND);
	cr_assert_eq(fio_write_full(app, "xyz", 3), 0);
	cr_assert_eq(seal_slowly(app, 2, false, &e), 0, "%s", e.msg);
	holds_the_vector(fd, 3, "a file appended to");
	close(app);
	close(fd);
	unlink(path);
}

Test(vectors, a_key_that_does_not_open_leaves_the_file_as_it_was, .fini = leak_check)
{
	for (int polls = 0; polls <= 3; polls++) {
		int out = tmp_with("before", 6);
		cr_assert_eq(lseek(out, 0, SEEK_END), 6);
		struct lerr e = {0};
		cr_assert_eq(seal_slowly(out, polls, true, &e), LERR_AUTH);
		cr_assert(strstr(e.msg, "wrong passphrase"), "%s", e.msg);
		cr_assert_eq(lseek(out, 0, SEEK_CUR), 6);
		size_t len;
		uint8_t *got = slurp(out, &len);
		cr_assert_eq(len, 6, "%zu bytes left", len);
		cr_assert_eq(memcmp(got, "before", 6), 0);
		free(got);
		close(out);
	}
}

/* An output that cannot be cut back (a memfd sealed against shrinking): the error says so. */
Test(vectors, an_output_that_cannot_be_cut_back_is_named, .fini = leak_check)
{
	int out = memfd_create("liaison-test", MFD_ALLOW_SEALING);
	cr_assert_geq(out, 0);
	cr_assert_eq(fio_write_full(out, "before", 6), 0);
	cr_assert_eq(fcntl(out, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	struct lerr e = {0};
	cr_assert_eq(seal_slowly(out, 1, true, &e), LERR_AUTH);
	cr_assert(strstr(e.msg, "could not be cut back"), "%s", e.msg);
	cr_assert(strstr(e.msg, "wrong passphrase"), "%s", e.msg);
	close(out);
}

/* Keys for the two tests below: JPN's public half stated, another key opening. */
static int seal_with(struct slow_key *sk, int in, int out, struct lerr *e)
{
	struct key_secret kor = seeded("KOR", 2);
	struct env_seal_args a = {.later = &sk->l,
				  .to = &kor.pub,
				  .nto = 1,
				  .label = VECTOR_LABEL,
				  .label_len = strlen(VECTOR_LABEL)};
	int r = envelope_seal(in, out, &a, NULL, e);
	key_secret_free(&kor);
	return r;
}

/* A key that opens as another than its public half said is refused, nothing left. */
Test(vectors, a_key_that_opens_as_another_is_refused, .fini = leak_check)
{
	struct key_secret jpn = seeded("JPN", 1), usa = seeded("USA", 3);
	struct slow_key sk = {.l = {.pub = jpn.pub, .get = slow_get}, .k = &usa, .polls = 1};
	int in = tmp_with("content", 7), out = tmp_with("", 0);
	struct lerr e = {0};
	cr_assert_eq(seal_with(&sk, in, out, &e), LERR_AUTH);
	cr_assert(strstr(e.msg, "not the one its file names for JPN"), "%s", e.msg);
	cr_assert_eq(lseek(out, 0, SEEK_END), 0);
	close(in);
	close(out);
	key_secret_free(&jpn);
	key_secret_free(&usa);
}

/* Sealing ahead stops at 64 MiB of plaintext to wait for the key: a wrong
 * passphrase costs no more reading and writing than that. */
Test(vectors, sealing_ahead_waits_for_the_key_after_64_mib, .fini = leak_check)
{
	struct key_secret jpn = seeded("JPN", 1);
	struct slow_key sk = {.l = {.pub = jpn.pub, .get = slow_get}, .k = &jpn, .polls = 1 << 20};
	int in = tmp_with("", 0), out = tmp_with("", 0);
	cr_assert_eq(ftruncate(in, 65 << 20), 0); /* 65 MiB of zeros, sparse */
	struct lerr e = {0};
	cr_assert_eq(seal_with(&sk, in, out, &e), 0, "%s", e.msg);
	/* one chunk (64 KiB) a batch while it opens: asked 1,024 times, then waited for */
	cr_assert(sk.waited);
	cr_assert_eq(sk.asked, 1024, "asked %d times", sk.asked);
	close(in);
	close(out);
	key_secret_free(&jpn);
}
