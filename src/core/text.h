/*
 * text.h - small, pure helpers for text from outside: UTF-8 checks (every
 * string that goes into JSON must be valid UTF-8) and the nearest of a set
 * of known words, for "did you mean" in error messages.
 */
#ifndef LIAISON_CORE_TEXT_H
#define LIAISON_CORE_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/*
 * The length of the UTF-8 sequence at s (1-4), or 0 when it is not one
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF, no
 * sequence cut by the end at left bytes).
 */
size_t utf8_seq_len(const unsigned char *s, size_t left) __attribute__((nonnull));

/* Whether s[0..n) is all valid UTF-8 (NUL bytes count as invalid). */
bool utf8_valid(const char *s, size_t n) __attribute__((nonnull));

/*
 * Copies the NUL-terminated s into out (n > 0 bytes, always terminated),
 * each byte that is not part of a valid UTF-8 sequence replaced by '?';
 * a sequence that does not fit whole is left out. Returns out.
 */
char *utf8_scrub(const char *s, char *out, size_t n) __attribute__((nonnull));

/*
 * Whether the code point of the valid UTF-8 sequence at s (k bytes) is one
 * a terminal would act on rather than show: a C0 or C1 control, DEL, or a
 * bidirectional override or isolate (U+202A-U+202E, U+2066-U+2069), which
 * can make a line read other than it is.
 */
bool text_is_control(const unsigned char *s, size_t k) __attribute__((nonnull));

/* The code point of the valid UTF-8 sequence at s, k bytes long. */
unsigned long text_code_point(const unsigned char *s, size_t k) __attribute__((nonnull));

/*
 * JSON text (len bytes at s) as it may be shown: each character that
 * text_is_control names as a \uXXXX escape, which a JSON reader reads back
 * as the same character (in JSON such a character is inside a string), a
 * byte that is not UTF-8 as \ufffd. out has room for 6 * len + 1 bytes.
 * Returns out.
 */
char *text_json_shown(const char *s, size_t len, char *out) __attribute__((nonnull));

/*
 * Copies the NUL-terminated s into out (n > 0 bytes, always terminated)
 * as text safe to show on a terminal: each control (text_is_control) as
 * \uXXXX, each byte that is not UTF-8 as \xNN, a backslash as \\; what
 * does not fit whole is left out. Returns out.
 */
char *text_escape(const char *s, char *out, size_t n) __attribute__((nonnull));

/*
 * Checks text shown on other people's screens (a title, a name): valid
 * UTF-8, one line, no control (C0, DEL, C1), no bidirectional override or
 * isolate. Direction marks and line or paragraph separators are taken
 * (pasted text holds them, and older builds stored them): text_escape
 * shows them escaped. LERR_INVAL "what: ..." naming the byte.
 */
int text_line_check(const char *s, const char *what, struct lerr *e) __attribute__((nonnull(1, 2)));

/*
 * Drops a UTF-8 sequence cut by the end of s (what snprintf leaves when
 * the text did not fit), so that s stays valid UTF-8 if it was. Returns s.
 */
char *text_trim_utf8(char *s) __attribute__((nonnull));

/*
 * Whether the NUL-terminated a and b are the same text: strcmp's answer,
 * inline, for the short codes and words a decision compares dozens of
 * times (a call to the C library's strcmp costs more than the bytes).
 */
static inline bool text_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/*
 * Whether part occurs in s, ASCII letters compared without regard to case
 * and every other byte as it is (a Japanese or Korean part matches byte for
 * byte). An empty part occurs in every s.
 */
bool text_contains_folded(const char *s, const char *part) __attribute__((nonnull));

/*
 * vsnprintf(buf, n, fmt, ap) for formats whose conversions are only %s, %d
 * and %%, several times faster than the C library's (a decision's words are
 * most of its cost); a format with any other conversion is passed to
 * vsnprintf whole. The same result: the text, cut to n - 1 bytes, and the
 * length the whole text has.
 */
int text_vformat(char *buf, size_t n, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* The same, as snprintf. */
int text_format(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Appends s to the text of *len bytes in buf (n bytes), as
 * text_format(buf + *len, n - *len, "%s", s) would, and adds all of s's
 * length to *len, whether it fit or not (once *len >= n, nothing more is
 * written). buf stays terminated.
 */
void text_append(char *buf, size_t n, size_t *len, const char *s) __attribute__((nonnull));

/* Steps *s (of *n bytes) past a UTF-8 byte-order mark, if it starts with one. */
void text_skip_bom(const char **s, size_t *n) __attribute__((nonnull));

/* Whether text_escape would change s. */
bool text_needs_escape(const char *s) __attribute__((nonnull));

/*
 * The nearest of cands[0..n) to word (edit distance, letters compared
 * without regard to case), or NULL when none is near enough to be a
 * likely typo (more than a third of the word's length apart, and always
 * when more than 3 edits). Ties go to the first.
 */
const char *text_nearest(const char *word, const char *const *cands, size_t n)
    __attribute__((nonnull(1)));

/* The same over an array of n fixed-width words (stride bytes apart). */
const char *text_nearest_in(const char *word, const char *words, size_t stride, size_t n)
    __attribute__((nonnull(1)));

#endif
