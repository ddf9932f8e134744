/*
 * sql.h - the SQL engines behind one small interface (private to store/).
 *
 * The store (store_*.c, store_int.h) writes each query once, with ? placeholders, over these
 * calls; a driver runs it on its engine: SQLite (sql_sqlite.c, the
 * embedded default) or PostgreSQL through libpq (sql_pg.c). Where the two
 * differ in SQL (the schema's types, taking the write lock, a snapshot for
 * reads), the store asks the connection's dialect.
 *
 * A statement from sql_prep() is bound (1-based), stepped row by row, read
 * (0-based columns; what a column returns lives until the next step) and
 * given back with sql_release(). Bound values are copied.
 */
#ifndef LIAISON_STORE_SQL_H
#define LIAISON_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

enum sql_dialect { SQL_SQLITE, SQL_PG };

/* sql_step(): a row, the end, or an error (the message in sql_errmsg()) */
enum { SQL_ROW = 1, SQL_DONE = 0, SQL_ERROR = -1 };

/* sql_type(): a value's kind in the current row */
enum sql_type { SQL_NULL, SQL_INT, SQL_TEXT, SQL_BLOB };

struct sql;
struct sql_stmt;

struct sql_driver {
	int (*prep)(struct sql *c, const char *sql, struct sql_stmt **st, struct lerr *e);
	/* a statement made from text at run time: prepared for this use only */
	int (*prep_once)(struct sql *c, const char *sql, struct sql_stmt **st, struct lerr *e);
	void (*reset)(struct sql_stmt *st); /* to be bound and stepped again */
	int (*ncols)(struct sql_stmt *st);
	const char *(*col_name)(struct sql_stmt *st, int i);
	enum sql_type (*type)(struct sql_stmt *st, int i);
	void (*release)(struct sql_stmt *st);
	void (*bind_text)(struct sql_stmt *st, int i, const char *v); /* v NULL: NULL */
	void (*bind_int)(struct sql_stmt *st, int i, int64_t v);
	void (*bind_blob)(struct sql_stmt *st, int i, const void *p, size_t n);
	int (*step)(struct sql_stmt *st);
	bool (*is_null)(struct sql_stmt *st, int i);
	const char *(*text)(struct sql_stmt *st, int i); /* NULL when NULL */
	int64_t (*int64)(struct sql_stmt *st, int i);
	const void *(*blob)(struct sql_stmt *st, int i, size_t *n);
	/* the statement's columns are all blobs: fetched as bytes, not as text
	 * to decode (PostgreSQL's binary results; SQLite: nothing to do) */
	void (*blobs_only)(struct sql_stmt *st);
	int64_t (*changes)(struct sql *c); /* rows the last statement changed */
	int (*exec)(struct sql *c, const char *sql, struct lerr *e); /* statements; no rows */
	const char *(*errmsg)(struct sql *c);
	bool (*in_tx)(struct sql *c); /* a transaction is open */
	/* a read-only transaction (one snapshot) begun and ended (PostgreSQL's
	 * driver saves round trips: the BEGIN goes with the first statement,
	 * the COMMIT's answer is read when the connection is next used) */
	int (*read_begin)(struct sql *c, struct lerr *e);
	void (*read_end)(struct sql *c);
	/* A light stretch: one just begun whose first statement may be its
	 * light one (one without parameters: the store's generation), which
	 * may be answered without a transaction. PostgreSQL runs it alone,
	 * before the transaction, which then begins with the stretch's next
	 * statement only if there is one, and runs the light statement again
	 * after it; SQLite may not run it at all (light_known). When what the
	 * transaction finds differs, the stretch has moved (read_moved): what
	 * was read before it and what is read in it are not one snapshot, and
	 * whoever asked for the stretch must read again */
	void (*read_light)(struct sql *c);
	/* what the light statement read needs no check (a cache found cold) */
	void (*read_light_forget)(struct sql *c);
	void (*light)(struct sql_stmt *st);
	/* the light statement st, at a light stretch's start, taken as having
	 * answered `answer` (its columns as text, joined by |) without running
	 * here: another connection ran it after the stretch's question came,
	 * and the stretch's transaction, if any, checks it as it would its own
	 * (read_moved). false: not taken (not the stretch's first statement);
	 * step it. NULL where a statement costs no round trip (SQLite) */
	bool (*light_given)(struct sql_stmt *st, const char *answer);
	/* the light statement st, at a light stretch's start, known to answer
	 * as it did when it last ran first in one on this connection: nothing
	 * has been committed to the store since (SQLite: its WAL index's
	 * header is as it was then). Its answer, as light_given's, in answer;
	 * the stretch's next statement, if any, checks that its snapshot is
	 * still of that store (read_moved). false: not known; step it */
	bool (*light_known)(struct sql_stmt *st, char *answer, size_t n);
	bool (*read_moved)(struct sql *c);
	void (*close)(struct sql *c);
};

