/* encode.c - JSON objects for every face (see encode.h). */
#include "encode.h"

#include "exchange.h"
#include "label_json.h"

#include <string.h>
#include <time.h>

void encode_date(json_t *obj, const char *key, date_t d)
{
	char buf[DATE_BUF_SIZE];
	json_object_set_new(obj, key, json_string(date_format(d, buf)));
}

void encode_instant(json_t *obj, const char *key, int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) && strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
		json_object_set_new(obj, key, json_string(buf));
}

void encode_clock(json_t *obj, const struct node_clock *c)
{
	encode_date(obj, "today", c->today);
	if (c->simulated)
		json_object_set_new(obj, "clock", json_string("LIAISON_NOW"));
}

json_t *encode_party(const struct party *p)
{
	json_t *levels = json_array();
	for (size_t i = 0; i < p->nlevels; i++) {
		json_t *lv = json_pack("{s:s, s:s, s:i}", "code", p->levels[i].code, "name",
				       p->levels[i].name, "rank", p->levels[i].rank);
		if (lv && p->levels[i].separate)
			json_object_set_new(lv, "separate", json_true());
		if (lv && p->levels[i].valid_years)
			json_object_set_new(lv, "valid_years",
					    json_integer(p->levels[i].valid_years));
		if (lv && p->levels[i].colour[0])
			json_object_set_new(lv, "colour", json_string(p->levels[i].colour));
		json_array_append_new(levels, lv);
	}
	json_t *o =
	    json_pack("{s:s, s:s, s:o}", "code", p->code, "name", p->name, "levels", levels);
	struct party_words words[PARTY_WORD_LISTS];
	party_word_lists(p, words);
	for (size_t k = 0; o && k < PARTY_WORD_LISTS; k++) {
		if (!words[k].n)
			continue;
		json_t *a = json_array();
		for (size_t i = 0; i < words[k].n; i++)
			json_array_append_new(a, json_string(words[k].v[i]));
		json_object_set_new(o, words[k].name, a);
	}
	if (o && p->no_operator_acts)
		json_object_set_new(o, "operator_acts", json_false());
	if (o && p->time_zone[0])
		json_object_set_new(o, "time_zone", json_string(p->time_zone));
	return o;
}

json_t *encode_event(const struct agreement *a, size_t i)
{
	const struct agr_event *ev = &a->events[i];
	json_t *o = json_pack("{s:I}", "number", (json_int_t)(i + 1));
	if (!o)
		return NULL;
	encode_date(o, "date", ev->date);
	json_object_set_new(o, "kind", json_string(agr_event_kind_name(ev->kind)));
	if (ev->by[0])
		json_object_set_new(o, "by", json_string(ev->by));
	const char *missing;
	if (agreement_event_awaits(a, i, AGR_NONE, &missing)) /* a joint act, one-sided so far */
		json_object_set_new(o, "awaiting", json_string(missing));
	return o;
}

static json_t *encode_equivalence(const struct agreement *a)
{
	json_t *rows = json_array();
	for (size_t r = 0; r < a->nequiv; r++) {
		const struct agr_equiv *row = &a->equiv[r];
		json_t *o = json_pack("{s:s}", "common", row->common);
		for (size_t i = 0; i < row->n; i++) {
			json_t *list = json_object_get(o, row->levels[i].party);
			if (!list) {
				list = json_array();
				json_object_set_new(o, row->levels[i].party, list);
			}
			json_array_append_new(list, json_string(row->levels[i].level));
		}
		json_array_append_new(rows, o);
	}
	return rows;
}

json_t *encode_agreement(const struct agreement *a, const struct party *parties)
{
	json_t *ps = json_array(), *unmapped = json_array(), *events = json_array();
	for (size_t i = 0; i < a->nparties; i++) {
		if (!parties) {
			json_array_append_new(ps, json_string(a->parties[i]));
			continue;
		}
		const struct party *p = &parties[i];
		json_array_append_new(ps, encode_party(p));
		for (size_t l = 0; l < p->nlevels; l++)
			if (!agreement_equiv_row(a, p->code, p->levels[l].code))
				json_array_append_new(unmapped,
						      json_pack("{s:s, s:s, s:s}", "party", p->code,
								"level", p->levels[l].code, "name",
								p->levels[l].name));
	}
	for (size_t i = 0; i < a->nevents; i++)
		json_array_append_new(events, encode_event(a, i));
	json_t *o = json_pack("{s:s, s:s, s:o, s:i, s:i, s:i, s:o, s:o}", "id", a->id, "title",
			      a->title, "parties", ps, "term_years", a->term_years, "renewal_years",
			      a->renewal_years, "notice_days", a->notice_days, "equivalence",
			      encode_equivalence(a), "events", events);
	if (o && parties)
		json_object_set_new(o, "unmapped", unmapped);
	else
		json_decref(unmapped);
	return o;
}

