/*
 * pstream.h - the cipher of an envelope's payload: a stream of chunks, each
 * authenticated, in order, the last one marked. Two constructions with the
 * same framing (a 24-byte stream header, then 17 bytes more per chunk than
 * it carries, its tag byte among them), so that the envelope's arithmetic
 * does not depend on the version:
 *
 *  - versions 1 and 2: libsodium's crypto_secretstream_xchacha20poly1305;
 *  - versions 3 and 4: ChaCha20-Poly1305 (RFC 8439) through OpenSSL's libcrypto,
 *    about three times libsodium's speed on the build machine, chunk i
 *    (from 0) sealed under a key derived from the payload key and the
 *    stream header, with i as its nonce (96 bits, big-endian), its
 *    plaintext the tag byte and the chunk's data (docs/envelope.md).
 *
 * The state lives in guarded memory (sodium_malloc) and is wiped when freed;
 * from version 3 the chunk key is also in OpenSSL's cipher context, ordinary
 * heap memory (not locked: it can be paged out, docs/security.md), which
 * OpenSSL wipes when it is freed.
 */
#ifndef LIAISON_CRYPTO_PSTREAM_H
#define LIAISON_CRYPTO_PSTREAM_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PS_KEY	       32
#define PS_HEADER      24 /* crypto_secretstream_xchacha20poly1305_HEADERBYTES */
#define PS_OVERHEAD    17 /* crypto_secretstream_xchacha20poly1305_ABYTES: tag byte and MAC */
#define PS_TAG_MESSAGE 0  /* crypto_secretstream_xchacha20poly1305_TAG_MESSAGE */
#define PS_TAG_FINAL   3  /* crypto_secretstream_xchacha20poly1305_TAG_FINAL */

struct pstream;

/* A stream state for an envelope of that version (1 to 4); NULL when out of memory. */
struct pstream *ps_new(int version) __attribute__((warn_unused_result));
void ps_free(struct pstream *s);

/* Starts sealing under key: writes the stream header. false when the cipher cannot start. */
bool ps_init_push(struct pstream *s, uint8_t header[PS_HEADER], const uint8_t key[PS_KEY])
    __attribute__((warn_unused_result));
/* What opening a chunk (or starting to) came to. */
enum ps_result {
	PS_OK,
	PS_FORGED, /* it does not authenticate */
	PS_FAILED, /* the cipher itself failed (memory, an OpenSSL without the algorithm) */
};

/* Starts opening under key, from the stream header read. */
enum ps_result ps_init_pull(struct pstream *s, const uint8_t header[PS_HEADER],
			    const uint8_t key[PS_KEY]) __attribute__((warn_unused_result));

/* Seals the next chunk: mlen bytes of m with tag into c (mlen + PS_OVERHEAD bytes). */
bool ps_push(struct pstream *s, uint8_t *c, const uint8_t *m, size_t mlen, uint8_t tag)
    __attribute__((warn_unused_result));
/* Opens the next chunk of clen bytes into m (*mlen bytes) and *tag; m is to be
 * discarded unless PS_OK. */
enum ps_result ps_pull(struct pstream *s, uint8_t *m, size_t *mlen, uint8_t *tag, const uint8_t *c,
		       size_t clen) __attribute__((warn_unused_result));

#endif