/* What every driver's connection and statement begin with. */
struct sql {
	const struct sql_driver *d;
	enum sql_dialect dialect;
};

struct sql_stmt {
	struct sql *c;
};

/* The drivers. where: a file path (SQLite, ":memory:" for scratch) or a
 * postgresql:// URL. */
int sql_sqlite_open(const char *path, bool create, struct sql **out, struct lerr *e);
int sql_pg_open(const char *url, struct sql **out, struct lerr *e);

static inline int sql_prep(struct sql *c, const char *sql, struct sql_stmt **st, struct lerr *e)
{
	return c->d->prep(c, sql, st, e);
}
static inline int sql_prep_once(struct sql *c, const char *sql, struct sql_stmt **st,
				struct lerr *e)
{
	return c->d->prep_once(c, sql, st, e);
}
static inline void sql_reset(struct sql_stmt *st)
{
	st->c->d->reset(st);
}
static inline int sql_ncols(struct sql_stmt *st)
{
	return st->c->d->ncols(st);
}
static inline const char *sql_col_name(struct sql_stmt *st, int i)
{
	return st->c->d->col_name(st, i);
}
static inline enum sql_type sql_type(struct sql_stmt *st, int i)
{
	return st->c->d->type(st, i);
}
static inline void sql_release(struct sql_stmt *st)
{
	st->c->d->release(st);
}
static inline void sql_bind_text(struct sql_stmt *st, int i, const char *v)
{
	st->c->d->bind_text(st, i, v);
}
static inline void sql_bind_int(struct sql_stmt *st, int i, int64_t v)
{
	st->c->d->bind_int(st, i, v);
}
static inline void sql_bind_blob(struct sql_stmt *st, int i, const void *p, size_t n)
{
	st->c->d->bind_blob(st, i, p, n);
}
static inline void sql_bind_null(struct sql_stmt *st, int i)
{
	st->c->d->bind_text(st, i, NULL);
}
static inline int sql_step(struct sql_stmt *st)
{
	return st->c->d->step(st);
}
static inline bool sql_is_null(struct sql_stmt *st, int i)
{
	return st->c->d->is_null(st, i);
}
static inline const char *sql_text(struct sql_stmt *st, int i)
{
	return st->c->d->text(st, i);
}
static inline int64_t sql_int(struct sql_stmt *st, int i)
{
	return st->c->d->int64(st, i);
}
static inline const void *sql_blob(struct sql_stmt *st, int i, size_t *n)
{
	return st->c->d->blob(st, i, n);
}
static inline void sql_blobs_only(struct sql_stmt *st)
{
	if (st->c->d->blobs_only)
		st->c->d->blobs_only(st);
}
static inline void sql_light(struct sql_stmt *st)
{
	if (st->c->d->light)
		st->c->d->light(st);
}
static inline bool sql_light_given(struct sql_stmt *st, const char *answer)
{
	return st->c->d->light_given && st->c->d->light_given(st, answer);
}
static inline bool sql_light_known(struct sql_stmt *st, char *answer, size_t n)
{
	return st->c->d->light_known && st->c->d->light_known(st, answer, n);
}
static inline int64_t sql_changes(struct sql *c)
{
	return c->d->changes(c);
}
static inline int sql_exec(struct sql *c, const char *sql, struct lerr *e)
{
	return c->d->exec(c, sql, e);
}
static inline const char *sql_errmsg(struct sql *c)
{
	return c->d->errmsg(c);
}
static inline bool sql_in_tx(struct sql *c)
{
	return c->d->in_tx(c);
}
static inline void sql_close(struct sql *c)
{
	if (c)
		c->d->close(c);
}

#endif
