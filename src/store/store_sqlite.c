/*
 * store_sqlite.c - the embedded SQLite backend.
 *
 * One database file in WAL mode with synchronous=FULL (an acknowledged
 * commit survives a crash or power loss), foreign keys on, and a schema
 * versioned through PRAGMA user_version: each migration runs in its own
 * transaction, in order, when the store is opened.
 */
#include "backend.h"

#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SQ_CACHE  7
#define SQ_PCACHE 96

struct pstmt {
	const char *sql; /* the key: the literal's address */
	sqlite3_stmt *st;
	bool busy;
};

struct sq {
	struct store base;
	sqlite3 *db;
	int version;
	sqlite3_stmt *cache[SQ_CACHE]; /* prepared once: the log's statements */
	struct pstmt pc[SQ_PCACHE];    /* prepared once: every other statement */
	size_t npc;
};

static const char *const migrations[] = {
    /* 1: parties, schemes, agreements and their events. */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
    "CREATE TABLE parties(code TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;"
    "CREATE TABLE levels("
    " party TEXT NOT NULL REFERENCES parties(code) ON DELETE CASCADE,"
    " code TEXT NOT NULL, name TEXT NOT NULL, rank INTEGER NOT NULL,"
    " position INTEGER NOT NULL, PRIMARY KEY(party, code)) STRICT;"
    "CREATE TABLE agreements(id TEXT PRIMARY KEY, title TEXT NOT NULL,"
    " term_years INTEGER NOT NULL, renewal_years INTEGER NOT NULL,"
    " notice_days INTEGER NOT NULL) STRICT;"
    "CREATE TABLE agreement_parties("
    " agreement TEXT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,"
    " party TEXT NOT NULL REFERENCES parties(code) DEFERRABLE INITIALLY DEFERRED,"
    " position INTEGER NOT NULL, PRIMARY KEY(agreement, party)) STRICT;"
    "CREATE TABLE equivalences("
    " agreement TEXT NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,"
    " row INTEGER NOT NULL, common TEXT NOT NULL, party TEXT NOT NULL,"
    " level TEXT NOT NULL, position INTEGER NOT NULL,"
    " PRIMARY KEY(agreement, party, level),"
    " FOREIGN KEY(party, level) REFERENCES levels(party, code)"
    "  DEFERRABLE INITIALLY DEFERRED) STRICT;"
    "CREATE TABLE agreement_events(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " agreement TEXT NOT NULL REFERENCES agreements(id),"
    " date TEXT NOT NULL, kind TEXT NOT NULL,"
    " by_party TEXT REFERENCES parties(code) DEFERRABLE INITIALLY DEFERRED,"
    " source TEXT NOT NULL, recorded_on TEXT NOT NULL) STRICT;"
    "CREATE INDEX agreement_events_by_agreement ON agreement_events(agreement, date);",
    /* 2: people. */
    "CREATE TABLE people(id TEXT PRIMARY KEY,"
    " party TEXT NOT NULL REFERENCES parties(code) DEFERRABLE INITIALLY DEFERRED,"
    " name TEXT NOT NULL, roles INTEGER NOT NULL,"
    " level TEXT, clearance_from TEXT, clearance_to TEXT,"
    " FOREIGN KEY(party, level) REFERENCES levels(party, code) DEFERRABLE INITIALLY DEFERRED)"
    " STRICT;"
    "CREATE TABLE person_ntk(person TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
    " grp TEXT NOT NULL, PRIMARY KEY(person, grp)) STRICT;",
    /* 3: peers' keys, items, releases, consents. */
    "CREATE TABLE party_keys(party TEXT PRIMARY KEY REFERENCES parties(code),"
    " ed25519 BLOB NOT NULL, x25519 BLOB NOT NULL, added_on TEXT NOT NULL) STRICT;"
    "CREATE TABLE items(id TEXT PRIMARY KEY, label TEXT NOT NULL,"
    " originator TEXT NOT NULL, level TEXT NOT NULL, local_level TEXT NOT NULL,"
    " foreign_item INTEGER NOT NULL, received TEXT, sender TEXT,"
    " blob TEXT NOT NULL, size INTEGER NOT NULL, stored_on TEXT NOT NULL,"
    " destroyed_on TEXT) STRICT;"
    "CREATE TABLE releases(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " item TEXT NOT NULL REFERENCES items(id), to_party TEXT NOT NULL,"
    " by_person TEXT NOT NULL REFERENCES people(id), date TEXT NOT NULL) STRICT;"
    "CREATE TABLE consents(item TEXT NOT NULL REFERENCES items(id),"
    " to_party TEXT NOT NULL, granted_by TEXT NOT NULL, date TEXT NOT NULL,"
    " evidence TEXT NOT NULL, PRIMARY KEY(item, to_party)) STRICT;",
    /* 4: export regimes: groups, control-list entries, special measures, licences. */
    "CREATE TABLE export_regimes(party TEXT PRIMARY KEY REFERENCES parties(code),"
    " default_group TEXT NOT NULL) STRICT;"
    "CREATE TABLE export_groups(id INTEGER PRIMARY KEY,"
    " party TEXT NOT NULL REFERENCES export_regimes(party) ON DELETE CASCADE,"
    " country TEXT NOT NULL, grp TEXT NOT NULL, valid_from TEXT NOT NULL,"
    " valid_to TEXT) STRICT;"
    "CREATE INDEX export_groups_by_country ON export_groups(party, country, valid_from);"
    "CREATE TABLE export_entries("
    " party TEXT NOT NULL REFERENCES export_regimes(party) ON DELETE CASCADE,"
    " code TEXT NOT NULL, name TEXT NOT NULL, list_item INTEGER NOT NULL,"
    " position INTEGER NOT NULL, PRIMARY KEY(party, code)) STRICT;"
    "CREATE TABLE export_measures(id INTEGER PRIMARY KEY,"
    " party TEXT NOT NULL REFERENCES export_regimes(party) ON DELETE CASCADE,"
    " country TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT,"
    " requires TEXT NOT NULL) STRICT;"
    "CREATE TABLE export_measure_entries("
    " measure INTEGER NOT NULL REFERENCES export_measures(id) ON DELETE CASCADE,"
    " entry TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY(measure, entry)) STRICT;"
    "CREATE TABLE export_licences(id TEXT PRIMARY KEY,"
    " party TEXT NOT NULL REFERENCES export_regimes(party),"
    " kind TEXT NOT NULL, entry TEXT NOT NULL, country TEXT NOT NULL,"
    " valid_from TEXT NOT NULL, valid_to TEXT NOT NULL,"
    " source TEXT NOT NULL, added_on TEXT NOT NULL,"
    " FOREIGN KEY(party, entry) REFERENCES export_entries(party, code)"
    "  DEFERRABLE INITIALLY DEFERRED) STRICT;",
    /* 5: the transparency log: entries, complete subtree hashes, checkpoints seen. */
    "CREATE TABLE log_entries(idx INTEGER PRIMARY KEY, data BLOB NOT NULL) STRICT;"
    "CREATE TABLE log_hashes(level INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " hash BLOB NOT NULL, PRIMARY KEY(level, idx)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE log_witnessed(origin TEXT NOT NULL, size INTEGER NOT NULL,"
    " note TEXT NOT NULL, seen_on TEXT NOT NULL, PRIMARY KEY(origin, size)) STRICT;",
    /* 6: people's bearer tokens for the HTTP API, stored hashed. */
    ("CREATE TABLE tokens(id TEXT PRIMARY KEY, person TEXT NOT NULL REFERENCES people(id),"
     " hash BLOB NOT NULL UNIQUE, issued_on TEXT NOT NULL, revoked_on TEXT) STRICT;"),
    /* 7: federation: peers, the outbox and its receipts, the inbox, request nonces. */
    "CREATE TABLE peers(party TEXT PRIMARY KEY REFERENCES parties(code),"
    " url TEXT NOT NULL, added_on TEXT NOT NULL, witnessed_size INTEGER,"
    " witnessed_at INTEGER, witness_error TEXT, alarm TEXT) STRICT;"
    "CREATE TABLE outbox(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
    " peer TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL, body BLOB,"
    " digest TEXT NOT NULL, created_on TEXT NOT NULL, attempts INTEGER NOT NULL,"
    " next_try INTEGER NOT NULL, state INTEGER NOT NULL, done_on TEXT,"
    " last_error TEXT, receipt TEXT) STRICT;"
    "CREATE INDEX outbox_due ON outbox(state, next_try);"
    "CREATE TABLE inbox(id TEXT PRIMARY KEY, peer TEXT NOT NULL, kind TEXT NOT NULL,"
    " ref TEXT NOT NULL, digest TEXT NOT NULL, received_on TEXT NOT NULL) STRICT;"
    "CREATE TABLE peer_nonces(party TEXT NOT NULL, nonce TEXT NOT NULL, at INTEGER NOT NULL,"
    " PRIMARY KEY(party, nonce)) STRICT;"
    "CREATE INDEX peer_nonces_at ON peer_nonces(at);",
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

static struct sq *SQ(struct store *s)
{
	return (struct sq *)s;
}

static int fail(struct sq *q, struct lerr *e, const char *what)
{
	return lerr_set(e, LERR_STORE, "store: %s: %s", what, sqlite3_errmsg(q->db));
}

/*
 * A prepared statement for sql (a string literal: its address is the key),
 * from the handle's cache when one is free, so that a query is parsed once
 * per connection and not once per call. Give it back with release().
 */
static int prep(struct sq *q, const char *sql, sqlite3_stmt **st, struct lerr *e)
{
	struct pstmt *free_slot = NULL;
	for (size_t i = 0; i < q->npc; i++)
		if (q->pc[i].sql == sql && !q->pc[i].busy) {
			q->pc[i].busy = true;
			*st = q->pc[i].st;
			return 0;
		}
	if (q->npc < SQ_PCACHE)
		free_slot = &q->pc[q->npc];
	if (sqlite3_prepare_v3(q->db, sql, -1, free_slot ? SQLITE_PREPARE_PERSISTENT : 0, st,
			       NULL) != SQLITE_OK)
		return fail(q, e, "prepare");
	if (free_slot) {
		*free_slot = (struct pstmt){sql, *st, true};
		q->npc++;
	}
	return 0;
}

/* Gives a statement from prep() back: reset for its next use, or finalized. */
static void release(struct sq *q, sqlite3_stmt *st)
{
	for (size_t i = 0; i < q->npc; i++)
		if (q->pc[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			q->pc[i].busy = false;
			return;
		}
	sqlite3_finalize(st);
}

static int exec(struct sq *q, const char *sql, struct lerr *e)
{
	char *msg = NULL;
	if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		lerr_set(e, LERR_STORE, "store: %s", msg ? msg : sqlite3_errmsg(q->db));
		sqlite3_free(msg);
		return LERR_STORE;
	}
	return 0;
}

/* Binds text or NULL (for an empty string when empty_null). */
static void bind_text(sqlite3_stmt *st, int i, const char *v, bool empty_null)
{
	if (empty_null && v[0] == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Copies column i (text) into dst; false if NULL-free text did not fit. */
static bool col_copy(sqlite3_stmt *st, int i, char *dst, size_t n)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	return str_copy(dst, n, v ? (const char *)v : "");
}

/* Column i as text, "" when NULL. */
static const char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	return v ? (const char *)v : "";
}

/* Steps a statement that returns no row, then finalizes it. */
static int step_done(struct sq *q, sqlite3_stmt *st, const char *what, struct lerr *e)
{
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_DONE ? 0 : fail(q, e, what);
	release(q, st);
	return r;
}

static int sq_begin(struct store *s, struct lerr *e)
{
	return exec(SQ(s), "BEGIN IMMEDIATE", e);
}

static int sq_commit(struct store *s, struct lerr *e)
{
	struct sq *q = SQ(s);
	if (exec(q, "COMMIT", e) < 0) {
		if (!sqlite3_get_autocommit(q->db))
			(void)exec(q, "ROLLBACK", NULL);
		return LERR_STORE;
	}
	return 0;
}

/* A read transaction: one snapshot (and one lock) for many reads. */
static int sq_read_begin(struct store *s, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	return prep(q, "BEGIN DEFERRED", &st, e) < 0 ? LERR_STORE
						     : step_done(q, st, "begin reading", e);
}

static void sq_read_end(struct store *s)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (!sqlite3_get_autocommit(q->db) && prep(q, "COMMIT", &st, NULL) == 0)
		(void)step_done(q, st, "end reading", NULL);
}

static void sq_rollback(struct store *s)
{
	struct sq *q = SQ(s);
	if (!sqlite3_get_autocommit(q->db))
		(void)exec(q, "ROLLBACK", NULL);
}

static int migrate(struct sq *q, struct lerr *e)
{
	sqlite3_stmt *st;
	if (prep(q, "PRAGMA user_version", &st, e) < 0)
		return LERR_STORE;
	q->version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	release(q, st);
	if (q->version > SCHEMA_VERSION)
		return lerr_set(e, LERR_STORE,
				"store: schema version %d is newer than this liaison knows (%d)",
				q->version, SCHEMA_VERSION);
	while (q->version < SCHEMA_VERSION) {
		char sql[64];
		snprintf(sql, sizeof sql, ";PRAGMA user_version=%d;", q->version + 1);
		if (exec(q, "BEGIN IMMEDIATE", e) < 0)
			return LERR_STORE;
		if (exec(q, migrations[q->version], e) < 0 || exec(q, sql, e) < 0) {
			sq_rollback(&q->base);
			return lerr_prefix(e, "migration to version %d", q->version + 1);
		}
		if (sq_commit(&q->base, e) < 0)
			return LERR_STORE;
		q->version++;
	}
	return 0;
}

static void sq_close(struct store *s)
{
	struct sq *q = SQ(s);
	for (int i = 0; i < SQ_CACHE; i++)
		sqlite3_finalize(q->cache[i]);
	for (size_t i = 0; i < q->npc; i++)
		sqlite3_finalize(q->pc[i].st);
	sqlite3_close(q->db);
	free(q);
}

static int sq_schema_version(struct store *s)
{
	return SQ(s)->version;
}

static int sq_meta_get(struct store *s, const char *key, char *val, size_t n, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	val[0] = '\0';
	if (prep(q, "SELECT value FROM meta WHERE key = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, key, false);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW) {
		if (!col_copy(st, 0, val, n))
			r = lerr_set(e, LERR_LIMIT, "store: meta %s is too long", key);
	} else if (rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "store: no setting %s", key);
	else
		r = fail(q, e, "read meta");
	release(q, st);
	return r;
}

static int sq_meta_set(struct store *s, const char *key, const char *val, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "INSERT INTO meta(key, value) VALUES(?, ?)"
		 " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, key, false);
	bind_text(st, 2, val, false);
	return step_done(q, st, "write meta", e);
}

static int sq_party_put(struct store *s, const struct party *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "INSERT INTO parties(code, name) VALUES(?, ?)"
		 " ON CONFLICT(code) DO UPDATE SET name = excluded.name",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->code, false);
	bind_text(st, 2, p->name, false);
	if (step_done(q, st, "write party", e) < 0)
		return LERR_STORE;
	if (prep(q, "DELETE FROM levels WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->code, false);
	if (step_done(q, st, "replace levels", e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < p->nlevels; i++) {
		if (prep(q,
			 "INSERT INTO levels(party, code, name, rank, position)"
			 " VALUES(?, ?, ?, ?, ?)",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, p->code, false);
		bind_text(st, 2, p->levels[i].code, false);
		bind_text(st, 3, p->levels[i].name, false);
		sqlite3_bind_int(st, 4, p->levels[i].rank);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)i);
		if (step_done(q, st, "write level", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

static int load_levels(struct sq *q, struct party *p, struct lerr *e)
{
	sqlite3_stmt *st;
	if (prep(q, "SELECT code, name, rank FROM levels WHERE party = ? ORDER BY position", &st,
		 e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->code, false);
	int rc, r = 0;
	p->nlevels = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (p->nlevels == SCHEME_LEVELS_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: party %s has too many levels", p->code);
			break;
		}
		struct scheme_level *l = &p->levels[p->nlevels++];
		col_copy(st, 0, l->code, sizeof l->code);
		col_copy(st, 1, l->name, sizeof l->name);
		l->rank = sqlite3_column_int(st, 2);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "read levels");
	release(q, st);
	return r;
}

static int sq_party_get(struct store *s, const char *code, struct party *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	memset(p, 0, sizeof *p);
	if (prep(q, "SELECT code, name FROM parties WHERE code = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, code, false);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW) {
		col_copy(st, 0, p->code, sizeof p->code);
		col_copy(st, 1, p->name, sizeof p->name);
	} else if (rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "unknown party %.32s", code);
	else
		r = fail(q, e, "read party");
	release(q, st);
	return r < 0 ? r : load_levels(q, p, e);
}

static int sq_party_list(struct store *s, struct party **out, size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT code FROM parties ORDER BY code", &st, e) < 0)
		return LERR_STORE;
	struct party *v = NULL;
	size_t nv = 0;
	int rc, r = 0;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct party *nvp = realloc(v, (nv + 1) * sizeof *v);
		if (!nvp) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		v = nvp;
		char code[PARTY_CODE_MAX];
		col_copy(st, 0, code, sizeof code);
		r = sq_party_get(s, code, &v[nv], e);
		nv++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "list parties");
	release(q, st);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = nv;
	return 0;
}

/* Runs a one-parameter DELETE for agreement id. */
static int delete_for(struct sq *q, const char *sql, const char *id, struct lerr *e)
{
	sqlite3_stmt *st;
	if (prep(q, sql, &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	return step_done(q, st, "replace agreement", e);
}

static int sq_agreement_put(struct store *s, const struct agreement *a, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "INSERT INTO agreements(id, title, term_years, renewal_years, notice_days)"
		 " VALUES(?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
		 " title = excluded.title, term_years = excluded.term_years,"
		 " renewal_years = excluded.renewal_years, notice_days = excluded.notice_days",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, a->id, false);
	bind_text(st, 2, a->title, false);
	sqlite3_bind_int(st, 3, a->term_years);
	sqlite3_bind_int(st, 4, a->renewal_years);
	sqlite3_bind_int(st, 5, a->notice_days);
	if (step_done(q, st, "write agreement", e) < 0 ||
	    delete_for(q, "DELETE FROM agreement_parties WHERE agreement = ?", a->id, e) < 0 ||
	    delete_for(q, "DELETE FROM equivalences WHERE agreement = ?", a->id, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < a->nparties; i++) {
		if (prep(q,
			 "INSERT INTO agreement_parties(agreement, party, position)"
			 " VALUES(?, ?, ?)",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, a->id, false);
		bind_text(st, 2, a->parties[i], false);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		if (step_done(q, st, "write agreement party", e) < 0)
			return LERR_STORE;
	}
	for (size_t r = 0; r < a->nequiv; r++)
		for (size_t i = 0; i < a->equiv[r].n; i++) {
			if (prep(q,
				 "INSERT INTO equivalences(agreement, row, common, party, level,"
				 " position) VALUES(?, ?, ?, ?, ?, ?)",
				 &st, e) < 0)
				return LERR_STORE;
			bind_text(st, 1, a->id, false);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)r);
			bind_text(st, 3, a->equiv[r].common, false);
			bind_text(st, 4, a->equiv[r].levels[i].party, false);
			bind_text(st, 5, a->equiv[r].levels[i].level, false);
			sqlite3_bind_int64(st, 6, (sqlite3_int64)i);
			if (step_done(q, st, "write equivalence", e) < 0)
				return LERR_STORE;
		}
	return 0;
}

static int load_agreement_parties(struct sq *q, struct agreement *a, struct lerr *e)
{
	sqlite3_stmt *st;
	if (prep(q, "SELECT party FROM agreement_parties WHERE agreement = ? ORDER BY position",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, a->id, false);
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (a->nparties == AGR_PARTIES_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: agreement %s has too many parties",
				     a->id);
			break;
		}
		col_copy(st, 0, a->parties[a->nparties], PARTY_CODE_MAX);
		a->nparties++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "read agreement parties");
	release(q, st);
	return r;
}

static int load_equivalences(struct sq *q, struct agreement *a, struct lerr *e)
{
	sqlite3_stmt *st;
	if (prep(q,
		 "SELECT row, common, party, level FROM equivalences WHERE agreement = ?"
		 " ORDER BY row, position",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, a->id, false);
	int rc, r = 0;
	long last = -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long row = (long)sqlite3_column_int64(st, 0);
		if (row != last) {
			if (a->nequiv == AGR_EQUIV_MAX) {
				r = lerr_set(e, LERR_LIMIT, "store: agreement %s: too many rows",
					     a->id);
				break;
			}
			col_copy(st, 1, a->equiv[a->nequiv].common, AGR_COMMON_MAX);
			a->nequiv++;
			last = row;
		}
		struct agr_equiv *eq = &a->equiv[a->nequiv - 1];
		if (eq->n == AGR_EQUIV_LEVELS_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: agreement %s: row too long", a->id);
			break;
		}
		col_copy(st, 2, eq->levels[eq->n].party, PARTY_CODE_MAX);
		col_copy(st, 3, eq->levels[eq->n].level, LEVEL_CODE_MAX);
		eq->n++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "read equivalences");
	release(q, st);
	return r;
}

static int load_events(struct sq *q, struct agreement *a, struct lerr *e)
{
	sqlite3_stmt *st;
	if (prep(q,
		 "SELECT id, date, kind, by_party FROM agreement_events"
		 " WHERE agreement = ? ORDER BY date, id",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, a->id, false);
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (a->nevents == AGR_EVENTS_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: agreement %s has more than %d events",
				     a->id, AGR_EVENTS_MAX);
			break;
		}
		struct agr_event *ev = &a->events[a->nevents];
		ev->seq = sqlite3_column_int64(st, 0);
		const char *d = (const char *)sqlite3_column_text(st, 1);
		const char *k = (const char *)sqlite3_column_text(st, 2);
		if (!d || !k || date_parse(d, &ev->date, e) < 0 ||
		    agr_event_kind_parse(k, &ev->kind, e) < 0) {
			r = lerr_set(e, LERR_STORE, "store: agreement %s: event %lld is damaged",
				     a->id, (long long)ev->seq);
			break;
		}
		col_copy(st, 3, ev->by, sizeof ev->by);
		a->nevents++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "read events");
	release(q, st);
	if (r == 0)
		agreement_sort_events(a);
	return r;
}

static int sq_agreement_get(struct store *s, const char *id, struct agreement *a, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	memset(a, 0, sizeof *a);
	if (prep(q,
		 "SELECT id, title, term_years, renewal_years, notice_days"
		 " FROM agreements WHERE id = ?",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW) {
		col_copy(st, 0, a->id, sizeof a->id);
		col_copy(st, 1, a->title, sizeof a->title);
		a->term_years = sqlite3_column_int(st, 2);
		a->renewal_years = sqlite3_column_int(st, 3);
		a->notice_days = sqlite3_column_int(st, 4);
	} else if (rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "unknown agreement %.80s", id);
	else
		r = fail(q, e, "read agreement");
	release(q, st);
	if (r == 0)
		r = load_agreement_parties(q, a, e);
	if (r == 0)
		r = load_equivalences(q, a, e);
	if (r == 0)
		r = load_events(q, a, e);
	return r;
}

static int sq_agreement_ids(struct store *s, char (**out)[AGR_ID_MAX], size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT id FROM agreements ORDER BY id", &st, e) < 0)
		return LERR_STORE;
	char(*v)[AGR_ID_MAX] = NULL;
	size_t nv = 0;
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char(*nvp)[AGR_ID_MAX] = realloc(v, (nv + 1) * sizeof *v);
		if (!nvp) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		v = nvp;
		col_copy(st, 0, v[nv], AGR_ID_MAX);
		nv++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "list agreements");
	release(q, st);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = nv;
	return 0;
}

static int sq_event_add(struct store *s, const char *id, const struct agr_event *ev,
			const struct store_event_info *info, int64_t *seq, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	char d[DATE_BUF_SIZE];
	if (prep(q,
		 "INSERT INTO agreement_events(agreement, date, kind, by_party, source,"
		 " recorded_on) VALUES(?, ?, ?, ?, ?, ?)",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	bind_text(st, 2, date_format(ev->date, d), false);
	bind_text(st, 3, agr_event_kind_name(ev->kind), false);
	bind_text(st, 4, ev->by, true);
	bind_text(st, 5, info->source, false);
	bind_text(st, 6, info->recorded_on, false);
	if (step_done(q, st, "write event", e) < 0)
		return LERR_STORE;
	if (seq)
		*seq = sqlite3_last_insert_rowid(q->db);
	return 0;
}

static int sq_person_put(struct store *s, const struct person *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	if (prep(
		q,
		"INSERT INTO people(id, party, name, roles, level, clearance_from, clearance_to)"
		" VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET party = excluded.party,"
		" name = excluded.name, roles = excluded.roles, level = excluded.level,"
		" clearance_from = excluded.clearance_from, clearance_to = excluded.clearance_to",
		&st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->id, false);
	bind_text(st, 2, p->party, false);
	bind_text(st, 3, p->name, false);
	sqlite3_bind_int(st, 4, (int)p->roles);
	bind_text(st, 5, p->cleared ? p->level : "", true);
	bind_text(st, 6, p->cleared ? date_format(p->from, d1) : "", true);
	bind_text(st, 7, p->cleared ? date_format(p->to, d2) : "", true);
	if (step_done(q, st, "write person", e) < 0 ||
	    delete_for(q, "DELETE FROM person_ntk WHERE person = ?", p->id, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < p->nntk; i++) {
		if (prep(q, "INSERT OR IGNORE INTO person_ntk(person, grp) VALUES(?, ?)", &st, e) <
		    0)
			return LERR_STORE;
		bind_text(st, 1, p->id, false);
		bind_text(st, 2, p->ntk[i], false);
		if (step_done(q, st, "write need-to-know", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

static int sq_person_get(struct store *s, const char *id, struct person *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	memset(p, 0, sizeof *p);
	if (prep(q,
		 "SELECT id, party, name, roles, level, clearance_from, clearance_to"
		 " FROM people WHERE id = ?",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW) {
		col_copy(st, 0, p->id, sizeof p->id);
		col_copy(st, 1, p->party, sizeof p->party);
		col_copy(st, 2, p->name, sizeof p->name);
		p->roles = (unsigned)sqlite3_column_int(st, 3);
		p->cleared = sqlite3_column_type(st, 4) != SQLITE_NULL;
		if (p->cleared) {
			col_copy(st, 4, p->level, sizeof p->level);
			const char *f = (const char *)sqlite3_column_text(st, 5);
			const char *t = (const char *)sqlite3_column_text(st, 6);
			if (!f || !t || date_parse(f, &p->from, NULL) < 0 ||
			    date_parse(t, &p->to, NULL) < 0)
				r = lerr_set(e, LERR_STORE, "store: person %s: damaged clearance",
					     id);
		}
	} else if (rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "unknown person %.80s", id);
	else
		r = fail(q, e, "read person");
	release(q, st);
	if (r < 0)
		return r;
	if (prep(q, "SELECT grp FROM person_ntk WHERE person = ? ORDER BY grp", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && p->nntk < PERSON_NTK_MAX)
		col_copy(st, 0, p->ntk[p->nntk++], LABEL_WORD_MAX);
	release(q, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(q, e, "read need-to-know");
}

static int sq_person_ids(struct store *s, char (**out)[PERSON_ID_MAX], size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT id FROM people ORDER BY party, id", &st, e) < 0)
		return LERR_STORE;
	char(*v)[PERSON_ID_MAX] = NULL;
	size_t nv = 0;
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char(*nvp)[PERSON_ID_MAX] = realloc(v, (nv + 1) * sizeof *v);
		if (!nvp) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		v = nvp;
		col_copy(st, 0, v[nv++], PERSON_ID_MAX);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "list people");
	release(q, st);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = nv;
	return 0;
}

static int sq_party_key_put(struct store *s, const struct key_public *p, const char *on,
			    struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "INSERT INTO party_keys(party, ed25519, x25519, added_on) VALUES(?, ?, ?, ?)"
		 " ON CONFLICT(party) DO UPDATE SET ed25519 = excluded.ed25519,"
		 " x25519 = excluded.x25519, added_on = excluded.added_on",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->party, false);
	sqlite3_bind_blob(st, 2, p->sign_pk, KEY_SIGN_PK, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 3, p->box_pk, KEY_BOX_PK, SQLITE_TRANSIENT);
	bind_text(st, 4, on, false);
	return step_done(q, st, "write party key", e);
}

static int sq_party_key_get(struct store *s, const char *party, struct key_public *p,
			    struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	memset(p, 0, sizeof *p);
	if (prep(q, "SELECT ed25519, x25519 FROM party_keys WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == KEY_SIGN_PK &&
	    sqlite3_column_bytes(st, 1) == KEY_BOX_PK) {
		str_copy(p->party, sizeof p->party, party);
		memcpy(p->sign_pk, sqlite3_column_blob(st, 0), KEY_SIGN_PK);
		memcpy(p->box_pk, sqlite3_column_blob(st, 1), KEY_BOX_PK);
	} else if (rc == SQLITE_ROW)
		r = lerr_set(e, LERR_STORE, "store: the keys of %s are damaged", party);
	else if (rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND,
			     "no public key for %.32s (add it with: liaison party key %.32s FILE)",
			     party, party);
	else
		r = fail(q, e, "read party key");
	release(q, st);
	return r;
}

static int sq_item_add(struct store *s, const struct store_item *it, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(
		q,
		"INSERT INTO items(id, label, originator, level, local_level, foreign_item,"
		" received, sender, blob, size, stored_on) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		&st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, it->id, false);
	bind_text(st, 2, it->label, false);
	bind_text(st, 3, it->originator, false);
	bind_text(st, 4, it->level, false);
	bind_text(st, 5, it->local_level, false);
	sqlite3_bind_int(st, 6, it->foreign);
	bind_text(st, 7, it->received, true);
	bind_text(st, 8, it->sender, true);
	bind_text(st, 9, it->blob, false);
	sqlite3_bind_int64(st, 10, it->size);
	bind_text(st, 11, it->stored_on, false);
	int rc = sqlite3_step(st);
	release(q, st);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return lerr_set(e, LERR_EXISTS, "item %s is already stored", it->id);
	return rc == SQLITE_DONE ? 0 : fail(q, e, "write item");
}

static int sq_item_get(struct store *s, const char *id, struct store_item *it, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	memset(it, 0, sizeof *it);
	if (prep(q,
		 "SELECT id, label, originator, level, local_level, foreign_item, received,"
		 " sender, blob, size, stored_on, destroyed_on FROM items WHERE id = ?",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW) {
		col_copy(st, 0, it->id, sizeof it->id);
		const char *l = (const char *)sqlite3_column_text(st, 1);
		it->label = l ? strdup(l) : NULL;
		if (!it->label)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
		col_copy(st, 2, it->originator, sizeof it->originator);
		col_copy(st, 3, it->level, sizeof it->level);
		col_copy(st, 4, it->local_level, sizeof it->local_level);
		it->foreign = sqlite3_column_int(st, 5) != 0;
		col_copy(st, 6, it->received, sizeof it->received);
		col_copy(st, 7, it->sender, sizeof it->sender);
		col_copy(st, 8, it->blob, sizeof it->blob);
		it->size = sqlite3_column_int64(st, 9);
		col_copy(st, 10, it->stored_on, sizeof it->stored_on);
		col_copy(st, 11, it->destroyed_on, sizeof it->destroyed_on);
	} else if (rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "unknown item %.80s", id);
	else
		r = fail(q, e, "read item");
	release(q, st);
	if (r < 0)
		store_item_free(it);
	return r;
}

static int sq_item_ids(struct store *s, const char *after, size_t limit,
		       char (**out)[LABEL_WORD_MAX], size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	int64_t from = 0;
	*out = NULL;
	*n = 0;
	if (after) {
		if (prep(q, "SELECT rowid FROM items WHERE id = ?", &st, e) < 0)
			return LERR_STORE;
		sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			from = sqlite3_column_int64(st, 0);
		release(q, st);
		if (rc == SQLITE_DONE)
			return lerr_set(e, LERR_NOTFOUND, "after: no item %.64s", after);
		if (rc != SQLITE_ROW)
			return fail(q, e, "list items");
	}
	if (prep(q, "SELECT id FROM items WHERE rowid > ? ORDER BY rowid LIMIT ?", &st, e) < 0)
		return LERR_STORE;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	char(*v)[LABEL_WORD_MAX] = NULL;
	size_t nv = 0;
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char(*nvp)[LABEL_WORD_MAX] = realloc(v, (nv + 1) * sizeof *v);
		if (!nvp) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		v = nvp;
		col_copy(st, 0, v[nv++], LABEL_WORD_MAX);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "list items");
	release(q, st);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = nv;
	return 0;
}

static int sq_item_relabel(struct store *s, const struct store_item *it, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "UPDATE items SET label = ?, level = ?, local_level = ?, blob = ?, size = ?"
		 " WHERE id = ?",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, it->label, false);
	bind_text(st, 2, it->level, false);
	bind_text(st, 3, it->local_level, false);
	bind_text(st, 4, it->blob, false);
	sqlite3_bind_int64(st, 5, it->size);
	bind_text(st, 6, it->id, false);
	int r = step_done(q, st, "relabel item", e);
	if (r == 0 && sqlite3_changes(q->db) != 1)
		r = lerr_set(e, LERR_NOTFOUND, "unknown item %s", it->id);
	return r;
}

static int sq_item_destroy(struct store *s, const char *id, const char *date, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q, "UPDATE items SET destroyed_on = ? WHERE id = ? AND destroyed_on IS NULL", &st,
		 e) < 0)
		return LERR_STORE;
	bind_text(st, 1, date, false);
	bind_text(st, 2, id, false);
	int r = step_done(q, st, "destroy item", e);
	if (r == 0 && sqlite3_changes(q->db) != 1)
		r = lerr_set(e, LERR_NOTFOUND, "no item %s to destroy", id);
	return r;
}

static int sq_release_add(struct store *s, const char *item, const char *to, const char *by,
			  const char *date, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q, "INSERT INTO releases(item, to_party, by_person, date) VALUES(?, ?, ?, ?)", &st,
		 e) < 0)
		return LERR_STORE;
	bind_text(st, 1, item, false);
	bind_text(st, 2, to, false);
	bind_text(st, 3, by, false);
	bind_text(st, 4, date, false);
	return step_done(q, st, "write release", e);
}

static int sq_consent_put(struct store *s, const char *item, const char *to, const char *by,
			  const char *date, const char *evidence, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "INSERT INTO consents(item, to_party, granted_by, date, evidence)"
		 " VALUES(?, ?, ?, ?, ?) ON CONFLICT(item, to_party) DO UPDATE SET"
		 " granted_by = excluded.granted_by, date = excluded.date,"
		 " evidence = excluded.evidence",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, item, false);
	bind_text(st, 2, to, false);
	bind_text(st, 3, by, false);
	bind_text(st, 4, date, false);
	bind_text(st, 5, evidence, false);
	return step_done(q, st, "write consent", e);
}

static int sq_consent_has(struct store *s, const char *item, const char *to, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q, "SELECT 1 FROM consents WHERE item = ? AND to_party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, item, false);
	bind_text(st, 2, to, false);
	int rc = sqlite3_step(st);
	release(q, st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : fail(q, e, "read consent");
}

/* ---- export regimes ---- */

static void bind_span(sqlite3_stmt *st, int i, date_t from, date_t to)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	bind_text(st, i, date_format(from, d1), false);
	bind_text(st, i + 1, to == DATE_MAX ? "" : date_format(to, d2), true);
}

/* Reads columns i, i+1 (valid_from, valid_to or NULL); false when damaged. */
static bool col_span(sqlite3_stmt *st, int i, date_t *from, date_t *to)
{
	const char *f = (const char *)sqlite3_column_text(st, i);
	const char *t = (const char *)sqlite3_column_text(st, i + 1);
	*to = DATE_MAX;
	return f && date_parse(f, from, NULL) == 0 && (!t || date_parse(t, to, NULL) == 0);
}

static int licence_put(struct sq *q, const char *party, const struct export_licence *l,
		       const char *source, const char *on, bool replace, struct lerr *e)
{
	sqlite3_stmt *st;
	const char *sql =
	    replace ? "INSERT INTO export_licences(id, party, kind, entry, country, valid_from,"
		      " valid_to, source, added_on) VALUES(?, ?, 'individual', ?, ?, ?, ?, ?, ?)"
		      " ON CONFLICT(id) DO UPDATE SET party = excluded.party,"
		      " entry = excluded.entry, country = excluded.country,"
		      " valid_from = excluded.valid_from, valid_to = excluded.valid_to"
		    : "INSERT INTO export_licences(id, party, kind, entry, country, valid_from,"
		      " valid_to, source, added_on) VALUES(?, ?, 'individual', ?, ?, ?, ?, ?, ?)";
	if (prep(q, sql, &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, l->id, false);
	bind_text(st, 2, party, false);
	bind_text(st, 3, l->entry, false);
	bind_text(st, 4, l->country, false);
	bind_span(st, 5, l->from, l->to);
	bind_text(st, 7, source, false);
	bind_text(st, 8, on, false);
	int rc = sqlite3_step(st);
	release(q, st);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return lerr_set(e, LERR_EXISTS, "licence %s is already on file", l->id);
	return rc == SQLITE_DONE ? 0 : fail(q, e, "write licence");
}

static int sq_export_regime_put(struct store *s, const struct export_regime *r, const char *on,
				struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "INSERT INTO export_regimes(party, default_group) VALUES(?, ?)"
		 " ON CONFLICT(party) DO UPDATE SET default_group = excluded.default_group",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, r->party, false);
	bind_text(st, 2, export_group_name(r->default_group), false);
	if (step_done(q, st, "write export regime", e) < 0 ||
	    delete_for(q, "DELETE FROM export_groups WHERE party = ?", r->party, e) < 0 ||
	    delete_for(q, "DELETE FROM export_entries WHERE party = ?", r->party, e) < 0 ||
	    delete_for(q, "DELETE FROM export_measures WHERE party = ?", r->party, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct export_interval *g = &r->groups[i];
		if (prep(q,
			 "INSERT INTO export_groups(party, country, grp, valid_from, valid_to)"
			 " VALUES(?, ?, ?, ?, ?)",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, r->party, false);
		bind_text(st, 2, g->country, false);
		bind_text(st, 3, export_group_name(g->group), false);
		bind_span(st, 4, g->from, g->to);
		if (step_done(q, st, "write country group", e) < 0)
			return LERR_STORE;
	}
	for (size_t i = 0; i < r->nentries; i++) {
		const struct export_entry *x = &r->entries[i];
		if (prep(q,
			 "INSERT INTO export_entries(party, code, name, list_item, position)"
			 " VALUES(?, ?, ?, ?, ?)",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, r->party, false);
		bind_text(st, 2, x->code, false);
		bind_text(st, 3, x->name, false);
		sqlite3_bind_int(st, 4, x->list_item);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)i);
		if (step_done(q, st, "write control-list entry", e) < 0)
			return LERR_STORE;
	}
	for (size_t i = 0; i < r->nmeasures; i++) {
		const struct export_measure *m = &r->measures[i];
		if (prep(q,
			 "INSERT INTO export_measures(party, country, valid_from, valid_to,"
			 " requires) VALUES(?, ?, ?, ?, 'individual')",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, r->party, false);
		bind_text(st, 2, m->country, false);
		bind_span(st, 3, m->from, m->to);
		if (step_done(q, st, "write special measure", e) < 0)
			return LERR_STORE;
		sqlite3_int64 id = sqlite3_last_insert_rowid(q->db);
		for (size_t k = 0; k < m->nentries; k++) {
			if (prep(q,
				 "INSERT OR IGNORE INTO export_measure_entries(measure, entry,"
				 " position) VALUES(?, ?, ?)",
				 &st, e) < 0)
				return LERR_STORE;
			sqlite3_bind_int64(st, 1, id);
			bind_text(st, 2, m->entries[k], false);
			sqlite3_bind_int64(st, 3, (sqlite3_int64)k);
			if (step_done(q, st, "write special measure", e) < 0)
				return LERR_STORE;
		}
	}
	for (size_t i = 0; i < r->nlicences; i++)
		if (licence_put(q, r->party, &r->licences[i], "config", on, true, e) < 0)
			return LERR_STORE;
	return 0;
}

/* Grows *v (of *n elements of size sz) by one zeroed element; NULL when out of memory. */
static void *grow(void **v, size_t *n, size_t sz)
{
	char *m = realloc(*v, (*n + 1) * sz);
	if (!m)
		return NULL;
	*v = m;
	memset(m + *n * sz, 0, sz);
	return m + (*n)++ * sz;
}

static int load_regime_rows(struct sq *q, struct export_regime *r, struct lerr *e)
{
	static const char *const sql[] = {
	    "SELECT country, grp, valid_from, valid_to FROM export_groups WHERE party = ?"
	    " ORDER BY country, valid_from",
	    "SELECT code, name, list_item FROM export_entries WHERE party = ? ORDER BY position",
	    "SELECT country, valid_from, valid_to FROM export_measures WHERE party = ?"
	    " ORDER BY id",
	    "SELECT id, entry, country, valid_from, valid_to FROM export_licences"
	    " WHERE party = ? ORDER BY valid_from, id"};
	for (int t = 0; t < 4; t++) {
		sqlite3_stmt *st;
		if (prep(q, sql[t], &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, r->party, false);
		int rc, r2 = 0;
		while (r2 == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			bool ok = true;
			if (t == 0) {
				struct export_interval *g =
				    grow((void **)&r->groups, &r->ngroups, sizeof *g);
				if (!g)
					break;
				col_copy(st, 0, g->country, sizeof g->country);
				ok = export_group_parse(col_str(st, 1), &g->group, NULL) == 0 &&
				     col_span(st, 2, &g->from, &g->to);
			} else if (t == 1) {
				struct export_entry *x =
				    grow((void **)&r->entries, &r->nentries, sizeof *x);
				if (!x)
					break;
				col_copy(st, 0, x->code, sizeof x->code);
				col_copy(st, 1, x->name, sizeof x->name);
				x->list_item = sqlite3_column_int(st, 2);
			} else if (t == 2) {
				struct export_measure *m =
				    grow((void **)&r->measures, &r->nmeasures, sizeof *m);
				if (!m)
					break;
				col_copy(st, 0, m->country, sizeof m->country);
				ok = col_span(st, 1, &m->from, &m->to);
			} else {
				struct export_licence *l =
				    grow((void **)&r->licences, &r->nlicences, sizeof *l);
				if (!l)
					break;
				col_copy(st, 0, l->id, sizeof l->id);
				col_copy(st, 1, l->entry, sizeof l->entry);
				col_copy(st, 2, l->country, sizeof l->country);
				ok = col_span(st, 3, &l->from, &l->to);
			}
			if (!ok)
				r2 = lerr_set(e, LERR_STORE, "store: export regime %s: damaged row",
					      r->party);
		}
		if (r2 == 0 && rc != SQLITE_DONE)
			r2 = rc == SQLITE_ROW ? lerr_set(e, LERR_NOMEM, "out of memory")
					      : fail(q, e, "read export regime");
		release(q, st);
		if (r2 < 0)
			return r2;
	}
	return 0;
}

/* The measures' entries: one row per (measure, entry), measures in the order loaded. */
static int load_measure_entries(struct sq *q, struct export_regime *r, struct lerr *e)
{
	sqlite3_stmt *st;
	if (prep(q,
		 "SELECT m.id, x.entry FROM export_measures m"
		 " LEFT JOIN export_measure_entries x ON x.measure = m.id"
		 " WHERE m.party = ? ORDER BY m.id, x.position",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, r->party, false);
	int rc;
	size_t i = 0;
	sqlite3_int64 id = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 row = sqlite3_column_int64(st, 0);
		if (id && row != id)
			i++;
		id = row;
		if (i >= r->nmeasures)
			break;
		struct export_measure *m = &r->measures[i];
		if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    m->nentries < EXPORT_MEASURE_ENTRIES_MAX)
			col_copy(st, 1, m->entries[m->nentries++], LABEL_WORD_MAX);
	}
	release(q, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(q, e, "read special measure");
}

static int sq_export_regime_get(struct store *s, const char *party, struct export_regime *r,
				struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	memset(r, 0, sizeof *r);
	if (prep(q, "SELECT party, default_group FROM export_regimes WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	int rc = sqlite3_step(st), res = 0;
	if (rc == SQLITE_ROW) {
		col_copy(st, 0, r->party, sizeof r->party);
		if (export_group_parse(col_str(st, 1), &r->default_group, NULL) < 0)
			res = lerr_set(e, LERR_STORE, "store: export regime %s: damaged", party);
	} else if (rc == SQLITE_DONE)
		res = lerr_set(e, LERR_NOTFOUND,
			       "no export regime of %.16s is on file (export_regimes in the"
			       " configuration file)",
			       party);
	else
		res = fail(q, e, "read export regime");
	release(q, st);
	if (res == 0)
		res = load_regime_rows(q, r, e);
	if (res == 0)
		res = load_measure_entries(q, r, e);
	if (res < 0)
		export_regime_free(r);
	return res;
}

static int sq_export_licence_add(struct store *s, const char *party, const struct export_licence *l,
				 const char *source, const char *on, struct lerr *e)
{
	return licence_put(SQ(s), party, l, source, on, false, e);
}

/* ---- the transparency log ---- */

/* A statement kept prepared for the life of the handle (the log's hot path). */
static int cached(struct sq *q, int slot, const char *sql, sqlite3_stmt **st, struct lerr *e)
{
	if (!q->cache[slot] && sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
						  &q->cache[slot], NULL) != SQLITE_OK)
		return fail(q, e, "prepare");
	*st = q->cache[slot];
	sqlite3_reset(*st);
	sqlite3_clear_bindings(*st);
	return 0;
}

enum { C_LOG_SIZE, C_LOG_ADD, C_LOG_GET, C_HASH_PUT, C_HASH_GET, C_TOKEN_FIND, C_VERSION };

static int sq_log_size(struct store *s, uint64_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (cached(q, C_LOG_SIZE, "SELECT coalesce(max(idx) + 1, 0) FROM log_entries", &st, e) < 0)
		return LERR_STORE;
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : fail(q, e, "log size");
}

static int sq_log_entry_add(struct store *s, uint64_t index, const void *data, size_t len,
			    struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (cached(q, C_LOG_ADD, "INSERT INTO log_entries(idx, data) VALUES(?, ?)", &st, e) < 0)
		return LERR_STORE;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
	sqlite3_bind_blob64(st, 2, data, len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail(q, e, "append log entry");
}

static int sq_log_entry_get(struct store *s, uint64_t index, char **data, size_t *len,
			    struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	*data = NULL;
	*len = 0;
	if (cached(q, C_LOG_GET, "SELECT data FROM log_entries WHERE idx = ?", &st, e) < 0)
		return LERR_STORE;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		const void *v = sqlite3_column_blob(st, 0);
		*data = malloc(n + 1);
		if (!*data)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
		else {
			if (n)
				memcpy(*data, v, n);
			(*data)[n] = '\0';
			*len = n;
		}
	} else if (rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "no log entry %llu", (unsigned long long)index);
	else
		r = fail(q, e, "read log entry");
	sqlite3_reset(st);
	return r;
}

static int sq_log_hash_put(struct store *s, unsigned level, uint64_t index, const uint8_t hash[32],
			   struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (cached(q, C_HASH_PUT, "INSERT INTO log_hashes(level, idx, hash) VALUES(?, ?, ?)", &st,
		   e) < 0)
		return LERR_STORE;
	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail(q, e, "store log hash");
}

static int sq_log_hash_get(struct store *s, unsigned level, uint64_t index, uint8_t hash[32],
			   struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (cached(q, C_HASH_GET, "SELECT hash FROM log_hashes WHERE level = ? AND idx = ?", &st,
		   e) < 0)
		return LERR_STORE;
	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
		memcpy(hash, sqlite3_column_blob(st, 0), 32);
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		r = lerr_set(e, LERR_STORE, "store: log hash (%u, %llu) is missing or damaged",
			     level, (unsigned long long)index);
	else
		r = fail(q, e, "read log hash");
	sqlite3_reset(st);
	return r;
}

static int sq_witness_put(struct store *s, const char *origin, uint64_t size, const char *note,
			  const char *on, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "INSERT INTO log_witnessed(origin, size, note, seen_on) VALUES(?, ?, ?, ?)"
		 " ON CONFLICT(origin, size) DO NOTHING",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, origin, false);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
	bind_text(st, 3, note, false);
	bind_text(st, 4, on, false);
	return step_done(q, st, "store checkpoint", e);
}

static int sq_witness_latest(struct store *s, const char *origin, char **note, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	*note = NULL;
	if (prep(q, "SELECT note FROM log_witnessed WHERE origin = ? ORDER BY size DESC LIMIT 1",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, origin, false);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW) {
		*note = strdup(col_str(st, 0));
		if (!*note)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
	} else if (rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "no checkpoint of %.128s seen yet", origin);
	else
		r = fail(q, e, "read checkpoint");
	release(q, st);
	return r;
}

/* The data version (moves when another connection commits) and this connection's changes. */
static int sq_generation(struct store *s, uint64_t *gen, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (cached(q, C_VERSION, "PRAGMA data_version", &st, e) < 0)
		return LERR_STORE;
	int rc = sqlite3_step(st);
	uint64_t dv = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return fail(q, e, "data version");
	*gen = dv << 32 ^ (uint64_t)sqlite3_total_changes64(q->db);
	return 0;
}

/* ---- bearer tokens ---- */

static int sq_token_put(struct store *s, const struct store_token *t, const uint8_t hash[32],
			struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q, "INSERT INTO tokens(id, person, hash, issued_on) VALUES(?, ?, ?, ?)", &st, e) <
	    0)
		return LERR_STORE;
	bind_text(st, 1, t->id, false);
	bind_text(st, 2, t->person, false);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
	bind_text(st, 4, t->issued_on, false);
	return step_done(q, st, "store token", e);
}

static void token_row(sqlite3_stmt *st, struct store_token *t)
{
	memset(t, 0, sizeof *t);
	col_copy(st, 0, t->id, sizeof t->id);
	col_copy(st, 1, t->person, sizeof t->person);
	col_copy(st, 2, t->issued_on, sizeof t->issued_on);
	col_copy(st, 3, t->revoked_on, sizeof t->revoked_on);
}

static int sq_token_find(struct store *s, const uint8_t hash[32], struct store_token *t,
			 struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (cached(q, C_TOKEN_FIND,
		   "SELECT id, person, issued_on, revoked_on, hash FROM tokens WHERE hash = ?", &st,
		   e) < 0)
		return LERR_STORE;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 4) == 32 &&
	    sodium_memcmp(sqlite3_column_blob(st, 4), hash, 32) == 0)
		token_row(st, t);
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "unknown token");
	else
		r = fail(q, e, "read token");
	sqlite3_reset(st);
	return r;
}

static int sq_token_list(struct store *s, const char *person, struct store_token **out, size_t *n,
			 struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q,
		 "SELECT id, person, issued_on, revoked_on FROM tokens WHERE person = ?"
		 " ORDER BY issued_on, id",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, person, false);
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_token *t = grow((void **)out, n, sizeof *t);
		if (!t) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		token_row(st, t);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "list tokens");
	release(q, st);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

static int sq_token_revoke(struct store *s, const char *id, const char *on, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q, "UPDATE tokens SET revoked_on = ? WHERE id = ? AND revoked_on IS NULL", &st,
		 e) < 0)
		return LERR_STORE;
	bind_text(st, 1, on, false);
	bind_text(st, 2, id, false);
	int r = step_done(q, st, "revoke token", e);
	if (r == 0 && sqlite3_changes(q->db) == 0)
		r = lerr_set(e, LERR_NOTFOUND, "no token %.64s that is not revoked already", id);
	return r;
}

/* ---- federation ---- */

static int sq_peer_put(struct store *s, const struct store_peer *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "INSERT INTO peers(party, url, added_on) VALUES(?, ?, ?)"
		 " ON CONFLICT(party) DO UPDATE SET url = excluded.url",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->party, false);
	bind_text(st, 2, p->url, false);
	bind_text(st, 3, p->added_on, false);
	return step_done(q, st, "store peer", e);
}

#define PEER_COLS "party, url, added_on, witnessed_size, witnessed_at, witness_error, alarm"

static void peer_row(sqlite3_stmt *st, struct store_peer *p)
{
	col_copy(st, 0, p->party, sizeof p->party);
	col_copy(st, 1, p->url, sizeof p->url);
	col_copy(st, 2, p->added_on, sizeof p->added_on);
	p->witnessed = sqlite3_column_type(st, 3) != SQLITE_NULL;
	p->witnessed_size = (uint64_t)sqlite3_column_int64(st, 3);
	p->witnessed_at = sqlite3_column_int64(st, 4);
	col_copy(st, 5, p->witness_error, sizeof p->witness_error);
	col_copy(st, 6, p->alarm, sizeof p->alarm);
}

static int sq_peer_status(struct store *s, const struct store_peer *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "UPDATE peers SET witnessed_size = ?, witnessed_at = ?, witness_error = ?,"
		 " alarm = ? WHERE party = ?",
		 &st, e) < 0)
		return LERR_STORE;
	if (p->witnessed) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)p->witnessed_size);
		sqlite3_bind_int64(st, 2, p->witnessed_at);
	} else {
		sqlite3_bind_null(st, 1);
		sqlite3_bind_null(st, 2);
	}
	bind_text(st, 3, p->witness_error, true);
	bind_text(st, 4, p->alarm, true);
	bind_text(st, 5, p->party, false);
	int r = step_done(q, st, "peer status", e);
	if (r == 0 && sqlite3_changes(q->db) != 1)
		r = lerr_set(e, LERR_NOTFOUND, "%.32s is not a peer of this node", p->party);
	return r;
}

