/*
 * config.c - the configuration file: parse (jansson) and apply (store).
 *
 * Parsing is strict: every field has a type, unknown fields are refused (a
 * typo must not pass silently), and every error names the file and the
 * JSON path of the field at fault. Applying runs in one store transaction;
 * checking is the same run, rolled back.
 */
#include "node.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../crypto/fio.h"
#include "../store/store.h"
#include "jfield.h"
#include "../core/text.h"

#define CONFIG_FILE_MAX	      (4 * 1024 * 1024)
#define CONFIG_PARTIES_MAX    256
#define CONFIG_AGREEMENTS_MAX 256
#define CONFIG_PEOPLE_MAX     4096
#define CONFIG_REGIMES_MAX    64
#define CONFIG_GROUPS_MAX     8192
#define CONFIG_ENTRIES_MAX    4096
#define CONFIG_MEASURES_MAX   1024
#define CONFIG_LICENCES_MAX   16384

static int parse_level(json_t *v, struct scheme_level *l, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"code",	  "name",   "rank", "separate",
					   "valid_years", "colour", NULL};
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "code", true, l->code, sizeof l->code, p, e) < 0 ||
	    jf_str(v, "name", true, l->name, sizeof l->name, p, e) < 0 ||
	    jf_int(v, "rank", 1, LEVEL_RANK_MAX, &l->rank, p, e) < 0)
		return LERR_INVAL;
	json_t *sep = json_object_get(v, "separate");
	struct jpath q;
	if (sep && !json_is_boolean(sep)) {
		jf_field(&q, p, "separate");
		return jf_bad(e, &q, "must be true or false");
	}
	l->separate = json_is_true(sep);
	l->valid_years = 0;
	if (json_object_get(v, "valid_years") &&
	    jf_int(v, "valid_years", 1, LEVEL_VALID_YEARS_MAX, &l->valid_years, p, e) < 0)
		return LERR_INVAL;
	/* the banners' colour: exactly "#RRGGBB", the error naming the level */
	json_t *colour = json_object_get(v, "colour");
	l->colour[0] = '\0';
	if (!colour)
		return 0;
	jf_field(&q, p, "colour");
	if (!json_is_string(colour))
		return jf_bad(e, &q, "level %s: must be a string \"#RRGGBB\"", l->code);
	if (level_colour_check(json_string_value(colour), e) < 0)
		return jf_bad(e, &q, "level %s: %s", l->code, e->msg);
	str_copy(l->colour, sizeof l->colour, json_string_value(colour));
	return 0;
}

/* obj[f]: an array of words (at most max) into v (each of width w). */
static int word_list(json_t *obj, const char *f, char *v, size_t w, size_t max, size_t *n,
		     const struct jpath *p, struct lerr *e)
{
	int r;
	*n = 0;
	json_t *a = jf_array(obj, f, false, max, p, e, &r);
	struct jpath q;
	jf_field(&q, p, f);
	for (size_t i = 0; a && i < json_array_size(a); i++) {
		json_t *x = json_array_get(a, i);
		struct jpath qi;
		jf_index(&qi, &q, i);
		if (!json_is_string(x) || !str_copy(v + i * w, w, json_string_value(x)))
			return jf_bad(e, &qi, "must be a string of at most %zu bytes", w - 1);
		(*n)++;
	}
	return r;
}

