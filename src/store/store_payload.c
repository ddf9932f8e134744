/* store_payload.c - payloads kept in the store, in chunks (see store.h). */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../crypto/fio.h"

bool store_in_transaction(struct store *s)
{
	return sql_in_tx(s->c);
}

bool store_keeps_payloads(const struct store *s)
{
	return s->c->dialect == SQL_PG;
}

/* The size of the whole payload `name`: 0, LERR_NOTFOUND or an engine error. */
static int payload_size(struct store *s, const char *name, uint64_t *size, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "SELECT size FROM payloads WHERE name = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, name, false);
	int rc = sql_step(st);
	if (rc == SQL_ROW)
		*size = (uint64_t)sql_int(st, 0);
	return db_read_end(s, st, rc, 0, "read a payload", e, "payload %s: not in the store", name);
}

static int payload_delete(struct store *s, const char *name, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "DELETE FROM payload_chunks WHERE name = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, name, false);
	if (db_step_done(s, st, "remove a payload", e) < 0)
		return LERR_STORE;
	if (db_prep(s, "DELETE FROM payloads WHERE name = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, name, false);
	return db_step_done(s, st, "remove a payload", e);
}

/* A payload made again at now (one an act names again): younger. *kept:
 * whether its row was still there (store gc may have removed it since). */
static int payload_touch(struct store *s, const char *name, int64_t now, bool *kept, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "UPDATE payloads SET made = CASE WHEN made < ? THEN ? ELSE made END"
		    " WHERE name = ?",
		    &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, now);
	sql_bind_int(st, 2, now);
	db_bind_text(st, 3, name, false);
	int r = db_step_done(s, st, "store a payload", e);
	*kept = r == 0 && sql_changes(s->c) == 1;
	return r;
}

/* fd's bytes from its offset, chunk by chunk, then the payload's row. */
static int chunks_write(struct store *s, const char *name, int fd, int64_t now, uint64_t *size,
			struct lerr *e)
{
	uint8_t *buf = malloc(STORE_CHUNK);
	struct sql_stmt *st = NULL;
	if (!buf)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	int r = db_prep(s,
			"INSERT INTO payload_chunks(name, seq, data) VALUES(?, ?, ?)"
			" ON CONFLICT DO NOTHING",
			&st, e) < 0
		    ? LERR_STORE
		    : 0;
	ssize_t got = 0;
	for (int64_t seq = 0; r == 0; seq++) {
		if ((got = fio_read_full(fd, buf, STORE_CHUNK)) < 0) {
			r = lerr_set(e, LERR_IO, "payload %s: cannot read: %s", name,
				     strerror(errno));
			break;
		}
		if (got == 0 && seq > 0)
			break;
		db_bind_text(st, 1, name, false);
		sql_bind_int(st, 2, seq);
		sql_bind_blob(st, 3, buf, (size_t)got);
		if (sql_step(st) != SQL_DONE)
			r = db_fail(s, e, "store a payload");
		sql_reset(st);
		*size += (uint64_t)got;
		if (got < STORE_CHUNK)
			break;
	}
	if (st)
		db_release(s, st);
	free(buf);
	if (r < 0)
		return r;
	if (db_prep(s,
		    "INSERT INTO payloads(name, size, made) VALUES(?, ?, ?) ON CONFLICT DO NOTHING",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, name, false);
	sql_bind_int(st, 2, (int64_t)*size);
	sql_bind_int(st, 3, now);
	return db_step_done(s, st, "store a payload", e);
}

int store_payload_put(struct store *s, const char *name, int fd, bool replace, int64_t now,
		      uint64_t *size, struct lerr *e)
{
	uint64_t had = 0, local = 0;
	if (!size)
		size = &local;
	*size = 0;
	bool own = !sql_in_tx(s->c);
	if (own && db_exec(s, "BEGIN", e) < 0)
		return LERR_STORE;
	bool kept = false;
	int r = payload_size(s, name, &had, NULL);
	/* whole already: a blob's name is its bytes' hash; made again, it is no
	 * orphan for store gc, unless gc removed it meanwhile: then written */
	if (r == 0 && !replace && (r = payload_touch(s, name, now, &kept, e)) == 0 && !kept)
		r = LERR_NOTFOUND;
	if (r == 0 && !replace)
		*size = had;
	else if (r == 0 || r == LERR_NOTFOUND)
		r = (r == 0 ? payload_delete(s, name, e) : 0) == 0
			? chunks_write(s, name, fd, now, size, e)
			: LERR_STORE;
	else
		r = db_fail(s, e, "read a payload");
	if (own && r == 0)
		r = db_exec(s, "COMMIT", e);
	if (own && r < 0)
		store_rollback(s);
	return r;
}

/* store_payload_get, in a transaction. */
static int payload_get(struct store *s, const char *name, int fd, uint64_t *size, struct lerr *e)
{
	uint64_t total = 0;
	int r = payload_size(s, name, &total, e);
	struct sql_stmt *st;
	if (r < 0)
		return r;
	if (db_prep(s, "SELECT data FROM payload_chunks WHERE name = ? AND seq = ?", &st, e) < 0)
		return LERR_STORE;
	sql_blobs_only(st);
	for (int64_t seq = 0; r == 0 && (seq == 0 || *size < total); seq++) {
		db_bind_text(st, 1, name, false);
		sql_bind_int(st, 2, seq);
		int rc = sql_step(st);
		size_t n = 0;
		const void *p = rc == SQL_ROW ? sql_blob(st, 0, &n) : NULL;
		if (rc != SQL_ROW && rc != SQL_DONE)
			r = db_fail(s, e, "read a payload");
		else if (rc == SQL_DONE || (!p && n) || *size + n > total)
			r = lerr_set(e, LERR_STORE, "payload %s: chunk %lld is %s", name,
				     (long long)seq, rc == SQL_DONE ? "missing" : "damaged");
		else if (n && fio_write_full(fd, p, n) < 0)
			r = lerr_set(e, LERR_IO, "payload %s: cannot write it out: %s", name,
				     strerror(errno));
		else
			*size += n;
		sql_reset(st);
		if (r == 0 && n == 0 && *size < total)
			r = lerr_set(e, LERR_STORE, "payload %s: chunk %lld is empty", name,
				     (long long)seq);
	}
	db_release(s, st);
	return r;
}

int store_payload_get(struct store *s, const char *name, int fd, uint64_t *size, struct lerr *e)
{
	uint64_t local;
	if (!size)
		size = &local;
	*size = 0;
	/* one snapshot: a key file replaced meanwhile is read whole, old or new */
	bool own = !sql_in_tx(s->c);
	if (own && store_read_begin(s, e) < 0)
		return LERR_STORE;
	int r = payload_get(s, name, fd, size, e);
	if (own)
		store_read_end(s);
	return r;
}

int store_payload_in_use(struct store *s, const char *name, struct lerr *e)
{
	struct sql_stmt *st;
	/* blobs/HASH.lsn: items(blob) = HASH; outbox/ID: outbox(id) = ID (both indexed) */
	char blob[STORE_PAYLOAD_NAME] = "", msg[STORE_PAYLOAD_NAME] = "";
	size_t n = strlen(name);
	if (strncmp(name, "blobs/", 6) == 0 && n > 10 && strcmp(name + n - 4, ".lsn") == 0)
		snprintf(blob, sizeof blob, "%.*s", (int)(n - 10), name + 6);
	else if (strncmp(name, "outbox/", 7) == 0)
		snprintf(msg, sizeof msg, "%s", name + 7);
	if (db_prep(s,
		    "SELECT CASE WHEN EXISTS(SELECT 1 FROM items WHERE blob = ?"
		    " AND destroyed_on IS NULL) OR EXISTS(SELECT 1 FROM outbox WHERE id = ?"
		    " AND state = 0 AND body IS NULL) THEN 1 ELSE 0 END",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, blob, false);
	db_bind_text(st, 2, msg, false);
	int rc = sql_step(st), used = rc == SQL_ROW ? (int)sql_int(st, 0) : 0;
	int r = db_read_end(s, st, rc, 0, "read a payload's rows", e, "no answer");
	return r < 0 ? r : used;
}

int store_payload_remove_older(struct store *s, const char *name, int64_t cutoff, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "DELETE FROM payloads WHERE name = ? AND made <= ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, name, false);
	sql_bind_int(st, 2, cutoff);
	if (db_step_done(s, st, "remove a payload", e) < 0)
		return LERR_STORE;
	if (sql_changes(s->c) != 1)
		return 0; /* made again since, or gone */
	if (db_prep(s, "DELETE FROM payload_chunks WHERE name = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, name, false);
	return db_step_done(s, st, "remove a payload", e) < 0 ? LERR_STORE : 1;
}

int store_payload_remove(struct store *s, const char *name, struct lerr *e)
{
	bool own = !sql_in_tx(s->c);
	if (own && db_exec(s, "BEGIN", e) < 0)
		return LERR_STORE;
	int r = payload_delete(s, name, e);
	if (own && r == 0)
		r = db_exec(s, "COMMIT", e);
	if (own && r < 0)
		store_rollback(s);
	return r;
}

int store_payloads(struct store *s, const char *prefix, struct store_payload **out, size_t *n,
		   struct lerr *e)
{
	struct sql_stmt *st;
	struct store_payload *v = NULL;
	size_t nv = 0;
	*out = NULL;
	*n = 0;
	if (db_prep(s,
		    "SELECT name, size, made FROM payloads WHERE substr(name, 1, length(?)) = ?"
		    " ORDER BY name",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, prefix, false);
	db_bind_text(st, 2, prefix, false);
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		struct store_payload *p = db_grow((void **)&v, &nv, sizeof *v);
		if (!p) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		db_col_copy(st, 0, p->name, sizeof p->name);
		p->size = (uint64_t)sql_int(st, 1);
		p->made = sql_int(st, 2);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(s, e, "list payloads");
	db_release(s, st);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = nv;
	return 0;
}
