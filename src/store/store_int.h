/*
 * store_int.h - the store's insides, private to store/: the handle, and the
 * helpers its files share over sql.h (the one seam between engines:
 * SQLite and PostgreSQL).
 *
 * The store is written once, over SQL, in files along its own sections:
 * store_schema.c (the schema, its migrations, opening, transactions,
 * settings), store_agreements.c (parties, agreements, their events, people,
 * party keys), store_items.c (items, releases, consents), store_export.c
 * (export regimes, licences, the record's sources and announcements),
 * store_log.c (the transparency log, witnessed checkpoints, tokens),
 * store_federation.c (peers, the outbox, the inbox, request nonces) and
 * store_copy.c (a store copied whole into another, store migrate).
 */
#ifndef LIAISON_STORE_INT_H
#define LIAISON_STORE_INT_H

#include "sql.h"
#include "store.h"

struct store {
	struct sql *c;
	int version;  /* the schema version */
	bool writing; /* inside store_begin's transaction (store_writing) */
	/* store_generation_given: what the light stretch's generation read
	 * answers, read by another connection (given: until it is asked) */
	bool given;
	struct store_gen given_gen;
	/* this stretch's generation known without a read (sql_light_known) */
	bool known;
};

/* The store over SQL: a SQLite file or a postgresql:// URL (store_schema.c). */
int store_sql_open(const char *where, bool create, struct store **out, struct lerr *e);

/* Sets e to "store: what: the engine's message"; returns LERR_STORE. */
int db_fail(struct store *q, struct lerr *e, const char *what);

/* A prepared statement for sql (a string literal: its address is the key;
 * the driver parses it once per connection). Give it back with db_release. */
int db_prep(struct store *q, const char *sql, struct sql_stmt **st, struct lerr *e);
void db_release(struct store *q, struct sql_stmt *st);
/* Runs sql (no rows). */
int db_exec(struct store *q, const char *sql, struct lerr *e);

/* Binds v at i (NULL, or "" when empty_null, as SQL NULL). */
void db_bind_text(struct sql_stmt *st, int i, const char *v, bool empty_null);
/* Column i copied into dst (n bytes; "" when NULL); false when cut. */
bool db_col_copy(struct sql_stmt *st, int i, char *dst, size_t n);
/* Column i as text, "" when NULL. */
const char *db_col_str(struct sql_stmt *st, int i);
/* Column i, a blob of exactly n bytes, into dst. */
bool db_col_blob(struct sql_stmt *st, int i, void *dst, size_t n);
/* Binds from at i and to at i + 1 (to: NULL when DATE_MAX). */
void db_bind_span(struct sql_stmt *st, int i, date_t from, date_t to);
/* Columns i and i + 1 as from and to (NULL to: DATE_MAX); false when damaged. */
bool db_col_span(struct sql_stmt *st, int i, date_t *from, date_t *to);

/* Steps a statement that returns no row, and releases it. */
int db_step_done(struct store *q, struct sql_stmt *st, const char *what, struct lerr *e);
/*
 * Steps a statement that changes a row by its key (no row returned) and
 * releases it. No row changed: code with the formatted message.
 */
int db_step_change(struct store *q, struct sql_stmt *st, const char *what, struct lerr *e, int code,
		   const char *none, ...) __attribute__((format(printf, 6, 7)));
/* Steps a statement returning one id (RETURNING), into *id, and releases it. */
int db_step_id(struct store *q, struct sql_stmt *st, int64_t *id, const char *what, struct lerr *e);
/*
 * Ends the read of at most one row: rc is what sql_step answered, r what
 * reading the row gave. No row: LERR_NOTFOUND with the formatted message;
 * an engine error: "store: what: ...". Releases st; returns the outcome.
 */
int db_read_end(struct store *q, struct sql_stmt *st, int rc, int r, const char *what,
		struct lerr *e, const char *missing, ...) __attribute__((format(printf, 7, 8)));
/* Whether sql (two ? bound to a and b) has a row: 1, 0, or an error. */
int db_has_row(struct store *q, const char *sql, const char *a, const char *b, const char *what,
	       struct lerr *e);
/* Runs sql (one ? bound to id), a DELETE. */
int db_delete_for(struct store *q, const char *sql, const char *id, struct lerr *e);

/* Grows *v (of *n elements of size sz) by one zeroed element; NULL when out of memory. */
void *db_grow(void **v, size_t *n, size_t sz);

/*
 * Runs st (one text bound first by the caller) and collects its first
 * column, each cut to width bytes, into a new array *out (free() it) of *n.
 * LERR_NOMEM, or the engine's error naming what.
 */
int db_collect(struct store *q, struct sql_stmt *st, size_t width, void **out, size_t *n,
	       const char *what, struct lerr *e);

#endif
