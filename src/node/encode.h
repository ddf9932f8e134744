/*
 * encode.h - the JSON objects liaison answers with (CLI --json, HTTP API).
 *
 * One encoder per object, so that every face returns the same JSON. Each
 * returns a new jansson reference (the caller owns it) or NULL when out of
 * memory.
 */
#ifndef LIAISON_NODE_ENCODE_H
#define LIAISON_NODE_ENCODE_H

#include <jansson.h>

#include "../core/decide.h"
#include "../store/store.h"
#include "node.h"

/* {"code", "name", "levels": [{"code", "name", "rank"}]} */
json_t *encode_party(const struct party *p);

/* {"number", "date", "kind", "by"?} for a->events[i]. */
json_t *encode_event(const struct agreement *a, size_t i);

/*
 * The agreement: id, title, terms, "parties" (with their schemes when
 * parties is not NULL: one per code of a, in a's order), "equivalence"
 * rows as in the configuration file, "unmapped" levels, numbered "events".
 */
json_t *encode_agreement(const struct agreement *a, const struct party *parties);

/*
 * The state on a date: {"agreement", "date", "state", "ends"|"since",
 * "in_force_since", "term", "notice", "without", "ignored"}.
 */
json_t *encode_state(const struct agreement *a, const struct agr_state *st);

/* {"id", "party", "name", "roles", "clearance": {"level", "from", "to"}, "ntk"} */
json_t *encode_person(const struct person *p);

/*
 * A decision: {"decision": "PERMIT"|"DENY", "action", "person", "item",
 * "date", "rules": [{"id", "ok", "detail", "clause"}]}.
 */
json_t *encode_decision(const struct decision *d, const char *person, const char *item);

/* An item: its label, both markings (the holder is local_party), origin, sizes. */
json_t *encode_item(const struct store_item *it, const struct label *l, const char *local_party);

/* Adds "today" and, when LIAISON_NOW set it, "clock": "LIAISON_NOW". */
void encode_clock(json_t *obj, const struct node_clock *c);

/* Sets obj[key] to the date's text. */
void encode_date(json_t *obj, const char *key, date_t d);

#endif
