/*
 * hasher.h - the content hash of an envelope's plaintext, computed in a
 * second thread so that hashing the payload overlaps encrypting it.
 *
 * The content hash is BLAKE2b-256 (libsodium) in envelopes of version 1,
 * SHA-256 (OpenSSL's libcrypto, which uses the CPU's SHA instructions:
 * about 2.6 times BLAKE2b's speed on the build machine) in versions 2 and 3,
 * and BLAKE3-256 (the BLAKE3 team's C code, from Debian's librust-blake3-dev:
 * its vector code hashes about 6.4 GB/s on the build machine, four times
 * SHA-256) from version 4.
 *
 * The caller submits byte ranges, in order; the thread hashes them into
 * the state given at start. A range must stay untouched until hs_wait()
 * for its ticket returns.
 */
#ifndef LIAISON_CRYPTO_HASHER_H
#define LIAISON_CRYPTO_HASHER_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHASH_BYTES 32

/* A content hash under way. */
struct chash {
	int version;		     /* the envelope's: 1 BLAKE2b-256, 2 and 3 SHA-256, 4 BLAKE3 */
	crypto_generichash_state b2; /* version 1 */
	void *b3;		     /* version 4: a blake3_hasher (malloc) */
	void *sha;   /* versions 2, 3, and 1 or 4 asked for SHA-256 too: an EVP_MD_CTX */
	bool failed; /* an update of sha failed */
};

/*
 * Starts the content hash of an envelope of that version (1 to 4); false
 * when out of memory. With sha256, the plaintext's SHA-256 is kept too
 * (the content hash itself in versions 2 and 3; beside it in 1 and 4).
 */
bool chash_init(struct chash *c, int version, bool sha256) __attribute__((warn_unused_result));
void chash_update(struct chash *c, const uint8_t *p, size_t n);
/* Writes the hash (and, asked for at chash_init, the SHA-256 into sha256, else
 * NULL) and frees what chash_init took; false when the hash failed. */
bool chash_final(struct chash *c, uint8_t out[CHASH_BYTES], uint8_t *sha256)
    __attribute__((warn_unused_result));
/* Frees what chash_init took, without a hash (after a failure). */
void chash_drop(struct chash *c);

struct hasher;

/* Starts a hasher that updates *c (which it owns until hs_finish). NULL when it cannot.
 * threaded false: no thread; each range is hashed as it is submitted (a small payload,
 * where starting a thread costs more than it saves). */
struct hasher *hs_start(struct chash *c, bool threaded);

/* Queues n bytes at p; returns the ticket of that range (waits while the queue is full). */
uint64_t hs_submit(struct hasher *h, const uint8_t *p, size_t n);

/* Waits until every range up to the ticket is hashed (ticket 0: nothing to wait for). */
void hs_wait(struct hasher *h, uint64_t ticket);

/* Hashes what is queued, stops the thread and frees h; *c is the caller's again. */
void hs_finish(struct hasher *h);

#endif
