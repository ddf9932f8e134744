/* store_schema.c - the schema and its migrations (each in its own transaction, in order,
 * when a store is opened; PostgreSQL: under the store's lock, so that
 * daemons starting together migrate once), opening and closing, the write
 * lock and transactions (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
 * lock taken first), and the node's settings. */
#include "store_int.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    /* 12: the colour of a level's banners in the console ("" for none). */
    {"ALTER TABLE levels ADD COLUMN colour TEXT NOT NULL DEFAULT '';", NULL},
    /* 13: compromise reports received, and their acknowledgements. */
    {"CREATE TABLE reports(id TEXT PRIMARY KEY, item TEXT NOT NULL, from_party TEXT NOT NULL,"
     " by_person TEXT NOT NULL, reported_on TEXT NOT NULL, received_on TEXT NOT NULL,"
     " sha256 TEXT NOT NULL, body TEXT NOT NULL, acknowledged_by TEXT NOT NULL DEFAULT '',"
     " acknowledged_on TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '') STRICT;"
     "CREATE INDEX reports_by_item ON reports(item);",
     NULL},
    /* 14: the keys a party retired (rotated, replaced or compromised), kept to
     * check what they signed while they were the party's. */
    {"CREATE TABLE retired_keys(party TEXT NOT NULL REFERENCES parties(code),"
     " ed25519 BLOB NOT NULL, x25519 BLOB NOT NULL, added_on TEXT NOT NULL,"
     " retired_on TEXT NOT NULL, log_size INTEGER NOT NULL, how TEXT NOT NULL,"
     " PRIMARY KEY(party, ed25519)) STRICT;",
     NULL},
    /* 15: payloads kept in the store (a node on PostgreSQL: its sealed
     * payloads, outbox envelopes and sealed keys), in chunks; a payload's
     * row is written after its last chunk, so a row names a whole one. Items
     * found by their blob (whether a payload is in use).
     * PostgreSQL: chunks stored out of line, uncompressed (they are
     * ciphertext). */
    {"CREATE TABLE payloads(name TEXT PRIMARY KEY, size INTEGER NOT NULL,"
     " made INTEGER NOT NULL) STRICT;"
     "CREATE TABLE payload_chunks(name TEXT NOT NULL, seq INTEGER NOT NULL,"
     " data BLOB NOT NULL, PRIMARY KEY(name, seq)) STRICT;"
     "CREATE INDEX items_by_blob ON items(blob);",
     "CREATE TABLE payloads(name TEXT PRIMARY KEY, size BIGINT NOT NULL,"
     " made BIGINT NOT NULL);"
     "CREATE TABLE payload_chunks(name TEXT NOT NULL, seq BIGINT NOT NULL,"
     " data BYTEA NOT NULL, PRIMARY KEY(name, seq));"
     "ALTER TABLE payload_chunks ALTER COLUMN data SET STORAGE EXTERNAL;"
     "CREATE INDEX items_by_blob ON items(blob);"},
    /* 16: the envelope format a peer's node reads (0: the newest). */
    {"ALTER TABLE peers ADD COLUMN envelope_version INTEGER NOT NULL DEFAULT 0;", NULL},
    /* 17: the generation in both engines, moved by triggers on every table
     * but those the cache never reads (generation_triggers), rather than
     * by every commit. */
    {"CREATE TABLE store_generation(n INTEGER NOT NULL) STRICT;"
     "INSERT INTO store_generation VALUES(0);",
     /* once a transaction (a row version this transaction already made is
      * not made again: its xmin is this transaction's), at its commit (the
      * triggers are deferred: the counter's row is locked only then, as
      * before); with the search_path of the migration (the counter beside
      * the tables, whatever the writer's), as the store's role (a writer
      * allowed the tables but not the counter still commits); the counter
      * publishable, should the database be (logical replication) */
     "CREATE OR REPLACE FUNCTION store_generation_moves() RETURNS trigger LANGUAGE plpgsql"
     " SECURITY DEFINER SET search_path FROM CURRENT AS $$"
     "BEGIN"
     " UPDATE store_generation SET n = n + 1 WHERE xmin <> pg_current_xact_id()::xid;"
     " RETURN NULL;"
     "END$$;"
     "ALTER TABLE store_generation REPLICA IDENTITY FULL;"},
    /* 18: the originator's consent an item passed on goes with, kept with
     * its message when the release was queued: the one checked then is the
     * one sent, whatever the holder imports meanwhile. */
    {"ALTER TABLE outbox ADD COLUMN consent TEXT;", NULL},
    /* 19: the inbox keyed by sender and message id: one peer that learns
     * another's message id cannot take it first and have it refused. */
    {"CREATE TABLE inbox_by_peer(id TEXT NOT NULL, peer TEXT NOT NULL, kind TEXT NOT NULL,"
     " ref TEXT NOT NULL, digest TEXT NOT NULL, received_on TEXT NOT NULL,"
     " PRIMARY KEY(peer, id)) STRICT;"
     "INSERT INTO inbox_by_peer(id, peer, kind, ref, digest, received_on)"
     " SELECT id, peer, kind, ref, digest, received_on FROM inbox;"
     "DROP TABLE inbox;"
     "ALTER TABLE inbox_by_peer RENAME TO inbox;",
     NULL},
    /* 20: a report's id is its party's and its message's (FROM-MESSAGE): a
     * message id is the sender's choice, and a peer that took another's
     * first kept the other's report out. Those stored before keep theirs. */
    {"ALTER TABLE reports ADD COLUMN message TEXT NOT NULL DEFAULT '';"
     "UPDATE reports SET message = id;",
     NULL},
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* The key of PostgreSQL's advisory lock that stands for the store's write lock. */
#define PG_WRITE_LOCK "7401"

