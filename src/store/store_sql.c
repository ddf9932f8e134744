/*
 * store_sql.c - the store over SQL (store.h), written once for both
 * engines through sql.h: SQLite, the embedded default, and PostgreSQL.
 *
 * The schema is versioned: each migration runs in its own transaction, in
 * order, when the store is opened (PostgreSQL: under the store's lock, so
 * that daemons starting together migrate once). A write transaction holds
 * the store's one write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
 * advisory lock taken first in the transaction), so the log's appends are
 * one line of history whichever process writes.
 */
#include "backend.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"

struct sq {
	struct store base;
	struct sql *c;
	int version;
};

/* A migration: its SQL (SQLite's), and PostgreSQL's where it is not the
 * same text with the types translated (pg_ddl). */
struct migration {
	const char *sql, *pg;
};

static const struct migration migrations[] = {
    /* 1: parties, schemes, agreements and their events. */
    {"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
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
     NULL},
    /* 2: people. */
    {"CREATE TABLE people(id TEXT PRIMARY KEY,"
     " party TEXT NOT NULL REFERENCES parties(code) DEFERRABLE INITIALLY DEFERRED,"
     " name TEXT NOT NULL, roles INTEGER NOT NULL,"
     " level TEXT, clearance_from TEXT, clearance_to TEXT,"
     " FOREIGN KEY(party, level) REFERENCES levels(party, code) DEFERRABLE INITIALLY DEFERRED)"
     " STRICT;"
     "CREATE TABLE person_ntk(person TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
     " grp TEXT NOT NULL, PRIMARY KEY(person, grp)) STRICT;",
     NULL},
    /* 3: peers' keys, items, releases, consents. */
    {"CREATE TABLE party_keys(party TEXT PRIMARY KEY REFERENCES parties(code),"
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
     NULL},
    /* 4: export regimes: groups, control-list entries, special measures, licences. */
    {"CREATE TABLE export_regimes(party TEXT PRIMARY KEY REFERENCES parties(code),"
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
     NULL},
    /* 5: the transparency log: entries, complete subtree hashes, checkpoints seen. */
    {"CREATE TABLE log_entries(idx INTEGER PRIMARY KEY, data BLOB NOT NULL) STRICT;"
     "CREATE TABLE log_hashes(level INTEGER NOT NULL, idx INTEGER NOT NULL,"
     " hash BLOB NOT NULL, PRIMARY KEY(level, idx)) STRICT, WITHOUT ROWID;"
     "CREATE TABLE log_witnessed(origin TEXT NOT NULL, size INTEGER NOT NULL,"
     " note TEXT NOT NULL, seen_on TEXT NOT NULL, PRIMARY KEY(origin, size)) STRICT;",
     NULL},
    /* 6: people's bearer tokens for the HTTP API, stored hashed. */
    {("CREATE TABLE tokens(id TEXT PRIMARY KEY, person TEXT NOT NULL REFERENCES people(id),"
      " hash BLOB NOT NULL UNIQUE, issued_on TEXT NOT NULL, revoked_on TEXT) STRICT;"),
     NULL},
    /* 7: federation: peers, the outbox and its receipts, the inbox, request nonces. */
    {"CREATE TABLE peers(party TEXT PRIMARY KEY REFERENCES parties(code),"
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
     NULL},
    /* 8: items numbered in the order stored (paging, the same in both engines);
     * PostgreSQL's generation counter (store_generation). */
    {"ALTER TABLE items ADD COLUMN seq INTEGER;"
     "UPDATE items SET seq = rowid;"
     "CREATE UNIQUE INDEX items_by_seq ON items(seq);",
     "ALTER TABLE items ADD COLUMN seq BIGINT;"
     "CREATE UNIQUE INDEX items_by_seq ON items(seq);"
     "CREATE TABLE store_generation(n BIGINT NOT NULL);"
     "INSERT INTO store_generation VALUES(0);"},
    /* 9: need to know for everything: the groups and purposes each party
     * declares, whether its node takes its operator's acts for a person,
     * who shared an item, tokens that expire, are read-only, and were last
     * used on a day. */
    {"CREATE TABLE party_words(party TEXT NOT NULL REFERENCES parties(code) ON DELETE CASCADE,"
     " kind TEXT NOT NULL, word TEXT NOT NULL, position INTEGER NOT NULL,"
     " PRIMARY KEY(party, kind, word)) STRICT;"
     "ALTER TABLE parties ADD COLUMN no_operator_acts INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE items ADD COLUMN shared_by TEXT;"
     "ALTER TABLE tokens ADD COLUMN expires_on TEXT;"
     "ALTER TABLE tokens ADD COLUMN last_used TEXT;"
     "ALTER TABLE tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;",
     NULL},
    /* 10: clearances that match the law: a level that needs its own clearance,
     * and one whose clearances lapse after some years. */
    {"ALTER TABLE levels ADD COLUMN separate INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE levels ADD COLUMN valid_years INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE parties ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';",
     NULL},
    /* 11: the record, exact: a person's several clearances (people's own
     * level columns are left empty from here on); a regime's own country
     * groups; licences that name their exporter and consignee; dated
     * announcements; the public source of an event, measure or licence. */
    {"CREATE TABLE clearances(person TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
     " position INTEGER NOT NULL, party TEXT NOT NULL, level TEXT NOT NULL,"
     " valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, PRIMARY KEY(person, position),"
     " FOREIGN KEY(party, level) REFERENCES levels(party, code) DEFERRABLE INITIALLY DEFERRED)"
     " STRICT;"
     "INSERT INTO clearances(person, position, party, level, valid_from, valid_to)"
     " SELECT id, 0, party, level, clearance_from, clearance_to FROM people"
     " WHERE level IS NOT NULL;"
     "UPDATE people SET level = NULL, clearance_from = NULL, clearance_to = NULL;"
     "CREATE TABLE export_group_defs("
     " party TEXT NOT NULL REFERENCES export_regimes(party) ON DELETE CASCADE,"
     " code TEXT NOT NULL, name TEXT NOT NULL, rules TEXT NOT NULL,"
     " position INTEGER NOT NULL, PRIMARY KEY(party, code)) STRICT;"
     "ALTER TABLE export_licences ADD COLUMN exporter TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE export_licences ADD COLUMN consignee TEXT NOT NULL DEFAULT '';"
     "CREATE TABLE announcements(id INTEGER PRIMARY KEY, scope TEXT NOT NULL,"
     " date TEXT NOT NULL, title TEXT NOT NULL, by_party TEXT NOT NULL,"
     " source_title TEXT NOT NULL, source_url TEXT NOT NULL) STRICT;"
     "CREATE INDEX announcements_by_scope ON announcements(scope, date);"
     "CREATE TABLE sources(scope TEXT NOT NULL, ref TEXT NOT NULL, title TEXT NOT NULL,"
     " url TEXT NOT NULL, PRIMARY KEY(scope, ref)) STRICT;",
     NULL},
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

static struct sq *SQ(struct store *s)
{
	return (struct sq *)s;
}

static int fail(struct sq *q, struct lerr *e, const char *what)
{
	return lerr_set(e, LERR_STORE, "store: %s: %s", what, sql_errmsg(q->c));
}

/*
 * A prepared statement for sql (a string literal: its address is the key;
 * the driver parses it once per connection). Give it back with release().
 */
static int prep(struct sq *q, const char *sql, struct sql_stmt **st, struct lerr *e)
{
	return sql_prep(q->c, sql, st, e);
}

static void release(struct sq *q, struct sql_stmt *st)
{
	(void)q;
	sql_release(st);
}

static int exec(struct sq *q, const char *sql, struct lerr *e)
{
	return sql_exec(q->c, sql, e);
}

/* Binds text or NULL (for an empty string when empty_null). */
static void bind_text(struct sql_stmt *st, int i, const char *v, bool empty_null)
{
	sql_bind_text(st, i, empty_null && v[0] == '\0' ? NULL : v);
}

/* Copies column i (text) into dst; false if NULL-free text did not fit. */
static bool col_copy(struct sql_stmt *st, int i, char *dst, size_t n)
{
	const char *v = sql_text(st, i);
	return str_copy(dst, n, v ? v : "");
}

/* Column i as text, "" when NULL. */
static const char *col_str(struct sql_stmt *st, int i)
{
	const char *v = sql_text(st, i);
	return v ? v : "";
}

/* Column i as a blob of exactly n bytes copied into dst; false otherwise. */
static bool col_blob(struct sql_stmt *st, int i, void *dst, size_t n)
{
	size_t got = 0;
	const void *v = sql_blob(st, i, &got);
	if (!v || got != n)
		return false;
	memcpy(dst, v, n);
	return true;
}

/* Steps a statement that returns no row, then gives it back. */
static int step_done(struct sq *q, struct sql_stmt *st, const char *what, struct lerr *e)
{
	int rc = sql_step(st);
	int r = rc == SQL_DONE ? 0 : fail(q, e, what);
	release(q, st);
	return r;
}

/*
 * Steps an INSERT ... RETURNING of one integer (a new row's id) into *id,
 * then gives the statement back.
 */
static int step_id(struct sq *q, struct sql_stmt *st, int64_t *id, const char *what, struct lerr *e)
{
	int rc = sql_step(st);
	if (rc == SQL_ROW) {
		*id = sql_int(st, 0);
		rc = sql_step(st);
	}
	int r = rc == SQL_DONE ? 0 : fail(q, e, what);
	release(q, st);
	return r;
}

/* The key of PostgreSQL's advisory lock that stands for the store's write lock. */
#define PG_WRITE_LOCK "7401"

static int sq_begin(struct store *s, struct lerr *e)
{
	struct sq *q = SQ(s);
	return exec(q,
		    q->c->dialect == SQL_PG ? "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK
					      ")"
					    : "BEGIN IMMEDIATE",
		    e);
}

static int sq_commit(struct store *s, struct lerr *e)
{
	struct sq *q = SQ(s);
	/* PostgreSQL: the generation counter moves with the commit (store_generation) */
	if (exec(q,
		 q->c->dialect == SQL_PG ? "UPDATE store_generation SET n = n + 1; COMMIT"
					 : "COMMIT",
		 e) < 0) {
		if (sql_in_tx(q->c))
			(void)exec(q, "ROLLBACK", NULL);
		return LERR_STORE;
	}
	return 0;
}

/* A read transaction: one snapshot for many reads. */
static int sq_read_begin(struct store *s, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (q->c->dialect == SQL_PG)
		return exec(q, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", e);
	return prep(q, "BEGIN DEFERRED", &st, e) < 0 ? LERR_STORE
						     : step_done(q, st, "begin reading", e);
}

static void sq_read_end(struct store *s)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (!sql_in_tx(q->c))
		return;
	if (q->c->dialect == SQL_PG)
		(void)exec(q, "COMMIT", NULL);
	else if (prep(q, "COMMIT", &st, NULL) == 0)
		(void)step_done(q, st, "end reading", NULL);
}

static void sq_rollback(struct store *s)
{
	struct sq *q = SQ(s);
	if (sql_in_tx(q->c))
		(void)exec(q, "ROLLBACK", NULL);
}

/*
 * A migration's text for PostgreSQL: SQLite's with its types translated
 * (INTEGER: BIGINT, BLOB: BYTEA, an INTEGER PRIMARY KEY: an identity
 * column; no STRICT, no WITHOUT ROWID). malloc'd; NULL when out of memory.
 */
static char *pg_ddl(const char *sql)
{
	static const char *const from[] = {
	    ", WITHOUT ROWID",	   " STRICT", "INTEGER PRIMARY KEY AUTOINCREMENT",
	    "INTEGER PRIMARY KEY", "INTEGER", "BLOB"};
	static const char *const to[] = {"",
					 "",
					 "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
					 "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
					 "BIGINT",
					 "BYTEA"};
	size_t cap = strlen(sql) * 2 + 1, n = 0;
	char *out = malloc(cap);
	while (out && *sql) {
		size_t k = 0;
		while (k < sizeof from / sizeof *from &&
		       strncmp(sql, from[k], strlen(from[k])) != 0)
			k++;
		const char *piece = k < sizeof from / sizeof *from ? to[k] : sql;
		size_t len = k < sizeof from / sizeof *from ? strlen(to[k]) : 1;
		if (n + len + 1 > cap) {
			char *bigger = realloc(out, cap *= 2);
			if (!bigger) {
				free(out);
				return NULL;
			}
			out = bigger;
		}
		memcpy(out + n, piece, len);
		n += len;
		sql += k < sizeof from / sizeof *from ? strlen(from[k]) : 1;
	}
	if (out)
		out[n] = '\0';
	return out;
}

/* The schema's version: SQLite keeps it in the file's header, PostgreSQL in store_schema. */
static int version_read(struct sq *q, struct lerr *e)
{
	struct sql_stmt *st;
	if (prep(q,
		 q->c->dialect == SQL_PG ? "SELECT coalesce(max(version), 0) FROM store_schema"
					 : "PRAGMA user_version",
		 &st, e) < 0)
		return LERR_STORE;
	int rc = sql_step(st);
	q->version = rc == SQL_ROW ? (int)sql_int(st, 0) : 0;
	int r = rc == SQL_ROW ? 0 : fail(q, e, "schema version");
	release(q, st);
	return r;
}

static int migrate_one(struct sq *q, struct lerr *e)
{
	const struct migration *m = &migrations[q->version];
	char set[96];
	char *pg = NULL;
	if (q->c->dialect == SQL_PG) {
		snprintf(set, sizeof set,
			 "DELETE FROM store_schema; INSERT INTO store_schema VALUES(%d)",
			 q->version + 1);
		if (!m->pg && !(pg = pg_ddl(m->sql)))
			return lerr_set(e, LERR_NOMEM, "out of memory");
	} else {
		snprintf(set, sizeof set, ";PRAGMA user_version=%d;", q->version + 1);
	}
	const char *text = q->c->dialect == SQL_PG ? (m->pg ? m->pg : pg) : m->sql;
	int r = exec(q, q->c->dialect == SQL_PG ? "BEGIN" : "BEGIN IMMEDIATE", e);
	if (r == 0 && (exec(q, text, e) < 0 || exec(q, set, e) < 0)) {
		sq_rollback(&q->base);
		r = lerr_prefix(e, "migration to version %d", q->version + 1);
	}
	free(pg);
	if (r == 0 && (r = exec(q, "COMMIT", e)) < 0)
		sq_rollback(&q->base);
	if (r == 0)
		q->version++;
	return r;
}

/*
 * Brings the schema to SCHEMA_VERSION. PostgreSQL: under the store's lock
 * held for the session, so that daemons starting together migrate once.
 */
static int migrate(struct sq *q, bool create, struct lerr *e)
{
	int r = 0;
	bool pg = q->c->dialect == SQL_PG;
	if (pg && (r = exec(q,
			    "SELECT pg_advisory_lock(" PG_WRITE_LOCK ");"
			    " CREATE TABLE IF NOT EXISTS store_schema(version BIGINT NOT NULL)",
			    e)) < 0)
		return r;
	if ((r = version_read(q, e)) == 0 && q->version > SCHEMA_VERSION)
		r = lerr_set(e, LERR_STORE,
			     "store: schema version %d is newer than this liaison knows (%d)",
			     q->version, SCHEMA_VERSION);
	if (r == 0 && q->version == 0 && !create)
		r = lerr_set(e, LERR_NOTFOUND, "store: no node's store there (liaison init)");
	while (r == 0 && q->version < SCHEMA_VERSION)
		r = migrate_one(q, e);
	if (pg)
		(void)exec(q, "SELECT pg_advisory_unlock(" PG_WRITE_LOCK ")", NULL);
	return r;
}

static void sq_close(struct store *s)
{
	struct sq *q = SQ(s);
	sql_close(q->c);
	free(q);
}

static int sq_schema_version(struct store *s)
{
	return SQ(s)->version;
}

static int sq_meta_get(struct store *s, const char *key, char *val, size_t n, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	val[0] = '\0';
	if (prep(q, "SELECT value FROM meta WHERE key = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, key, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		if (!col_copy(st, 0, val, n))
			r = lerr_set(e, LERR_LIMIT, "store: meta %s is too long", key);
	} else if (rc == SQL_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "store: no setting %s", key);
	else
		r = fail(q, e, "read meta");
	release(q, st);
	return r;
}

static int sq_meta_set(struct store *s, const char *key, const char *val, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
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
	struct sql_stmt *st;
	if (prep(q,
		 "INSERT INTO parties(code, name, no_operator_acts, time_zone) VALUES(?, ?, ?, ?)"
		 " ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
		 " no_operator_acts = excluded.no_operator_acts, time_zone = excluded.time_zone",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->code, false);
	bind_text(st, 2, p->name, false);
	sql_bind_int(st, 3, p->no_operator_acts);
	bind_text(st, 4, p->time_zone, false);
	if (step_done(q, st, "write party", e) < 0)
		return LERR_STORE;
	if (prep(q, "DELETE FROM party_words WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->code, false);
	if (step_done(q, st, "replace party words", e) < 0)
		return LERR_STORE;
	struct party_words words[PARTY_WORD_LISTS]; /* kind: the list's name */
	party_word_lists(p, words);
	for (size_t k = 0; k < PARTY_WORD_LISTS; k++)
		for (size_t i = 0; i < words[k].n; i++) {
			if (prep(q,
				 "INSERT INTO party_words(party, kind, word, position)"
				 " VALUES(?, ?, ?, ?)",
				 &st, e) < 0)
				return LERR_STORE;
			bind_text(st, 1, p->code, false);
			bind_text(st, 2, words[k].name, false);
			bind_text(st, 3, words[k].v[i], false);
			sql_bind_int(st, 4, (int64_t)i);
			if (step_done(q, st, "write party word", e) < 0)
				return LERR_STORE;
		}
	if (prep(q, "DELETE FROM levels WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->code, false);
	if (step_done(q, st, "replace levels", e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < p->nlevels; i++) {
		if (prep(q,
			 "INSERT INTO levels(party, code, name, rank, position, separate, "
			 "valid_years)"
			 " VALUES(?, ?, ?, ?, ?, ?, ?)",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, p->code, false);
		bind_text(st, 2, p->levels[i].code, false);
		bind_text(st, 3, p->levels[i].name, false);
		sql_bind_int(st, 4, p->levels[i].rank);
		sql_bind_int(st, 5, (int64_t)i);
		sql_bind_int(st, 6, p->levels[i].separate ? 1 : 0);
		sql_bind_int(st, 7, p->levels[i].valid_years);
		if (step_done(q, st, "write level", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

static int load_levels(struct sq *q, struct party *p, struct lerr *e)
{
	struct sql_stmt *st;
	if (prep(q,
		 "SELECT code, name, rank, separate, valid_years FROM levels WHERE party = ?"
		 " ORDER BY position",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->code, false);
	int rc, r = 0;
	p->nlevels = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		if (p->nlevels == SCHEME_LEVELS_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: party %s has too many levels", p->code);
			break;
		}
		struct scheme_level *l = &p->levels[p->nlevels++];
		col_copy(st, 0, l->code, sizeof l->code);
		col_copy(st, 1, l->name, sizeof l->name);
		l->rank = (int)sql_int(st, 2);
		l->separate = sql_int(st, 3) != 0;
		l->valid_years = (int)sql_int(st, 4);
	}
	if (r == 0 && rc != SQL_DONE)
		r = fail(q, e, "read levels");
	release(q, st);
	return r;
}

/* The party's declared need-to-know groups and purposes. */
static int load_words(struct sq *q, struct party *p, struct lerr *e)
{
	struct sql_stmt *st;
	if (prep(q, "SELECT kind, word FROM party_words WHERE party = ? ORDER BY kind, position",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->code, false);
	int rc, r = 0;
	while (r == 0 && (rc = sql_step(st)) == SQL_ROW) {
		bool ntk = strcmp(sql_text(st, 0), "ntk_groups") == 0;
		size_t *n = ntk ? &p->nntk_groups : &p->npurposes;
		char(*v)[PARTY_WORD_MAX] = ntk ? p->ntk_groups : p->purposes;
		if (*n == PARTY_WORDS_MAX)
			r = lerr_set(e, LERR_LIMIT, "store: party %s has too many words", p->code);
		else
			col_copy(st, 1, v[(*n)++], PARTY_WORD_MAX);
	}
	if (r == 0 && rc != SQL_DONE)
		r = fail(q, e, "read party words");
	release(q, st);
	return r;
}

static int sq_party_get(struct store *s, const char *code, struct party *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	memset(p, 0, sizeof *p);
	if (prep(q, "SELECT code, name, no_operator_acts, time_zone FROM parties WHERE code = ?",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, code, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		col_copy(st, 0, p->code, sizeof p->code);
		col_copy(st, 1, p->name, sizeof p->name);
		p->no_operator_acts = sql_int(st, 2) != 0;
		col_copy(st, 3, p->time_zone, sizeof p->time_zone);
	} else if (rc == SQL_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "unknown party %.32s", code);
	else
		r = fail(q, e, "read party");
	release(q, st);
	if (r == 0)
		r = load_levels(q, p, e);
	return r < 0 ? r : load_words(q, p, e);
}

static int sq_party_list(struct store *s, struct party **out, size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT code FROM parties ORDER BY code", &st, e) < 0)
		return LERR_STORE;
	struct party *v = NULL;
	size_t nv = 0;
	int rc, r = 0;
	while (r == 0 && (rc = sql_step(st)) == SQL_ROW) {
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
	if (r == 0 && rc != SQL_DONE)
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
	struct sql_stmt *st;
	if (prep(q, sql, &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	return step_done(q, st, "replace agreement", e);
}

static int sq_agreement_put(struct store *s, const struct agreement *a, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q,
		 "INSERT INTO agreements(id, title, term_years, renewal_years, notice_days)"
		 " VALUES(?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
		 " title = excluded.title, term_years = excluded.term_years,"
		 " renewal_years = excluded.renewal_years, notice_days = excluded.notice_days",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, a->id, false);
	bind_text(st, 2, a->title, false);
	sql_bind_int(st, 3, a->term_years);
	sql_bind_int(st, 4, a->renewal_years);
	sql_bind_int(st, 5, a->notice_days);
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
		sql_bind_int(st, 3, (int64_t)i);
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
			sql_bind_int(st, 2, (int64_t)r);
			bind_text(st, 3, a->equiv[r].common, false);
			bind_text(st, 4, a->equiv[r].levels[i].party, false);
			bind_text(st, 5, a->equiv[r].levels[i].level, false);
			sql_bind_int(st, 6, (int64_t)i);
			if (step_done(q, st, "write equivalence", e) < 0)
				return LERR_STORE;
		}
	return 0;
}

static int load_agreement_parties(struct sq *q, struct agreement *a, struct lerr *e)
{
	struct sql_stmt *st;
	if (prep(q, "SELECT party FROM agreement_parties WHERE agreement = ? ORDER BY position",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, a->id, false);
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		if (a->nparties == AGR_PARTIES_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: agreement %s has too many parties",
				     a->id);
			break;
		}
		col_copy(st, 0, a->parties[a->nparties], PARTY_CODE_MAX);
		a->nparties++;
	}
	if (r == 0 && rc != SQL_DONE)
		r = fail(q, e, "read agreement parties");
	release(q, st);
	return r;
}

static int load_equivalences(struct sq *q, struct agreement *a, struct lerr *e)
{
	struct sql_stmt *st;
	if (prep(q,
		 "SELECT row, common, party, level FROM equivalences WHERE agreement = ?"
		 " ORDER BY row, position",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, a->id, false);
	int rc, r = 0;
	long last = -1;
	while ((rc = sql_step(st)) == SQL_ROW) {
		long row = (long)sql_int(st, 0);
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
	if (r == 0 && rc != SQL_DONE)
		r = fail(q, e, "read equivalences");
	release(q, st);
	return r;
}

static int load_events(struct sq *q, struct agreement *a, struct lerr *e)
{
	struct sql_stmt *st;
	if (prep(q,
		 "SELECT id, date, kind, by_party FROM agreement_events"
		 " WHERE agreement = ? ORDER BY date, id",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, a->id, false);
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		if (a->nevents == AGR_EVENTS_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: agreement %s has more than %d events",
				     a->id, AGR_EVENTS_MAX);
			break;
		}
		struct agr_event *ev = &a->events[a->nevents];
		ev->seq = sql_int(st, 0);
		const char *d = sql_text(st, 1);
		const char *k = sql_text(st, 2);
		if (!d || !k || date_parse(d, &ev->date, e) < 0 ||
		    agr_event_kind_parse(k, &ev->kind, e) < 0) {
			r = lerr_set(e, LERR_STORE, "store: agreement %s: event %lld is damaged",
				     a->id, (long long)ev->seq);
			break;
		}
		col_copy(st, 3, ev->by, sizeof ev->by);
		a->nevents++;
	}
	if (r == 0 && rc != SQL_DONE)
		r = fail(q, e, "read events");
	release(q, st);
	if (r == 0)
		agreement_sort_events(a);
	return r;
}

static int sq_agreement_get(struct store *s, const char *id, struct agreement *a, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	memset(a, 0, sizeof *a);
	if (prep(q,
		 "SELECT id, title, term_years, renewal_years, notice_days"
		 " FROM agreements WHERE id = ?",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		col_copy(st, 0, a->id, sizeof a->id);
		col_copy(st, 1, a->title, sizeof a->title);
		a->term_years = (int)sql_int(st, 2);
		a->renewal_years = (int)sql_int(st, 3);
		a->notice_days = (int)sql_int(st, 4);
	} else if (rc == SQL_DONE)
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
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT id FROM agreements ORDER BY id", &st, e) < 0)
		return LERR_STORE;
	char(*v)[AGR_ID_MAX] = NULL;
	size_t nv = 0;
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		char(*nvp)[AGR_ID_MAX] = realloc(v, (nv + 1) * sizeof *v);
		if (!nvp) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		v = nvp;
		col_copy(st, 0, v[nv], AGR_ID_MAX);
		nv++;
	}
	if (r == 0 && rc != SQL_DONE)
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
	struct sql_stmt *st;
	char d[DATE_BUF_SIZE];
	if (prep(q,
		 "INSERT INTO agreement_events(agreement, date, kind, by_party, source,"
		 " recorded_on) VALUES(?, ?, ?, ?, ?, ?) RETURNING id",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	bind_text(st, 2, date_format(ev->date, d), false);
	bind_text(st, 3, agr_event_kind_name(ev->kind), false);
	bind_text(st, 4, ev->by, true);
	bind_text(st, 5, info->source, false);
	bind_text(st, 6, info->recorded_on, false);
	int64_t rowid = 0;
	if (step_id(q, st, &rowid, "write event", e) < 0)
		return LERR_STORE;
	if (seq)
		*seq = rowid;
	return 0;
}

static int sq_person_put(struct store *s, const struct person *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q,
		 "INSERT INTO people(id, party, name, roles) VALUES(?, ?, ?, ?)"
		 " ON CONFLICT(id) DO UPDATE SET party = excluded.party,"
		 " name = excluded.name, roles = excluded.roles",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->id, false);
	bind_text(st, 2, p->party, false);
	bind_text(st, 3, p->name, false);
	sql_bind_int(st, 4, (int)p->roles);
	if (step_done(q, st, "write person", e) < 0 ||
	    delete_for(q, "DELETE FROM person_ntk WHERE person = ?", p->id, e) < 0 ||
	    delete_for(q, "DELETE FROM clearances WHERE person = ?", p->id, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < p->nntk; i++) {
		if (prep(q,
			 "INSERT INTO person_ntk(person, grp) VALUES(?, ?)"
			 " ON CONFLICT DO NOTHING",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, p->id, false);
		bind_text(st, 2, p->ntk[i], false);
		if (step_done(q, st, "write need-to-know", e) < 0)
			return LERR_STORE;
	}
	for (size_t i = 0; i < p->nclear && i < PERSON_CLEARANCES_MAX; i++) {
		char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
		if (prep(q,
			 "INSERT INTO clearances(person, position, party, level, valid_from,"
			 " valid_to) VALUES(?, ?, ?, ?, ?, ?)",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, p->id, false);
		sql_bind_int(st, 2, (int64_t)i);
		bind_text(st, 3, p->party, false);
		bind_text(st, 4, p->clear[i].level, false);
		bind_text(st, 5, date_format(p->clear[i].from, d1), false);
		bind_text(st, 6, date_format(p->clear[i].to, d2), false);
		if (step_done(q, st, "write clearance", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

static int sq_person_get(struct store *s, const char *id, struct person *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	memset(p, 0, sizeof *p);
	if (prep(q, "SELECT id, party, name, roles FROM people WHERE id = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		col_copy(st, 0, p->id, sizeof p->id);
		col_copy(st, 1, p->party, sizeof p->party);
		col_copy(st, 2, p->name, sizeof p->name);
		p->roles = (unsigned)(int)sql_int(st, 3);
	} else if (rc == SQL_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "unknown person %.80s", id);
	else
		r = fail(q, e, "read person");
	release(q, st);
	if (r < 0)
		return r;
	if (prep(q, "SELECT grp FROM person_ntk WHERE person = ? ORDER BY grp", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	while ((rc = sql_step(st)) == SQL_ROW && p->nntk < PERSON_NTK_MAX)
		col_copy(st, 0, p->ntk[p->nntk++], LABEL_WORD_MAX);
	release(q, st);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return fail(q, e, "read need-to-know");
	if (prep(q,
		 "SELECT level, valid_from, valid_to FROM clearances WHERE person = ?"
		 " ORDER BY position",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	while (r == 0 && (rc = sql_step(st)) == SQL_ROW && p->nclear < PERSON_CLEARANCES_MAX) {
		struct clearance *c = &p->clear[p->nclear++];
		col_copy(st, 0, c->level, sizeof c->level);
		if (date_parse(col_str(st, 1), &c->from, NULL) < 0 ||
		    date_parse(col_str(st, 2), &c->to, NULL) < 0)
			r = lerr_set(e, LERR_STORE, "store: person %s: damaged clearance", id);
	}
	release(q, st);
	if (r == 0 && rc != SQL_ROW && rc != SQL_DONE)
		r = fail(q, e, "read clearance");
	return r;
}

static int sq_person_ids(struct store *s, char (**out)[PERSON_ID_MAX], size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT id FROM people ORDER BY party, id", &st, e) < 0)
		return LERR_STORE;
	char(*v)[PERSON_ID_MAX] = NULL;
	size_t nv = 0;
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		char(*nvp)[PERSON_ID_MAX] = realloc(v, (nv + 1) * sizeof *v);
		if (!nvp) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		v = nvp;
		col_copy(st, 0, v[nv++], PERSON_ID_MAX);
	}
	if (r == 0 && rc != SQL_DONE)
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
	struct sql_stmt *st;
	if (prep(q,
		 "INSERT INTO party_keys(party, ed25519, x25519, added_on) VALUES(?, ?, ?, ?)"
		 " ON CONFLICT(party) DO UPDATE SET ed25519 = excluded.ed25519,"
		 " x25519 = excluded.x25519, added_on = excluded.added_on",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, p->party, false);
	sql_bind_blob(st, 2, p->sign_pk, (size_t)(KEY_SIGN_PK));
	sql_bind_blob(st, 3, p->box_pk, (size_t)(KEY_BOX_PK));
	bind_text(st, 4, on, false);
	return step_done(q, st, "write party key", e);
}

static int sq_party_key_get(struct store *s, const char *party, struct key_public *p,
			    struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	memset(p, 0, sizeof *p);
	if (prep(q, "SELECT ed25519, x25519 FROM party_keys WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW && col_blob(st, 0, p->sign_pk, KEY_SIGN_PK) &&
	    col_blob(st, 1, p->box_pk, KEY_BOX_PK)) {
		str_copy(p->party, sizeof p->party, party);
	} else if (rc == SQL_ROW)
		r = lerr_set(e, LERR_STORE, "store: the keys of %s are damaged", party);
	else if (rc == SQL_DONE)
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
	struct sql_stmt *st;
	if (prep(q,
		 "INSERT INTO items(id, label, originator, level, local_level, foreign_item,"
		 " received, sender, blob, size, stored_on, shared_by, seq)"
		 " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(max(seq), 0) + 1 FROM items"
		 " WHERE true ON CONFLICT DO NOTHING",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, it->id, false);
	bind_text(st, 2, it->label, false);
	bind_text(st, 3, it->originator, false);
	bind_text(st, 4, it->level, false);
	bind_text(st, 5, it->local_level, false);
	sql_bind_int(st, 6, it->foreign);
	bind_text(st, 7, it->received, true);
	bind_text(st, 8, it->sender, true);
	bind_text(st, 9, it->blob, false);
	sql_bind_int(st, 10, it->size);
	bind_text(st, 11, it->stored_on, false);
	bind_text(st, 12, it->shared_by, true);
	if (step_done(q, st, "write item", e) < 0)
		return LERR_STORE;
	if (sql_changes(q->c) == 0)
		return lerr_set(e, LERR_EXISTS, "item %s is already stored", it->id);
	return 0;
}

static int sq_item_get(struct store *s, const char *id, struct store_item *it, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	memset(it, 0, sizeof *it);
	if (prep(q,
		 "SELECT id, label, originator, level, local_level, foreign_item, received,"
		 " sender, blob, size, stored_on, destroyed_on, shared_by FROM items WHERE id = ?",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		col_copy(st, 0, it->id, sizeof it->id);
		const char *l = sql_text(st, 1);
		it->label = l ? strdup(l) : NULL;
		if (!it->label)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
		col_copy(st, 2, it->originator, sizeof it->originator);
		col_copy(st, 3, it->level, sizeof it->level);
		col_copy(st, 4, it->local_level, sizeof it->local_level);
		it->foreign = (int)sql_int(st, 5) != 0;
		col_copy(st, 6, it->received, sizeof it->received);
		col_copy(st, 7, it->sender, sizeof it->sender);
		col_copy(st, 8, it->blob, sizeof it->blob);
		it->size = sql_int(st, 9);
		col_copy(st, 10, it->stored_on, sizeof it->stored_on);
		col_copy(st, 11, it->destroyed_on, sizeof it->destroyed_on);
		col_copy(st, 12, it->shared_by, sizeof it->shared_by);
	} else if (rc == SQL_DONE)
		r = store_item_unknown(e, id);
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
	struct sql_stmt *st;
	int64_t from = 0;
	*out = NULL;
	*n = 0;
	if (after) {
		if (prep(q, "SELECT seq FROM items WHERE id = ?", &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, after, false);
		int rc = sql_step(st);
		if (rc == SQL_ROW)
			from = sql_int(st, 0);
		release(q, st);
		if (rc == SQL_DONE)
			return lerr_set(e, LERR_NOTFOUND, "after: no item %.64s", after);
		if (rc != SQL_ROW)
			return fail(q, e, "list items");
	}
	if (prep(q, "SELECT id FROM items WHERE seq > ? ORDER BY seq LIMIT ?", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, from);
	sql_bind_int(st, 2, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	char(*v)[LABEL_WORD_MAX] = NULL;
	size_t nv = 0;
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		char(*nvp)[LABEL_WORD_MAX] = realloc(v, (nv + 1) * sizeof *v);
		if (!nvp) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		v = nvp;
		col_copy(st, 0, v[nv++], LABEL_WORD_MAX);
	}
	if (r == 0 && rc != SQL_DONE)
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
	struct sql_stmt *st;
	if (prep(q,
		 "UPDATE items SET label = ?, level = ?, local_level = ?, blob = ?, size = ?"
		 " WHERE id = ?",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, it->label, false);
	bind_text(st, 2, it->level, false);
	bind_text(st, 3, it->local_level, false);
	bind_text(st, 4, it->blob, false);
	sql_bind_int(st, 5, it->size);
	bind_text(st, 6, it->id, false);
	int r = step_done(q, st, "relabel item", e);
	if (r == 0 && sql_changes(q->c) != 1)
		r = lerr_set(e, LERR_NOTFOUND, "unknown item %s", it->id);
	return r;
}

static int sq_item_destroy(struct store *s, const char *id, const char *date, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q, "UPDATE items SET destroyed_on = ? WHERE id = ? AND destroyed_on IS NULL", &st,
		 e) < 0)
		return LERR_STORE;
	bind_text(st, 1, date, false);
	bind_text(st, 2, id, false);
	int r = step_done(q, st, "destroy item", e);
	if (r == 0 && sql_changes(q->c) != 1)
		r = lerr_set(e, LERR_NOTFOUND, "no item %s to destroy", id);
	return r;
}

static int sq_release_add(struct store *s, const char *item, const char *to, const char *by,
			  const char *date, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
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
	struct sql_stmt *st;
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
	struct sql_stmt *st;
	if (prep(q, "SELECT 1 FROM consents WHERE item = ? AND to_party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, item, false);
	bind_text(st, 2, to, false);
	int rc = sql_step(st);
	release(q, st);
	if (rc == SQL_ROW)
		return 1;
	return rc == SQL_DONE ? 0 : fail(q, e, "read consent");
}

/* ---- export regimes ---- */

static void bind_span(struct sql_stmt *st, int i, date_t from, date_t to)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	bind_text(st, i, date_format(from, d1), false);
	bind_text(st, i + 1, to == DATE_MAX ? "" : date_format(to, d2), true);
}

/* Reads columns i, i+1 (valid_from, valid_to or NULL); false when damaged. */
static bool col_span(struct sql_stmt *st, int i, date_t *from, date_t *to)
{
	const char *f = sql_text(st, i);
	const char *t = sql_text(st, i + 1);
	*to = DATE_MAX;
	return f && date_parse(f, from, NULL) == 0 && (!t || date_parse(t, to, NULL) == 0);
}

static int licence_put(struct sq *q, const char *party, const struct export_licence *l,
		       const char *source, const char *on, bool replace, struct lerr *e)
{
	struct sql_stmt *st;
	const char *sql =
	    replace ? "INSERT INTO export_licences(id, party, kind, entry, country, valid_from,"
		      " valid_to, source, added_on, exporter, consignee)"
		      " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		      " ON CONFLICT(id) DO UPDATE SET party = excluded.party, kind = excluded.kind,"
		      " entry = excluded.entry, country = excluded.country,"
		      " valid_from = excluded.valid_from, valid_to = excluded.valid_to,"
		      " exporter = excluded.exporter, consignee = excluded.consignee"
		    : "INSERT INTO export_licences(id, party, kind, entry, country, valid_from,"
		      " valid_to, source, added_on, exporter, consignee)"
		      " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		      " ON CONFLICT DO NOTHING";
	if (prep(q, sql, &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, l->id, false);
	bind_text(st, 2, party, false);
	bind_text(st, 3, export_licence_kind_name(l->kind), false);
	bind_text(st, 4, l->entry, false);
	bind_text(st, 5, l->country, false);
	bind_span(st, 6, l->from, l->to);
	bind_text(st, 8, source, false);
	bind_text(st, 9, on, false);
	bind_text(st, 10, l->exporter, false);
	bind_text(st, 11, l->consignee, false);
	if (step_done(q, st, "write licence", e) < 0)
		return LERR_STORE;
	if (sql_changes(q->c) == 0)
		return lerr_set(e, LERR_EXISTS, "licence %s is already on file", l->id);
	return 0;
}

static int sq_export_regime_put(struct store *s, const struct export_regime *r, const char *on,
				struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q,
		 "INSERT INTO export_regimes(party, default_group) VALUES(?, ?)"
		 " ON CONFLICT(party) DO UPDATE SET default_group = excluded.default_group",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, r->party, false);
	bind_text(st, 2, export_group_def(r, r->default_group)->code, false);
	if (step_done(q, st, "write export regime", e) < 0 ||
	    delete_for(q, "DELETE FROM export_group_defs WHERE party = ?", r->party, e) < 0 ||
	    delete_for(q, "DELETE FROM export_groups WHERE party = ?", r->party, e) < 0 ||
	    delete_for(q, "DELETE FROM export_entries WHERE party = ?", r->party, e) < 0 ||
	    delete_for(q, "DELETE FROM export_measures WHERE party = ?", r->party, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < r->ndefs; i++) {
		const struct export_group_def *d = &r->defs[i];
		if (prep(q,
			 "INSERT INTO export_group_defs(party, code, name, rules, position)"
			 " VALUES(?, ?, ?, ?, ?)",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, r->party, false);
		bind_text(st, 2, d->code, false);
		bind_text(st, 3, d->name, false);
		bind_text(st, 4, export_group_name(d->rules), false);
		sql_bind_int(st, 5, (int64_t)i);
		if (step_done(q, st, "write country group", e) < 0)
			return LERR_STORE;
	}
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct export_interval *g = &r->groups[i];
		if (prep(q,
			 "INSERT INTO export_groups(party, country, grp, valid_from, valid_to)"
			 " VALUES(?, ?, ?, ?, ?)",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, r->party, false);
		bind_text(st, 2, g->country, false);
		bind_text(st, 3, export_group_def(r, g->group)->code, false);
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
		sql_bind_int(st, 4, x->list_item);
		sql_bind_int(st, 5, (int64_t)i);
		if (step_done(q, st, "write control-list entry", e) < 0)
			return LERR_STORE;
	}
	for (size_t i = 0; i < r->nmeasures; i++) {
		const struct export_measure *m = &r->measures[i];
		if (prep(q,
			 "INSERT INTO export_measures(party, country, valid_from, valid_to,"
			 " requires) VALUES(?, ?, ?, ?, 'individual') RETURNING id",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, r->party, false);
		bind_text(st, 2, m->country, false);
		bind_span(st, 3, m->from, m->to);
		int64_t id = 0;
		if (step_id(q, st, &id, "write special measure", e) < 0)
			return LERR_STORE;
		for (size_t k = 0; k < m->nentries; k++) {
			if (prep(q,
				 "INSERT INTO export_measure_entries(measure, entry, position)"
				 " VALUES(?, ?, ?) ON CONFLICT DO NOTHING",
				 &st, e) < 0)
				return LERR_STORE;
			sql_bind_int(st, 1, id);
			bind_text(st, 2, m->entries[k], false);
			sql_bind_int(st, 3, (int64_t)k);
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
	    "SELECT id, entry, country, valid_from, valid_to, kind, exporter, consignee"
	    " FROM export_licences WHERE party = ? ORDER BY valid_from, id"};
	for (int t = 0; t < 4; t++) {
		struct sql_stmt *st;
		if (prep(q, sql[t], &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, r->party, false);
		int rc, r2 = 0;
		while (r2 == 0 && (rc = sql_step(st)) == SQL_ROW) {
			bool ok = true;
			if (t == 0) {
				struct export_interval *g =
				    grow((void **)&r->groups, &r->ngroups, sizeof *g);
				if (!g)
					break;
				col_copy(st, 0, g->country, sizeof g->country);
				ok = export_group_find(r, col_str(st, 1), &g->group, NULL) == 0 &&
				     col_span(st, 2, &g->from, &g->to);
			} else if (t == 1) {
				struct export_entry *x =
				    grow((void **)&r->entries, &r->nentries, sizeof *x);
				if (!x)
					break;
				col_copy(st, 0, x->code, sizeof x->code);
				col_copy(st, 1, x->name, sizeof x->name);
				x->list_item = (int)sql_int(st, 2);
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
				col_copy(st, 6, l->exporter, sizeof l->exporter);
				col_copy(st, 7, l->consignee, sizeof l->consignee);
				ok = col_span(st, 3, &l->from, &l->to) &&
				     export_licence_kind_parse(col_str(st, 5), &l->kind, NULL) == 0;
			}
			if (!ok)
				r2 = lerr_set(e, LERR_STORE, "store: export regime %s: damaged row",
					      r->party);
		}
		if (r2 == 0 && rc != SQL_DONE)
			r2 = rc == SQL_ROW ? lerr_set(e, LERR_NOMEM, "out of memory")
					   : fail(q, e, "read export regime");
		release(q, st);
		if (r2 < 0)
			return r2;
	}
	return 0;
}

/* A regime's own country groups, in their order. */
static int load_group_defs(struct sq *q, struct export_regime *r, struct lerr *e)
{
	struct sql_stmt *st;
	if (prep(
		q,
		"SELECT code, name, rules FROM export_group_defs WHERE party = ? ORDER BY position",
		&st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, r->party, false);
	int rc, res = 0;
	while (res == 0 && (rc = sql_step(st)) == SQL_ROW && r->ndefs < EXPORT_GROUPS_MAX) {
		struct export_group_def *d = &r->defs[r->ndefs++];
		col_copy(st, 0, d->code, sizeof d->code);
		col_copy(st, 1, d->name, sizeof d->name);
		if (export_group_parse(col_str(st, 2), &d->rules, NULL) < 0)
			res = lerr_set(e, LERR_STORE, "store: export regime %s: damaged group",
				       r->party);
	}
	release(q, st);
	if (res == 0 && rc != SQL_ROW && rc != SQL_DONE)
		res = fail(q, e, "read country groups");
	return res;
}

/* The measures' entries: one row per (measure, entry), measures in the order loaded. */
static int load_measure_entries(struct sq *q, struct export_regime *r, struct lerr *e)
{
	struct sql_stmt *st;
	if (prep(q,
		 "SELECT m.id, x.entry FROM export_measures m"
		 " LEFT JOIN export_measure_entries x ON x.measure = m.id"
		 " WHERE m.party = ? ORDER BY m.id, x.position",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, r->party, false);
	int rc;
	size_t i = 0;
	int64_t id = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		int64_t row = sql_int(st, 0);
		if (id && row != id)
			i++;
		id = row;
		if (i >= r->nmeasures)
			break;
		struct export_measure *m = &r->measures[i];
		if (!sql_is_null(st, 1) && m->nentries < EXPORT_MEASURE_ENTRIES_MAX)
			col_copy(st, 1, m->entries[m->nentries++], LABEL_WORD_MAX);
	}
	release(q, st);
	return rc == SQL_ROW || rc == SQL_DONE ? 0 : fail(q, e, "read special measure");
}

static int sq_export_regime_get(struct store *s, const char *party, struct export_regime *r,
				struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	memset(r, 0, sizeof *r);
	if (prep(q, "SELECT party, default_group FROM export_regimes WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	int rc = sql_step(st), res = 0;
	char dflt[EXPORT_GROUP_CODE_MAX] = "";
	if (rc == SQL_ROW) {
		col_copy(st, 0, r->party, sizeof r->party);
		col_copy(st, 1, dflt, sizeof dflt);
	} else if (rc == SQL_DONE)
		res = lerr_set(e, LERR_NOTFOUND,
			       "no export regime of %.16s is on file (export_regimes in the"
			       " configuration file)",
			       party);
	else
		res = fail(q, e, "read export regime");
	release(q, st);
	if (res == 0)
		res = load_group_defs(q, r, e);
	if (res == 0 && export_group_find(r, dflt, &r->default_group, NULL) < 0)
		res = lerr_set(e, LERR_STORE, "store: export regime %s: damaged", party);
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

static int sq_sources_replace(struct store *s, const char *scope, const char *prefix,
			      const struct store_source *v, size_t n, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	/* a prefix compared as it is (LIKE folds ASCII case in SQLite, not in
	 * PostgreSQL): agreement "a" and "A" are two */
	if (prep(q, "DELETE FROM sources WHERE scope = ? AND substr(ref, 1, ?) = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, scope, false);
	sql_bind_int(st, 2, (int64_t)strlen(prefix));
	bind_text(st, 3, prefix, false);
	if (step_done(q, st, "replace sources", e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < n; i++) {
		if (prep(q,
			 "INSERT INTO sources(scope, ref, title, url) VALUES(?, ?, ?, ?)"
			 " ON CONFLICT(scope, ref) DO UPDATE SET title = excluded.title,"
			 " url = excluded.url",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, v[i].scope, false);
		bind_text(st, 2, v[i].ref, false);
		bind_text(st, 3, v[i].src.title, false);
		bind_text(st, 4, v[i].src.url, false);
		if (step_done(q, st, "write source", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

static int sq_sources_list(struct store *s, const char *scope, const char *prefix,
			   struct store_source **out, size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q,
		 "SELECT ref, title, url FROM sources WHERE scope = ? AND substr(ref, 1, ?) = ?"
		 " ORDER BY ref",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, scope, false);
	sql_bind_int(st, 2, (int64_t)strlen(prefix));
	bind_text(st, 3, prefix, false);
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		struct store_source *x = grow((void **)out, n, sizeof *x);
		if (!x) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		str_copy(x->scope, sizeof x->scope, scope);
		col_copy(st, 0, x->ref, sizeof x->ref);
		col_copy(st, 1, x->src.title, sizeof x->src.title);
		col_copy(st, 2, x->src.url, sizeof x->src.url);
	}
	if (r == 0 && rc != SQL_DONE)
		r = fail(q, e, "read sources");
	release(q, st);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

static int sq_announcements_replace(struct store *s, const char *owner,
				    const struct announcement *v, size_t n, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	char d[DATE_BUF_SIZE];
	if (delete_for(q, "DELETE FROM announcements WHERE scope = ?", owner, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < n; i++) {
		if (prep(q,
			 "INSERT INTO announcements(scope, date, title, by_party, source_title,"
			 " source_url) VALUES(?, ?, ?, ?, ?, ?)",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, owner, false);
		bind_text(st, 2, date_format(v[i].date, d), false);
		bind_text(st, 3, v[i].title, false);
		bind_text(st, 4, v[i].by, false);
		bind_text(st, 5, v[i].src.title, false);
		bind_text(st, 6, v[i].src.url, false);
		if (step_done(q, st, "write announcement", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

static int sq_announcements_list(struct store *s, const char *owner, struct announcement **out,
				 size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q,
		 "SELECT date, title, by_party, source_title, source_url FROM announcements"
		 " WHERE scope = ? ORDER BY date, id",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, owner, false);
	int rc, r = 0;
	while (r == 0 && (rc = sql_step(st)) == SQL_ROW) {
		struct announcement *a = grow((void **)out, n, sizeof *a);
		if (!a) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		if (date_parse(col_str(st, 0), &a->date, NULL) < 0)
			r = lerr_set(e, LERR_STORE, "store: announcement of %s: damaged date",
				     owner);
		col_copy(st, 1, a->title, sizeof a->title);
		col_copy(st, 2, a->by, sizeof a->by);
		col_copy(st, 3, a->src.title, sizeof a->src.title);
		col_copy(st, 4, a->src.url, sizeof a->src.url);
	}
	if (r == 0 && rc != SQL_DONE)
		r = fail(q, e, "read announcements");
	release(q, st);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

/* ---- the transparency log ---- */

static int sq_log_size(struct store *s, uint64_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q, "SELECT coalesce(max(idx) + 1, 0) FROM log_entries", &st, e) < 0)
		return LERR_STORE;
	int rc = sql_step(st);
	*n = rc == SQL_ROW ? (uint64_t)sql_int(st, 0) : 0;
	release(q, st);
	return rc == SQL_ROW ? 0 : fail(q, e, "log size");
}

static int sq_log_entry_add(struct store *s, uint64_t index, const void *data, size_t len,
			    struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q, "INSERT INTO log_entries(idx, data) VALUES(?, ?)", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, (int64_t)index);
	sql_bind_blob(st, 2, data, len);
	int rc = sql_step(st);
	release(q, st);
	return rc == SQL_DONE ? 0 : fail(q, e, "append log entry");
}

static int sq_log_entry_get(struct store *s, uint64_t index, char **data, size_t *len,
			    struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	*data = NULL;
	*len = 0;
	if (prep(q, "SELECT data FROM log_entries WHERE idx = ?", &st, e) < 0)
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
	} else if (rc == SQL_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "no log entry %llu", (unsigned long long)index);
	else
		r = fail(q, e, "read log entry");
	release(q, st);
	return r;
}

static int sq_log_hash_put(struct store *s, unsigned level, uint64_t index, const uint8_t hash[32],
			   struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q, "INSERT INTO log_hashes(level, idx, hash) VALUES(?, ?, ?)", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, (int)level);
	sql_bind_int(st, 2, (int64_t)index);
	sql_bind_blob(st, 3, hash, (size_t)(32));
	int rc = sql_step(st);
	release(q, st);
	return rc == SQL_DONE ? 0 : fail(q, e, "store log hash");
}

static int sq_log_hash_get(struct store *s, unsigned level, uint64_t index, uint8_t hash[32],
			   struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q, "SELECT hash FROM log_hashes WHERE level = ? AND idx = ?", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, (int)level);
	sql_bind_int(st, 2, (int64_t)index);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW && col_blob(st, 0, hash, 32))
		;
	else if (rc == SQL_ROW || rc == SQL_DONE)
		r = lerr_set(e, LERR_STORE, "store: log hash (%u, %llu) is missing or damaged",
			     level, (unsigned long long)index);
	else
		r = fail(q, e, "read log hash");
	release(q, st);
	return r;
}

static int sq_witness_put(struct store *s, const char *origin, uint64_t size, const char *note,
			  const char *on, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q,
		 "INSERT INTO log_witnessed(origin, size, note, seen_on) VALUES(?, ?, ?, ?)"
		 " ON CONFLICT(origin, size) DO NOTHING",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, origin, false);
	sql_bind_int(st, 2, (int64_t)size);
	bind_text(st, 3, note, false);
	bind_text(st, 4, on, false);
	return step_done(q, st, "store checkpoint", e);
}

static int sq_witness_latest(struct store *s, const char *origin, char **note, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	*note = NULL;
	if (prep(q, "SELECT note FROM log_witnessed WHERE origin = ? ORDER BY size DESC LIMIT 1",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, origin, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		*note = strdup(col_str(st, 0));
		if (!*note)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
	} else if (rc == SQL_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "no checkpoint of %.128s seen yet", origin);
	else
		r = fail(q, e, "read checkpoint");
	release(q, st);
	return r;
}

/* A number that moves whenever anything is committed, by any connection. */
static int sq_generation(struct store *s, uint64_t *gen, struct lerr *e)
{
	return sql_generation(SQ(s)->c, gen, e);
}

/* ---- bearer tokens ---- */

static int sq_token_put(struct store *s, const struct store_token *t, const uint8_t hash[32],
			struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q,
		 "INSERT INTO tokens(id, person, hash, issued_on, expires_on, read_only)"
		 " VALUES(?, ?, ?, ?, ?, ?)",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, t->id, false);
	bind_text(st, 2, t->person, false);
	sql_bind_blob(st, 3, hash, (size_t)(32));
	bind_text(st, 4, t->issued_on, false);
	bind_text(st, 5, t->expires_on, true);
	sql_bind_int(st, 6, t->read_only);
	return step_done(q, st, "store token", e);
}

/* The columns token_row reads, in its order. */
#define TOKEN_COLUMNS "id, person, issued_on, revoked_on, expires_on, last_used, read_only"

static void token_row(struct sql_stmt *st, struct store_token *t)
{
	memset(t, 0, sizeof *t);
	col_copy(st, 0, t->id, sizeof t->id);
	col_copy(st, 1, t->person, sizeof t->person);
	col_copy(st, 2, t->issued_on, sizeof t->issued_on);
	col_copy(st, 3, t->revoked_on, sizeof t->revoked_on);
	col_copy(st, 4, t->expires_on, sizeof t->expires_on);
	col_copy(st, 5, t->last_used, sizeof t->last_used);
	t->read_only = sql_int(st, 6) != 0;
}

static int sq_token_find(struct store *s, const uint8_t hash[32], struct store_token *t,
			 struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q, "SELECT " TOKEN_COLUMNS ", hash FROM tokens WHERE hash = ?", &st, e) < 0)
		return LERR_STORE;
	sql_bind_blob(st, 1, hash, (size_t)(32));
	int rc = sql_step(st), r = 0;
	uint8_t got[32];
	if (rc == SQL_ROW && col_blob(st, 7, got, 32) && sodium_memcmp(got, hash, 32) == 0)
		token_row(st, t);
	else if (rc == SQL_ROW || rc == SQL_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "unknown token");
	else
		r = fail(q, e, "read token");
	release(q, st);
	return r;
}

static int sq_token_list(struct store *s, const char *person, struct store_token **out, size_t *n,
			 struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT " TOKEN_COLUMNS " FROM tokens WHERE person = ? ORDER BY issued_on, id",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, person, false);
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		struct store_token *t = grow((void **)out, n, sizeof *t);
		if (!t) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		token_row(st, t);
	}
	if (r == 0 && rc != SQL_DONE)
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
	struct sql_stmt *st;
	if (prep(q, "UPDATE tokens SET revoked_on = ? WHERE id = ? AND revoked_on IS NULL", &st,
		 e) < 0)
		return LERR_STORE;
	bind_text(st, 1, on, false);
	bind_text(st, 2, id, false);
	int r = step_done(q, st, "revoke token", e);
	if (r == 0 && sql_changes(q->c) == 0)
		r = lerr_set(e, LERR_NOTFOUND, "no token %.64s that is not revoked already", id);
	return r;
}

static int sq_token_used(struct store *s, const char *id, const char *on, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q, "UPDATE tokens SET last_used = ? WHERE id = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, on, false);
	bind_text(st, 2, id, false);
	return step_done(q, st, "record a token's use", e);
}

/* ---- federation ---- */

static int sq_peer_put(struct store *s, const struct store_peer *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
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

static void peer_row(struct sql_stmt *st, struct store_peer *p)
{
	col_copy(st, 0, p->party, sizeof p->party);
	col_copy(st, 1, p->url, sizeof p->url);
	col_copy(st, 2, p->added_on, sizeof p->added_on);
	p->witnessed = !sql_is_null(st, 3);
	p->witnessed_size = (uint64_t)sql_int(st, 3);
	p->witnessed_at = sql_int(st, 4);
	col_copy(st, 5, p->witness_error, sizeof p->witness_error);
	col_copy(st, 6, p->alarm, sizeof p->alarm);
}

static int sq_peer_status(struct store *s, const struct store_peer *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q,
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
	bind_text(st, 3, p->witness_error, true);
	bind_text(st, 4, p->alarm, true);
	bind_text(st, 5, p->party, false);
	int r = step_done(q, st, "peer status", e);
	if (r == 0 && sql_changes(q->c) != 1)
		r = lerr_set(e, LERR_NOTFOUND, "%.32s is not a peer of this node", p->party);
	return r;
}

static int sq_peer_get(struct store *s, const char *party, struct store_peer *p, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	memset(p, 0, sizeof *p);
	if (prep(q, "SELECT " PEER_COLS " FROM peers WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW)
		peer_row(st, p);
	else if (rc == SQL_DONE)
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
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT " PEER_COLS " FROM peers ORDER BY party", &st, e) < 0)
		return LERR_STORE;
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		struct store_peer *p = grow((void **)out, n, sizeof *p);
		if (!p) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		memset(p, 0, sizeof *p);
		peer_row(st, p);
	}
	if (r == 0 && rc != SQL_DONE)
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
	struct sql_stmt *st;
	if (prep(q, "DELETE FROM peers WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	int r = step_done(q, st, "remove peer", e);
	if (r == 0 && sql_changes(q->c) == 0)
		r = lerr_set(e, LERR_NOTFOUND, "%.32s is not a peer of this node", party);
	return r;
}

static int sq_outbox_add(struct store *s, const struct store_msg *m, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
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
		sql_bind_blob(st, 5, m->body, (size_t)((int)m->body_len));
	else
		sql_bind_null(st, 5);
	bind_text(st, 6, m->digest, false);
	bind_text(st, 7, m->created_on, false);
	sql_bind_int(st, 8, m->next_try);
	return step_done(q, st, "queue message", e);
}

#define OUTBOX_COLS                                                                                \
	"id, peer, kind, ref, digest, created_on, attempts, next_try, state, done_on,"             \
	" last_error, receipt, body"

/* A row of OUTBOX_COLS; the body only when with_body. */
static int outbox_row(struct sql_stmt *st, struct store_msg *m, bool with_body)
{
	memset(m, 0, sizeof *m);
	col_copy(st, 0, m->id, sizeof m->id);
	col_copy(st, 1, m->peer, sizeof m->peer);
	col_copy(st, 2, m->kind, sizeof m->kind);
	col_copy(st, 3, m->ref, sizeof m->ref);
	col_copy(st, 4, m->digest, sizeof m->digest);
	col_copy(st, 5, m->created_on, sizeof m->created_on);
	m->attempts = sql_int(st, 6);
	m->next_try = sql_int(st, 7);
	m->state = (enum msg_state)(int)sql_int(st, 8);
	col_copy(st, 9, m->done_on, sizeof m->done_on);
	col_copy(st, 10, m->last_error, sizeof m->last_error);
	if (!sql_is_null(st, 11) && !(m->receipt = strdup(col_str(st, 11))))
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
	return 0;
}

static int outbox_rows(struct sq *q, struct sql_stmt *st, bool with_body, struct store_msg **out,
		       size_t *n, struct lerr *e)
{
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		struct store_msg *m = grow((void **)out, n, sizeof *m);
		if (!m || outbox_row(st, m, with_body) < 0) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
	}
	if (r == 0 && rc != SQL_DONE)
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

static int sq_outbox_due(struct store *s, const char *peer, int64_t now, size_t max,
			 struct store_msg **out, size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q,
		 peer ? "SELECT " OUTBOX_COLS " FROM outbox WHERE state = 0 AND next_try <= ?"
			" AND peer = ? ORDER BY seq LIMIT ?"
		      : "SELECT " OUTBOX_COLS " FROM outbox WHERE state = 0 AND next_try <= ?"
			" ORDER BY seq LIMIT ?",
		 &st, e) < 0)
		return LERR_STORE;
	int i = 1;
	sql_bind_int(st, i++, now);
	if (peer)
		bind_text(st, i++, peer, false);
	sql_bind_int(st, i, (int64_t)max);
	return outbox_rows(q, st, true, out, n, e);
}

static int sq_outbox_list(struct store *s, struct store_msg **out, size_t *n, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (prep(q, "SELECT " OUTBOX_COLS " FROM outbox ORDER BY seq", &st, e) < 0)
		return LERR_STORE;
	return outbox_rows(q, st, false, out, n, e);
}

static int sq_outbox_update(struct store *s, const struct store_msg *m, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q,
		 "UPDATE outbox SET attempts = ?, next_try = ?, state = ?, done_on = ?,"
		 " last_error = ?, receipt = ? WHERE id = ?",
		 &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, m->attempts);
	sql_bind_int(st, 2, m->next_try);
	sql_bind_int(st, 3, (int)m->state);
	bind_text(st, 4, m->done_on, true);
	bind_text(st, 5, m->last_error, true);
	if (m->receipt)
		bind_text(st, 6, m->receipt, false);
	else
		sql_bind_null(st, 6);
	bind_text(st, 7, m->id, false);
	int r = step_done(q, st, "update message", e);
	if (r == 0 && sql_changes(q->c) != 1)
		r = lerr_set(e, LERR_NOTFOUND, "no message %.40s in the outbox", m->id);
	return r;
}

/* PostgreSQL: a message's claim is the advisory lock (7402, seq) (two-key
 * locks never meet the one-key write lock). */
#define PG_CLAIM "7402, (seq % 2147483647)::integer"

static void sq_outbox_unclaim(struct store *s, const char *id);

static int sq_outbox_claim(struct store *s, const char *id, int64_t due, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	bool pg = q->c->dialect == SQL_PG;
	int rc, r = 0;
	if (pg) {
		if (prep(q, "SELECT pg_try_advisory_lock(" PG_CLAIM ") FROM outbox WHERE id = ?",
			 &st, e) < 0)
			return LERR_STORE;
		bind_text(st, 1, id, false);
		rc = sql_step(st);
		if (rc == SQL_ROW && strcmp(col_str(st, 0), "t") != 0)
			r = lerr_set(e, LERR_EXISTS, "message %.40s is being delivered elsewhere",
				     id);
		else if (rc == SQL_DONE)
			r = lerr_set(e, LERR_NOTFOUND, "no message %.40s in the outbox", id);
		else if (rc != SQL_ROW)
			r = fail(q, e, "claim message");
		release(q, st);
		if (r < 0)
			return r;
	}
	/* held: is it still to be sent? (a daemon may have sent it since it was listed) */
	if (prep(q, "SELECT state, next_try FROM outbox WHERE id = ?", &st, e) < 0)
		r = LERR_STORE;
	else {
		bind_text(st, 1, id, false);
		rc = sql_step(st);
		if (rc == SQL_ROW && (sql_int(st, 0) != MSG_QUEUED || sql_int(st, 1) > due))
			r = lerr_set(e, LERR_EXISTS, "message %.40s was dealt with meanwhile", id);
		else if (rc == SQL_DONE)
			r = lerr_set(e, LERR_NOTFOUND, "no message %.40s in the outbox", id);
		else if (rc != SQL_ROW)
			r = fail(q, e, "claim message");
		release(q, st);
	}
	if (r < 0 && pg)
		sq_outbox_unclaim(s, id);
	return r;
}

static void sq_outbox_unclaim(struct store *s, const char *id)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (q->c->dialect != SQL_PG ||
	    prep(q, "SELECT pg_advisory_unlock(" PG_CLAIM ") FROM outbox WHERE id = ?", &st, NULL) <
		0)
		return;
	bind_text(st, 1, id, false);
	while (sql_step(st) == SQL_ROW)
		;
	release(q, st);
}

static int sq_inbox_add(struct store *s, const struct store_msg *m, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q,
		 "INSERT INTO inbox(id, peer, kind, ref, digest, received_on)"
		 " VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, m->id, false);
	bind_text(st, 2, m->peer, false);
	bind_text(st, 3, m->kind, false);
	bind_text(st, 4, m->ref, false);
	bind_text(st, 5, m->digest, false);
	bind_text(st, 6, m->done_on, false);
	int r = step_done(q, st, "record message", e);
	if (r == 0 && sql_changes(q->c) == 0)
		r = lerr_set(e, LERR_EXISTS, "message %.40s was received already", m->id);
	return r;
}

static int sq_inbox_get(struct store *s, const char *id, struct store_msg *m, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	memset(m, 0, sizeof *m);
	if (prep(q, "SELECT id, peer, kind, ref, digest, received_on FROM inbox WHERE id = ?", &st,
		 e) < 0)
		return LERR_STORE;
	bind_text(st, 1, id, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		col_copy(st, 0, m->id, sizeof m->id);
		col_copy(st, 1, m->peer, sizeof m->peer);
		col_copy(st, 2, m->kind, sizeof m->kind);
		col_copy(st, 3, m->ref, sizeof m->ref);
		col_copy(st, 4, m->digest, sizeof m->digest);
		col_copy(st, 5, m->done_on, sizeof m->done_on);
		m->state = MSG_DELIVERED;
	} else if (rc == SQL_DONE)
		r = lerr_set(e, LERR_NOTFOUND, "no message %.40s received", id);
	else
		r = fail(q, e, "read inbox");
	release(q, st);
	return r;
}

static int sq_nonce_seen(struct store *s, const char *party, const char *nonce, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q, "SELECT 1 FROM peer_nonces WHERE party = ? AND nonce = ?", &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	bind_text(st, 2, nonce, false);
	int rc = sql_step(st);
	int r = rc == SQL_ROW ? 1 : rc == SQL_DONE ? 0 : fail(q, e, "read nonce");
	release(q, st);
	return r;
}

static int sq_nonce_use(struct store *s, const char *party, const char *nonce, int64_t at,
			int64_t forget_before, struct lerr *e)
{
	struct sq *q = SQ(s);
	struct sql_stmt *st;
	if (prep(q, "DELETE FROM peer_nonces WHERE at < ?", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, forget_before);
	if (step_done(q, st, "forget nonces", e) < 0)
		return LERR_STORE;
	if (prep(q,
		 "INSERT INTO peer_nonces(party, nonce, at) VALUES(?, ?, ?)"
		 " ON CONFLICT DO NOTHING",
		 &st, e) < 0)
		return LERR_STORE;
	bind_text(st, 1, party, false);
	bind_text(st, 2, nonce, false);
	sql_bind_int(st, 3, at);
	int r = step_done(q, st, "record nonce", e);
	if (r == 0 && sql_changes(q->c) == 0)
		r = lerr_set(e, LERR_EXISTS, "a replayed request: %.32s used this nonce already",
			     party);
	return r;
}

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
					  "peer_nonces"};

/* PostgreSQL's identity columns: their sequences go on after the rows copied. */
static const char *const copy_identities[][2] = {
    {"agreement_events", "id"}, {"releases", "id"},	{"export_groups", "id"},
    {"export_measures", "id"},	{"log_entries", "idx"}, {"outbox", "seq"},
    {"announcements", "id"}};

/* One table's rows, value by value with their kinds, from a to b. */
static int copy_table(struct sq *a, struct sq *b, const char *table, uint64_t *rows, struct lerr *e)
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

static int sq_copy(struct store *src, struct store *dst, uint64_t *rows, struct lerr *e)
{
	struct sq *a = SQ(src), *b = SQ(dst);
	char held[STORE_META_MAX];
	*rows = 0;
	if (sq_meta_get(dst, "party", held, sizeof held, NULL) == 0)
		return lerr_set(e, LERR_EXISTS, "the store copied to already holds the node of %s",
				held);
	int r = sq_begin(src, e);
	if (r < 0)
		return r;
	if ((r = sq_begin(dst, e)) < 0) {
		sq_rollback(src);
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
		r = exec(b, sql, e);
	}
	if (r == 0)
		r = sq_commit(dst, e);
	else
		sq_rollback(dst);
	sq_rollback(src); /* it only read */
	return r;
}

static const struct store_ops sql_ops = {
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
    .sources_replace = sq_sources_replace,
    .sources_list = sq_sources_list,
    .announcements_replace = sq_announcements_replace,
    .announcements_list = sq_announcements_list,
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
    .token_used = sq_token_used,
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
    .outbox_claim = sq_outbox_claim,
    .outbox_unclaim = sq_outbox_unclaim,
    .copy = sq_copy,
    .inbox_add = sq_inbox_add,
    .inbox_get = sq_inbox_get,
    .nonce_use = sq_nonce_use,
    .nonce_seen = sq_nonce_seen,
};

/*
 * where: a postgresql:// (or postgres://) URL opens PostgreSQL (create:
 * the database exists; its schema is made when empty), anything else a
 * SQLite file (":memory:" for a scratch store).
 */
int store_sql_open(const char *where, bool create, struct store **out, struct lerr *e)
{
	*out = NULL;
	struct sq *q = calloc(1, sizeof *q);
	if (!q)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	q->base.ops = &sql_ops;
	bool pg = store_is_url(where);
	int r = pg ? sql_pg_open(where, &q->c, e) : sql_sqlite_open(where, create, &q->c, e);
	if (r == 0)
		r = migrate(q, create, e);
	if (r < 0) {
		if (!pg)
			lerr_prefix(e, "store %s", where);
		sq_close(&q->base);
		return r;
	}
	*out = &q->base;
	return 0;
}
