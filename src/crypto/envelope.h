/*
 * envelope.h - sealed envelopes: liaison's unit of exchange.
 *
 * An envelope carries one item: a signed header (sender, recipients, each
 * with the file key sealed to its X25519 key, the label bound by its hash)
 * and the payload in authenticated chunks under a key derived from the file
 * key and the header's hash (crypto_secretstream_xchacha20poly1305 in
 * versions 1 and 2, ChaCha20-Poly1305 with counter nonces from version 3:
 * pstream.h). The last chunk also carries the sender's signature over the
 * header's hash and the plaintext's hash, so that not even a recipient can
 * change the content (BLAKE2b-256 in version 1, SHA-256 in versions 2 and
 * 3, BLAKE3 from version 4).
 * docs/envelope.md gives every byte.
 *
 * Sealing and opening stream: memory does not grow with the payload.
 */
#ifndef LIAISON_CRYPTO_ENVELOPE_H
#define LIAISON_CRYPTO_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/err.h"
#include "keys.h"

#define ENV_MAGIC	   "LIAISENV"
#define ENV_MAGIC_LEN	   8
#define ENV_VERSION	   4 /* what sealing writes; opening reads 1 to 4 */
#define ENV_VERSION_MIN	   1
#define ENV_CHUNK_DEFAULT  (64u << 10)
#define ENV_CHUNK_MIN	   1024u
#define ENV_CHUNK_MAX	   (1u << 20)
#define ENV_LABEL_MAX	   65536u
#define ENV_RECIPIENTS_MAX 32
#define ENV_FILE_KEY	   crypto_secretstream_xchacha20poly1305_KEYBYTES
#define ENV_SEALED_KEY	   (crypto_box_SEALBYTES + ENV_FILE_KEY)
#define ENV_SIG		   crypto_sign_BYTES
#define ENV_HASH	   32
#define ENV_CHUNK_OVERHEAD crypto_secretstream_xchacha20poly1305_ABYTES	     /* 17 */
#define ENV_STREAM_HEADER  crypto_secretstream_xchacha20poly1305_HEADERBYTES /* 24 */

/* Which check an envelope failed. */
enum env_check {
	ENV_OK,
	ENV_MALFORMED,	   /* not an envelope, unknown version, bad field */
	ENV_TRUNCATED,	   /* it ends early */
	ENV_NOT_FOR_YOU,   /* no file key sealed to your key */
	ENV_WRONG_SENDER,  /* signed by another key than the expected sender's */
	ENV_BAD_SIGNATURE, /* the header was changed after it was signed */
	ENV_CHANGED_LABEL, /* the label is not the one that was signed */
	ENV_CORRUPTED,	   /* a chunk does not authenticate */
	ENV_BAD_PAYLOAD,   /* the payload signature does not check */
	ENV_IO,		   /* reading or writing failed */
};

/* One recipient: its party, its X25519 key, the file key sealed to it. */
struct env_stanza {
	char party[PARTY_CODE_MAX];
	uint8_t box_pk[KEY_BOX_PK];
	uint8_t sealed[ENV_SEALED_KEY];
};

/* A parsed header. label (label_len bytes and a NUL) is freed by envelope_header_free. */
struct env_header {
	int version; /* 1: BLAKE2b-256 content hash; 2: SHA-256; 3: SHA-256, ChaCha20-Poly1305
			chunks; 4: BLAKE3, ChaCha20-Poly1305 chunks, the payload key from key_hash
		      */
	char sender[PARTY_CODE_MAX];
	uint8_t sender_pk[KEY_SIGN_PK];
	uint32_t chunk;
	uint32_t label_len;
	uint8_t label_hash[ENV_HASH];
	size_t nstanzas;
	struct env_stanza stanzas[ENV_RECIPIENTS_MAX];
	uint8_t sig[ENV_SIG];
	char *label;
	size_t signed_len;	       /* bytes the header signature covers */
	size_t header_len;	       /* every header byte, label included */
	uint8_t header_hash[ENV_HASH]; /* BLAKE2b-256 of those bytes */
	uint8_t key_hash[ENV_HASH]; /* the same without the signature (version 4's payload key) */
	uint8_t *raw;		    /* the signed bytes (signed_len) */
};

