/* test_store.c - the SQLite store: durability settings, persistence,
 * transactions, schema versions. */
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "helpers.h"
#include "store/store.h"

static char dir[64];
static char path[96];

static void setup(void)
{
	strcpy(dir, "/tmp/liaison-store-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/node.db", dir);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	leak_check();
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

/* Runs one SQL query on the file directly and returns the first column. */
static long long raw(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
	long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

TestSuite(store, .init = setup, .fini = teardown);

Test(store, refuses_to_open_a_missing_store_unless_creating)
{
	struct store *s = (void *)1;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, false, &s, &e), LERR_NOTFOUND);
	cr_assert_null(s);
	cr_assert_eq(store_open(path, true, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_schema_version(s), 3);
	store_close(s);
}

Test(store, uses_wal_full_sync_and_foreign_keys)
{
	struct store *s;
	cr_assert_eq(store_open(path, true, &s, NULL), 0);
	store_close(s);
	sqlite3 *db;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	cr_assert_eq(raw("PRAGMA user_version"), 3);
}

Test(store, a_committed_party_survives_reopening)
{
	struct store *s;
	struct lerr e = {0};
	struct party p = jpn(), q;
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
	cr_assert(strstr(e.msg, "FOREIGN KEY"), "%s", e.msg);
	store_close(s);
}

Test(store, refuses_a_schema_newer_than_it_knows)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	store_close(s);
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
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

Test(store, an_older_store_is_migrated_on_opening)
{
	struct store *s;
	struct lerr e = {0};
	cr_assert_eq(store_open(path, true, &s, &e), 0);
	store_close(s);
	/* make it a version 1 store: no people yet */
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db,
				  "DROP TABLE consents; DROP TABLE releases; DROP TABLE items;"
				  " DROP TABLE party_keys; DROP TABLE person_ntk; DROP TABLE people;"
				  " PRAGMA user_version=1;",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(store_open(path, false, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(store_schema_version(s), 3);
	struct person p;
	cr_assert_eq(store_person_get(s, "kim", &p, &e), LERR_NOTFOUND, "%s", e.msg);
	store_close(s);
	cr_assert_eq(raw("SELECT count(*) FROM people"), 0);
}