static int parse_party(json_t *v, struct party *pt, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"code",     "name",		"levels",    "ntk_groups",
					   "purposes", "operator_acts", "time_zone", NULL};
	int r;
	json_t *ops = json_object_get(v, "operator_acts");
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "code", true, pt->code, sizeof pt->code, p, e) < 0 ||
	    jf_str(v, "name", true, pt->name, sizeof pt->name, p, e) < 0 ||
	    word_list(v, "ntk_groups", &pt->ntk_groups[0][0], PARTY_WORD_MAX, PARTY_WORDS_MAX,
		      &pt->nntk_groups, p, e) < 0 ||
	    word_list(v, "purposes", &pt->purposes[0][0], PARTY_WORD_MAX, PARTY_WORDS_MAX,
		      &pt->npurposes, p, e) < 0)
		return LERR_INVAL;
	if (ops && !json_is_boolean(ops)) {
		struct jpath q;
		jf_field(&q, p, "operator_acts");
		return jf_bad(e, &q, "must be true or false");
	}
	pt->no_operator_acts = ops && json_is_false(ops);
	if (jf_str(v, "time_zone", false, pt->time_zone, sizeof pt->time_zone, p, e) < 0)
		return LERR_INVAL;
	if (pt->time_zone[0] && node_zone_check(pt->time_zone, e) < 0) {
		struct jpath q;
		jf_field(&q, p, "time_zone");
		return jf_bad(e, &q, "%s", e->msg);
	}
	json_t *lv = jf_array(v, "levels", true, SCHEME_LEVELS_MAX, p, e, &r);
	if (!lv)
		return r;
	struct jpath lp;
	jf_field(&lp, p, "levels");
	for (size_t i = 0; i < json_array_size(lv); i++) {
		struct jpath q;
		jf_index(&q, &lp, i);
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
	static const char *const keys[] = {"date", "kind", "by", "source", NULL};
	char date[32], kind[32];
	struct jpath q;
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "date", true, date, sizeof date, p, e) < 0 ||
	    jf_str(v, "kind", true, kind, sizeof kind, p, e) < 0 ||
	    jf_str(v, "by", false, ev->by, sizeof ev->by, p, e) < 0)
		return LERR_INVAL;
	if (date_parse(date, &ev->date, e) < 0) {
		jf_field(&q, p, "date");
		return lerr_prefix(e, "%s", q.s);
	}
	if (agr_event_kind_parse(kind, &ev->kind, e) < 0) {
		jf_field(&q, p, "kind");
		return lerr_prefix(e, "%s", q.s);
	}
	if (ev->by[0] && party_code_check(ev->by, e) < 0) {
		jf_field(&q, p, "by");
		return lerr_prefix(e, "%s", q.s);
	}
	return 0;
}

/* One equivalence row: {"common": "SECRET", "JPN": ["GOKUHI"], "KOR": ["II"]}. */
static int parse_equiv(json_t *v, struct agr_equiv *row, const struct jpath *p, struct lerr *e)
{
	if (jf_object(v, p, e) < 0 ||
	    jf_str(v, "common", true, row->common, sizeof row->common, p, e) < 0)
		return LERR_INVAL;
	const char *key;
	json_t *lv;
	json_object_foreach (v, key, lv) {
		if (strcmp(key, "common") == 0)
			continue;
		struct jpath q;
		jf_field(&q, p, key);
		if (party_code_check(key, e) < 0)
			return lerr_prefix(e, "%s", q.s);
		if (!json_is_array(lv) || json_array_size(lv) == 0)
			return jf_bad(e, &q, "must be a non-empty array of level codes");
		for (size_t i = 0; i < json_array_size(lv); i++) {
			struct jpath qi;
			jf_index(&qi, &q, i);
			json_t *c = json_array_get(lv, i);
			if (!json_is_string(c))
				return jf_bad(e, &qi, "must be a level code (a string)");
			if (row->n == AGR_EQUIV_LEVELS_MAX)
				return jf_bad(e, &qi, "too many levels in one row");
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
	static const char *const keys[] = {
	    "id",	   "title",	  "parties", "term_years",    "renewal_years",
	    "notice_days", "equivalence", "events",  "announcements", NULL};
	int r;
	struct jpath q;
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "id", true, a->id, sizeof a->id, p, e) < 0 ||
	    jf_str(v, "title", true, a->title, sizeof a->title, p, e) < 0 ||
	    jf_int(v, "term_years", 1, AGR_YEARS_MAX, &a->term_years, p, e) < 0 ||
	    jf_int(v, "renewal_years", 1, AGR_YEARS_MAX, &a->renewal_years, p, e) < 0 ||
	    jf_int(v, "notice_days", 0, AGR_NOTICE_DAYS_MAX, &a->notice_days, p, e) < 0)
		return LERR_INVAL;
	json_t *pv = jf_array(v, "parties", true, AGR_PARTIES_MAX, p, e, &r);
	if (!pv)
		return r;
	jf_field(&q, p, "parties");
	for (size_t i = 0; i < json_array_size(pv); i++) {
		struct jpath qi;
		jf_index(&qi, &q, i);
		json_t *c = json_array_get(pv, i);
		if (!json_is_string(c))
			return jf_bad(e, &qi, "must be a party code (a string)");
		if (party_code_check(json_string_value(c), e) < 0)
			return lerr_prefix(e, "%s", qi.s);
		str_copy(a->parties[i], PARTY_CODE_MAX, json_string_value(c));
		a->nparties++;
	}
	json_t *ev = jf_array(v, "equivalence", false, AGR_EQUIV_MAX, p, e, &r);
	if (r < 0)
		return r;
	jf_field(&q, p, "equivalence");
	for (size_t i = 0; ev && i < json_array_size(ev); i++) {
		struct jpath qi;
		jf_index(&qi, &q, i);
		if (parse_equiv(json_array_get(ev, i), &a->equiv[i], &qi, e) < 0)
			return LERR_INVAL;
		a->nequiv++;
	}
	json_t *es = jf_array(v, "events", false, AGR_EVENTS_MAX, p, e, &r);
	if (r < 0)
		return r;
	jf_field(&q, p, "events");
	for (size_t i = 0; es && i < json_array_size(es); i++) {
		struct jpath qi;
		jf_index(&qi, &q, i);
		a->events[i].seq = (int64_t)i; /* the file's order: names it in messages */
		if (parse_event(json_array_get(es, i), &a->events[i], &qi, e) < 0)
			return LERR_INVAL;
		a->nevents++;
	}
	agreement_sort_events(a);
	return 0;
}