int store_begin(struct store *s, struct lerr *e)
{
	int r = db_exec(s,
			s->c->dialect == SQL_PG
			    ? "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")"
			    : "BEGIN IMMEDIATE",
			e);
	/* PostgreSQL: a BEGIN that took and a lock that did not (a lock or
	 * statement timeout, a cancel) leave an aborted transaction: ended */
	if (r < 0 && sql_in_tx(s->c))
		(void)db_exec(s, "ROLLBACK", NULL);
	s->writing = r == 0;
	return r;
}

int store_commit(struct store *s, struct lerr *e)
{
	if (db_exec(s, "COMMIT", e) < 0) {
		store_rollback(s);
		return LERR_STORE;
	}
	s->writing = false;
	return 0;
}

bool store_writing(const struct store *s)
{
	return s->writing;
}

/* A read transaction: one snapshot for many reads. */
int store_read_begin(struct store *s, struct lerr *e)
{
	s->given = s->known = false;
	return s->c->d->read_begin(s->c, e) < 0 ? LERR_STORE : 0;
}

int store_read_begin_light(struct store *s, struct lerr *e)
{
	int r = store_read_begin(s, e);
	if (r == 0 && s->c->d->read_light)
		s->c->d->read_light(s->c);
	return r;
}

bool store_generation_known(const struct store *s)
{
	return s->known;
}

bool store_generation_shared(const struct store *s)
{
	return s->c->d->light_given != NULL;
}

void store_generation_given(struct store *s, const struct store_gen *g)
{
	s->given = store_generation_shared(s);
	s->given_gen = *g;
}

void store_read_light_forget(struct store *s)
{
	if (s->c->d->read_light_forget)
		s->c->d->read_light_forget(s->c);
}

bool store_read_moved(const struct store *s)
{
	return s->c->d->read_moved && s->c->d->read_moved(s->c);
}

void store_read_end(struct store *s)
{
	s->given = false;
	if (sql_in_tx(s->c))
		s->c->d->read_end(s->c);
}

void store_rollback(struct store *s)
{
	s->writing = false;
	if (sql_in_tx(s->c))
		(void)db_exec(s, "ROLLBACK", NULL);
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
static int version_read(struct store *q, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(q,
		    q->c->dialect == SQL_PG ? "SELECT coalesce(max(version), 0) FROM store_schema"
					    : "PRAGMA user_version",
		    &st, e) < 0)
		return LERR_STORE;
	int rc = sql_step(st);
	q->version = rc == SQL_ROW ? (int)sql_int(st, 0) : 0;
	int r = rc == SQL_ROW ? 0 : db_fail(q, e, "schema version");
	db_release(q, st);
	return r;
}

