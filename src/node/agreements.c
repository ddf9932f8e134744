/* agreements.c - the agreement use cases of a node (see node.h). */
#include "node.h"

#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "encode.h"
#include "internal.h"
#include "log.h"
#include "peer.h"

/* An unknown agreement id (r LERR_NOTFOUND): e names the nearest known one. */
static int agreement_unknown(struct node *n, const char *id, int r, struct lerr *e)
{
	char(*ids)[AGR_ID_MAX] = NULL;
	size_t count = 0;
	if (r == LERR_NOTFOUND && e && store_agreement_ids(n->store, &ids, &count, NULL) == 0)
		node_hint_nearest(e, id, ids[0], sizeof ids[0], count);
	free(ids);
	return r;
}

int node_agreement_get(struct node *n, const char *id, struct agreement *a, struct lerr *e)
{
	int r = store_agreement_get(n->store, id, a, e);
	return r == LERR_NOTFOUND ? agreement_unknown(n, id, r, e) : r;
}

int node_agreement_ids(struct node *n, char (**ids)[AGR_ID_MAX], size_t *count, struct lerr *e)
{
	return store_agreement_ids(n->store, ids, count, e);
}

int node_party_list(struct node *n, struct party **out, size_t *count, struct lerr *e)
{
	return store_party_list(n->store, out, count, e);
}

int node_party_get(struct node *n, const char *code, struct party *p, struct lerr *e)
{
	return node_cached_party(n, code, p, e);
}

int node_party_known(struct node *n, const char *code, const char *field, struct lerr *e)
{
	struct party p;
	int r = node_party_get(n, code, &p, e);
	if (r != LERR_NOTFOUND)
		return r;
	struct party *all = NULL;
	size_t count = 0;
	if ((r = store_party_list(n->store, &all, &count, e)) < 0)
		return r;
	char codes[AGR_PARTIES_MAX * 4][PARTY_CODE_MAX];
	size_t nc = 0;
	for (size_t i = 0; i < count && nc < sizeof codes / sizeof codes[0]; i++)
		str_copy(codes[nc++], PARTY_CODE_MAX, all[i].code);
	free(all);
	party_word_known(&codes[0][0], nc, PARTY_CODE_MAX, code, "a party known on this node", e);
	lerr_prefix(e, "%s", field);
	return lerr_field(e, field);
}

size_t node_stored_number(const struct agreement *a, size_t i)
{
	size_t number = 1;
	for (size_t k = 0; k < i; k++)
		number += a->events[k].seq < NODE_NEW_SEQ;
	return number;
}

/* Explains why the events (the new one not yet stored) cannot all happen. */
static int refusal(const struct agreement *a, size_t bad, struct lerr *e)
{
	if (a->events[bad].seq >= NODE_NEW_SEQ)
		return lerr_prefix(e, "refused");
	return lerr_prefix(e, "refused: it would make event %zu impossible",
			   node_stored_number(a, bad));
}

/* The note of an event, for the other parties' nodes: canonical JSON. */
static char *note_text(const char *id, const struct agr_event *ev)
{
	char day[DATE_BUF_SIZE];
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s}", "agreement", id, "date", date_format(ev->date, day),
		      "kind", agr_event_kind_name(ev->kind), "by", ev->by);
	char *t = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return t;
}

/* In the event's transaction: a note queued for each other party of a
 * whose node is a peer; their ids into `ids`. A dry run counts them only. */
static int queue_notes(struct node *n, const struct agreement *a, const struct agr_event *ev,
		       bool dry, json_t *ids, size_t *count, struct lerr *e)
{
	char *text = note_text(a->id, ev);
	if (!text)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	int r = 0;
	for (size_t i = 0; r == 0 && i < a->nparties; i++) {
		struct store_peer p;
		if (strcmp(a->parties[i], n->party) == 0 ||
		    store_peer_get(n->store, a->parties[i], &p, NULL) < 0)
			continue;
		if (dry) {
			(*count)++;
			continue;
		}
		struct store_msg m = {.body = text, .body_len = strlen(text)};
		node_msg_id(m.id);
		str_copy(m.peer, sizeof m.peer, a->parties[i]);
		str_copy(m.kind, sizeof m.kind, "note");
		str_copy(m.ref, sizeof m.ref, a->id);
		peer_digest(m.body, m.body_len, m.digest);
		date_format(n->clock.today, m.created_on);
		if ((r = store_outbox_add(n->store, &m, e)) == 0) {
			json_array_append_new(ids, json_string(m.id));
			(*count)++;
		}
	}
	free(text);
	return r;
}