/* One clearance: {"level", "from", "to"?} at path p. */
static int parse_clearance(json_t *v, struct clearance *c, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"level", "from", "to", NULL};
	c->to = DATE_MAX;
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "level", true, c->level, sizeof c->level, p, e) < 0 ||
	    jf_date(v, "from", true, &c->from, p, e) < 0 ||
	    jf_date(v, "to", false, &c->to, p, e) < 0)
		return LERR_INVAL;
	return 0;
}

static int parse_person(json_t *v, struct person *pp, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"id",	"party", "name", "roles",
					   "clearance", "ntk",	 NULL};
	char roles[ROLE__COUNT + 1][24];
	size_t nroles;
	struct jpath q;
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "id", true, pp->id, sizeof pp->id, p, e) < 0 ||
	    jf_str(v, "party", true, pp->party, sizeof pp->party, p, e) < 0 ||
	    jf_str(v, "name", true, pp->name, sizeof pp->name, p, e) < 0 ||
	    word_list(v, "roles", &roles[0][0], sizeof roles[0], ROLE__COUNT + 1, &nroles, p, e) <
		0 ||
	    word_list(v, "ntk", &pp->ntk[0][0], LABEL_WORD_MAX, PERSON_NTK_MAX, &pp->nntk, p, e) <
		0)
		return LERR_INVAL;
	for (size_t i = 0; i < nroles; i++) {
		enum role role;
		if (role_parse(roles[i], &role, e) < 0) {
			jf_field(&q, p, "roles");
			jf_index(&q, &q, i);
			return lerr_prefix(e, "%s", q.s);
		}
		pp->roles |= role;
	}
	/* "clearance": one object, or an array of them (a level's assessment
	 * and its renewals, clearances at other levels) */
	json_t *c = json_object_get(v, "clearance");
	int r = 0;
	pp->nclear = 0;
	if (!c)
		return 0;
	if (!json_is_array(c)) {
		jf_field(&q, p, "clearance");
		pp->nclear = 1;
		return parse_clearance(c, &pp->clear[0], &q, e);
	}
	json_t *a = jf_array(v, "clearance", false, PERSON_CLEARANCES_MAX, p, e, &r);
	jf_field(&q, p, "clearance");
	for (size_t i = 0; a && i < json_array_size(a); i++) {
		struct jpath qi;
		jf_index(&qi, &q, i);
		if (parse_clearance(json_array_get(a, i), &pp->clear[i], &qi, e) < 0)
			return LERR_INVAL;
		pp->nclear++;
	}
	return r;
}

