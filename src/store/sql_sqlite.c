/*
 * sql_sqlite.c - the SQLite driver (sql.h): one database file in WAL mode
 * with synchronous=FULL (an acknowledged commit survives a crash or power
 * loss), foreign keys on; each statement prepared once per connection.
 */
#include "sql.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SQ_PCACHE 112

struct sq_stmt {
	struct sql_stmt base;
	const char *sql; /* the key: the literal's address */
	sqlite3_stmt *st;
	bool busy, cached;
};

struct sq_conn {
	struct sql base;
	sqlite3 *db;
	struct sq_stmt pc[SQ_PCACHE];
	size_t npc;
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
	*s = (struct sq_stmt){{c}, sql, s->st, true, cached};
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

static int sq_step(struct sql_stmt *st)
{
	int rc = sqlite3_step(S(st));
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

static int sq_exec(struct sql *c, const char *sql, struct lerr *e)
{
	char *msg = NULL;
	if (sqlite3_exec(C(c)->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		lerr_set(e, LERR_STORE, "store: %s", msg ? msg : sqlite3_errmsg(C(c)->db));
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
    .close = sq_close,
};

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
	*out = &q->base;
	return 0;
}
