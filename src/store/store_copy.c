/* store_copy.c - a store copied whole into another (store migrate). */
#include "store_int.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- copying a store (store migrate) ---- */

/* Every table, each after those it refers to. */
static const char *const copy_tables[] = {"meta",
					  "parties",
					  "levels",
					  "party_words",
					  "agreements",
					  "agreement_parties",
					  "equivalences",
					  "agreement_events",
					  "people",
					  "person_ntk",
					  "clearances",
					  "party_keys",
					  "retired_keys",
					  "items",
					  "releases",
					  "consents",
					  "export_regimes",
					  "export_group_defs",
					  "export_groups",
					  "export_entries",
					  "export_measures",
					  "export_measure_entries",
					  "export_licences",
					  "announcements",
					  "sources",
					  "log_entries",
					  "log_hashes",
					  "log_witnessed",
					  "tokens",
					  "peers",
					  "outbox",
					  "inbox",
					  "peer_nonces",
					  "reports"};

/* PostgreSQL's identity columns: their sequences go on after the rows copied. */
static const char *const copy_identities[][2] = {
    {"agreement_events", "id"}, {"releases", "id"},	{"export_groups", "id"},
    {"export_measures", "id"},	{"log_entries", "idx"}, {"outbox", "seq"},
    {"announcements", "id"}};

/* One table's rows, value by value with their kinds, from a to b. */
static int copy_table(struct store *a, struct store *b, const char *table, uint64_t *rows,
		      struct lerr *e)
{
	char sql[1024];
	struct sql_stmt *from, *to = NULL;
	snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
	if (sql_prep_once(a->c, sql, &from, e) < 0)
		return LERR_STORE;
	int rc, r = 0;
	while (r == 0 && (rc = sql_step(from)) == SQL_ROW) {
		int n = sql_ncols(from);
		if (!to) { /* INSERT INTO t(c1, c2...) VALUES(?, ?...) */
			size_t k = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s(", table);
			for (int i = 0; i < n && k < sizeof sql; i++)
				k += (size_t)snprintf(sql + k, sizeof sql - k, "%s%s",
						      i ? ", " : "", sql_col_name(from, i));
			for (int i = 0; i < n && k < sizeof sql; i++)
				k += (size_t)snprintf(sql + k, sizeof sql - k, "%s",
						      i ? ", ?" : ") VALUES(?");
			if (k + 2 >= sizeof sql) {
				r = lerr_set(e, LERR_LIMIT, "store: copy of %s: too many columns",
					     table);
				break;
			}
			memcpy(sql + k, ")", 2);
			if ((r = sql_prep_once(b->c, sql, &to, e)) < 0)
				break;
		}
		for (int i = 0; i < n; i++) {
			size_t len;
			const void *p;
			switch (sql_type(from, i)) {
			case SQL_NULL:
				sql_bind_null(to, i + 1);
				break;
			case SQL_INT:
				sql_bind_int(to, i + 1, sql_int(from, i));
				break;
			case SQL_BLOB:
				p = sql_blob(from, i, &len);
				sql_bind_blob(to, i + 1, p ? p : "", p ? len : 0);
				break;
			case SQL_TEXT:
				sql_bind_text(to, i + 1, sql_text(from, i));
				break;
			}
		}
		if (sql_step(to) != SQL_DONE)
			r = lerr_set(e, LERR_STORE, "store: copy of %s: %s", table,
				     sql_errmsg(b->c));
		else
			(*rows)++;
		sql_reset(to); /* the next row: the same statement, bound afresh */
	}
	if (r == 0 && rc != SQL_DONE)
		r = lerr_set(e, LERR_STORE, "store: copy of %s: %s", table, sql_errmsg(a->c));
	if (to)
		sql_release(to);
	sql_release(from);
	return r;
}

/* Every row of src into dst, in one transaction on each: on src the store's
 * write lock (a move: nothing changes meanwhile), or with `snapshot` a
 * PostgreSQL read-only snapshot, which takes no lock (a backup: the
 * daemons go on writing, the copy is of one moment). */
static int copy_all(struct store *src, struct store *dst, bool snapshot, uint64_t *rows,
		    struct lerr *e)
{
	struct store *a = src, *b = dst;
	char held[STORE_META_MAX];
	*rows = 0;
	if (store_meta_get(dst, "party", held, sizeof held, NULL) == 0)
		return lerr_set(e, LERR_EXISTS, "the store copied to already holds the node of %s",
				held);
	int r = snapshot ? db_exec(src, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", e)
			 : store_begin(src, e);
	if (r < 0)
		return r;
	if ((r = store_begin(dst, e)) < 0) {
		store_rollback(src);
		return r;
	}
	for (size_t i = 0; r == 0 && i < sizeof copy_tables / sizeof *copy_tables; i++)
		r = copy_table(a, b, copy_tables[i], rows, e);
	for (size_t i = 0; r == 0 && b->c->dialect == SQL_PG &&
			   i < sizeof copy_identities / sizeof *copy_identities;
	     i++) {
		char sql[256];
		snprintf(
		    sql, sizeof sql,
		    "SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), 0) + 1,"
		    " false) FROM %s",
		    copy_identities[i][0], copy_identities[i][1], copy_identities[i][1],
		    copy_identities[i][0]);
		r = db_exec(b, sql, e);
	}
	if (r == 0)
		r = store_commit(dst, e);
	else
		store_rollback(dst);
	store_rollback(src); /* it only read */
	return r;
}

int store_copy(struct store *src, struct store *dst, uint64_t *rows, struct lerr *e)
{
	return copy_all(src, dst, false, rows, e);
}

int store_backup(struct store *s, const char *path, struct lerr *e)
{
	if (s->c->dialect == SQL_PG) { /* into a SQLite store, from one snapshot */
		struct store *d;
		uint64_t rows;
		int r = store_open(path, true, &d, e);
		if (r == 0) {
			r = copy_all(s, d, true, &rows, e);
			store_close(d);
		}
		return r;
	}
	struct sql_stmt *st;
	if (db_prep(s, "VACUUM INTO ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, path, false);
	return db_step_done(s, st, "back up", e);
}

int store_blob_names(struct store *s, char (**out)[STORE_BLOB_NAME], size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "SELECT blob FROM items WHERE destroyed_on IS NULL ORDER BY seq", &st, e) <
	    0)
		return LERR_STORE;
	return db_collect(s, st, STORE_BLOB_NAME, (void **)out, n, "list blobs", e);
}

int store_outbox_pending_ids(struct store *s, char (**out)[MSG_ID_MAX], size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "SELECT id FROM outbox WHERE state = 0 AND body IS NULL ORDER BY id", &st,
		    e) < 0)
		return LERR_STORE;
	return db_collect(s, st, MSG_ID_MAX, (void **)out, n, "list the outbox", e);
}
