/*
 * note.h - checkpoints: C2SP tlog-checkpoint text in a C2SP signed note,
 * signed with Ed25519 (signature type 0x01).
 *
 *   liaison/JPN                 origin: the log's identity (and key name)
 *   1234                        tree size
 *   BASE64(root)                RFC 9162 root hash
 *                               blank line
 *   — liaison/JPN BASE64(key ID || Ed25519 signature over the text above)
 *
 * key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4], big-endian.
 * Pure: the caller brings the keys.
 */
#ifndef LIAISON_LOG_NOTE_H
#define LIAISON_LOG_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"
#include "merkle.h"

#define NOTE_ORIGIN_MAX 128
#define NOTE_MAX	4096 /* a signed checkpoint, with NUL */

struct checkpoint {
	char origin[NOTE_ORIGIN_MAX];
	uint64_t size;
	uint8_t root[MERKLE_HASH];
};

/* The key ID of an Ed25519 key under a name. */
uint32_t note_key_id(const char *name, const uint8_t pk[32]) __attribute__((nonnull));

/*
 * Writes the checkpoint signed by (sk, pk) under key name cp->origin into
 * out (NOTE_MAX bytes). LERR_INVAL for an origin that is empty or holds a
 * space, a plus or a control character.
 */
int checkpoint_sign(const struct checkpoint *cp, const uint8_t sk[64], const uint8_t pk[32],
		    char out[NOTE_MAX], struct lerr *e) __attribute__((nonnull(1, 2, 3, 4)));

/*
 * Parses a signed checkpoint and checks the signature of key `name` (pk)
 * on it. Errors name what is wrong: the line that is malformed, a missing
 * signature by that key, a signature that does not verify (LERR_AUTH).
 */
int checkpoint_verify(const char *text, size_t len, const char *name, const uint8_t pk[32],
		      struct checkpoint *cp, struct lerr *e) __attribute__((nonnull(1, 3, 4, 5)));

#endif
