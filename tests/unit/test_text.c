/* test_text.c - UTF-8 checks, the nearest known word (core/text.h), and
 * the one table of error kinds (core/err.h). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/text.h"
#include "helpers.h"

TestSuite(text, .fini = leak_check);

Test(text, utf8_valid_takes_japanese_and_korean_and_refuses_broken_bytes)
{
	const char *ok[] = {"", "plain", "極秘", "군사II급비밀", "\xf0\x9f\x98\x80"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		cr_assert(utf8_valid(ok[i], strlen(ok[i])), "refused \"%s\"", ok[i]);
	/* a lone continuation byte, an overlong '/', a surrogate, past U+10FFFF,
	 * a sequence cut short, 0xff */
	const char *bad[] = {"a\x80",	 "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
			     "\xe6\xa5", "\xff"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert(!utf8_valid(bad[i], strlen(bad[i])), "accepted bad input %zu", i);
	cr_assert(!utf8_valid("a\0b", 3), "a NUL byte passed");
}

Test(text, utf8_scrub_replaces_each_bad_byte_and_keeps_whole_characters)
{
	char out[32];
	cr_assert_str_eq(utf8_scrub("ti\xfftle \x80!", out, sizeof out), "ti?tle ?!");
	cr_assert_str_eq(utf8_scrub("極秘", out, sizeof out), "極秘");
	/* room for one character of three bytes and a half: the half is left out */
	cr_assert_str_eq(utf8_scrub("極秘", out, 5), "極");
	cr_assert(utf8_valid(out, strlen(out)));
}

Test(text, nearest_suggests_typos_and_nothing_for_strangers)
{
	const char *roles[] = {"analyst", "originator", "security-officer", "registrar", "auditor"};
	cr_assert_str_eq(text_nearest("anaylst", roles, 5), "analyst");
	cr_assert_str_eq(text_nearest("REGISTRAR", roles, 5), "registrar");
	cr_assert_str_eq(text_nearest("auditr", roles, 5), "auditor");
	cr_assert_null(text_nearest("xyz", roles, 5));
	cr_assert_null(text_nearest("spy", roles, 5));
	const char parties[][9] = {"JPN", "KOR", "USA"};
	cr_assert_str_eq(text_nearest_in("KRO", &parties[0][0], 9, 3), "KOR");
	cr_assert_null(text_nearest_in("XYZ", &parties[0][0], 9, 3));
	cr_assert_null(text_nearest("a", NULL, 0));
}

Test(text, every_error_code_has_one_name_status_and_exit)
{
	cr_assert_str_eq(lerr_kind(LERR_INVAL)->name, "invalid");
	cr_assert_eq(lerr_kind(LERR_INVAL)->http, 400);
	cr_assert_eq(lerr_kind(LERR_NOTFOUND)->http, 404);
	cr_assert_eq(lerr_kind(LERR_FORBIDDEN)->http, 403);
	cr_assert_eq(lerr_kind(LERR_FORBIDDEN)->exit, 3);
	cr_assert_eq(lerr_kind(LERR_DENIED)->http, 403);
	cr_assert_str_eq(lerr_kind(LERR_DENIED)->name, "denied");
	cr_assert_eq(lerr_kind(LERR_USAGE)->exit, 2);
	cr_assert_eq(lerr_kind(LERR_REFUSED)->http, 409);
	cr_assert_eq(lerr_kind(LERR_STORE)->http, 503); /* the store did not answer: try again */
	cr_assert_eq(lerr_kind(LERR_IO)->http, 500);
	cr_assert_str_eq(lerr_kind(-99)->name, "internal");
	cr_assert_eq(lerr_kind(-99)->http, 500);
	for (int c = 0; c > -LERR__COUNT; c--) {
		cr_assert_not_null(lerr_kind(c)->name, "code %d has no name", c);
		cr_assert_eq(lerr_code(lerr_kind(c)->name), c, "%s", lerr_kind(c)->name);
	}
	cr_assert_eq(lerr_code("no such kind"), LERR_IO);
	/* a field named, then cleared by the next error */
	struct lerr e = {0};
	lerr_set(&e, LERR_INVAL, "to: not a party");
	lerr_field(&e, "to");
	cr_assert_str_eq(e.field, "to");
	lerr_set(&e, LERR_IO, "disk");
	cr_assert_str_eq(e.field, "");
}

