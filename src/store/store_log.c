/* store_log.c - the transparency log (entries, subtree hashes, witnessed checkpoints)
 * and people's bearer tokens. */
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the transparency log ---- */

int store_log_size(struct store *s, uint64_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "SELECT coalesce(max(idx) + 1, 0) FROM log_entries", &st, e) < 0)
		return LERR_STORE;
	int rc = sql_step(st);
	*n = rc == SQL_ROW ? (uint64_t)sql_int(st, 0) : 0;
	db_release(s, st);
	return rc == SQL_ROW ? 0 : db_fail(s, e, "log size");
}

int store_log_entry_add(struct store *s, uint64_t index, const void *data, size_t len,
			struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "INSERT INTO log_entries(idx, data) VALUES(?, ?)", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, (int64_t)index);
	sql_bind_blob(st, 2, data, len);
	int rc = sql_step(st);
	db_release(s, st);
	return rc == SQL_DONE ? 0 : db_fail(s, e, "append log entry");
}

int store_log_entry_get(struct store *s, uint64_t index, char **data, size_t *len, struct lerr *e)
{
	struct sql_stmt *st;
	*data = NULL;
	*len = 0;
	if (db_prep(s, "SELECT data FROM log_entries WHERE idx = ?", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, (int64_t)index);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		size_t n = 0;
		const void *v = sql_blob(st, 0, &n);
		*data = malloc(n + 1);
		if (!*data)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
		else {
			if (n)
				memcpy(*data, v, n);
			(*data)[n] = '\0';
			*len = n;
		}
	}
	return db_read_end(s, st, rc, r, "read log entry", e, "no log entry %llu",
			   (unsigned long long)index);
}

int store_log_hash_put(struct store *s, unsigned level, uint64_t index, const uint8_t hash[32],
		       struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "INSERT INTO log_hashes(level, idx, hash) VALUES(?, ?, ?)", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, (int)level);
	sql_bind_int(st, 2, (int64_t)index);
	sql_bind_blob(st, 3, hash, (size_t)(32));
	int rc = sql_step(st);
	db_release(s, st);
	return rc == SQL_DONE ? 0 : db_fail(s, e, "store log hash");
}

int store_log_hash_get(struct store *s, unsigned level, uint64_t index, uint8_t hash[32],
		       struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "SELECT hash FROM log_hashes WHERE level = ? AND idx = ?", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, (int)level);
	sql_bind_int(st, 2, (int64_t)index);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW && db_col_blob(st, 0, hash, 32))
		;
	else if (rc == SQL_ROW || rc == SQL_DONE)
		r = lerr_set(e, LERR_STORE, "store: log hash (%u, %llu) is missing or damaged",
			     level, (unsigned long long)index);
	else
		r = db_fail(s, e, "read log hash");
	db_release(s, st);
	return r;
}

int store_witness_put(struct store *s, const char *origin, uint64_t size, const char *note,
		      const char *on, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO log_witnessed(origin, size, note, seen_on) VALUES(?, ?, ?, ?)"
		    " ON CONFLICT(origin, size) DO NOTHING",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, origin, false);
	sql_bind_int(st, 2, (int64_t)size);
	db_bind_text(st, 3, note, false);
	db_bind_text(st, 4, on, false);
	return db_step_done(s, st, "store checkpoint", e);
}

/* The note of origin kept for size, or (size UINT64_MAX) the largest kept. */
static int witness_note(struct store *s, const char *origin, uint64_t size, char **note,
			struct lerr *e)
{
	struct sql_stmt *st;
	const bool latest = size == UINT64_MAX;
	*note = NULL;
	if (db_prep(s,
		    latest ? "SELECT note FROM log_witnessed WHERE origin = ? ORDER BY size DESC"
			     " LIMIT 1"
			   : "SELECT note FROM log_witnessed WHERE origin = ? AND size = ?",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, origin, false);
	if (!latest)
		sql_bind_int(st, 2, (int64_t)size);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		*note = strdup(db_col_str(st, 0));
		if (!*note)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
	}
	return db_read_end(s, st, rc, r, "read checkpoint", e, "no checkpoint of %.128s seen yet",
			   origin);
}

int store_witness_latest(struct store *s, const char *origin, char **note, struct lerr *e)
{
	return witness_note(s, origin, UINT64_MAX, note, e);
}

int store_witness_at(struct store *s, const char *origin, uint64_t size, char **note,
		     struct lerr *e)
{
	return size == UINT64_MAX ? lerr_set(e, LERR_NOTFOUND, "no such size")
				  : witness_note(s, origin, size, note, e);
}

/* A light statement's answer for the generation, "n|server", read back. */
static bool gen_parse(const char *a, struct store_gen *gen)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(a, &end, 10);
	if (end == a || *end != '|' || errno)
		return false;
	const char *b = end + 1;
	long long server = strtoll(b, &end, 10);
	if (end == b || *end || errno)
		return false;
	*gen = (struct store_gen){(uint64_t)n, (int64_t)server};
	return true;
}

