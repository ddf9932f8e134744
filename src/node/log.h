/*
 * log.h - the node's transparency log: every act of the node is an entry
 * of an RFC 9162 Merkle tree (log/merkle.h) kept in the store, appended in
 * the same store transaction as the act itself; checkpoints are signed
 * with the node's Ed25519 key (log/note.h). docs/log.md has the formats.
 *
 * An entry is canonical JSON (keys sorted, no spaces): {"seq", "date",
 * "party", "kind", ...} plus "clock": "LIAISON_NOW" when the clock is
 * simulated; the rest depends on the kind.
 */
#ifndef LIAISON_NODE_LOG_H
#define LIAISON_NODE_LOG_H

#include <jansson.h>

#include "../log/merkle.h"
#include "../log/note.h"
#include "../store/records.h"
#include "node.h"

/* The log's origin (and checkpoint key name): "liaison/PARTY". */
void node_log_origin(const char *party, char out[NOTE_ORIGIN_MAX]) __attribute__((nonnull));

/*
 * Checks checkpoint note of party's log (origin liaison/PARTY) with the
 * party's current key, or else a key it retired: when capped, only for a
 * tree no bigger than the log was when that key retired (rekey.c). cp
 * gets the checkpoint. LERR_AUTH when no key of the party signed it.
 */
int node_checkpoint_check(struct node *n, const char *party, const char *note, bool capped,
			  struct checkpoint *cp, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 5)));

/*
 * Appends an entry of `kind` with the fields of body (released here) to the
 * log of the store s, inside the transaction the caller holds. *seq (if
 * not NULL) gets its index.
 */
int node_log_append_to(struct store *s, const char *party, const struct node_clock *clock,
		       const char *kind, json_t *body, uint64_t *seq, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/* The same on the node's store. */
int node_log_append(struct node *n, const char *kind, json_t *body, uint64_t *seq, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/*
 * Appends the entry and commits the transaction the caller began (its act
 * and the entry land together or not at all); on failure rolls it back.
 */
int node_log_commit(struct node *n, const char *kind, json_t *body, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/*
 * An entry in a transaction of its own (a decision, a question). Through a
 * handle with a batch (n->batch), entries that threads record at once share
 * one commit (logbatch.c); each still returns once its entry is durable.
 */
int node_log_record(struct node *n, const char *kind, json_t *body, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* Who entered an entry (into body): the node's operator ("entered_by"), or
 * the person's token of this handle's request ("by_token"). */
void node_log_who(const struct node *n, json_t *body);

/*
 * A proof as JSON carries it (`log consistency --json`, a peer's checkpoint
 * answer, POST /v1/log/witness): v, an array of at most MERKLE_PATH_MAX
 * base64 SHA-256 hashes, into path (room for MERKLE_PATH_MAX) and *n.
 * LERR_INVAL naming `name` or `name[i]` otherwise.
 */
int node_proof_decode(const json_t *v, const char *name, uint8_t (*path)[MERKLE_HASH], size_t *n,
		      struct lerr *e) __attribute__((warn_unused_result, nonnull(2, 3, 4)));

/* What node_log_submit calls once its entry is durable (r 0) or failed
 * (r < 0, e saying why), on the committer's thread or the caller's. */
typedef void (*node_log_done)(void *cls, int r, const struct lerr *e);

/*
 * node_log_record without waiting: done(cls, ...) is called exactly once,
 * when the entry is durable or has failed (body NULL: failed, out of
 * memory). Through a handle whose batch has a committer (log_batch_start),
 * not held, the entry is queued and done is called later by another
 * thread; else it is recorded here and done called before this returns.
 */
void node_log_submit(struct node *n, const char *kind, json_t *body, node_log_done done, void *cls)
    __attribute__((nonnull(1, 2, 4)));

/* Group commit for the handles of one process (a daemon's worker threads). */
struct log_batch *log_batch_new(void);
/* Stops the committer, if started, once it has committed what is queued. */
void log_batch_free(struct log_batch *b);
/* Starts the batch's committer: a thread of its own, on a node of its own
 * opened at home, for the entries queued by node_log_submit. */
int log_batch_start(struct log_batch *b, const char *home, struct lerr *e)
    __attribute__((warn_unused_result, nonnull));
/* hold: entries are no longer queued without waiting (node_log_submit
 * records them itself), and this returns once every one queued before has
 * had its done called; !hold: they are queued again. Returns whether it was
 * held before. A daemon holds before
 * it stops libmicrohttpd, which must find no connection still waiting. */
bool log_batch_hold(struct log_batch *b, bool hold) __attribute__((nonnull));
/* The commits made, and the entries they carried. */
void log_batch_counts(struct log_batch *b, uint64_t *commits, uint64_t *entries)
    __attribute__((nonnull));
/* node_log_record through n->batch (logbatch.c). */
int node_log_batched(struct node *n, const char *kind, json_t *body, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* The number of entries. */
int node_log_size(struct node *n, uint64_t *size, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* Entry `index` (free() *data). */
int node_log_entry(struct node *n, uint64_t index, char **data, size_t *len, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3, 4)));

/* The tree head of the first `size` entries (size at most the log's). */
int node_log_root(struct node *n, uint64_t size, uint8_t root[MERKLE_HASH], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3)));

/* An inclusion proof of entry `index` in the tree of `size` entries. */
int node_log_prove(struct node *n, uint64_t index, uint64_t size,
		   uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], size_t *np, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 4, 5)));

