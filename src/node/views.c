/* views.c - the JSON answers every face returns: errors, agreements, people, items, keys, the
 * store, peers and the outbox (see views.h). */
#include "views.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "../crypto/fio.h"
#include "../store/store.h"
#include "consequence.h"
#include "encode.h"
#include "items.h"
#include "log.h"
#include "internal.h"
#include "peer.h"
#include "timeline_svg.h"

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
				     encode_decision(d, person, item, true)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int views_nomem(json_t *o, struct lerr *e)
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
		return views_nomem(NULL, e);
	encode_date(*out, "date", on);
	encode_clock(*out, &n->clock);
	return 0;
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
		r = views_nomem(NULL, e);
	if (r == 0) {
		views_agreement_record(n, a->id, *out, json_object_get(*out, "events"), DATE_MIN,
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
			r = views_nomem(NULL, e);
		else
			encode_clock(*out, &n->clock);
	}
	free(a);
	return r;
}

/*
 * The timeline asked of agreement id into t: the range (by default from
 * the first event to today or the last event), the event left out, and
 * agreement_timeline's changes; *a and *v hold them (free() both).
 */
static int timeline_of(struct node *n, const char *id, const date_t *from_p, const date_t *to_p,
		       const char *without, struct agreement **a, struct agr_state **v,
		       struct timeline_svg_in *t, struct lerr *e)
{
	*v = NULL;
	*t = (struct timeline_svg_in){.without = AGR_NONE};
	int r = load(n, id, a, e);
	if (r < 0)
		return r;
	const struct agreement *g = *a;
	t->a = g;
	t->from = g->nevents ? g->events[0].date : n->clock.today;
	t->to = n->clock.today;
	if (g->nevents && g->events[g->nevents - 1].date > t->to)
		t->to = g->events[g->nevents - 1].date;
	t->from = from_p ? *from_p : t->from;
	t->to = to_p ? *to_p : t->to;
	if (without && (r = agreement_event_number(g, without, &t->without, e)) < 0) {
		lerr_prefix(e, "without");
		lerr_field(e, "without");
	}
	if (r == 0) {
		r = agreement_timeline(g, t->from, t->to, t->without, v, &t->nchanges, e);
		if (r == LERR_INVAL)
			lerr_field(e, "to");
	}
	t->changes = *v;
	if (r < 0) {
		free(*a);
		*a = NULL;
	}
	return r;
}

int view_agreement_timeline(struct node *n, const char *id, const date_t *from_p,
			    const date_t *to_p, const char *without, json_t **out, struct lerr *e)
{
	struct agreement *a;
	struct agr_state *v;
	struct timeline_svg_in t;
	*out = NULL;
	int r = timeline_of(n, id, from_p, to_p, without, &a, &v, &t, e);
	if (r < 0)
		return r;
	json_t *changes = json_array();
	for (size_t i = 0; i < t.nchanges; i++)
		json_array_append_new(changes, encode_state(a, &v[i]));
	*out = json_pack("{s:s, s:o}", "agreement", a->id, "changes", changes);
	if (!*out)
		r = views_nomem(NULL, e);
	if (r == 0) {
		encode_date(*out, "from", t.from);
		encode_date(*out, "to", t.to);
		if (t.without != AGR_NONE)
			json_object_set_new(*out, "without", encode_event(a, t.without));
		views_agreement_record(n, a->id, *out, NULL, t.from, t.to);
		encode_clock(*out, &n->clock);
	}
	free(v);
	free(a);
	return r;
}

int view_agreement_timeline_svg(struct node *n, const char *id, const date_t *from,
				const date_t *to, const char *without, char **svg, size_t *len,
				struct lerr *e)
{
	struct agreement *a;
	struct agr_state *v;
	struct timeline_svg_in t;
	*svg = NULL;
	*len = 0;
	int r = timeline_of(n, id, from, to, without, &a, &v, &t, e);
	if (r == 0)
		r = timeline_svg(&t, svg, len, e);
	free(v);
	free(a);
	return r;
}

