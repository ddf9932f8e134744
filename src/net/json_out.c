/* json_out.c - jansson's values, written compact (see json_out.h). */
#include "json_out.h"

#include "../core/text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *p; /* the caller's buffer, then memory of our own */
	size_t len, cap;
	char *callers;
	bool failed;
};

static bool grow(struct out *o, size_t more)
{
	if (o->failed)
		return false;
	if (more <= o->cap - o->len)
		return true;
	size_t cap = o->cap ? o->cap : 256;
	while (cap - o->len < more) {
		if (cap > SIZE_MAX / 2) {
			o->failed = true;
			return false;
		}
		cap *= 2;
	}
	char *p = o->p == o->callers ? malloc(cap) : realloc(o->p, cap);
	if (!p) {
		o->failed = true;
		return false;
	}
	if (o->p == o->callers && o->len)
		memcpy(p, o->p, o->len);
	o->p = p;
	o->cap = cap;
	return true;
}

static void put(struct out *o, const char *s, size_t n)
{
	if (grow(o, n)) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	}
}

static void put_char(struct out *o, char c)
{
	if (grow(o, 1))
		o->p[o->len++] = c;
}

static void put_string(struct out *o, const char *str, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;
	put_char(o, '"');
	size_t i = 0;
	while (i < n && !o->failed) {
		/* a run of characters written as they are */
		size_t run = i;
		while (run < n && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' &&
		       s[run] != '\\')
			run++;
		put(o, str + i, run - i);
		i = run;
		if (i == n)
			break;
		unsigned char c = s[i];
		if (c >= 0x80) {
			size_t k = utf8_seq_len(s + i, n - i);
			if (!k) {
				o->failed = true;
				return;
			}
			put(o, str + i, k);
			i += k;
			continue;
		}
		char esc[6] = {'\\', 0};
		size_t k = 2;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default: /* the other control characters, as jansson: \u00XX */
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xF];
			k = 6;
		}
		put(o, esc, k);
		i++;
	}
	put_char(o, '"');
}

static void put_value(struct out *o, const json_t *v, int depth)
{
	if (depth > JSON_OUT_DEPTH) {
		o->failed = true;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		size_t klen;
		json_t *m;
		bool first = true;
		put_char(o, '{');
		/* insertion order, as jansson writes */
		void *it = json_object_iter((json_t *)v);
		for (; it && !o->failed; it = json_object_iter_next((json_t *)v, it)) {
			key = json_object_iter_key(it);
			klen = json_object_iter_key_len(it);
			m = json_object_iter_value(it);
			if (!first)
				put_char(o, ',');
			first = false;
			put_string(o, key, klen);
			put_char(o, ':');
			put_value(o, m, depth + 1);
		}
		put_char(o, '}');
		return;
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(v);
		put_char(o, '[');
		for (size_t i = 0; i < n && !o->failed; i++) {
			if (i)
				put_char(o, ',');
			put_value(o, json_array_get(v, i), depth + 1);
		}
		put_char(o, ']');
		return;
	}
	case JSON_STRING:
		put_string(o, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER: {
		char num[32];
		int k = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		put(o, num, (size_t)k);
		return;
	}
	case JSON_REAL: { /* jansson's own digits */
		char num[64];
		size_t k = json_dumpb(v, num, sizeof num, JSON_ENCODE_ANY | JSON_COMPACT);
		if (!k || k > sizeof num)
			o->failed = true;
		else
			put(o, num, k);
		return;
	}
	case JSON_TRUE:
		put(o, "true", 4);
		return;
	case JSON_FALSE:
		put(o, "false", 5);
		return;
	case JSON_NULL:
		put(o, "null", 4);
		return;
	}
	o->failed = true;
}

char *json_out(const json_t *v, char *buf, size_t cap, size_t *len)
{
	struct out o = {buf, 0, buf ? cap : 0, buf, false};
	if (!v)
		return NULL;
	put_value(&o, v, 0);
	if (o.failed) {
		if (o.p != buf)
			free(o.p);
		return NULL;
	}
	*len = o.len;
	return o.p;
}