/*
 * Tables whose writes do not move the generation: none of them is read into
 * the node's cache (src/node/cache.c: people, parties, items, tokens and
 * agreements, from their own tables), and each is written often: the log's
 * (every logged act, a download's too), the federation's traffic (a nonce
 * for every request a peer makes, the outbox and inbox, each peer's witness
 * round), payloads (an upload's chunks, in PostgreSQL), and the counter's.
 * A table not named here moves it: a new one does, unless named.
 */
static const char *const ungenerated[] = {
    "log_entries", "log_hashes", "log_witnessed",  "peer_nonces",      "outbox",      "inbox",
    "peers",	   "payloads",	 "payload_chunks", "store_generation", "store_schema"};

/*
 * Triggers that move store_generation on every write to every other table.
 * SQLite: after each row inserted, updated or deleted. PostgreSQL: a
 * constraint trigger deferred to the commit, for each row, that moves it
 * once a transaction (each UPDATE of the counter's row leaves a dead
 * version of it behind for its readers to step over until a vacuum), plus
 * one after TRUNCATE; both enabled ALWAYS, so that a session in replica
 * mode (logical replication's apply, SET session_replication_role) does
 * not silence them (ALTER TABLE ... DISABLE TRIGGER still would:
 * docs/deploy.md says not to). Every table of the store's schema but an
 * extension's: one the store's role cannot alter (or a name liaison would
 * not make) fails the migration, rather than be left without. Made anew in
 * the last migration's transaction, so that a table a later migration adds
 * has them too; tests/unit/test_store.c checks that every table has them.
 */
static int generation_triggers(struct store *q, struct lerr *e)
{
	struct sql_stmt *st;
	char(*names)[64] = NULL;
	size_t n = 0, cap = 0;
	bool pg = q->c->dialect == SQL_PG;
	if (db_prep(q,
		    pg ? "SELECT c.relname FROM pg_class c"
			 " WHERE c.relnamespace = current_schema()::regnamespace"
			 " AND c.relkind IN ('r', 'p')"
			 " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
			 "'pg_class'::regclass"
			 " AND d.objid = c.oid AND d.deptype = 'e')"
		       : "SELECT name FROM sqlite_master WHERE type = 'table'"
			 " AND name NOT LIKE 'sqlite%'",
		    &st, e) < 0)
		return LERR_STORE;
	int rc, r = 0;
	while (r == 0 && (rc = sql_step(st)) == SQL_ROW) {
		const char *t = sql_text(st, 0);
		bool skip = false;
		for (size_t i = 0; t && !skip && i < sizeof ungenerated / sizeof *ungenerated; i++)
			skip = strcmp(t, ungenerated[i]) == 0;
		if (skip)
			continue;
		if (!t || !*t || strspn(t, "abcdefghijklmnopqrstuvwxyz_0123456789") != strlen(t) ||
		    strlen(t) >= sizeof names[0])
			r = lerr_set(
			    e, LERR_STORE,
			    "store: table %.80s is not one liaison makes: the store's schema "
			    "must hold only the node's tables",
			    t ? t : "(null)");
		else if (n == cap) {
			void *more = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof names[0]);
			if (!more)
				r = lerr_set(e, LERR_NOMEM, "out of memory");
			else
				names = more;
		}
		if (r == 0)
			memcpy(names[n++], t, strlen(t) + 1);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(q, e, "list the tables");
	db_release(q, st);
	for (size_t i = 0; r == 0 && i < n; i++) {
		char sql[1024];
		const char *t = names[i];
		if (pg)
			snprintf(sql, sizeof sql,
				 "DROP TRIGGER IF EXISTS store_generation ON %s;"
				 "CREATE CONSTRAINT TRIGGER store_generation AFTER INSERT OR UPDATE"
				 " OR DELETE ON %s DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
				 " EXECUTE FUNCTION store_generation_moves();"
				 "ALTER TABLE %s ENABLE ALWAYS TRIGGER store_generation;"
				 "DROP TRIGGER IF EXISTS store_generation_truncate ON %s;"
				 "CREATE TRIGGER store_generation_truncate AFTER TRUNCATE ON %s"
				 " FOR EACH STATEMENT EXECUTE FUNCTION store_generation_moves();"
				 "ALTER TABLE %s ENABLE ALWAYS TRIGGER store_generation_truncate",
				 t, t, t, t, t, t);
		else
			snprintf(sql, sizeof sql,
				 "CREATE TRIGGER IF NOT EXISTS %s_gen_i AFTER INSERT ON %s"
				 " BEGIN UPDATE store_generation SET n = n + 1; END;"
				 "CREATE TRIGGER IF NOT EXISTS %s_gen_u AFTER UPDATE ON %s"
				 " BEGIN UPDATE store_generation SET n = n + 1; END;"
				 "CREATE TRIGGER IF NOT EXISTS %s_gen_d AFTER DELETE ON %s"
				 " BEGIN UPDATE store_generation SET n = n + 1; END",
				 t, t, t, t, t, t);
		if ((r = db_exec(q, sql, e)) < 0)
			lerr_prefix(e, "the generation's triggers on table %s", t);
	}
	free(names);
	return r;
}

