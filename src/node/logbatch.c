/*
 * logbatch.c - group commit of log entries recorded in transactions of
 * their own (node_log_record) by the threads of one process: the first
 * caller to find nobody committing leads, takes every entry queued so far
 * (its own among them) and appends them in one transaction, one commit,
 * one fsync; the others wait for that commit. Each caller still returns
 * only once its entry is durable ("logged before the first byte"). An entry
 * that fails its append fails alone: the batch is rolled back and each of
 * its entries recorded in a transaction of its own.
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

/* One entry in a transaction of its own, on the leader's store. */
static void alone(struct store *s, const char *party, struct lb_entry *x)
{
	json_incref(x->body);
	x->r = store_begin(s, &x->e);
	if (x->r == 0 &&
	    (x->r = node_log_append_to(s, party, &x->clock, x->kind, x->body, NULL, &x->e)) < 0)
		store_rollback(s);
	else if (x->r == 0)
		x->r = store_commit(s, &x->e);
	else
		json_decref(x->body); /* store_begin failed: append_to did not take it */
}

/* The batch from first (a list) in one transaction; each entry's r and e set. */
static uint64_t commit_batch(struct store *s, const char *party, struct lb_entry *first)
{
	struct lerr e = {0};
	int r = store_begin(s, &e);
	struct lb_entry *x = first;
	for (; r == 0 && x; x = x->next) {
		json_incref(x->body);
		r = node_log_append_to(s, party, &x->clock, x->kind, x->body, NULL, &e);
	}
	if (r == 0 && (r = store_commit(s, &e)) == 0) {
		for (x = first; x; x = x->next)
			x->r = 0;
		return 1;
	}
	if (store_in_transaction(s))
		store_rollback(s);
	/* nothing of the batch is in the log: each on its own, failing alone */
	uint64_t commits = 0;
	for (x = first; x; x = x->next) {
		alone(s, party, x);
		commits++;
	}
	return commits;
}

int node_log_batched(struct node *n, const char *kind, json_t *body, struct lerr *e)
{
	struct log_batch *b = n->batch;
	/* who entered it, as node_log_append says it */
	if (n->operator)
		json_object_set_new(body, "entered_by", json_string("operator"));
	else if (n->token[0])
		json_object_set_new(body, "by_token", json_string(n->token));
	struct lb_entry me = {.kind = kind, .body = body, .clock = n->clock};
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
		uint64_t commits = commit_batch(n->store, n->party, batch);
		pthread_mutex_lock(&b->mu);
		for (struct lb_entry *x = batch; x;) {
			struct lb_entry *next = x->next; /* x may go once done is seen */
			b->entries++;
			x->done = true;
			x = next;
		}
		b->commits += commits;
		b->leading = false;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	json_decref(body);
	if (me.r < 0 && e)
		*e = me.e;
	return me.r;
}
