/*
 * exchange.h - items between parties as files, as between air-gapped
 * networks: release (an envelope for one party), import, and the
 * originator's written consent for a further release.
 */
#ifndef LIAISON_NODE_EXCHANGE_H
#define LIAISON_NODE_EXCHANGE_H

#include "items.h"

/*
 * Decrypts item id with k in one thread and seals it, with `label`, from k
 * to `to` into out in another, through a pipe: no plaintext on disk.
 */
int node_reseal(struct node *n, const char *id, const struct key_secret *k,
		const struct key_public *to, const char *label, int version, int out,
		struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5)));

/* The base64 of an Ed25519 signature, its NUL included. */
#define NODE_SIG_B64 89

/* sig64 gets k's Ed25519 signature over CTX, a NUL and text, in base64. */
int node_sign_b64(const struct key_secret *k, const char *ctx, const char *text,
		  char sig64[NODE_SIG_B64], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/*
 * A signed statement as one JSON line: {FIELD: TEXT's object, "signature":
 * base64 Ed25519 over CTX, a NUL and TEXT (canonical JSON)}. *out (free()
 * it) holds *n bytes, newline included.
 */
int node_signed_json(const struct key_secret *k, const char *ctx, const char *field,
		     const char *text, char **out, size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5, 6)));

/*
 * Checks sig64, a signature node_signed_json made: pub's Ed25519 over CTX,
 * a NUL and text. LERR_INVAL when it is not 64 bytes of base64, LERR_AUTH
 * ("bad signature: not signed by WHO") when it does not check.
 */
int node_signed_check(const struct key_public *pub, const char *ctx, const char *text,
		      const char *sig64, const char *who, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5)));

struct release_args {
	const char *item, *to, *by;
	const char *out;    /* the file to write; NULL: to the peer, through the outbox */
	const char *send;   /* consent: the holder's node to send it to (a peer), or NULL */
	const char *holder; /* consent: the party that may pass the item on (NULL: send) */
	bool force;
	/* release into a file: where the originator's consent this node holds
	 * for an item it passes on is written beside it (0600, before the
	 * release is recorded), or NULL; *consent_written says if it was */
	const char *consent_out;
	bool *consent_written;
};

/*
 * Releases an item to a party: decides (R-IN-FORCE, R-RELEASABLE,
 * R-THIRD-PARTY...), and on PERMIT writes an envelope sealed to the party
 * and signed by this node, and records the release: into a->out, or
 * (a->out NULL, a->to a peer) queued in the outbox, in the release's own
 * transaction. On DENY returns LERR_DENIED with *d saying why.
 */
int node_item_release(struct node *n, const struct release_args *a, const struct key_secret *k,
		      struct decision *d, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/*
 * Imports an envelope a peer sent: checks the sender against its stored
 * key and the whole envelope, R-RECEIVED (an agreement in force today with
 * the sender), and marks the item with this party's equivalent level
 * (refusing a level with none). Stores the envelope as the item's blob.
 * An item another party made (passed on by its holder) needs that
 * party's signed consent to its release here: consent (consent_len bytes,
 * a consent document as `consent grant` writes it), else NULL.
 */
int node_item_import(struct node *n, const char *file, const char *consent, size_t consent_len,
		     const struct key_secret *k, struct store_item *it, struct label *l,
		     struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 5, 6, 7)));

/* The same, for an envelope that must come from sender_must (a peer's delivery). */
int node_item_import_from(struct node *n, const char *file, const char *consent, size_t consent_len,
			  const struct key_secret *k, const char *sender_must,
			  struct store_item *it, struct label *l, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 5, 7, 8)));

/* The consent document this node holds for releasing item to party `to`
 * (free() *out), which goes with the envelope; LERR_NOTFOUND when none. */
int node_release_consent(struct node *n, const char *item, const char *to, char **out,
			 struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/*
 * Whether queued message m may still go, as each delivery attempt checks:
 * a release (kind "item") whose item was destroyed, or that its releaser
 * could no longer make today for a reason of the day rather than of the
 * person (R-IN-FORCE, R-RELEASABLE, R-RECEIVED, R-CONTINUING,
 * R-THIRD-PARTY, R-EXPORT: their clearance, role and need to know are not
 * asked again, and they count as of this node's party, as when they made
 * it), or that is not recorded at all, is withdrawn: 1, with why (the
 * failing rules). 0: it goes;
 * another message kind always does. A LERR code when the store cannot say
 * (tried later).
 */
int node_release_still(struct node *n, const struct store_msg *m, char *why, size_t wn,
		       struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * The same for its envelope, open at fd (left at its start), as it is
 * sent: sealed to the peer's key now, or to one the peer rotated (a peer
 * keeps those to open what was sealed to them), it goes (0); sealed to a
 * key replaced by hand or compromised, it is withdrawn (1, with why). An
 * envelope this cannot read goes (the peer says what is wrong with it).
 */
int node_release_key_held(struct node *n, const struct store_msg *m, int fd, char *why, size_t wn,
			  struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 4)));

/* A consent document's largest size (a file, or with an envelope). */
#define NODE_CONSENT_MAX 4096

/* A consent's content_sealed: base64 of crypto_box_seal of a SHA-256, its NUL included. */
#define CONSENT_SEALED	   80 /* crypto_box_SEALBYTES + 32 */
#define CONSENT_SEALED_B64 109

struct consent_info {
	char item[LABEL_WORD_MAX];
	char to[PARTY_CODE_MAX];
	char originator[PARTY_CODE_MAX];
	char granted_by[PERSON_ID_MAX];
	char date[DATE_BUF_SIZE];
	char holder[PARTY_CODE_MAX];	   /* who may pass it on; "" in older ones */
	char label_sha256[DIGEST_B64_MAX]; /* of the item's canonical label; "" in older ones */
	/* the SHA-256 of the item's plaintext sealed to `to`'s key (base64); "" in older ones */
	char content_sealed[CONSENT_SEALED_B64];
};

/*
 * The originator's consent to release its item a->item to a->to, by an
 * originator of this party: signed, recorded, and written to a->out (when
 * not NULL) and/or queued for a->send, the holder's node (a peer), in the
 * grant's own transaction.
 */
int node_consent_grant(struct node *n, const struct release_args *a, const struct key_secret *k,
		       struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Why the consent held here cannot pass item it/l on to `to` (see
 * node_item_release), into why (words that follow "the consent", as
 * "lets GBR pass it on, not KOR"); "" when it can, or when none is held
 * or needed. A decision about the release counts such a consent as none.
 * sent: a queued release's consent (it goes with the message), checked in
 * place of the one held, for its signature alone (its label and holder
 * were checked when it was queued); or NULL.
 */
int node_consent_flaw(struct node *n, const struct store_item *it, const struct label *l,
		      const char *to, const char *sent, char *why, size_t wn, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 6)));

/* Imports a consent file: the originator's signature, an item it made here;
 * from: the peer it came from (its originator's node alone), or NULL. */
int node_consent_import(struct node *n, const char *file, const char *from, struct consent_info *ci,
			struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 4)));

#endif
