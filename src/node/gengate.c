/*
 * gengate.c - the generation gate: one read of the store's generation for
 * every light question waiting. On PostgreSQL an access check whose cache
 * is warm reads nothing but the generation (cache.c), and that one
 * statement was most of its cost: the daemon's side of a round trip and
 * the server's, each about what a whole check costs on SQLite. A worker
 * thread that reads it itself also waits for it, with its other
 * connections. So the daemon's worker suspends the question's connection
 * and queues it here (gen_gate_ask), and goes on with its other
 * connections; the gate's thread takes every question queued, reads the
 * generation once, on a connection of its own, and wakes them all with it
 * (store_generation_given). Under load, one statement answers as many
 * questions as came while the last one ran.
 *
 * Why that is still "a revocation committed before the check is seen":
 * every ask in a read was queued before the read's statement was sent, so
 * the statement's snapshot is newer than the question, as a read of the
 * worker's own would be. What the worker then reads in its own transaction,
 * if anything, checks that the generation is still that one
 * (store_read_moved), as any light stretch does.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "gengate.h"
#include "node.h"

struct gen_gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct gen_ask *head, **tail; /* queued, not yet taken */
	size_t taken;		      /* taken by the read under way, not yet done */
	bool running, held, stop;
	bool idle; /* its thread waits for an ask: the first one wakes it */
	uint64_t reads, asks, failed;
	bool failing; /* its last read failed: said once, on standard error */
	pthread_t th;
	struct node *own;
};

struct gen_gate *gen_gate_new(void)
{
	struct gen_gate *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	if (pthread_mutex_init(&g->mu, NULL) != 0) {
		free(g);
		return NULL;
	}
	if (pthread_cond_init(&g->cv, NULL) != 0) {
		pthread_mutex_destroy(&g->mu);
		free(g);
		return NULL;
	}
	g->tail = &g->head;
	return g;
}

/* Takes every ask queued, reads the generation once, and lets each know.
 * Called and returns with g->mu held (unlocked meanwhile). */
static void read_for_all(struct gen_gate *g)
{
	struct gen_ask *batch = g->head;
	size_t count = 0;
	for (struct gen_ask *a = batch; a; a = a->next)
		count++;
	g->head = NULL;
	g->tail = &g->head;
	g->taken = count;
	pthread_mutex_unlock(&g->mu);
	/* sent after every ask of the batch was queued: newer than each */
	struct store_gen gen = {0};
	struct lerr e = {0};
	int r = store_generation(g->own->store, &gen, &e);
	while (batch) {
		struct gen_ask *a = batch;
		batch = a->next; /* a is its caller's once done */
		a->r = r;
		a->gen = gen;
		if (r < 0)
			a->e = e;
		a->done(a);
	}
	/* said when its reads stop or start working again, not for each */
	if ((r < 0) != g->failing) {
		if (r < 0)
			fprintf(
			    stderr,
			    "liaison serve: the generation gate cannot read the store (%s): each "
			    "access check reads its own until it can\n",
			    e.msg);
		else
			fprintf(stderr,
				"liaison serve: the generation gate reads the store again\n");
		g->failing = r < 0;
	}
	pthread_mutex_lock(&g->mu);
	if (r < 0)
		g->failed++;
	else {
		g->reads++;
		g->asks += count;
	}
	g->taken = 0;
	pthread_cond_broadcast(&g->cv); /* gen_gate_hold waits for none left */
}

/* The gate's thread: reads whenever asks are queued; at the stop, for
 * those left first. */
static void *gate_run(void *arg)
{
	struct gen_gate *g = arg;
	pthread_mutex_lock(&g->mu);
	for (;;) {
		if (g->head)
			read_for_all(g);
		else if (g->stop)
			break;
		else {
			g->idle = true;
			pthread_cond_wait(&g->cv, &g->mu);
			g->idle = false;
		}
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

int gen_gate_start(struct gen_gate *g, const char *home, struct lerr *e)
{
	int r = node_open(home, &g->own, e);
	if (r < 0)
		return r;
	if (pthread_create(&g->th, NULL, gate_run, g) != 0) {
		node_close(g->own);
		g->own = NULL;
		return lerr_set(e, LERR_NOMEM, "the generation gate: no thread");
	}
	pthread_mutex_lock(&g->mu);
	g->running = true;
	pthread_mutex_unlock(&g->mu);
	return 0;
}

bool gen_gate_ask(struct gen_gate *g, struct gen_ask *a)
{
	if (!g)
		return false;
	pthread_mutex_lock(&g->mu);
	bool queue = g->running && !g->held && !g->stop;
	if (queue) {
		a->next = NULL;
		*g->tail = a;
		g->tail = &a->next;
		/* once: a read under way takes the next batch itself */
		if (g->idle) {
			g->idle = false;
			pthread_cond_broadcast(&g->cv);
		}
	}
	pthread_mutex_unlock(&g->mu);
	return queue;
}

bool gen_gate_hold(struct gen_gate *g, bool hold)
{
	if (!g)
		return false;
	pthread_mutex_lock(&g->mu);
	bool was = g->held;
	g->held = hold;
	while (hold && (g->head || g->taken))
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	return was;
}

void gen_gate_counts(struct gen_gate *g, uint64_t *reads, uint64_t *asks, uint64_t *failed)
{
	*reads = *asks = *failed = 0;
	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	*reads = g->reads;
	*asks = g->asks;
	*failed = g->failed;
	pthread_mutex_unlock(&g->mu);
}

void gen_gate_free(struct gen_gate *g)
{
	if (!g)
		return;
	if (g->own) {
		pthread_mutex_lock(&g->mu);
		g->stop = true;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		if (g->running)
			pthread_join(g->th, NULL);
		node_close(g->own);
	}
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}
