/* views_export.c - the answers of export control, and the record's sources and announcements on
 * them and on agreements (see views.h). */
#include "views.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "../store/store.h"
#include "encode.h"
#include "items.h"
#include "log.h"
#include "internal.h"
#include "peer.h"

/* ---- the record's sources and announcements ---- */

static json_t *source_json(const struct source *src)
{
	json_t *o = json_pack("{s:s}", "title", src->title);
	if (o && src->url[0])
		json_object_set_new(o, "url", json_string(src->url));
	return o;
}

/* Sets "source" on each object of list whose ref (ref_of) has one in scope. */
static void attach_sources(struct node *n, const char *scope, const char *prefix, json_t *list,
			   void (*ref_of)(const char *prefix, const json_t *x, char *ref,
					  size_t len))
{
	struct store_source *v;
	size_t nv, i;
	json_t *x;
	if (store_sources_list(n->store, scope, prefix, &v, &nv, NULL) < 0 || !nv)
		return;
	json_array_foreach (list, i, x) {
		char ref[SOURCE_REF_MAX];
		ref_of(prefix, x, ref, sizeof ref);
		for (size_t k = 0; k < nv; k++)
			if (strcmp(v[k].ref, ref) == 0)
				json_object_set_new(x, "source", source_json(&v[k].src));
	}
	free(v);
}

static const char *jstr(const json_t *x, const char *k)
{
	const char *v = json_string_value(json_object_get(x, k));
	return v ? v : "";
}

/* "ID|date|kind|by" of an event object. */
static void event_ref(const char *prefix, const json_t *x, char *ref, size_t len)
{
	snprintf(ref, len, "%s%s|%s|%s", prefix, jstr(x, "date"), jstr(x, "kind"), jstr(x, "by"));
}

/* "PARTY|COUNTRY|from" of a group interval or a measure. */
static void span_ref(const char *prefix, const json_t *x, char *ref, size_t len)
{
	snprintf(ref, len, "%s%s|%s", prefix, jstr(x, "country"), jstr(x, "from"));
}

/* "PARTY|COUNTRY|from" of a group interval of a country's history (prefix
 * "PARTY|COUNTRY|"). */
static void from_ref(const char *prefix, const json_t *x, char *ref, size_t len)
{
	snprintf(ref, len, "%s%s", prefix, jstr(x, "from"));
}

/* "PARTY|ID" of a licence. */
static void licence_ref(const char *prefix, const json_t *x, char *ref, size_t len)
{
	snprintf(ref, len, "%s%s", prefix, jstr(x, "id"));
}

/* owner's announcements dated from..to, as objects {"date", "title", "by"?, "source"?}. */
static json_t *announcements_json(struct node *n, const char *owner, date_t from, date_t to)
{
	struct announcement *v;
	size_t nv;
	json_t *list = json_array();
	if (store_announcements_list(n->store, owner, &v, &nv, NULL) < 0)
		return list;
	for (size_t i = 0; list && i < nv; i++) {
		if (v[i].date < from || v[i].date > to)
			continue;
		json_t *o = json_pack("{s:s}", "title", v[i].title);
		encode_date(o, "date", v[i].date);
		if (v[i].by[0])
			json_object_set_new(o, "by", json_string(v[i].by));
		if (v[i].src.title[0])
			json_object_set_new(o, "source", source_json(&v[i].src));
		json_array_append_new(list, o);
	}
	free(v);
	return list;
}

/* An agreement's record on its object: each event's source, its announcements. */
void views_agreement_record(struct node *n, const char *id, json_t *o, json_t *events, date_t from,
			    date_t to)
{
	char prefix[SOURCE_REF_MAX], owner[CONFIG_OWNER_MAX];
	snprintf(prefix, sizeof prefix, "%s|", id);
	snprintf(owner, sizeof owner, "agreement|%s", id);
	if (events)
		attach_sources(n, "event", prefix, events, event_ref);
	json_object_set_new(o, "announcements", announcements_json(n, owner, from, to));
}

/* A regime's record on its object (or parts of it): sources of group
 * intervals, measures and licences, and announcements (when ann). */
static void regime_record(struct node *n, const char *party, json_t *groups, json_t *measures,
			  json_t *licences)
{
	char prefix[SOURCE_REF_MAX];
	snprintf(prefix, sizeof prefix, "%s|", party);
	if (groups)
		attach_sources(n, "group", prefix, groups, span_ref);
	if (measures)
		attach_sources(n, "measure", prefix, measures, span_ref);
	if (licences)
		attach_sources(n, "licence", prefix, licences, licence_ref);
}

