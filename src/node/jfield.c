/* jfield.c - strict JSON field readers with paths in errors (see jfield.h). */
#include "jfield.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/scheme.h"
#include "../core/text.h"
#include "../crypto/fio.h"

/* out = in + sep + part (out may be in); an over-long path ends in "...". */
static void jp_append(struct jpath *out, const struct jpath *in, const char *sep, const char *part)
{
	char tmp[PATH_TEXT_MAX];
	int w = snprintf(tmp, sizeof tmp, "%s%s%s", in->s, sep, part);
	if (w < 0 || w >= (int)sizeof tmp)
		memcpy(tmp + sizeof tmp - 4, "...", 4);
	memcpy(out->s, tmp, sizeof tmp);
}

void jf_field(struct jpath *out, const struct jpath *in, const char *f)
{
	jp_append(out, in, in->s[0] ? "." : "", f);
}

void jf_index(struct jpath *out, const struct jpath *in, size_t i)
{
	char ix[24];
	snprintf(ix, sizeof ix, "[%zu]", i);
	jp_append(out, in, "", ix);
}

int jf_bad(struct lerr *e, const struct jpath *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets e to "PATH: message"; returns LERR_INVAL. */
int jf_bad(struct lerr *e, const struct jpath *p, const char *fmt, ...)
{
	char msg[LERR_MSG_MAX - PATH_TEXT_MAX - 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return lerr_set(e, LERR_INVAL, "%s: %s", p->s[0] ? p->s : "(top)", msg);
}

/* Refuses any key of obj not in allowed (NULL-terminated). */
int jf_only_keys(json_t *obj, const char *const *allowed, const struct jpath *p, struct lerr *e)
{
	const char *key;
	json_t *v;
	json_object_foreach (obj, key, v) {
		bool ok = false;
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		if (!ok) {
			struct jpath q;
			jf_field(&q, p, key);
			return jf_bad(e, &q, "unknown field");
		}
	}
	return 0;
}

/* obj[f] as a string copied into dst of size n; required or optional. */
int jf_str(json_t *obj, const char *f, bool required, char *dst, size_t n, const struct jpath *p,
	   struct lerr *e)
{
	struct jpath q;
	jf_field(&q, p, f);
	json_t *v = json_object_get(obj, f);
	dst[0] = '\0';
	if (!v) {
		if (required)
			return jf_bad(e, &q, "missing (a string is required)");
		return 0;
	}
	if (!json_is_string(v))
		return jf_bad(e, &q, "must be a string");
	if (json_string_length(v) != strlen(json_string_value(v)))
		return jf_bad(e, &q, "must not contain NUL characters");
	if (!str_copy(dst, n, json_string_value(v))) {
		return jf_bad(e, &q, "is longer than %zu bytes", n - 1);
	}
	return 0;
}

int jf_int(json_t *obj, const char *f, int lo, int hi, int *out, const struct jpath *p,
	   struct lerr *e)
{
	struct jpath q;
	jf_field(&q, p, f);
	json_t *v = json_object_get(obj, f);
	*out = 0;
	if (!v)
		return jf_bad(e, &q, "missing (an integer is required)");
	if (!json_is_integer(v))
		return jf_bad(e, &q, "must be an integer");
	json_int_t x = json_integer_value(v);
	if (x < lo || x > hi) {
		return jf_bad(e, &q, "%lld is not in %d..%d", (long long)x, lo, hi);
	}
	*out = (int)x;
	return 0;
}

json_t *jf_array(json_t *obj, const char *f, bool required, size_t max, const struct jpath *p,
		 struct lerr *e, int *r)
{
	struct jpath q;
	jf_field(&q, p, f);
	json_t *v = json_object_get(obj, f);
	*r = 0;
	if (!v) {
		if (required)
			*r = jf_bad(e, &q, "missing (an array is required)");
		return NULL;
	}
	if (!json_is_array(v)) {
		*r = jf_bad(e, &q, "must be an array");
		return NULL;
	}
	if (json_array_size(v) > max) {
		*r = jf_bad(e, &q, "has more than %zu entries", max);
		return NULL;
	}
	return v;
}

int jf_object(json_t *v, const struct jpath *p, struct lerr *e)
{
	return json_is_object(v) ? 0 : jf_bad(e, p, "must be an object");
}

int jf_date(json_t *obj, const char *f, bool required, date_t *out, const struct jpath *p,
	    struct lerr *e)
{
	char buf[32];
	struct jpath q;
	if (jf_str(obj, f, required, buf, sizeof buf, p, e) < 0)
		return LERR_INVAL;
	if (!buf[0] && !json_object_get(obj, f))
		return 0;
	jf_field(&q, p, f);
	if (date_parse(buf, out, e) < 0)
		return lerr_prefix(e, "%s", q.s);
	return 0;
}

int jdoc_read(const char *file, size_t max, struct jdoc *d, struct lerr *e)
{
	memset(d, 0, sizeof *d);
	int r = fio_read_file(file, max, &d->text, &d->len, e);
	const char *json = d->text;
	size_t n = d->len;
	text_skip_bom(&json, &n);
	d->json = json;
	if (r == 0)
		d->root = json_loadb(json, n, JSON_REJECT_DUPLICATES, &d->je);
	return r;
}

void jdoc_free(struct jdoc *d)
{
	json_decref(d->root);
	free(d->text);
	memset(d, 0, sizeof *d);
}