static int sq_peer_get(struct store *s, const char *party, struct store_peer *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	memset(p, 0, sizeof *p);
	if (prep(q, "SELECT " PEER_COLS " FROM peers WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW)
		peer_row(st, p);
	else if (rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND,
			     "%.32s is not a peer of this node (liaison peer add)", party);
	else
		r = fail(q, e, "read peer");
	release(q, st);
	return r;
}

static int sq_peer_list(struct store *s, struct store_peer **out, size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT " PEER_COLS " FROM peers ORDER BY party", &st, e) < 0)
		return LERR_STORE;
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_peer *p = grow((void **)out, n, sizeof *p);
		if (!p) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		memset(p, 0, sizeof *p);
		peer_row(st, p);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "list peers");
	release(q, st);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

static int sq_peer_remove(struct store *s, const char *party, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q, "DELETE FROM peers WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	int r = step_done(q, st, "remove peer", e);
	if (r == 0 && sqlite3_changes(q->db) == 0)
		r = lerr_set(e, LERR_NOTFOUND, "%.32s is not a peer of this node", party);
	return r;
}

static int sq_outbox_add(struct store *s, const struct store_msg *m, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "INSERT INTO outbox(id, peer, kind, ref, body, digest, created_on, attempts,"
		 " next_try, state) VALUES(?, ?, ?, ?, ?, ?, ?, 0, ?, 0)",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, m->id, false);
	bind_text(st, 2, m->peer, false);
	bind_text(st, 3, m->kind, false);
	bind_text(st, 4, m->ref, false);
	if (m->body)
		sqlite3_bind_blob(st, 5, m->body, (int)m->body_len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 5);
	bind_text(st, 6, m->digest, false);
	bind_text(st, 7, m->created_on, false);
	sqlite3_bind_int64(st, 8, m->next_try);
	return step_done(q, st, "queue message", e);
}

#define OUTBOX_COLS                                                                                \
	"id, peer, kind, ref, digest, created_on, attempts, next_try, state, done_on,"             \
	" last_error, receipt, body"

/* A row of OUTBOX_COLS; the body only when with_body. */
static int outbox_row(sqlite3_stmt *st, struct store_msg *m, bool with_body)
{
	memset(m, 0, sizeof *m);
	col_copy(st, 0, m->id, sizeof m->id);
	col_copy(st, 1, m->peer, sizeof m->peer);
	col_copy(st, 2, m->kind, sizeof m->kind);
	col_copy(st, 3, m->ref, sizeof m->ref);
	col_copy(st, 4, m->digest, sizeof m->digest);
	col_copy(st, 5, m->created_on, sizeof m->created_on);
	m->attempts = sqlite3_column_int64(st, 6);
	m->next_try = sqlite3_column_int64(st, 7);
	m->state = (enum msg_state)sqlite3_column_int(st, 8);
	col_copy(st, 9, m->done_on, sizeof m->done_on);
	col_copy(st, 10, m->last_error, sizeof m->last_error);
	if (sqlite3_column_type(st, 11) != SQLITE_NULL && !(m->receipt = strdup(col_str(st, 11))))
		return -1;
	if (with_body && sqlite3_column_type(st, 12) != SQLITE_NULL) {
		int len = sqlite3_column_bytes(st, 12);
		const void *b = sqlite3_column_blob(st, 12);
		if (!(m->body = malloc((size_t)len + 1)))
			return -1;
		if (len)
			memcpy(m->body, b, (size_t)len);
		m->body[len] = '\0';
		m->body_len = (size_t)len;
	}
	return 0;
}

static int outbox_rows(struct sq *q, sqlite3_stmt *st, bool with_body, struct store_msg **out,
		       size_t *n, struct lerr *e)
{
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_msg *m = grow((void **)out, n, sizeof *m);
		if (!m || outbox_row(st, m, with_body) < 0) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = fail(q, e, "read outbox");
	release(q, st);
	if (r < 0) {
		store_msg_free(*out, *n);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

static int sq_outbox_due(struct store *s, int64_t now, size_t max, struct store_msg **out,
			 size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q,
		 "SELECT " OUTBOX_COLS " FROM outbox WHERE state = 0 AND next_try <= ?"
		 " ORDER BY seq LIMIT ?",
		 &st, e) < 0)
		return LERR_STORE;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return outbox_rows(q, st, true, out, n, e);
}

static int sq_outbox_list(struct store *s, struct store_msg **out, size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT " OUTBOX_COLS " FROM outbox ORDER BY seq", &st, e) < 0)
		return LERR_STORE;
	return outbox_rows(q, st, false, out, n, e);
}

static int sq_outbox_update(struct store *s, const struct store_msg *m, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "UPDATE outbox SET attempts = ?, next_try = ?, state = ?, done_on = ?,"
		 " last_error = ?, receipt = ? WHERE id = ?",
		 &st, e) < 0)
		return LERR_STORE;
	sqlite3_bind_int64(st, 1, m->attempts);
	sqlite3_bind_int64(st, 2, m->next_try);
	sqlite3_bind_int(st, 3, (int)m->state);
	bind_text(st, 4, m->done_on, true);
	bind_text(st, 5, m->last_error, true);
	if (m->receipt)
		bind_text(st, 6, m->receipt, false);
	else
		sqlite3_bind_null(st, 6);
	bind_text(st, 7, m->id, false);
	int r = step_done(q, st, "update message", e);
	if (r == 0 && sqlite3_changes(q->db) != 1)
		r = lerr_set(e, LERR_NOTFOUND, "no message %.40s in the outbox", m->id);
	return r;
}

