/*
 * config.c - the configuration file: parse (jansson) and apply (store).
 *
 * Parsing is strict: every field has a type, unknown fields are refused (a
 * typo must not pass silently), and every error names the file and the
 * JSON path of the field at fault. Applying runs in one store transaction;
 * checking is the same run, rolled back.
 */
#include "node.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"

#define CONFIG_FILE_MAX	      (4 * 1024 * 1024)
#define CONFIG_PARTIES_MAX    256
#define CONFIG_AGREEMENTS_MAX 256
#define PATH_TEXT_MAX	      128

/* A JSON path being walked, for messages: "agreements[0].events[2]". */
struct jpath {
	char s[PATH_TEXT_MAX];
};

/* out = in + sep + part (out may be in); an over-long path ends in "...". */
static void jp_append(struct jpath *out, const struct jpath *in, const char *sep, const char *part)
{
	char tmp[PATH_TEXT_MAX];
	int w = snprintf(tmp, sizeof tmp, "%s%s%s", in->s, sep, part);
	if (w < 0 || w >= (int)sizeof tmp)
		memcpy(tmp + sizeof tmp - 4, "...", 4);
	memcpy(out->s, tmp, sizeof tmp);
}

static void jp_field(struct jpath *out, const struct jpath *in, const char *f)
{
	jp_append(out, in, in->s[0] ? "." : "", f);
}

static void jp_index(struct jpath *out, const struct jpath *in, size_t i)
{
	char ix[24];
	snprintf(ix, sizeof ix, "[%zu]", i);
	jp_append(out, in, "", ix);
}

static int bad(struct lerr *e, const struct jpath *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets e to "PATH: message"; returns LERR_INVAL. */
static int bad(struct lerr *e, const struct jpath *p, const char *fmt, ...)
{
	char msg[LERR_MSG_MAX - PATH_TEXT_MAX - 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return lerr_set(e, LERR_INVAL, "%s: %s", p->s[0] ? p->s : "(top)", msg);
}

/* Refuses any key of obj not in allowed (NULL-terminated). */
static int only_keys(json_t *obj, const char *const *allowed, const struct jpath *p, struct lerr *e)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		bool ok = false;
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		if (!ok) {
			struct jpath q;
			jp_field(&q, p, key);
			return bad(e, &q, "unknown field");
		}
	}
	return 0;
}

/* obj[f] as a string copied into dst of size n; required or optional. */
static int get_str(json_t *obj, const char *f, bool required, char *dst, size_t n,
		   const struct jpath *p, struct lerr *e)
{
	struct jpath q;
	jp_field(&q, p, f);
	json_t *v = json_object_get(obj, f);
	dst[0] = '\0';
	if (!v) {
		if (required)
			return bad(e, &q, "missing (a string is required)");
		return 0;
	}
	if (!json_is_string(v))
		return bad(e, &q, "must be a string");
	if (json_string_length(v) != strlen(json_string_value(v)))
		return bad(e, &q, "must not contain NUL characters");
	if (!str_copy(dst, n, json_string_value(v))) {
		return bad(e, &q, "is longer than %zu bytes", n - 1);
	}
	return 0;
}

static int get_int(json_t *obj, const char *f, int lo, int hi, int *out, const struct jpath *p,
		   struct lerr *e)
{
	struct jpath q;
	jp_field(&q, p, f);
	json_t *v = json_object_get(obj, f);
	*out = 0;
	if (!v)
		return bad(e, &q, "missing (an integer is required)");
	if (!json_is_integer(v))
		return bad(e, &q, "must be an integer");
	json_int_t x = json_integer_value(v);
	if (x < lo || x > hi) {
		return bad(e, &q, "%lld is not in %d..%d", (long long)x, lo, hi);
	}
	*out = (int)x;
	return 0;
}

static json_t *get_array(json_t *obj, const char *f, bool required, size_t max,
			 const struct jpath *p, struct lerr *e, int *r)
{
	struct jpath q;
	jp_field(&q, p, f);
	json_t *v = json_object_get(obj, f);
	*r = 0;
	if (!v) {
		if (required)
			*r = bad(e, &q, "missing (an array is required)");
		return NULL;
	}
	if (!json_is_array(v)) {
		*r = bad(e, &q, "must be an array");
		return NULL;
	}
	if (json_array_size(v) > max) {
		*r = bad(e, &q, "has more than %zu entries", max);
		return NULL;
	}
	return v;
}

static int need_object(json_t *v, const struct jpath *p, struct lerr *e)
{
	return json_is_object(v) ? 0 : bad(e, p, "must be an object");
}

static int parse_level(json_t *v, struct scheme_level *l, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"code", "name", "rank", NULL};
	if (need_object(v, p, e) < 0 || only_keys(v, keys, p, e) < 0 ||
	    get_str(v, "code", true, l->code, sizeof l->code, p, e) < 0 ||
	    get_str(v, "name", true, l->name, sizeof l->name, p, e) < 0 ||
	    get_int(v, "rank", 1, LEVEL_RANK_MAX, &l->rank, p, e) < 0)
		return LERR_INVAL;
	return 0;
}

