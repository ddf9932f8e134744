/* store_federation.c - peers, the outbox and its claims, the inbox, request nonces. */
#include "store_int.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- federation ---- */

int store_peer_put(struct store *s, const struct store_peer *p, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO peers(party, url, added_on, envelope_version) VALUES(?, ?, ?, ?)"
		    " ON CONFLICT(party) DO UPDATE SET url = excluded.url,"
		    " envelope_version = excluded.envelope_version",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, p->party, false);
	db_bind_text(st, 2, p->url, false);
	db_bind_text(st, 3, p->added_on, false);
	sql_bind_int(st, 4, p->envelope_version);
	return db_step_done(s, st, "store peer", e);
}

#define PEER_COLS                                                                                  \
	"party, url, added_on, witnessed_size, witnessed_at, witness_error, alarm, "               \
	"envelope_version"

static void peer_row(struct sql_stmt *st, struct store_peer *p)
{
	db_col_copy(st, 0, p->party, sizeof p->party);
	db_col_copy(st, 1, p->url, sizeof p->url);
	db_col_copy(st, 2, p->added_on, sizeof p->added_on);
	p->witnessed = !sql_is_null(st, 3);
	p->witnessed_size = (uint64_t)sql_int(st, 3);
	p->witnessed_at = sql_int(st, 4);
	db_col_copy(st, 5, p->witness_error, sizeof p->witness_error);
	db_col_copy(st, 6, p->alarm, sizeof p->alarm);
	p->envelope_version = (int)sql_int(st, 7);
}

int store_peer_status(struct store *s, const struct store_peer *p, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "UPDATE peers SET witnessed_size = ?, witnessed_at = ?, witness_error = ?,"
		    " alarm = ? WHERE party = ?",
		    &st, e) < 0)
		return LERR_STORE;
	if (p->witnessed) {
		sql_bind_int(st, 1, (int64_t)p->witnessed_size);
		sql_bind_int(st, 2, p->witnessed_at);
	} else {
		sql_bind_null(st, 1);
		sql_bind_null(st, 2);
	}
	db_bind_text(st, 3, p->witness_error, true);
	db_bind_text(st, 4, p->alarm, true);
	db_bind_text(st, 5, p->party, false);
	return db_step_change(s, st, "peer status", e, LERR_NOTFOUND,
			      "%.32s is not a peer of this node", p->party);
}

