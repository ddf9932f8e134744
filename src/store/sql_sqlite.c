/*
 * sql_sqlite.c - the SQLite driver (sql.h): one database file in WAL mode
 * with synchronous=FULL (an acknowledged commit survives a crash or power
 * loss), foreign keys on; each statement prepared once per connection.
 *
 * A light stretch (an access check's) whose first statement is the light
 * one (the store's generation) need not run it when nothing has been
 * committed since it last ran first in one here: every commit to a WAL
 * database, by any process, rewrites the header of the WAL's index, which
 * SQLite itself reads lock-free from shared memory at the start of every
 * read to learn whether the database changed. Read the same way here (the
 * same memory: the VFS's own mapping), an unchanged header answers without
 * SQLite's read lock, its file locks and mutexes. The stretch's next
 * statement, if any, begins its snapshot and then finds the header still
 * unchanged, or the stretch has moved (read_moved), as PostgreSQL's does.
 */
#include "sql.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define SQ_PCACHE 112

/*
 * The WAL index's header (sqlite.org/walformat.html, "the wal-index
 * header"): 48 bytes at the start of the shared memory, then a copy of
 * them. A writer writes the copy, then (a memory barrier) the first; a
 * reader reads the first, then the copy, and trusts them only when they
 * agree, and when its last two words are the checksum of the ten before
 * (walChecksumBytes, in the machine's byte order). Its first word is the
 * index's version; its fourth's first byte, isInit. Every commit
 * increments its change counter (its third word) and rewrites the rest:
 * the last frame, the checksums of the log so far; a log begun anew has
 * new salts. A recovery (the index rebuilt from the log) sets the counter
 * to 0: a header from one may come again (an empty log's is always the
 * same), and is never taken as unchanged.
 */
#define WAL_HDR_WORDS	  12
#define WAL_INDEX_VERSION 3007000u
#define WAL_INDEX_REGION  32768 /* SQLite's size of a region of the index */
/* how long a kept answer is used at most: past it, read again, whatever
 * the header says (a bound on staleness should the index ever be one this
 * process's SQLite does not share) */
#define KEPT_FOR_NS 1000000000LL

struct sq_stmt {
	struct sql_stmt base;
	const char *sql; /* the key: the literal's address */
	sqlite3_stmt *st;
	bool busy, cached;
	bool light; /* a light statement (sql_light): no parameters, kept */
};

struct sq_conn {
	struct sql base;
	sqlite3 *db;
	struct sq_stmt pc[SQ_PCACHE];
	size_t npc;
	bool wal; /* journal_mode is WAL */
	/* the WAL index's first region, as SQLite's VFS maps it (NULL: not yet,
	 * or not to be used: shm_tried) */
	const volatile uint32_t *shm;
	bool shm_tried;
	/* a light stretch: its first statement still to run */
	bool light;
	/* the light statement's answer (columns as text, joined by |) when it
	 * last ran first in a light stretch here, and the index's header as
	 * read just before it ran (kept: both are) */
	bool kept;
	const char *kept_sql;
	char kept_answer[64];
	uint32_t kept_hdr[WAL_HDR_WORDS];
	int64_t kept_at; /* CLOCK_MONOTONIC, ns */
	/* this stretch took kept_answer without running the statement: its
	 * next statement's snapshot must be of that store (moved: it was not) */
	bool taken, moved;
};

static struct sq_conn *C(struct sql *c)
{
	return (struct sq_conn *)c;
}

static sqlite3_stmt *S(struct sql_stmt *st)
{
	return ((struct sq_stmt *)st)->st;
}

static int prepare(struct sql *c, const char *sql, bool once, struct sql_stmt **out, struct lerr *e)
{
	struct sq_conn *q = C(c);
	for (size_t i = 0; i < q->npc && !once; i++)
		if (q->pc[i].sql == sql && !q->pc[i].busy) {
			q->pc[i].busy = true;
			*out = &q->pc[i].base;
			return 0;
		}
	bool cached = !once && q->npc < SQ_PCACHE;
	struct sq_stmt *s = cached ? &q->pc[q->npc] : calloc(1, sizeof *s);
	if (!s)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v3(q->db, sql, -1, cached ? SQLITE_PREPARE_PERSISTENT : 0, &s->st,
			       NULL) != SQLITE_OK) {
		if (!cached)
			free(s);
		return lerr_set(e, LERR_STORE, "store: prepare: %s", sqlite3_errmsg(q->db));
	}
	*s = (struct sq_stmt){{c}, sql, s->st, true, cached, false};
	if (cached)
		q->npc++;
	*out = &s->base;
	return 0;
}

