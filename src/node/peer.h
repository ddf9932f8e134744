/*
 * peer.h - federation: the peers of a node, signed requests between nodes,
 * the outbox, receipts, and the messages a node receives.
 *
 * A request between nodes carries its sender, its recipient, the time (Unix
 * seconds), a random nonce, the message it delivers (id, kind, what it
 * refers to), and the SHA-256 and the length of its body, signed with the
 * sending party's Ed25519 key (peer_request_text says exactly what is
 * signed). A node checks the signed headers before it reads one byte of
 * the body, and refuses a request whose sender is not its peer, whose time
 * is more than PEER_SKEW seconds from its own, whose nonce it has seen, or
 * whose signature does not check; then a body whose length or digest is
 * not the one signed.
 *
 * Each delivered message is answered with a receipt signed by the receiving
 * party: the sender checks it, stores it with the message and logs the
 * delivery (proof of delivery). A message received twice (the same id and
 * digest) is acknowledged again and stored once.
 */
#ifndef LIAISON_NODE_PEER_H
#define LIAISON_NODE_PEER_H

#include <jansson.h>
#include <sodium.h>

#include "exchange.h"
#include "log.h"

#define PEER_SKEW	 300 /* seconds */
#define PEER_NONCE_MAX	 32
#define PEER_SIG_MAX	 96
#define PEER_MESSAGES	 "/v1/peer/messages"
#define PEER_CHECKPOINT	 "/v1/peer/checkpoint"
#define PEER_RETRY_FIRST 1 /* seconds before the first retry; doubled each time */

/* the headers of a request between nodes */
#define PEER_H_FROM	 "Liaison-From"
#define PEER_H_TO	 "Liaison-To"
#define PEER_H_TIME	 "Liaison-Time"
#define PEER_H_NONCE	 "Liaison-Nonce"
#define PEER_H_MESSAGE	 "Liaison-Message"
#define PEER_H_KIND	 "Liaison-Kind"
#define PEER_H_REF	 "Liaison-Ref"
#define PEER_H_DIGEST	 "Liaison-Digest"
#define PEER_H_LENGTH	 "Liaison-Length"
#define PEER_H_SIGNATURE "Liaison-Signature"
/* not signed with the request: the originator's consent that goes with an
 * item its holder passes on (base64 of the document), itself signed */
#define PEER_H_CONSENT "Liaison-Consent"
/* PEER_H_CONSENT's value for a consent document of len bytes: its base64
 * (free() it), or NULL when out of memory. */
char *peer_consent_value(const char *doc, size_t len) __attribute__((nonnull));

/* The signed headers of a request between nodes. */
struct peer_request {
	char from[PARTY_CODE_MAX], to[PARTY_CODE_MAX];
	int64_t time;
	char nonce[PEER_NONCE_MAX];
	char msg[MSG_ID_MAX], kind[MSG_KIND_MAX], ref[MSG_REF_MAX]; /* "" when no message */
	char digest[DIGEST_B64_MAX];
	uint64_t length; /* the body's bytes */
	char signature[PEER_SIG_MAX];
	char consent[DIGEST_B64_MAX]; /* SHA-256 of PEER_H_CONSENT's value, or "" without one */
};

/* A message id: 32 lowercase hex digits (it names files: nothing else passes). */
bool peer_msg_id_ok(const char *id) __attribute__((nonnull));
/* A request's parties are party codes and its message id is an id; LERR_INVAL naming the header. */
int peer_request_check_form(const struct peer_request *rq, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1)));

/* What a request's signature covers (free() it). */
char *peer_request_text(const char *method, const char *path, const struct peer_request *rq);

/* Sets rq's nonce and signature (from, to, time, message and digest set by the caller). */
int peer_request_sign(const struct key_secret *k, const char *method, const char *path,
		      struct peer_request *rq, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/*
 * Checks the signed headers of a request that came to this node, before
 * its body is read: addressed to it, from a peer whose key is known, its
 * time within PEER_SKEW of now, the signature good, the nonce not seen.
 * LERR_AUTH saying which check failed.
 */
int node_peer_check(struct node *n, const char *method, const char *path,
		    const struct peer_request *rq, int64_t now, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/* Spends a checked request's nonce, once its body checks too: LERR_AUTH
 * when another copy of the request spent it first (a replay). */
int node_peer_accept(struct node *n, const struct peer_request *rq, int64_t now, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* The body that came is the one signed: its length and its SHA-256
 * (base64); LERR_AUTH naming which differs. */
int peer_body_check(const struct peer_request *rq, const char *digest, uint64_t length,
		    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2)));

/* The SHA-256 of the file at fd (read from its start), base64. */
int peer_file_digest(int fd, char out[DIGEST_B64_MAX], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(2)));
void peer_digest(const void *buf, size_t n, char out[DIGEST_B64_MAX]) __attribute__((nonnull(3)));
/* The digest of what st hashed (a body received a piece at a time), base64. */
void peer_digest_final(crypto_hash_sha256_state *st, char out[DIGEST_B64_MAX])
    __attribute__((nonnull));

