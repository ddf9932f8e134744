/* test_envelope.c - sealed envelopes: round trips, and every way one can be
 * wrong (changed, cut, not for you, from someone else, forged by a recipient). */
#include "crypto/kept.h"
#include "envhelpers.h"
#include "node/label_json.h"

TestSuite(envelope, .fini = leak_check);

struct fixture {
	struct key_secret jpn, kor, usa;
};

static struct fixture keys(void)
{
	struct fixture f = {seeded("JPN", 1), seeded("KOR", 2), seeded("USA", 3)};
	return f;
}

static void drop(struct fixture *f)
{
	key_secret_free(&f->jpn);
	key_secret_free(&f->kor);
	key_secret_free(&f->usa);
}

static uint8_t *pattern(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + (i >> 8));
	return p;
}

/* The header's length of an envelope in memory. */
static size_t header_len(const uint8_t *env, size_t len)
{
	int fd = tmp_with(env, len);
	struct env_header h;
	enum env_check why;
	cr_assert_eq(envelope_read_header(fd, &h, &why, NULL), 0);
	size_t n = h.header_len;
	envelope_header_free(&h);
	close(fd);
	return n;
}

/* Opening must fail with check `want` (or any failure when want is ENV_OK). */
static void opens_not(const uint8_t *env, size_t len, struct fixture *f, enum env_check want,
		      const char *what)
{
	enum env_check why = ENV_OK;
	struct lerr e = {0};
	int r = open_mem(env, len, &f->kor, &f->jpn.pub, &why, NULL, NULL, &e);
	cr_assert_lt(r, 0, "%s: opened", what);
	cr_assert_neq(why, ENV_OK, "%s: failed without saying which check", what);
	if (want != ENV_OK)
		cr_assert_eq(why, want, "%s: expected \"%s\", got \"%s\" (%s)", what,
			     envelope_check_name(want), envelope_check_name(why), e.msg);
	cr_assert_neq(e.msg[0], '\0');
}

static void round_trip(size_t n, uint32_t chunk)
{
	struct fixture f = keys();
	uint8_t *plain = pattern(n), *out;
	size_t len, on;
	uint8_t *env = seal_mem(&f.jpn, &f.kor.pub, 1, LABEL, plain, n, chunk, &len);
	enum env_check why;
	struct lerr e = {0};
	cr_assert_eq(open_mem(env, len, &f.kor, &f.jpn.pub, &why, &out, &on, &e), 0,
		     "%zu bytes in chunks of %u: %s", n, chunk, e.msg);
	cr_assert_eq(on, n, "%zu bytes came back as %zu", n, on);
	cr_assert(n == 0 || memcmp(out, plain, n) == 0, "%zu bytes: content differs", n);
	int64_t size =
	    envelope_plain_size(&(struct env_header){.chunk = chunk ? chunk : ENV_CHUNK_DEFAULT,
						     .header_len = header_len(env, len)},
				len);
	cr_assert_eq(size, (int64_t)n, "plain size from the file size: %lld", (long long)size);
	free(plain);
	free(out);
	free(env);
	drop(&f);
}

Test(envelope, round_trips_of_every_awkward_size)
{
	const size_t C = 1024;
	const size_t sizes[] = {0, 1, C - 1, C, C + 1, 2 * C, 3 * C + 5, 64 * C};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		round_trip(sizes[i], (uint32_t)C);
	round_trip(0, 0);
	round_trip(1, 0);
	round_trip(ENV_CHUNK_DEFAULT, 0);
	round_trip(ENV_CHUNK_DEFAULT + 1, 0);
}

Test(envelope, round_trips_across_batch_boundaries)
{
	/* chunks of 1 KiB: a batch is 1024 chunks */
	const size_t B = 1 << 20;
	const size_t sizes[] = {B - 1, B, B + 1, B + 1024, 2 * B + 1023, 3 * B};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		round_trip(sizes[i], 1024);
	round_trip(3 * B + 7, ENV_CHUNK_MAX);
}