static int parse_party(json_t *v, struct party *pt, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"code", "name", "levels", NULL};
	int r;
	if (need_object(v, p, e) < 0 || only_keys(v, keys, p, e) < 0 ||
	    get_str(v, "code", true, pt->code, sizeof pt->code, p, e) < 0 ||
	    get_str(v, "name", true, pt->name, sizeof pt->name, p, e) < 0)
		return LERR_INVAL;
	json_t *lv = get_array(v, "levels", true, SCHEME_LEVELS_MAX, p, e, &r);
	if (!lv)
		return r;
	struct jpath lp;
	jp_field(&lp, p, "levels");
	for (size_t i = 0; i < json_array_size(lv); i++) {
		struct jpath q;
		jp_index(&q, &lp, i);
		if (parse_level(json_array_get(lv, i), &pt->levels[i], &q, e) < 0)
			return LERR_INVAL;
		pt->nlevels++;
	}
	if (party_check(pt, e) < 0)
		return lerr_prefix_path(e, "%s", p->s);
	return 0;
}

static int parse_event(json_t *v, struct agr_event *ev, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"date", "kind", "by", NULL};
	char date[32], kind[32];
	struct jpath q;
	if (need_object(v, p, e) < 0 || only_keys(v, keys, p, e) < 0 ||
	    get_str(v, "date", true, date, sizeof date, p, e) < 0 ||
	    get_str(v, "kind", true, kind, sizeof kind, p, e) < 0 ||
	    get_str(v, "by", false, ev->by, sizeof ev->by, p, e) < 0)
		return LERR_INVAL;
	if (date_parse(date, &ev->date, e) < 0) {
		jp_field(&q, p, "date");
		return lerr_prefix(e, "%s", q.s);
	}
	if (agr_event_kind_parse(kind, &ev->kind, e) < 0) {
		jp_field(&q, p, "kind");
		return lerr_prefix(e, "%s", q.s);
	}
	if (ev->by[0] && party_code_check(ev->by, e) < 0) {
		jp_field(&q, p, "by");
		return lerr_prefix(e, "%s", q.s);
	}
	return 0;
}

/* One equivalence row: {"common": "SECRET", "JPN": ["GOKUHI"], "KOR": ["II"]}. */
static int parse_equiv(json_t *v, struct agr_equiv *row, const struct jpath *p, struct lerr *e)
{
	if (need_object(v, p, e) < 0 ||
	    get_str(v, "common", true, row->common, sizeof row->common, p, e) < 0)
		return LERR_INVAL;
	const char *key;
	json_t *lv;
	json_object_foreach(v, key, lv)
	{
		if (strcmp(key, "common") == 0)
			continue;
		struct jpath q;
		jp_field(&q, p, key);
		if (party_code_check(key, e) < 0)
			return lerr_prefix(e, "%s", q.s);
		if (!json_is_array(lv) || json_array_size(lv) == 0)
			return bad(e, &q, "must be a non-empty array of level codes");
		for (size_t i = 0; i < json_array_size(lv); i++) {
			struct jpath qi;
			jp_index(&qi, &q, i);
			json_t *c = json_array_get(lv, i);
			if (!json_is_string(c))
				return bad(e, &qi, "must be a level code (a string)");
			if (row->n == AGR_EQUIV_LEVELS_MAX)
				return bad(e, &qi, "too many levels in one row");
			struct agr_equiv_level *l = &row->levels[row->n];
			if (level_code_check(json_string_value(c), e) < 0)
				return lerr_prefix(e, "%s", qi.s);
			str_copy(l->party, sizeof l->party, key);
			str_copy(l->level, sizeof l->level, json_string_value(c));
			row->n++;
		}
	}
	return 0;
}

