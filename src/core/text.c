/* text.c - UTF-8 checks and the nearest known word (see text.h). */
#include "text.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t utf8_seq_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v;
	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0; /* a continuation byte, or an overlong two-byte form */
	if (c < 0xE0) {
		n = 2;
		v = c & 0x1F;
	} else if (c < 0xF0) {
		n = 3;
		v = c & 0x0F;
	} else if (c < 0xF5) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
	    (n == 4 && v < 0x10000))
		return 0;
	return n;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t k = u[i] ? utf8_seq_len(u + i, n - i) : 0;
		if (!k)
			return false;
		i += k;
	}
	return true;
}

char *utf8_scrub(const char *s, char *out, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s), o = 0;
	for (size_t i = 0; i < left;) {
		size_t k = utf8_seq_len(u + i, left - i);
		if (!k) { /* one byte that is not UTF-8 */
			if (o + 1 >= n)
				break;
			out[o++] = '?';
			i++;
			continue;
		}
		if (o + k >= n)
			break;
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
	return out;
}

unsigned long text_code_point(const unsigned char *s, size_t k)
{
	if (k == 1)
		return s[0];
	unsigned long c = s[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++)
		c = (c << 6) | (s[i] & 0x3f);
	return c;
}

bool text_is_control(const unsigned char *s, size_t k)
{
	unsigned long c = text_code_point(s, k);
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x200e || c == 0x200f ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

char *text_json_shown(const char *s, size_t len, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq_len(u + i, len - i);
		if (!k) { /* not UTF-8: no JSON text has it */
			memcpy(out + o, "\\ufffd", 6);
			o += 6;
			i++;
		} else if (text_is_control(u + i, k)) {
			o += (size_t)snprintf(out + o, 7, "\\u%04lx", text_code_point(u + i, k));
			i += k;
		} else {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		}
	}
	out[o] = '\0';
	return out;
}

bool text_needs_escape(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s);
	for (size_t i = 0; i < left;) {
		size_t k = utf8_seq_len(u + i, left - i);
		if (!k || u[i] == '\\' || text_is_control(u + i, k))
			return true;
		i += k;
	}
	return false;
}

char *text_escape(const char *s, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s), o = 0;
	for (size_t i = 0; i < left;) {
		size_t k = utf8_seq_len(u + i, left - i);
		char esc[8];
		size_t el = 0;
		if (!k) { /* a byte that is not UTF-8 */
			esc[0] = '\\', esc[1] = 'x', esc[2] = hex[u[i] >> 4],
			esc[3] = hex[u[i] & 15];
			el = 4, k = 1;
		} else if (u[i] == '\\') {
			esc[0] = esc[1] = '\\';
			el = 2;
		} else if (text_is_control(u + i, k)) {
			unsigned long c = text_code_point(u + i, k);
			esc[0] = '\\', esc[1] = 'u';
			for (int d = 0; d < 4; d++)
				esc[2 + d] = hex[(c >> (12 - 4 * d)) & 15];
			el = 6;
		}
		const char *from = el ? esc : s + i;
		size_t len = el ? el : k;
		if (o + len >= n)
			break;
		memcpy(out + o, from, len);
		o += len;
		i += k;
	}
	out[o] = '\0';
	return out;
}

#define WORD_CMP_MAX 64 /* longer words are compared on their first 63 bytes */

/* The edit distance (insertions, deletions, substitutions and swaps of two
 * neighbours, without regard to ASCII case) between a and b, each cut at
 * WORD_CMP_MAX - 1 bytes. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strnlen(a, WORD_CMP_MAX - 1), lb = strnlen(b, WORD_CMP_MAX - 1);
	size_t rows[3][WORD_CMP_MAX]; /* row i is rows[i % 3]: rows i-2, i-1 and i */
	for (size_t j = 0; j <= lb; j++)
		rows[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *old = rows[(i + 1) % 3], *prev = rows[(i - 1) % 3], *cur = rows[i % 3];
		int ca = tolower((unsigned char)a[i - 1]);
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int cb = tolower((unsigned char)b[j - 1]);
			size_t best = prev[j - 1] + (ca != cb);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && old[j - 2] + 1 < best)
				best = old[j - 2] + 1;
			cur[j] = best;
		}
	}
	return rows[la % 3][lb];
}

/* Keeps cand in *best when it is nearer to word than *bd. */
static void consider(const char *word, const char *cand, const char **best, size_t *bd)
{
	size_t d = distance(word, cand);
	if (d < *bd) {
		*bd = d;
		*best = cand;
	}
}