/* ---- export regimes ---- */

/* groups[i]: a country's membership of one of r's groups. */
static int parse_group(json_t *v, const struct export_regime *r, struct export_interval *g,
		       const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"country", "group", "from", "to", "source", NULL};
	char grp[EXPORT_GROUP_CODE_MAX];
	struct jpath q;
	g->to = DATE_MAX;
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "country", true, g->country, sizeof g->country, p, e) < 0 ||
	    jf_str(v, "group", true, grp, sizeof grp, p, e) < 0 ||
	    jf_date(v, "from", true, &g->from, p, e) < 0 ||
	    jf_date(v, "to", false, &g->to, p, e) < 0)
		return LERR_INVAL;
	jf_field(&q, p, "group");
	if (export_group_find(r, grp, &g->group, e) < 0)
		return lerr_prefix(e, "%s", q.s);
	return 0;
}

/* country_groups[i]: {"code", "name", "rules": "A".."D"}. */
static int parse_group_def(json_t *v, struct export_group_def *d, const struct jpath *p,
			   struct lerr *e)
{
	static const char *const keys[] = {"code", "name", "rules", NULL};
	char rules[8];
	struct jpath q;
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "code", true, d->code, sizeof d->code, p, e) < 0 ||
	    jf_str(v, "name", true, d->name, sizeof d->name, p, e) < 0 ||
	    jf_str(v, "rules", true, rules, sizeof rules, p, e) < 0)
		return LERR_INVAL;
	jf_field(&q, p, "rules");
	if (export_group_parse(rules, &d->rules, e) < 0)
		return lerr_prefix(e, "%s", q.s);
	return 0;
}

static int parse_entry(json_t *v, struct export_entry *x, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"code", "name", "list_item", NULL};
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "code", true, x->code, sizeof x->code, p, e) < 0 ||
	    jf_str(v, "name", true, x->name, sizeof x->name, p, e) < 0 ||
	    jf_int(v, "list_item", 1, EXPORT_LIST_ITEM_MAX, &x->list_item, p, e) < 0)
		return LERR_INVAL;
	return 0;
}

/* obj[f] must be the one value this version knows. */
static int only_value(json_t *obj, const char *f, const char *want, const struct jpath *p,
		      struct lerr *e)
{
	char v[32];
	struct jpath q;
	if (jf_str(obj, f, false, v, sizeof v, p, e) < 0)
		return LERR_INVAL;
	jf_field(&q, p, f);
	if (v[0] && strcmp(v, want) != 0)
		return jf_bad(e, &q, "\"%s\" is not known; this version knows \"%s\"", v, want);
	return 0;
}

static int parse_measure(json_t *v, struct export_measure *m, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"entries",  "country", "from", "to",
					   "requires", "source",  NULL};
	m->to = DATE_MAX;
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    word_list(v, "entries", &m->entries[0][0], LABEL_WORD_MAX, EXPORT_MEASURE_ENTRIES_MAX,
		      &m->nentries, p, e) < 0 ||
	    jf_str(v, "country", true, m->country, sizeof m->country, p, e) < 0 ||
	    jf_date(v, "from", true, &m->from, p, e) < 0 ||
	    jf_date(v, "to", false, &m->to, p, e) < 0 ||
	    only_value(v, "requires", "individual", p, e) < 0)
		return LERR_INVAL;
	return 0;
}

static int parse_licence(json_t *v, struct export_licence *l, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"id",	"kind", "entry", "country", "exporter",
					   "consignee", "from", "to",	 "source",  NULL};
	char kind[24];
	struct jpath q;
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "id", true, l->id, sizeof l->id, p, e) < 0 ||
	    jf_str(v, "kind", false, kind, sizeof kind, p, e) < 0 ||
	    jf_str(v, "entry", true, l->entry, sizeof l->entry, p, e) < 0 ||
	    jf_str(v, "country", true, l->country, sizeof l->country, p, e) < 0 ||
	    jf_str(v, "exporter", false, l->exporter, sizeof l->exporter, p, e) < 0 ||
	    jf_str(v, "consignee", false, l->consignee, sizeof l->consignee, p, e) < 0 ||
	    jf_date(v, "from", true, &l->from, p, e) < 0 ||
	    jf_date(v, "to", true, &l->to, p, e) < 0)
		return LERR_INVAL;
	jf_field(&q, p, "kind");
	if (kind[0] && export_licence_kind_parse(kind, &l->kind, e) < 0)
		return lerr_prefix(e, "%s", q.s);
	return 0;
}

