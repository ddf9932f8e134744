/*
 * spool.h - a temporary file that never holds plaintext: what is written
 * is sealed as it comes (XChaCha20-Poly1305 secretstream, 64 KiB chunks)
 * under a key that lives only in this process's guarded memory. The daemon
 * spools an upload of classified plaintext here while it streams in; a
 * crash leaves ciphertext whose key died with the process.
 *
 * Written once, then read once from the start: spool_read fails (EBADMSG)
 * on a chunk that does not authenticate, or on an end without the final
 * chunk, so a spool changed or cut on the disk is never read as a payload.
 */
#ifndef LIAISON_CRYPTO_SPOOL_H
#define LIAISON_CRYPTO_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/err.h"

struct spool;

/* Starts a spool on fd (an empty file opened for reading and writing; the
 * spool does not close it). Returns 0 or LERR_NOMEM / LERR_IO. */
int spool_start(int fd, struct spool **out, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(2)));

/* Seals n more bytes. Returns 0, or -1 with errno (the file's). */
int spool_write(struct spool *s, const void *data, size_t n) __attribute__((nonnull(1)));

/* Ends the writing (the final chunk) and rewinds for reading. Returns 0, or -1 with errno. */
int spool_finish(struct spool *s) __attribute__((nonnull));

/* The plaintext bytes written. */
uint64_t spool_size(const struct spool *s) __attribute__((nonnull));

/*
 * Reads up to n bytes of the plaintext, stopping early only at its end
 * (the shape of fio_read_full and of env_seal_args.read). Returns the
 * count, or -1 with errno: EBADMSG when the file was changed or cut.
 */
ssize_t spool_read(void *s, uint8_t *buf, size_t n) __attribute__((nonnull(1)));

/* Wipes the key and what is buffered, and frees s (NULL: nothing). */
void spool_free(struct spool *s);

#endif
