/* test_json_out.c - the daemon's JSON writer writes jansson's bytes: random
 * trees, every escape, a decision; refuses each kind of bad UTF-8 and too
 * deep a nesting; its own memory when the caller's buffer is short. */
#include <jansson.h>
#include <stdint.h>

#include "helpers.h"
#include "net/json_out.h"

TestSuite(json_out, .fini = leak_check);

/* json_out's bytes, which must be jansson's compact bytes */
static void assert_as_jansson(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	cr_assert_not_null(want);
	char buf[64];
	size_t n = 0;
	char *got = json_out(v, buf, sizeof buf, &n);
	cr_assert_not_null(got, "refused %s", want);
	cr_assert_eq(n, strlen(want), "%.*s != %s", (int)n, got, want);
	cr_assert_eq(memcmp(got, want, n), 0, "%.*s != %s", (int)n, got, want);
	cr_assert_eq(got == buf, n <= sizeof buf, "the caller's buffer used when it fits");
	if (got != buf)
		free(got);
	free(want);
}

static bool contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return true;
	return false;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static unsigned next(unsigned below)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % below);
}

/* a string of ASCII (control characters, quotes and backslashes among it)
 * and valid multi-byte UTF-8 */
static json_t *random_string(void)
{
	static const char *pieces[] = {"a",
				       "Z",
				       " ",
				       "\"",
				       "\\",
				       "/",
				       "\n",
				       "\t",
				       "\r",
				       "\b",
				       "\f",
				       "\x01",
				       "\x1f",
				       "\x7f",
				       "\xc3\xa9",
				       "\xe4\x90\x80",
				       "\xef\xbf\xbf",
				       "\xf0\x9f\x98\x80",
				       "\xf4\x8f\xbf\xbf",
				       "R-NTK"};
	char s[256];
	size_t n = 0, count = next(12);
	for (size_t i = 0; i < count; i++) {
		const char *p = pieces[next(sizeof pieces / sizeof *pieces)];
		size_t k = strlen(p);
		memcpy(s + n, p, k);
		n += k;
	}
	if (next(8) == 0) /* a NUL inside */
		s[n++] = '\0';
	return json_stringn(s, n);
}

static json_t *random_value(int depth)
{
	unsigned kind = depth > 4 ? next(6) : next(8);
	switch (kind) {
	case 0:
		return json_true();
	case 1:
		return json_false();
	case 2:
		return json_null();
	case 3: {
		static const json_int_t ints[] = {0, -1, 7, INT64_MAX, INT64_MIN};
		return json_integer(next(2) ? ints[next(5)] : (json_int_t)next(1000000) - 500000);
	}
	case 4:
		return json_real((double)next(100000) / 64.0 - 700.0);
	case 5:
		return random_string();
	case 6: {
		json_t *a = json_array();
		for (unsigned i = next(5); i > 0; i--)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (unsigned i = next(5); i > 0; i--) {
			json_t *k = random_string();
			/* a key is a C string: cut at a NUL */
			json_object_set_new(o, json_string_value(k), random_value(depth + 1));
			json_decref(k);
		}
		return o;
	}
	}
}

Test(json_out, random_trees_as_jansson_writes_them)
{
	for (int i = 0; i < 3000; i++) {
		json_t *v = random_value(0);
		cr_assert_not_null(v);
		assert_as_jansson(v);
		json_decref(v);
	}
}

Test(json_out, every_escape)
{
	char all[128];
	for (int c = 1; c < 128; c++)
		all[c - 1] = (char)c;
	json_t *v = json_pack("{s:s%, s:[s, s, s]}", "ascii", all, (size_t)127, "",
			      "\xe2\x80\xa8 line separator", "", "caf\xc3\xa9");
	cr_assert_not_null(v);
	assert_as_jansson(v);
	size_t n;
	char buf[1024];
	char *got = json_out(v, buf, sizeof buf, &n);
	cr_assert_not_null(got);
	/* control characters in upper-case hex, as jansson writes them */
	cr_assert(contains(got, n, "\\u001F !\\\"#"));
	cr_assert(contains(got, n, "\\b\\t\\n\\u000B\\f\\r"));
	cr_assert(contains(got, n, "./0"), "no escaped slash");
	json_decref(v);
}

