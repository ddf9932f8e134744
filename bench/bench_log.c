/*
 * bench_log.c - the transparency log against a bare SQLite insert.
 *
 * 1. Durable appends: each in its own transaction with synchronous=FULL
 *    (WAL), as the node commits an act. liaison's append (canonical JSON,
 *    the entry, its leaf hash and the subtree hashes it completes) against
 *    a bare INSERT of the same bytes into a one-table SQLite file with the
 *    same settings, in the same run, rounds interleaved; medians printed
 *    with the ratio.
 * 2. Proofs at a million entries: a log of 2^20 entries is built (in large
 *    transactions), then inclusion proofs for random entries, consistency
 *    proofs between random sizes and the tree head are timed.
 *
 * usage: bench_log [APPENDS_PER_ROUND] [ENTRIES]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/log.h"
#include "store/store.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct lerr *e)
{
	fprintf(stderr, "bench_log: %s: %s\n", what, e ? e->msg : "");
	exit(1);
}

static const struct node_clock clock0 = {.today = 18140, .simulated = false};

/* A typical entry body: a decision with its rules. */
static json_t *body(uint64_t i)
{
	char item[32];
	snprintf(item, sizeof item, "%024llx", (unsigned long long)i * 2654435761u);
	return json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:b, s:s}, {s:s, s:b, s:s}]}}",
			 "decision", "decision", "PERMIT", "action", "read", "person", "kim",
			 "item", item, "date", "2019-09-01", "rules", "id", "R-CLEARANCE", "ok", 1,
			 "detail", "JPN GOKUHI requires KOR II (rank 2); kim holds II (rank 2)",
			 "id", "R-NTK", "ok", 1, "detail", "kim holds MISSILE-WARNING");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Appends n durable entries to the log; returns seconds. */
static double liaison_round(struct store *s, uint64_t n)
{
	struct lerr e = {0};
	double t0 = now();
	for (uint64_t i = 0; i < n; i++) {
		if (store_begin(s, &e) < 0 ||
		    node_log_append_to(s, "JPN", &clock0, "decision", body(i), NULL, &e) < 0 ||
		    store_commit(s, &e) < 0)
			die("append", &e);
	}
	return now() - t0;
}

/* The same bytes into a bare table, each insert committed durably; returns seconds. */
static double bare_round(sqlite3 *db, sqlite3_stmt *ins, uint64_t *next, uint64_t n)
{
	double t0 = now();
	for (uint64_t i = 0; i < n; i++) {
		json_t *b = body(i);
		json_object_set_new(b, "seq", json_integer((json_int_t)*next));
		json_object_set_new(b, "date", json_string("2019-09-01"));
		json_object_set_new(b, "party", json_string("JPN"));
		json_object_set_new(b, "kind", json_string("decision"));
		char *text = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(b);
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			die("bare begin", NULL);
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)(*next)++);
		sqlite3_bind_blob(ins, 2, text, (int)strlen(text), SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			die("bare insert", NULL);
		free(text);
	}
	return now() - t0;
}

static void appends(const char *dir, uint64_t per_round)
{
	char p1[600], p2[600];
	snprintf(p1, sizeof p1, "%s/log.db", dir);
	snprintf(p2, sizeof p2, "%s/bare.db", dir);
	struct store *s;
	struct lerr e = {0};
	if (store_open(p1, true, &s, &e) < 0)
		die("open store", &e);
	sqlite3 *db;
	sqlite3_stmt *ins;
	if (sqlite3_open(p2, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "CREATE TABLE t(idx INTEGER PRIMARY KEY, data BLOB NOT NULL) STRICT;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t(idx, data) VALUES(?, ?)", -1, &ins, NULL) !=
		SQLITE_OK)
		die("open bare", NULL);
	enum { ROUNDS = 5 };
	double tl[ROUNDS], tb[ROUNDS];
	uint64_t next = 0;
	for (int r = 0; r < ROUNDS; r++) {
		tl[r] = liaison_round(s, per_round);
		tb[r] = bare_round(db, ins, &next, per_round);
	}
	qsort(tl, ROUNDS, sizeof tl[0], cmp_double);
	qsort(tb, ROUNDS, sizeof tb[0], cmp_double);
	double ml = tl[ROUNDS / 2], mb = tb[ROUNDS / 2];
	printf("durable appends, %d rounds of %llu (median round):\n", ROUNDS,
	       (unsigned long long)per_round);
	printf("  liaison log append       %8.0f /s  (%.3f ms each)\n", (double)per_round / ml,
	       ml * 1e3 / (double)per_round);
	printf("  bare SQLite insert       %8.0f /s  (%.3f ms each)\n", (double)per_round / mb,
	       mb * 1e3 / (double)per_round);
	printf("  ratio (liaison / bare time): %.2fx (the goal: at most 1.5x)\n", ml / mb);
	sqlite3_finalize(ins);
	sqlite3_close(db);
	store_close(s);
}