/* obj[f]: an array of at most max objects, each read by fn into a new array *out. */
static int parse_many(json_t *obj, const char *f, size_t max, size_t size, void **out, size_t *n,
		      int (*fn)(json_t *, void *, const struct jpath *, struct lerr *),
		      const struct jpath *p, struct lerr *e)
{
	int r;
	*out = NULL;
	*n = 0;
	json_t *a = jf_array(obj, f, false, max, p, e, &r);
	if (!a)
		return r;
	*out = calloc(json_array_size(a) ? json_array_size(a) : 1, size);
	if (!*out)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	struct jpath q;
	jf_field(&q, p, f);
	for (size_t i = 0; i < json_array_size(a); i++) {
		struct jpath qi;
		jf_index(&qi, &q, i);
		if (fn(json_array_get(a, i), (char *)*out + i * size, &qi, e) < 0)
			return LERR_INVAL;
		(*n)++;
	}
	return 0;
}

static int group_def_fn(json_t *v, void *x, const struct jpath *p, struct lerr *e)
{
	return parse_group_def(v, x, p, e);
}
static int entry_fn(json_t *v, void *x, const struct jpath *p, struct lerr *e)
{
	return parse_entry(v, x, p, e);
}
static int measure_fn(json_t *v, void *x, const struct jpath *p, struct lerr *e)
{
	return parse_measure(v, x, p, e);
}
static int licence_fn(json_t *v, void *x, const struct jpath *p, struct lerr *e)
{
	return parse_licence(v, x, p, e);
}

static int parse_regime(json_t *v, struct export_regime *r, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"party",    "default_group", "country_groups",
					   "groups",   "entries",	"special_measures",
					   "licences", "announcements", NULL};
	char grp[EXPORT_GROUP_CODE_MAX];
	struct jpath q;
	struct export_group_def *defs = NULL;
	int rc;
	if (jf_object(v, p, e) < 0 || jf_only_keys(v, keys, p, e) < 0 ||
	    jf_str(v, "party", true, r->party, sizeof r->party, p, e) < 0 ||
	    jf_str(v, "default_group", true, grp, sizeof grp, p, e) < 0)
		return LERR_INVAL;
	rc = parse_many(v, "country_groups", EXPORT_GROUPS_MAX, sizeof *defs, (void **)&defs,
			&r->ndefs, group_def_fn, p, e);
	for (size_t i = 0; defs && i < r->ndefs; i++)
		r->defs[i] = defs[i];
	free(defs);
	if (rc < 0)
		return LERR_INVAL;
	jf_field(&q, p, "default_group");
	if (export_group_find(r, grp, &r->default_group, e) < 0)
		return lerr_prefix(e, "%s", q.s);
	json_t *gv = jf_array(v, "groups", false, CONFIG_GROUPS_MAX, p, e, &rc);
	if (rc < 0)
		return rc;
	r->groups = calloc(gv && json_array_size(gv) ? json_array_size(gv) : 1, sizeof *r->groups);
	if (!r->groups)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	jf_field(&q, p, "groups");
	for (size_t i = 0; gv && i < json_array_size(gv); i++) {
		struct jpath qi;
		jf_index(&qi, &q, i);
		if (parse_group(json_array_get(gv, i), r, &r->groups[i], &qi, e) < 0)
			return LERR_INVAL;
		r->ngroups++;
	}
	if (parse_many(v, "entries", CONFIG_ENTRIES_MAX, sizeof *r->entries, (void **)&r->entries,
		       &r->nentries, entry_fn, p, e) < 0 ||
	    parse_many(v, "special_measures", CONFIG_MEASURES_MAX, sizeof *r->measures,
		       (void **)&r->measures, &r->nmeasures, measure_fn, p, e) < 0 ||
	    parse_many(v, "licences", CONFIG_LICENCES_MAX, sizeof *r->licences,
		       (void **)&r->licences, &r->nlicences, licence_fn, p, e) < 0)
		return LERR_INVAL;
	if (export_regime_check(r, e) < 0)
		return lerr_prefix_path(e, "%s", p->s);
	return 0;
}