int store_peer_get(struct store *s, const char *party, struct store_peer *p, struct lerr *e)
{
	struct sql_stmt *st;
	memset(p, 0, sizeof *p);
	if (db_prep(s, "SELECT " PEER_COLS " FROM peers WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, party, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW)
		peer_row(st, p);
	return db_read_end(s, st, rc, r, "read peer", e,
			   "%.32s is not a peer of this node (liaison peer add)", party);
}

int store_peer_list(struct store *s, struct store_peer **out, size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (db_prep(s, "SELECT " PEER_COLS " FROM peers ORDER BY party", &st, e) < 0)
		return LERR_STORE;
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		struct store_peer *p = db_grow((void **)out, n, sizeof *p);
		if (!p) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		memset(p, 0, sizeof *p);
		peer_row(st, p);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(s, e, "list peers");
	db_release(s, st);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int store_peer_remove(struct store *s, const char *party, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "DELETE FROM peers WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, party, false);
	return db_step_change(s, st, "remove peer", e, LERR_NOTFOUND,
			      "%.32s is not a peer of this node", party);
}

/* ---- compromise reports received ---- */

int store_report_add(struct store *s, const struct store_report *r, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO reports(id, item, from_party, by_person, reported_on, received_on,"
		    " sha256, body, message) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, r->id, false);
	db_bind_text(st, 2, r->item, false);
	db_bind_text(st, 3, r->from, false);
	db_bind_text(st, 4, r->by, false);
	db_bind_text(st, 5, r->reported_on, false);
	db_bind_text(st, 6, r->received_on, false);
	db_bind_text(st, 7, r->sha256, false);
	db_bind_text(st, 8, r->body ? r->body : "", false);
	db_bind_text(st, 9, r->message, false);
	return db_step_done(s, st, "store report", e);
}

#define REPORT_COLS                                                                                \
	"id, item, from_party, by_person, reported_on, received_on, sha256, acknowledged_by,"      \
	" acknowledged_on, note, message"

static void report_row(struct sql_stmt *st, struct store_report *r)
{
	db_col_copy(st, 0, r->id, sizeof r->id);
	db_col_copy(st, 1, r->item, sizeof r->item);
	db_col_copy(st, 2, r->from, sizeof r->from);
	db_col_copy(st, 3, r->by, sizeof r->by);
	db_col_copy(st, 4, r->reported_on, sizeof r->reported_on);
	db_col_copy(st, 5, r->received_on, sizeof r->received_on);
	db_col_copy(st, 6, r->sha256, sizeof r->sha256);
	db_col_copy(st, 7, r->acknowledged_by, sizeof r->acknowledged_by);
	db_col_copy(st, 8, r->acknowledged_on, sizeof r->acknowledged_on);
	db_col_copy(st, 9, r->note, sizeof r->note);
	db_col_copy(st, 10, r->message, sizeof r->message);
}

int store_report_list(struct store *s, const char *item, bool open_only, struct store_report **out,
		      size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	static const char *const sql[2][2] = {
	    {"SELECT " REPORT_COLS " FROM reports ORDER BY received_on DESC, id",
	     "SELECT " REPORT_COLS " FROM reports WHERE acknowledged_by = ''"
	     " ORDER BY received_on DESC, id"},
	    {"SELECT " REPORT_COLS " FROM reports WHERE item = ? ORDER BY received_on DESC, id",
	     "SELECT " REPORT_COLS " FROM reports WHERE item = ? AND acknowledged_by = ''"
	     " ORDER BY received_on DESC, id"}};
	if (db_prep(s, sql[item != NULL][open_only], &st, e) < 0)
		return LERR_STORE;
	if (item)
		db_bind_text(st, 1, item, false);
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		struct store_report *p = db_grow((void **)out, n, sizeof *p);
		if (!p) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		memset(p, 0, sizeof *p);
		report_row(st, p);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(s, e, "list reports");
	db_release(s, st);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int store_report_count(struct store *s, const char *item, bool open, uint64_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	static const char *const sql[2][2] = {
	    {"SELECT count(*) FROM reports",
	     "SELECT count(*) FROM reports WHERE acknowledged_by = ''"},
	    {"SELECT count(*) FROM reports WHERE item = ?",
	     "SELECT count(*) FROM reports WHERE item = ? AND acknowledged_by = ''"}};
	*n = 0;
	if (db_prep(s, sql[item != NULL][open], &st, e) < 0)
		return LERR_STORE;
	if (item)
		db_bind_text(st, 1, item, false);
	int rc = sql_step(st);
	if (rc == SQL_ROW)
		*n = (uint64_t)sql_int(st, 0);
	return db_read_end(s, st, rc, 0, "count reports", e, "no count");
}

int store_report_get(struct store *s, const char *id, struct store_report *r, struct lerr *e)
{
	struct sql_stmt *st;
	memset(r, 0, sizeof *r);
	if (db_prep(s, "SELECT " REPORT_COLS ", body FROM reports WHERE id = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, id, false);
	int rc = sql_step(st), res = 0;
	if (rc == SQL_ROW) {
		report_row(st, r);
		const char *b = sql_text(st, 11);
		if (!(r->body = strdup(b ? b : "")))
			res = lerr_set(e, LERR_NOMEM, "out of memory");
	}
	return db_read_end(s, st, rc, res, "read report", e, "no compromise report %.48s", id);
}

int store_report_taken(struct store *s, const char *from, const char *message, struct lerr *e)
{
	return db_has_row(s, "SELECT 1 FROM reports WHERE from_party = ? AND message = ?", from,
			  message, "read report", e);
}

int store_report_acknowledge(struct store *s, const struct store_report *r, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "UPDATE reports SET acknowledged_by = ?, acknowledged_on = ?, note = ?"
		    " WHERE id = ? AND acknowledged_by = ''",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, r->acknowledged_by, false);
	db_bind_text(st, 2, r->acknowledged_on, false);
	db_bind_text(st, 3, r->note, false);
	db_bind_text(st, 4, r->id, false);
	return db_step_change(s, st, "acknowledge report", e, LERR_EXISTS,
			      "compromise report %.48s is unknown or acknowledged already", r->id);
}

/* A message's id, peer, kind and ref, bound at 1 to 4. */
static void bind_msg_head(struct sql_stmt *st, const struct store_msg *m)
{
	db_bind_text(st, 1, m->id, false);
	db_bind_text(st, 2, m->peer, false);
	db_bind_text(st, 3, m->kind, false);
	db_bind_text(st, 4, m->ref, false);
}

int store_outbox_add(struct store *s, const struct store_msg *m, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO outbox(id, peer, kind, ref, body, digest, created_on, attempts,"
		    " next_try, state, consent) VALUES(?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?)",
		    &st, e) < 0)
		return LERR_STORE;
	bind_msg_head(st, m);
	if (m->body)
		sql_bind_blob(st, 5, m->body, (size_t)((int)m->body_len));
	else
		sql_bind_null(st, 5);
	db_bind_text(st, 6, m->digest, false);
	db_bind_text(st, 7, m->created_on, false);
	sql_bind_int(st, 8, m->next_try);
	if (m->consent)
		db_bind_text(st, 9, m->consent, false);
	else
		sql_bind_null(st, 9);
	return db_step_done(s, st, "queue message", e);
}

#define OUTBOX_COLS                                                                                \
	"id, peer, kind, ref, digest, created_on, attempts, next_try, state, done_on,"             \
	" last_error, receipt, body, consent"

/* A row of OUTBOX_COLS; the body and the consent only when with_body. */
static int outbox_row(struct sql_stmt *st, struct store_msg *m, bool with_body)
{
	memset(m, 0, sizeof *m);
	db_col_copy(st, 0, m->id, sizeof m->id);
	db_col_copy(st, 1, m->peer, sizeof m->peer);
	db_col_copy(st, 2, m->kind, sizeof m->kind);
	db_col_copy(st, 3, m->ref, sizeof m->ref);
	db_col_copy(st, 4, m->digest, sizeof m->digest);
	db_col_copy(st, 5, m->created_on, sizeof m->created_on);
	m->attempts = sql_int(st, 6);
	m->next_try = sql_int(st, 7);
	m->state = (enum msg_state)(int)sql_int(st, 8);
	db_col_copy(st, 9, m->done_on, sizeof m->done_on);
	db_col_copy(st, 10, m->last_error, sizeof m->last_error);
	if (!sql_is_null(st, 11) && !(m->receipt = strdup(db_col_str(st, 11))))
		return -1;
	if (with_body && !sql_is_null(st, 12)) {
		size_t len = 0;
		const void *b = sql_blob(st, 12, &len);
		if (!(m->body = malloc((size_t)len + 1)))
			return -1;
		if (len)
			memcpy(m->body, b, (size_t)len);
		m->body[len] = '\0';
		m->body_len = (size_t)len;
	}
	if (with_body && !sql_is_null(st, 13) && !(m->consent = strdup(db_col_str(st, 13))))
		return -1;
	return 0;
}

static int outbox_rows(struct store *q, struct sql_stmt *st, bool with_body, struct store_msg **out,
		       size_t *n, struct lerr *e)
{
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		struct store_msg *m = db_grow((void **)out, n, sizeof *m);
		if (!m || outbox_row(st, m, with_body) < 0) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(q, e, "read outbox");
	db_release(q, st);
	if (r < 0) {
		store_msg_free(*out, *n);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int store_outbox_due(struct store *s, const char *peer, int64_t now, size_t max,
		     struct store_msg **out, size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (db_prep(s,
		    peer ? "SELECT " OUTBOX_COLS " FROM outbox WHERE state = 0 AND next_try <= ?"
			   " AND peer = ? ORDER BY seq LIMIT ?"
			 : "SELECT " OUTBOX_COLS " FROM outbox WHERE state = 0 AND next_try <= ?"
			   " ORDER BY seq LIMIT ?",
		    &st, e) < 0)
		return LERR_STORE;
	int i = 1;
	sql_bind_int(st, i++, now);
	if (peer)
		db_bind_text(st, i++, peer, false);
	sql_bind_int(st, i, (int64_t)max);
	return outbox_rows(s, st, true, out, n, e);
}

int store_outbox_counts(struct store *s, const char (*peers)[PARTY_CODE_MAX], size_t n,
			uint64_t (*counts)[3], struct lerr *e)
{
	struct sql_stmt *st;
	memset(counts, 0, n * sizeof *counts);
	if (db_prep(s, "SELECT peer, state, count(*) FROM outbox GROUP BY peer, state", &st, e) < 0)
		return LERR_STORE;
	int rc;
	while ((rc = sql_step(st)) == SQL_ROW) {
		const char *peer = db_col_str(st, 0);
		int64_t state = sql_int(st, 1);
		for (size_t k = 0; k < n; k++)
			if (strcmp(peers[k], peer) == 0 && state >= 0 && state < 3)
				counts[k][state] = (uint64_t)sql_int(st, 2);
	}
	db_release(s, st);
	return rc == SQL_DONE ? 0 : db_fail(s, e, "count the outbox");
}

int store_outbox_list(struct store *s, struct store_msg **out, size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (db_prep(s, "SELECT " OUTBOX_COLS " FROM outbox ORDER BY seq", &st, e) < 0)
		return LERR_STORE;
	return outbox_rows(s, st, false, out, n, e);
}

int store_outbox_update(struct store *s, const struct store_msg *m, int64_t was_attempts,
			struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "UPDATE outbox SET attempts = ?, next_try = ?, state = ?, done_on = ?,"
		    " last_error = ?, receipt = ? WHERE id = ? AND attempts = ? AND (state = 0"
		    " OR (? = 1 AND state = 2 AND last_error LIKE 'withdrawn:%'))",
		    &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, m->attempts);
	sql_bind_int(st, 2, m->next_try);
	sql_bind_int(st, 3, (int)m->state);
	db_bind_text(st, 4, m->done_on, true);
	db_bind_text(st, 5, m->last_error, true);
	if (m->receipt)
		db_bind_text(st, 6, m->receipt, false);
	else
		sql_bind_null(st, 6);
	db_bind_text(st, 7, m->id, false);
	sql_bind_int(st, 8, was_attempts);
	sql_bind_int(st, 9, m->state == MSG_DELIVERED);
	return db_step_change(s, st, "update message", e, LERR_EXISTS,
			      "message %.40s was dealt with meanwhile (another delivery's outcome "
			      "saved): this one's dropped",
			      m->id);
}

/* PostgreSQL: a message's claim is the advisory lock (7402, seq) (two-key
 * locks never meet the one-key write lock). */
#define PG_CLAIM "7402, (seq % 2147483647)::integer"

int store_outbox_claim(struct store *s, const char *id, int64_t due, int64_t *attempts,
		       struct lerr *e)
{
	struct sql_stmt *st;
	bool pg = s->c->dialect == SQL_PG;
	int rc, r = 0;
	if (pg) {
		if (db_prep(s, "SELECT pg_try_advisory_lock(" PG_CLAIM ") FROM outbox WHERE id = ?",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, id, false);
		rc = sql_step(st);
		if (rc == SQL_ROW && strcmp(db_col_str(st, 0), "t") != 0)
			r = lerr_set(e, LERR_EXISTS, "message %.40s is being delivered elsewhere",
				     id);
		else if (rc == SQL_DONE)
			r = lerr_set(e, LERR_NOTFOUND, "no message %.40s in the outbox", id);
		else if (rc != SQL_ROW)
			r = db_fail(s, e, "claim message");
		db_release(s, st);
		if (r < 0)
			return r;
	}
	/* held: is it still to be sent? (a daemon may have sent it since it was listed) */
	if (db_prep(s, "SELECT state, next_try, attempts FROM outbox WHERE id = ?", &st, e) < 0)
		r = LERR_STORE;
	else {
		db_bind_text(st, 1, id, false);
		rc = sql_step(st);
		if (rc == SQL_ROW && (sql_int(st, 0) != MSG_QUEUED || sql_int(st, 1) > due))
			r = lerr_set(e, LERR_EXISTS, "message %.40s was dealt with meanwhile", id);
		else if (rc == SQL_DONE)
			r = lerr_set(e, LERR_NOTFOUND, "no message %.40s in the outbox", id);
		else if (rc != SQL_ROW)
			r = db_fail(s, e, "claim message");
		else if (attempts)
			*attempts = sql_int(st, 2);
		db_release(s, st);
	}
	if (r < 0 && pg)
		store_outbox_unclaim(s, id);
	return r;
}

void store_outbox_unclaim(struct store *s, const char *id)
{
	struct sql_stmt *st;
	if (s->c->dialect != SQL_PG ||
	    db_prep(s, "SELECT pg_advisory_unlock(" PG_CLAIM ") FROM outbox WHERE id = ?", &st,
		    NULL) < 0)
		return;
	db_bind_text(st, 1, id, false);
	while (sql_step(st) == SQL_ROW)
		;
	db_release(s, st);
}

int store_inbox_add(struct store *s, const struct store_msg *m, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO inbox(id, peer, kind, ref, digest, received_on)"
		    " VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		    &st, e) < 0)
		return LERR_STORE;
	bind_msg_head(st, m);
	db_bind_text(st, 5, m->digest, false);
	db_bind_text(st, 6, m->done_on, false);
	return db_step_change(s, st, "record message", e, LERR_EXISTS,
			      "message %.40s was received already", m->id);
}

int store_inbox_get(struct store *s, const char *peer, const char *id, struct store_msg *m,
		    struct lerr *e)
{
	struct sql_stmt *st;
	memset(m, 0, sizeof *m);
	if (db_prep(s,
		    "SELECT id, peer, kind, ref, digest, received_on FROM inbox"
		    " WHERE peer = ? AND id = ?",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, peer, false);
	db_bind_text(st, 2, id, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		db_col_copy(st, 0, m->id, sizeof m->id);
		db_col_copy(st, 1, m->peer, sizeof m->peer);
		db_col_copy(st, 2, m->kind, sizeof m->kind);
		db_col_copy(st, 3, m->ref, sizeof m->ref);
		db_col_copy(st, 4, m->digest, sizeof m->digest);
		db_col_copy(st, 5, m->done_on, sizeof m->done_on);
		m->state = MSG_DELIVERED;
	}
	return db_read_end(s, st, rc, r, "read inbox", e, "no message %.40s received from %.8s", id,
			   peer);
}

int store_nonce_seen(struct store *s, const char *party, const char *nonce, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "SELECT 1 FROM peer_nonces WHERE party = ? AND nonce = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, party, false);
	db_bind_text(st, 2, nonce, false);
	int rc = sql_step(st);
	int r = rc == SQL_ROW ? 1 : rc == SQL_DONE ? 0 : db_fail(s, e, "read nonce");
	db_release(s, st);
	return r;
}

int store_nonce_use(struct store *s, const char *party, const char *nonce, int64_t at,
		    int64_t forget_before, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "DELETE FROM peer_nonces WHERE at < ?", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, forget_before);
	if (db_step_done(s, st, "forget nonces", e) < 0)
		return LERR_STORE;
	if (db_prep(s,
		    "INSERT INTO peer_nonces(party, nonce, at) VALUES(?, ?, ?)"
		    " ON CONFLICT DO NOTHING",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, party, false);
	db_bind_text(st, 2, nonce, false);
	sql_bind_int(st, 3, at);
	return db_step_change(s, st, "record nonce", e, LERR_EXISTS,
			      "a replayed request: %.32s used this nonce already", party);
}
