/* views.c - the JSON answers every face returns (see views.h). */
#include "views.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "../store/store.h"
#include "encode.h"
#include "items.h"
#include "log.h"
#include "peer.h"

json_t *view_error(const struct lerr *e)
{
	/* messages quote what came from outside: only valid UTF-8 goes out */
	char msg[LERR_MSG_MAX], field[LERR_FIELD_MAX];
	json_t *o = json_pack("{s:s, s:s}", "code", lerr_kind(e->code)->name, "message",
			      utf8_scrub(e->msg, msg, sizeof msg));
	if (o && e->field[0])
		json_object_set_new(o, "field",
				    json_string(utf8_scrub(e->field, field, sizeof field)));
	return o ? json_pack("{s:o}", "error", o) : NULL;
}

json_t *view_denied(const struct lerr *e, const struct decision *d, const char *person,
		    const char *item)
{
	json_t *o = view_error(e);
	/* set_new takes the decision, and releases it when it fails */
	if (o && json_object_set_new(json_object_get(o, "error"), "decision",
				     encode_decision(d, person, item)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int nomem(json_t *o, struct lerr *e)
{
	json_decref(o);
	return lerr_set(e, LERR_NOMEM, "out of memory");
}

static int load(struct node *n, const char *id, struct agreement **a, struct lerr *e)
{
	*a = malloc(sizeof **a);
	if (!*a)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	int r = node_agreement_get(n, id, *a, e);
	if (r < 0) {
		free(*a);
		*a = NULL;
	}
	return r;
}

int view_agreements(struct node *n, date_t on, json_t **out, struct lerr *e)
{
	char(*ids)[AGR_ID_MAX];
	size_t nids;
	*out = NULL;
	int r = node_agreement_ids(n, &ids, &nids, e);
	if (r < 0)
		return r;
	json_t *list = json_array();
	struct agr_state st;
	for (size_t i = 0; r == 0 && i < nids; i++) {
		struct agreement *a;
		if ((r = load(n, ids[i], &a, e)) < 0)
			break;
		agreement_state(a, on, AGR_NONE, &st);
		json_t *o = encode_agreement(a, NULL);
		json_object_set_new(o, "status", encode_state(a, &st));
		json_array_append_new(list, o);
		free(a);
	}
	free(ids);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*out = json_pack("{s:o}", "agreements", list);
	if (!*out)
		return nomem(NULL, e);
	encode_date(*out, "date", on);
	encode_clock(*out, &n->clock);
	return 0;
}

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
	json_array_foreach(list, i, x)
	{
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
static void agreement_record(struct node *n, const char *id, json_t *o, json_t *events, date_t from,
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

int view_agreement(struct node *n, const char *id, json_t **out, struct lerr *e)
{
	struct agreement *a;
	struct party ps[AGR_PARTIES_MAX];
	*out = NULL;
	int r = load(n, id, &a, e);
	for (size_t i = 0; r == 0 && i < a->nparties; i++)
		r = node_party_get(n, a->parties[i], &ps[i], e);
	if (r == 0 && !(*out = encode_agreement(a, ps)))
		r = nomem(NULL, e);
	if (r == 0) {
		agreement_record(n, a->id, *out, json_object_get(*out, "events"), DATE_MIN,
				 DATE_MAX);
		encode_clock(*out, &n->clock);
	}
	free(a);
	return r;
}

int view_agreement_status(struct node *n, const char *id, date_t on, const char *without,
			  json_t **out, struct lerr *e)
{
	struct agreement *a;
	size_t skip = AGR_NONE;
	*out = NULL;
	int r = load(n, id, &a, e);
	if (r == 0 && without && (r = agreement_event_number(a, without, &skip, e)) < 0) {
		lerr_prefix(e, "without");
		lerr_field(e, "without");
	}
	if (r == 0) {
		struct agr_state st;
		agreement_state(a, on, skip, &st);
		if (!(*out = encode_state(a, &st)))
			r = nomem(NULL, e);
		else
			encode_clock(*out, &n->clock);
	}
	free(a);
	return r;
}

int view_agreement_timeline(struct node *n, const char *id, const date_t *from_p,
			    const date_t *to_p, const char *without, json_t **out, struct lerr *e)
{
	struct agreement *a;
	size_t skip = AGR_NONE, nv = 0;
	struct agr_state *v = NULL;
	*out = NULL;
	int r = load(n, id, &a, e);
	if (r < 0)
		return r;
	/* by default: from the first event to today or the last event */
	date_t from = a->nevents ? a->events[0].date : n->clock.today, to = n->clock.today;
	if (a->nevents && a->events[a->nevents - 1].date > to)
		to = a->events[a->nevents - 1].date;
	from = from_p ? *from_p : from;
	to = to_p ? *to_p : to;
	if (without && (r = agreement_event_number(a, without, &skip, e)) < 0) {
		lerr_prefix(e, "without");
		lerr_field(e, "without");
	}
	if (r == 0 && (r = agreement_timeline(a, from, to, skip, &v, &nv, e)) == LERR_INVAL)
		lerr_field(e, "to");
	if (r == 0) {
		json_t *changes = json_array();
		for (size_t i = 0; i < nv; i++)
			json_array_append_new(changes, encode_state(a, &v[i]));
		*out = json_pack("{s:s, s:o}", "agreement", a->id, "changes", changes);
		if (!*out)
			r = nomem(NULL, e);
	}
	if (r == 0) {
		encode_date(*out, "from", from);
		encode_date(*out, "to", to);
		if (skip != AGR_NONE)
			json_object_set_new(*out, "without", encode_event(a, skip));
		agreement_record(n, a->id, *out, NULL, from, to);
		encode_clock(*out, &n->clock);
	}
	free(v);
	free(a);
	return r;
}

int view_event_record(struct node *n, const char *id, const struct agr_event *ev,
		      const char *source, json_t **out, struct lerr *e)
{
	struct agreement *a = malloc(sizeof *a);
	size_t number, notes = 0;
	const struct event_how how = {.source = source, .notes = &notes};
	*out = NULL;
	if (!a)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	int r = node_agreement_record_as(n, id, ev, &how, a, &number, e);
	if (r == 0) {
		struct agr_state st;
		agreement_state(a, n->clock.today, AGR_NONE, &st);
		*out = json_pack("{s:o, s:o, s:I}", "event", encode_event(a, number - 1), "status",
				 encode_state(a, &st), "notes", (json_int_t)notes);
		if (*out)
			encode_clock(*out, &n->clock);
		else
			r = nomem(NULL, e);
	}
	free(a);
	return r;
}

/* A person as encode_person says, each clearance with the day it lapses
 * ("lapses") where its level's valid_years ends it before its `to`. */
static json_t *person_json(struct node *n, const struct person *p)
{
	json_t *o = encode_person(p);
	struct party party;
	if (!o || node_party_get(n, p->party, &party, NULL) < 0)
		return o;
	json_t *cs = json_object_get(o, "clearance");
	for (size_t i = 0; i < p->nclear && i < json_array_size(cs); i++) {
		date_t end = clearance_end(&p->clear[i], &party);
		if (end != p->clear[i].to)
			encode_date(json_array_get(cs, i), "lapses", end);
	}
	return o;
}

int view_people(struct node *n, const struct person *who, json_t **out, struct lerr *e)
{
	char(*ids)[PERSON_ID_MAX];
	size_t count;
	*out = NULL;
	int r = node_person_ids(n, &ids, &count, e);
	if (r < 0)
		return r;
	json_t *list = json_array();
	for (size_t i = 0; r == 0 && i < count; i++) {
		struct person p;
		if ((r = node_person_get(n, ids[i], &p, e)) == 0 && node_person_visible(n, who, &p))
			json_array_append_new(list, person_json(n, &p));
	}
	free(ids);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*out = json_pack("{s:o}", "people", list);
	return *out ? 0 : nomem(NULL, e);
}

int view_person(struct node *n, const struct person *who, const char *id, json_t **out,
		struct lerr *e)
{
	struct person p;
	*out = NULL;
	int r = node_person_get_as(n, who, id, &p, e);
	if (r == 0 && !(*out = person_json(n, &p)))
		r = nomem(NULL, e);
	return r;
}

int view_item(struct node *n, const struct person *who, const char *id, json_t **out,
	      struct lerr *e)
{
	struct store_item it;
	struct label l;
	*out = NULL;
	int r = node_item_get_as(n, who, id, &it, &l, e);
	if (r < 0)
		return r;
	*out = encode_item(&it, &l, n->party);
	store_item_free(&it);
	return *out ? 0 : nomem(NULL, e);
}

/* How many ids view_items reads from the store at a time, looking for the
 * ones a person sees. */
#define ITEMS_SCAN 256

int view_items(struct node *n, const struct person *who, const char *after, size_t limit,
	       json_t **out, struct lerr *e)
{
	char(*ids)[LABEL_WORD_MAX] = NULL, cursor[LABEL_WORD_MAX] = "";
	size_t count = 0;
	*out = NULL;
	if (limit < 1 || limit > ITEMS_PAGE_MAX)
		return lerr_set(e, LERR_INVAL, "limit: from 1 to %d items a page", ITEMS_PAGE_MAX);
	if (after) { /* a cursor the person may not see is an id never used */
		struct store_item it;
		struct label l;
		int r = node_item_get_as(n, who, after, &it, &l, e);
		if (r == LERR_NOTFOUND)
			return lerr_set(e, LERR_NOTFOUND, "after: no item %.64s", after);
		if (r < 0)
			return r;
		store_item_free(&it);
		str_copy(cursor, sizeof cursor, after);
	}
	/* the items the person sees, a batch of ids at a time, until the page is
	 * full and one more is found (then "next" says another page follows);
	 * the operator sees them all: the page and one more */
	json_t *list = json_array();
	const size_t want = who ? ITEMS_SCAN : limit + 1;
	bool more = false, end = false;
	int r = 0;
	while (r == 0 && !end && !more) {
		free(ids);
		ids = NULL;
		r = node_item_ids(n, cursor[0] ? cursor : NULL, want, &ids, &count, e);
		end = count < want;
		for (size_t i = 0; r == 0 && i < count && !more; i++) {
			json_t *o;
			str_copy(cursor, sizeof cursor, ids[i]);
			if ((r = view_item(n, who, ids[i], &o, e)) == LERR_NOTFOUND)
				r = 0; /* not there for this person */
			else if (r == 0 && json_array_size(list) == limit) {
				json_decref(o);
				more = true;
			} else if (r == 0)
				json_array_append_new(list, o);
		}
	}
	free(ids);
	json_t *last = json_object_get(json_array_get(list, json_array_size(list) - 1), "id");
	json_t *next = more ? json_copy(last) : json_null();
	if (r < 0) {
		json_decref(list);
		json_decref(next);
		return r;
	}
	*out = json_pack("{s:o, s:o}", "items", list, "next", next);
	return *out ? 0 : nomem(NULL, e);
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
	json_array_foreach(more, i, x) json_object_set_new(x, "kind", json_string("announcement"));
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
	json_array_foreach(lics, i, x)
	{
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
			r = nomem(NULL, e);
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
		return nomem(NULL, e);
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
		r = nomem(NULL, e);
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
		r = nomem(NULL, e);
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
		r = nomem(NULL, e);
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
		return nomem(NULL, e);
	json_object_set_new(*out, "status", json_string(licence_status(l, n->clock.today)));
	return 0;
}

#define B64_HASH sodium_base64_ENCODED_LEN(MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL)

static json_t *hash_json(const uint8_t h[MERKLE_HASH])
{
	char b[B64_HASH];
	return json_string(
	    sodium_bin2base64(b, sizeof b, h, MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL));
}

static json_t *path_json(uint8_t path[][MERKLE_HASH], size_t np)
{
	json_t *a = json_array();
	for (size_t i = 0; i < np; i++)
		json_array_append_new(a, hash_json(path[i]));
	return a;
}

/* Whether who (NULL: the operator) sees item id: no item is no. */
static bool sees_item(struct node *n, const struct person *who, const char *id)
{
	struct store_item it;
	struct label l;
	if (!id || node_item_get_as(n, who, id, &it, &l, NULL) < 0)
		return false;
	store_item_free(&it);
	return true;
}

/*
 * Whether who sees a log entry: an entry about an item (its "item", a
 * decision's item, the original of a copy, the item a message to a peer
 * carried) only when they see the item.
 */
static bool entry_visible(struct node *n, const struct person *who, const char *data, size_t len)
{
	if (!who)
		return true;
	json_t *v = json_loadb(data, len, 0, NULL);
	const char *kind = json_string_value(json_object_get(v, "kind")),
		   *mkind = json_string_value(json_object_get(v, "message_kind"));
	bool copy =
	    kind && (strcmp(kind, "item-reproduce") == 0 || strcmp(kind, "item-translate") == 0);
	const char *ids[4] = {
	    json_string_value(json_object_get(v, "item")),
	    json_string_value(json_object_get(json_object_get(v, "decision"), "item")),
	    copy ? json_string_value(json_object_get(v, "from")) : NULL,
	    mkind && strcmp(mkind, "note") != 0 ? json_string_value(json_object_get(v, "ref"))
						: NULL};
	bool ok = v != NULL;
	for (size_t i = 0; ok && i < sizeof ids / sizeof ids[0]; i++)
		ok = !ids[i] || sees_item(n, who, ids[i]);
	json_decref(v);
	return ok;
}

int view_log_entries(struct node *n, const struct person *who, uint64_t from, uint64_t to,
		     uint64_t max, json_t **out, struct lerr *e)
{
	uint64_t size;
	*out = NULL;
	int r = node_log_size(n, &size, e);
	if (r < 0)
		return r;
	if (to == UINT64_MAX)
		to = size;
	if (to > size || from > to) {
		lerr_set(
		    e, LERR_INVAL, "entries %llu to %llu are not within the log's %llu entries",
		    (unsigned long long)from, (unsigned long long)to, (unsigned long long)size);
		return lerr_field(e, to > size ? "to" : "from");
	}
	if (to - from > max)
		to = from + max;
	json_t *list = json_array();
	for (uint64_t i = from; r == 0 && i < to; i++) {
		char *data;
		size_t len;
		if ((r = node_log_entry(n, i, &data, &len, e)) < 0)
			break;
		if (!entry_visible(n, who, data, len)) { /* its leaf hash, for proofs */
			uint8_t leaf[MERKLE_HASH];
			merkle_leaf_hash(data, len, leaf);
			json_array_append_new(list, json_pack("{s:I, s:b, s:o}", "index",
							      (json_int_t)i, "withheld", 1,
							      "leaf_hash", hash_json(leaf)));
			free(data);
			continue;
		}
		size_t bl = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
		char *enc = malloc(bl);
		if (!enc)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
		else {
			sodium_bin2base64(enc, bl, (const uint8_t *)data, len,
					  sodium_base64_VARIANT_ORIGINAL);
			json_array_append_new(
			    list, json_pack("{s:I, s:s}", "index", (json_int_t)i, "data", enc));
		}
		free(enc);
		free(data);
	}
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*out = json_pack("{s:I, s:I, s:I, s:o}", "size", (json_int_t)size, "from", (json_int_t)from,
			 "to", (json_int_t)to, "entries", list);
	return *out ? 0 : nomem(NULL, e);
}

int view_log_proof(struct node *n, uint64_t index, uint64_t size, json_t **out, struct lerr *e)
{
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], root[MERKLE_HASH], leaf[MERKLE_HASH];
	size_t np;
	char *data = NULL;
	size_t len;
	uint64_t have;
	*out = NULL;
	int r = node_log_size(n, &have, e);
	if (r < 0)
		return r;
	if (size == UINT64_MAX)
		size = have;
	if ((r = node_log_prove(n, index, size, path, &np, e)) == LERR_INVAL)
		return lerr_field(e, size > have ? "size" : "index");
	if (r < 0 || (r = node_log_root(n, size, root, e)) < 0 ||
	    (r = node_log_entry(n, index, &data, &len, e)) < 0)
		return r;
	merkle_leaf_hash(data, len, leaf);
	free(data);
	*out = json_pack("{s:I, s:I, s:o, s:o, s:o}", "index", (json_int_t)index, "size",
			 (json_int_t)size, "leaf_hash", hash_json(leaf), "root", hash_json(root),
			 "proof", path_json(path, np));
	return *out ? 0 : nomem(NULL, e);
}

int view_log_consistency(struct node *n, uint64_t from, uint64_t to, json_t **out, struct lerr *e)
{
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], r1[MERKLE_HASH], r2[MERKLE_HASH];
	size_t np;
	uint64_t have;
	*out = NULL;
	int r = node_log_size(n, &have, e);
	if (r < 0)
		return r;
	if (to == UINT64_MAX)
		to = have;
	if ((r = node_log_consistency(n, from, to, path, &np, e)) == LERR_INVAL)
		return lerr_field(e, to > have ? "to" : "from");
	if (r < 0 || (r = node_log_root(n, from, r1, e)) < 0 ||
	    (r = node_log_root(n, to, r2, e)) < 0)
		return r;
	*out = json_pack("{s:I, s:I, s:o, s:o, s:o}", "from", (json_int_t)from, "to",
			 (json_int_t)to, "first_root", hash_json(r1), "second_root", hash_json(r2),
			 "proof", path_json(path, np));
	return *out ? 0 : nomem(NULL, e);
}

int view_log_checkpoint(struct node *n, const struct key_secret *k, json_t **out, struct lerr *e)
{
	struct checkpoint cp;
	char note[NOTE_MAX];
	*out = NULL;
	int r = node_log_checkpoint(n, k, &cp, note, e);
	if (r < 0)
		return r;
	*out = json_pack("{s:s, s:I, s:o, s:s}", "origin", cp.origin, "size", (json_int_t)cp.size,
			 "root", hash_json(cp.root), "note", note);
	return *out ? 0 : nomem(NULL, e);
}

static json_t *checkpoint_json(const struct checkpoint *cp)
{
	return json_pack("{s:s, s:I, s:o}", "origin", cp->origin, "size", (json_int_t)cp->size,
			 "root", hash_json(cp->root));
}

int view_log_verify(struct node *n, const char *given, json_t **out, struct lerr *e)
{
	struct log_report rep;
	struct lerr why = {0};
	char msg[LERR_MSG_MAX];
	*out = NULL;
	if (node_log_verify_against(n, given, &rep, &why) < 0)
		*out = json_pack("{s:b, s:s}", "ok", 0, "problem",
				 utf8_scrub(why.msg, msg, sizeof msg));
	else
		*out = json_pack("{s:b, s:I, s:I, s:o, s:o}", "ok", 1, "entries",
				 (json_int_t)rep.entries, "hashes", (json_int_t)rep.hashes,
				 "checkpoint",
				 rep.checkpoint ? checkpoint_json(&rep.latest) : json_null(),
				 "given", rep.external ? checkpoint_json(&rep.given) : json_null());
	return *out ? 0 : nomem(NULL, e);
}

int view_party_key_add(struct node *n, const char *party, const char *file, json_t **out,
		       struct lerr *e)
{
	struct key_public p;
	char line[KEY_PUB_LINE_MAX];
	*out = NULL;
	int r = node_party_key_add(n, party, file, &p, e);
	if (r == 0)
		r = key_public_format(&p, line, sizeof line, e);
	if (r < 0)
		return r;
	line[strcspn(line, "\n")] = '\0';
	*out = json_pack("{s:s, s:s}", "party", p.party, "public_key", line);
	return *out ? 0 : nomem(NULL, e);
}

int view_store_info(struct node *n, const char *where, json_t **out, struct lerr *e)
{
	char shown[NODE_PATH_MAX + NODE_STORE_URL_MAX];
	store_location_shown(where, shown, sizeof shown);
	*out = json_pack("{s:s, s:s, s:i, s:s}", "engine",
			 store_is_url(where) ? "postgresql" : "sqlite", "location", shown, "schema",
			 store_schema_version(n->store), "clock",
			 n->clock.replay ? "replay" : "system");
	return *out ? 0 : nomem(NULL, e);
}

int view_peers(struct node *n, json_t **out, struct lerr *e)
{
	struct store_peer *ps = NULL;
	struct store_msg *ms = NULL;
	size_t count = 0, nm = 0;
	bool alarm = false;
	*out = NULL;
	int r = node_peer_list(n, &ps, &count, e);
	if (r == 0)
		r = store_outbox_list(n->store, &ms, &nm, e);
	if (r < 0) {
		free(ps);
		return r;
	}
	json_t *a = json_array();
	for (size_t i = 0; i < count; i++) {
		json_t *o = encode_peer_status(&ps[i]), *q = json_object();
		for (enum msg_state st = MSG_QUEUED; st <= MSG_REFUSED; st++) {
			json_int_t k = 0;
			for (size_t j = 0; j < nm; j++)
				k += strcmp(ms[j].peer, ps[i].party) == 0 && ms[j].state == st;
			json_object_set_new(q, msg_state_name(st), json_integer(k));
		}
		json_object_set_new(o, "outbox", q);
		json_array_append_new(a, o);
		alarm |= ps[i].alarm[0] != '\0';
	}
	store_msg_free(ms, nm);
	free(ms);
	free(ps);
	*out = json_pack("{s:o, s:b}", "peers", a, "alarm", alarm);
	return *out ? 0 : nomem(NULL, e);
}

int view_outbox(struct node *n, const struct person *who, json_t **out, struct lerr *e)
{
	struct store_msg *ms = NULL;
	size_t count = 0;
	*out = NULL;
	int r = store_outbox_list(n->store, &ms, &count, e);
	if (r < 0)
		return r;
	json_t *a = json_array();
	for (size_t i = 0; i < count; i++) {
		json_t *o = encode_msg(&ms[i]);
		/* what a message carries (an item, a consent, a report on an
		 * item) is named only to those who see the item */
		if (o && strcmp(ms[i].kind, "note") != 0 && !sees_item(n, who, ms[i].ref)) {
			json_object_set_new(o, "ref", json_null());
			json_object_set_new(o, "withheld", json_true());
			json_object_del(o, "receipt");
			json_object_del(o, "last_error"); /* the peer's answer may name it */
		}
		json_array_append_new(a, o);
	}
	store_msg_free(ms, count);
	free(ms);
	*out = json_pack("{s:o}", "messages", a);
	return *out ? 0 : nomem(NULL, e);
}