/* ---- the record: sources and announcements ---- */

/* v["source"], when there: {"title", "url"?} into *src (title "" when absent). */
static int parse_source(json_t *v, struct source *src, const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"title", "url", NULL};
	json_t *o = json_object_get(v, "source");
	struct jpath q;
	memset(src, 0, sizeof *src);
	if (!o)
		return 0;
	jf_field(&q, p, "source");
	if (jf_object(o, &q, e) < 0 || jf_only_keys(o, keys, &q, e) < 0 ||
	    jf_str(o, "title", true, src->title, sizeof src->title, &q, e) < 0 ||
	    jf_str(o, "url", false, src->url, sizeof src->url, &q, e) < 0)
		return LERR_INVAL;
	if (!src->title[0])
		return jf_bad(e, &q, "title: must not be empty");
	if (text_line_check(src->title, "title", e) < 0)
		return lerr_prefix(e, "%s", q.s);
	bool http = strncmp(src->url, "https://", 8) == 0 || strncmp(src->url, "http://", 7) == 0;
	for (const char *c = src->url; http && *c; c++)
		http = (unsigned char)*c > 0x20 && (unsigned char)*c < 0x7f;
	if (src->url[0] && !http)
		return jf_bad(e, &q, "url: an http(s) address of printable ASCII, without spaces");
	return 0;
}

/* Adds the source of v (if it has one) as scope/ref to c. */
static int add_source(struct config *c, json_t *v, const char *scope, const char *ref,
		      const struct jpath *p, struct lerr *e)
{
	struct source src;
	if (parse_source(v, &src, p, e) < 0)
		return LERR_INVAL;
	if (!src.title[0])
		return 0;
	struct store_source *m = realloc(c->sources, (c->nsources + 1) * sizeof *m);
	if (!m)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	c->sources = m;
	m = &c->sources[c->nsources++];
	str_copy(m->scope, sizeof m->scope, scope);
	str_copy(m->ref, sizeof m->ref, ref);
	m->src = src;
	return 0;
}

/* obj["announcements"]: [{"date", "title", "by"?, "source"?}] of owner. */
static int parse_announcements(struct config *c, json_t *obj, const char *owner,
			       const struct jpath *p, struct lerr *e)
{
	static const char *const keys[] = {"date", "title", "by", "source", NULL};
	int r;
	json_t *a = jf_array(obj, "announcements", false, CONFIG_ANNOUNCEMENTS_MAX, p, e, &r);
	struct jpath q, qi;
	jf_field(&q, p, "announcements");
	for (size_t i = 0; a && i < json_array_size(a); i++) {
		json_t *v = json_array_get(a, i);
		struct config_announcement *m =
		    realloc(c->announcements, (c->nannouncements + 1) * sizeof *m);
		if (!m)
			return lerr_set(e, LERR_NOMEM, "out of memory");
		c->announcements = m;
		m = &c->announcements[c->nannouncements];
		memset(m, 0, sizeof *m);
		str_copy(m->owner, sizeof m->owner, owner);
		jf_index(&qi, &q, i);
		if (jf_object(v, &qi, e) < 0 || jf_only_keys(v, keys, &qi, e) < 0 ||
		    jf_date(v, "date", true, &m->a.date, &qi, e) < 0 ||
		    jf_str(v, "title", true, m->a.title, sizeof m->a.title, &qi, e) < 0 ||
		    jf_str(v, "by", false, m->a.by, sizeof m->a.by, &qi, e) < 0 ||
		    parse_source(v, &m->a.src, &qi, e) < 0)
			return LERR_INVAL;
		struct jpath qf;
		jf_field(&qf, &qi, "title");
		if (!m->a.title[0])
			return jf_bad(e, &qf, "must not be empty");
		if (text_line_check(m->a.title, qf.s, e) < 0)
			return LERR_INVAL;
		jf_field(&qf, &qi, "by");
		if (m->a.by[0] && party_code_check(m->a.by, e) < 0)
			return lerr_prefix(e, "%s", qf.s);
		c->nannouncements++;
	}
	return r;
}

