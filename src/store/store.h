/*
 * store.h - the node's store: one interface, a backend per database.
 *
 * Nothing above store/ writes SQL or knows which backend runs. A store is
 * opened from a location: a file path opens the embedded SQLite backend.
 * Every function returns 0 or a negative LERR_* code with a message in e.
 * Writes made between store_begin() and store_commit() are all or nothing.
 */
#ifndef LIAISON_STORE_H
#define LIAISON_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/agreement.h"
#include "../core/err.h"
#include "../core/export.h"
#include "../core/label.h"
#include "../core/person.h"
#include "../core/scheme.h"
#include "../crypto/keys.h"
#include "records.h"

struct store;

/*
 * Opens the store at `where` (a file path: SQLite), creating it when create
 * is true, and brings its schema to the current version. *out is released
 * with store_close(). Returns 0, LERR_NOTFOUND (no store there, create
 * false), LERR_STORE.
 */
int store_open(const char *where, bool create, struct store **out, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3)));

/*
 * Opens an empty store that lives in memory until closed: a scratch space
 * where a change can be tried and rolled back (configuration checks).
 */
int store_open_scratch(struct store **out, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1)));

/* Whether where names a PostgreSQL database (postgresql:// or postgres://). */
bool store_is_url(const char *where) __attribute__((nonnull));

/* A store's location as it may be shown or logged: a URL's password as ***. */
void store_location_shown(const char *where, char *out, size_t n) __attribute__((nonnull));

/* Closes s (NULL is fine). */
void store_close(struct store *s);

/* The schema version s is at. */
int store_schema_version(struct store *s) __attribute__((nonnull));

/* Starts a write transaction (it holds the write lock until commit); on
 * failure nothing is left open. */
int store_begin(struct store *s, struct lerr *e) __attribute__((warn_unused_result, nonnull(1)));
/* Commits it; on failure it is rolled back and nothing was stored, but for
 * a COMMIT whose connection to PostgreSQL was lost on its way: whether it
 * landed is unknown (do not do it again blindly). */
int store_commit(struct store *s, struct lerr *e) __attribute__((warn_unused_result, nonnull(1)));
/* Rolls it back. */
void store_rollback(struct store *s) __attribute__((nonnull));

/*
 * A read-only stretch: the reads between store_read_begin() and
 * store_read_end() see one snapshot and take the store's lock once. No
 * write may happen inside it.
 */
int store_read_begin(struct store *s, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1)));
void store_read_end(struct store *s) __attribute__((nonnull));
/*
 * A light stretch, for a question that can be asked again: its first read
 * of the generation (store_generation, what a check whose cache is warm
 * reads, and all it reads) is answered outside any transaction. On
 * PostgreSQL it goes alone, one statement; on SQLite it is not read at all
 * when nothing has been committed since this handle last read it first in
 * a light stretch (store_generation_known). Its transaction begins with
 * the next read, if any, and finds whether the store is still the one the
 * generation was read from: if not, the stretch is no longer one snapshot
 * (store_read_moved), and what was read in it must be read again in a
 * stretch of the usual kind.
 */
int store_read_begin_light(struct store *s, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1)));
bool store_read_moved(const struct store *s) __attribute__((nonnull));
/* In a light stretch: nothing read before its transaction is used but the
 * generation (the cache was found cold, and emptied): its transaction need
 * not check that the generation stayed, and the stretch does not move. */
void store_read_light_forget(struct store *s) __attribute__((nonnull));

