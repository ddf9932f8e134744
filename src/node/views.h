/*
 * views.h - the whole JSON answers to the node's questions, built once for
 * every face: the CLI's --json and the HTTP API return these objects.
 *
 * Each returns 0 with *out a new reference, or a negative LERR code with
 * the reason in e (LERR_INVAL for a bad argument, LERR_NOTFOUND for an
 * unknown agreement, person, item...).
 */
#ifndef LIAISON_NODE_VIEWS_H
#define LIAISON_NODE_VIEWS_H

#include <jansson.h>
#include <stdint.h>

#include "../core/decide.h"
#include "node.h"

/*
 * The one shape of every error: {"error": {"code": "invalid"|"not-found"|...
 * (lerr_kind), "message", "field"?}}. NULL when out of memory.
 */
json_t *view_error(const struct lerr *e) __attribute__((nonnull));

/* A denial (LERR_DENIED): the error with the whole decision inside, as "decision". */
json_t *view_denied(const struct lerr *e, const struct decision *d, const char *person,
		    const char *item) __attribute__((nonnull));

/* {"agreements": [agreement + "status"], "date", "today"...} on `on`. */
int view_agreements(struct node *n, date_t on, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 3)));

/* One agreement with its parties' schemes. */
int view_agreement(struct node *n, const char *id, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 2, 3)));

/* The state on `on`, leaving out event number `without` (NULL: none). */
int view_agreement_status(struct node *n, const char *id, date_t on, const char *without,
			  json_t **out, struct lerr *e) __attribute__((nonnull(1, 2, 5)));

/*
 * Every change of state from..to (NULL: from the first event; to today or
 * the last event), without event number `without` (NULL: none).
 */
int view_agreement_timeline(struct node *n, const char *id, const date_t *from, const date_t *to,
			    const char *without, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 2, 6)));

/*
 * The same timeline as a picture (timeline_svg.h): *svg (free() it), *len
 * bytes of SVG.
 */
int view_agreement_timeline_svg(struct node *n, const char *id, const date_t *from,
				const date_t *to, const char *without, char **svg, size_t *len,
				struct lerr *e) __attribute__((nonnull(1, 2, 6, 7)));

/*
 * Records an event of agreement id (node_agreement_record_as, from
 * `source`: "cli", "api") and answers {"event", "status" (the state
 * today), "notes" (how many were queued for peers), "consequence" (what
 * it does, in words: event_consequence), "today"}. A dry run makes the
 * same checks and gives the same answer, with "dry_run": true, of what
 * it would do, and keeps nothing: nothing stored, logged or queued.
 */
int view_event_record(struct node *n, const char *id, const struct agr_event *ev,
		      const char *source, bool dry_run, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 2, 3, 4, 6)));

/*
 * Where a view takes `who`: the person asking (a token's), who is shown
 * only what they may see (node_item_visible, node_person_visible); NULL
 * for the node's operator (the local CLI), who sees everything.
 */

/* {"people": [...]}: the people who may see. */
int view_people(struct node *n, const struct person *who, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 3)));

/* One person; LERR_NOTFOUND ("unknown person ID") for one who may not see. */
int view_person(struct node *n, const struct person *who, const char *id, json_t **out,
		struct lerr *e) __attribute__((nonnull(1, 3, 4)));

/*
 * {"items": [...], "next": ID or null}: at most limit (1..ITEMS_PAGE_MAX)
 * of the items who sees and f selects (NULL: every one), in the order
 * stored, from the first or after the item `after`; "next" is the `after`
 * of the following page, null on the last. An `after` who may not see is
 * an id never used. Who may see an item is decided first: a filter only
 * narrows what they see. A bad filter is LERR_INVAL naming its argument
 * ("level", "originator", "from", "to", "ntk", "q").
 */
#define ITEMS_PAGE_MAX 1000

/* What an item list is narrowed to; each field NULL (from, to: NULL too)
 * for no narrowing. Every one given must hold. */
struct item_filter {
	const char *level;	/* a level code of a known scheme (its case aside): the
				 * originator's marking or this party's has it */
	const char *originator; /* a party code */
	const date_t *from;	/* the day the item was stored on this node (shared
				 * or received: "stored_on"), this one or later */
	const date_t *to;	/* ... this one or earlier */
	const char *ntk;	/* the item's need-to-know group */
	const char *q;		/* a part of the title, ASCII letters without regard
				 * to case, other characters byte for byte */
};