static int sq_prep(struct sql *c, const char *sql, struct sql_stmt **out, struct lerr *e)
{
	return prepare(c, sql, false, out, e);
}

static int sq_prep_once(struct sql *c, const char *sql, struct sql_stmt **out, struct lerr *e)
{
	return prepare(c, sql, true, out, e);
}

static void sq_reset(struct sql_stmt *st)
{
	sqlite3_reset(S(st));
	sqlite3_clear_bindings(S(st));
}

static int sq_ncols(struct sql_stmt *st)
{
	return sqlite3_column_count(S(st));
}

static const char *sq_col_name(struct sql_stmt *st, int i)
{
	return sqlite3_column_name(S(st), i);
}

static enum sql_type sq_type(struct sql_stmt *st, int i)
{
	switch (sqlite3_column_type(S(st), i)) {
	case SQLITE_INTEGER:
		return SQL_INT;
	case SQLITE_BLOB:
		return SQL_BLOB;
	case SQLITE_NULL:
		return SQL_NULL;
	default:
		return SQL_TEXT; /* and REAL, which no table holds */
	}
}

static void sq_release(struct sql_stmt *st)
{
	struct sq_stmt *s = (struct sq_stmt *)st;
	if (!s->cached) {
		sqlite3_finalize(s->st);
		free(s);
		return;
	}
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	s->busy = false;
}

