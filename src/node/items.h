/*
 * items.h - items on a node: sharing, deciding, opening, releasing,
 * importing, consents.
 */
#ifndef LIAISON_NODE_ITEMS_H
#define LIAISON_NODE_ITEMS_H

#include <jansson.h>

#include "../core/decide.h"
#include "../crypto/envelope.h"
#include "../store/records.h"
#include "log.h"
#include "node.h"

/* What `item share` asks for. */
struct item_share {
	const char *file;		 /* the payload */
	const struct env_source *source; /* or, when set, the payload from here (file names it) */
	const char *by;			 /* the person sharing (of the node's party) */
	const char *level;		 /* of the node's party's scheme */
	const char *title;
	const char *const *releasable;
	size_t nreleasable;
	const char *ntk;
	const char *const *purposes;
	size_t npurposes;
	const char *const *caveats;
	size_t ncaveats;
	const char *export_entry;
	bool revocable;
};

/*
 * Shares a new item: checks the sharer (of this party, originator or
 * analyst, cleared at the level), builds the label with a fresh id, seals
 * the payload to the node's own keys (k) into the blob store and records
 * the item. *it (label NULL) and *l describe it.
 */
int node_item_share(struct node *n, const struct item_share *rq, const struct key_secret *k,
		    struct store_item *it, struct label *l, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5)));

/*
 * What node_item_record checks again under its write lock, before it
 * stores: what was checked before the slow part (a reseal, a verification)
 * may have changed meanwhile. run returns 0 to store, or an error (it may
 * have rolled back already).
 */
struct record_check {
	int (*run)(struct node *n, const void *cls, struct lerr *e);
	const void *cls;
};

/*
 * Stores a new item's record and its log entry of `kind` (body, released
 * here, gains "item", "blob" and "label"), in a transaction of their own
 * (the blob is already in place), after check (or none: NULL); when the
 * check fails, nothing is stored and the blob is removed.
 */
int node_item_record(struct node *n, const struct store_item *it, const char *kind, json_t *body,
		     const struct record_check *check, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* An item and its label (free it with store_item_free). */
int node_item_get(struct node *n, const char *id, struct store_item *it, struct label *l,
		  struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
/* Item ids in the order stored, a page at a time (store_item_ids). */
int node_item_ids(struct node *n, const char *after, size_t limit, char (**ids)[LABEL_WORD_MAX],
		  size_t *count, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 4, 5)));

/* What a decision is asked about. */
struct decide_args {
	const char *person, *item;
	enum action action;
	date_t date;
	const char *purpose; /* or NULL */
	const char *to;	     /* release: the destination, or NULL */
	/* release: a queued message's consent, judged in place of the one
	 * held (node_consent_flaw), or NULL */
	const char *consent_sent;
	bool question;	  /* asked (access check), not acted on: not logged */
	bool by_operator; /* a question the node's operator asks: every item is there */
	bool as_holder;	  /* the person taken as of this node's party, whatever theirs now */
};

/* What node_decide gathers for decide(). */
#define CONSENT_FLAW_MAX 120 /* why a consent held cannot serve (node_consent_flaw) */

struct decide_ctx {
	struct person person;
	struct party scheme;
	struct item_view item;
	struct agreement agreement, release, received, holder;
	char consent_flaw[CONSENT_FLAW_MAX];
};

/*
 * Gathers the person, item, agreements and consent, and decides. An item
 * the person may not see (node_item_visible) is LERR_NOTFOUND, the answer
 * for an id never used, unless the operator asks (a->by_operator).
 */
int node_decide(struct node *n, const struct decide_args *a, struct decision *d, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Whether person `who` sees item it (label l) today, in lists and counts,
 * and can ask about it or act on it: its maker on this node; a security
 * officer or auditor of this node's party cleared at its level as this
 * party marks it; or anyone who may read it (every rule of a read passes
 * but R-PURPOSE). For everyone else the item does not exist.
 */
int node_item_visible(struct node *n, const struct person *who, const struct store_item *it,
		      const struct label *l, bool *visible, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5)));

/*
 * node_item_get as `who` asks it (NULL: the node's operator, who sees
 * every item): LERR_NOTFOUND, byte for byte the answer for an id never
 * used, for an item who may not see.
 */
int node_item_get_as(struct node *n, const struct person *who, const char *id,
		     struct store_item *it, struct label *l, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3, 4, 5)));

/*
 * node_decide for an act: a DENY is LERR_DENIED, with the failing rules in
 * the message and the whole decision in *d.
 */
int node_enforce(struct node *n, const struct decide_args *a, struct decision *d, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * node_enforce's decision made again under an act's write lock (after
 * store_begin), on what is stored now: an act's slow part (a reseal, a
 * verification) runs after the first, and a person removed or their
 * clearance ended, an item destroyed, an agreement suspended or the token
 * the act came with revoked (node_token_in_force) meanwhile must stop it.
 * 0 when it still permits, the transaction still open; else the
 * transaction is rolled back, and a DENY logged (after the PERMIT it
 * replaces) and returned as node_enforce does, into *d; any other error
 * (an item destroyed: LERR_NOTFOUND) returned as it is.
 */
