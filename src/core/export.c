/* export.c - export control answers (see export.h). */
#include "export.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const char *const group_names[EXG__COUNT] = {"A", "B", "C", "D"};
static const char *const kind_names[EXL__COUNT] = {"individual", "company-bulk"};
/* Japan's groups, for a regime that names none of its own. */
static const struct export_group_def japan_groups[EXG__COUNT] = {
    {"A", "A", EXG_A}, {"B", "B", EXG_B}, {"C", "C", EXG_C}, {"D", "D", EXG_D}};
static const char *const decision_names[EXD__COUNT] = {
    "no-licence",	"general-bulk", "special-general-bulk", "licensed", "individual-required",
    "catch-all-review", "prohibited"};

const char *export_group_name(enum export_group g)
{
	return (unsigned)g < EXG__COUNT ? group_names[g] : NULL;
}

const char *export_decision_name(enum export_decision d)
{
	return (unsigned)d < EXD__COUNT ? decision_names[d] : NULL;
}

const char *export_licence_kind_name(enum export_licence_kind k)
{
	return (unsigned)k < EXL__COUNT ? kind_names[k] : NULL;
}

int export_licence_kind_parse(const char *s, enum export_licence_kind *k, struct lerr *e)
{
	for (int i = 0; i < EXL__COUNT; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum export_licence_kind)i;
			return 0;
		}
	return lerr_set(e, LERR_INVAL,
			"unknown licence kind \"%.24s\" (individual, or company-bulk: a "
			"company-specific bulk licence)",
			s);
}

const struct export_group_def *export_group_def(const struct export_regime *r, int g)
{
	size_t n = r->ndefs ? r->ndefs : EXG__COUNT;
	if (g < 0 || (size_t)g >= n)
		return NULL;
	return r->ndefs ? &r->defs[g] : &japan_groups[g];
}

/* The code of group g, "?" when there is none. */
static const char *gcode(const struct export_regime *r, int g)
{
	const struct export_group_def *d = export_group_def(r, g);
	return d ? d->code : "?";
}

int export_group_find(const struct export_regime *r, const char *code, int *g, struct lerr *e)
{
	size_t n = r->ndefs ? r->ndefs : EXG__COUNT;
	char known[EXPORT_GROUPS_MAX * (EXPORT_GROUP_CODE_MAX + 2)] = "";
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		const struct export_group_def *d = export_group_def(r, (int)i);
		if (strcmp(d->code, code) == 0) {
			*g = (int)i;
			return 0;
		}
		len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "",
					d->code);
	}
	*g = 0;
	return lerr_set(e, LERR_INVAL, "unknown country group \"%.16s\" (%s)", code, known);
}

int export_group_parse(const char *s, enum export_group *g, struct lerr *e)
{
	for (int i = 0; i < EXG__COUNT; i++)
		if (strcmp(s, group_names[i]) == 0) {
			*g = (enum export_group)i;
			return 0;
		}
	return lerr_set(e, LERR_INVAL, "unknown country group \"%.16s\" (A, B, C or D)", s);
}

bool export_allowed(enum export_decision d)
{
	return d == EXD_NO_LICENCE || d == EXD_GENERAL_BULK || d == EXD_SPECIAL_GENERAL_BULK ||
	       d == EXD_LICENSED;
}

const struct export_entry *export_entry_find(const struct export_regime *r, const char *code)
{
	for (size_t i = 0; i < r->nentries; i++)
		if (strcmp(r->entries[i].code, code) == 0)
			return &r->entries[i];
	return NULL;
}

int export_group_on(const struct export_regime *r, const char *country, date_t date,
		    const struct export_interval **iv)
{
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct export_interval *g = &r->groups[i];
		if (strcmp(g->country, country) == 0 && g->from <= date && date <= g->to) {
			if (iv)
				*iv = g;
			return g->group;
		}
	}
	if (iv)
		*iv = NULL;
	return r->default_group;
}

static bool measure_has(const struct export_measure *m, const char *entry)
{
	for (size_t i = 0; i < m->nentries; i++)
		if (strcmp(m->entries[i], entry) == 0)
			return true;
	return false;
}

static const struct export_measure *measure_on(const struct export_regime *r, const char *entry,
					       const char *country, date_t date)
{
	for (size_t i = 0; i < r->nmeasures; i++) {
		const struct export_measure *m = &r->measures[i];
		if (strcmp(m->country, country) == 0 && m->from <= date && date <= m->to &&
		    measure_has(m, entry))
			return m;
	}
	return NULL;
}

/* ---- checking a regime ---- */