/* What envelope_open_sha256 gives for env (sealed to KOR by JPN), into sha; its return. */
static int open_sha(const uint8_t *env, size_t len, struct fixture *f, uint8_t sha[ENV_HASH])
{
	int in = tmp_with(env, len), out = tmp_with("", 0);
	struct env_header h;
	enum env_check why;
	struct lerr e = {0};
	int r = envelope_read_header(in, &h, &why, &e);
	if (r == 0) {
		r = envelope_open_sha256(in, out, &h, &f->kor, &f->jpn.pub, sha, &why, &e);
		envelope_header_free(&h);
	}
	close(in);
	close(out);
	return r;
}

Test(envelope, opening_gives_the_plaintexts_sha256_in_every_version)
{
	/* what a consent names: the same for the same content, whatever the
	 * version (version 1 hashes its content with BLAKE2b), and nothing
	 * from a payload that did not open */
	struct fixture f = keys();
	const size_t sizes[] = {0, 1, 1024, 3 * 1024 + 5, (1 << 20) + 1, 3 << 20};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		uint8_t *plain = pattern(sizes[i]), want[ENV_HASH];
		crypto_hash_sha256(want, plain, sizes[i]);
		for (int v = 1; v <= ENV_VERSION; v++) {
			size_t len;
			uint8_t *env = seal_mem_v(v, &f.jpn, &f.kor.pub, 1, LABEL, plain, sizes[i],
						  1024, &len);
			uint8_t sha[ENV_HASH];
			memset(sha, 0xAA, sizeof sha);
			cr_assert_eq(open_sha(env, len, &f, sha), 0, "%zu bytes, version %d",
				     sizes[i], v);
			cr_assert_arr_eq(sha, want, ENV_HASH,
					 "%zu bytes, version %d: not its SHA-256", sizes[i], v);
			env[len - 1] ^= 1; /* the payload signature's chunk no longer opens */
			uint8_t none[ENV_HASH], untouched[ENV_HASH];
			memset(none, 0x55, sizeof none);
			memcpy(untouched, none, sizeof none);
			cr_assert_lt(open_sha(env, len, &f, none), 0);
			cr_assert_arr_eq(none, untouched, ENV_HASH,
					 "a digest of what did not open");
			free(env);
		}
		free(plain);
	}
	drop(&f);
}

