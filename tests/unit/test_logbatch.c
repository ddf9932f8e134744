/*
 * test_logbatch.c - the log's group commit without waiting
 * (node_log_submit): every entry queued is committed once and its `done`
 * called once; the caller does not wait for the commit; a hold, and the
 * batch's end, wait for every entry queued before.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "node/log.h"
#include "node/node.h"

TestSuite(logbatch, .fini = leak_check);

#define THREADS 4
#define EACH	50

struct done_box {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned calls[THREADS * EACH]; /* each entry's done calls */
	unsigned total, failed;
	char why[LERR_MSG_MAX]; /* the last failure's */
};

static struct done_box box = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, ""};

struct slot {
	struct done_box *b;
	unsigned i;
};

static void done(void *cls, int r, const struct lerr *e)
{
	struct slot *s = cls;
	pthread_mutex_lock(&s->b->mu);
	s->b->calls[s->i]++;
	s->b->total++;
	if (r < 0) {
		s->b->failed++;
		snprintf(s->b->why, sizeof s->b->why, "%s", e ? e->msg : "(no reason)");
	}
	pthread_cond_broadcast(&s->b->cv);
	pthread_mutex_unlock(&s->b->mu);
}

static void wait_total(struct done_box *b, unsigned total)
{
	pthread_mutex_lock(&b->mu);
	while (b->total < total)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

static unsigned total_now(struct done_box *b)
{
	pthread_mutex_lock(&b->mu);
	unsigned t = b->total;
	pthread_mutex_unlock(&b->mu);
	return t;
}

static void reset(struct done_box *b)
{
	pthread_mutex_lock(&b->mu);
	memset(b->calls, 0, sizeof b->calls);
	b->total = b->failed = 0;
	pthread_mutex_unlock(&b->mu);
}

static char home[64];

static struct node *fresh_home(void)
{
	strcpy(home, "/tmp/liaison-test-XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	struct lerr e = {0};
	const struct node_init_args a = {.home = home, .party = "JPN"};
	cr_assert_eq(node_init(&a, "pw", 2, &e), 0, "%s", e.msg);
	struct node *n;
	cr_assert_eq(node_open(home, &n, &e), 0, "%s", e.msg);
	return n;
}

static void remove_home(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	cr_assert_eq(system(cmd), 0);
}

static uint64_t log_size(struct node *n)
{
	uint64_t size;
	struct lerr e = {0};
	cr_assert_eq(node_log_size(n, &size, &e), 0, "%s", e.msg);
	return size;
}

/* The store's write lock taken on a connection of its own (as another
 * process would hold it); NULL-safe release. */
static sqlite3 *lock_store(void)
{
	char path[96];
	sqlite3 *db;
	snprintf(path, sizeof path, "%s/node.db", home);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK, "%s",
		     sqlite3_errmsg(db));
	return db;
}

static void unlock_store(sqlite3 *db)
{
	cr_assert_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

struct submitter {
	struct node *n;
	struct slot slots[EACH];
	unsigned first;
};

static void *submit_many(void *arg)
{
	struct submitter *t = arg;
	for (unsigned k = 0; k < EACH; k++) {
		t->slots[k] = (struct slot){&box, t->first + k};
		json_t *body = json_pack("{s:I}", "k", (json_int_t)(t->first + k));
		node_log_submit(t->n, "test-entry", body, done, &t->slots[k]);
	}
	return NULL;
}

/* Every entry of four threads' handles committed once, done called once
 * each, the log whole and verifiable in fewer commits than entries when
 * the store is busy. */
Test(logbatch, threads_submit_and_each_is_committed_once)
{
	struct node *n = fresh_home();
	struct lerr e = {0};
	struct log_batch *b = log_batch_new();
	cr_assert_not_null(b);
	cr_assert_eq(log_batch_start(b, home, &e), 0, "%s", e.msg);
	uint64_t before = log_size(n);
	struct submitter t[THREADS];
	pthread_t th[THREADS];
	reset(&box);
	/* the store busy while they queue: the committer's first BEGIN waits,
	 * and what comes meanwhile shares its next commits */
	sqlite3 *db = lock_store();
	for (unsigned i = 0; i < THREADS; i++) {
		cr_assert_eq(node_open(home, &t[i].n, &e), 0, "%s", e.msg);
		t[i].n->batch = b;
		t[i].first = i * EACH;
		cr_assert_eq(pthread_create(&th[i], NULL, submit_many, &t[i]), 0);
	}
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	/* all queued, none waited for: the store is still locked */
	cr_assert_eq(total_now(&box), 0, "a submitter waited for a commit");
	unlock_store(db);
	wait_total(&box, THREADS * EACH);
	cr_assert_eq(box.failed, 0, "%s", box.why);
	for (unsigned i = 0; i < THREADS * EACH; i++)
		cr_assert_eq(box.calls[i], 1, "entry %u: done called %u times", i, box.calls[i]);
	uint64_t commits, entries;
	log_batch_counts(b, &commits, &entries);
	cr_assert_eq(entries, THREADS * EACH);
	cr_assert_lt(commits, entries, "%llu commits for %llu entries", (unsigned long long)commits,
		     (unsigned long long)entries);
	cr_assert_eq(log_size(n), before + THREADS * EACH);
	/* each entry once, by its number */
	for (unsigned i = 0; i < THREADS * EACH; i++) {
		char *data;
		size_t len;
		cr_assert_eq(node_log_entry(n, before + i, &data, &len, &e), 0, "%s", e.msg);
		cr_assert_not_null(strstr(data, "\"test-entry\""), "%s", data);
		free(data);
	}
	log_batch_free(b);
	for (unsigned i = 0; i < THREADS; i++)
		node_close(t[i].n);
	node_close(n);
	remove_home();
}

struct holder {
	struct log_batch *b;
	atomic_bool returned;
};

static void *hold_it(void *arg)
{
	struct holder *h = arg;
	(void)log_batch_hold(h->b, true);
	atomic_store(&h->returned, true);
	return NULL;
}

/* A hold returns only once every entry queued before is done; held, an
 * entry is recorded by its caller, done before node_log_submit returns;
 * released, entries are queued again. */
Test(logbatch, a_hold_waits_for_what_was_queued)
{
	struct node *n = fresh_home();
	struct lerr e = {0};
	struct log_batch *b = log_batch_new();
	cr_assert_not_null(b);
	cr_assert_eq(log_batch_start(b, home, &e), 0, "%s", e.msg);
	n->batch = b;
	reset(&box);
	struct slot s[3] = {{&box, 0}, {&box, 1}, {&box, 2}};
	sqlite3 *db = lock_store();
	node_log_submit(n, "test-entry", json_object(), done, &s[0]);
	cr_assert_eq(total_now(&box), 0);
	struct holder h = {b, false};
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, hold_it, &h), 0);
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	cr_assert_not(atomic_load(&h.returned), "the hold returned before the entry was done");
	unlock_store(db);
	pthread_join(th, NULL);
	cr_assert_eq(total_now(&box), 1, "the hold returned before the entry was done");
	/* held: recorded by the caller */
	node_log_submit(n, "test-entry", json_object(), done, &s[1]);
	cr_assert_eq(total_now(&box), 2);
	cr_assert(log_batch_hold(b, false), "it was held");
	/* released: queued again (the store locked, the caller goes on) */
	db = lock_store();
	node_log_submit(n, "test-entry", json_object(), done, &s[2]);
	cr_assert_eq(total_now(&box), 2);
	unlock_store(db);
	/* the batch's end: what is queued is committed first */
	log_batch_free(b);
	cr_assert_eq(total_now(&box), 3);
	cr_assert_eq(box.failed, 0);
	n->batch = NULL;
	char *data;
	size_t len;
	uint64_t size = log_size(n);
	cr_assert_eq(node_log_entry(n, size - 1, &data, &len, &e), 0, "%s", e.msg);
	cr_assert_not_null(strstr(data, "\"test-entry\""), "%s", data);
	free(data);
	node_close(n);
	remove_home();
}

/* Without a committer (a CLI's handle), or a body that could not be made:
 * done is called before node_log_submit returns, with the result. */
Test(logbatch, without_a_committer_done_is_called_at_once)
{
	struct node *n = fresh_home();
	reset(&box);
	struct slot s[2] = {{&box, 0}, {&box, 1}};
	uint64_t before = log_size(n);
	node_log_submit(n, "test-entry", json_object(), done, &s[0]);
	cr_assert_eq(total_now(&box), 1);
	cr_assert_eq(box.failed, 0);
	cr_assert_eq(log_size(n), before + 1);
	node_log_submit(n, "test-entry", NULL, done, &s[1]);
	cr_assert_eq(total_now(&box), 2);
	cr_assert_eq(box.failed, 1);
	cr_assert_str_eq(box.why, "out of memory");
	cr_assert_eq(log_size(n), before + 1);
	node_close(n);
	remove_home();
}