static int check_span(date_t from, date_t to, const char *what, size_t i, struct lerr *e)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	if (from > to)
		return lerr_set(e, LERR_INVAL, "%s[%zu]: from %s is after to %s", what, i,
				date_format(from, d1), date_format(to, d2));
	return 0;
}

static int check_country(const char *c, const char *what, size_t i, struct lerr *e)
{
	if (country_check(c, e) < 0)
		return lerr_prefix(e, "%s[%zu].country", what, i);
	return 0;
}

static int check_groups(const struct export_regime *r, struct lerr *e)
{
	char d1[DATE_BUF_SIZE];
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct export_interval *g = &r->groups[i];
		if (check_country(g->country, "groups", i, e) < 0 ||
		    check_span(g->from, g->to, "groups", i, e) < 0)
			return LERR_INVAL;
		if (!export_group_def(r, g->group))
			return lerr_set(e, LERR_INVAL, "groups[%zu].group: unknown group", i);
		for (size_t j = 0; j < i; j++) {
			const struct export_interval *h = &r->groups[j];
			if (strcmp(h->country, g->country) == 0 && g->from <= h->to &&
			    h->from <= g->to)
				return lerr_set(
				    e, LERR_INVAL,
				    "groups[%zu]: %s is already in group %s on %s "
				    "(groups[%zu]); intervals of a country must not "
				    "overlap",
				    i, g->country, gcode(r, h->group),
				    date_format(g->from > h->from ? g->from : h->from, d1), j);
		}
	}
	return 0;
}

static int check_defs(const struct export_regime *r, struct lerr *e)
{
	if (r->ndefs > EXPORT_GROUPS_MAX)
		return lerr_set(e, LERR_INVAL, "country_groups: more than %d", EXPORT_GROUPS_MAX);
	for (size_t i = 0; i < r->ndefs; i++) {
		const struct export_group_def *d = &r->defs[i];
		if (label_word_check(d->code, e) < 0)
			return lerr_prefix(e, "country_groups[%zu].code", i);
		char what[64];
		snprintf(what, sizeof what, "country_groups[%zu].name", i);
		if (!d->name[0])
			return lerr_set(e, LERR_INVAL, "%s: must not be empty", what);
		if (text_line_check(d->name, what, e) < 0)
			return LERR_INVAL;
		if ((unsigned)d->rules >= EXG__COUNT)
			return lerr_set(e, LERR_INVAL, "country_groups[%zu].rules: unknown", i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->defs[j].code, d->code) == 0)
				return lerr_set(e, LERR_INVAL,
						"country_groups[%zu].code: %s is already "
						"country_groups[%zu]",
						i, d->code, j);
	}
	return 0;
}

static int check_entries(const struct export_regime *r, struct lerr *e)
{
	for (size_t i = 0; i < r->nentries; i++) {
		const struct export_entry *x = &r->entries[i];
		if (label_word_check(x->code, e) < 0)
			return lerr_prefix(e, "entries[%zu].code", i);
		if (!x->name[0])
			return lerr_set(e, LERR_INVAL, "entries[%zu].name: must not be empty", i);
		if (x->list_item < 1 || x->list_item > EXPORT_LIST_ITEM_MAX)
			return lerr_set(e, LERR_INVAL,
					"entries[%zu].list_item: %d is not a list item (1-%d)", i,
					x->list_item, EXPORT_LIST_ITEM_MAX);
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->entries[j].code, x->code) == 0)
				return lerr_set(e, LERR_INVAL,
						"entries[%zu].code: %s is already entries[%zu]", i,
						x->code, j);
	}
	return 0;
}

static int check_listed(const struct export_regime *r, const char *entry, struct lerr *e)
{
	if (!export_entry_find(r, entry))
		return lerr_set(e, LERR_INVAL, "%s is not an entry of %s's control list", entry,
				r->party);
	return 0;
}

static int check_measures(const struct export_regime *r, struct lerr *e)
{
	for (size_t i = 0; i < r->nmeasures; i++) {
		const struct export_measure *m = &r->measures[i];
		if (check_country(m->country, "special_measures", i, e) < 0 ||
		    check_span(m->from, m->to, "special_measures", i, e) < 0)
			return LERR_INVAL;
		if (!m->nentries)
			return lerr_set(e, LERR_INVAL,
					"special_measures[%zu].entries: must name an entry", i);
		for (size_t k = 0; k < m->nentries; k++)
			if (check_listed(r, m->entries[k], e) < 0)
				return lerr_prefix(e, "special_measures[%zu].entries[%zu]", i, k);
		/* one measure per country and first day: its entries are one list
		 * (and the measure has one key, for its source) */
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->measures[j].country, m->country) == 0 &&
			    r->measures[j].from == m->from)
				return lerr_set(
				    e, LERR_INVAL,
				    "special_measures[%zu]: %s already has a measure from "
				    "that day (special_measures[%zu]); list its entries "
				    "there",
				    i, m->country, j);
	}
	return 0;
}

