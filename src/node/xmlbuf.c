/* xmlbuf.c - a growing string for XML text (see xmlbuf.h). */
#include "xmlbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"

/* Room for need more bytes and a NUL; false (and failed) when there is none. */
static bool room(struct xmlbuf *b, size_t need)
{
	if (b->failed)
		return false;
	if (b->cap - b->len > need)
		return true;
	size_t cap = b->cap * 2 > b->len + need + 1 ? b->cap * 2 : b->len + need + 4096;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void put(struct xmlbuf *b, const char *s, size_t n)
{
	if (!room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void xmlbuf_printf(struct xmlbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof small) {
		put(b, small, (size_t)n);
		return;
	}
	if (!room(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* The reference for an ASCII byte XML gives a meaning to, or NULL. */
static const char *reference(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	}
	return NULL;
}

void xmlbuf_text(struct xmlbuf *b, const char *s, size_t max)
{
	static const char repl[] = "\xEF\xBF\xBD";
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s), i = 0;
	for (size_t chars = 0; i < left && chars < max; chars++) {
		size_t k = utf8_seq_len(u + i, left - i);
		const char *ref = k == 1 ? reference(u[i]) : NULL;
		if (ref)
			put(b, ref, strlen(ref));
		else if (!k || text_is_control(u + i, k) ||
			 (k == 3 && u[i] == 0xEF && u[i + 1] == 0xBF && u[i + 2] >= 0xBE))
			put(b, repl, sizeof repl - 1);
		else
			put(b, s + i, k);
		i += k ? k : 1;
	}
	if (i < left)
		put(b, "\xE2\x80\xA6", 3);
}

size_t xmlbuf_chars(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s), n = 0;
	for (size_t i = 0; i < left; n++) {
		size_t k = utf8_seq_len(u + i, left - i);
		i += k ? k : 1;
	}
	return n;
}
