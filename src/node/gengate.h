/*
 * gengate.h - one read of the store's generation for every light question
 * waiting (an access check whose cache is warm): see gengate.c.
 */
#ifndef LIAISON_GENGATE_H
#define LIAISON_GENGATE_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/err.h"
#include "../store/store.h"

struct gen_gate;

/* A question waiting for the generation: the caller's (its memory lives
 * until done is called). done runs on the gate's thread, with r 0 and gen
 * the generation, or r < 0 and e why not; once called, the ask is the
 * caller's again. */
struct gen_ask {
	void (*done)(struct gen_ask *a);
	void *cls;
	int r;
	struct store_gen gen;
	struct lerr e;
	struct gen_ask *next; /* the gate's */
};

struct gen_gate *gen_gate_new(void);
/* Its thread, on a handle of its own to the node in home (worth it where a
 * generation costs a round trip: store_generation_shared, PostgreSQL). */
int gen_gate_start(struct gen_gate *g, const char *home, struct lerr *e)
    __attribute__((warn_unused_result, nonnull));
/* Queues a: its generation is read by a statement sent after this call,
 * one statement for every ask queued meanwhile. false: not queued (no
 * thread, or held): the caller reads its own. */
bool gen_gate_ask(struct gen_gate *g, struct gen_ask *a) __attribute__((nonnull(2)));
/* Held: no ask is queued, and the call returns once every ask queued has
 * been done (a server stopping, whose questions must not stay suspended).
 * Returns whether it was held before. */
bool gen_gate_hold(struct gen_gate *g, bool hold);
/* Reads made, the asks they answered, and the reads that failed (their
 * asks read their own; a failure and the recovery said on standard error). */
void gen_gate_counts(struct gen_gate *g, uint64_t *reads, uint64_t *asks, uint64_t *failed);
/* Stops the thread. Hold it first (gen_gate_hold): an ask still queued
 * would be done by the thread before it ends, after its caller stopped. */
void gen_gate_free(struct gen_gate *g);

#endif