static int parse_agreement(json_t *v, struct agreement *a, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"id",	  "title",	   "parties",
					   "term_years",  "renewal_years", "notice_days",
					   "equivalence", "events",	   NULL};
	int r;
	struct jpath q;
	if (need_object(v, p, e) < 0 || only_keys(v, keys, p, e) < 0 ||
	    get_str(v, "id", true, a->id, sizeof a->id, p, e) < 0 ||
	    get_str(v, "title", true, a->title, sizeof a->title, p, e) < 0 ||
	    get_int(v, "term_years", 1, AGR_YEARS_MAX, &a->term_years, p, e) < 0 ||
	    get_int(v, "renewal_years", 1, AGR_YEARS_MAX, &a->renewal_years, p, e) < 0 ||
	    get_int(v, "notice_days", 0, AGR_NOTICE_DAYS_MAX, &a->notice_days, p, e) < 0)
		return LERR_INVAL;
	json_t *pv = get_array(v, "parties", true, AGR_PARTIES_MAX, p, e, &r);
	if (!pv)
		return r;
	jp_field(&q, p, "parties");
	for (size_t i = 0; i < json_array_size(pv); i++) {
		struct jpath qi;
		jp_index(&qi, &q, i);
		json_t *c = json_array_get(pv, i);
		if (!json_is_string(c))
			return bad(e, &qi, "must be a party code (a string)");
		if (party_code_check(json_string_value(c), e) < 0)
			return lerr_prefix(e, "%s", qi.s);
		str_copy(a->parties[i], PARTY_CODE_MAX, json_string_value(c));
		a->nparties++;
	}
	json_t *ev = get_array(v, "equivalence", false, AGR_EQUIV_MAX, p, e, &r);
	if (r < 0)
		return r;
	jp_field(&q, p, "equivalence");
	for (size_t i = 0; ev && i < json_array_size(ev); i++) {
		struct jpath qi;
		jp_index(&qi, &q, i);
		if (parse_equiv(json_array_get(ev, i), &a->equiv[i], &qi, e) < 0)
			return LERR_INVAL;
		a->nequiv++;
	}
	json_t *es = get_array(v, "events", false, AGR_EVENTS_MAX, p, e, &r);
	if (r < 0)
		return r;
	jp_field(&q, p, "events");
	for (size_t i = 0; es && i < json_array_size(es); i++) {
		struct jpath qi;
		jp_index(&qi, &q, i);
		a->events[i].seq = (int64_t)i; /* the file's order: names it in messages */
		if (parse_event(json_array_get(es, i), &a->events[i], &qi, e) < 0)
			return LERR_INVAL;
		a->nevents++;
	}
	agreement_sort_events(a);
	return 0;
}

static int parse_root(json_t *root, struct config *c, struct lerr *e)
{
	static const char *const keys[] = {"parties", "agreements", NULL};
	struct jpath top = {{0}}, q;
	int r;
	if (need_object(root, &top, e) < 0)
		return LERR_INVAL;
	if (json_object_get(root, "people") || json_object_get(root, "export_regimes")) {
		jp_field(&q, &top, json_object_get(root, "people") ? "people" : "export_regimes");
		return bad(e, &q, "not supported by this version of liaison yet");
	}
	if (only_keys(root, keys, &top, e) < 0)
		return LERR_INVAL;
	json_t *pv = get_array(root, "parties", false, CONFIG_PARTIES_MAX, &top, e, &r);
	if (r < 0)
		return r;
	json_t *av = get_array(root, "agreements", false, CONFIG_AGREEMENTS_MAX, &top, e, &r);
	if (r < 0)
		return r;
	size_t np = pv ? json_array_size(pv) : 0, na = av ? json_array_size(av) : 0;
	c->parties = calloc(np ? np : 1, sizeof *c->parties);
	c->agreements = calloc(na ? na : 1, sizeof *c->agreements);
	if (!c->parties || !c->agreements)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	for (size_t i = 0; i < np; i++) {
		jp_field(&q, &top, "parties");
		jp_index(&q, &q, i);
		if (parse_party(json_array_get(pv, i), &c->parties[i], &q, e) < 0)
			return LERR_INVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->parties[j].code, c->parties[i].code) == 0)
				return lerr_set(e, LERR_INVAL,
						"%s.code: %s is already parties[%zu]", q.s,
						c->parties[i].code, j);
		c->nparties++;
	}
	for (size_t i = 0; i < na; i++) {
		jp_field(&q, &top, "agreements");
		jp_index(&q, &q, i);
		if (parse_agreement(json_array_get(av, i), &c->agreements[i], &q, e) < 0)
			return LERR_INVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->agreements[j].id, c->agreements[i].id) == 0)
				return lerr_set(e, LERR_INVAL,
						"%s.id: %s is already agreements[%zu]", q.s,
						c->agreements[i].id, j);
		c->nagreements++;
	}
	return 0;
}

int config_parse(const char *text, size_t len, const char *name, struct config *c, struct lerr *e)
{
	memset(c, 0, sizeof *c);
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return lerr_set(e, LERR_INVAL, "%s:%d:%d: %s", name, je.line, je.column, je.text);
	int r = parse_root(root, c, e);
	json_decref(root);
	if (r < 0) {
		config_free(c);
		return lerr_prefix(e, "%s", name);
	}
	return 0;
}

int config_load(const char *path, struct config *c, struct lerr *e)
{
	memset(c, 0, sizeof *c);
	FILE *f = fopen(path, "rb");
	if (!f)
		return lerr_set(e, LERR_IO, "%s: cannot open: %s", path, strerror(errno));
	char *buf = malloc(CONFIG_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return lerr_set(e, LERR_NOMEM, "out of memory");
	}
	size_t n = fread(buf, 1, CONFIG_FILE_MAX + 1, f);
	int r = 0;
	if (ferror(f))
		r = lerr_set(e, LERR_IO, "%s: cannot read", path);
	else if (n > CONFIG_FILE_MAX)
		r = lerr_set(e, LERR_LIMIT, "%s: larger than %d bytes", path, CONFIG_FILE_MAX);
	fclose(f);
	if (r == 0)
		r = config_parse(buf, n, path, c, e);
	free(buf);
	return r;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	free(c->parties);
	free(c->agreements);
	memset(c, 0, sizeof *c);
}