/* Each "source" and "announcements" of the file, once the rest is read. */
static int parse_record(json_t *root, struct config *c, struct lerr *e)
{
	struct jpath top = {{0}}, q, qi, qj;
	char ref[SOURCE_REF_MAX], owner[CONFIG_OWNER_MAX], d[DATE_BUF_SIZE];
	json_t *av = json_object_get(root, "agreements");
	for (size_t i = 0; i < c->nagreements; i++) {
		json_t *a = json_array_get(av, i), *es = json_object_get(a, "events");
		const char *id = c->agreements[i].id;
		jf_field(&q, &top, "agreements");
		jf_index(&qi, &q, i);
		snprintf(owner, sizeof owner, "agreement|%s", id);
		if (parse_announcements(c, a, owner, &qi, e) < 0)
			return LERR_INVAL;
		jf_field(&q, &qi, "events");
		/* each event as parse_agreement read it: its seq is its place in the file */
		const struct agreement *ag = &c->agreements[i];
		for (size_t k = 0; k < ag->nevents; k++) {
			const struct agr_event *ev = &ag->events[k];
			snprintf(ref, sizeof ref, "%s|%s|%s|%s", id, date_format(ev->date, d),
				 agr_event_kind_name(ev->kind), ev->by);
			jf_index(&qj, &q, (size_t)ev->seq);
			if (add_source(c, json_array_get(es, (size_t)ev->seq), "event", ref, &qj,
				       e) < 0)
				return LERR_INVAL;
		}
	}
	json_t *rv = json_object_get(root, "export_regimes");
	for (size_t i = 0; i < c->nregimes; i++) {
		const struct export_regime *r = &c->regimes[i];
		json_t *x = json_array_get(rv, i);
		jf_field(&q, &top, "export_regimes");
		jf_index(&qi, &q, i);
		snprintf(owner, sizeof owner, "export|%s", r->party);
		if (parse_announcements(c, x, owner, &qi, e) < 0)
			return LERR_INVAL;
		static const char *const lists[] = {"groups", "special_measures", "licences"};
		static const char *const scopes[] = {"group", "measure", "licence"};
		for (int k = 0; k < 3; k++) {
			json_t *l = json_object_get(x, lists[k]);
			jf_field(&q, &qi, lists[k]);
			for (size_t j = 0; j < json_array_size(l); j++) {
				if (k == 0)
					snprintf(ref, sizeof ref, "%s|%s|%s", r->party,
						 r->groups[j].country,
						 date_format(r->groups[j].from, d));
				else if (k == 1)
					snprintf(ref, sizeof ref, "%s|%s|%s", r->party,
						 r->measures[j].country,
						 date_format(r->measures[j].from, d));
				else
					snprintf(ref, sizeof ref, "%s|%s", r->party,
						 r->licences[j].id);
				jf_index(&qj, &q, j);
				if (add_source(c, json_array_get(l, j), scopes[k], ref, &qj, e) < 0)
					return LERR_INVAL;
			}
		}
	}
	return 0;
}

/* root["export_regimes"], one per party, into c. */
static int parse_regimes(json_t *root, struct config *c, struct lerr *e)
{
	struct jpath top = {{0}}, q;
	int r;
	json_t *rv = jf_array(root, "export_regimes", false, CONFIG_REGIMES_MAX, &top, e, &r);
	if (r < 0)
		return r;
	size_t nr = rv ? json_array_size(rv) : 0;
	c->regimes = calloc(nr ? nr : 1, sizeof *c->regimes);
	if (!c->regimes)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	for (size_t i = 0; i < nr; i++) {
		jf_field(&q, &top, "export_regimes");
		jf_index(&q, &q, i);
		c->nregimes++; /* counted first, so that config_free releases a half-read one */
		if (parse_regime(json_array_get(rv, i), &c->regimes[i], &q, e) < 0)
			return LERR_INVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->regimes[j].party, c->regimes[i].party) == 0)
				return lerr_set(e, LERR_INVAL,
						"%s.party: %s is already export_regimes[%zu]", q.s,
						c->regimes[i].party, j);
	}
	return 0;
}