static int migrate_one(struct store *q, struct lerr *e)
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
	int r = db_exec(q, q->c->dialect == SQL_PG ? "BEGIN" : "BEGIN IMMEDIATE", e);
	const bool last = q->version + 1 == SCHEMA_VERSION;
	/* PostgreSQL: rows the migration wrote in a table with the generation's
	 * (deferred) triggers leave events pending, and a table with pending
	 * events cannot be altered (generation_triggers): fired first */
	if (r == 0 && (db_exec(q, text, e) < 0 ||
		       (last && q->c->dialect == SQL_PG &&
			db_exec(q, "SET CONSTRAINTS ALL IMMEDIATE", e) < 0) ||
		       (last && generation_triggers(q, e) < 0) || db_exec(q, set, e) < 0)) {
		store_rollback(q);
		r = lerr_prefix(e, "migration to version %d", q->version + 1);
	}
	free(pg);
	if (r == 0 && (r = db_exec(q, "COMMIT", e)) < 0)
		store_rollback(q);
	if (r == 0)
		q->version++;
	return r;
}

/*
 * Brings the schema to SCHEMA_VERSION. PostgreSQL: under the store's lock
 * held for the session, so that daemons starting together migrate once.
 */
static int migrate(struct store *q, bool create, struct lerr *e)
{
	int r = 0;
	bool pg = q->c->dialect == SQL_PG;
	if (pg && (r = db_exec(q,
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
		(void)db_exec(q, "SELECT pg_advisory_unlock(" PG_WRITE_LOCK ")", NULL);
	return r;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	sql_close(s->c);
	free(s);
}

int store_schema_version(struct store *s)
{
	return s->version;
}

int store_meta_get(struct store *s, const char *key, char *val, size_t n, struct lerr *e)
{
	struct sql_stmt *st;
	val[0] = '\0';
	if (db_prep(s, "SELECT value FROM meta WHERE key = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, key, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		if (!db_col_copy(st, 0, val, n))
			r = lerr_set(e, LERR_LIMIT, "store: meta %s is too long", key);
	}
	return db_read_end(s, st, rc, r, "read meta", e, "store: no setting %s", key);
}

int store_meta_set(struct store *s, const char *key, const char *val, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO meta(key, value) VALUES(?, ?)"
		    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, key, false);
	db_bind_text(st, 2, val, false);
	return db_step_done(s, st, "write meta", e);
}

/*
 * where: a postgresql:// (or postgres://) URL opens PostgreSQL (create:
 * the database exists; its schema is made when empty), anything else a
 * SQLite file (":memory:" for a scratch store).
 */
int store_sql_open(const char *where, bool create, struct store **out, struct lerr *e)
{
	*out = NULL;
	struct store *q = calloc(1, sizeof *q);
	if (!q)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	bool pg = store_is_url(where);
	int r = pg ? sql_pg_open(where, &q->c, e) : sql_sqlite_open(where, create, &q->c, e);
	/* a SQLite store's migration named by its file (the drivers name it
	 * in their own errors) */
	if (r == 0 && (r = migrate(q, create, e)) < 0 && !pg)
		lerr_prefix(e, "store %s", where);
	if (r < 0) {
		store_close(q);
		return r;
	}
	*out = q;
	return 0;
}