/* A change object's date, for ordering. */
static int by_date(const void *x, const void *y)
{
	const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	return strcmp(jstr(a, "date"), jstr(b, "date"));
}

/*
 * The record among an export timeline's changes, each in its day's place:
 * the regime's announcements ("kind": "announcement") and the first day of
 * each licence for the country that names its companies (company-specific
 * bulk, or an individual licence naming exporter or consignee), which no
 * change shows: it changes no answer for a deal that names none ("kind":
 * "licence").
 */
static void timeline_record(struct node *n, const struct export_regime *r, const char *country,
			    json_t *changes)
{
	char owner[CONFIG_OWNER_MAX];
	snprintf(owner, sizeof owner, "export|%s", r->party);
	json_t *more = announcements_json(n, owner, DATE_MIN, DATE_MAX), *x;
	size_t i;
	json_array_foreach (more, i, x)
		json_object_set_new(x, "kind", json_string("announcement"));
	json_t *lics = json_array();
	for (size_t k = 0; k < r->nlicences; k++) {
		const struct export_licence *l = &r->licences[k];
		if (strcmp(l->country, country) != 0 ||
		    (l->kind != EXL_COMPANY_BULK && !l->exporter[0] && !l->consignee[0]))
			continue;
		json_t *o = encode_export_licence(l);
		json_array_append_new(lics, o);
	}
	regime_record(n, r->party, NULL, NULL, lics);
	json_array_foreach (lics, i, x) {
		json_t *o = json_pack("{s:s, s:O}", "kind", "licence", "licence", x);
		json_object_set(o, "date", json_object_get(x, "from"));
		json_array_append_new(more, o);
	}
	json_decref(lics);
	size_t nc = json_array_size(changes), nm = json_array_size(more);
	json_t **all = malloc((nc + nm + 1) * sizeof *all);
	if (!all) {
		json_decref(more);
		return;
	}
	for (i = 0; i < nc; i++)
		all[i] = json_incref(json_array_get(changes, i));
	for (i = 0; i < nm; i++)
		all[nc + i] = json_incref(json_array_get(more, i));
	/* insertion sort: stable, the changes of a day before its record */
	for (i = 1; i < nc + nm; i++)
		for (size_t j = i; j > 0 && by_date(&all[j - 1], &all[j]) > 0; j--) {
			json_t *t = all[j];
			all[j] = all[j - 1];
			all[j - 1] = t;
		}
	json_array_clear(changes);
	for (i = 0; i < nc + nm; i++)
		json_array_append_new(changes, all[i]);
	free(all);
	json_decref(more);
}

int view_export_timeline(struct node *n, const char *party, const char *country, json_t **out,
			 struct lerr *e)
{
	struct export_regime reg;
	struct export_change *ch = NULL;
	size_t nch = 0;
	*out = NULL;
	int r = node_export_regime(n, party, &reg, e);
	if (r < 0)
		return r;
	if ((r = export_timeline(&reg, country, &ch, &nch, e)) == 0) {
		struct export_answer a;
		json_t *initial = json_object(), *changes = json_array();
		for (size_t j = 0; j < reg.nentries; j++) {
			export_check(&reg, reg.entries[j].code, country, DATE_MIN, &a, NULL);
			json_object_set_new(initial, reg.entries[j].code,
					    json_string(export_decision_name(a.decision)));
		}
		for (size_t i = 0; i < nch; i++)
			json_array_append_new(changes, encode_export_change(&reg, &ch[i]));
		timeline_record(n, &reg, country, changes);
		int g0 = export_group_on(&reg, country, DATE_MIN, NULL);
		*out = json_pack("{s:s, s:s, s:s?, s:{s:s, s:o}, s:o}", "party", reg.party,
				 "country", country, "country_name", country_name(country),
				 "initial", "group", export_group_def(&reg, g0)->code, "entries",
				 initial, "changes", changes);
		if (!*out)
			r = views_nomem(NULL, e);
	}
	free(ch);
	export_regime_free(&reg);
	return r;
}

static const char *licence_status(const struct export_licence *l, date_t date)
{
	return date < l->from ? "future" : date > l->to ? "expired" : "valid";
}