/* ---- peers ---- */

/*
 * Adds (or moves) a peer: a party of the node's configuration, not this
 * node's own, whose public key is on file; url is http(s)://host[:port].
 * envelope_version: the envelope format its node reads, pinned (1 for a
 * node of an older release: docs/federation.md); 0: unchanged for a peer
 * already there, the newest for a new one. *sealed (if not NULL) gets the
 * version that will be sealed for it.
 */
int node_peer_add(struct node *n, const char *party, const char *url, int envelope_version,
		  int *sealed, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* The envelope format sealed for peer p: its pinned version, else the newest. */
int peer_envelope_version(const struct store_peer *p) __attribute__((nonnull));

/* *version: the envelope format to seal for party: its peer's setting, the
 * newest for a party that is not a peer. Fails when the store does. */
int node_envelope_version_for(struct node *n, const char *party, int *version, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
int node_peer_remove(struct node *n, const char *party, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* ---- the outbox ---- */

/* The payload name of message id's body: outbox/ID (node_payload_open). */
void node_outbox_name(const char *id, char out[STORE_PAYLOAD_NAME]);

/*
 * Removes from home/outbox the bodies no message needs: those of messages
 * delivered or refused (a crash between the commit and the removal leaves
 * them), and files an hour old that no message names (a release that
 * crashed before its row committed). now: Unix seconds.
 */
int node_outbox_sweep(struct node *n, int64_t now, size_t *removed, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3)));

/* A new message id (32 hex digits). */
void node_msg_id(char out[MSG_ID_MAX]);

/* The delay before attempt number `attempts` + 1, in seconds, at most cap. */
int64_t peer_backoff(int64_t attempts, int64_t cap);

/*
 * Checks a receipt (the peer's answer to message m) and, when it is good,
 * stores it with the message as delivered and logs the delivery, in one
 * transaction. LERR_AUTH when the receipt is not the peer's for m.
 */
int node_outbox_delivered(struct node *n, struct store_msg *m, const char *receipt, size_t len,
			  struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Whether body, an error answer to m, carries m's peer's signed refusal of
 * m (a receipt whose result is "refused"): 0, else LERR_AUTH saying why. */
int node_outbox_refusal_check(struct node *n, const struct store_msg *m, const char *body,
			      size_t len, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* A refusal the peer gave (it will not take the message: no retry), logged. */
int node_outbox_refused(struct node *n, struct store_msg *m, const char *why, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* A failed attempt: the next one after the backoff (capped at cap seconds). */
int node_outbox_retry(struct node *n, struct store_msg *m, const char *why, int64_t now,
		      int64_t cap, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* The node's peers, by party (free() *out). */
int node_peer_list(struct node *n, struct store_peer **out, size_t *count, struct lerr *e)
    __attribute__((warn_unused_result, nonnull));
/* One peer; LERR_NOTFOUND when party is not one. */
int node_peer_get(struct node *n, const char *party, struct store_peer *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

#define NODE_DELIVER_BATCH 64 /* messages one delivery pass takes at most */

/* What sending one message came to (NODE_WITHDRAWN: not sent, a release
 * that may no longer go, node_release_still and node_release_key_held). */
enum node_sent { NODE_SENT, NODE_REFUSED, NODE_FAILED, NODE_WITHDRAWN };

/*
 * Sends message m to peer p (the transport's: net/peer_client.c). On
 * NODE_SENT, *receipt (malloc'd; the caller frees it) holds len bytes of
 * the peer's answer; otherwise why (wn bytes) says what went wrong.
 */
typedef enum node_sent (*node_send_fn)(void *ctx, const struct store_msg *m,
				       const struct store_peer *p, char **receipt, size_t *len,
				       char *why, size_t wn);

struct deliver_stats {
	size_t delivered, refused, failed;
	size_t withdrawn; /* releases that may no longer go (node_release_still) */
};

/*
 * One pass over the outbox, the transport aside: each message due by now
 * (every queued one when all), to peer (NULL: to any), at most max
 * (0: NODE_DELIVER_BATCH), that this process claims (another daemon of the
 * node may hold it) is handed with its peer to send, then recorded:
 * delivered (its receipt checked, stored and logged), refused, or retried
 * after a backoff capped at retry_max seconds. Counts into st.
 */
int node_outbox_deliver(struct node *n, const char *peer, int64_t now, bool all, size_t max,
			int64_t retry_max, node_send_fn send, void *ctx, struct deliver_stats *st,
			struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 7, 9)));

/* ---- witnessing the peers' logs ---- */

/*
 * Witnesses a checkpoint `party`'s node gave (with the consistency proof
 * from the size kept here): it must be of that party's log (origin
 * liaison/PARTY); node_log_witness checks and keeps it. A refusal that
 * means the peer's log cannot be trusted (a bad signature, a smaller tree,
 * two roots for one size, a proof that fails: LERR_AUTH) sets the peer's
 * alarm and logs it (checkpoint-alarm); any other failure is noted as the
 * peer's last witness error. now: Unix seconds. Not `fresh` (an answer
 * the peer did not sign for this request), a smaller tree or a proof that
 * fails is only a witness error: anyone on the path can replay an older
 * answer or change a proof; two roots for one size stay an alarm. Nor is
 * it when the checkpoint kept here is no longer the one of size `since`
 * that the answer was asked from (WITNESS_SINCE_ANY: by hand, the latest).
 */
int node_peer_witness(struct node *n, const char *party, const char *note,
		      const uint8_t (*proof)[MERKLE_HASH], size_t nproof, int64_t now, bool fresh,
		      uint64_t since, struct witness_report *rep, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 9)));
#define WITNESS_SINCE_ANY UINT64_MAX
/*
 * Witnesses the answer (body, len bytes) `party`'s node gave to this
 * node's checkpoint request, whose nonce was `nonce`, from size `since`:
 * its checkpoint and proof (node_peer_witness), fresh when the answer is
 * signed by the peer's current key for this node, that nonce and that
 * size (node_peer_checkpoint). An answer without a checkpoint is a
 * witness error (LERR_INVAL).
 */
int node_peer_witness_answer(struct node *n, const char *party, const char *nonce, uint64_t since,
			     const char *body, size_t len, int64_t now, struct witness_report *rep,
			     struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 5, 8)));