int node_agreement_record(struct node *n, const char *id, const struct agr_event *ev,
			  struct agreement *a, size_t *number, struct lerr *e)
{
	const struct event_how how = {.source = "cli"};
	return node_agreement_record_as(n, id, ev, &how, a, number, e);
}

/* Whether ev completes a joint act that another party already recorded (the
 * same kind, the same day), before ev is added to a: it adds no new date. */
static bool completes_joint(const struct agreement *a, const struct agr_event *ev)
{
	for (size_t i = 0; i < a->nevents; i++)
		if (a->events[i].kind == ev->kind && a->events[i].date == ev->date &&
		    strcmp(a->events[i].by, ev->by) != 0 &&
		    agreement_event_awaits(a, i, AGR_NONE, NULL))
			return true;
	return false;
}

/* A peer's note is dated by its delivery: not long before the node's date,
 * never before what the agreement already records (joint: it completes a
 * joint act, and may come late). */
static int delivery_date_check(const struct node *n, const struct agreement *a,
			       const struct agr_event *ev, bool joint, struct lerr *e)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	if (joint)
		return 0;
	if (ev->date + NOTE_LATE_DAYS < n->clock.today)
		return lerr_set(e, LERR_REFUSED,
				"dated %s, more than %d day before this node's date (%s): a note "
				"is dated by its delivery",
				date_format(ev->date, d1), NOTE_LATE_DAYS,
				date_format(n->clock.today, d2));
	size_t last = AGR_NONE;
	for (size_t i = 0; i < a->nevents; i++)
		if (last == AGR_NONE || a->events[i].date >= a->events[last].date)
			last = i;
	if (last != AGR_NONE && a->events[last].date > ev->date)
		return lerr_set(e, LERR_REFUSED,
				"dated %s, before the agreement's last recorded event (%s on %s)",
				date_format(ev->date, d1),
				agr_event_kind_name(a->events[last].kind),
				date_format(a->events[last].date, d2));
	return 0;
}

/* The log entry of an event just stored (seq): the event as stored, how it
 * came, whether it is history entered late, the notes queued, the evidence. */
static json_t *event_log_body(struct node *n, const char *id, int64_t seq,
			      const struct agr_event *ev, const struct event_how *how,
			      json_t *notes)
{
	struct agreement *logged = malloc(sizeof *logged);
	json_t *body = NULL;
	if (logged && store_agreement_get(n->store, id, logged, NULL) == 0)
		for (size_t i = 0; i < logged->nevents && !body; i++)
			if (logged->events[i].seq == seq)
				body = json_pack("{s:s, s:o, s:s}", "agreement", id, "event",
						 encode_event(logged, i), "source", how->source);
	if (body && strcmp(how->source, "note") != 0 && ev->date + NOTE_LATE_DAYS < n->clock.today)
		json_object_set_new(body, "late", json_true()); /* history entered now */
	free(logged);
	if (body && notes)
		json_object_set(body, "notes", notes);
	if (body && how->evidence)
		json_object_set(body, "evidence", how->evidence);
	return body;
}