int node_enforce_again(struct node *n, const struct decide_args *a, struct decision *d,
		       struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * node_enforce in two halves, for a caller that does not wait for the
 * log's commit (a daemon's download): the decision into *d, its entry
 * queued (node_log_submit); done(cls, r, e) is called once the entry is
 * durable (r 0) or failed, and nothing may act on the decision before.
 * A decision that cannot be made returns its error, and done is not
 * called. Then node_enforced with done's r and e.
 */
int node_enforce_submit(struct node *n, const struct decide_args *a, struct decision *d,
			node_log_done done, void *cls, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
/* The second half: r (done's) as node_enforce would return it, a DENY as
 * LERR_DENIED; a logged decision told to the node's observer. */
int node_enforced(struct node *n, const struct decide_args *a, const struct decision *d, int r,
		  struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * The agreement between two parties that governs on day `on`, when several
 * have both: one in force that day (the first by id when several are),
 * else the one that was in force last before it (its denials then say it
 * ended), else the first by id.
 */
int node_agreement_between(struct node *n, const char *p1, const char *p2, date_t on,
			   struct agreement *a, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 5)));

/* Decrypts an item's payload to out with the node's keys (the caller
 * decided). synced: the caller syncs out (a regular file's) after, so its
 * writeback is started as it goes (envelope_open_payload). */
int node_item_open(struct node *n, const char *id, const struct key_secret *k, int out, bool synced,
		   uint64_t *bytes, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* The SHA-256 of an item's plaintext, opened with the node's keys: what a
 * consent to pass it on names. */
int node_item_content_sha256(struct node *n, const char *id, const struct key_secret *k,
			     uint8_t out[ENV_HASH], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/* node_item_open, to an output not synced, for a payload of at most max
 * bytes: 1, nothing read or written, when the item's is larger */
int node_item_open_within(struct node *n, const char *id, const struct key_secret *k, int out,
			  uint64_t max, uint64_t *bytes, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

struct fio_out;

/*
 * Payloads (payload.c): a sealed payload or an outbox envelope, named as its
 * file in the node's folder ("blobs/HASH.lsn", "outbox/ID"). A node on
 * PostgreSQL keeps them in the store, streamed in chunks; one on SQLite in
 * its folder.
 */
bool node_payloads_in_store(const struct node *n) __attribute__((nonnull));
/* A temporary file to write a payload into, for the folder dir (or tmp/). */
int node_payload_begin(struct node *n, const char *dir, struct fio_out *o, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Keeps what was written to o as `name` (synced and renamed, or streamed
 * into the store); o is closed either way. */
int node_payload_keep(struct node *n, const char *name, struct fio_out *o, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* The payload `name` to read, from its start (*fd: close() it). */
int node_payload_open(struct node *n, const char *name, int *fd, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Removes the payload `name` (none: 0). */
int node_payload_remove(struct node *n, const char *name, struct lerr *e)
    __attribute__((nonnull(1, 2)));

/*
 * The payloads the store's rows need (live items' blobs, queued envelopes)
 * against those kept, in the store and in the folder, into *out:
 * {"kept_in", "kept", "bytes", "missing": [NAME], "in_folder": [NAME],
 * "orphans": [{"name", "size", "where"}], "young", "removed"}. in_folder:
 * on PostgreSQL, payloads kept in this folder only (where other daemons
 * cannot read them: node_payloads_move). An orphan is a payload no row
 * names (or, on PostgreSQL, a folder's copy of one in the store), made at
 * least min_age seconds before now; young counts those made since (an act
 * may be under way). With collect, the orphans are removed.
 */
int node_payload_check(struct node *n, int64_t now, int64_t min_age, bool collect, json_t **out,
		       struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 5)));
/* A node on PostgreSQL: the payloads its rows need that are still in its
 * folder, moved into the store (*files of *bytes). */
int node_payloads_move(struct node *n, uint64_t *files, uint64_t *bytes, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* Starts a blob (node_payload_begin). */
int node_blob_begin(struct node *n, struct fio_out *o, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* Names the blob by the BLAKE2b of what was written to it and keeps it. */
int node_blob_commit(struct node *n, struct fio_out *o, char name[STORE_BLOB_NAME], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* The blob name the bytes of the file at path would have (their BLAKE2b). */
int node_blob_name_of(const char *path, char name[STORE_BLOB_NAME], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* Opens a blob for reading. */
int node_blob_open(struct node *n, const char *name, int *fd, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Removes a blob (none: 0). */
int node_blob_remove(struct node *n, const char *name, struct lerr *e)
    __attribute__((nonnull(1, 2)));
/* Removes a blob made for what was not stored, unless a row names it (blobs
 * are named by their content: an envelope received twice is one blob). */
void node_blob_drop(struct node *n, const char *name) __attribute__((nonnull));

#endif