static json_t *encode_notice(const struct agr_notice *n)
{
	json_t *o =
	    json_pack("{s:s, s:s}", "by", n->by, "status", agr_notice_status_name(n->status));
	if (!o)
		return NULL;
	encode_date(o, "given", n->given);
	json_object_set_new(o, "event", json_integer((json_int_t)n->event + 1));
	if (n->status == AGR_NOTICE_PENDING)
		encode_date(o, "effective", n->effective);
	if (n->status == AGR_NOTICE_SUSPENDED)
		encode_date(o, "suspended", n->changed);
	if (n->status == AGR_NOTICE_WITHDRAWN)
		encode_date(o, "withdrawn", n->changed);
	if (n->resumed)
		json_object_set_new(o, "resumed", json_true());
	return o;
}

json_t *encode_state(const struct agreement *a, const struct agr_state *st)
{
	json_t *o = json_pack("{s:s}", "agreement", a->id);
	if (!o)
		return NULL;
	encode_date(o, "date", st->date);
	json_object_set_new(o, "state", json_string(agr_state_name(st->state)));
	if (st->state == AGR_UNDER_NOTICE)
		encode_date(o, "ends", st->ends);
	if (st->state == AGR_TERMINATED)
		encode_date(o, "since", st->since);
	if (st->is_signed)
		encode_date(o, "signed", st->signed_on);
	if (st->entered)
		encode_date(o, "in_force_since", st->in_force_since);
	if (st->state == AGR_IN_FORCE || st->state == AGR_UNDER_NOTICE) {
		json_t *t = json_pack("{s:i}", "number", (int)st->term);
		encode_date(t, "started", st->term_start);
		encode_date(t, "ends", st->term_end); /* the day after its last: a change's day */
		encode_date(t, "last_day", st->term_end - 1);
		if (st->state == AGR_IN_FORCE)
			encode_date(t, "notice_deadline", st->notice_deadline);
		json_object_set_new(o, "term", t);
	}
	if (st->notice.status != AGR_NOTICE_NONE)
		json_object_set_new(o, "notice", encode_notice(&st->notice));
	if (st->without != AGR_NONE && st->without < a->nevents)
		json_object_set_new(o, "without", encode_event(a, st->without));
	if (st->nignored_total) {
		json_t *ig = json_array();
		for (size_t i = 0; i < st->nignored; i++) {
			json_t *ev = encode_event(a, st->ignored[i].event);
			json_object_set_new(ev, "reason", json_string(st->ignored[i].reason));
			json_array_append_new(ig, ev);
		}
		json_object_set_new(o, "ignored", ig);
		if (st->nignored_total > st->nignored)
			json_object_set_new(
			    o, "ignored_more",
			    json_integer((json_int_t)(st->nignored_total - st->nignored)));
	}
	return o;
}

json_t *encode_person(const struct person *p)
{
	json_t *roles = json_array(), *ntk = json_array();
	for (int i = 0; i < ROLE__COUNT; i++)
		if (p->roles & (1u << i))
			json_array_append_new(roles, json_string(role_name((enum role)(1u << i))));
	for (size_t i = 0; i < p->nntk; i++)
		json_array_append_new(ntk, json_string(p->ntk[i]));
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", p->id, "party", p->party, "name",
			      p->name, "roles", roles, "ntk", ntk);
	json_t *cs = json_array();
	for (size_t i = 0; cs && i < p->nclear; i++) {
		json_t *c = json_pack("{s:s}", "level", p->clear[i].level);
		encode_date(c, "from", p->clear[i].from);
		if (p->clear[i].to != DATE_MAX)
			encode_date(c, "to", p->clear[i].to);
		json_array_append_new(cs, c);
	}
	if (o)
		json_object_set_new(o, "clearance",
				    cs); /* as config takes it (views add "lapses") */
	else
		json_decref(cs);
	return o;
}

