/*
 * logbatch.c - group commit of log entries recorded in transactions of
 * their own (node_log_record) by the threads of one process: the first
 * caller to find nobody committing leads, takes every entry queued so far
 * (its own among them) and appends them in one transaction, one commit,
 * one fsync; the others wait for that commit. Each caller still returns
 * only once its entry is durable ("logged before the first byte"). An entry
 * whose append fails fails alone (the others go on without it); a failed
 * BEGIN or COMMIT fails the whole batch.
 *
 * An entry may also be queued without waiting (node_log_submit): the
 * batch's own committer thread, on a store of its own (log_batch_start),
 * leads for it when nobody else does, and calls its `done` once it is
 * durable or failed. A daemon's worker thus answers other requests while
 * a download's decision is committed, and one fsync carries the decisions
 * of every connection waiting, not of every thread.
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
	/* queued by node_log_submit: called once done (the entry is then freed) */
	node_log_done done_fn;
	void *done_cls;
	struct lb_entry *next;
};

struct log_batch {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct lb_entry *head, **tail;
	bool leading;
	uint64_t commits, entries;
	/* the committer (log_batch_start): its thread and its own node */
	pthread_t th;
	struct node *own;
	bool running, stop;
	bool held;	   /* log_batch_hold: entries are no longer queued without waiting */
	size_t unwaited;   /* entries queued without waiting, their done not yet called */
	size_t waiting_in; /* of them, in b->head (not yet taken by a leader) */
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
	if (b->own) { /* the committer commits what is left, then ends */
		pthread_mutex_lock(&b->mu);
		b->stop = true;
		b->running = false; /* what comes now is recorded by its caller */
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
		pthread_join(b->th, NULL);
		node_close(b->own);
	}
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

/*
 * Leads one batch: takes every entry queued, commits them on store s, and
 * lets each know. Called and returns with b->mu held (unlocked meanwhile).
 * Entries that wait (node_log_batched) are on their callers' stacks, gone
 * once done is seen; those queued without waiting are unlinked first and
 * their done called after the lock is let go.
 */
static void lead(struct log_batch *b, struct store *s, const char *party)
{
	b->leading = true;
	struct lb_entry *batch = b->head, *unwaited = NULL;
	b->head = NULL;
	b->tail = &b->head;
	b->waiting_in = 0;
	pthread_mutex_unlock(&b->mu);
	uint64_t entries;
	bool committed = commit_batch(s, party, batch, &entries);
	pthread_mutex_lock(&b->mu);
	size_t called = 0;
	for (struct lb_entry *x = batch; x;) {
		struct lb_entry *next = x->next; /* x may go once done is seen */
		if (x->done_fn) {
			x->next = unwaited;
			unwaited = x;
		} else
			x->done = true;
		x = next;
	}
	b->commits += committed;
	b->entries += entries;
	b->leading = false;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	while (unwaited) {
		struct lb_entry *x = unwaited;
		unwaited = x->next;
		json_decref(x->body);
		x->done_fn(x->done_cls, x->r, &x->e);
		free(x);
		called++;
	}
	pthread_mutex_lock(&b->mu);
	if (called) {
		b->unwaited -= called;
		pthread_cond_broadcast(&b->cv); /* log_batch_hold waits for none left */
	}
}

int node_log_batched(struct node *n, const char *kind, json_t *body, struct lerr *e)
{
	struct log_batch *b = n->batch;
	node_log_who(n, body);
	struct lb_entry me = {.kind = kind, .body = body, .clock = n->clock, .r = PENDING};
	pthread_mutex_lock(&b->mu);
	*b->tail = &me;
	b->tail = &me.next;
	while (!me.done) {
		if (b->leading)
			pthread_cond_wait(&b->cv, &b->mu);
		else
			lead(b, n->store, n->party);
	}
	pthread_mutex_unlock(&b->mu);
	json_decref(body);
	if (me.r < 0 && e)
		*e = me.e;
	return me.r;
}

void node_log_submit(struct node *n, const char *kind, json_t *body, node_log_done done, void *cls)
{
	struct log_batch *b = n->batch;
	struct lb_entry *x = NULL;
	struct lerr e = {0};
	if (!body) {
		lerr_set(&e, LERR_NOMEM, "out of memory");
		done(cls, LERR_NOMEM, &e);
		return;
	}
	bool queue = b && !n->receiving && !store_in_transaction(n->store);
	if (queue) {
		pthread_mutex_lock(&b->mu);
		queue = b->running && !b->held && (x = calloc(1, sizeof *x)) != NULL;
		if (queue) {
			node_log_who(n, body);
			*x = (struct lb_entry){.kind = kind,
					       .body = body,
					       .clock = n->clock,
					       .r = PENDING,
					       .done_fn = done,
					       .done_cls = cls};
			*b->tail = x;
			b->tail = &x->next;
			b->unwaited++;
			b->waiting_in++;
			pthread_cond_broadcast(&b->cv); /* the committer */
		}
		pthread_mutex_unlock(&b->mu);
	}
	if (queue)
		return;
	/* no committer to take it (none started, held, or a transaction of
	 * the caller's own): recorded here, waited for */
	int r = node_log_record(n, kind, body, &e);
	done(cls, r, &e);
}

/* The committer: leads whenever entries queued without waiting are there
 * and nobody else leads; at the stop, commits what is left first. */
static void *committer(void *arg)
{
	struct log_batch *b = arg;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		if (b->waiting_in && !b->leading)
			lead(b, b->own->store, b->own->party);
		else if (b->stop && !b->waiting_in)
			break;
		else
			pthread_cond_wait(&b->cv, &b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

int log_batch_start(struct log_batch *b, const char *home, struct lerr *e)
{
	int r = node_open(home, &b->own, e);
	if (r < 0)
		return r;
	if (pthread_create(&b->th, NULL, committer, b) != 0) {
		node_close(b->own);
		b->own = NULL;
		return lerr_set(e, LERR_NOMEM, "the log's committer: no thread");
	}
	pthread_mutex_lock(&b->mu);
	b->running = true;
	pthread_mutex_unlock(&b->mu);
	return 0;
}

bool log_batch_hold(struct log_batch *b, bool hold)
{
	pthread_mutex_lock(&b->mu);
	bool was = b->held;
	b->held = hold;
	while (hold && b->unwaited)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
	return was;
}