/* A consistency proof from size `first` to size `second`. */
int node_log_consistency(struct node *n, uint64_t first, uint64_t second,
			 uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], size_t *np, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 4, 5)));

/*
 * Signs a checkpoint of the log as it is now with the node's key (k) and
 * keeps it, so that `log verify` can check it later.
 */
int node_log_checkpoint(struct node *n, const struct key_secret *k, struct checkpoint *cp,
			char note[NOTE_MAX], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

struct log_report {
	uint64_t entries;	  /* entries checked */
	uint64_t hashes;	  /* stored subtree hashes checked */
	bool checkpoint;	  /* a checkpoint of this node was kept and checked */
	struct checkpoint latest; /* it */
	bool external;		  /* the checkpoint given was checked too */
	struct checkpoint given;  /* it */
};

/*
 * Recomputes every leaf and subtree hash from the entries and compares
 * them with the stored ones, checks that each entry is canonical JSON with
 * its own seq, and checks the latest checkpoint kept (its signature, and
 * its root against the tree at its size). The first mismatch is an error
 * (LERR_AUTH) naming the entry.
 */
int node_log_verify(struct node *n, struct log_report *rep, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/*
 * node_log_verify, and also against `given` (when not NULL): a checkpoint
 * of this node's log kept elsewhere (a peer's copy, one saved before). It
 * must be signed with this node's key, and the log must still hold its
 * tree: fewer entries than it, or another root at its size, is LERR_AUTH.
 * Without it, a log rewritten or cut short together with the checkpoints
 * kept beside it cannot be told from a good one.
 */
int node_log_verify_against(struct node *n, const char *given, struct log_report *rep,
			    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 3)));

/* What witnessing a checkpoint found. */
struct witness_report {
	struct checkpoint cp; /* the checkpoint, verified */
	bool had_previous;    /* one of that origin was known */
	struct checkpoint previous;
	bool stored; /* it is now the latest kept */
	bool fork;   /* refused: two roots the origin signed for one size */
};

/*
 * Witnesses another node's checkpoint: its signature against the key of
 * the party its origin names; then its consistency with the latest
 * checkpoint of that origin kept here (never one the caller names: that
 * would let a rewritten log be witnessed from a checkpoint of its own
 * choosing), using the consistency proof (NULL when the sizes are equal or
 * nothing was kept before). Refuses (LERR_AUTH, loudly) a bad signature, a
 * smaller tree than one kept, two roots for one size, or a proof that does
 * not hold; keeps the checkpoint when it checks.
 */
int node_log_witness(struct node *n, const char *note, const uint8_t (*proof)[MERKLE_HASH],
		     size_t nproof, struct witness_report *rep, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 5)));

/* node_log_witness, with a log entry for the checkpoint kept only when
 * `logged` (the daemon's scheduled witnessing logs one a day per peer: two
 * nodes logging each other's every checkpoint would grow both logs forever). */
int node_log_witness_as(struct node *n, const char *note, const uint8_t (*proof)[MERKLE_HASH],
			size_t nproof, bool logged, struct witness_report *rep, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 6)));

/* The size of the latest checkpoint of `origin` kept here (0 when none). */
int node_log_witnessed_size(struct node *n, const char *origin, uint64_t *size, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

#endif