json_t *encode_decision(const struct decision *d, const char *person, const char *item, bool hints)
{
	/* built field by field (no format to parse): the daemon's hottest object */
	json_t *rules = json_array(), *o = json_object();
	for (size_t i = 0; rules && i < d->nrules; i++) {
		json_t *r = json_object();
		/* ids and clauses are decide()'s own ASCII constants; the details
		 * are not checked here because every dump checks its strings
		 * (json_dumpb fails on bad UTF-8; the faces answer with an error) */
		json_object_set_new_nocheck(r, "id", json_string_nocheck(d->rules[i].id));
		json_object_set_new_nocheck(r, "ok", json_boolean(d->rules[i].ok));
		json_object_set_new_nocheck(r, "detail", json_string_nocheck(d->rules[i].detail));
		json_object_set_new_nocheck(r, "clause", json_string_nocheck(d->rules[i].clause));
		if (hints && d->rules[i].hint[0])
			json_object_set_new_nocheck(r, "hint",
						    json_string_nocheck(d->rules[i].hint));
		json_array_append_new(rules, r);
	}
	if (!o) {
		json_decref(rules);
		return NULL;
	}
	json_object_set_new_nocheck(o, "decision",
				    json_string_nocheck(d->permit ? "PERMIT" : "DENY"));
	json_object_set_new_nocheck(o, "action", json_string_nocheck(action_name(d->action)));
	json_object_set_new_nocheck(o, "person", json_string_nocheck(person));
	json_object_set_new_nocheck(o, "item", json_string_nocheck(item));
	encode_date(o, "date", d->date);
	json_object_set_new_nocheck(o, "rules", rules);
	return o;
}

json_t *encode_item(const struct store_item *it, const struct label *l, const char *local_party)
{
	json_t *o = json_pack("{s:s, s:o, s:{s:s, s:s}, s:{s:s, s:s}, s:b, s:I, s:s}", "id", it->id,
			      "label", label_json(l), "marking", "party", it->originator, "level",
			      it->level, "local_marking", "party", local_party, "level",
			      it->local_level, "foreign", it->foreign, "size", (json_int_t)it->size,
			      "stored_on", it->stored_on);
	if (!o)
		return NULL;
	if (it->foreign) {
		json_object_set_new(o, "received", json_string(it->received));
		json_object_set_new(o, "sender", json_string(it->sender));
	}
	if (it->destroyed_on[0])
		json_object_set_new(o, "destroyed_on", json_string(it->destroyed_on));
	return o;
}

/* ---- export control ---- */

/* Sets "from" and, unless open-ended, "to". */
static void encode_span(json_t *o, date_t from, date_t to)
{
	encode_date(o, "from", from);
	if (to != DATE_MAX)
		encode_date(o, "to", to);
}

json_t *encode_export_licence(const struct export_licence *l)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s}", "id", l->id, "kind",
		      export_licence_kind_name(l->kind), "entry", l->entry, "country", l->country);
	if (o && l->exporter[0])
		json_object_set_new(o, "exporter", json_string(l->exporter));
	if (o && l->consignee[0])
		json_object_set_new(o, "consignee", json_string(l->consignee));
	encode_span(o, l->from, l->to);
	return o;
}

json_t *encode_export_measure(const struct export_measure *m)
{
	json_t *entries = json_array();
	for (size_t i = 0; i < m->nentries; i++)
		json_array_append_new(entries, json_string(m->entries[i]));
	json_t *o = json_pack("{s:o, s:s}", "entries", entries, "country", m->country);
	encode_span(o, m->from, m->to);
	json_object_set_new(o, "requires", json_string("individual"));
	return o;
}

json_t *encode_export_regime(const struct export_regime *r)
{
	json_t *groups = json_array(), *entries = json_array(), *measures = json_array(),
	       *licences = json_array();
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct export_interval *g = &r->groups[i];
		json_t *o = json_pack("{s:s, s:s}", "country", g->country, "group",
				      export_group_def(r, g->group)->code);
		encode_span(o, g->from, g->to);
		json_array_append_new(groups, o);
	}
	for (size_t i = 0; i < r->nentries; i++)
		json_array_append_new(
		    entries, json_pack("{s:s, s:s, s:i}", "code", r->entries[i].code, "name",
				       r->entries[i].name, "list_item", r->entries[i].list_item));
	for (size_t i = 0; i < r->nmeasures; i++)
		json_array_append_new(measures, encode_export_measure(&r->measures[i]));
	for (size_t i = 0; i < r->nlicences; i++)
		json_array_append_new(licences, encode_export_licence(&r->licences[i]));
	json_t *defs = json_array();
	for (size_t i = 0; i < (r->ndefs ? r->ndefs : EXG__COUNT); i++) {
		const struct export_group_def *d = export_group_def(r, (int)i);
		json_array_append_new(defs,
				      json_pack("{s:s, s:s, s:s}", "code", d->code, "name", d->name,
						"rules", export_group_name(d->rules)));
	}
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "party", r->party, "default_group",
			 export_group_def(r, r->default_group)->code, "country_groups", defs,
			 "groups", groups, "entries", entries, "special_measures", measures,
			 "licences", licences);
}