/*
 * A checkpoint witnessed by hand (liaison log witness, POST /v1/log/witness):
 * of a peer's log, as the daemon's witnessing takes an answer not signed
 * for its request (node_peer_witness: only two roots the peer signed for
 * one size raise its alarm; a smaller tree or a proof that fails, which
 * whoever gave it may have made, is refused); of another party's, checked
 * and kept (node_log_witness).
 */
int node_witness(struct node *n, const char *note, const uint8_t (*proof)[MERKLE_HASH],
		 size_t nproof, int64_t now, struct witness_report *rep, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 6)));
/* Notes a failed attempt to witness (no answer, a bad one). */
int node_peer_witness_failed(struct node *n, const char *party, const char *why, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Clears a peer's alarm (an operator's decision, logged). */
int node_peer_clear_alarm(struct node *n, const char *party, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* The peers with an alarm, as a JSON array of {"party", "alarm"} (for health). */
int node_peer_alarms(struct node *n, json_t **out, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/*
 * What the node answers a peer that witnesses it (POST /v1/peer/checkpoint
 * {"since": N}, from the party `asker`, its request's nonce `nonce`): a
 * fresh checkpoint, signed with k, and the consistency proof from N (the
 * size the peer holds) to its size; the answer signed with k for that
 * asker, nonce and N, so that no one can replay it to a later request,
 * hand it to another asker or change its proof unseen.
 */
int node_peer_checkpoint(struct node *n, const struct key_secret *k, uint64_t since,
			 const char *asker, const char *nonce, json_t **out, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 4, 5, 6)));

/* ---- receiving ---- */

/*
 * Takes a message a peer sent (rq checked by node_peer_check; its body in
 * `file`): an item (an envelope, imported as `item import` does, which must
 * come from the sending party), or a consent. Records the message in the
 * inbox in the same transaction as the act. A message received before is
 * not taken again. Either way *receipt (free() it, *len bytes) is this
 * node's signed receipt. LERR_REFUSED and the others as the act refuses
 * (for good, node_peer_refusal_final says, answered with node_peer_refusal).
 */
/*
 * This node's signed refusal of the message rq carries (a receipt whose
 * result is "refused", *out to free(), *len bytes): the sender takes an
 * error answer as final only with it, since anyone on the path can answer
 * 409. Only for a request whose signature was checked. 0, or NULL *out.
 */
int node_peer_refusal(struct node *n, const struct key_secret *k, const struct peer_request *rq,
		      char **out, size_t *len) __attribute__((nonnull));

/* Whether a message refused with this error code is refused for good (the
 * sender stops trying): bad, forbidden or refused content, not a store or
 * a host that failed. */
bool node_peer_refusal_final(int code);

int node_peer_receive(struct node *n, const struct key_secret *k, const struct peer_request *rq,
		      const char *file, const char *consent, size_t consent_len, char **receipt,
		      size_t *len, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 7, 8)));

/* ---- views ---- */
json_t *encode_peer(const struct store_peer *p);

/* "queued", "delivered", "refused" ("unknown" out of range). */
const char *msg_state_name(enum msg_state s);
json_t *encode_msg(const struct store_msg *m);
/* encode_peer with the witnessing fields: witnessed_size, witnessed_at, witness_error, alarm. */
json_t *encode_peer_status(const struct store_peer *p);

#endif