/* best, when near enough to word to be a typo of it. */
static const char *near(const char *word, const char *best, size_t d)
{
	size_t len = strlen(word);
	return best && d <= 3 && d * 3 <= (len > 3 ? len : 3) ? best : NULL;
}

const char *text_nearest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bd = SIZE_MAX;
	for (size_t i = 0; cands && i < n; i++)
		consider(word, cands[i], &best, &bd);
	return near(word, best, bd);
}

const char *text_nearest_in(const char *word, const char *words, size_t stride, size_t n)
{
	const char *best = NULL;
	size_t bd = SIZE_MAX;
	for (size_t i = 0; words && i < n; i++)
		consider(word, words + i * stride, &best, &bd);
	return near(word, best, bd);
}

/* What a line of text (a title, a name) may not hold: controls (C0, DEL, C1) and
 * bidirectional overrides and isolates. Direction marks and the separators are
 * taken (copied text holds them; labels stored by older builds may): display
 * escapes them (text_is_control). */
static bool line_forbids(const unsigned char *s, size_t k)
{
	unsigned long c = text_code_point(s, k);
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

int text_line_check(const char *s, const char *what, struct lerr *e)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq_len(u + i, n - i);
		if (!k)
			return lerr_set(e, LERR_INVAL, "%s: not valid UTF-8 (byte %zu)", what, i);
		if (line_forbids(u + i, k))
			return lerr_set(e, LERR_INVAL,
					"%s: a control character at byte %zu: it is one line of "
					"text, shown as it reads",
					what, i);
		i += k;
	}
	return 0;
}

char *text_trim_utf8(char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	while (i < n) {
		size_t k = utf8_seq_len(u + i, n - i);
		if (!k)
			break;
		i += k;
	}
	if (i < n && n - i < 4) /* a sequence cut by the end: drop it */
		s[i] = '\0';
	return s;
}

void text_skip_bom(const char **s, size_t *n)
{
	if (*n >= 3 && memcmp(*s, "\xef\xbb\xbf", 3) == 0) {
		*s += 3;
		*n -= 3;
	}
}

/* c with A-Z made a-z, every other byte as it is (no locale). */
static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

bool text_contains_folded(const char *s, const char *part)
{
	const unsigned char *h = (const unsigned char *)s, *p = (const unsigned char *)part;
	size_t n = strlen(s), m = strlen(part);
	for (size_t i = 0; m <= n && i <= n - m; i++) {
		size_t k = 0;
		while (k < m && ascii_lower(h[i + k]) == ascii_lower(p[k]))
			k++;
		if (k == m)
			return true;
	}
	return false;
}

/* Appends s[0..len) to buf at *at, as far as n - 1 allows; *at counts all of it. */
static inline void put(char *buf, size_t n, size_t *at, const char *s, size_t len)
{
	if (*at + 1 < n)
		memcpy(buf + *at, s, len < n - 1 - *at ? len : n - 1 - *at);
	*at += len;
}

/*
 * The formats it gets are a decision's words: short runs of text between
 * conversions. Each run of the format, and each argument, is found and
 * copied whole (strchr, strlen, memcpy: the C library's vector code), not a
 * byte at a time: the words are most of a decision's cost.
 */
int text_vformat(char *buf, size_t n, const char *fmt, va_list ap)
{
	va_list whole; /* for the C library, should another conversion come */
	va_copy(whole, ap);
	size_t at = 0;
	for (const char *p = fmt;;) {
		const char *q = strchr(p, '%');
		if (!q)
			q = p + strlen(p);
		put(buf, n, &at, p, (size_t)(q - p));
		if (!*q)
			break;
		if (q[1] == 's') {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)"; /* as the C library writes it */
			put(buf, n, &at, s, strlen(s));
		} else if (q[1] == 'd') {
			char num[12], *d = num + sizeof num;
			int v = va_arg(ap, int);
			unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
			do
				*--d = (char)('0' + u % 10);
			while (u /= 10);
			if (v < 0)
				*--d = '-';
			put(buf, n, &at, d, (size_t)(num + sizeof num - d));
		} else if (q[1] == '%') {
			put(buf, n, &at, "%", 1);
		} else {
			int w = vsnprintf(buf, n, fmt, whole);
			va_end(whole);
			return w;
		}
		p = q + 2;
	}
	va_end(whole);
	if (n)
		buf[at < n ? at : n - 1] = '\0';
	return at > INT32_MAX ? -1 : (int)at;
}

void text_append(char *buf, size_t n, size_t *len, const char *s)
{
	put(buf, n, len, s, strlen(s));
	if (n)
		buf[*len < n ? *len : n - 1] = '\0';
}

int text_format(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = text_vformat(buf, n, fmt, ap);
	va_end(ap);
	return w;
}