Test(text, escape_what_a_terminal_would_act_on)
{
	char out[128];
	cr_assert(!text_needs_escape("Launch 発射 warning"));
	cr_assert_str_eq(text_escape("Launch 発射 warning", out, sizeof out),
			 "Launch 発射 warning");
	/* C0, DEL, C1 (U+009B, the CSI), a bidi override, a byte not UTF-8, a backslash */
	cr_assert(text_needs_escape("a\x1b[31mred"));
	cr_assert_str_eq(text_escape("a\x1b[31mred\n", out, sizeof out), "a\\u001b[31mred\\u000a");
	cr_assert_str_eq(text_escape("x\x7fy\xc2\x9bz", out, sizeof out), "x\\u007fy\\u009bz");
	cr_assert_str_eq(text_escape("abc\xe2\x80\xaetxt.exe", out, sizeof out),
			 "abc\\u202etxt.exe");
	cr_assert_str_eq(text_escape("\xff\\", out, sizeof out), "\\xff\\\\");
	/* what does not fit whole is left out */
	cr_assert_str_eq(text_escape("ab\x1b", out, 7), "ab");
	cr_assert_str_eq(text_escape("ab\x1b", out, 9), "ab\\u001b");
	/* line and paragraph separators, direction marks: they act as well */
	cr_assert_str_eq(text_escape("a\xe2\x80\xa8"
				     "b\xe2\x80\x8f"
				     "c",
				     out, sizeof out),
			 "a\\u2028b\\u200fc");
}

Test(text, json_shown_escapes_what_acts_and_reads_back_the_same)
{
	/* a peer's note as an entry keeps: a bidi override, NEL, a line separator */
	const char *in =
	    "{\"by\":\"\xe2\x80\xaeKOR \xc2\x85 forged\xe2\x80\xa8line\",\"t\":\"発射\"}";
	char out[6 * 128 + 1];
	cr_assert_str_eq(text_json_shown(in, strlen(in), out),
			 "{\"by\":\"\\u202eKOR \\u0085 forged\\u2028line\",\"t\":\"発射\"}");
	json_t *a = json_loads(in, 0, NULL), *b = json_loads(out, 0, NULL);
	cr_assert(a && b && json_equal(a, b), "the escapes read back as the same JSON");
	json_decref(a);
	json_decref(b);
	cr_assert_str_eq(text_json_shown("\"x\xffy\"", 5, out), "\"x\\ufffdy\"");
}

Test(text, contains_folded_folds_ascii_letters_only)
{
	cr_assert(text_contains_folded("Launch from the WEST coast", "west"));
	cr_assert(text_contains_folded("Launch from the west coast", "LAUNCH FROM"));
	cr_assert(text_contains_folded("abc", ""), "an empty part is in every text");
	cr_assert(text_contains_folded("", ""));
	cr_assert_not(text_contains_folded("", "a"));
	cr_assert_not(text_contains_folded("launch", "launches"));
	cr_assert_not(text_contains_folded("a-b", "a_b"), "only letters fold");
	cr_assert(text_contains_folded("北朝鮮 弾道ミサイル発射", "ミサイル"));
	cr_assert(text_contains_folded("군사 II급 비밀 Report", "ii급"));
	/* non-ASCII letters are compared byte for byte: no Unicode folding */
	cr_assert_not(text_contains_folded("ÉCOLE", "école"));
	cr_assert(text_contains_folded("ÉCOLE", "Écol"));
	/* a byte with its high bit set is never folded into an ASCII letter */
	cr_assert_not(text_contains_folded("\xc3\x89", "\xc3\xa9"));
}

