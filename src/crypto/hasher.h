/*
 * hasher.h - BLAKE2b in a second thread, so that hashing the payload
 * overlaps encrypting it.
 *
 * The caller submits byte ranges, in order; the thread hashes them into
 * the state given at start. A range must stay untouched until hs_wait()
 * for its ticket returns.
 */
#ifndef LIAISON_CRYPTO_HASHER_H
#define LIAISON_CRYPTO_HASHER_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

struct hasher;

/* Starts a hasher that updates *st (which it owns until hs_finish). NULL when it cannot. */
struct hasher *hs_start(crypto_generichash_state *st);

/* Queues n bytes at p; returns the ticket of that range (waits while the queue is full). */
uint64_t hs_submit(struct hasher *h, const uint8_t *p, size_t n);

/* Waits until every range up to the ticket is hashed (ticket 0: nothing to wait for). */
void hs_wait(struct hasher *h, uint64_t ticket);

/* Hashes what is queued, stops the thread and frees h; *st is the caller's again. */
void hs_finish(struct hasher *h);

#endif