/*
 * One page of the list o[key] (a view's answer): the elements after the one
 * whose id_key is `after` (NULL: from the first), at most limit of them
 * (0: all), and o["next"], the `after` of the following page or null on the
 * last. The scheme of every list (items page in view_items). An `after`
 * the list does not hold is LERR_NOTFOUND naming it (field "after").
 */
int view_page(json_t *o, const char *key, const char *id_key, const char *after, size_t limit,
	      struct lerr *e) __attribute__((nonnull(1, 2, 3)));
int view_items(struct node *n, const struct person *who, const struct item_filter *f,
	       const char *after, size_t limit, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 6)));

/* One item; for an item who may not see, the answer for an id never used. */
int view_item(struct node *n, const struct person *who, const char *id, json_t **out,
	      struct lerr *e) __attribute__((nonnull(1, 3, 4)));

/* Export control of party (NULL: the node's) for a country: every change. */
int view_export_timeline(struct node *n, const char *party, const char *country, json_t **out,
			 struct lerr *e) __attribute__((nonnull(1, 3, 4)));

/* The licences of party's regime (filters NULL for all), with their status on `on`. */
int view_licences(struct node *n, const char *party, const char *entry, const char *to, date_t on,
		  json_t **out, struct lerr *e) __attribute__((nonnull(1, 6)));

/*
 * An export check of entry (NULL: an item with no entry) to country `to`
 * on `on` under party's regime (NULL: the node's): encode_export_answer's
 * object, "allowed" false when it may not go as it is. A bad country is
 * LERR_INVAL naming "to".
 */
int view_export_check(struct node *n, const char *party, const char *entry, const char *to,
		      const char *exporter, const char *consignee, date_t on, json_t **out,
		      struct lerr *e) __attribute__((nonnull(1, 4, 8)));

/* A country's group on `on` with its history (encode_export_group); a bad
 * country is LERR_INVAL naming "country". */
int view_export_group(struct node *n, const char *party, const char *country, date_t on,
		      json_t **out, struct lerr *e) __attribute__((nonnull(1, 3, 5)));

/* Party's regime (NULL: the node's) in the configuration file's form. */
int view_export_regime(struct node *n, const char *party, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 3)));

/*
 * Adds an individual licence to party's regime (node_export_licence_add)
 * and answers it with its "status" today (as view_licences). A licence
 * refused as invalid is LERR_INVAL naming the argument ("id", "to",
 * "valid_from", "entry").
 */
int view_licence_add(struct node *n, const char *party, const struct export_licence *l,
		     json_t **out, struct lerr *e) __attribute__((nonnull(1, 3, 4)));

/*
 * Log entries from..to-1 (to UINT64_MAX: to the end), at most `max`, and
 * "next": the index of the page's last entry when more were asked for (the
 * `after` of the following page), else null. An
 * entry about an item who may not see is withheld: {"index", "withheld":
 * true, "leaf_hash"} (its hash still proves the tree). A range beyond the
 * log is LERR_INVAL naming "from" or "to".
 */
int view_log_entries(struct node *n, const struct person *who, uint64_t from, uint64_t to,
		     uint64_t max, json_t **out, struct lerr *e) __attribute__((nonnull(1, 6)));

/* An inclusion proof with the leaf hash and the root (size UINT64_MAX: now);
 * a bad range is LERR_INVAL naming "index" or "size". */
int view_log_proof(struct node *n, uint64_t index, uint64_t size, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 4)));

/* A consistency proof with both roots (to UINT64_MAX: now); a bad range is
 * LERR_INVAL naming "from" or "to". */
int view_log_consistency(struct node *n, uint64_t from, uint64_t to, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 4)));

struct key_secret;

/* Signs a checkpoint now with the node's key k and keeps it: {"origin",
 * "size", "root", "note"} (the signed note's text). */
int view_log_checkpoint(struct node *n, const struct key_secret *k, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 2, 3)));

/*
 * Recomputes the log (node_log_verify_against, with the checkpoint `given`
 * or NULL): {"ok": true, "entries", "hashes", "checkpoint": the latest kept
 * {"origin", "size", "root"} or null, "given": the same or null}, or
 * {"ok": false, "problem"} naming what does not match. An error only when
 * out of memory.
 */
