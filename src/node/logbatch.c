/*
 * logbatch.c - group commit of log entries recorded in transactions of
 * their own (node_log_record) by the threads of one process: the first
 * caller to find nobody committing leads, takes every entry queued so far
 * (its own among them) and appends them in one transaction, one commit,
 * one fsync; the others wait for that commit. Each caller still returns
 * only once its entry is durable ("logged before the first byte"). An entry
 * whose append fails fails alone (the others go on without it); a failed
 * BEGIN or COMMIT fails the whole batch.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "log.h"

struct lb_entry {
	const char *kind;
	json_t *body; /* a reference of its own, held until the entry is done */
	struct node_clock clock;
	int r;
	struct lerr e;
	bool done;
	struct lb_entry *next;
};

struct log_batch {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct lb_entry *head, **tail;
	bool leading;
	uint64_t commits, entries;
};

struct log_batch *log_batch_new(void)
{
	struct log_batch *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	if (pthread_mutex_init(&b->mu, NULL) != 0) {
		free(b);
		return NULL;
	}
	if (pthread_cond_init(&b->cv, NULL) != 0) {
		pthread_mutex_destroy(&b->mu);
		free(b);
		return NULL;
	}
	b->tail = &b->head;
	return b;
}

void log_batch_free(struct log_batch *b)
{
	if (!b)
		return;
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

void log_batch_counts(struct log_batch *b, uint64_t *commits, uint64_t *entries)
{
	pthread_mutex_lock(&b->mu);
	*commits = b->commits;
	*entries = b->entries;
	pthread_mutex_unlock(&b->mu);
}

#define PENDING 1 /* an entry's r until its batch is done */

/*
 * The batch's pending entries in one transaction, on the leader's store;
 * each entry's r and e set. An entry whose append fails fails alone: the
 * transaction is rolled back and the others are tried again without it. A
 * BEGIN or COMMIT that fails fails every pending entry with its error, and
 * is not tried again (a COMMIT whose connection was lost may have landed).
 * *entries: the entries committed; returns whether a commit was made.
 */
static bool commit_batch(struct store *s, const char *party, struct lb_entry *first,
			 uint64_t *entries)
{
	*entries = 0;
	for (;;) {
		struct lb_entry *x, *bad = NULL;
		size_t pending = 0;
		for (x = first; x; x = x->next)
			pending += x->r == PENDING;
		if (!pending)
			return false;
		struct lerr e = {0};
		int r = store_begin(s, &e);
		for (x = first; r == 0 && x; x = x->next) {
			if (x->r != PENDING)
				continue;
			json_incref(x->body); /* node_log_append_to releases one */
			if ((r = node_log_append_to(s, party, &x->clock, x->kind, x->body, NULL,
						    &x->e)) < 0)
				bad = x;
		}
		if (bad) {
			store_rollback(s);
			bad->r = r;
			continue;
		}
		if (r == 0)
			r = store_commit(s, &e); /* rolls back when it fails */
		for (x = first; x; x = x->next)
			if (x->r == PENDING) {
				x->r = r;
				if (r < 0)
					x->e = e;
			}
		*entries = r == 0 ? pending : 0;
		return r == 0;
	}
}

int node_log_batched(struct node *n, const char *kind, json_t *body, struct lerr *e)
{
	struct log_batch *b = n->batch;
	/* who entered it, as node_log_append says it */
	if (n->operator)
		json_object_set_new(body, "entered_by", json_string("operator"));
	else if (n->token[0])
		json_object_set_new(body, "by_token", json_string(n->token));
	struct lb_entry me = {.kind = kind, .body = body, .clock = n->clock, .r = PENDING};
	pthread_mutex_lock(&b->mu);
	*b->tail = &me;
	b->tail = &me.next;
	while (!me.done) {
		if (b->leading) {
			pthread_cond_wait(&b->cv, &b->mu);
			continue;
		}
		b->leading = true;
		struct lb_entry *batch = b->head;
		b->head = NULL;
		b->tail = &b->head;
		pthread_mutex_unlock(&b->mu);
		uint64_t entries;
		bool committed = commit_batch(n->store, n->party, batch, &entries);
		pthread_mutex_lock(&b->mu);
		for (struct lb_entry *x = batch; x;) {
			struct lb_entry *next = x->next; /* x may go once done is seen */
			x->done = true;
			x = next;
		}
		b->commits += committed;
		b->entries += entries;
		b->leading = false;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	json_decref(body);
	if (me.r < 0 && e)
		*e = me.e;
	return me.r;
}