int export_licence_check(const struct export_regime *r, const struct export_licence *l,
			 struct lerr *e)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	if (label_word_check(l->id, e) < 0)
		return lerr_prefix(e, "id");
	if ((unsigned)l->kind >= EXL__COUNT)
		return lerr_set(e, LERR_INVAL, "kind: unknown");
	if (country_check(l->country, e) < 0)
		return lerr_prefix(e, "country");
	if (text_line_check(l->exporter, "exporter", e) < 0 ||
	    text_line_check(l->consignee, "consignee", e) < 0)
		return LERR_INVAL;
	if (l->kind == EXL_COMPANY_BULK && (!l->exporter[0] || !l->consignee[0]))
		return lerr_set(e, LERR_INVAL,
				"%s: a company-specific bulk licence names its exporter and its "
				"consignee",
				l->exporter[0] ? "consignee" : "exporter");
	if (l->from > l->to)
		return lerr_set(e, LERR_INVAL, "from %s is after to %s", date_format(l->from, d1),
				date_format(l->to, d2));
	if (check_listed(r, l->entry, e) < 0)
		return lerr_prefix(e, "entry");
	for (size_t j = 0; j < r->nlicences && &r->licences[j] != l; j++)
		if (strcmp(r->licences[j].id, l->id) == 0)
			return lerr_set(e, LERR_EXISTS, "id: %s is already on file", l->id);
	return 0;
}

static int check_licences(const struct export_regime *r, struct lerr *e)
{
	for (size_t i = 0; i < r->nlicences; i++)
		if (export_licence_check(r, &r->licences[i], e) < 0)
			return lerr_prefix_path(e, "licences[%zu]", i);
	return 0;
}

int export_regime_check(const struct export_regime *r, struct lerr *e)
{
	if (party_code_check(r->party, e) < 0)
		return lerr_prefix(e, "party");
	if (check_defs(r, e) < 0)
		return LERR_INVAL;
	if (!export_group_def(r, r->default_group))
		return lerr_set(e, LERR_INVAL, "default_group: unknown group");
	if (check_groups(r, e) < 0 || check_entries(r, e) < 0 || check_measures(r, e) < 0 ||
	    check_licences(r, e) < 0)
		return LERR_INVAL;
	return 0;
}

/* ---- answers ---- */

