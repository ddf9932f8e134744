/* store_db.c - the helpers the store's files share over sql.h (store_int.h). */
#include "store_int.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void db_bind_span(struct sql_stmt *st, int i, date_t from, date_t to)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	db_bind_text(st, i, date_format(from, d1), false);
	db_bind_text(st, i + 1, to == DATE_MAX ? "" : date_format(to, d2), true);
}

/* Reads columns i, i+1 (valid_from, valid_to or NULL); false when damaged. */
bool db_col_span(struct sql_stmt *st, int i, date_t *from, date_t *to)
{
	const char *f = sql_text(st, i);
	const char *t = sql_text(st, i + 1);
	*to = DATE_MAX;
	return f && date_parse(f, from, NULL) == 0 && (!t || date_parse(t, to, NULL) == 0);
}

int db_collect(struct store *q, struct sql_stmt *st, size_t width, void **out, size_t *n,
	       const char *what, struct lerr *e)
{
	char *v = NULL;
	size_t nv = 0;
	int rc, r = 0;
	*out = NULL;
	*n = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		char *m = db_grow((void **)&v, &nv, width);
		if (!m) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		db_col_copy(st, 0, m, width);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(q, e, what);
	db_release(q, st);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = nv;
	return 0;
}

/* Grows *v (of *n elements of size sz) by one zeroed element; NULL when out of memory. */
void *db_grow(void **v, size_t *n, size_t sz)
{
	char *m = realloc(*v, (*n + 1) * sz);
	if (!m)
		return NULL;
	*v = m;
	memset(m + *n * sz, 0, sz);
	return m + (*n)++ * sz;
}

/* Runs a one-parameter DELETE for agreement id. */
int db_delete_for(struct store *q, const char *sql, const char *id, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(q, sql, &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, id, false);
	return db_step_done(q, st, "replace agreement", e);
}

int db_has_row(struct store *q, const char *sql, const char *a, const char *b, const char *what,
	       struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(q, sql, &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, a, false);
	db_bind_text(st, 2, b, false);
	int rc = sql_step(st);
	db_release(q, st);
	if (rc == SQL_ROW)
		return 1;
	return rc == SQL_DONE ? 0 : db_fail(q, e, what);
}

int db_fail(struct store *q, struct lerr *e, const char *what)
{
	return lerr_set(e, LERR_STORE, "store: %s: %s", what, sql_errmsg(q->c));
}

/*
 * A prepared statement for sql (a string literal: its address is the key;
 * the driver parses it once per connection). Give it back with db_release().
 */
int db_prep(struct store *q, const char *sql, struct sql_stmt **st, struct lerr *e)
{
	return sql_prep(q->c, sql, st, e);
}

void db_release(struct store *q, struct sql_stmt *st)
{
	(void)q;
	sql_release(st);
}

int db_exec(struct store *q, const char *sql, struct lerr *e)
{
	return sql_exec(q->c, sql, e);
}

/* Binds text or NULL (for an empty string when empty_null). */
void db_bind_text(struct sql_stmt *st, int i, const char *v, bool empty_null)
{
	sql_bind_text(st, i, empty_null && v[0] == '\0' ? NULL : v);
}

/* Copies column i (text) into dst; false if NULL-free text did not fit. */
bool db_col_copy(struct sql_stmt *st, int i, char *dst, size_t n)
{
	const char *v = sql_text(st, i);
	return str_copy(dst, n, v ? v : "");
}

/* Column i as text, "" when NULL. */
const char *db_col_str(struct sql_stmt *st, int i)
{
	const char *v = sql_text(st, i);
	return v ? v : "";
}

/* Column i as a blob of exactly n bytes copied into dst; false otherwise. */
bool db_col_blob(struct sql_stmt *st, int i, void *dst, size_t n)
{
	size_t got = 0;
	const void *v = sql_blob(st, i, &got);
	if (!v || got != n)
		return false;
	memcpy(dst, v, n);
	return true;
}

/* Steps a statement that returns no row, then gives it back. */
int db_step_done(struct store *q, struct sql_stmt *st, const char *what, struct lerr *e)
{
	int rc = sql_step(st);
	int r = rc == SQL_DONE ? 0 : db_fail(q, e, what);
	db_release(q, st);
	return r;
}

int db_read_end(struct store *q, struct sql_stmt *st, int rc, int r, const char *what,
		struct lerr *e, const char *missing, ...)
{
	if (rc == SQL_DONE) {
		va_list ap;
		va_start(ap, missing);
		r = lerr_vset(e, LERR_NOTFOUND, missing, ap);
		va_end(ap);
	} else if (rc != SQL_ROW)
		r = db_fail(q, e, what);
	db_release(q, st);
	return r;
}

int db_step_change(struct store *q, struct sql_stmt *st, const char *what, struct lerr *e, int code,
		   const char *none, ...)
{
	int r = db_step_done(q, st, what, e);
	if (r == 0 && sql_changes(q->c) == 0) {
		va_list ap;
		va_start(ap, none);
		r = lerr_vset(e, code, none, ap);
		va_end(ap);
	}
	return r;
}

/*
 * Steps an INSERT ... RETURNING of one integer (a new row's id) into *id,
 * then gives the statement back.
 */
int db_step_id(struct store *q, struct sql_stmt *st, int64_t *id, const char *what, struct lerr *e)
{
	int rc = sql_step(st);
	if (rc == SQL_ROW) {
		*id = sql_int(st, 0);
		rc = sql_step(st);
	}
	int r = rc == SQL_DONE ? 0 : db_fail(q, e, what);
	db_release(q, st);
	return r;
}