int view_event_record(struct node *n, const char *id, const struct agr_event *ev,
		      const char *source, bool dry_run, json_t **out, struct lerr *e)
{
	struct agreement *a = malloc(sizeof *a);
	size_t number, notes = 0;
	const struct event_how how = {.source = source, .notes = &notes, .dry_run = dry_run};
	char words[CONSEQUENCE_MAX];
	*out = NULL;
	if (!a)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	int r = node_agreement_record_as(n, id, ev, &how, a, &number, e);
	if (r == 0) {
		struct agr_state st;
		agreement_state(a, n->clock.today, AGR_NONE, &st);
		*out = json_pack("{s:o, s:o, s:I, s:s}", "event", encode_event(a, number - 1),
				 "status", encode_state(a, &st), "notes", (json_int_t)notes,
				 "consequence",
				 event_consequence(a, number - 1, dry_run, words, sizeof words));
		if (*out && dry_run)
			json_object_set_new(*out, "dry_run", json_true());
		if (*out)
			encode_clock(*out, &n->clock);
		else
			r = views_nomem(NULL, e);
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
	return *out ? 0 : views_nomem(NULL, e);
}

int view_person(struct node *n, const struct person *who, const char *id, json_t **out,
		struct lerr *e)
{
	struct person p;
	*out = NULL;
	int r = node_person_get_as(n, who, id, &p, e);
	if (r == 0 && !(*out = person_json(n, &p)))
		r = views_nomem(NULL, e);
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
	if (!*out)
		return views_nomem(NULL, e);
	/* compromise reports peers sent about it, if any: how many, how many open */
	uint64_t all, open;
	if ((r = view_report_counts(n, id, &all, &open, e)) < 0) {
		json_decref(*out);
		*out = NULL;
		return r;
	}
	if (all)
		json_object_set_new(
		    *out, "compromise_reports",
		    json_pack("{s:I, s:I}", "received", (json_int_t)all, "open", (json_int_t)open));
	return 0;
}

/* A public key as shown: its line and fingerprint. */
static json_t *encode_key(const struct key_public *p)
{
	char line[KEY_PUB_LINE_MAX], fp[KEY_FINGERPRINT_MAX];
	struct lerr e = {0};
	if (key_public_format(p, line, sizeof line, &e) < 0)
		return NULL;
	line[strcspn(line, "\n")] = '\0';
	key_fingerprint(p, fp);
	return json_pack("{s:s, s:s}", "fingerprint", fp, "public_key", line);
}

int view_party_key_add(struct node *n, const char *party, const char *file, bool replace,
		       bool compromised, json_t **out, struct lerr *e)
{
	struct key_public p, old;
	char line[KEY_PUB_LINE_MAX], fp[KEY_FINGERPRINT_MAX], was[KEY_FINGERPRINT_MAX];
	*out = NULL;
	/* a key note (party rotate-key --note FILE): vouched for by the key held */
	char *text;
	size_t tn;
	int r = fio_read_file(file, KEY_NOTE_MAX, &text, &tn, e);
	if (r == 0 && text[strspn(text, " \t\r\n")] == '{') {
		struct node_rotation res;
		if ((r = node_key_note_take(n, party, text, tn, &res, e)) >= 0 &&
		    (r = node_public_key(n, party, &p, e)) == 0) {
			json_t *k = encode_key(&p);
			*out = k ? json_pack("{s:s, s:O, s:O, s:s, s:b}", "party", party,
					     "public_key", json_object_get(k, "public_key"),
					     "fingerprint", json_object_get(k, "fingerprint"),
					     "replaced", res.old_fingerprint, "rotation", true)
				 : NULL;
			json_decref(k);
			r = *out ? 0 : views_nomem(NULL, e);
		}
		free(text);
		return r < 0 ? lerr_prefix(e, "%s", file) : 0;
	}
	if (r == 0)
		r = node_party_key_add(n, party, file, text, replace, compromised, &p, &old, e);
	free(text);
	if (r == 0)
		r = key_public_format(&p, line, sizeof line, e);
	if (r < 0)
		return r;
	line[strcspn(line, "\n")] = '\0';
	key_fingerprint(&p, fp);
	if (old.party[0])
		key_fingerprint(&old, was);
	*out = json_pack("{s:s, s:s, s:s, s:s?}", "party", p.party, "public_key", line,
			 "fingerprint", fp, "replaced", old.party[0] ? was : NULL);
	return *out ? 0 : views_nomem(NULL, e);
}

int view_party_keys(struct node *n, const char *party, json_t **out, struct lerr *e)
{
	struct key_public cur;
	struct store_retired_key *ks;
	size_t nk;
	*out = NULL;
	int r = node_party_known(n, party, "party", e);
	if (r == 0)
		r = node_party_keys(n, party, &cur, &ks, &nk, e);
	if (r < 0)
		return r;
	json_t *o = json_pack("{s:s, s:o, s:[]}", "party", party, "current",
			      cur.party[0] ? encode_key(&cur) : json_null(), "retired");
	json_t *a = o ? json_object_get(o, "retired") : NULL;
	for (size_t i = 0; a && i < nk; i++) {
		json_t *k = encode_key(&ks[i].pub);
		if (!k ||
		    json_object_update_new(k, json_pack("{s:s?, s:s, s:I, s:s}", "added_on",
							ks[i].added_on[0] ? ks[i].added_on : NULL,
							"retired_on", ks[i].retired_on, "log_size",
							(json_int_t)ks[i].log_size, "how",
							ks[i].how)) != 0 ||
		    json_array_append_new(a, k) != 0) {
			json_decref(k);
			json_decref(o);
			o = NULL;
		}
	}
	free(ks);
	*out = o;
	return o ? 0 : views_nomem(NULL, e);
}

int view_key_rotate(struct node *n, const char *pass, size_t len, bool compromised,
		    const char *note_file, json_t **out, struct lerr *e)
{
	struct node_rotation res;
	struct key_public now;
	struct fio_out o;
	*out = NULL;
	/* the note for a peer reached by hand, beside the ones queued: its file
	 * made first, so that one that exists stops the rotation */
	int r = note_file ? fio_begin(&o, note_file, 0644, false, e) : 0;
	if (r < 0)
		return r;
	if ((r = node_key_rotate(n, pass, len, compromised, &res, e)) < 0) {
		if (note_file)
			fio_abort(&o);
		node_rotation_free(&res);
		return r;
	}
	if (note_file) {
		if (fio_write_full(o.fd, res.note, res.note_len) != 0) {
			r = lerr_set(e, LERR_IO, "%s: %s", note_file, strerror(errno));
			fio_abort(&o);
		} else
			r = fio_commit(&o, e); /* which cleans up when it fails */
		if (r < 0)
			lerr_prefix(e, "the keys are rotated, but the note for the peers is not "
				       "written");
	}
	if (r == 0)
		r = node_public_key(n, n->party, &now, e);
	json_t *k = r == 0 ? encode_key(&now) : NULL;
	if (k)
		*out = json_pack("{s:s, s:s, s:o, s:I, s:I, s:b, s:s?}", "party", n->party,
				 "retired", res.old_fingerprint, "current", k, "log_size",
				 (json_int_t)res.log_size, "notes_queued", (json_int_t)res.peers,
				 "compromised", compromised, "note_file", note_file);
	node_rotation_free(&res);
	if (r < 0)
		return r;
	return *out ? 0 : views_nomem(NULL, e);
}

int view_store_info(struct node *n, const char *where, json_t **out, struct lerr *e)
{
	char shown[NODE_PATH_MAX + NODE_STORE_URL_MAX];
	store_location_shown(where, shown, sizeof shown);
	*out = json_pack("{s:s, s:s, s:i, s:s}", "engine",
			 store_is_url(where) ? "postgresql" : "sqlite", "location", shown, "schema",
			 store_schema_version(n->store), "clock",
			 n->clock.replay ? "replay" : "system");
	return *out ? 0 : views_nomem(NULL, e);
}

int view_peers(struct node *n, json_t **out, struct lerr *e)
{
	struct store_peer *ps = NULL;
	size_t count = 0;
	bool alarm = false;
	*out = NULL;
	int r = node_peer_list(n, &ps, &count, e);
	char(*parties)[PARTY_CODE_MAX] = r == 0 ? calloc(count + 1, sizeof *parties) : NULL;
	uint64_t(*q)[3] = r == 0 ? calloc(count + 1, sizeof *q) : NULL;
	if (r == 0 && (!parties || !q))
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < count; i++)
		str_copy(parties[i], PARTY_CODE_MAX, ps[i].party);
	if (r == 0)
		r = store_outbox_counts(n->store, (const char(*)[PARTY_CODE_MAX])parties, count, q,
					e);
	json_t *a = r == 0 ? json_array() : NULL;
	for (size_t i = 0; a && i < count; i++) {
		json_t *o = encode_peer_status(&ps[i]), *c = json_object();
		for (enum msg_state st = MSG_QUEUED; st <= MSG_REFUSED; st++)
			json_object_set_new(c, msg_state_name(st),
					    json_integer((json_int_t)q[i][st]));
		json_object_set_new(o, "outbox", c);
		json_array_append_new(a, o);
		alarm |= ps[i].alarm[0] != '\0';
	}
	free(parties);
	free(q);
	free(ps);
	if (r < 0)
		return r;
	*out = json_pack("{s:o, s:b}", "peers", a, "alarm", alarm);
	return *out ? 0 : views_nomem(NULL, e);
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
		if (o && strcmp(ms[i].kind, "note") != 0 && !views_sees_item(n, who, ms[i].ref)) {
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
	return *out ? 0 : views_nomem(NULL, e);
}

int view_page(json_t *o, const char *key, const char *id_key, const char *after, size_t limit,
	      struct lerr *e)
{
	json_t *list = json_object_get(o, key);
	size_t from = 0, n = json_array_size(list);
	if (after) {
		for (; from < n; from++) {
			const char *id =
			    json_string_value(json_object_get(json_array_get(list, from), id_key));
			if (id && strcmp(id, after) == 0)
				break;
		}
		if (from == n) {
			lerr_set(e, LERR_NOTFOUND, "after: no %.32s %.64s in the list", id_key,
				 after);
			return lerr_field(e, "after");
		}
		from++;
	}
	size_t to = limit && from + limit < n ? from + limit : n;
	json_t *page = json_array();
	for (size_t i = from; page && i < to; i++)
		json_array_append(page, json_array_get(list, i));
	json_t *next =
	    to < n ? json_copy(json_object_get(json_array_get(list, to - 1), id_key)) : json_null();
	if (!page || json_object_set_new(o, key, page) < 0 ||
	    json_object_set_new(o, "next", next) < 0)
		return views_nomem(NULL, e);
	return 0;
}