static void reason(struct export_answer *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void reason(struct export_answer *a, const char *fmt, ...)
{
	if (a->nreasons == EXPORT_REASONS_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->reasons[a->nreasons], EXPORT_REASON_MAX, fmt, ap);
	va_end(ap);
	text_trim_utf8(a->reasons[a->nreasons++]); /* names cut by the buffer stay text */
}

/* The group's own answer for an entry (or none), before measures and licences. */
static void by_group(const struct export_regime *r, const struct export_entry *x,
		     const char *country, struct export_answer *a)
{
	char d1[DATE_BUF_SIZE];
	const char *g = gcode(r, a->group);
	const struct export_group_def *def = export_group_def(r, a->group);
	const enum export_group rules = def ? def->rules : EXG_C;
	if (a->interval)
		reason(a, "%s is in group %s since %s", country, g,
		       date_format(a->interval->from, d1));
	else
		reason(a, "%s is in group %s, %s's default group", country, g, r->party);
	if (!x) {
		a->decision = rules == EXG_A ? EXD_NO_LICENCE : EXD_CATCH_ALL_REVIEW;
		reason(
		    a,
		    rules == EXG_A
			? "no list entry: destinations of a group like A are exempt from catch-all "
			  "control"
			: "no list entry: catch-all control applies (a licence when the end "
			  "use or end user is of concern)");
		return;
	}
	if (x->list_item == 1) {
		a->decision = rules == EXG_D ? EXD_PROHIBITED : EXD_INDIVIDUAL_REQUIRED;
		reason(a, "%s is list item 1 (arms): %s", x->code,
		       rules == EXG_D ? "prohibited to group D"
				      : "an individual licence for every destination");
	} else if (x->list_item <= 14 && rules == EXG_A) {
		a->decision = EXD_GENERAL_BULK;
		reason(a, "%s is list item %d: group %s has the general bulk licence", x->code,
		       x->list_item, g);
	} else if (x->list_item <= 14 && rules == EXG_B) {
		a->decision = EXD_SPECIAL_GENERAL_BULK;
		reason(a, "%s is list item %d: group %s has the special general bulk licence",
		       x->code, x->list_item, g);
	} else {
		a->decision = EXD_INDIVIDUAL_REQUIRED;
		reason(a, "%s is list item %d: group %s needs an individual licence", x->code,
		       x->list_item, g);
	}
}

static const char *kind_word(const struct export_licence *l)
{
	return l->kind == EXL_COMPANY_BULK ? "company-specific bulk licence" : "individual licence";
}

/* Whether a licence's named exporter and consignee (if any) are the deal's. */
static bool licence_parties(const struct export_licence *l, const char *exporter,
			    const char *consignee)
{
	return (!l->exporter[0] || (exporter && strcmp(l->exporter, exporter) == 0)) &&
	       (!l->consignee[0] || (consignee && strcmp(l->consignee, consignee) == 0));
}

/*
 * The licence on file for (entry, country) and the deal valid on date
 * (*valid), else one valid that day for other companies (*others), else
 * the one that ran out last before it, else the first to come.
 */
static const struct export_licence *licence_for(const struct export_regime *r, const char *entry,
						const char *country, date_t date,
						const char *exporter, const char *consignee,
						bool *valid, const struct export_licence **others)
{
	const struct export_licence *best = NULL;
	*valid = false;
	*others = NULL;
	for (size_t i = 0; i < r->nlicences; i++) {
		const struct export_licence *l = &r->licences[i];
		if (strcmp(l->entry, entry) != 0 || strcmp(l->country, country) != 0)
			continue;
		if (!licence_parties(l, exporter, consignee)) {
			if (l->from <= date && date <= l->to && !*others)
				*others = l;
			continue;
		}
		if (l->from <= date && date <= l->to) {
			*valid = true;
			return l;
		}
		bool past = l->to < date, best_past = best && best->to < date;
		if (!best || (past && (!best_past || l->to > best->to)) ||
		    (!past && !best_past && l->from < best->from))
			best = l;
	}
	return best;
}

static void apply_licence(const struct export_regime *r, const struct export_entry *x,
			  const char *country, date_t date, const char *exporter,
			  const char *consignee, struct export_answer *a)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	bool valid;
	const struct export_licence *o,
	    *l = licence_for(r, x->code, country, date, exporter, consignee, &valid, &o);
	if (valid && a->decision == EXD_PROHIBITED) {
		reason(a, "licence %s does not lift a prohibition", l->id);
		return;
	}
	if (a->decision != EXD_INDIVIDUAL_REQUIRED)
		return;
	if (valid && l->kind == EXL_COMPANY_BULK) {
		a->decision = EXD_LICENSED;
		a->licence = l;
		reason(a,
		       "company-specific bulk licence %s covers deals of %s with %s (valid %s "
		       "to %s)",
		       l->id, l->exporter, l->consignee, date_format(l->from, d1),
		       date_format(l->to, d2));
	} else if (valid) {
		a->decision = EXD_LICENSED;
		a->licence = l;
		reason(a, "individual licence %s covers it (valid %s to %s)", l->id,
		       date_format(l->from, d1), date_format(l->to, d2));
	} else if (o) {
		reason(a, "%s %s covers only deals of %s with %s, not this one", kind_word(o),
		       o->id, o->exporter[0] ? o->exporter : "any exporter",
		       o->consignee[0] ? o->consignee : "any consignee");
	} else if (l && l->to < date) {
		reason(a, "no valid %s: %s was valid %s to %s", kind_word(l), l->id,
		       date_format(l->from, d1), date_format(l->to, d2));
	} else if (l) {
		reason(a, "no valid %s yet: %s is valid from %s", kind_word(l), l->id,
		       date_format(l->from, d1));
	} else {
		reason(a, "no individual licence for %s to %s is on file", x->code, country);
	}
}

int export_check(const struct export_regime *r, const char *entry, const char *country, date_t date,
		 struct export_answer *a, struct lerr *e)
{
	return export_check_deal(r, entry, country, date, NULL, NULL, a, e);
}