static int parse_root(json_t *root, struct config *c, struct lerr *e)
{
	static const char *const keys[] = {"parties", "agreements", "people", "export_regimes",
					   NULL};
	struct jpath top = {{0}}, q;
	int r;
	if (jf_object(root, &top, e) < 0)
		return LERR_INVAL;
	if (jf_only_keys(root, keys, &top, e) < 0)
		return LERR_INVAL;
	json_t *pv = jf_array(root, "parties", false, CONFIG_PARTIES_MAX, &top, e, &r);
	if (r < 0)
		return r;
	json_t *av = jf_array(root, "agreements", false, CONFIG_AGREEMENTS_MAX, &top, e, &r);
	if (r < 0)
		return r;
	json_t *ppv = jf_array(root, "people", false, CONFIG_PEOPLE_MAX, &top, e, &r);
	if (r < 0)
		return r;
	size_t np = pv ? json_array_size(pv) : 0, na = av ? json_array_size(av) : 0,
	       npp = ppv ? json_array_size(ppv) : 0;
	c->parties = calloc(np ? np : 1, sizeof *c->parties);
	c->agreements = calloc(na ? na : 1, sizeof *c->agreements);
	c->people = calloc(npp ? npp : 1, sizeof *c->people);
	if (!c->parties || !c->agreements || !c->people)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	for (size_t i = 0; i < npp; i++) {
		jf_field(&q, &top, "people");
		jf_index(&q, &q, i);
		if (parse_person(json_array_get(ppv, i), &c->people[i], &q, e) < 0)
			return LERR_INVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->people[j].id, c->people[i].id) == 0)
				return lerr_set(e, LERR_INVAL, "%s.id: %s is already people[%zu]",
						q.s, c->people[i].id, j);
		c->npeople++;
	}
	if ((r = parse_regimes(root, c, e)) < 0)
		return r;
	for (size_t i = 0; i < np; i++) {
		jf_field(&q, &top, "parties");
		jf_index(&q, &q, i);
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
		jf_field(&q, &top, "agreements");
		jf_index(&q, &q, i);
		if (parse_agreement(json_array_get(av, i), &c->agreements[i], &q, e) < 0)
			return LERR_INVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->agreements[j].id, c->agreements[i].id) == 0)
				return lerr_set(e, LERR_INVAL,
						"%s.id: %s is already agreements[%zu]", q.s,
						c->agreements[i].id, j);
		c->nagreements++;
	}
	return parse_record(root, c, e);
}

int config_parse_person(const char *text, size_t len, struct person *p, struct lerr *e)
{
	json_error_t je;
	struct jpath top = {{0}};
	memset(p, 0, sizeof *p);
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return lerr_set(e, LERR_INVAL, "line %d, column %d: %s", je.line, je.column,
				je.text);
	int r = parse_person(v, p, &top, e);
	json_decref(v);
	return r;
}

int config_parse(const char *text, size_t len, const char *name, struct config *c, struct lerr *e)
{
	memset(c, 0, sizeof *c);
	json_error_t je;
	text_skip_bom(&text, &len); /* an editor's byte-order mark: not part of the JSON */
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
	char *buf;
	size_t n;
	memset(c, 0, sizeof *c);
	int r = fio_read_file(path, CONFIG_FILE_MAX, &buf, &n, e);
	if (r < 0)
		return r;
	r = config_parse(buf, n, path, c, e);
	free(buf);
	return r;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	free(c->sources);
	free(c->announcements);
	free(c->parties);
	free(c->agreements);
	free(c->people);
	for (size_t i = 0; i < c->nregimes; i++)
		export_regime_free(&c->regimes[i]);
	free(c->regimes);
	memset(c, 0, sizeof *c);
}