Test(envelope, opens_for_each_recipient_only)
{
	struct fixture f = keys();
	struct key_public to[2] = {f.kor.pub, f.usa.pub};
	uint8_t *plain = pattern(5000);
	size_t len;
	uint8_t *env = seal_mem(&f.jpn, to, 2, LABEL, plain, 5000, 1024, &len);
	enum env_check why;
	struct lerr e = {0};
	cr_assert_eq(open_mem(env, len, &f.kor, &f.jpn.pub, &why, NULL, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(open_mem(env, len, &f.usa, &f.jpn.pub, &why, NULL, NULL, &e), 0, "%s", e.msg);
	cr_assert_lt(open_mem(env, len, &f.jpn, &f.jpn.pub, &why, NULL, NULL, &e), 0);
	cr_assert_eq(why, ENV_NOT_FOR_YOU);
	cr_assert(strstr(e.msg, "not for you: sealed to KOR, USA"), "%s", e.msg);
	free(plain);
	free(env);
	drop(&f);
}

Test(envelope, opens_with_a_key_the_recipient_retired)
{
	struct fixture f = keys();
	uint8_t *plain = pattern(3000), *out;
	size_t len, on;
	/* sealed to KOR's pair of then; KOR holds a new one, the old retired */
	uint8_t *env = seal_mem(&f.jpn, &f.kor.pub, 1, LABEL, plain, 3000, 1024, &len);
	struct key_secret now = seeded("KOR", 9);
	enum env_check why;
	struct lerr e = {0};
	cr_assert_lt(open_mem(env, len, &now, &f.jpn.pub, &why, NULL, NULL, &e), 0);
	cr_assert_eq(why, ENV_NOT_FOR_YOU);
	now.retired = malloc(sizeof *now.retired);
	cr_assert_not_null(now.retired);
	now.retired[0] = f.kor;
	now.nretired = 1;
	f.kor = (struct key_secret){0}; /* now's to free */
	cr_assert_eq(open_mem(env, len, &now, &f.jpn.pub, &why, &out, &on, &e), 0, "%s", e.msg);
	cr_assert_eq(on, 3000);
	cr_assert_eq(memcmp(out, plain, on), 0);
	key_secret_free(&now);
	cr_assert_null(now.retired);
	free(out);
	free(plain);
	free(env);
	drop(&f);
}

Test(envelope, refuses_a_wrong_sender)
{
	struct fixture f = keys();
	size_t len;
	uint8_t *env = seal_mem(&f.jpn, &f.kor.pub, 1, LABEL, (const uint8_t *)"x", 1, 0, &len);
	enum env_check why;
	struct lerr e = {0};
	cr_assert_lt(open_mem(env, len, &f.kor, &f.usa.pub, &why, NULL, NULL, &e), 0);
	cr_assert_eq(why, ENV_WRONG_SENDER);
	cr_assert(strstr(e.msg, "sealed by JPN, not by USA"), "%s", e.msg);
	/* a key that claims to be JPN but is not the trusted one */
	struct key_secret fake = seeded("JPN", 9);
	cr_assert_lt(open_mem(env, len, &f.kor, &fake.pub, &why, NULL, NULL, &e), 0);
	cr_assert_eq(why, ENV_WRONG_SENDER);
	key_secret_free(&fake);
	free(env);
	drop(&f);
}

Test(envelope, every_changed_header_byte_is_caught)
{
	struct fixture f = keys();
	size_t len;
	uint8_t *plain = pattern(3000);
	uint8_t *env = seal_mem(&f.jpn, &f.kor.pub, 1, LABEL, plain, 3000, 1024, &len);
	size_t hl = header_len(env, len), label_at = hl - strlen(LABEL);
	enum env_check why;
	struct lerr e = {0};
	/* opened first: a signature remembered as verified passes nothing else */
	cr_assert_eq(open_mem(env, len, &f.kor, &f.jpn.pub, &why, NULL, NULL, &e), 0, "%s", e.msg);
	for (size_t i = 0; i < hl; i++) {
		uint8_t *bad = malloc(len);
		memcpy(bad, env, len);
		bad[i] ^= 0x20;
		char what[64];
		snprintf(what, sizeof what, "header byte %zu", i);
		/* a changed label byte must be named as such */
		opens_not(bad, len, &f, i >= label_at ? ENV_CHANGED_LABEL : ENV_OK, what);
		free(bad);
	}
	free(plain);
	free(env);
	drop(&f);
}

Test(envelope, every_changed_payload_byte_is_caught)
{
	struct fixture f = keys();
	size_t len;
	uint8_t *plain = pattern(3000);
	uint8_t *env = seal_mem(&f.jpn, &f.kor.pub, 1, LABEL, plain, 3000, 1024, &len);
	size_t hl = header_len(env, len);
	for (size_t i = hl; i < len; i++) {
		env[i] ^= 0x01;
		char what[64];
		snprintf(what, sizeof what, "payload byte %zu", i);
		opens_not(env, len, &f, ENV_CORRUPTED, what);
		env[i] ^= 0x01;
	}
	free(plain);
	free(env);
	drop(&f);
}

/* Found by fuzz_envelope: the writer freed buffers the hasher still read. */
Test(envelope, a_corrupted_chunk_in_a_later_batch_stops_cleanly)
{
	struct fixture f = keys();
	size_t n = 3 << 20, len;
	uint8_t *plain = pattern(n);
	uint8_t *env = seal_mem(&f.jpn, &f.kor.pub, 1, LABEL, plain, n, 1024, &len);
	for (size_t at = len / 3; at < len; at += len / 5) {
		env[at] ^= 0x40;
		opens_not(env, len, &f, ENV_CORRUPTED, "a chunk in a later batch");
		env[at] ^= 0x40;
	}
	free(plain);
	free(env);
	drop(&f);
}

Test(envelope, a_swapped_label_is_named)
{
	struct fixture f = keys();
	const char *other = "{\"item\":\"t2\",\"level\":\"GOKUHI\",\"originator\":\"JPN\","
			    "\"releasable_to\":[\"KOR\"],\"title\":\"test item\"}";
	cr_assert_eq(strlen(other), strlen(LABEL));
	size_t la, lb;
	uint8_t *a = seal_mem(&f.jpn, &f.kor.pub, 1, LABEL, (const uint8_t *)"aaaa", 4, 0, &la);
	uint8_t *b = seal_mem(&f.jpn, &f.kor.pub, 1, other, (const uint8_t *)"bbbb", 4, 0, &lb);
	size_t ha = header_len(a, la), n = strlen(LABEL);
	/* b's label, signed by the same sender, put into a */
	memcpy(a + ha - n, b + header_len(b, lb) - n, n);
	opens_not(a, la, &f, ENV_CHANGED_LABEL, "label from another envelope");
	free(a);
	free(b);
	drop(&f);
}

Test(envelope, every_truncation_is_caught)
{
	struct fixture f = keys();
	size_t len;
	uint8_t *plain = pattern(5 * 1024 + 100);
	uint8_t *env = seal_mem(&f.jpn, &f.kor.pub, 1, LABEL, plain, 5 * 1024 + 100, 1024, &len);
	size_t hl = header_len(env, len), first = hl + ENV_STREAM_HEADER;
	for (size_t cut = 0; cut < len; cut++) {
		char what[64];
		snprintf(what, sizeof what, "cut to %zu of %zu bytes", cut, len);
		/* at a chunk boundary, the reason is the truncation itself */
		bool boundary = cut >= first && (cut - first) % (1024 + ENV_CHUNK_OVERHEAD) == 0;
		opens_not(env, cut, &f, boundary || cut < hl ? ENV_TRUNCATED : ENV_OK, what);
	}
	free(plain);
	free(env);
	drop(&f);
}

Test(envelope, data_after_the_final_chunk_is_caught)
{
	struct fixture f = keys();
	size_t len;
	uint8_t *env = seal_mem(&f.jpn, &f.kor.pub, 1, LABEL, (const uint8_t *)"x", 1, 1024, &len);
	for (size_t extra = 1; extra < 1200; extra += 97) {
		uint8_t *more = calloc(1, len + extra);
		memcpy(more, env, len);
		opens_not(more, len + extra, &f, ENV_OK, "bytes after the end");
		free(more);
	}
	free(env);
	drop(&f);
}

/*
 * A recipient knows the file key. It must still not be able to put other
 * content under the sender's header: the payload signature stops it.
 */
Test(envelope, a_recipient_cannot_forge_content)
{
	struct fixture f = keys();
	for (int v = 1; v <= ENV_VERSION; v++) {
		size_t len;
		uint8_t *env = seal_mem_v(v, &f.jpn, &f.kor.pub, 1, LABEL, (const uint8_t *)"real",
					  4, 0, &len);
		int fd = tmp_with(env, len);
		struct env_header h;
		enum env_check why;
		cr_assert_eq(envelope_read_header(fd, &h, &why, NULL), 0);
		close(fd);
		/* KOR opens its stanza and derives the payload key as docs/envelope.md says */
		uint8_t fk[ENV_FILE_KEY], pk[ENV_FILE_KEY], sh[ENV_STREAM_HEADER];
		cr_assert_eq(crypto_box_seal_open(fk, h.stanzas[0].sealed, ENV_SEALED_KEY,
						  f.kor.pub.box_pk, f.kor.box_sk),
			     0);
		hand_payload_key(env, &h, fk, pk);
		/* the real one opens first: its two signatures are remembered as
		 * verified (verify2), which must not pass anything else */
		struct lerr e = {0};
		cr_assert_eq(open_mem(env, len, &f.kor, &f.jpn.pub, &why, NULL, NULL, &e), 0, "%s",
			     e.msg);
		/* ... and writes "fake", then the real content again, with a
		 * signature of its own, in the version's own chunk cipher: the
		 * second is the very message the sender signed */
		for (int k = 0; k < 2; k++) {
			struct hand_stream hs;
			hand_init_push(&hs, v, sh, pk);
			uint8_t msg[4 + ENV_SIG], ct[sizeof msg + ENV_CHUNK_OVERHEAD];
			memcpy(msg, k ? "real" : "fake", 4);
			memset(msg + 4, 7, ENV_SIG);
			hand_push(&hs, ct, msg, sizeof msg,
				  crypto_secretstream_xchacha20poly1305_TAG_FINAL);
			size_t flen = h.header_len + sizeof sh + sizeof ct;
			uint8_t *forged = malloc(flen);
			memcpy(forged, env, h.header_len);
			memcpy(forged + h.header_len, sh, sizeof sh);
			memcpy(forged + h.header_len + sizeof sh, ct, sizeof ct);
			char what[64];
			snprintf(what, sizeof what, "content %s forged by a recipient, v%d",
				 k ? "real" : "fake", v);
			opens_not(forged, flen, &f, ENV_BAD_PAYLOAD, what);
			free(forged);
		}
		cr_assert_eq(open_mem(env, len, &f.kor, &f.jpn.pub, &why, NULL, NULL, &e), 0, "%s",
			     e.msg);
		envelope_header_free(&h);
		free(env);
	}
	drop(&f);
}

Test(envelope, refuses_bad_seal_arguments)
{
	struct fixture f = keys();
	struct lerr e = {0};
	int in = tmp_with("x", 1), out = tmp_with("", 0);
	struct key_public twice[2] = {f.kor.pub, f.kor.pub};
	struct env_seal_args a = {
	    .from = &f.jpn, .to = twice, .nto = 2, .label = LABEL, .label_len = strlen(LABEL)};
	cr_assert_eq(envelope_seal(in, out, &a, NULL, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "named twice"), "%s", e.msg);
	a.nto = 0;
	cr_assert_eq(envelope_seal(in, out, &a, NULL, &e), LERR_INVAL);
	a.nto = 1;
	a.chunk = 100;
	cr_assert_eq(envelope_seal(in, out, &a, NULL, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "chunk size 100"), "%s", e.msg);
	size_t n;
	free(slurp(out, &n));
	cr_assert_eq(n, 0, "nothing written on refusal");
	close(in);
	close(out);
	drop(&f);
}

Test(envelope, refuses_what_is_not_an_envelope)
{
	struct fixture f = keys();
	const char *junk = "this is not an envelope at all, just some text";
	opens_not((const uint8_t *)junk, strlen(junk), &f, ENV_MALFORMED, "text");
	opens_not((const uint8_t *)"LIAIS", 5, &f, ENV_TRUNCATED, "5 bytes");
	uint8_t v2[64] = "LIAISENV\x02";
	opens_not(v2, sizeof v2, &f, ENV_MALFORMED, "version 2");
	uint8_t v4[64] = "LIAISENV\x04";
	opens_not(v4, sizeof v4, &f, ENV_MALFORMED, "version 4");
	drop(&f);
}

/* A peer's label names its item's id, which then names the item in the
 * API's paths: an id that a router or a browser would read as another path
 * (a '/', a '%', dots) is refused, canonical or not. */
Test(envelope, a_label_whose_item_id_is_a_path_is_refused)
{
	const char *bad[] = {"b45b878f7f96aaeed273d86e/content", "..", "a%2Fb", "a.b", "a:b", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[512];
		struct label l;
		struct lerr e = {0};
		snprintf(text, sizeof text,
			 "{\"item\":\"%s\",\"level\":\"GOKUHI\",\"originator\":\"JPN\","
			 "\"releasable_to\":[\"KOR\"],\"title\":\"t\"}",
			 bad[i]);
		cr_expect_lt(label_parse_canonical(text, strlen(text), &l, &e), 0, "%s", bad[i]);
		cr_expect(strstr(e.msg, "item") != NULL, "%s: %s", bad[i], e.msg);
	}
	const char *good = "{\"item\":\"b45b878f7f96aaeed273d86e\",\"level\":\"GOKUHI\","
			   "\"originator\":\"JPN\",\"releasable_to\":[\"KOR\"],\"title\":\"t\"}";
	struct label l;
	struct lerr e = {0};
	cr_expect_eq(label_parse_canonical(good, strlen(good), &l, &e), 0, "%s", e.msg);
}

/* Ids are one namespace: an id that names a party (2-8 capitals and '-') is
 * that party's, so that no party takes one another will use; an id that
 * names none is anyone's (ids made before), and new ids name the originator. */
Test(envelope, an_item_id_that_names_a_party_is_that_partys)
{
	static const struct {
		const char *id, *names; /* names: NULL when the id names no party */
	} cases[] = {
	    {"USA-0123abcd", "USA"}, {"NATO-1", "NATO"}, {"ABCDEFGH-x", "ABCDEFGH"},
	    {"ABCDEFGHI-x", NULL},   {"J-1", NULL},	 {"Jpn-1", NULL},
	    {"JPN", NULL},	     {"JPN_1", NULL},	 {"-JPN", NULL},
	    {"b45b878f7f96", NULL},  {"JPN-", "JPN"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char party[PARTY_CODE_MAX] = "";
		bool named = label_id_party(cases[i].id, party);
		cr_expect_eq(named, cases[i].names != NULL, "%s", cases[i].id);
		if (named && cases[i].names)
			cr_expect_str_eq(party, cases[i].names, "%s", cases[i].id);
	}
	/* what a node seals must name its originator */
	struct label l = {.item = "USA-0123abcd", .originator = "KOR"};
	struct lerr e = {0};
	cr_expect_eq(label_id_owner_check(&l, &e), LERR_INVAL);
	cr_expect(strstr(e.msg, "item: \"USA-0123abcd\" does not name KOR, its originator") != NULL,
		  "%s", e.msg);
	strcpy(l.originator, "USA");
	cr_expect_eq(label_id_owner_check(&l, &e), 0);
	const char *unnamed[] = {"b45b878f7f96aaeed273d86e", "SITREP-7", "USAF-1", "US-1"};
	for (size_t i = 0; i < sizeof unnamed / sizeof unnamed[0]; i++) {
		strcpy(l.item, unnamed[i]);
		cr_expect_eq(label_id_owner_check(&l, &e), LERR_INVAL, "%s", unnamed[i]);
	}
	/* a new id names its originator, and two are never the same */
	char first[LABEL_WORD_MAX];
	strcpy(l.originator, "NATO");
	label_new_id(&l);
	strcpy(first, l.item);
	cr_expect_eq(strlen(first), 5 + 24, "%s", first);
	cr_expect_eq(strncmp(first, "NATO-", 5), 0, "%s", first);
	cr_expect_eq(label_id_owner_check(&l, &e), 0);
	cr_expect_eq(label_id_check(l.item, &e), 0);
	label_new_id(&l);
	cr_expect_str_neq(l.item, first);
}

/* crypto/kept.c: a thread's guarded room comes back wiped, and is used again. */
Test(kept, a_room_comes_back_wiped_and_is_used_again)
{
	uint8_t *p = kept_take(KEPT_KEYS, 64);
	cr_assert_not_null(p);
	memset(p, 0xab, 64);
	kept_give(KEPT_KEYS, p);
	uint8_t *q = kept_take(KEPT_KEYS, 64);
	cr_assert_eq(q, p, "the thread's room is used again");
	for (size_t i = 0; i < KEPT_ROOM; i++)
		cr_assert_eq(q[i], 0, "byte %zu of a room given back is not wiped", i);
	/* taken twice at once: the second gets a room of its own */
	uint8_t *r = kept_take(KEPT_KEYS, 64);
	cr_assert_not_null(r);
	cr_assert_neq(r, q);
	kept_give(KEPT_KEYS, r);
	kept_give(KEPT_KEYS, q);
	cr_assert_null(kept_take(KEPT_STREAM, KEPT_ROOM + 1));
}