int view_log_verify(struct node *n, const char *given, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 3)));

/* The peers whose log raised an alarm: {"alarms": [{"party", "alarm"}]}. */
int view_log_alarms(struct node *n, json_t **out, struct lerr *e) __attribute__((nonnull(1, 2)));

/* A party's keys: {"party", "current": {"fingerprint", "public_key"} or
 * null, "retired": [{..., "added_on"?, "retired_on", "log_size", "how"}]}. */
int view_party_keys(struct node *n, const char *party, json_t **out, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* Rotates the node's keys (node_key_rotate), the note also written to
 * note_file when given: {"party", "retired", "current", "log_size",
 * "notes_queued", "compromised", "note_file"?}. */
int view_key_rotate(struct node *n, const char *pass, size_t len, bool compromised,
		    const char *note_file, json_t **out, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 6)));

/*
 * Stores party's public key from file (node_party_key_add, replace and
 * compromised as there), or takes its key rotation note
 * (node_key_note_take): {"party", "public_key" (its one line),
 * "fingerprint", "replaced": the fingerprint of the keys it replaced or
 * null, "rotation"?: true for a note}.
 */
int view_party_key_add(struct node *n, const char *party, const char *file, bool replace,
		       bool compromised, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 2, 3, 6)));

/*
 * {"engine": "sqlite"|"postgresql", "location" (a URL's password hidden),
 * "schema", "clock": "replay"|"system"} of the store at where (the node's,
 * node_store_location).
 */
int view_store_info(struct node *n, const char *where, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 2, 3)));

/*
 * {"peers": [{"party", "url", "added_on", "witnessed_size"?, "witnessed_at"?,
 * "witness_error"?, "alarm", "outbox": {"queued", "delivered", "refused"}}],
 * "alarm": any peer's}: the answer of `peer list`, `peer status` and GET
 * /v1/peers alike.
 */
int view_peers(struct node *n, json_t **out, struct lerr *e) __attribute__((nonnull(1, 2)));

/*
 * {"messages": [...]}: the outbox, oldest first. A message about an item
 * who may not see names none ("ref": null, "withheld": true).
 */
int view_outbox(struct node *n, const struct person *who, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 3)));

/*
 * {"reports": [{"id", "message", "item", "from", "by", "reported_on",
 * "received_on", "sha256", "acknowledged": null | {"by", "on", "note"}}],
 * "open": N}: the
 * compromise reports peers sent (about `item`, or all), newest first; only
 * those not acknowledged with open_only. "open" counts every report not
 * acknowledged, whatever the filter: the node's alarm while above 0.
 * `report list` and GET /v1/reports alike. who: the person asking (NULL:
 * the operator); a report about an item they may not see is not there for
 * them, in the list or in "open".
 */
int view_reports(struct node *n, const struct person *who, const char *item, bool open_only,
		 json_t **out, struct lerr *e) __attribute__((nonnull(1, 5)));

/* How many reports peers sent (about item, or any when NULL), and how many
 * are open (not acknowledged). */
int view_report_counts(struct node *n, const char *item, uint64_t *all, uint64_t *open,
		       struct lerr *e) __attribute__((nonnull(1, 3, 4)));

/* One report as in view_reports, with "document": the report as its
 * party signed and sent it (LERR_NOTFOUND when unknown, or about an item
 * who may not see). */
int view_report(struct node *n, const struct person *who, const char *id, json_t **out,
		struct lerr *e) __attribute__((nonnull(1, 3, 4)));

/*
 * A security officer acknowledges report `id`, saying in `note` what was
 * done (1 to 511 bytes): stored, logged (compromise-report-acknowledged,
 * without the note), and the report's answer. `who` is the person asking
 * (a token's), or NULL for the operator, who names the officer in `by`.
 * LERR_EXISTS when acknowledged already, LERR_FORBIDDEN for one who is not
 * a security officer of this party, LERR_NOTFOUND for a report about an
 * item the officer may not see (as for an id never used).
 */
int view_report_ack(struct node *n, const struct person *who, const char *by, const char *id,
		    const char *note, json_t **out, struct lerr *e)
    __attribute__((nonnull(1, 4, 5, 6)));

#endif