int node_agreement_record_as(struct node *n, const char *id, const struct agr_event *ev,
			     const struct event_how *how, struct agreement *a, size_t *number,
			     struct lerr *e)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	*number = 0;
	/* a peer's node may be a day ahead (its zone): its note of its own today
	 * is taken; a day more is the future there too */
	const date_t latest = n->clock.today + (strcmp(how->source, "note") == 0 ? 1 : 0);
	if (ev->kind == AGR_EV_NOTICE && !ev->by[0]) { /* how the act was given, not the rules */
		json_decref(how->evidence);
		lerr_set(e, LERR_INVAL,
			 "a notice must name the party that gives it (--by, \"by\")");
		return lerr_field(e, "by");
	}
	if (ev->date > latest) {
		json_decref(how->evidence);
		return lerr_set(e, LERR_REFUSED,
				"refused: the event is dated %s, after the node's today (%s%s)",
				date_format(ev->date, d1), date_format(n->clock.today, d2),
				n->clock.simulated ? ", set by LIAISON_NOW" : "");
	}
	int r = store_begin(n->store, e);
	if (r < 0) {
		json_decref(how->evidence);
		return r;
	}
	r = node_agreement_get(n, id, a, e);
	const bool note = strcmp(how->source, "note") == 0; /* a peer's word */
	if (r == 0 && note && !how->evidence)
		r = lerr_set(e, LERR_INVAL, "a peer's note without its evidence is not taken");
	const bool joint = r == 0 && note && completes_joint(a, ev);
	if (r == 0 && note)
		r = delivery_date_check(n, a, ev, joint, e);
	size_t theirs = 0;
	for (size_t i = 0; r == 0 && note && i < a->nevents; i++)
		theirs += strcmp(a->events[i].by, ev->by) == 0;
	if (r == 0 && note && theirs >= NOTE_PARTY_MAX)
		r = lerr_set(e, LERR_REFUSED,
			     "agreement %s holds %zu events by %s: more of its notes are not "
			     "taken (this node's registrar may record them)",
			     id, theirs, ev->by);
	if (r == 0 && note && a->nevents >= AGR_EVENTS_MAX - NOTE_ROOM)
		r = lerr_set(e, LERR_LIMIT,
			     "agreement %s holds %zu events: the room left is this node's "
			     "registrar's, not for a peer's notes",
			     id, a->nevents);
	if (r == 0 && a->nevents == AGR_EVENTS_MAX)
		r = lerr_set(e, LERR_LIMIT, "agreement %s already has %d events", id,
			     AGR_EVENTS_MAX);
	if (r == 0) {
		a->events[a->nevents] = *ev;
		a->events[a->nevents].seq = NODE_NEW_SEQ; /* not stored yet */
		a->nevents++;
		agreement_sort_events(a);
		size_t bad;
		if ((r = agreement_check_events(a, &bad, e)) < 0)
			refusal(a, bad, e);
	}
	for (size_t k = 0; r == 0 && note && !joint && ev->date < n->clock.today && k < a->nevents;
	     k++)
		if (a->events[k].seq == NODE_NEW_SEQ)
			r = agreement_late_check(a, k, n->clock.today, e);
	int64_t seq = 0;
	const struct store_event_info info = {.source = how->source,
					      .recorded_on = date_format(n->clock.today, d1)};
	if (r == 0 && !how->dry_run)
		r = store_event_add(n->store, id, ev, &info, &seq, e);
	/* this party's own act, recorded here: a note to the other parties' nodes */
	json_t *notes = json_array();
	size_t nnotes = 0;
	if (r == 0 && !how->evidence && strcmp(ev->by, n->party) == 0)
		r = queue_notes(n, a, ev, how->dry_run, notes, &nnotes, e);
	if (how->notes)
		*how->notes = nnotes;
	if (r < 0 || how->dry_run) { /* a dry run: checked, and nothing kept */
		json_decref(notes);
		json_decref(how->evidence);
		store_rollback(n->store);
		for (size_t i = 0; r == 0 && i < a->nevents; i++)
			if (a->events[i].seq == NODE_NEW_SEQ)
				*number = i + 1;
		return r;
	}
	json_t *body = event_log_body(n, id, seq, ev, how, nnotes ? notes : NULL);
	json_decref(notes);
	json_decref(how->evidence);
	if ((r = node_log_commit(n, "agreement-event", body, e)) < 0)
		return r;
	if ((r = store_agreement_get(n->store, id, a, e)) < 0)
		return r;
	for (size_t i = 0; i < a->nevents; i++)
		if (a->events[i].seq == seq)
			*number = i + 1;
	return 0;
}
