/* test_store.c - the store on either engine: durability settings,
 * persistence, transactions, schema versions, every table. With
 * LIAISON_TEST_PG set to a server's URL (postgresql://USER@HOST:PORT, as
 * scripts/pg.sh starts one), each test runs on a fresh PostgreSQL database
 * of its own; otherwise on a SQLite file. */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "store/sql.h"
#include "store/store.h"

#define SCHEMA	20 /* the schema version this build makes */
#define STR(x)	#x
#define XSTR(x) STR(x)

static char dir[64];
static char path[384]; /* the store: a file, or a database's URL */
static const char *pg; /* LIAISON_TEST_PG: the server, or NULL for SQLite */
static char dbname[64];

/* Runs sql on the server's maintenance database (postgres). */
static void pg_admin(const char *sql)
{
	char url[320];
	snprintf(url, sizeof url, "%s/postgres", pg);
	PGconn *c = PQconnectdb(url);
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	PGresult *r = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

static void setup(void)
{
	pg = getenv("LIAISON_TEST_PG");
	if (pg && !*pg)
		pg = NULL;
	strcpy(dir, "/tmp/liaison-store-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	if (pg) {
		char sql[128];
		snprintf(dbname, sizeof dbname, "liaison_test_%s",
			 dir + strlen("/tmp/liaison-store-"));
		for (char *c = dbname; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
		pg_admin(sql);
		snprintf(path, sizeof path, "%s/%s", pg, dbname);
	} else {
		snprintf(path, sizeof path, "%s/node.db", dir);
	}
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	if (pg) {
		snprintf(cmd, sizeof cmd, "DROP DATABASE %s WITH (FORCE)", dbname);
		pg_admin(cmd);
	}
	leak_check();
}

/* Runs one SQL statement on the store directly; the first column of its
 * first row as text in out (empty when none). */
static void raw_text(const char *sql, char *out, size_t n)
{
	out[0] = '\0';
	if (pg) {
		PGconn *c = PQconnectdb(path);
		cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
		PGresult *r = PQexec(c, sql);
		ExecStatusType t = PQresultStatus(r);
		cr_assert(t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK, "%s: %s", sql,
			  PQerrorMessage(c));
		if (t == PGRES_TUPLES_OK && PQntuples(r) > 0)
			snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		PQfinish(c);
		return;
	}
	sqlite3 *db;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
	int rc = sqlite3_step(st);
	cr_assert(rc == SQLITE_ROW || rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The same, the value as a number (-1 when there is no row). */
static long long raw(const char *sql)
{
	char v[64];
	raw_text(sql, v, sizeof v);
	return v[0] ? atoll(v) : -1;
}

/* The schema version as the engine keeps it. */
static long long raw_version(void)
{
	return raw(pg ? "SELECT max(version) FROM store_schema" : "PRAGMA user_version");
}

/* Takes away what migration 17 made, as a store of version 16 or older
 * lacked it: the generation's triggers, and in SQLite its table; and the
 * columns migrations 18 and 20 added (they run again). */
static void undo_migration_17(void)
{
	raw("ALTER TABLE outbox DROP COLUMN consent");	/* 18 with it */
	raw("ALTER TABLE reports DROP COLUMN message"); /* and 20 */
	if (pg) {
		raw("SET client_min_messages = warning; DROP FUNCTION store_generation_moves() "
		    "CASCADE");
		return;
	}
	char drops[16384];
	raw_text("SELECT group_concat('DROP TRIGGER ' || name, ';') FROM sqlite_master"
		 " WHERE type = 'trigger'",
		 drops, sizeof drops);
	cr_assert_gt(strlen(drops), 0);
	cr_assert_lt(strlen(drops), sizeof drops - 1);
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, drops, NULL, NULL, NULL), SQLITE_OK, "%s",
		     sqlite3_errmsg(db));
	sqlite3_close(db);
	raw("DROP TABLE store_generation");
}

/* Drops the tables, in that order, as an older schema lacked them. */
static void drop_tables(const char *const *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "DROP TABLE %s", t[i]);
		raw(sql);
	}
}

static struct party jpn(void)
{
	struct party p = {.code = "JPN", .name = "Japan", .nlevels = 2};
	strcpy(p.levels[0].code, "HI");
	strcpy(p.levels[0].name, "秘");
	p.levels[0].rank = 1;
	strcpy(p.levels[1].code, "GOKUHI");
	strcpy(p.levels[1].name, "極秘");
	p.levels[1].rank = 2;
	return p;
}

/* A JPN item GOKUHI of one byte, stored 2019-09-01, under id and blob. */
static struct store_item jpn_item(const char *id, const char *blob)
{
	struct store_item it = {.label = "{}",
				.originator = "JPN",
				.level = "GOKUHI",
				.local_level = "GOKUHI",
				.size = 1,
				.stored_on = "2019-09-01"};
	str_copy(it.id, sizeof it.id, id);
	str_copy(it.blob, sizeof it.blob, blob);
	return it;
}

TestSuite(store, .init = setup, .fini = teardown);

Test(store, refuses_to_open_a_missing_store_unless_creating)
{
	struct store *s = (void *)1;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, false, &s, &e), LERR_NOTFOUND);
	cr_assert_null(s);
	cr_assert_eq(store_open(path, true, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_schema_version(s), SCHEMA);
	store_close(s);
}

Test(store, commits_durably_and_records_its_version)
{
	struct store *s;
	char v[64];
	cr_assert_eq(store_open(path, true, &s, NULL), 0);
	store_close(s);
	if (pg) { /* the server must not acknowledge a commit before it is on disk */
		raw_text("SHOW fsync", v, sizeof v);
		cr_assert_str_eq(v, "on");
		raw_text("SHOW synchronous_commit", v, sizeof v);
		cr_assert_str_eq(v, "on");
	} else {
		raw_text("PRAGMA journal_mode", v, sizeof v);
		cr_assert_str_eq(v, "wal");
	}
	cr_assert_eq(raw_version(), SCHEMA);
}

Test(store, a_committed_party_survives_reopening)
{
	struct store *s;
	struct lerr e = {0};
	struct party p = jpn(), q;
	/* its declared words and its node's setting too */
	p.nntk_groups = 2;
	strcpy(p.ntk_groups[0], "NAVAL");
	strcpy(p.ntk_groups[1], "MISSILE-WARNING");
	p.npurposes = 1;
	strcpy(p.purposes[0], "warning");
	p.no_operator_acts = true;
	strcpy(p.levels[1].colour, "#C8102e"); /* a banner's colour, as given */
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_party_put(s, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	store_close(s);
	cr_assert_eq(store_open(path, false, &s, &e), 0);
	cr_assert_eq(store_party_get(s, "JPN", &q, &e), 0, "%s", e.msg);
	cr_assert_str_eq(q.name, "Japan");
	cr_assert_eq(q.nlevels, 2);
	cr_assert_str_eq(q.levels[1].code, "GOKUHI");
	cr_assert_str_eq(q.levels[1].name, "極秘");
	cr_assert_eq(q.levels[1].rank, 2);
	cr_assert_str_eq(q.levels[1].colour, "#C8102e");
	cr_assert_str_eq(q.levels[0].colour, "", "no colour: none stored");
	cr_assert_eq(q.nntk_groups, 2);
	cr_assert_str_eq(q.ntk_groups[0], "NAVAL", "the declared order is kept");
	cr_assert_str_eq(q.ntk_groups[1], "MISSILE-WARNING");
	cr_assert_eq(q.npurposes, 1);
	cr_assert_str_eq(q.purposes[0], "warning");
	cr_assert(q.no_operator_acts);
	/* replaced whole by the next put */
	p.nntk_groups = 0;
	p.no_operator_acts = false;
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_party_put(s, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_get(s, "JPN", &q, &e), 0, "%s", e.msg);
	cr_assert_eq(q.nntk_groups, 0);
	cr_assert(!q.no_operator_acts);
	store_close(s);
}

Test(store, a_rolled_back_write_leaves_nothing)
{
	struct store *s;
	struct lerr e = {0};
	struct party p = jpn(), q;
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_party_put(s, &p, &e), 0);
	store_rollback(s);
	cr_assert_eq(store_party_get(s, "JPN", &q, &e), LERR_NOTFOUND);
	cr_assert(strstr(e.msg, "unknown party JPN"), "%s", e.msg);
	store_close(s);
	cr_assert_eq(raw("SELECT count(*) FROM levels"), 0);
}

/* The generation as handle s reads it. */
static uint64_t gen_of(struct store *s)
{
	struct store_gen g;
	struct lerr e = {0};
	cr_assert_eq(store_generation(s, &g, &e), 0, "%s", e.msg);
	return g.n;
}