int store_generation(struct store *s, struct store_gen *gen, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(
		s,
		s->c->dialect == SQL_PG
		    ? "SELECT n, (extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint"
		      " FROM store_generation"
		    : "SELECT n, 0 FROM store_generation",
		&st, e) < 0)
		return LERR_STORE;
	sql_light(st);	/* a light stretch's one statement, when its cache is warm */
	if (s->given) { /* read for this stretch on another connection */
		char answer[48];
		s->given = false;
		snprintf(answer, sizeof answer, "%" PRIu64 "|%" PRId64, s->given_gen.n,
			 s->given_gen.server);
		if (sql_light_given(st, answer)) {
			*gen = s->given_gen;
			db_release(s, st);
			return 0;
		}
	}
	/* nothing committed since it was last read here (SQLite) */
	char known[48];
	if (sql_light_known(st, known, sizeof known) && gen_parse(known, gen)) {
		s->known = true;
		db_release(s, st);
		return 0;
	}
	int rc = sql_step(st);
	gen->n = rc == SQL_ROW ? (uint64_t)sql_int(st, 0) : 0;
	gen->server = rc == SQL_ROW ? sql_int(st, 1) : 0;
	return db_read_end(s, st, rc, 0, "read the generation", e, "store: no generation");
}

/* ---- bearer tokens ---- */

int store_token_put(struct store *s, const struct store_token *t, const uint8_t hash[32],
		    struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO tokens(id, person, hash, issued_on, expires_on, read_only)"
		    " VALUES(?, ?, ?, ?, ?, ?)",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, t->id, false);
	db_bind_text(st, 2, t->person, false);
	sql_bind_blob(st, 3, hash, (size_t)(32));
	db_bind_text(st, 4, t->issued_on, false);
	db_bind_text(st, 5, t->expires_on, true);
	sql_bind_int(st, 6, t->read_only);
	return db_step_done(s, st, "store token", e);
}

/* The columns token_row reads, in its order. */
#define TOKEN_COLUMNS "id, person, issued_on, revoked_on, expires_on, last_used, read_only"

static void token_row(struct sql_stmt *st, struct store_token *t)
{
	memset(t, 0, sizeof *t);
	db_col_copy(st, 0, t->id, sizeof t->id);
	db_col_copy(st, 1, t->person, sizeof t->person);
	db_col_copy(st, 2, t->issued_on, sizeof t->issued_on);
	db_col_copy(st, 3, t->revoked_on, sizeof t->revoked_on);
	db_col_copy(st, 4, t->expires_on, sizeof t->expires_on);
	db_col_copy(st, 5, t->last_used, sizeof t->last_used);
	t->read_only = sql_int(st, 6) != 0;
}

int store_token_find(struct store *s, const uint8_t hash[32], struct store_token *t, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "SELECT " TOKEN_COLUMNS ", hash FROM tokens WHERE hash = ?", &st, e) < 0)
		return LERR_STORE;
	sql_bind_blob(st, 1, hash, (size_t)(32));
	int rc = sql_step(st), r = 0;
	uint8_t got[32];
	if (rc == SQL_ROW && db_col_blob(st, 7, got, 32) && sodium_memcmp(got, hash, 32) == 0)
		token_row(st, t);
	else if (rc == SQL_ROW || rc == SQL_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "unknown token");
	else
		r = db_fail(s, e, "read token");
	db_release(s, st);
	return r;
}

int store_token_get(struct store *s, const char *id, struct store_token *t, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "SELECT " TOKEN_COLUMNS " FROM tokens WHERE id = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, id, false);
	int rc = sql_step(st);
	if (rc == SQL_ROW)
		token_row(st, t);
	return db_read_end(s, st, rc, 0, "read token", e, "unknown token %.40s", id);
}

int store_token_list(struct store *s, const char *person, struct store_token **out, size_t *n,
		     struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (db_prep(s,
		    "SELECT " TOKEN_COLUMNS " FROM tokens WHERE person = ? ORDER BY issued_on, id",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, person, false);
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		struct store_token *t = db_grow((void **)out, n, sizeof *t);
		if (!t) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		token_row(st, t);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(s, e, "list tokens");
	db_release(s, st);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int store_token_revoke(struct store *s, const char *id, const char *on, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "UPDATE tokens SET revoked_on = ? WHERE id = ? AND revoked_on IS NULL", &st,
		    e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, on, false);
	db_bind_text(st, 2, id, false);
	return db_step_change(s, st, "revoke token", e, LERR_NOTFOUND,
			      "no token %.64s that is not revoked already", id);
}

int store_token_used(struct store *s, const char *id, const char *on, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "UPDATE tokens SET last_used = ? WHERE id = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, on, false);
	db_bind_text(st, 2, id, false);
	return db_step_done(s, st, "record a token's use", e);
}