static void proofs(const char *dir, uint64_t entries)
{
	char p[600];
	snprintf(p, sizeof p, "%s/big.db", dir);
	struct store *s;
	struct lerr e = {0};
	if (store_open(p, true, &s, &e) < 0)
		die("open store", &e);
	double t0 = now();
	for (uint64_t i = 0; i < entries; i++) {
		if (i % 65536 == 0 && store_begin(s, &e) < 0)
			die("begin", &e);
		if (node_log_append_to(s, "JPN", &clock0, "decision", body(i), NULL, &e) < 0)
			die("append", &e);
		if ((i % 65536 == 65535 || i + 1 == entries) && store_commit(s, &e) < 0)
			die("commit", &e);
	}
	printf("built a log of %llu entries in %.1f s (batched commits)\n",
	       (unsigned long long)entries, now() - t0);
	struct node n = {.store = s, .clock = clock0};
	strcpy(n.party, "JPN");
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], root[MERKLE_HASH];
	size_t np;
	enum { K = 2000 };
	srand(42);
	t0 = now();
	size_t total = 0;
	for (int k = 0; k < K; k++) {
		uint64_t i = ((uint64_t)rand() << 16 ^ (uint64_t)rand()) % entries;
		if (node_log_prove(&n, i, entries, path, &np, &e) < 0)
			die("prove", &e);
		total += np;
	}
	double ti = (now() - t0) / K;
	t0 = now();
	for (int k = 0; k < K; k++) {
		uint64_t a = ((uint64_t)rand() << 16 ^ (uint64_t)rand()) % entries + 1;
		if (node_log_consistency(&n, a, entries, path, &np, &e) < 0)
			die("consistency", &e);
	}
	double tc = (now() - t0) / K;
	t0 = now();
	for (int k = 0; k < K; k++)
		if (node_log_root(&n, entries - (uint64_t)k, root, &e) < 0)
			die("root", &e);
	double tr = (now() - t0) / K;
	printf("at %llu entries (mean of %d, random indices and sizes):\n",
	       (unsigned long long)entries, K);
	printf("  inclusion proof     %8.1f us  (%.1f hashes)\n", ti * 1e6, (double)total / K);
	printf("  consistency proof   %8.1f us\n", tc * 1e6);
	printf("  tree head           %8.1f us\n", tr * 1e6);
	printf("  (the goal: proofs under 1000 us)\n");
	store_close(s);
}

int main(int argc, char **argv)
{
	uint64_t per_round = argc > 1 ? strtoull(argv[1], NULL, 10) : 300;
	uint64_t entries = argc > 2 ? strtoull(argv[2], NULL, 10) : (1u << 20);
	char dir[] = "/tmp/liaison-bench-log-XXXXXX";
	if (!mkdtemp(dir))
		die("mkdtemp", NULL);
	const char *where = getenv("BENCH_DIR");
	char d2[512];
	if (where) {
		snprintf(d2, sizeof d2, "%s", where);
		rmdir(dir);
	} else
		snprintf(d2, sizeof d2, "%s", dir);
	appends(d2, per_round);
	proofs(d2, entries);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (!where && system(cmd) != 0)
		return 1;
	return 0;
}