static void sq_bind_text(struct sql_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(S(st), i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(S(st), i);
}

static void sq_bind_int(struct sql_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(S(st), i, v);
}

static void sq_bind_blob(struct sql_stmt *st, int i, const void *p, size_t n)
{
	sqlite3_bind_blob64(S(st), i, p, n, SQLITE_TRANSIENT);
}

/*
 * The WAL index's header, when its two copies agree and it is one SQLite
 * made, whole; false: not known now (not mapped, a writer writing it, a
 * recovery's).
 */
static bool wal_header(const struct sq_conn *q, uint32_t h[WAL_HDR_WORDS])
{
	uint32_t again[WAL_HDR_WORDS], s1 = 0, s2 = 0;
	if (!q->shm)
		return false;
	for (int i = 0; i < WAL_HDR_WORDS; i++)
		h[i] = __atomic_load_n(&q->shm[i], __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* as SQLite's walShmBarrier */
	for (int i = 0; i < WAL_HDR_WORDS; i++)
		again[i] = __atomic_load_n(&q->shm[WAL_HDR_WORDS + i], __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < WAL_HDR_WORDS - 2; i += 2) {
		s1 += h[i] + s2;
		s2 += h[i + 1] + s1;
	}
	unsigned char init;
	memcpy(&init, (const unsigned char *)h + 12, 1);
	return memcmp(h, again, sizeof again) == 0 && h[0] == WAL_INDEX_VERSION && init != 0 &&
	       h[2] != 0 && s1 == h[WAL_HDR_WORDS - 2] && s2 == h[WAL_HDR_WORDS - 1];
}

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Whether the header is as it was when the light statement's answer was kept. */
static bool wal_unchanged(const struct sq_conn *q)
{
	uint32_t h[WAL_HDR_WORDS];
	return wal_header(q, h) && memcmp(h, q->kept_hdr, sizeof h) == 0;
}

/*
 * The WAL index's first region, as SQLite maps it for this database: once,
 * after a read has opened it. Not when the connection's journal is not a
 * WAL, nor when the VFS cannot say (no shared memory), nor when the index
 * is read-only here (SQLite then reads copies of it, and may map it anew).
 * The mapping lasts while the connection is open in WAL mode, which it
 * stays: another process cannot take the database out of WAL mode while
 * this connection holds its shared lock, which a WAL connection always does.
 */
static void shm_map(struct sq_conn *q)
{
	sqlite3_file *f = NULL;
	void volatile *p = NULL;
	q->shm_tried = true;
	if (!q->wal ||
	    sqlite3_file_control(q->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f ||
	    !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap)
		return;
	if (f->pMethods->xShmMap(f, 0, WAL_INDEX_REGION, 0, &p) == SQLITE_OK && p)
		q->shm = (const volatile uint32_t *)p;
}

/* A light statement's answer: its row's columns as text, joined by |. */
static bool answer_of(sqlite3_stmt *st, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < sqlite3_column_count(st); i++) {
		const char *v = (const char *)sqlite3_column_text(st, i);
		int w = snprintf(out + len, n - len, "%s%s", i ? "|" : "", v ? v : "");
		if (w < 0 || (size_t)w >= n - len)
			return false;
		len += (size_t)w;
	}
	return true;
}

static int sq_step(struct sql_stmt *st)
{
	struct sq_stmt *s = (struct sq_stmt *)st;
	struct sq_conn *q = C(st->c);
	/* a light stretch's first statement, the light one: its answer kept
	 * with the header read before it ran (its snapshot is of that store
	 * or a later one; while the header stays, of that one) */
	const bool keep = q->light && s->light;
	uint32_t h[WAL_HDR_WORDS];
	/* (not in a snapshot open already, of a statement left unreset: the
	 * answer would be of a store older than the header) */
	const bool hdr =
	    keep && sqlite3_txn_state(q->db, "main") == SQLITE_TXN_NONE && wal_header(q, h);
	q->light = false;
	if (keep)
		q->kept = false;
	int rc = sqlite3_step(s->st);
	/* the stretch's snapshot begun: of the store taken, or it moved. A
	 * step that failed may have begun none, and the next would begin one
	 * unchecked: moved too. One that read no table began none: still taken */
	if (q->taken && (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		q->taken = false;
		q->moved = true;
	} else if (q->taken && sqlite3_txn_state(q->db, "main") != SQLITE_TXN_NONE) {
		q->taken = false;
		if (!wal_unchanged(q))
			q->moved = true;
	}
	if (keep && rc == SQLITE_ROW) {
		if (!q->shm_tried)
			shm_map(q); /* the index now open: for the next stretch */
		if (hdr && answer_of(s->st, q->kept_answer, sizeof q->kept_answer)) {
			q->kept = true;
			q->kept_sql = s->sql;
			memcpy(q->kept_hdr, h, sizeof h);
			q->kept_at = now_ns();
		}
	}
	return rc == SQLITE_ROW ? SQL_ROW : rc == SQLITE_DONE ? SQL_DONE : SQL_ERROR;
}

static bool sq_is_null(struct sql_stmt *st, int i)
{
	return sqlite3_column_type(S(st), i) == SQLITE_NULL;
}

static const char *sq_text(struct sql_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(S(st), i);
}

static int64_t sq_int64(struct sql_stmt *st, int i)
{
	return sqlite3_column_int64(S(st), i);
}

static const void *sq_blob(struct sql_stmt *st, int i, size_t *n)
{
	const void *p = sqlite3_column_blob(S(st), i);
	*n = (size_t)sqlite3_column_bytes(S(st), i);
	return p;
}

static int64_t sq_changes(struct sql *c)
{
	return sqlite3_changes64(C(c)->db);
}

/* Whether sql holds word, in any case. */
static bool mentions(const char *sql, const char *word)
{
	for (size_t n = strlen(word); *sql; sql++)
		if (strncasecmp(sql, word, n) == 0)
			return true;
	return false;
}

static int sq_exec(struct sql *c, const char *sql, struct lerr *e)
{
	struct sq_conn *q = C(c);
	char *msg = NULL;
	/* a write's or the schema's: no stretch's; one that ends a stretch
	 * taken (a ROLLBACK) leaves what follows unchecked: moved */
	if (q->taken)
		q->moved = true;
	q->light = q->taken = false;
	/* the WAL's index this connection maps may go with its journal mode
	 * or locking mode: not used again (none is changed after the open) */
	if ((q->wal || q->shm_tried) &&
	    (mentions(sql, "journal_mode") || mentions(sql, "locking_mode"))) {
		q->wal = false;
		q->shm = NULL;
		q->shm_tried = true;
		q->kept = false;
	}
	if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		lerr_set(e, LERR_STORE, "store: %s", msg ? msg : sqlite3_errmsg(q->db));
		sqlite3_free(msg);
		return LERR_STORE;
	}
	return 0;
}

static const char *sq_errmsg(struct sql *c)
{
	return sqlite3_errmsg(C(c)->db);
}

static void sq_close(struct sql *c)
{
	struct sq_conn *q = C(c);
	for (size_t i = 0; i < q->npc; i++)
		sqlite3_finalize(q->pc[i].st);
	sqlite3_close(q->db);
	free(q);
}

static bool sq_in_tx(struct sql *c)
{
	return !sqlite3_get_autocommit(C(c)->db);
}

/* One of the driver's own statements (BEGIN, COMMIT), stepped to its end. */
static int run(struct sq_conn *q, const char *sql, const char *what, struct lerr *e)
{
	struct sql_stmt *st;
	if (prepare(&q->base, sql, false, &st, e) < 0)
		return LERR_STORE;
	int rc = sqlite3_step(S(st));
	int r = rc == SQLITE_DONE
		    ? 0
		    : lerr_set(e, LERR_STORE, "store: %s: %s", what, sqlite3_errmsg(q->db));
	sq_release(st);
	return r;
}

/* No light stretch under way, nothing of one left (what was kept stays). */
static void light_off(struct sq_conn *q)
{
	q->light = q->taken = q->moved = false;
}

/* A read transaction: deferred, its snapshot taken by its first read. */
static int sq_read_begin(struct sql *c, struct lerr *e)
{
	light_off(C(c));
	return run(C(c), "BEGIN DEFERRED", "begin reading", e);
}

static void sq_read_end(struct sql *c)
{
	light_off(C(c));
	(void)run(C(c), "COMMIT", "end reading", NULL);
}

static void sq_read_light(struct sql *c)
{
	C(c)->light = true;
}

/* What was taken before the stretch's snapshot is not used (a cache found
 * cold, emptied): its snapshot need not be of that store. */
static void sq_read_light_forget(struct sql *c)
{
	C(c)->taken = false;
}

static void sq_light(struct sql_stmt *st)
{
	struct sq_stmt *s = (struct sq_stmt *)st;
	s->light = s->cached; /* its key lives on: kept_sql */
}

static bool sq_light_known(struct sql_stmt *st, char *answer, size_t n)
{
	struct sq_stmt *s = (struct sq_stmt *)st;
	struct sq_conn *q = C(st->c);
	/* and no snapshot open already (a statement of another stretch's left
	 * unreset), against which the next statement's check would prove nothing */
	if (!(q->light && s->light && q->kept && q->kept_sql == s->sql) ||
	    strlen(q->kept_answer) >= n || !wal_unchanged(q) ||
	    sqlite3_txn_state(q->db, "main") != SQLITE_TXN_NONE ||
	    now_ns() - q->kept_at > KEPT_FOR_NS)
		return false;
	q->light = false;
	q->taken = true;
	memcpy(answer, q->kept_answer, strlen(q->kept_answer) + 1);
	return true;
}

static bool sq_read_moved(struct sql *c)
{
	return C(c)->moved;
}

static const struct sql_driver sqlite_driver = {
    .prep = sq_prep,
    .prep_once = sq_prep_once,
    .reset = sq_reset,
    .ncols = sq_ncols,
    .col_name = sq_col_name,
    .type = sq_type,
    .release = sq_release,
    .bind_text = sq_bind_text,
    .bind_int = sq_bind_int,
    .bind_blob = sq_bind_blob,
    .step = sq_step,
    .is_null = sq_is_null,
    .text = sq_text,
    .int64 = sq_int64,
    .blob = sq_blob,
    .changes = sq_changes,
    .exec = sq_exec,
    .errmsg = sq_errmsg,
    .in_tx = sq_in_tx,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .read_light = sq_read_light,
    .read_light_forget = sq_read_light_forget,
    .light = sq_light,
    .light_known = sq_light_known,
    .read_moved = sq_read_moved,
    .close = sq_close,
};

/* Whether the connection's journal is a WAL (":memory:" keeps its own). */
static bool journal_is_wal(sqlite3 *db)
{
	sqlite3_stmt *st;
	bool wal = false;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		wal = m && strcmp(m, "wal") == 0;
	}
	sqlite3_finalize(st);
	return wal;
}

/*
 * SQLite's process-wide settings, once: no memory statistics (they take a
 * global mutex on every allocation, which serialises a daemon's threads).
 */
static void sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int sql_sqlite_open(const char *path, bool create, struct sql **out, struct lerr *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	*out = NULL;
	struct stat sb;
	if (!create && strcmp(path, ":memory:") != 0 && stat(path, &sb) != 0)
		return lerr_set(e, LERR_NOTFOUND, "store %s: no such file", path);
	struct sq_conn *q = calloc(1, sizeof *q);
	if (!q)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	q->base = (struct sql){&sqlite_driver, SQL_SQLITE};
	int flags =
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &q->db, flags, NULL) != SQLITE_OK) {
		lerr_set(e, LERR_STORE, "store %s: %s", path,
			 q->db ? sqlite3_errmsg(q->db) : "cannot open");
		sq_close(&q->base);
		return LERR_STORE;
	}
	sqlite3_extended_result_codes(q->db, 1);
	/* the busy timeout first: PRAGMA journal_mode itself can meet a lock (a
	 * writer's checkpoint), and without it would fail at once */
	sqlite3_busy_timeout(q->db, 5000);
	if (sq_exec(&q->base,
		    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
		    e) < 0) {
		lerr_prefix(e, "store %s", path);
		sq_close(&q->base);
		return LERR_STORE;
	}
	q->wal = journal_is_wal(q->db);
	*out = &q->base;
	return 0;
}
