/*
 * args.c - a request's arguments against a table (args.h).
 */
#include "args.h"

#include <sodium.h>
#include <string.h>

#include "../core/scheme.h"
#include "../core/text.h"
#include "../node/log.h"

/* Names from outside are quoted at most this long in a message. */
#define NAME_SHOWN "%.64s"

static const struct arg_spec *spec_find(const struct arg_spec *spec, const char *name)
{
	for (size_t i = 0; spec[i].name && i < ARGS_MAX; i++)
		if (strcmp(spec[i].name, name) == 0)
			return &spec[i];
	return NULL;
}

/* The text of a date or a count, common to both sources. */
static int take_date(const struct arg_spec *a, const char *s, struct lerr *e)
{
	date_t d;
	if (date_parse(s, &d, e) < 0)
		return lerr_prefix(e, "%s", a->name);
	*a->date = d;
	if (a->str)
		*a->str = s;
	return 0;
}

/* Which arguments were seen: a bit each (a table has at most ARGS_MAX). */
static uint32_t bit(const struct arg_spec *spec, const struct arg_spec *a)
{
	return UINT32_C(1) << (a - spec);
}

static int missing(const struct arg_spec *spec, uint32_t seen, const char *what, struct lerr *e)
{
	for (size_t i = 0; spec[i].name && i < ARGS_MAX; i++)
		if (spec[i].required && !(seen & bit(spec, &spec[i]))) {
			lerr_set(e, LERR_INVAL, "%s: missing (%s)", spec[i].name, what);
			return lerr_field(e, spec[i].name);
		}
	return 0;
}

/* ---- the body ---- */

static int body_hashes(const struct arg_spec *a, json_t *v, struct lerr *e)
{
	return node_proof_decode(v, a->name, a->hashes->h, &a->hashes->n, e);
}

static int body_value(const struct arg_spec *a, json_t *v, struct lerr *e)
{
	switch (a->kind) {
	case ARG_STRING:
		if (!json_is_string(v))
			return lerr_set(e, LERR_INVAL, "%s: must be a string", a->name);
		*a->str = json_string_value(v);
		return 0;
	case ARG_BOOL:
		if (!json_is_boolean(v))
			return lerr_set(e, LERR_INVAL, "%s: true or false", a->name);
		*a->flag = json_is_true(v);
		return 0;
	case ARG_DATE:
		if (!json_is_string(v))
			return lerr_set(e, LERR_INVAL, "%s: must be a date, a string YYYY-MM-DD",
					a->name);
		return take_date(a, json_string_value(v), e);
	case ARG_COUNT:
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return lerr_set(e, LERR_INVAL, "%s: must be a whole number (>= 0)",
					a->name);
		*a->count = (uint64_t)json_integer_value(v);
		return 0;
	case ARG_HASHES:
		return body_hashes(a, v, e);
	case ARG_LIST:
		break;
	}
	return lerr_set(e, LERR_INVAL, "%s: not taken in a body", a->name);
}

json_t *args_body(const char *buf, size_t len, const struct arg_spec *spec, struct lerr *e)
{
	json_error_t je;
	json_t *o = json_loadb(buf ? buf : "", buf ? len : 0, JSON_REJECT_DUPLICATES, &je), *v;
	if (!o) {
		lerr_set(e, LERR_INVAL, "request body: line %d, column %d: %s", je.line, je.column,
			 je.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		lerr_set(e, LERR_INVAL, "request body: must be a JSON object");
		return NULL;
	}
	uint32_t seen = 0;
	const char *key;
	int r = 0;
	json_object_foreach (o, key, v) {
		const struct arg_spec *a = spec_find(spec, key);
		if (!a) {
			lerr_set(e, LERR_INVAL, NAME_SHOWN ": unknown field", key);
			r = lerr_field(e, key);
			break;
		}
		seen |= bit(spec, a);
		if (a->given)
			*a->given = true;
		if ((r = body_value(a, v, e)) < 0) {
			lerr_field(e, a->name);
			break;
		}
	}
	if (r == 0)
		r = missing(spec, seen, "required in the body", e);
	if (r < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- the query ---- */

static int query_value(const struct arg_spec *a, const char *s, struct lerr *e)
{
	if (!utf8_valid(s, strlen(s)))
		return lerr_set(e, LERR_INVAL, "%s: not valid UTF-8", a->name);
	switch (a->kind) {
	case ARG_STRING:
		*a->str = s;
		return 0;
	case ARG_BOOL:
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0)
			return lerr_set(e, LERR_INVAL, "%s: \"%.40s\" is not true or false",
					a->name, s);
		*a->flag = s[0] == 't';
		return 0;
	case ARG_DATE:
		return take_date(a, s, e);
	case ARG_COUNT:
		if (!count_parse(s, a->count))
			return lerr_set(e, LERR_INVAL, "%s: \"%.40s\" is not a whole number",
					a->name, s);
		return 0;
	case ARG_LIST:
		if (a->list->n == a->list->max)
			return lerr_set(e, LERR_INVAL, "%s: at most %zu values", a->name,
					a->list->max);
		a->list->v[a->list->n++] = s;
		return 0;
	case ARG_HASHES:
		break;
	}
	return lerr_set(e, LERR_INVAL, "%s: not taken in a query", a->name);
}

int args_query(const struct arg_pair *q, size_t n, const struct arg_spec *spec, struct lerr *e)
{
	uint32_t seen = 0;
	for (size_t i = 0; i < n; i++) {
		const struct arg_spec *a = spec_find(spec, q[i].name);
		if (!a) {
			lerr_set(e, LERR_INVAL, NAME_SHOWN ": unknown query argument", q[i].name);
			return lerr_field(e, q[i].name);
		}
		if ((seen & bit(spec, a)) && a->kind != ARG_LIST) {
			lerr_set(e, LERR_INVAL, "%s: given more than once", a->name);
			return lerr_field(e, a->name);
		}
		seen |= bit(spec, a);
		if (a->given)
			*a->given = true;
		if (query_value(a, q[i].value ? q[i].value : "", e) < 0)
			return lerr_field(e, a->name);
	}
	return missing(spec, seen, "a query argument is required", e);
}
