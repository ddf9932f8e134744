/*
 * kept.h - guarded memory (sodium_malloc: guard pages, locked, wiped) that
 * each thread keeps between uses. A daemon's worker opens thousands of
 * envelopes, each with a few secrets; a mapping made and unmapped for each
 * (sodium_malloc's mmap, mprotect and munmap, with the TLB flushes they
 * send to every core) cost more than the opening itself. A thread takes a
 * room of a kind, uses it, gives it back wiped; the room stays mapped for
 * its next use, and is freed when the thread ends.
 */
#ifndef LIAISON_CRYPTO_KEPT_H
#define LIAISON_CRYPTO_KEPT_H

#include <stddef.h>

#define KEPT_ROOM 256 /* bytes of a room */

enum kept_kind { KEPT_STREAM, KEPT_KEYS, KEPT_KINDS };

/* size (at most KEPT_ROOM) zeroed bytes of guarded memory; NULL when out of memory.
 * A kind already taken by this thread gets a room of its own, freed when given back. */
void *kept_take(enum kept_kind kind, size_t size) __attribute__((warn_unused_result));

/* Gives back what kept_take gave (NULL: nothing), wiped; by the thread that took it,
 * before it ends. */
void kept_give(enum kept_kind kind, void *p);

#endif