/* Called as the payload moves: the plaintext bytes so far. */
typedef void (*env_progress)(void *arg, uint64_t bytes);

/* A payload read other than from a file descriptor: read gives up to n
 * bytes, fewer only at its end, or -1 with errno (spool_read, crypto/spool.h). */
struct env_source {
	ssize_t (*read)(void *arg, uint8_t *buf, size_t n);
	void *arg;
};

struct env_seal_args {
	const struct key_secret *from; /* the sender's key; or NULL, and: */
	struct key_later *later;       /* the sender's key, still being opened */
	const struct key_public *to;
	size_t nto;
	const char *label;
	size_t label_len;
	uint32_t chunk; /* 0: ENV_CHUNK_DEFAULT */
	env_progress progress;
	void *arg;
	const struct env_source *source; /* when set, the payload comes from it, not `in` */
	int version;			 /* 0: ENV_VERSION; lower for a reader of that version */
	/* out is not synced when sealed (standard output): its writeback is
	 * left to the kernel, as any writer's, rather than started as it goes */
	bool unsynced;
};

/*
 * Seals everything read from `in` into an envelope written to `out`.
 * *bytes (if not NULL) gets the plaintext size. Returns 0 or a LERR code.
 * With a->later, a version 4 envelope to a regular file is sealed while
 * the key opens: the header, written last, fills room left at the start;
 * should the key not open, out is cut back to where it was.
 */
int envelope_seal(int in, int out, const struct env_seal_args *a, uint64_t *bytes, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(3)));

/*
 * Reads and parses a header from `in` (the stream is left at the payload),
 * checking its form only. Returns 0, or a LERR code with *why saying which
 * check failed.
 */
int envelope_read_header(int in, struct env_header *h, enum env_check *why, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(2, 3)));

/*
 * Checks that h was signed by `sender` and that its label is the signed
 * one. Returns 0, or LERR_AUTH with *why: ENV_WRONG_SENDER,
 * ENV_BAD_SIGNATURE, ENV_CHANGED_LABEL.
 */
int envelope_verify_header(const struct env_header *h, const struct key_public *sender,
			   enum env_check *why, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Opens the payload after envelope_read_header(): checks the header against
 * the trusted sender (envelope_verify_header), finds me among the
 * recipients, decrypts every chunk to `out` and checks the payload
 * signature. Chunks reach `out` as they authenticate; the caller discards
 * `out` unless this returns 0. *why says which check failed. synced: the
 * caller syncs `out` (a regular file's) after, so its writeback is started
 * as it goes, that the sync waits less; else it is left to the kernel.
 */
int envelope_open_payload(int in, int out, const struct env_header *h, const struct key_secret *me,
			  const struct key_public *sender, env_progress progress, void *arg,
			  bool synced, uint64_t *bytes, enum env_check *why, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(3, 4, 5, 10)));

/*
 * envelope_open_payload(), giving the plaintext's SHA-256 too (whatever
 * the envelope's version hashes its content with), only when it opened:
 * what an originator's consent to pass the item on names.
 */
int envelope_open_sha256(int in, int out, const struct env_header *h, const struct key_secret *me,
			 const struct key_public *sender, uint8_t sha256[ENV_HASH],
			 enum env_check *why, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(3, 4, 5, 6, 7)));

/*
 * From the envelope's total size, the payload's plaintext size; -1 when no
 * plaintext size fits (a truncated or padded file).
 */
int64_t envelope_plain_size(const struct env_header *h, uint64_t total) __attribute__((nonnull));

void envelope_header_free(struct env_header *h);

/* "truncated", "not for you"...: the name of a check. */
const char *envelope_check_name(enum env_check c);

#endif