json_t *encode_export_answer(const struct export_regime *r, const struct export_answer *a,
			     const char *country, date_t date)
{
	json_t *reasons = json_array();
	for (size_t i = 0; i < a->nreasons; i++)
		json_array_append_new(reasons, json_string(a->reasons[i]));
	json_t *o = json_pack("{s:s, s:o, s:s, s:s?}", "party", r->party, "entry",
			      a->entry ? json_string(a->entry->code) : json_null(), "to", country,
			      "country_name", country_name(country));
	if (a->entry)
		json_object_set_new(o, "list_item", json_integer(a->entry->list_item));
	encode_date(o, "date", date);
	json_object_set_new(o, "decision", json_string(export_decision_name(a->decision)));
	json_object_set_new(o, "allowed", json_boolean(export_allowed(a->decision)));
	json_object_set_new(o, "group", json_string(export_group_def(r, a->group)->code));
	json_object_set_new(o, "group_name", json_string(export_group_def(r, a->group)->name));
	if (a->interval)
		encode_date(o, "group_since", a->interval->from);
	else
		json_object_set_new(o, "group_since", json_null());
	json_object_set_new(o, "licence",
			    a->licence ? encode_export_licence(a->licence) : json_null());
	json_object_set_new(o, "special_measure",
			    a->measure ? encode_export_measure(a->measure) : json_null());
	json_object_set_new(o, "reasons", reasons);
	return o;
}

json_t *encode_export_group(const struct export_regime *r, const char *country, date_t date)
{
	const struct export_interval *iv;
	int g = export_group_on(r, country, date, &iv);
	json_t *history = json_array();
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct export_interval *x = &r->groups[i];
		if (strcmp(x->country, country) != 0)
			continue;
		json_t *o = json_pack("{s:s}", "group", export_group_def(r, x->group)->code);
		encode_span(o, x->from, x->to);
		json_array_append_new(history, o);
	}
	json_t *o = json_pack("{s:s, s:s, s:s?}", "party", r->party, "country", country,
			      "country_name", country_name(country));
	encode_date(o, "date", date);
	json_object_set_new(o, "group", json_string(export_group_def(r, g)->code));
	json_object_set_new(o, "group_name", json_string(export_group_def(r, g)->name));
	json_object_set_new(o, "default", json_boolean(iv == NULL));
	json_object_set_new(o, "default_group",
			    json_string(export_group_def(r, r->default_group)->code));
	json_object_set_new(o, "history", history);
	return o;
}

json_t *encode_export_change(const struct export_regime *r, const struct export_change *c)
{
	json_t *o = json_object();
	encode_date(o, "date", c->date);
	if (!c->entry) {
		json_object_set_new(o, "kind", json_string("group"));
		json_object_set_new(o, "from",
				    json_string(export_group_def(r, c->group_before)->code));
		json_object_set_new(o, "to", json_string(export_group_def(r, c->group)->code));
		json_object_set_new(o, "to_name", json_string(export_group_def(r, c->group)->name));
		return o;
	}
	json_object_set_new(o, "kind", json_string("entry"));
	json_object_set_new(o, "entry", json_string(c->entry->code));
	json_object_set_new(o, "from", json_string(export_decision_name(c->before)));
	json_object_set_new(o, "to", json_string(export_decision_name(c->after)));
	json_object_set_new(o, "group", json_string(export_group_def(r, c->group)->code));
	if (c->licence)
		json_object_set_new(o, "licence", json_string(c->licence->id));
	if (c->measure)
		json_object_set_new(o, "special_measure", encode_export_measure(c->measure));
	return o;
}

json_t *encode_destroyed(const char *item, date_t on)
{
	json_t *o = json_pack("{s:s, s:b}", "item", item, "destroyed", 1);
	if (o)
		encode_date(o, "destroyed_on", on);
	return o;
}

json_t *encode_report_sent(const char *item, const char *by, const char *out)
{
	return json_pack("{s:s, s:s, s:s}", "item", item, "by", by, out ? "output" : "via",
			 out ? out : "outbox");
}

json_t *encode_consent(const struct consent_info *ci)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "item", ci->item, "to", ci->to, "originator",
			 ci->originator, "granted_by", ci->granted_by, "date", ci->date);
}

json_t *encode_config_summary(const struct config_summary *s, const char *result)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "result", result, "parties",
			 (json_int_t)s->parties, "agreements", (json_int_t)s->agreements, "people",
			 (json_int_t)s->people, "export_regimes", (json_int_t)s->regimes,
			 "events_added", (json_int_t)s->events_added, "events_known",
			 (json_int_t)s->events_known, "events_awaiting",
			 (json_int_t)s->events_awaiting);
}