Test(json_out, a_decision)
{
	json_t *v = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:b, s:s, s:s}, {s:s, s:b, s:s, s:s}]}", "decision",
	    "PERMIT", "action", "read", "person", "sato", "item", "1473cb14013d88618333afa0",
	    "date", "2019-09-01", "rules", "id", "R-ROLE", "ok", 1, "detail",
	    "read needs the role analyst; sato has it", "clause", "Art. 6, 13, 17", "id", "R-NTK",
	    "ok", 0, "detail", "the item needs the group \"MISSILE-WARNING\"", "clause", "Art. 7");
	cr_assert_not_null(v);
	assert_as_jansson(v);
	json_decref(v);
}

Test(json_out, bad_utf8_refused)
{
	static const char *bad[] = {
	    "\x80",		/* a continuation byte first */
	    "\xc0\xaf",		/* an overlong '/' */
	    "\xc1\xbf",		/* an overlong two-byte form */
	    "\xe0\x80\xaf",	/* an overlong three-byte form */
	    "\xf0\x80\x80\xaf", /* an overlong four-byte form */
	    "\xed\xa0\x80",	/* a surrogate, U+D800 */
	    "\xf4\x90\x80\x80", /* U+110000 */
	    "\xf5\x80\x80\x80", /* a lead byte past the last */
	    "\xe4\x90",		/* cut short */
	    "\xc3\x28",		/* a continuation that is not one */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *s = json_string_nocheck(bad[i]);
		json_t *o = json_pack("{s:[s, O]}", "k", "fine", s);
		char buf[64];
		size_t n = 0;
		cr_assert_null(json_out(s, buf, sizeof buf, &n), "bad UTF-8 %zu written", i);
		cr_assert_null(json_out(o, buf, sizeof buf, &n), "bad UTF-8 %zu written inside", i);
		cr_assert_eq(json_dumpb(o, buf, sizeof buf, JSON_COMPACT), 0,
			     "jansson refuses too");
		json_object_set_new_nocheck(o, bad[i], json_true()); /* and as a key */
		cr_assert_null(json_out(o, buf, sizeof buf, &n), "bad UTF-8 key %zu written", i);
		json_decref(o);
		json_decref(s);
	}
}

Test(json_out, depth_limit)
{
	json_t *v = json_array();
	for (int i = 0; i < JSON_OUT_DEPTH; i++) {
		json_t *outer = json_array();
		json_array_append_new(outer, v);
		v = outer;
	}
	size_t n = 0;
	char *got = json_out(v, NULL, 0, &n); /* depth 64: written, in memory of its own */
	cr_assert_not_null(got);
	cr_assert_eq(n, 2 * (JSON_OUT_DEPTH + 1));
	free(got);
	json_t *outer = json_array();
	json_array_append_new(outer, v);
	cr_assert_null(json_out(outer, NULL, 0, &n), "one level deeper is refused");
	json_decref(outer);
}

Test(json_out, large_value_outgrows_the_buffer)
{
	json_t *a = json_array();
	for (int i = 0; i < 5000; i++)
		json_array_append_new(a, json_sprintf("item %d \"quoted\" caf\xc3\xa9", i));
	assert_as_jansson(a);
	char exact[16];
	json_t *small = json_pack("[s]", "0123456789ab"); /* ["0123456789ab"]: 16 bytes */
	size_t n = 0;
	cr_assert_eq(json_out(small, exact, sizeof exact, &n), exact, "exactly fits");
	cr_assert_eq(n, 16);
	cr_assert_eq(memcmp(exact, "[\"0123456789ab\"]", 16), 0);
	json_decref(small);
	json_decref(a);
}
