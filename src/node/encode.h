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
#include "../store/records.h"
#include "node.h"

/* {"code", "name", "levels": [{"code", "name", "rank", "separate"?,
 * "valid_years"?, "colour"?}], "ntk_groups"?,
 * "purposes"?, "operator_acts"?: false}, as in the configuration file */
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

/* What applying (or checking) a configuration did or would do: result is
 * "applied", "would apply" or "valid" (a check), then the counts. */
json_t *encode_config_summary(const struct config_summary *s, const char *result);

/*
 * A decision: {"decision": "PERMIT"|"DENY", "action", "person", "item",
 * "date", "rules": [{"id", "ok", "detail", "clause", "hint"?}]}; a failed
 * rule's hint only when hints (an answer; the log keeps the decision alone).
 */
json_t *encode_decision(const struct decision *d, const char *person, const char *item, bool hints);

/* An item: its label, both markings (the holder is local_party), origin, sizes. */
json_t *encode_item(const struct store_item *it, const struct label *l, const char *local_party);

/* An individual licence: {"id", "kind", "entry", "country", "from", "to"}. */
json_t *encode_export_licence(const struct export_licence *l);

/* A special measure: {"entries", "country", "from", "to"?, "requires"}. */
json_t *encode_export_measure(const struct export_measure *m);

/* A regime in the configuration file's form, with every licence on file. */
json_t *encode_export_regime(const struct export_regime *r);

/*
 * An export check: {"party", "entry", "list_item"?, "to", "country_name",
 * "date", "decision", "allowed", "group", "group_since", "licence",
 * "special_measure", "reasons"}.
 */
json_t *encode_export_answer(const struct export_regime *r, const struct export_answer *a,
			     const char *country, date_t date);

/*
 * A country's group on a date: {"party", "country", "country_name", "date",
 * "group", "default", "default_group", "history": [{"group", "from", "to"?}]}.
 */
json_t *encode_export_group(const struct export_regime *r, const char *country, date_t date);

/*
 * One change: {"date", "kind": "group", "from", "to"} or {"date", "kind":
 * "entry", "entry", "from", "to", "group", "licence"?, "special_measure"?}.
 */
json_t *encode_export_change(const struct export_regime *r, const struct export_change *c);

/* A destroyed item's record: {"item", "destroyed": true, "destroyed_on"}. */
json_t *encode_destroyed(const char *item, date_t on);

/*
 * A compromise report made: {"item", "by", "output": FILE} when written to
 * a file (out), else {"item", "by", "via": "outbox"} (queued for the
 * originator's node).
 */
json_t *encode_report_sent(const char *item, const char *by, const char *out);

struct consent_info;

/* A consent imported: {"item", "to", "originator", "granted_by", "date"}. */
json_t *encode_consent(const struct consent_info *ci);

/* Adds "today" and, when LIAISON_NOW set it, "clock": "LIAISON_NOW". */
void encode_clock(json_t *obj, const struct node_clock *c);

/* Sets obj[key] to the date's text. */
void encode_date(json_t *obj, const char *key, date_t d);
/* obj[key] = the instant t (seconds since 1970, UTC) in RFC 3339: "2019-08-23T09:00:00Z". */
void encode_instant(json_t *obj, const char *key, int64_t t);

#endif