int export_check_deal(const struct export_regime *r, const char *entry, const char *country,
		      date_t date, const char *exporter, const char *consignee,
		      struct export_answer *a, struct lerr *e)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	memset(a, 0, sizeof *a);
	if (country_check(country, e) < 0)
		return LERR_INVAL;
	const struct export_entry *x = NULL;
	if (entry && entry[0] && !(x = export_entry_find(r, entry)))
		return lerr_set(e, LERR_NOTFOUND, "%.63s is not an entry of %s's control list",
				entry, r->party);
	a->entry = x;
	a->group = export_group_on(r, country, date, &a->interval);
	by_group(r, x, country, a);
	if (!x)
		return 0;
	a->measure = measure_on(r, x->code, country, date);
	if (a->measure &&
	    (a->decision == EXD_GENERAL_BULK || a->decision == EXD_SPECIAL_GENERAL_BULK)) {
		a->decision = EXD_INDIVIDUAL_REQUIRED;
		reason(
		    a, "special measure of %s to %s: %s to %s needs an individual licence instead",
		    date_format(a->measure->from, d1),
		    a->measure->to == DATE_MAX ? "further notice" : date_format(a->measure->to, d2),
		    x->code, country);
	}
	apply_licence(r, x, country, date, exporter && exporter[0] ? exporter : NULL,
		      consignee && consignee[0] ? consignee : NULL, a);
	return 0;
}

/* ---- timeline ---- */

static int cmp_date(const void *x, const void *y)
{
	date_t a = *(const date_t *)x, b = *(const date_t *)y;
	return (a > b) - (a < b);
}

/* The days on which something about country may change. */
static date_t *boundaries(const struct export_regime *r, const char *country, size_t *n)
{
	size_t max = 2 * (r->ngroups + r->nmeasures + r->nlicences) + 1, k = 0;
	date_t *d = malloc(max * sizeof *d);
	if (!d)
		return NULL;
#define SPAN(from, to)                                                                             \
	do {                                                                                       \
		d[k++] = (from);                                                                   \
		if ((to) < DATE_MAX)                                                               \
			d[k++] = (to) + 1;                                                         \
	} while (0)
	for (size_t i = 0; i < r->ngroups; i++)
		if (strcmp(r->groups[i].country, country) == 0)
			SPAN(r->groups[i].from, r->groups[i].to);
	for (size_t i = 0; i < r->nmeasures; i++)
		if (strcmp(r->measures[i].country, country) == 0)
			SPAN(r->measures[i].from, r->measures[i].to);
	for (size_t i = 0; i < r->nlicences; i++)
		if (strcmp(r->licences[i].country, country) == 0)
			SPAN(r->licences[i].from, r->licences[i].to);
#undef SPAN
	qsort(d, k, sizeof *d, cmp_date);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (d[i] > DATE_MIN && (u == 0 || d[u - 1] != d[i]))
			d[u++] = d[i];
	*n = u;
	return d;
}

int export_timeline(const struct export_regime *r, const char *country, struct export_change **out,
		    size_t *n, struct lerr *e)
{
	*out = NULL;
	*n = 0;
	if (country_check(country, e) < 0)
		return LERR_INVAL;
	size_t nb, cap = 0, k = 0;
	date_t *days = boundaries(r, country, &nb);
	enum export_decision *now = calloc(r->nentries + 1, sizeof *now);
	struct export_change *c = NULL;
	if (!days || !now)
		goto nomem;
	struct export_answer a;
	int group = export_group_on(r, country, DATE_MIN, NULL);
	for (size_t j = 0; j < r->nentries; j++) {
		export_check(r, r->entries[j].code, country, DATE_MIN, &a, NULL);
		now[j] = a.decision;
	}
	for (size_t i = 0; i < nb; i++) {
		if (k + r->nentries + 1 > cap) {
			cap = 2 * cap + r->nentries + 8;
			struct export_change *m = realloc(c, cap * sizeof *c);
			if (!m)
				goto nomem;
			c = m;
		}
		const struct export_interval *iv;
		int g = export_group_on(r, country, days[i], &iv);
		if (g != group)
			c[k++] = (struct export_change){
			    .date = days[i], .group_before = group, .group = g, .interval = iv};
		for (size_t j = 0; j < r->nentries; j++) {
			export_check(r, r->entries[j].code, country, days[i], &a, NULL);
			if (a.decision != now[j])
				c[k++] = (struct export_change){.date = days[i],
								.entry = &r->entries[j],
								.group_before = group,
								.group = g,
								.before = now[j],
								.after = a.decision,
								.interval = iv,
								.measure = a.measure,
								.licence = a.licence};
			now[j] = a.decision;
		}
		group = g;
	}
	free(days);
	free(now);
	*out = c;
	*n = k;
	return 0;
nomem:
	free(days);
	free(now);
	free(c);
	return lerr_set(e, LERR_NOMEM, "out of memory");
}

void export_regime_free(struct export_regime *r)
{
	if (!r)
		return;
	free(r->groups);
	free(r->entries);
	free(r->measures);
	free(r->licences);
	r->groups = NULL;
	r->entries = NULL;
	r->measures = NULL;
	r->licences = NULL;
	r->ngroups = r->nentries = r->nmeasures = r->nlicences = 0;
}