int view_licences(struct node *n, const char *party, const char *entry, const char *to, date_t on,
		  json_t **out, struct lerr *e)
{
	struct export_regime reg;
	*out = NULL;
	int r = to ? country_check(to, e) : 0;
	if (r < 0 || (r = node_export_regime(n, party, &reg, e)) < 0)
		return r;
	json_t *list = json_array();
	for (size_t i = 0; i < reg.nlicences; i++) {
		const struct export_licence *l = &reg.licences[i];
		if ((entry && strcmp(l->entry, entry) != 0) || (to && strcmp(l->country, to) != 0))
			continue;
		json_t *o = encode_export_licence(l);
		json_object_set_new(o, "status", json_string(licence_status(l, on)));
		json_array_append_new(list, o);
	}
	regime_record(n, reg.party, NULL, NULL, list);
	*out = json_pack("{s:s, s:o}", "party", reg.party, "licences", list);
	export_regime_free(&reg);
	if (!*out)
		return views_nomem(NULL, e);
	encode_date(*out, "date", on);
	return 0;
}

int view_export_check(struct node *n, const char *party, const char *entry, const char *to,
		      const char *exporter, const char *consignee, date_t on, json_t **out,
		      struct lerr *e)
{
	struct export_regime reg;
	struct export_answer a;
	*out = NULL;
	if (country_check(to, e) < 0) {
		lerr_prefix(e, "to");
		return lerr_field(e, "to");
	}
	int r = node_export_regime(n, party, &reg, e);
	if (r < 0)
		return r;
	if ((r = export_check_deal(&reg, entry, to, on, exporter, consignee, &a, e)) == 0 &&
	    !(*out = encode_export_answer(&reg, &a, to, on)))
		r = views_nomem(NULL, e);
	if (r == 0) {
		json_t *l = json_array(), *m = json_array();
		json_array_append(l, json_object_get(*out, "licence"));
		json_array_append(m, json_object_get(*out, "special_measure"));
		regime_record(n, reg.party, NULL, m, l);
		json_decref(l);
		json_decref(m);
	}
	export_regime_free(&reg);
	return r;
}

int view_export_group(struct node *n, const char *party, const char *country, date_t on,
		      json_t **out, struct lerr *e)
{
	struct export_regime reg;
	*out = NULL;
	if (country_check(country, e) < 0)
		return lerr_field(e, "country");
	int r = node_export_regime(n, party, &reg, e);
	if (r < 0)
		return r;
	if (!(*out = encode_export_group(&reg, country, on)))
		r = views_nomem(NULL, e);
	if (r == 0) {
		char prefix[SOURCE_REF_MAX];
		snprintf(prefix, sizeof prefix, "%s|%s|", reg.party, country);
		attach_sources(n, "group", prefix, json_object_get(*out, "history"), from_ref);
	}
	export_regime_free(&reg);
	return r;
}

int view_export_regime(struct node *n, const char *party, json_t **out, struct lerr *e)
{
	struct export_regime reg;
	*out = NULL;
	int r = node_export_regime(n, party, &reg, e);
	if (r < 0)
		return r;
	if (!(*out = encode_export_regime(&reg)))
		r = views_nomem(NULL, e);
	if (r == 0) {
		char owner[CONFIG_OWNER_MAX];
		snprintf(owner, sizeof owner, "export|%s", reg.party);
		regime_record(n, reg.party, json_object_get(*out, "groups"),
			      json_object_get(*out, "special_measures"),
			      json_object_get(*out, "licences"));
		json_object_set_new(*out, "announcements",
				    announcements_json(n, owner, DATE_MIN, DATE_MAX));
	}
	export_regime_free(&reg);
	return r;
}

/* The argument a licence refused as invalid is about (export_licence_check's order). */
static const char *licence_field(const struct export_licence *l)
{
	if (label_word_check(l->id, NULL) < 0)
		return "id";
	if (country_check(l->country, NULL) < 0)
		return "to";
	if (text_line_check(l->exporter, "exporter", NULL) < 0 ||
	    (l->kind == EXL_COMPANY_BULK && !l->exporter[0]))
		return "exporter";
	if (text_line_check(l->consignee, "consignee", NULL) < 0 ||
	    (l->kind == EXL_COMPANY_BULK && !l->consignee[0]))
		return "consignee";
	return l->from > l->to ? "valid_from" : "entry";
}

int view_licence_add(struct node *n, const char *party, const struct export_licence *l,
		     json_t **out, struct lerr *e)
{
	*out = NULL;
	int r = node_export_licence_add(n, party, l, e);
	if (r == LERR_INVAL)
		return lerr_field(e, licence_field(l));
	if (r < 0)
		return r;
	if (!(*out = encode_export_licence(l)))
		return views_nomem(NULL, e);
	json_object_set_new(*out, "status", json_string(licence_status(l, n->clock.today)));
	return 0;
}