/* Node settings: key/value text. get: LERR_NOTFOUND when absent. */
int store_meta_get(struct store *s, const char *key, char *val, size_t n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
int store_meta_set(struct store *s, const char *key, const char *val, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* Creates or replaces a party and its whole scheme. */
int store_party_put(struct store *s, const struct party *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Reads one party; LERR_NOTFOUND when unknown. */
int store_party_get(struct store *s, const char *code, struct party *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Every party, by code; *out (free() it) holds *n. */
int store_party_list(struct store *s, struct party **out, size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Creates or replaces an agreement's title, terms, parties and equivalence
 * table. Its events are kept: they are added one by one and never removed.
 */
int store_agreement_put(struct store *s, const struct agreement *a, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/*
 * Reads an agreement with its events in applying order, each with seq set
 * to its record id. LERR_NOTFOUND when unknown.
 */
int store_agreement_get(struct store *s, const char *id, struct agreement *a, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Every agreement id, sorted; *out (free() it) holds *n ids. */
int store_agreement_ids(struct store *s, char (**out)[AGR_ID_MAX], size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Appends an event to agreement `id`; *seq (if not NULL) gets its record id.
 * The caller has checked that it can happen.
 */
int store_event_add(struct store *s, const char *id, const struct agr_event *ev,
		    const struct store_event_info *info, int64_t *seq, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/* Creates or replaces a person, with their need-to-know groups. */
int store_person_put(struct store *s, const struct person *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Reads a person; LERR_NOTFOUND when unknown. */
int store_person_get(struct store *s, const char *id, struct person *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Every person id, by party then id; *out (free() it) holds *n. */
int store_person_ids(struct store *s, char (**out)[PERSON_ID_MAX], size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* Stores (or replaces) a party's public keys, as added on date `on`. */
int store_party_key_put(struct store *s, const struct key_public *p, const char *on, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* A party's public keys; LERR_NOTFOUND (saying how to add them) when unknown. */
int store_party_key_get(struct store *s, const char *party, struct key_public *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* The day a party's public keys were added; LERR_NOTFOUND when unknown. */
int store_party_key_added(struct store *s, const char *party, char on[DATE_BUF_SIZE],
			  struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* Keeps a retired key (once: the same key again changes nothing). */
int store_retired_key_put(struct store *s, const struct store_retired_key *k, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Every key the party retired, kept as compromised from now. */
int store_retired_keys_compromised(struct store *s, const char *party, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* A party's retired keys, the last retired first; *out (free() it) holds *n. */
int store_retired_keys(struct store *s, const char *party, struct store_retired_key **out,
		       size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/*
 * The one answer for an item that is not there (LERR_NOTFOUND, "unknown item
 * ID"): the store's, and node/'s for an item the asker may not see.
 */
int store_item_unknown(struct lerr *e, const char *id);

/* Adds an item; LERR_EXISTS when the id is taken. */
int store_item_add(struct store *s, const struct store_item *it, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Reads an item (free its label with store_item_free); LERR_NOTFOUND when unknown. */
int store_item_get(struct store *s, const char *id, struct store_item *it, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/*
 * Item ids in the order stored: at most limit of them, from the first or
 * from the one stored after the item `after` (LERR_NOTFOUND when there is
 * no such item). *out (free() it) holds *n.
 */
int store_item_ids(struct store *s, const char *after, size_t limit, char (**out)[LABEL_WORD_MAX],
		   size_t *n, struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 4, 5)));
/* Replaces an item's label, markings and blob (after a downgrade), if it
 * is not destroyed and its blob is still was_blob (the one resealed):
 * else LERR_EXISTS, nothing changed. */
int store_item_relabel(struct store *s, const struct store_item *it, const char *was_blob,
		       struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Marks an item destroyed on `date` (its row stays, for the record). */
int store_item_destroy(struct store *s, const char *id, const char *date, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Records a release of item to a party by a person on a date. */
int store_release_add(struct store *s, const char *item, const char *to, const char *by,
		      const char *date, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5)));
/* Stores the originator's consent to release item to `to` (evidence: the signed text). */
int store_consent_put(struct store *s, const char *item, const char *to, const char *by,
		      const char *date, const char *evidence, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5, 6)));
/* The signed consent for (item, to) as it came (free() *out); LERR_NOTFOUND
 * when there is none. */
int store_consent_evidence(struct store *s, const char *item, const char *to, char **out,
			   struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
/* Who made the latest release of item to the party `to` (into by, of
 * PERSON_ID_MAX bytes); LERR_NOTFOUND when it was never released there. */
int store_release_by(struct store *s, const char *item, const char *to, char *by, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
/* Whether item was ever released to the party `to`: 1, 0, or a LERR code. */
int store_release_has(struct store *s, const char *item, const char *to, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Whether a consent for (item, to) is stored: 1, 0, or a LERR code. */
int store_consent_has(struct store *s, const char *item, const char *to, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Creates or replaces a party's export regime: its default group, country
 * groups, control-list entries and special measures are replaced; its
 * licences are added or replaced by id (recorded as from the configuration,
 * on date `on`), and licences already on file are kept.
 */
int store_export_regime_put(struct store *s, const struct export_regime *r, const char *on,
			    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/*
 * Reads a party's regime with every licence on file (release it with
 * export_regime_free); LERR_NOTFOUND when the party has none.
 */
int store_export_regime_get(struct store *s, const char *party, struct export_regime *r,
			    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Adds an individual licence to a party's regime; LERR_EXISTS when the id is taken. */
int store_export_licence_add(struct store *s, const char *party, const struct export_licence *l,
			     const char *source, const char *on, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5)));

/* ---- the record's sources and announcements ---- */

/*
 * Replaces the sources of scope whose ref starts with prefix by v[0..n)
 * (each of that scope and prefix).
 */
int store_sources_replace(struct store *s, const char *scope, const char *prefix,
			  const struct store_source *v, size_t n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* The sources of scope whose ref starts with prefix, by ref; free() *out. */
int store_sources_list(struct store *s, const char *scope, const char *prefix,
		       struct store_source **out, size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5)));
/* Replaces the announcements of `owner` ("agreement|ID", "export|PARTY"). */
int store_announcements_replace(struct store *s, const char *owner, const struct announcement *v,
				size_t n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* The announcements of owner by date; free() *out. */
int store_announcements_list(struct store *s, const char *owner, struct announcement **out,
			     size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/* ---- the transparency log (node/log.c computes; the store keeps) ---- */

/* The number of log entries. */
int store_log_size(struct store *s, uint64_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Stores entry `index` (the current size). */
int store_log_entry_add(struct store *s, uint64_t index, const void *data, size_t len,
			struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 3)));
/* Reads entry `index` (malloc'd, NUL-terminated; free() it); LERR_NOTFOUND past the end. */
int store_log_entry_get(struct store *s, uint64_t index, char **data, size_t *len, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3, 4)));
/* Stores / reads the hash of complete subtree (level, index). */
int store_log_hash_put(struct store *s, unsigned level, uint64_t index, const uint8_t hash[32],
		       struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 4)));
int store_log_hash_get(struct store *s, unsigned level, uint64_t index, uint8_t hash[32],
		       struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 4)));
/* Keeps a peer's checkpoint (the signed note) seen on date `on`. */
int store_witness_put(struct store *s, const char *origin, uint64_t size, const char *note,
		      const char *on, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 4, 5)));
/* The largest checkpoint of origin kept (free() *note); LERR_NOTFOUND when none. */
int store_witness_latest(struct store *s, const char *origin, char **note, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* The checkpoint of origin kept for that size (free() *note); LERR_NOTFOUND when none. */
int store_witness_at(struct store *s, const char *origin, uint64_t size, char **note,
		     struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 4)));

/*
 * What a cache of reads checks before it answers: the store's generation,
 * a counter that triggers move with every committed transaction that wrote
 * to a table the cache may read (store_schema.c's ungenerated lists those
 * that do not move it: the log's, the federation's traffic, payloads), by
 * this handle or any other on the same store, or by anyone else's SQL; and,
 * on PostgreSQL, when the server that answered started (another server
 * after a failover, which may have lost commits, can bring the counter back
 * to a number already seen, behind the same connection too if a pooler
 * holds it). So a logged download does not empty the caches of the
 * daemon's other threads. Inside this handle's own write transaction it
 * may or may not have moved yet: a cache is not used there (store_writing).
 */
struct store_gen {
	uint64_t n;
	int64_t server; /* PostgreSQL: its start, in microseconds; SQLite: 0 */
};
int store_generation(struct store *s, struct store_gen *gen, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/*
 * In a light stretch just begun (store_read_begin_light), before its first
 * read: its generation is g, read by another handle on the same store by a
 * statement that began after the stretch's question came (one read can
 * answer every question waiting: node/gengate.c). The stretch's
 * store_generation answers g without a statement, and its transaction, if
 * it reads more, checks g as it would a generation read here: a store that
 * moved since makes the stretch move (store_read_moved). A stretch that
 * cannot take it (SQLite, whose generation costs no round trip; a
 * connection made anew) reads its own.
 */
void store_generation_given(struct store *s, const struct store_gen *g) __attribute__((nonnull));
/* Whether store_generation_given can spare this store a statement: a
 * generation that costs a round trip (PostgreSQL). */
bool store_generation_shared(const struct store *s) __attribute__((nonnull));
/* Whether this stretch's generation was known without a read: a light
 * stretch's on SQLite, nothing committed since this handle read it. */
bool store_generation_known(const struct store *s) __attribute__((nonnull));

/* Whether this handle is inside a write transaction (store_begin, until its
 * commit or rollback): what it reads there may be its own uncommitted
 * writes, which a cache must neither keep nor hide. */
bool store_writing(const struct store *s) __attribute__((nonnull));

/* ---- people's bearer tokens (only their SHA-256 is stored) ---- */

int store_token_put(struct store *s, const struct store_token *t, const uint8_t hash[32],
		    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* The token whose hash this is; LERR_NOTFOUND when none. */
int store_token_find(struct store *s, const uint8_t hash[32], struct store_token *t, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* The token of that id (revoked too); LERR_NOTFOUND when none. */
int store_token_get(struct store *s, const char *id, struct store_token *t, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* A person's tokens, revoked ones too (free() *out). */
int store_token_list(struct store *s, const char *person, struct store_token **out, size_t *n,
		     struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
/* Revokes a token on date `on`; LERR_NOTFOUND when unknown or revoked already. */
int store_token_revoke(struct store *s, const char *id, const char *on, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Records that a request carried token `id` on day `on`. */
int store_token_used(struct store *s, const char *id, const char *on, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* ---- federation: peers, the outbox, the inbox, request nonces ---- */

/* Adds or replaces a peer (its base URL). */
int store_peer_put(struct store *s, const struct store_peer *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* LERR_NOTFOUND when the party is not a peer. */
int store_peer_get(struct store *s, const char *party, struct store_peer *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Every peer, by party code (free() *out). */
int store_peer_list(struct store *s, struct store_peer **out, size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Saves a peer's witnessing fields (witnessed..., witness_error, alarm). */
int store_peer_status(struct store *s, const struct store_peer *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* LERR_NOTFOUND when the party is not a peer. */
int store_peer_remove(struct store *s, const char *party, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* ---- compromise reports received ---- */

/* Adds a report (r->body its text); a known id fails (the inbox keeps a
 * message from being taken twice). */
int store_report_add(struct store *s, const struct store_report *r, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Reports, newest first: about `item` (or all when NULL), only those not
 * acknowledged when `open_only`; without bodies (free() *out). */
int store_report_list(struct store *s, const char *item, bool open_only, struct store_report **out,
		      size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 4, 5)));
/* How many reports there are, about `item` (or all when NULL): all, or
 * those not acknowledged (open). */
int store_report_count(struct store *s, const char *item, bool open, uint64_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 4)));
/* One report with its body (free() r->body); LERR_NOTFOUND when unknown. */
int store_report_get(struct store *s, const char *id, struct store_report *r, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Whether party from's report of that message id is stored (whatever its
 * id here: one stored before schema 20 has the message id alone): 1, 0. */
int store_report_taken(struct store *s, const char *from, const char *message, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Records r->acknowledged_by, _on and note for report r->id; LERR_EXISTS
 * when acknowledged already, LERR_NOTFOUND when unknown. */
int store_report_acknowledge(struct store *s, const struct store_report *r, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

int store_outbox_add(struct store *s, const struct store_msg *m, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Queued messages whose next_try is at or before now (to `peer`, or to any
 * when NULL), oldest first, at most max, with their bodies (store_msg_free,
 * then free(*out)). */
int store_outbox_due(struct store *s, const char *peer, int64_t now, size_t max,
		     struct store_msg **out, size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 5, 6)));
/* Every message, oldest first, without bodies (store_msg_free, then free(*out)). */
int store_outbox_list(struct store *s, struct store_msg **out, size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * How many messages to each peer are in each state: counts[k][state] for
 * peers[k] (n of them); a peer with none counts 0.
 */
int store_outbox_counts(struct store *s, const char (*peers)[PARTY_CODE_MAX], size_t n,
			uint64_t (*counts)[3], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 5)));
/*
 * Claims a message for delivery by this connection: 0 when it is still
 * queued and due (next_try <= due) and no other daemon of the node holds
 * it; LERR_EXISTS otherwise (delivered or refused meanwhile, not due, or
 * being delivered elsewhere). Outside a transaction. On PostgreSQL the
 * claim is a session lock of the message: it ends with store_outbox_unclaim
 * or when the daemon's connection ends (a crash frees it at once). SQLite
 * holds one daemon per node: its claim only checks the message's state.
 * *attempts (unless NULL): its attempts as claimed (store_outbox_update
 * saves over that count alone).
 */
int store_outbox_claim(struct store *s, const char *id, int64_t due, int64_t *attempts,
		       struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2)));
void store_outbox_unclaim(struct store *s, const char *id) __attribute__((nonnull));
/* Saves attempts, next_try, state, done_on, last_error and receipt of a
 * message still queued after was_attempts attempts: else (another
 * delivery's outcome saved meanwhile) LERR_EXISTS, nothing changed. A
 * delivery (m->state MSG_DELIVERED) is also saved over a withdrawal made
 * meanwhile with its attempts as they were ("withdrawn: ...", item
 * destroy): the peer has the message, and the record must say so. */
int store_outbox_update(struct store *s, const struct store_msg *m, int64_t was_attempts,
			struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2)));

/* ---- moving a node's store ---- */

/*
 * Copies every row of src into dst, a store just made (another engine, as
 * for store migrate): in one transaction of dst, holding src's write lock
 * so that nothing changes meanwhile. *rows gets the rows copied.
 * LERR_EXISTS when dst already holds a node.
 */
int store_copy(struct store *src, struct store *dst, uint64_t *rows, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Writes a consistent copy of the store to path (a new, empty or absent
 * file), a SQLite store, while other connections go on writing: for
 * SQLite, VACUUM INTO in one read transaction; for PostgreSQL, every row
 * read in one REPEATABLE READ, READ ONLY transaction (a snapshot, no lock
 * taken).
 */
int store_backup(struct store *s, const char *path, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* The blob names of the items whose payload is kept (not destroyed), into
 * *out (free() it) of *n. */
int store_blob_names(struct store *s, char (**out)[STORE_BLOB_NAME], size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* The ids of the outbox's messages not yet delivered or refused whose body
 * is a payload (outbox/ID: an item's envelope), not in their row. */
int store_outbox_pending_ids(struct store *s, char (**out)[MSG_ID_MAX], size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* LERR_EXISTS when a message of this id was received from m->peer already
 * (the inbox is keyed by sender and id: a peer cannot take another's id). */
int store_inbox_add(struct store *s, const struct store_msg *m, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* LERR_NOTFOUND when no message of this id was received from peer. */
int store_inbox_get(struct store *s, const char *peer, const char *id, struct store_msg *m,
		    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/* Whether the party used this nonce already: 1, 0, or a LERR code. */
int store_nonce_seen(struct store *s, const char *party, const char *nonce, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Records a request's nonce seen at `at` (Unix seconds), forgetting those
 * before `forget_before`; LERR_EXISTS when the party used it already. */
int store_nonce_use(struct store *s, const char *party, const char *nonce, int64_t at,
		    int64_t forget_before, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Payloads in the store: what a node on PostgreSQL keeps there rather than
 * in its folder (sealed payloads, outbox envelopes, sealed keys), so that
 * its daemons share nothing but the database. A payload is named as its
 * file would be in the folder ("blobs/HASH.lsn", "outbox/ID",
 * "keys/FILE"), kept in chunks of STORE_CHUNK bytes, and streamed in and
 * out through a file descriptor with flat memory, whatever its size.
 */
/* Whether a transaction is open on this connection. */
bool store_in_transaction(struct store *s) __attribute__((nonnull));
/* Whether the node keeps its payloads in this store (PostgreSQL), not in its folder. */
bool store_keeps_payloads(const struct store *s) __attribute__((nonnull));
/*
 * Reads fd from its offset to its end into the payload `name`, made at
 * `now`. In the open transaction if there is one (a payload that commits
 * with a row), else in one of its own, which takes no write lock. A whole
 * payload of that name already there: replaced when `replace`, else kept
 * (a blob is named by its bytes), made anew at `now`. *size: the bytes read.
 */
int store_payload_put(struct store *s, const char *name, int fd, bool replace, int64_t now,
		      uint64_t *size, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Writes the payload `name` to fd, chunk by chunk, from one snapshot;
 * LERR_NOTFOUND when there is none. */
int store_payload_get(struct store *s, const char *name, int fd, uint64_t *size, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Whether a row needs the payload `name` (a kept item's blob, a queued
 * message's envelope): 1, 0, or a LERR code. */
int store_payload_in_use(struct store *s, const char *name, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Removes the payload `name` if it was made at cutoff or before: 1 when
 * removed, 0 when made since (an act named it again) or gone. */
int store_payload_remove_older(struct store *s, const char *name, int64_t cutoff, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Removes the payload `name` (none: 0). */
int store_payload_remove(struct store *s, const char *name, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* The payloads whose name begins with prefix, by name, into *out (free() it) of *n. */
int store_payloads(struct store *s, const char *prefix, struct store_payload **out, size_t *n,
		   struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

#endif