static int sq_inbox_add(struct store *s, const struct store_msg *m, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q,
		 "INSERT INTO inbox(id, peer, kind, ref, digest, received_on)"
		 " VALUES(?, ?, ?, ?, ?, ?)",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, m->id, false);
	bind_text(st, 2, m->peer, false);
	bind_text(st, 3, m->kind, false);
	bind_text(st, 4, m->ref, false);
	bind_text(st, 5, m->digest, false);
	bind_text(st, 6, m->done_on, false);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		r = lerr_set(e, LERR_EXISTS, "message %.40s was received already", m->id);
	else if (rc != SQLITE_DONE)
		r = fail(q, e, "record message");
	release(q, st);
	return r;
}

static int sq_inbox_get(struct store *s, const char *id, struct store_msg *m, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	memset(m, 0, sizeof *m);
	if (prep(q, "SELECT id, peer, kind, ref, digest, received_on FROM inbox WHERE id = ?", &st,
		 e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW) {
		col_copy(st, 0, m->id, sizeof m->id);
		col_copy(st, 1, m->peer, sizeof m->peer);
		col_copy(st, 2, m->kind, sizeof m->kind);
		col_copy(st, 3, m->ref, sizeof m->ref);
		col_copy(st, 4, m->digest, sizeof m->digest);
		col_copy(st, 5, m->done_on, sizeof m->done_on);
		m->state = MSG_DELIVERED;
	} else if (rc == SQLITE_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "no message %.40s received", id);
	else
		r = fail(q, e, "read inbox");
	release(q, st);
	return r;
}

static int sq_nonce_use(struct store *s, const char *party, const char *nonce, int64_t at,
			int64_t forget_before, struct lerr *e)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	if (prep(q, "DELETE FROM peer_nonces WHERE at < ?", &st, e) < 0)
		return LERR_STORE;
	sqlite3_bind_int64(st, 1, forget_before);
	if (step_done(q, st, "forget nonces", e) < 0)
		return LERR_STORE;
	if (prep(q, "INSERT INTO peer_nonces(party, nonce, at) VALUES(?, ?, ?)", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	bind_text(st, 2, nonce, false);
	sqlite3_bind_int64(st, 3, at);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		r = lerr_set(e, LERR_EXISTS, "a replayed request: %.32s used this nonce already",
			     party);
	else if (rc != SQLITE_DONE)
		r = fail(q, e, "record nonce");
	release(q, st);
	return r;
}

static const struct store_ops sqlite_ops = {
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    .party_put = sq_party_put,
    .party_get = sq_party_get,
    .party_list = sq_party_list,
    .agreement_put = sq_agreement_put,
    .agreement_get = sq_agreement_get,
    .agreement_ids = sq_agreement_ids,
    .event_add = sq_event_add,
    .person_put = sq_person_put,
    .person_get = sq_person_get,
    .person_ids = sq_person_ids,
    .party_key_put = sq_party_key_put,
    .party_key_get = sq_party_key_get,
    .item_add = sq_item_add,
    .item_get = sq_item_get,
    .item_ids = sq_item_ids,
    .item_relabel = sq_item_relabel,
    .item_destroy = sq_item_destroy,
    .release_add = sq_release_add,
    .consent_put = sq_consent_put,
    .consent_has = sq_consent_has,
    .export_regime_put = sq_export_regime_put,
    .export_regime_get = sq_export_regime_get,
    .export_licence_add = sq_export_licence_add,
    .log_size = sq_log_size,
    .log_entry_add = sq_log_entry_add,
    .log_entry_get = sq_log_entry_get,
    .log_hash_put = sq_log_hash_put,
    .log_hash_get = sq_log_hash_get,
    .witness_put = sq_witness_put,
    .witness_latest = sq_witness_latest,
    .token_put = sq_token_put,
    .token_find = sq_token_find,
    .token_list = sq_token_list,
    .token_revoke = sq_token_revoke,
    .generation = sq_generation,
    .peer_put = sq_peer_put,
    .peer_get = sq_peer_get,
    .peer_list = sq_peer_list,
    .peer_remove = sq_peer_remove,
    .peer_status = sq_peer_status,
    .outbox_add = sq_outbox_add,
    .outbox_due = sq_outbox_due,
    .outbox_list = sq_outbox_list,
    .outbox_update = sq_outbox_update,
    .inbox_add = sq_inbox_add,
    .inbox_get = sq_inbox_get,
    .nonce_use = sq_nonce_use,
};

/*
 * SQLite's process-wide settings, once: no memory statistics (they take a
 * global mutex on every allocation, which serialises a daemon's threads).
 */
static void sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_sqlite_open(const char *path, bool create, struct store **out, struct lerr *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	*out = NULL;
	struct stat sb;
	if (!create && stat(path, &sb) != 0)
		return lerr_set(e, LERR_NOTFOUND, "store %s: no such file", path);
	struct sq *q = calloc(1, sizeof *q);
	if (!q)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	q->base.ops = &sqlite_ops;
	int flags =
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &q->db, flags, NULL) != SQLITE_OK) {
		lerr_set(e, LERR_STORE, "store %s: %s", path,
			 q->db ? sqlite3_errmsg(q->db) : "cannot open");
		sq_close(&q->base);
		return LERR_STORE;
	}
	sqlite3_extended_result_codes(q->db, 1);
	if (exec(q,
		 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		 " PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
		 e) < 0 ||
	    migrate(q, e) < 0) {
		lerr_prefix(e, "store %s", path);
		sq_close(&q->base);
		return LERR_STORE;
	}
	*out = &q->base;
	return 0;
}
