/* agreements.c - the agreement use cases of a node (see node.h). */
#include "node.h"

#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "encode.h"
#include "internal.h"
#include "log.h"

int node_agreement_get(struct node *n, const char *id, struct agreement *a, struct lerr *e)
{
	return store_agreement_get(n->store, id, a, e);
}

int node_agreement_ids(struct node *n, char (**ids)[AGR_ID_MAX], size_t *count, struct lerr *e)
{
	return store_agreement_ids(n->store, ids, count, e);
}

int node_party_get(struct node *n, const char *code, struct party *p, struct lerr *e)
{
	return node_cached_party(n, code, p, e);
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

int node_agreement_record(struct node *n, const char *id, const struct agr_event *ev,
			  struct agreement *a, size_t *number, struct lerr *e)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	*number = 0;
	if (ev->date > n->clock.today)
		return lerr_set(e, LERR_REFUSED,
				"refused: the event is dated %s, after the node's today (%s%s)",
				date_format(ev->date, d1), date_format(n->clock.today, d2),
				n->clock.simulated ? ", set by LIAISON_NOW" : "");
	int r = store_begin(n->store, e);
	if (r < 0)
		return r;
	r = store_agreement_get(n->store, id, a, e);
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
	int64_t seq = 0;
	const struct store_event_info info = {.source = "cli",
					      .recorded_on = date_format(n->clock.today, d1)};
	if (r == 0)
		r = store_event_add(n->store, id, ev, &info, &seq, e);
	if (r < 0) {
		store_rollback(n->store);
		return r;
	}
	struct agreement *logged = malloc(sizeof *logged);
	json_t *body = NULL;
	if (logged && store_agreement_get(n->store, id, logged, NULL) == 0)
		for (size_t i = 0; i < logged->nevents && !body; i++)
			if (logged->events[i].seq == seq)
				body = json_pack("{s:s, s:o, s:s}", "agreement", id, "event",
						 encode_event(logged, i), "source", "cli");
	free(logged);
	if ((r = node_log_commit(n, "agreement-event", body, e)) < 0)
		return r;
	if ((r = store_agreement_get(n->store, id, a, e)) < 0)
		return r;
	for (size_t i = 0; i < a->nevents; i++)
		if (a->events[i].seq == seq)
			*number = i + 1;
	return 0;
}