/* text_vformat and vsnprintf on the same format and arguments */
static int both(char *mine, char *libc, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int both(char *mine, char *libc, size_t n, const char *fmt, ...)
{
	va_list a, b;
	va_start(a, fmt);
	va_copy(b, a);
	memset(mine, 'x', 80);
	memset(libc, 'x', 80);
	int w = text_vformat(mine, n, fmt, a);
	int v = vsnprintf(libc, n, fmt, b);
	va_end(b);
	va_end(a);
	cr_assert_eq(w, v, "\"%s\" in %zu: %d, the C library %d", fmt, n, w, v);
	cr_assert_eq(memcmp(mine, libc, 80), 0, "\"%s\" in %zu: \"%.80s\", the C library \"%.80s\"",
		     fmt, n, mine, libc);
	return w;
}

Test(text, vformat_writes_what_vsnprintf_writes_at_every_size)
{
	char mine[80], libc[80];
	const char *dpk = "\xed\x95\x9c\xea\xb5\xad"; /* 한국 */
	const char *volatile none = NULL;	      /* unseen by the compiler's checks */
	for (size_t n = 0; n <= 60; n++) {
		both(mine, libc, n, "JPN-KOR %s on %s: %d days, 100%% (%s)", "in-force",
		     "2019-11-23", -90, dpk);
		both(mine, libc, n, "%d %d %d %d", 0, 7, 2147483647, -2147483647 - 1);
		both(mine, libc, n, "%s%s%%%s", "", "a", "b");
		both(mine, libc, n, "no conversion at all");
		both(mine, libc, n, "%s", "");
		both(mine, libc, n, "%s",
		     "an argument longer than the format and than some buffers");
		both(mine, libc, n, "%s", none);
		/* other conversions: the C library's, whole */
		both(mine, libc, n, "%s is %u, %.3s, %5d", "x", 42u, "abcdef", 12);
	}
	cr_assert_eq(both(mine, libc, sizeof mine, "%d%%", 5), 2);
	cr_assert_str_eq(mine, "5%");
}

/* A small random generator, the same every run. */
static uint64_t rng = 0x2545F4914F6CDD1Dull;
static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Random text of up to max bytes from a set with quotes, '%', a
 * backslash and a Korean character's bytes, into out. */
static void random_text(char *out, unsigned max)
{
	static const char *const parts[] = {"a", "Z", " ", "\"", "%", "\\", "\xed\x95\x9c", "0"};
	size_t len = 0, n = next(max + 1);
	out[0] = '\0';
	while (len < n) {
		const char *p = parts[next(sizeof parts / sizeof parts[0])];
		if (len + strlen(p) > max)
			break;
		strcpy(out + len, p);
		len += strlen(p);
	}
}

/* text_vformat and vsnprintf on random formats of text, %d, %s and %%, with
 * arguments a hostile name could hold, at random sizes */
Test(text, vformat_writes_what_vsnprintf_writes_on_random_formats)
{
	char mine[80], libc[80];
	for (int round = 0; round < 20000; round++) {
		char fmt[128] = "", run[16], arg[4][72];
		static const char *const slots[] = {"%s", "%%", ""};
		for (int k = 0; k < 5; k++) {
			random_text(run, 8);
			for (char *c = run; *c; c++) /* a '%' of the format is a slot's */
				if (*c == '%')
					*c = '+';
			strcat(fmt, run);
			strcat(fmt, k == 0 ? "%d" : slots[next(3)]);
		}
		for (int k = 0; k < 4; k++)
			random_text(arg[k], 70);
		int v = (int)(next(1u << 31)) - (int)next(1u << 31);
		both(mine, libc, next(81), fmt, v, arg[0], arg[1], arg[2], arg[3]);
	}
}

/* text_append: pieces joined as snprintf would write them whole, at every size */
Test(text, append_joins_as_snprintf_at_every_size)
{
	const char *const parts[] = {"analyst", " or ", "", "security-officer", "\xed\x95\x9c"};
	for (size_t n = 0; n <= 40; n++) {
		char mine[48], libc[48];
		memset(mine, 'x', sizeof mine);
		memset(libc, 'x', sizeof libc);
		size_t len = 0;
		if (n)
			mine[0] = '\0';
		for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
			text_append(mine, n, &len, parts[i]);
		int w = snprintf(libc, n, "%s%s%s%s%s", parts[0], parts[1], parts[2], parts[3],
				 parts[4]);
		cr_assert_eq(len, (size_t)w, "in %zu: %zu counted, snprintf %d", n, len, w);
		cr_assert_eq(memcmp(mine, libc, sizeof mine), 0,
			     "in %zu: \"%.48s\", snprintf \"%.48s\"", n, mine, libc);
	}
}

Test(text, a_line_takes_direction_marks_and_separators_that_display_escapes)
{
	/* a title pasted with a left-to-right mark, as older builds stored it */
	struct lerr e = {0};
	cr_assert_eq(text_line_check("Launch \xe2\x80\x8e(LRM) \xe2\x80\xa8" "x", "title", &e), 0,
		     "%s", e.msg);
	char out[64];
	cr_assert_str_eq(text_escape("a\xe2\x80\x8e" "b", out, sizeof out), "a\\u200eb");
	/* an override, C1: still refused */
	cr_assert_lt(text_line_check("a\xe2\x80\xae" "b", "title", &e), 0);
	cr_assert_lt(text_line_check("a\xc2\x85" "b", "title", &e), 0);
}