Test(store, the_generation_moves_with_every_write_but_the_logs)
{
	struct store *a, *b;
	struct lerr e = {0};
	struct party p = jpn();
	const uint8_t hash[32] = {7};
	cr_assert_eq(store_open(path, true, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_open(path, false, &b, &e), 0, "%s", e.msg);
	uint64_t g0 = gen_of(a);
	cr_assert_eq(gen_of(b), g0);
	cr_assert(!store_writing(a));
	/* a logged act: neither handle's caches are emptied */
	cr_assert_eq(store_begin(a, &e), 0, "%s", e.msg);
	cr_assert(store_writing(a));
	cr_assert_eq(store_log_entry_add(a, 0, "{}\n", 3, &e), 0, "%s", e.msg);
	cr_assert_eq(store_log_hash_put(a, 0, 0, hash, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(a, &e), 0, "%s", e.msg);
	cr_assert(!store_writing(a));
	cr_assert_eq(gen_of(a), g0);
	cr_assert_eq(gen_of(b), g0);
	/* a party written: seen by the other handle once committed */
	cr_assert_eq(store_begin(a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(a, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(gen_of(b), g0, "not committed yet");
	cr_assert_eq(store_commit(a, &e), 0, "%s", e.msg);
	uint64_t g1 = gen_of(b);
	cr_assert_gt(g1, g0);
	cr_assert_eq(gen_of(a), g1);
	/* rolled back: as it was */
	strcpy(p.name, "Nippon");
	cr_assert_eq(store_begin(a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(a, &p, &e), 0, "%s", e.msg);
	store_rollback(a);
	cr_assert(!store_writing(a));
	cr_assert_eq(gen_of(a), g1);
	cr_assert_eq(gen_of(b), g1);
	/* each transaction of a session moves it again (PostgreSQL marks the
	 * move in a setting that must end with the transaction) */
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(store_begin(a, &e), 0, "%s", e.msg);
		cr_assert_eq(store_party_put(a, &p, &e), 0, "%s", e.msg);
		cr_assert_eq(store_commit(a, &e), 0, "%s", e.msg);
		uint64_t g2 = gen_of(b);
		cr_assert_gt(g2, g1, "commit %d", i);
		g1 = g2;
	}
	/* a write from outside liaison (an administrator's SQL) moves it too */
	raw("UPDATE parties SET name = 'Japan (edited)'");
	cr_assert_gt(gen_of(b), g1);
	store_close(b);
	store_close(a);
}

/*
 * A light stretch (an access check's): its generation read alone, outside
 * any transaction, on PostgreSQL; a read after it begins the transaction,
 * which finds whether the store moved in between. SQLite's stretch whose
 * generation it read is one snapshot from that read: it never moves; one
 * whose generation was known without a read moves as PostgreSQL's (the
 * next test).
 */
static void end_connections(void);

Test(store, a_light_read_knows_when_the_store_moved_under_it)
{
	struct store *a, *b;
	struct lerr e = {0};
	struct party p = jpn(), got;
	cr_assert_eq(store_open(path, true, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_open(path, false, &b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_begin(a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(a, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(a, &e), 0, "%s", e.msg);
	const char *names[] = {"Japan (one)", "Japan (two)", "Japan (three)"};
	/* nothing written meanwhile: one snapshot, in light and usual stretches */
	for (int light = 0; light < 2; light++) {
		cr_assert_eq((light ? store_read_begin_light : store_read_begin)(a, &e), 0, "%s",
			     e.msg);
		uint64_t g = gen_of(a);
		cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
		cr_assert_str_eq(got.name, p.name);
		cr_assert_eq(gen_of(a), g);
		cr_assert(!store_read_moved(a));
		store_read_end(a);
	}
	/* a write between the generation's read and the next read */
	for (int light = 0; light < 2; light++) {
		cr_assert_eq((light ? store_read_begin_light : store_read_begin)(a, &e), 0, "%s",
			     e.msg);
		uint64_t g = gen_of(a);
		struct party q = p;
		strcpy(q.name, names[light]);
		cr_assert_eq(store_begin(b, &e), 0, "%s", e.msg);
		cr_assert_eq(store_party_put(b, &q, &e), 0, "%s", e.msg);
		cr_assert_eq(store_commit(b, &e), 0, "%s", e.msg);
		cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
		if (light && pg) { /* its transaction began after the write: moved */
			cr_assert(store_read_moved(a));
			cr_assert_str_eq(got.name, q.name);
			cr_assert_gt(gen_of(a), g);
		} else { /* one snapshot from the generation's read */
			cr_assert(!store_read_moved(a));
			cr_assert_str_eq(got.name, p.name);
			cr_assert_eq(gen_of(a), g);
		}
		store_read_end(a);
		p = q;
	}
	/* the generation alone, then a write: nothing else read, nothing moved;
	 * the next stretch begins anew */
	cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
	uint64_t g = gen_of(a);
	strcpy(p.name, names[2]);
	cr_assert_eq(store_begin(b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(b, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(b, &e), 0, "%s", e.msg);
	cr_assert(!store_read_moved(a));
	store_read_end(a);
	cr_assert(!store_read_moved(a));
	cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
	cr_assert_gt(gen_of(a), g);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert_str_eq(got.name, names[2]);
	cr_assert(!store_read_moved(a));
	store_read_end(a);
	/* the generation found new (a cold cache, emptied): nothing read before
	 * the transaction is used, nothing to check; what follows is one snapshot */
	cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
	g = gen_of(a);
	const bool known = store_generation_known(a); /* SQLite: nothing committed since */
	cr_assert_eq(known, pg == NULL);
	store_read_light_forget(a);
	strcpy(p.name, names[0]);
	cr_assert_eq(store_begin(b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(b, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert(!store_read_moved(a));
	cr_assert_str_eq(got.name, names[0]);
	store_read_end(a);
	/* a stretch that moved leaves nothing of it to the next */
	cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
	g = gen_of(a);
	strcpy(p.name, names[1]);
	cr_assert_eq(store_begin(b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(b, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert_eq(store_read_moved(a), pg != NULL);
	store_read_end(a);
	cr_assert(!store_read_moved(a));
	/* forgotten, then its connection made anew (maybe to another server,
	 * whose rows the cache would keep under the first's generation): moved */
	if (pg) {
		cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
		(void)gen_of(a);
		store_read_light_forget(a);
		end_connections();
		cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
		cr_assert(store_read_moved(a));
		store_read_end(a);
	}
	store_close(b);
	store_close(a);
}

/* A light stretch's generation on a, with whether it was known without a read. */
static uint64_t light_gen(struct store *a, bool *known)
{
	struct lerr e = {0};
	cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
	uint64_t g = gen_of(a);
	*known = store_generation_known(a);
	return g;
}

/* b writes the party p under the name `name`, committed or rolled back. */
static void b_writes(struct store *b, struct party *p, const char *name, bool commit)
{
	struct lerr e = {0};
	strcpy(p->name, name);
	cr_assert_eq(store_begin(b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(b, p, &e), 0, "%s", e.msg);
	if (commit)
		cr_assert_eq(store_commit(b, &e), 0, "%s", e.msg);
	else
		store_rollback(b);
}

/*
 * SQLite: a light stretch's generation is known without a read while
 * nothing has been committed to the store, by any connection, since its
 * handle last read it first in a light stretch (its WAL index's header
 * unchanged). A commit by another connection, or by its own, is seen at
 * the next stretch; one made after the generation was known and before the
 * stretch's next read makes the stretch move, as PostgreSQL's light read
 * does. PostgreSQL's generation is never known without a read.
 */
Test(store, a_light_read_knows_its_generation_while_nothing_is_committed)
{
	struct store *a, *b;
	struct lerr e = {0};
	struct party p = jpn(), got;
	bool known;
	cr_assert_eq(store_open(path, true, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_open(path, false, &b, &e), 0, "%s", e.msg);
	b_writes(b, &p, "Japan (one)", true);
	/* the first stretches read it (the first also finds the index) */
	uint64_t g = light_gen(a, &known);
	cr_assert(!known);
	store_read_end(a);
	cr_assert_eq(light_gen(a, &known), g);
	cr_assert(!known);
	store_read_end(a);
	/* nothing committed since: known, and the stretch's reads one snapshot */
	cr_assert_eq(light_gen(a, &known), g);
	cr_assert_eq(known, pg == NULL);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert_str_eq(got.name, "Japan (one)");
	cr_assert(!store_read_moved(a));
	store_read_end(a);
	/* a usual stretch reads it (and keeps nothing a light one could use) */
	cr_assert_eq(store_read_begin(a, &e), 0, "%s", e.msg);
	cr_assert_eq(gen_of(a), g);
	cr_assert(!store_generation_known(a));
	store_read_end(a);
	cr_assert_eq(light_gen(a, &known), g);
	cr_assert_eq(known, pg == NULL);
	store_read_end(a);
	/* another connection's commit: read, and newer (a revoked token is
	 * seen at the next check) */
	b_writes(b, &p, "Japan (two)", true);
	uint64_t g2 = light_gen(a, &known);
	cr_assert(!known);
	cr_assert_gt(g2, g);
	store_read_end(a);
	/* a rollback commits nothing: still known */
	b_writes(b, &p, "Japan (not so)", false);
	cr_assert_eq(light_gen(a, &known), g2);
	cr_assert_eq(known, pg == NULL);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert_str_eq(got.name, "Japan (two)");
	cr_assert(!store_read_moved(a));
	store_read_end(a);
	/* a commit between the known generation and the stretch's next read:
	 * that read's snapshot is of another store, the stretch moved */
	cr_assert_eq(light_gen(a, &known), g2);
	cr_assert_eq(known, pg == NULL);
	b_writes(b, &p, "Japan (three)", true);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert(store_read_moved(a));
	store_read_end(a);
	cr_assert(!store_read_moved(a));
	/* the commit after the stretch's next read: one snapshot, not moved */
	uint64_t g3 = light_gen(a, &known);
	cr_assert_gt(g3, g2);
	store_read_end(a);
	cr_assert_eq(light_gen(a, &known), g3);
	cr_assert_eq(known, pg == NULL);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	b_writes(b, &p, "Japan (four)", true);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert_str_eq(got.name, "Japan (three)");
	cr_assert(!store_read_moved(a));
	store_read_end(a);
	/* known, then a commit, and nothing more read: nothing moved */
	uint64_t g4 = light_gen(a, &known);
	cr_assert_gt(g4, g3);
	store_read_end(a);
	cr_assert_eq(light_gen(a, &known), g4);
	cr_assert_eq(known, pg == NULL);
	b_writes(b, &p, "Japan (five)", true);
	cr_assert(!store_read_moved(a));
	store_read_end(a);
	/* its own handle's commit is seen too */
	uint64_t g5 = light_gen(a, &known);
	cr_assert(!known);
	cr_assert_gt(g5, g4);
	store_read_end(a);
	cr_assert_eq(store_begin(a, &e), 0, "%s", e.msg);
	strcpy(p.name, "Japan (six)");
	cr_assert_eq(store_party_put(a, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(a, &e), 0, "%s", e.msg);
	uint64_t g6 = light_gen(a, &known);
	cr_assert(!known);
	cr_assert_gt(g6, g5);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert_str_eq(got.name, "Japan (six)");
	store_read_end(a);
	/* a checkpoint that empties the log changes no row: the generation the same */
	if (!pg) {
		sqlite3 *db;
		cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
		cr_assert_eq(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
			     SQLITE_OK, "%s", sqlite3_errmsg(db));
		sqlite3_close(db);
	}
	cr_assert_eq(light_gen(a, &known), g6);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert(!store_read_moved(a));
	store_read_end(a);
	store_close(b);
	store_close(a);
}

static int one(struct sql *c, const char *sql, char *out, size_t n);

/* The SQLite driver's light statement (the store's generation), as the store prepares it. */
static const char GEN_SQL[] = "SELECT n, 0 FROM store_generation";

/* A light stretch begun on c; its generation's answer known without a read? */
static bool sq_light_begins(struct sql *c, char *answer, size_t n)
{
	struct sql_stmt *st;
	struct lerr e = {0};
	cr_assert_eq(c->d->read_begin(c, &e), 0, "%s", e.msg);
	c->d->read_light(c);
	cr_assert_eq(sql_prep(c, GEN_SQL, &st, &e), 0, "%s", e.msg);
	sql_light(st);
	bool known = sql_light_known(st, answer, n);
	if (!known) {
		cr_assert_eq(sql_step(st), SQL_ROW, "%s", sql_errmsg(c));
		snprintf(answer, n, "%s|%s", sql_text(st, 0), sql_text(st, 1));
	}
	sql_release(st);
	return known;
}

/*
 * SQLite's driver, a light stretch whose generation was known: its next
 * statement that begins a snapshot checks it; one that reads no table
 * begins none and leaves the check to the next; a step that fails, or a
 * ROLLBACK, may leave the next unchecked: the stretch moved.
 */
Test(store, a_known_generation_is_checked_by_the_first_statement_that_takes_a_snapshot)
{
	if (pg)
		return;
	struct store *s;
	struct sql *c, *w;
	struct lerr e = {0};
	char a[64], out[64];
	cr_assert_eq(store_open(path, true, &s, &e), 0, "%s", e.msg); /* the schema */
	store_close(s);
	cr_assert_eq(sql_sqlite_open(path, false, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(sql_sqlite_open(path, false, &w, &e), 0, "%s", e.msg);
	/* the index recovered (the last connection gone): not kept until a commit */
	for (int i = 0; i < 3; i++) {
		cr_assert(!sq_light_begins(c, a, sizeof a));
		c->d->read_end(c);
	}
	cr_assert_eq(sql_exec(w, "INSERT INTO meta(key, value) VALUES('t0', 'x')", &e), 0, "%s",
		     e.msg);
	cr_assert(!sq_light_begins(c, a, sizeof a));
	c->d->read_end(c);
	/* a statement that reads no table, then a commit, then a read */
	cr_assert(sq_light_begins(c, a, sizeof a));
	cr_assert_eq(one(c, "SELECT 1", out, sizeof out), SQL_ROW);
	cr_assert(!c->d->read_moved(c));
	cr_assert_eq(sql_exec(w, "INSERT INTO meta(key, value) VALUES('t1', 'x')", &e), 0, "%s",
		     e.msg);
	cr_assert_eq(one(c, "SELECT count(*) FROM meta WHERE key = 't1'", out, sizeof out),
		     SQL_ROW);
	cr_assert_str_eq(out, "1");
	cr_assert(c->d->read_moved(c));
	c->d->read_end(c);
	/* a read, then a commit: one snapshot, not moved */
	cr_assert(!sq_light_begins(c, a, sizeof a)); /* the commit: read */
	c->d->read_end(c);
	cr_assert(sq_light_begins(c, a, sizeof a));
	cr_assert_eq(one(c, "SELECT count(*) FROM meta WHERE key = 't2'", out, sizeof out),
		     SQL_ROW);
	cr_assert_eq(sql_exec(w, "INSERT INTO meta(key, value) VALUES('t2', 'x')", &e), 0, "%s",
		     e.msg);
	cr_assert_eq(one(c, "SELECT count(*) FROM meta WHERE key = 't2'", out, sizeof out),
		     SQL_ROW);
	cr_assert_str_eq(out, "0");
	cr_assert(!c->d->read_moved(c));
	c->d->read_end(c);
	/* a step that fails (an integer overflow, no table read): moved */
	cr_assert(!sq_light_begins(c, a, sizeof a));
	c->d->read_end(c);
	cr_assert(sq_light_begins(c, a, sizeof a));
	cr_assert_eq(one(c, "SELECT abs(-9223372036854775807 - 1)", out, sizeof out), SQL_ERROR);
	cr_assert(c->d->read_moved(c));
	c->d->read_end(c);
	cr_assert(!c->d->read_moved(c));
	/* a ROLLBACK that ends the stretch's transaction: moved */
	cr_assert(sq_light_begins(c, a, sizeof a));
	cr_assert_eq(sql_exec(c, "ROLLBACK", &e), 0, "%s", e.msg);
	cr_assert(c->d->read_moved(c));
	cr_assert(!sql_in_tx(c));
	c->d->read_end(c);
	/* a statement left unreset across the stretch's end keeps its snapshot
	 * open: no answer known in it, and what the generation's statement
	 * reads there (an older store than the header says) is not kept */
	char before[64];
	cr_assert(sq_light_begins(c, before, sizeof before));
	struct sql_stmt *open_st;
	cr_assert_eq(sql_prep(c, "SELECT key FROM meta", &open_st, &e), 0, "%s", e.msg);
	cr_assert_eq(sql_step(open_st), SQL_ROW);
	c->d->read_end(c); /* its COMMIT; open_st still stepped */
	cr_assert_eq(sql_exec(w, "INSERT INTO meta(key, value) VALUES('t3', 'x')", &e), 0, "%s",
		     e.msg);
	cr_assert(!sq_light_begins(c, a, sizeof a));
	cr_assert_str_eq(a, before); /* the old snapshot's */
	c->d->read_end(c);
	sql_release(open_st);
	cr_assert(!sq_light_begins(c, a, sizeof a)); /* not the old answer, known */
	cr_assert_str_neq(a, before);
	c->d->read_end(c);
	/* an answer kept for a second at most */
	cr_assert(sq_light_begins(c, a, sizeof a));
	c->d->read_end(c);
	struct timespec pause = {1, 100000000};
	nanosleep(&pause, NULL);
	cr_assert(!sq_light_begins(c, a, sizeof a));
	c->d->read_end(c);
	cr_assert(sq_light_begins(c, a, sizeof a));
	c->d->read_end(c);
	/* the connection's locking mode set again: the index is not used again */
	cr_assert_eq(sql_exec(c, "PRAGMA Locking_Mode = NORMAL", &e), 0, "%s", e.msg);
	for (int i = 0; i < 2; i++) {
		cr_assert(!sq_light_begins(c, a, sizeof a));
		c->d->read_end(c);
	}
	/* the light statement not first: nothing known, nothing kept from it */
	cr_assert_eq(c->d->read_begin(c, &e), 0, "%s", e.msg);
	c->d->read_light(c);
	cr_assert_eq(one(c, "SELECT 1", out, sizeof out), SQL_ROW);
	struct sql_stmt *st;
	cr_assert_eq(sql_prep(c, GEN_SQL, &st, &e), 0, "%s", e.msg);
	sql_light(st);
	cr_assert(!sql_light_known(st, a, sizeof a));
	sql_release(st);
	c->d->read_end(c);
	sql_close(w);
	sql_close(c);
}

/*
 * A light stretch given its generation, read on another connection after
 * its question came (the daemon's generation gate): on PostgreSQL it reads
 * no generation of its own, and its transaction, if it reads more, checks
 * the one given as it would its own; SQLite's reads its own (one snapshot,
 * no round trip to spare). A generation given and not used is gone with
 * its stretch.
 */
Test(store, a_light_read_takes_its_generation_from_another_connection_and_checks_it)
{
	struct store *a, *b;
	struct lerr e = {0};
	struct party p = jpn(), got;
	struct store_gen g;
	cr_assert_eq(store_open(path, true, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_open(path, false, &b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_generation_shared(a), pg != NULL);
	cr_assert_eq(store_begin(a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(a, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(a, &e), 0, "%s", e.msg);
	/* read by b; nothing written since: a's stretch one snapshot with it */
	cr_assert_eq(store_generation(b, &g, &e), 0, "%s", e.msg);
	cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
	store_generation_given(a, &g);
	cr_assert_eq(gen_of(a), g.n);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert(!store_read_moved(a));
	store_read_end(a);
	/* a write after b's read: a's transaction finds the store moved */
	cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
	store_generation_given(a, &g);
	cr_assert_eq(gen_of(a), g.n);
	struct party q = p;
	strcpy(q.name, "Japan (after)");
	cr_assert_eq(store_begin(b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(b, &q, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert_str_eq(got.name, pg ? q.name : p.name); /* SQLite: its snapshot, from its read */
	cr_assert_eq(store_read_moved(a), pg != NULL);
	store_read_end(a);
	/* a generation the store never had: PostgreSQL's stretch takes it as
	 * given, reading none (it would find its own), and its transaction
	 * finds it moved: the check is by value, the server's start in it too */
	struct store_gen now;
	cr_assert_eq(store_generation(b, &now, &e), 0, "%s", e.msg);
	struct store_gen others[] = {{now.n + 1000, now.server}, {now.n, now.server + 1}};
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
		store_generation_given(a, &others[i]);
		cr_assert_eq(gen_of(a), pg ? others[i].n : now.n);
		cr_assert_eq(store_party_get(a, "JPN", &got, &e), 0, "%s", e.msg);
		cr_assert_eq(store_read_moved(a), pg != NULL);
		store_read_end(a);
	}
	/* given, not used: the next stretch reads its own */
	cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
	store_generation_given(a, &g);
	store_read_end(a);
	cr_assert_eq(store_read_begin_light(a, &e), 0, "%s", e.msg);
	cr_assert_gt(gen_of(a), g.n);
	cr_assert(!store_read_moved(a));
	store_read_end(a);
	store_close(b);
	store_close(a);
}

Test(store, every_table_but_the_logs_has_the_generation_triggers)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0, "%s", e.msg);
	store_close(s);
	const char *tables = pg ? "SELECT tablename AS name FROM pg_tables"
				  " WHERE schemaname = current_schema()"
				: "SELECT name FROM sqlite_master WHERE type = 'table'"
				  " AND name NOT LIKE 'sqlite%'";
	/* PostgreSQL: the row trigger deferred to the commit and TRUNCATE's,
	 * both enabled ALWAYS (even in a session in replica mode) */
	const char *count = pg ? "(SELECT count(*) FROM pg_trigger g JOIN pg_class c"
				 " ON c.oid = g.tgrelid WHERE c.relname = t.name"
				 " AND c.relnamespace = current_schema()::regnamespace"
				 " AND g.tgenabled = 'A' AND (g.tgname = 'store_generation'"
				 " AND g.tgdeferrable AND g.tginitdeferred"
				 " OR g.tgname = 'store_generation_truncate'))"
			       : "(SELECT count(*) FROM sqlite_master g WHERE g.type = 'trigger'"
				 " AND g.tbl_name = t.name AND g.name LIKE '%_gen__')";
	const char *per_table = pg ? "2" : "3";
	const char *logs = "('log_entries', 'log_hashes', 'log_witnessed', 'peer_nonces', 'outbox',"
			   " 'inbox', 'peers', 'payloads', 'payload_chunks', 'store_generation',"
			   " 'store_schema')";
	char sql[2048];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM (%s) t WHERE t.name NOT IN %s AND %s = %s",
		 tables, logs, count, per_table);
	cr_assert_geq(raw(sql), 27, "every table the store has but those, as at version 16");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM (%s) t WHERE t.name NOT IN %s AND %s <> %s",
		 tables, logs, count, per_table);
	cr_assert_eq(raw(sql), 0, "a table without its triggers");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM (%s) t WHERE t.name IN %s AND %s <> 0",
		 tables, logs, count);
	cr_assert_eq(raw(sql), 0, "the log's tables move nothing");
}

Test(store, a_postgresql_write_moves_its_own_stores_generation_whatever_the_session)
{
	if (!pg)
		cr_skip_test("PostgreSQL only (LIAISON_TEST_PG)");
	struct store *s;
	struct lerr e = {0};
	struct party p = jpn();
	cr_assert_eq(store_open(path, true, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_begin(s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(s, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	uint64_t g0 = gen_of(s);
	/* a session in replica mode (SET session_replication_role, logical
	 * replication's apply) still moves it */
	raw("SET session_replication_role = replica; UPDATE parties SET name = 'x'");
	uint64_t g1 = gen_of(s);
	cr_assert_gt(g1, g0);
	/* a session whose search_path finds another store's counter first moves
	 * the counter beside the table it writes, and only that one */
	raw("SET client_min_messages = warning; CREATE SCHEMA other;"
	    " CREATE TABLE other.store_generation(n BIGINT NOT NULL);"
	    " INSERT INTO other.store_generation VALUES(0);"
	    " SET search_path = other, public; UPDATE public.parties SET name = 'y'");
	cr_assert_gt(gen_of(s), g1);
	cr_assert_eq(raw("SELECT n FROM other.store_generation"), 0);
	/* a write that changes no row moves nothing (the trigger is per row) */
	g1 = gen_of(s);
	raw("UPDATE parties SET name = 'z' WHERE code = 'none'");
	cr_assert_eq(gen_of(s), g1);
	/* a write rolled back to its savepoint moves nothing; the next does,
	 * as does one whose session set what the first version's trigger
	 * trusted to mean "moved already" */
	raw("BEGIN; SAVEPOINT a; UPDATE parties SET name = 'w'; ROLLBACK TO a; COMMIT");
	cr_assert_eq(gen_of(s), g1);
	raw("SELECT set_config('liaison.generation_moved', '/' || md5(current_schema()) || '/',"
	    " false); BEGIN; UPDATE parties SET name = 'v'; UPDATE levels SET name = name; COMMIT");
	cr_assert_gt(gen_of(s), g1);
	/* the server that answered, beside the counter */
	struct store_gen g;
	cr_assert_eq(store_generation(s, &g, &e), 0, "%s", e.msg);
	cr_assert_gt(g.server, 0);
	store_close(s);
}

Test(store, a_table_liaison_does_not_make_stops_the_migration_that_guards_the_cache)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0, "%s", e.msg);
	struct store_gen g;
	cr_assert_eq(store_generation(s, &g, &e), 0, "%s", e.msg);
	if (!pg)
		cr_assert_eq(g.server, 0);
	store_close(s);
	undo_migration_17();
	raw("CREATE TABLE \"Odd\"(a INTEGER)");
	raw(pg ? "UPDATE store_schema SET version = 16" : "PRAGMA user_version=16");
	cr_assert_lt(store_open(path, false, &s, &e), 0);
	cr_assert(strstr(e.msg, "table Odd is not one liaison makes"), "%s", e.msg);
	/* the triggers come with the last migration: it is the one refused */
	cr_assert(strstr(e.msg, "migration to version " XSTR(SCHEMA)), "%s", e.msg);
	cr_assert_eq(raw_version(), SCHEMA - 1, "the migration rolled back whole");
}

Test(store, agreement_events_come_back_in_applying_order)
{
	struct store *s;
	struct lerr e = {0};
	struct party p = jpn(), k = {.code = "KOR", .name = "Korea", .nlevels = 1};
	strcpy(k.levels[0].code, "II");
	strcpy(k.levels[0].name, "II");
	k.levels[0].rank = 2;
	struct agreement *a = agr_new(1, 1, 90), *b = malloc(sizeof *b);
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_party_put(s, &p, &e), 0);
	cr_assert_eq(store_party_put(s, &k, &e), 0);
	cr_assert_eq(store_agreement_put(s, a, &e), 0, "%s", e.msg);
	const struct store_event_info info = {"cli", "2026-01-01"};
	struct agr_event evs[] = {{D("2019-08-23"), AGR_EV_NOTICE, "KOR", 0},
				  {D("2016-11-23"), AGR_EV_IN_FORCE, "", 0},
				  {D("2016-11-23"), AGR_EV_SIGNED, "", 0}};
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(store_event_add(s, "TEST", &evs[i], &info, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_agreement_get(s, "TEST", b, &e), 0, "%s", e.msg);
	cr_assert_eq(b->nevents, 3);
	cr_assert_eq(b->events[0].kind, AGR_EV_SIGNED);
	cr_assert_eq(b->events[1].kind, AGR_EV_IN_FORCE);
	cr_assert_eq(b->events[2].kind, AGR_EV_NOTICE);
	cr_assert_str_eq(b->events[2].by, "KOR");
	cr_assert_eq(b->nparties, 2);
	cr_assert_eq(b->notice_days, 90);
	cr_assert_eq(store_agreement_get(s, "NOPE", b, &e), LERR_NOTFOUND);
	store_close(s);
	free(a);
	free(b);
}

Test(store, an_event_of_an_unknown_agreement_is_refused)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	const struct store_event_info info = {"cli", "2026-01-01"};
	struct agr_event ev = {D("2016-11-23"), AGR_EV_IN_FORCE, "", 0};
	cr_assert_eq(store_event_add(s, "NOPE", &ev, &info, NULL, &e), LERR_STORE);
	cr_assert(strstr(e.msg, "FOREIGN KEY") || strstr(e.msg, "foreign key"), "%s", e.msg);
	store_close(s);
}

Test(store, refuses_a_schema_newer_than_it_knows)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	store_close(s);
	raw(pg ? "UPDATE store_schema SET version = 99" : "PRAGMA user_version=99");
	cr_assert_lt(store_open(path, false, &s, &e), 0);
	cr_assert(strstr(e.msg, "schema version 99 is newer"), "%s", e.msg);
}

Test(store, meta_values_round_trip)
{
	struct store *s;
	struct lerr e = {0};
	char v[STORE_META_MAX];
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	cr_assert_eq(store_meta_get(s, "party", v, sizeof v, &e), LERR_NOTFOUND);
	cr_assert_eq(store_meta_set(s, "party", "JPN", &e), 0);
	cr_assert_eq(store_meta_set(s, "party", "KOR", &e), 0);
	cr_assert_eq(store_meta_get(s, "party", v, sizeof v, &e), 0);
	cr_assert_str_eq(v, "KOR");
	store_close(s);
}

/* Sources are replaced by their exact prefix (an agreement "a" is not "A"),
 * and announcements by their owner, in both engines. */
Test(store, sources_and_announcements_by_their_owner)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	struct store_source v[] = {
	    {"event", "A|2016-11-23|signed|", {"Upper", ""}},
	    {"event", "a|2016-11-23|signed|", {"lower", "https://x.test/%_"}}};
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_sources_replace(s, "event", "A|", &v[0], 1, &e), 0, "%s", e.msg);
	cr_assert_eq(store_sources_replace(s, "event", "a|", &v[1], 1, &e), 0, "%s", e.msg);
	cr_assert_eq(store_sources_replace(s, "event", "a|", NULL, 0, &e), 0, "%s", e.msg);
	struct announcement an = {.title = "Cabinet decision", .by = "JPN"};
	an.date = D("2019-08-02");
	cr_assert_eq(store_announcements_replace(s, "export|JPN", &an, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	struct store_source *got;
	size_t n;
	cr_assert_eq(store_sources_list(s, "event", "A|", &got, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 1, "replacing a|'s sources left A|'s");
	cr_assert_str_eq(got[0].src.title, "Upper");
	free(got);
	cr_assert_eq(store_sources_list(s, "event", "a|", &got, &n, &e), 0);
	cr_assert_eq(n, 0);
	free(got);
	struct announcement *as;
	cr_assert_eq(store_announcements_list(s, "export|JPN", &as, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(as[0].title, "Cabinet decision");
	cr_assert_eq(as[0].date, D("2019-08-02"));
	free(as);
	cr_assert_eq(store_announcements_list(s, "export|KOR", &as, &n, &e), 0);
	cr_assert_eq(n, 0);
	free(as);
	store_close(s);
}

Test(store, an_older_store_is_migrated_on_opening)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	store_close(s);
	/* make it a version 1 store: no people yet */
	undo_migration_17();
	static const char *const drop[] = {"payload_chunks",
					   "payloads",
					   "retired_keys",
					   "reports",
					   "sources",
					   "announcements",
					   "export_group_defs",
					   "clearances",
					   "peer_nonces",
					   "inbox",
					   "outbox",
					   "peers",
					   "tokens",
					   "log_witnessed",
					   "log_hashes",
					   "log_entries",
					   "export_licences",
					   "export_measure_entries",
					   "export_measures",
					   "export_entries",
					   "export_groups",
					   "export_regimes",
					   "consents",
					   "releases",
					   "items",
					   "party_keys",
					   "person_ntk",
					   "people",
					   "party_words"};
	drop_tables(drop, sizeof drop / sizeof *drop);
	raw("ALTER TABLE parties DROP COLUMN no_operator_acts");
	raw("ALTER TABLE levels DROP COLUMN separate");
	raw("ALTER TABLE levels DROP COLUMN valid_years");
	raw("ALTER TABLE parties DROP COLUMN time_zone");
	raw("ALTER TABLE levels DROP COLUMN colour");
	if (pg) /* made by migration 8 */
		raw("DROP TABLE store_generation");
	raw(pg ? "UPDATE store_schema SET version = 1" : "PRAGMA user_version=1");
	cr_assert_eq(store_open(path, false, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_schema_version(s), SCHEMA);
	struct person p;
	cr_assert_eq(store_person_get(s, "kim", &p, &e), LERR_NOTFOUND, "%s", e.msg);
	store_close(s);
	cr_assert_eq(raw("SELECT count(*) FROM people"), 0);
}

Test(store, migration_11_moves_a_clearance_into_its_own_table)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	struct party p = jpn();
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_party_put(s, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	store_close(s);
	/* a version 10 store: the clearance in the person's own row */
	undo_migration_17();
	static const char *const drop[] = {"payload_chunks",	"payloads",  "retired_keys",
					   "reports",		"sources",   "announcements",
					   "export_group_defs", "clearances"};
	drop_tables(drop, sizeof drop / sizeof *drop);
	raw("DROP INDEX items_by_blob");
	raw("ALTER TABLE export_licences DROP COLUMN exporter");
	raw("ALTER TABLE export_licences DROP COLUMN consignee");
	raw("ALTER TABLE levels DROP COLUMN colour");
	raw("ALTER TABLE peers DROP COLUMN envelope_version");
	raw("INSERT INTO people(id, party, name, roles, level, clearance_from, clearance_to)"
	    " VALUES('sato', 'JPN', 'Sato', 1, 'GOKUHI', '2015-04-01', '9999-12-31')");
	raw(pg ? "UPDATE store_schema SET version = 10" : "PRAGMA user_version=10");
	cr_assert_eq(store_open(path, false, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_schema_version(s), SCHEMA);
	struct person got;
	cr_assert_eq(store_person_get(s, "sato", &got, &e), 0, "%s", e.msg);
	cr_assert_eq(got.nclear, 1);
	cr_assert_str_eq(got.clear[0].level, "GOKUHI");
	char d[DATE_BUF_SIZE];
	cr_assert_str_eq(date_format(got.clear[0].from, d), "2015-04-01");
	cr_assert_eq(got.clear[0].to, DATE_MAX);
	store_close(s);
	cr_assert_eq(raw("SELECT count(*) FROM people WHERE level IS NOT NULL"), 0);
}

/* A small regime: two groups, two entries, a measure, a licence. */
static void regime(struct export_regime *r, struct export_interval *g, struct export_entry *x,
		   struct export_measure *m, struct export_licence *l)
{
	memset(r, 0, sizeof *r);
	strcpy(r->party, "JPN");
	r->default_group = EXG_C;
	g[0] = (struct export_interval){"KOR", EXG_A, D("2004-04-01"), D("2019-08-27")};
	g[1] = (struct export_interval){"KOR", EXG_B, D("2019-08-28"), DATE_MAX};
	x[0] = (struct export_entry){"HF", "hydrogen fluoride", 3};
	x[1] = (struct export_entry){"FPI", "fluorinated polyimide", 7};
	memset(m, 0, sizeof *m);
	m->nentries = 2;
	strcpy(m->entries[0], "HF");
	strcpy(m->entries[1], "FPI");
	strcpy(m->country, "KOR");
	m->from = D("2019-07-04");
	m->to = D("2023-03-23");
	*l = (struct export_licence){.id = "IL-1",
				     .entry = "HF",
				     .country = "KOR",
				     .from = D("2019-08-08"),
				     .to = D("2020-02-07")};
	r->groups = g;
	r->ngroups = 2;
	r->entries = x;
	r->nentries = 2;
	r->measures = m;
	r->nmeasures = 1;
	r->licences = l;
	r->nlicences = 1;
}

Test(store, an_export_regime_round_trips_and_keeps_added_licences)
{
	struct store *s;
	struct lerr e = {0};
	struct export_interval g[2];
	struct export_entry x[2];
	struct export_measure m;
	struct export_licence l, l2 = {.id = "IL-2",
				       .entry = "FPI",
				       .country = "KOR",
				       .from = D("2019-09-01"),
				       .to = D("2019-12-31")};
	struct export_regime r, got;
	regime(&r, g, x, &m, &l);
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	struct party p = jpn();
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_party_put(s, &p, &e), 0);
	cr_assert_eq(store_export_regime_put(s, &r, "2019-07-01", &e), 0, "%s", e.msg);
	cr_assert_eq(store_export_licence_add(s, "JPN", &l2, "cli", "2019-09-01", &e), 0, "%s",
		     e.msg);
	cr_assert_eq(store_export_licence_add(s, "JPN", &l2, "cli", "2019-09-01", &e), LERR_EXISTS);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	store_close(s);
	cr_assert_eq(store_open(path, false, &s, &e), 0);
	cr_assert_eq(store_export_regime_get(s, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert_eq(got.default_group, EXG_C);
	cr_assert_eq(got.ngroups, 2);
	cr_assert(memcmp(&got.groups[1], &g[1], sizeof g[1]) == 0);
	cr_assert_eq(got.groups[1].to, DATE_MAX);
	cr_assert_eq(got.nentries, 2);
	cr_assert_str_eq(got.entries[1].name, "fluorinated polyimide");
	cr_assert_eq(got.entries[1].list_item, 7);
	cr_assert_eq(got.nmeasures, 1);
	cr_assert_eq(got.measures[0].nentries, 2);
	cr_assert_str_eq(got.measures[0].entries[1], "FPI");
	cr_assert_eq(got.measures[0].to, D("2023-03-23"));
	cr_assert_eq(got.nlicences, 2);
	cr_assert_str_eq(got.licences[1].id, "IL-2");
	cr_assert_eq(got.licences[1].to, D("2019-12-31"));
	export_regime_free(&got);
	/* putting it again with one group replaces the groups and keeps IL-2 */
	r.ngroups = 1;
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_export_regime_put(s, &r, "2019-10-01", &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_export_regime_get(s, "JPN", &got, &e), 0, "%s", e.msg);
	cr_assert_eq(got.ngroups, 1);
	cr_assert_eq(got.nlicences, 2);
	export_regime_free(&got);
	cr_assert_eq(store_export_regime_get(s, "KOR", &got, &e), LERR_NOTFOUND);
	cr_assert(strstr(e.msg, "no export regime of KOR"), "%s", e.msg);
	store_close(s);
	cr_assert_eq(raw("SELECT count(*) FROM export_measure_entries"), 2);
}

Test(store, peers_outbox_inbox_and_nonces)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	struct party kor = {.code = "KOR", .name = "Korea", .nlevels = 0};
	cr_assert_eq(store_party_put(s, &kor, &e), 0, "%s", e.msg);
	struct store_peer p = {.party = "KOR",
			       .url = "http://127.0.0.1:7401",
			       .added_on = "2019-09-01"},
			  got;
	cr_assert_eq(store_peer_get(s, "KOR", &got, &e), LERR_NOTFOUND);
	cr_assert_eq(store_peer_put(s, &p, &e), 0, "%s", e.msg);
	strcpy(p.url, "https://kor.example");
	cr_assert_eq(store_peer_put(s, &p, &e), 0, "%s", e.msg); /* moved, not doubled */
	cr_assert_eq(store_peer_get(s, "KOR", &got, &e), 0);
	cr_assert_str_eq(got.url, "https://kor.example");
	struct store_peer *ps;
	size_t n;
	cr_assert_eq(store_peer_list(s, &ps, &n, &e), 0);
	cr_assert_eq(n, 1);
	free(ps);
	/* two messages: one due at 100 with a body, one due at 200 without */
	struct store_msg a = {.id = "a1",
			      .peer = "KOR",
			      .kind = "consent",
			      .ref = "item1",
			      .body = "{\"consent\":1}\n",
			      .body_len = 14,
			      .digest = "d1",
			      .created_on = "2019-09-01",
			      .next_try = 100};
	struct store_msg b = {.id = "b2",
			      .peer = "KOR",
			      .kind = "item",
			      .ref = "item2",
			      .digest = "d2",
			      .created_on = "2019-09-01",
			      .next_try = 200};
	cr_assert_eq(store_outbox_add(s, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_outbox_add(s, &b, &e), 0, "%s", e.msg);
	cr_assert_neq(store_outbox_add(s, &b, &e), 0, "one id, one message");
	struct store_msg *ms;
	cr_assert_eq(store_outbox_due(s, NULL, 99, 10, &ms, &n, &e), 0);
	cr_assert_eq(n, 0);
	free(ms);
	cr_assert_eq(store_outbox_due(s, NULL, 150, 10, &ms, &n, &e), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(ms[0].id, "a1");
	cr_assert_eq(ms[0].body_len, 14);
	cr_assert_eq(memcmp(ms[0].body, a.body, 14), 0);
	/* delivered: no longer due */
	ms[0].state = MSG_DELIVERED;
	strcpy(ms[0].done_on, "2019-09-02");
	ms[0].receipt = strdup("{\"receipt\":{}}");
	cr_assert_eq(store_outbox_update(s, &ms[0], ms[0].attempts, &e), 0, "%s", e.msg);
	/* an outcome saved meanwhile: another's is not written over it */
	ms[0].state = MSG_QUEUED;
	cr_assert_eq(store_outbox_update(s, &ms[0], ms[0].attempts, &e), LERR_EXISTS);
	ms[0].state = MSG_DELIVERED;
	store_msg_free(ms, n);
	free(ms);
	/* counted by peer and state, in one query: a peer with none counts 0 */
	const char peers[2][PARTY_CODE_MAX] = {"KOR", "USA"};
	uint64_t counts[2][3];
	cr_assert_eq(store_outbox_counts(s, peers, 2, counts, &e), 0, "%s", e.msg);
	cr_assert_eq(counts[0][MSG_QUEUED], 1);
	cr_assert_eq(counts[0][MSG_DELIVERED], 1);
	cr_assert_eq(counts[0][MSG_REFUSED], 0);
	cr_assert_eq(counts[1][MSG_QUEUED] + counts[1][MSG_DELIVERED] + counts[1][MSG_REFUSED], 0);
	cr_assert_eq(store_outbox_due(s, NULL, 1000, 10, &ms, &n, &e), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(ms[0].id, "b2");
	cr_assert_null(ms[0].body, "an item's body is its file");
	store_msg_free(ms, n);
	free(ms);
	/* one peer's lane asks for its own messages only */
	cr_assert_eq(store_outbox_due(s, "KOR", 1000, 10, &ms, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(ms[0].id, "b2");
	store_msg_free(ms, n);
	free(ms);
	cr_assert_eq(store_outbox_due(s, "USA", 1000, 10, &ms, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 0);
	free(ms);
	cr_assert_eq(store_outbox_list(s, &ms, &n, &e), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(ms[0].state, MSG_DELIVERED);
	cr_assert_str_eq(ms[0].receipt, "{\"receipt\":{}}");
	cr_assert_str_eq(ms[0].done_on, "2019-09-02");
	cr_assert_null(ms[0].body, "lists carry no bodies");
	store_msg_free(ms, n);
	free(ms);
	/* the inbox: once per id */
	struct store_msg in = {.id = "m1",
			       .peer = "KOR",
			       .kind = "item",
			       .ref = "x",
			       .digest = "dd",
			       .done_on = "2019-09-03"};
	struct store_msg none;
	cr_assert_eq(store_inbox_get(s, "KOR", "m1", &none, &e), LERR_NOTFOUND);
	cr_assert_eq(store_inbox_add(s, &in, &e), 0, "%s", e.msg);
	cr_assert_eq(store_inbox_add(s, &in, &e), LERR_EXISTS);
	/* another peer's message of the same id is its own */
	struct store_msg usa = in;
	str_copy(usa.peer, sizeof usa.peer, "USA");
	str_copy(usa.digest, sizeof usa.digest, "ee");
	cr_assert_eq(store_inbox_get(s, "USA", "m1", &none, &e), LERR_NOTFOUND);
	cr_assert_eq(store_inbox_add(s, &usa, &e), 0, "%s", e.msg);
	struct store_msg back;
	cr_assert_eq(store_inbox_get(s, "USA", "m1", &back, &e), 0);
	cr_assert_str_eq(back.digest, "ee");
	cr_assert_eq(store_inbox_get(s, "KOR", "m1", &back, &e), 0);
	cr_assert_str_eq(back.digest, "dd");
	cr_assert_str_eq(back.done_on, "2019-09-03");
	/* nonces: once each, forgotten after the window */
	cr_assert_eq(store_nonce_use(s, "KOR", "n1", 1000, 400, &e), 0);
	cr_assert_eq(store_nonce_use(s, "KOR", "n1", 1001, 400, &e), LERR_EXISTS);
	cr_assert_eq(store_nonce_use(s, "JPN", "n1", 1001, 400, &e), 0, "another party's");
	cr_assert_eq(store_nonce_use(s, "KOR", "n1", 2000, 1500, &e), 0, "forgotten");
	cr_assert_eq(store_peer_remove(s, "KOR", &e), 0);
	cr_assert_eq(store_peer_remove(s, "KOR", &e), LERR_NOTFOUND);
	store_close(s);
}

Test(store, compromise_reports_kept_listed_and_acknowledged_once)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	struct store_report a = {.id = "KOR-0000000000000000000000000000000a",
				 .message = "0000000000000000000000000000000a",
				 .item = "item-1",
				 .from = "KOR",
				 .by = "park",
				 .reported_on = "2019-09-01",
				 .received_on = "2019-09-01",
				 .sha256 = "ab",
				 .body = "{\"compromise_report\": {}}"},
			    b = a, got;
	strcpy(b.id, "KOR-0000000000000000000000000000000b");
	strcpy(b.item, "item-2");
	strcpy(b.received_on, "2019-09-02");
	cr_assert_eq(store_report_add(s, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_report_add(s, &b, &e), 0, "%s", e.msg);
	cr_assert_lt(store_report_add(s, &a, &e), 0); /* one id, once */
	struct store_report *rs;
	size_t n;
	cr_assert_eq(store_report_list(s, NULL, false, &rs, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(rs[0].id, b.id); /* newest first */
	free(rs);
	cr_assert_eq(store_report_list(s, "item-1", false, &rs, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rs[0].by, "park");
	free(rs);
	strcpy(a.acknowledged_by, "suzuki");
	strcpy(a.acknowledged_on, "2019-09-03");
	strcpy(a.note, "wiped");
	cr_assert_eq(store_report_acknowledge(s, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_report_acknowledge(s, &a, &e), LERR_EXISTS); /* once */
	cr_assert_eq(store_report_list(s, NULL, true, &rs, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rs[0].id, b.id);
	free(rs);
	cr_assert_eq(store_report_get(s, a.id, &got, &e), 0, "%s", e.msg);
	cr_assert_str_eq(got.acknowledged_by, "suzuki");
	cr_assert_str_eq(got.note, "wiped");
	cr_assert_str_eq(got.body, a.body);
	cr_assert_str_eq(got.message, a.message);
	free(got.body);
	cr_assert_eq(store_report_get(s, "nope", &got, &e), LERR_NOTFOUND);
	uint64_t c;
	cr_assert_eq(store_report_count(s, NULL, false, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c, 2);
	cr_assert_eq(store_report_count(s, NULL, true, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c, 1);
	cr_assert_eq(store_report_count(s, "item-1", false, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c, 1);
	cr_assert_eq(store_report_count(s, "item-1", true, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c, 0); /* acknowledged */
	cr_assert_eq(store_report_count(s, "item-2", true, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c, 1);
	store_close(s);
}

/* The store made older (a schema without reports.message) given a report
 * of KOR's under its message id alone, as version `version`, opened again:
 * migrated to SCHEMA, the report keeping its id and naming its message. */
static struct store *older_report_migrated(int version)
{
	struct store *s;
	struct lerr e = {0};
	char set[64];
	raw("INSERT INTO reports(id, item, from_party, by_person, reported_on, received_on, sha256,"
	    " body) VALUES('0123456789abcdef0123456789abcdef', 'item-1', 'KOR', 'park',"
	    " '2019-09-01', '2019-09-01', 'ab', '{}')");
	snprintf(set, sizeof set,
		 pg ? "UPDATE store_schema SET version = %d" : "PRAGMA user_version=%d", version);
	raw(set);
	cr_assert_eq(store_open(path, false, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_schema_version(s), SCHEMA);
	struct store_report got;
	cr_assert_eq(store_report_get(s, "0123456789abcdef0123456789abcdef", &got, &e), 0, "%s",
		     e.msg);
	cr_assert_str_eq(got.message, "0123456789abcdef0123456789abcdef");
	cr_assert_str_eq(got.from, "KOR");
	free(got.body);
	return s;
}

Test(store, migration_20_keeps_a_reports_id_and_names_its_message)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	store_close(s);
	/* a store of before 17 (and so of 20) */
	undo_migration_17();
	s = older_report_migrated(16);
	/* another party's report of the same message id now has its own */
	struct store_report usa = {.id = "USA-0123456789abcdef0123456789abcdef",
				   .message = "0123456789abcdef0123456789abcdef",
				   .item = "item-1",
				   .from = "USA",
				   .by = "smith",
				   .reported_on = "2019-09-01",
				   .received_on = "2019-09-01",
				   .sha256 = "cd",
				   .body = "{}"};
	cr_assert_eq(store_begin(s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_report_add(s, &usa, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	store_close(s);
	cr_assert_eq(raw("SELECT count(*) FROM reports"), 2);
}

Test(store, the_last_migration_writes_rows_in_a_table_with_the_generations_triggers)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	store_close(s);
	/* a version 19 store as it was, its triggers in place */
	raw("ALTER TABLE reports DROP COLUMN message");
	store_close(older_report_migrated(19));
}

Test(store, retired_keys_kept_once_the_last_retired_first)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	struct party p = jpn();
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_party_put(s, &p, &e), 0, "%s", e.msg);
	struct store_retired_key a = {.pub = {.party = "JPN"},
				      .added_on = "2016-11-23",
				      .retired_on = "2019-09-01",
				      .log_size = 12,
				      .how = "rotated"},
				 b = a;
	memset(a.pub.sign_pk, 1, KEY_SIGN_PK);
	memset(a.pub.box_pk, 2, KEY_BOX_PK);
	memset(b.pub.sign_pk, 3, KEY_SIGN_PK);
	memset(b.pub.box_pk, 4, KEY_BOX_PK);
	strcpy(b.retired_on, "2020-01-01");
	b.log_size = 40;
	strcpy(b.how, "compromised");
	cr_assert_eq(store_retired_key_put(s, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_retired_key_put(s, &b, &e), 0, "%s", e.msg);
	cr_assert_eq(store_retired_key_put(s, &a, &e), 0, "%s", e.msg); /* again: nothing */
	struct store_retired_key bad = a;
	strcpy(bad.pub.party, "XYZ"); /* no such party */
	memset(bad.pub.sign_pk, 7, KEY_SIGN_PK);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_lt(store_retired_key_put(s, &bad, &e), 0);
	store_rollback(s);
	struct store_retired_key *ks;
	size_t n;
	cr_assert_eq(store_retired_keys(s, "JPN", &ks, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(ks[0].how, "compromised"); /* the last retired first */
	cr_assert_eq(ks[0].log_size, 40);
	cr_assert_eq(memcmp(ks[1].pub.sign_pk, a.pub.sign_pk, KEY_SIGN_PK), 0);
	cr_assert_eq(memcmp(ks[1].pub.box_pk, a.pub.box_pk, KEY_BOX_PK), 0);
	cr_assert_str_eq(ks[1].added_on, "2016-11-23");
	cr_assert_str_eq(ks[1].pub.party, "JPN");
	free(ks);
	cr_assert_eq(store_retired_keys(s, "KOR", &ks, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 0);
	free(ks);
	store_close(s);
}

/* A file in dir holding n bytes of a pattern that differs chunk to chunk. */
static int pattern_file(size_t n)
{
	char t[96];
	snprintf(t, sizeof t, "%s/pattern-XXXXXX", dir);
	int fd = mkstemp(t);
	cr_assert_geq(fd, 0);
	unlink(t);
	uint8_t b[4096];
	for (size_t at = 0; at < n; at += sizeof b) {
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (uint8_t)((at + i) * 2654435761u >> 13);
		size_t k = n - at < sizeof b ? n - at : sizeof b;
		cr_assert_eq(write(fd, b, k), (ssize_t)k);
	}
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Whether fd holds exactly what pattern_file(n) wrote. */
static bool same_as_pattern(int fd, size_t n)
{
	int want = pattern_file(n);
	uint8_t a[4096], b[4096];
	bool same = lseek(fd, 0, SEEK_END) == (off_t)n && lseek(fd, 0, SEEK_SET) == 0;
	for (size_t at = 0; same && at < n; at += sizeof a) {
		ssize_t x = read(fd, a, sizeof a), y = read(want, b, sizeof b);
		same = x == y && x > 0 && memcmp(a, b, (size_t)x) == 0;
	}
	close(want);
	return same;
}

Test(store, payloads_stream_in_chunks_and_out_whole)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	/* sizes around the chunk's: empty, one byte short, exact, one over, three and a bit */
	const size_t sizes[] = {0, STORE_CHUNK - 1, STORE_CHUNK, STORE_CHUNK + 1,
				3 * STORE_CHUNK + 12345};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		char name[32];
		uint64_t size = 1;
		snprintf(name, sizeof name, "blobs/%zu.lsn", i);
		int in = pattern_file(sizes[i]);
		cr_assert_eq(store_payload_put(s, name, in, false, 1000 + (int64_t)i, &size, &e), 0,
			     "%s", e.msg);
		close(in);
		cr_assert_eq(size, sizes[i]);
		int out = pattern_file(0);
		cr_assert_eq(store_payload_get(s, name, out, &size, &e), 0, "%s", e.msg);
		cr_assert_eq(size, sizes[i]);
		cr_assert(same_as_pattern(out, sizes[i]), "payload of %zu bytes", sizes[i]);
		close(out);
	}
	/* chunks: 1 + 1 + 1 + 2 + 4 */
	cr_assert_eq(raw("SELECT count(*) FROM payload_chunks"), 9);
	/* the same name again: its bytes kept as they were (a blob is named by
	 * them), made anew (an act names it again: no orphan for gc)... */
	int other = pattern_file(10);
	cr_assert_eq(store_payload_put(s, "blobs/1.lsn", other, false, 2000, NULL, &e), 0);
	struct store_payload *ps;
	size_t np;
	cr_assert_eq(store_payloads(s, "blobs/", &ps, &np, &e), 0, "%s", e.msg);
	cr_assert_eq(np, 5);
	cr_assert_str_eq(ps[1].name, "blobs/1.lsn");
	cr_assert_eq(ps[1].size, STORE_CHUNK - 1);
	cr_assert_eq(ps[1].made, 2000);
	cr_assert_eq(ps[2].made, 1002); /* the others as they were */
	free(ps);
	/* ...or replaced when asked (a key file) */
	cr_assert_eq(lseek(other, 0, SEEK_SET), 0);
	cr_assert_eq(store_payload_put(s, "blobs/1.lsn", other, true, 2000, NULL, &e), 0);
	close(other);
	cr_assert_eq(raw("SELECT count(*) FROM payload_chunks WHERE name = 'blobs/1.lsn'"), 1);
	/* in a transaction that rolls back: not there */
	int in = pattern_file(100);
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_payload_put(s, "outbox/x", in, false, 3000, NULL, &e), 0);
	store_rollback(s);
	close(in);
	int out = pattern_file(0);
	cr_assert_eq(store_payload_get(s, "outbox/x", out, NULL, &e), LERR_NOTFOUND);
	cr_assert(strstr(e.msg, "outbox/x"), "%s", e.msg);
	cr_assert_eq(store_payloads(s, "outbox/", &ps, &np, &e), 0);
	cr_assert_eq(np, 0);
	free(ps);
	/* removed: gone, chunks and all; a chunk lost under a row: named */
	cr_assert_eq(store_payload_remove(s, "blobs/3.lsn", &e), 0, "%s", e.msg);
	cr_assert_eq(store_payload_remove(s, "blobs/3.lsn", &e), 0, "%s", e.msg);
	cr_assert_eq(store_payload_get(s, "blobs/3.lsn", out, NULL, &e), LERR_NOTFOUND);
	raw("DELETE FROM payload_chunks WHERE name = 'blobs/4.lsn' AND seq = 2");
	cr_assert_eq(store_payload_get(s, "blobs/4.lsn", out, NULL, &e), LERR_STORE);
	cr_assert(strstr(e.msg, "chunk 2 is missing"), "%s", e.msg);
	close(out);
	cr_assert_eq(raw("SELECT count(*) FROM payloads"), 4);
	/* which ones rows need: a kept item's blob, a queued envelope not in its row */
	struct party p = jpn();
	struct store_item it = jpn_item("i1", "1");
	struct store_msg q = {.id = "q1",
			      .peer = "KOR",
			      .kind = "item",
			      .ref = "i1",
			      .digest = "d",
			      .created_on = "2019-09-01"},
			 c = q;
	strcpy(c.id, "c1");
	c.body = "note";
	c.body_len = 4;
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_party_put(s, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_item_add(s, &it, &e), 0, "%s", e.msg);
	cr_assert_eq(store_outbox_add(s, &q, &e), 0, "%s", e.msg);
	cr_assert_eq(store_outbox_add(s, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_payload_in_use(s, "blobs/1.lsn", &e), 1, "%s", e.msg);
	cr_assert_eq(store_payload_in_use(s, "blobs/2.lsn", &e), 0, "%s", e.msg);
	cr_assert_eq(store_payload_in_use(s, "outbox/q1", &e), 1, "%s", e.msg);
	cr_assert_eq(store_payload_in_use(s, "outbox/c1", &e), 0, "%s", e.msg); /* in its row */
	cr_assert_eq(store_begin(s, &e), 0);
	cr_assert_eq(store_item_destroy(s, "i1", "2019-09-02", &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_payload_in_use(s, "blobs/1.lsn", &e), 0, "%s", e.msg);
	store_close(s);
}

Test(store, a_message_is_claimed_by_one_connection_at_a_time)
{
	struct store *s, *t;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	cr_assert_eq(store_open(path, false, &t, &e), 0, "%s", e.msg);
	struct store_msg m = {.id = "c1",
			      .peer = "KOR",
			      .kind = "item",
			      .ref = "i",
			      .digest = "d",
			      .created_on = "2019-09-01",
			      .next_try = 100};
	cr_assert_eq(store_outbox_add(s, &m, &e), 0, "%s", e.msg);
	cr_assert_eq(store_outbox_claim(s, "c1", 50, NULL, &e), LERR_EXISTS, "not due yet");
	cr_assert_eq(store_outbox_claim(s, "nope", 500, NULL, &e), LERR_NOTFOUND);
	/* its attempts as claimed, not as listed: another deliverer's may have counted */
	raw("UPDATE outbox SET attempts = 3 WHERE id = 'c1'");
	int64_t attempts = 0;
	cr_assert_eq(store_outbox_claim(s, "c1", 150, &attempts, &e), 0, "%s", e.msg);
	cr_assert_eq(attempts, 3, "%lld %s", (long long)attempts, e.msg);
	raw("UPDATE outbox SET attempts = 0 WHERE id = 'c1'");
	if (pg) { /* a second daemon's connection: held until the first lets go */
		cr_assert_eq(store_outbox_claim(t, "c1", 150, NULL, &e), LERR_EXISTS);
		cr_assert(strstr(e.msg, "being delivered elsewhere"), "%s", e.msg);
		store_outbox_unclaim(s, "c1");
		cr_assert_eq(store_outbox_claim(t, "c1", 150, NULL, &e), 0, "%s", e.msg);
		store_close(
		    t); /* a daemon that dies frees its claims (as its server process ends) */
		int r = LERR_EXISTS;
		for (int i = 0; i < 100 && r == LERR_EXISTS; i++)
			if ((r = store_outbox_claim(s, "c1", 150, NULL, &e)) == LERR_EXISTS)
				nanosleep(&(struct timespec){0, 20000000}, NULL);
		cr_assert_eq(r, 0, "%s", e.msg);
	} else {
		store_close(t);
	}
	/* delivered meanwhile: no longer claimable */
	m.state = MSG_DELIVERED;
	m.attempts = 1;
	strcpy(m.done_on, "2019-09-02");
	cr_assert_eq(store_outbox_update(s, &m, 0, &e), 0, "%s", e.msg);
	store_outbox_unclaim(s, "c1");
	cr_assert_eq(store_outbox_claim(s, "c1", 150, NULL, &e), LERR_EXISTS);
	cr_assert(strstr(e.msg, "dealt with meanwhile"), "%s", e.msg);
	store_close(s);
}

Test(store, a_release_names_its_latest_releaser)
{
	struct store *s;
	struct lerr e = {0};
	struct party p = jpn();
	struct person sato = {.id = "sato", .party = "JPN", .name = "Sato", .roles = 1},
		      suzuki = {.id = "suzuki", .party = "JPN", .name = "Suzuki", .roles = 1};
	struct store_item it = jpn_item("item1", "b1");
	char by[PERSON_ID_MAX] = "";
	cr_assert_eq(store_open(path, true, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_put(s, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(store_person_put(s, &sato, &e), 0, "%s", e.msg);
	cr_assert_eq(store_person_put(s, &suzuki, &e), 0, "%s", e.msg);
	cr_assert_eq(store_item_add(s, &it, &e), 0, "%s", e.msg);
	cr_assert_eq(store_release_by(s, "item1", "KOR", by, &e), LERR_NOTFOUND);
	cr_assert(strstr(e.msg, "item1 was never released to KOR"), "%s", e.msg);
	cr_assert_eq(store_release_add(s, "item1", "KOR", "suzuki", "2019-09-01", &e), 0, "%s",
		     e.msg);
	cr_assert_eq(store_release_add(s, "item1", "KOR", "sato", "2019-09-01", &e), 0, "%s",
		     e.msg);
	cr_assert_eq(store_release_add(s, "item1", "USA", "suzuki", "2019-09-02", &e), 0, "%s",
		     e.msg);
	cr_assert_eq(store_release_by(s, "item1", "KOR", by, &e), 0, "%s", e.msg);
	cr_assert_str_eq(by, "sato");
	cr_assert_eq(store_release_by(s, "item1", "USA", by, &e), 0, "%s", e.msg);
	cr_assert_str_eq(by, "suzuki");
	store_close(s);
}

Test(store, a_store_copies_whole_into_another_engine)
{
	char from[128];
	snprintf(from, sizeof from, "%s/from.db", dir);
	struct store *a, *b;
	struct lerr e = {0};
	struct party p = jpn(), k = {.code = "KOR", .name = "Korea", .nlevels = 1};
	strcpy(k.levels[0].code, "II");
	strcpy(k.levels[0].name, "II");
	k.levels[0].rank = 2;
	struct agreement *ag = agr_new(1, 1, 90), *back = malloc(sizeof *back);
	const struct store_event_info info = {"cli", "2026-01-01"};
	struct agr_event ev = {D("2016-11-23"), AGR_EV_IN_FORCE, "", 0};
	struct key_public kp = {.party = "KOR"};
	memset(kp.sign_pk, 0xA5, sizeof kp.sign_pk);
	memset(kp.box_pk, 0x00, sizeof kp.box_pk); /* a NUL byte must survive */
	struct store_item it = {.id = "item1",
				.label = "{\"title\":\"秘\"}",
				.originator = "JPN",
				.level = "GOKUHI",
				.local_level = "GOKUHI",
				.blob = "b1",
				.size = 7,
				.stored_on = "2019-09-01"};
	const uint8_t entry[5] = {'{', 0, 0xff, '}', '\n'}, hash[32] = {1, 2, 3};
	struct store_token tok = {.id = "t1", .person = "sato", .issued_on = "2019-09-01"};
	struct person sato = {
	    .id = "sato", .party = "JPN", .name = "Sato", .roles = 1, .nclear = 2};
	sato.clear[0] = (struct clearance){"GOKUHI", D("2015-04-01"), DATE_MAX};
	sato.clear[1] = (struct clearance){"HI", D("2010-01-01"), D("2014-12-31")};
	struct store_msg m = {.id = "m1",
			      .peer = "KOR",
			      .kind = "consent",
			      .ref = "item1",
			      .body = "\x01\x00z",
			      .body_len = 3,
			      .digest = "d",
			      .created_on = "2019-09-01",
			      .next_try = 5};
	int64_t seq1 = 0, seq2 = 0;
	cr_assert_eq(store_open(from, true, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(store_begin(a, &e), 0);
	cr_assert_eq(store_meta_set(a, "party", "JPN", &e), 0);
	cr_assert_eq(store_party_put(a, &p, &e), 0);
	cr_assert_eq(store_party_put(a, &k, &e), 0);
	cr_assert_eq(store_agreement_put(a, ag, &e), 0, "%s", e.msg);
	cr_assert_eq(store_event_add(a, "TEST", &ev, &info, &seq1, &e), 0, "%s", e.msg);
	cr_assert_eq(store_party_key_put(a, &kp, "2019-09-01", &e), 0, "%s", e.msg);
	cr_assert_eq(store_person_put(a, &sato, &e), 0, "%s", e.msg);
	cr_assert_eq(store_item_add(a, &it, &e), 0, "%s", e.msg);
	cr_assert_eq(store_log_entry_add(a, 0, entry, sizeof entry, &e), 0, "%s", e.msg);
	cr_assert_eq(store_log_hash_put(a, 0, 0, hash, &e), 0, "%s", e.msg);
	cr_assert_eq(store_token_put(a, &tok, hash, &e), 0, "%s", e.msg);
	cr_assert_eq(store_outbox_add(a, &m, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(a, &e), 0, "%s", e.msg);

	cr_assert_eq(store_open(path, true, &b, &e), 0, "%s", e.msg);
	uint64_t rows = 0;
	cr_assert_eq(store_copy(a, b, &rows, &e), 0, "%s", e.msg);
	cr_assert_geq(rows, 14);
	/* what came across, byte for byte */
	char v[STORE_META_MAX];
	cr_assert_eq(store_meta_get(b, "party", v, sizeof v, &e), 0);
	cr_assert_str_eq(v, "JPN");
	cr_assert_eq(store_agreement_get(b, "TEST", back, &e), 0, "%s", e.msg);
	cr_assert_eq(back->nevents, 1);
	cr_assert_eq(back->events[0].seq, seq1);
	struct key_public kb;
	cr_assert_eq(store_party_key_get(b, "KOR", &kb, &e), 0, "%s", e.msg);
	cr_assert_eq(memcmp(kb.sign_pk, kp.sign_pk, sizeof kp.sign_pk), 0);
	cr_assert_eq(memcmp(kb.box_pk, kp.box_pk, sizeof kp.box_pk), 0);
	struct store_item ib;
	cr_assert_eq(store_item_get(b, "item1", &ib, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ib.label, it.label);
	store_item_free(&ib);
	char *data;
	size_t len;
	cr_assert_eq(store_log_entry_get(b, 0, &data, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(len, sizeof entry);
	cr_assert_eq(memcmp(data, entry, len), 0);
	free(data);
	uint8_t hb[32];
	cr_assert_eq(store_log_hash_get(b, 0, 0, hb, &e), 0, "%s", e.msg);
	cr_assert_eq(memcmp(hb, hash, 32), 0);
	struct store_token tb;
	cr_assert_eq(store_token_find(b, hash, &tb, &e), 0, "%s", e.msg);
	cr_assert_str_eq(tb.person, "sato");
	struct person pb;
	cr_assert_eq(store_person_get(b, "sato", &pb, &e), 0, "%s", e.msg);
	cr_assert_eq(pb.nclear, 2, "the clearances are copied");
	cr_assert_str_eq(pb.clear[1].level, "HI");
	cr_assert_eq(pb.clear[1].to, D("2014-12-31"));
	struct store_msg *ms;
	size_t n;
	cr_assert_eq(store_outbox_due(b, NULL, 10, 10, &ms, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 1);
	cr_assert_eq(ms[0].body_len, 3);
	cr_assert_eq(memcmp(ms[0].body, m.body, 3), 0);
	store_msg_free(ms, n);
	free(ms);
	/* the copy goes on where the original stopped: new ids after the old */
	cr_assert_eq(store_begin(b, &e), 0);
	cr_assert_eq(store_event_add(b, "TEST", &ev, &info, &seq2, &e), 0, "%s", e.msg);
	strcpy(it.id, "item2");
	cr_assert_eq(store_item_add(b, &it, &e), 0, "%s", e.msg);
	cr_assert_eq(store_commit(b, &e), 0, "%s", e.msg);
	cr_assert_gt(seq2, seq1);
	char(*ids)[LABEL_WORD_MAX];
	cr_assert_eq(store_item_ids(b, NULL, 10, &ids, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(ids[0], "item1");
	cr_assert_str_eq(ids[1], "item2");
	free(ids);
	/* a store that holds a node is not copied into */
	cr_assert_eq(store_copy(a, b, &rows, &e), LERR_EXISTS);
	store_close(a);
	store_close(b);
	free(ag);
	free(back);
}

/* PostgreSQL's driver: ends every connection to the test's database but this process's own admin
 * one. */
static void end_connections(void)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s'",
		 dbname);
	char url[640];
	snprintf(url, sizeof url, "%s/postgres", pg);
	PGconn *c = PQconnectdb(url);
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	PQclear(PQexec(c, sql));
	PQfinish(c);
}

/* One statement's first column as text in out; the step's code. */
static int one(struct sql *c, const char *sql, char *out, size_t n)
{
	struct sql_stmt *st;
	struct lerr e = {0};
	out[0] = '\0';
	if (sql_prep(c, sql, &st, &e) < 0) {
		snprintf(out, n, "%s", e.msg);
		return SQL_ERROR;
	}
	int rc = sql_step(st);
	snprintf(out, n, "%s", rc == SQL_ROW ? sql_text(st, 0) : sql_errmsg(c));
	sql_release(st);
	return rc;
}

static const char ISO[] = "SELECT current_setting('transaction_isolation') || ' ' || "
			  "current_setting('transaction_read_only')";

/* A read stretch that reads in one snapshot, read only, and ends. */
static void good_read(struct sql *c)
{
	struct lerr e = {0};
	char v[LERR_MSG_MAX + 64];
	cr_assert_eq(c->d->read_begin(c, &e), 0, "%s", e.msg);
	cr_assert_eq(one(c, ISO, v, sizeof v), SQL_ROW, "%s", v);
	cr_assert_str_eq(v, "repeatable read on");
	c->d->read_end(c);
}

/*
 * A read stretch on PostgreSQL: its BEGIN goes with its first statement.
 * A connection lost inside a transaction loses it whole: every later
 * statement of it fails, naming why, and a write's COMMIT fails; nothing
 * runs outside the snapshot. A connection found lost before anything was
 * sent is made again at once (a BEGIN, or preparing a statement), and a
 * statement prepared for one use survives that.
 */
Test(store, a_postgresql_transaction_whose_connection_is_lost_fails_whole)
{
	if (!pg)
		cr_skip_test("PostgreSQL only (LIAISON_TEST_PG)");
	struct sql *c;
	struct lerr e = {0};
	char v[LERR_MSG_MAX + 64];
	cr_assert_eq(sql_pg_open(path, &c, &e), 0, "%s", e.msg);
	/* a stretch that reads nothing opens nothing */
	cr_assert_eq(c->d->read_begin(c, &e), 0);
	cr_assert(sql_in_tx(c));
	c->d->read_end(c);
	cr_assert(!sql_in_tx(c));
	/* one snapshot, read only */
	good_read(c);
	/* lost after its BEGIN: the rest of the stretch fails, not in autocommit */
	cr_assert_eq(c->d->read_begin(c, &e), 0);
	cr_assert_eq(one(c, "SELECT pg_terminate_backend(pg_backend_pid())::text", v, sizeof v),
		     SQL_ERROR);
	cr_assert(sql_in_tx(c));
	cr_assert_eq(one(c, ISO, v, sizeof v), SQL_ERROR);
	cr_assert(strstr(v, "lost inside a transaction"), "%s", v);
	c->d->read_end(c);
	cr_assert(!sql_in_tx(c));
	good_read(c);
	/* a write transaction lost: its COMMIT fails, its ROLLBACK ends it */
	cr_assert_eq(sql_exec(c, "BEGIN; SELECT pg_advisory_xact_lock(7401)", &e), 0, "%s", e.msg);
	end_connections();
	cr_assert_eq(one(c, "SELECT 'in the transaction'", v, sizeof v), SQL_ERROR);
	cr_assert_eq(one(c, "SELECT 'after the loss'", v, sizeof v), SQL_ERROR);
	cr_assert(strstr(v, "lost inside a transaction"), "%s", v);
	cr_assert_neq(sql_exec(c, "UPDATE store_generation SET n = n + 1; COMMIT", &e), 0);
	cr_assert(strstr(e.msg, "which cannot go on"), "%s", e.msg);
	cr_assert_eq(sql_exec(c, "ROLLBACK", &e), 0, "%s", e.msg);
	cr_assert(!sql_in_tx(c));
	cr_assert_eq(one(c, "SELECT 'autocommit again'", v, sizeof v), SQL_ROW, "%s", v);
	/* dropped while idle: a stretch whose first statement is new (prepared first) */
	end_connections();
	cr_assert_eq(c->d->read_begin(c, &e), 0);
	cr_assert_eq(one(c, "SELECT 'a statement never prepared'", v, sizeof v), SQL_ROW, "%s", v);
	cr_assert_eq(one(c, ISO, v, sizeof v), SQL_ROW, "%s", v);
	cr_assert_str_eq(v, "repeatable read on");
	c->d->read_end(c);
	/* dropped between a stretch's preparing and its first step: its BEGIN
	 * runs again on a new connection, a statement prepared for one use too */
	cr_assert_eq(c->d->read_begin(c, &e), 0);
	struct sql_stmt *x, *y;
	cr_assert_eq(sql_prep_once(c, "SELECT 'once'", &x, &e), 0, "%s", e.msg);
	cr_assert_eq(sql_prep(c, ISO, &y, &e), 0, "%s", e.msg);
	end_connections();
	cr_assert_eq(sql_step(y), SQL_ROW, "%s", sql_errmsg(c));
	cr_assert_str_eq(sql_text(y, 0), "repeatable read on");
	cr_assert_eq(sql_step(x), SQL_ROW, "%s", sql_errmsg(c));
	cr_assert_str_eq(sql_text(x, 0), "once");
	sql_release(x);
	sql_release(y);
	c->d->read_end(c);
	sql_close(c);
}

/* A read stretch whose connection was lost, ended at once: the next stretch and
 * statements outside one work (nothing is left marked lost). */
Test(store, a_postgresql_read_ended_after_its_connection_was_lost_leaves_nothing_behind)
{
	if (!pg)
		cr_skip_test("PostgreSQL only (LIAISON_TEST_PG)");
	struct sql *c;
	struct lerr e = {0};
	char v[LERR_MSG_MAX + 64];
	cr_assert_eq(sql_pg_open(path, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c->d->read_begin(c, &e), 0);
	cr_assert_eq(one(c, ISO, v, sizeof v), SQL_ROW, "%s", v);
	end_connections();
	cr_assert_eq(one(c, ISO, v, sizeof v), SQL_ERROR);
	c->d->read_end(c);
	cr_assert(!sql_in_tx(c));
	good_read(c);
	good_read(c);
	cr_assert_eq(one(c, "SELECT 'autocommit'", v, sizeof v), SQL_ROW, "%s", v);
	cr_assert(!sql_in_tx(c));
	sql_close(c);
}

/* store_begin whose BEGIN took and whose write lock did not (a lock
 * timeout) leaves no transaction open: the next one begins. */
Test(store, a_store_begin_that_fails_leaves_no_transaction_open)
{
	if (!pg)
		cr_skip_test("PostgreSQL only (LIAISON_TEST_PG)");
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0, "%s", e.msg);
	store_close(s);
	char sql[160];
	snprintf(sql, sizeof sql, "ALTER DATABASE %s SET lock_timeout = '200ms'", dbname);
	raw(sql);
	cr_assert_eq(store_open(path, false, &s, &e), 0, "%s", e.msg);
	PGconn *h = PQconnectdb(path); /* another daemon holding the write lock */
	cr_assert_eq(PQstatus(h), CONNECTION_OK);
	PQclear(PQexec(h, "SELECT pg_advisory_lock(7401)"));
	cr_assert_neq(store_begin(s, &e), 0);
	cr_assert(strstr(e.msg, "lock timeout"), "%s", e.msg);
	cr_assert(!store_in_transaction(s));
	PQfinish(h);
	cr_assert_eq(store_begin(s, &e), 0, "%s", e.msg);
	store_rollback(s);
	store_close(s);
}
