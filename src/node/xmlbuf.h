/*
 * xmlbuf.h - a growing string for XML text (the timeline's SVG): the
 * program's own markup as it is, text from outside escaped. Pure: no I/O.
 */
#ifndef LIAISON_NODE_XMLBUF_H
#define LIAISON_NODE_XMLBUF_H

#include <stdbool.h>
#include <stddef.h>

/* Start with {0}; p (NUL-terminated, len bytes) is the caller's to free().
 * Once out of memory it stays failed, p kept as it was (free() it too). */
struct xmlbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

/* Appends the program's own text (markup, numbers, colours): not escaped. */
void xmlbuf_printf(struct xmlbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), nonnull(1, 2)));

/*
 * Appends text from outside, escaped for XML content and attribute values:
 * & < > " ' as references; a byte that is not UTF-8, a control or a
 * bidirectional override (text_is_control) or a non-character (U+FFFE,
 * U+FFFF) as U+FFFD. At most max characters, then an ellipsis.
 */
void xmlbuf_text(struct xmlbuf *b, const char *s, size_t max) __attribute__((nonnull));

/* The characters of s (UTF-8 sequences; a stray byte counts one). */
size_t xmlbuf_chars(const char *s) __attribute__((nonnull));

#endif
