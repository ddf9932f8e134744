/* cmd_store.c - liaison store: where the node's store is, and moving it. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../node/items.h"
#include "../node/views.h"
#include "cli.h"

static int do_info(const struct cli *c, struct node *unused, int argc, char **argv)
{
	(void)unused;
	const char *pos[1];
	int r = cli_words(c, argc, argv, pos, 0);
	if (r != EXIT_OK)
		return r;
	char home[NODE_PATH_MAX], where[NODE_PATH_MAX + NODE_STORE_URL_MAX];
	struct lerr e = {0};
	struct node *n;
	json_t *o = NULL;
	if (node_home(c->home, home, sizeof home, &e) < 0 ||
	    node_store_location(home, where, sizeof where, &e) < 0)
		return cli_error(c, &e);
	if ((r = cli_open_node(c, &n)) != EXIT_OK)
		return r;
	r = view_store_info(n, where, &o, &e);
	node_close(n);
	if (r < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(o);
	bool pg = strcmp(cli_str(o, "engine"), "postgresql") == 0;
	printf("%s store at %s, schema version %lld\n", pg ? "PostgreSQL" : "SQLite",
	       cli_str(o, "location"), (long long)json_integer_value(json_object_get(o, "schema")));
	printf("clock: %s\n", strcmp(cli_str(o, "clock"), "replay") == 0
				  ? "replay (LIAISON_NOW dates its acts; liaison init --replay)"
				  : "the system's (LIAISON_NOW is refused for acts)");
	json_decref(o);
	return EXIT_OK;
}

/* A node already on PostgreSQL: its folder's payloads into the database. */
static int payloads_move(const struct cli *c)
{
	struct node *n;
	uint64_t files = 0, bytes = 0;
	struct lerr e = {0};
	int r = cli_open_node(c, &n);
	if (r != EXIT_OK)
		return r;
	if (!node_payloads_in_store(n))
		r = cli_bad_usagef(c, "store migrate: --to postgresql://... is required");
	else if (node_payloads_move(n, &files, &bytes, &e) < 0)
		r = cli_error(c, &e);
	node_close(n);
	if (r != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(json_pack("{s:I, s:I}", "payloads", (json_int_t)files, "bytes",
					  (json_int_t)bytes));
	printf("%llu payloads (%llu bytes) moved from the node's folder into its database\n",
	       (unsigned long long)files, (unsigned long long)bytes);
	return EXIT_OK;
}

static int do_migrate(const struct cli *c, struct node *unused, int argc, char **argv)
{
	(void)unused;
	const char *pos[1], *to = NULL;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("to", &to), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	if (!to)
		return payloads_move(c);
	char home[NODE_PATH_MAX], show[600];
	struct node_migrated m;
	struct lerr e = {0};
	if (node_home(c->home, home, sizeof home, &e) < 0 ||
	    node_store_migrate(home, to, &m, &e) < 0)
		return (e.code == LERR_INVAL ? cli_bad_usage(c, &e) : cli_error(c, &e));
	node_store_shown(to, show, sizeof show);
	if (c->json)
		return cli_emit(json_pack("{s:s, s:s, s:I, s:I, s:I}", "home", home, "store", show,
					  "rows", (json_int_t)m.rows, "payloads",
					  (json_int_t)m.files, "bytes", (json_int_t)m.bytes));
	printf("the node in %s now keeps its store at %s (%llu rows copied, its log verified;\n"
	       "%llu payloads of %llu bytes moved in from its folder);\n"
	       "its SQLite file is kept as node.db.migrated\n",
	       home, show, (unsigned long long)m.rows, (unsigned long long)m.files,
	       (unsigned long long)m.bytes);
	return EXIT_OK;
}

/* store check (collect false) or store gc (true). */
static int payloads_check(const struct cli *c, int argc, char **argv, bool collect)
{
	const char *pos[1], *age = NULL;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("older-than", &age), {0}};
	uint64_t min_age = 3600;
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r == EXIT_OK && age)
		r = cli_count(c, "--older-than", age, 0, 10LL * 365 * 86400, &min_age);
	if (r != EXIT_OK)
		return r;
	struct node *n;
	json_t *o = NULL;
	struct lerr e = {0};
	if ((r = cli_open_node(c, &n)) != EXIT_OK)
		return r;
	if (node_payload_check(n, (int64_t)time(NULL), (int64_t)min_age, collect, &o, &e) < 0)
		r = cli_error(c, &e);
	node_close(n);
	if (r != EXIT_OK)
		return r;
	json_t *missing = json_object_get(o, "missing"), *orphans = json_object_get(o, "orphans");
	size_t i;
	json_t *v;
	bool bad = json_array_size(missing) > 0;
	if (bad)
		fprintf(stderr,
			"liaison: %zu payload%s that rows need %s missing: restore %s from a "
			"backup (docs/deploy.md)\n",
			json_array_size(missing), json_array_size(missing) == 1 ? "" : "s",
			json_array_size(missing) == 1 ? "is" : "are",
			json_array_size(missing) == 1 ? "it" : "them");
	if (c->json)
		return cli_emit(o) == EXIT_OK && !bad ? EXIT_OK : EXIT_FAIL;
	json_t *in_folder = json_object_get(o, "in_folder");
	long long young = (long long)json_integer_value(json_object_get(o, "young")),
		  kept = (long long)json_integer_value(json_object_get(o, "kept"));
	printf("%lld payload%s kept in the %s, %lld bytes; %zu missing; %zu orphan%s%s\n", kept,
	       kept == 1 ? "" : "s", cli_str(o, "kept_in"),
	       (long long)json_integer_value(json_object_get(o, "bytes")), json_array_size(missing),
	       json_array_size(orphans), json_array_size(orphans) == 1 ? "" : "s",
	       collect ? " removed" : "");
	json_array_foreach (missing, i, v)
		printf("missing %s (a row names it)\n", json_string_value(v));
	json_array_foreach (in_folder, i, v)
		printf("in this folder only: %s (other daemons cannot read it; store migrate "
		       "moves it into the database)\n",
		       json_string_value(v));
	json_array_foreach (orphans, i, v) {
		printf("orphan %s (%lld bytes, in the %s)%s\n", cli_str(v, "name"),
		       (long long)json_integer_value(json_object_get(v, "size")),
		       cli_str(v, "where"), collect ? ": removed" : "");
	}
	if (young > 0)
		printf("%lld more made in the last %llu seconds, not counted: an act may be under "
		       "way (--older-than)\n",
		       young, (unsigned long long)min_age);
	if (!collect && json_array_size(orphans) > 0)
		printf("store gc removes the orphans\n");
	json_decref(o);
	return bad ? EXIT_FAIL : EXIT_OK;
}

static int do_check(const struct cli *c, struct node *unused, int argc, char **argv)
{
	(void)unused;
	return payloads_check(c, argc, argv, false);
}

static int do_gc(const struct cli *c, struct node *unused, int argc, char **argv)
{
	(void)unused;
	return payloads_check(c, argc, argv, true);
}

/* What a backup or a restore did: as JSON, or in words. */
static int copied(const struct cli *c, const char *verb, const char *where,
		  const struct node_backup *b)
{
	if (c->json)
		return cli_emit(json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "folder",
					  where, "bytes", (json_int_t)b->bytes, "keys",
					  (json_int_t)b->keys, "blobs", (json_int_t)b->blobs,
					  "outbox", (json_int_t)b->outbox, "reports",
					  (json_int_t)b->reports, "entries", (json_int_t)b->entries,
					  "checkpoint", (json_int_t)b->checkpoint));
	printf("%s %s: %llu bytes (%zu key files, %zu payloads, %zu envelopes to deliver, %zu "
	       "reports); its log of %llu entries verified",
	       verb, where, (unsigned long long)b->bytes, b->keys, b->blobs, b->outbox, b->reports,
	       (unsigned long long)b->entries);
	if (b->checkpoint)
		printf(", its latest checkpoint at size %llu\n", (unsigned long long)b->checkpoint);
	else
		printf(", no checkpoint kept\n");
	return EXIT_OK;
}

/* store backup DEST (restore false) or store restore SRC, into --home. */
static int copy_act(const struct cli *c, int argc, char **argv, bool restore)
{
	const char *pos[1];
	int r = cli_words(c, argc, argv, pos, 1);
	if (r != EXIT_OK)
		return r;
	char home[NODE_PATH_MAX];
	struct node_backup b;
	struct lerr e = {0};
	if (node_home(c->home, home, sizeof home, &e) < 0 ||
	    (restore ? node_store_restore(pos[0], home, &b, &e)
		     : node_store_backup(home, pos[0], &b, &e)) < 0)
		return cli_error(c, &e);
	r = copied(c, restore ? "restored into" : "backed up into", restore ? home : pos[0], &b);
	if (restore && !c->json && r == EXIT_OK)
		fprintf(stderr, "note: a peer that witnessed a larger log of this node raises an "
				"alarm (its log was cut short): tell it, and clear it there\n");
	return r;
}

static int do_backup(const struct cli *c, struct node *unused, int argc, char **argv)
{
	(void)unused;
	return copy_act(c, argc, argv, false);
}

static int do_restore(const struct cli *c, struct node *unused, int argc, char **argv)
{
	(void)unused;
	return copy_act(c, argc, argv, true);
}

static int do_passphrase(const struct cli *c, struct node *unused, int argc, char **argv)
{
	(void)unused;
	const char *pos[1], *file = NULL;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("new-passphrase-file", &file), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	struct node *n;
	char *old = NULL, *pass = NULL;
	size_t ol, pl;
	struct lerr e = {0};
	if ((r = cli_open_node(c, &n)) != EXIT_OK)
		return r;
	if ((r = cli_passphrase(c, "the node's passphrase now: ", false, &old, &ol)) == EXIT_OK &&
	    (r = cli_new_passphrase(c, file, &pass, &pl)) == EXIT_OK &&
	    node_passphrase_change(n, old, ol, pass, pl, &e) < 0)
		r = e.code == LERR_USAGE ? cli_bad_usage(c, &e) : cli_error(c, &e);
	sodium_free(old);
	sodium_free(pass);
	char party[PARTY_CODE_MAX];
	str_copy(party, sizeof party, n->party);
	node_close(n);
	if (r != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(json_pack("{s:s, s:b}", "party", party, "changed", 1));
	printf("the keys of %s are sealed under the new passphrase (give it to the daemon: its "
	       "--passphrase-file or credential; a daemon serving now keeps its keys)\n",
	       party);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
    {"info", do_info, false, "info",
     "The store's engine (SQLite or PostgreSQL), where it is (a URL's\n"
     "password not shown), its schema version, and the node's clock: the\n"
     "system's, or replay (made with init --replay: LIAISON_NOW dates its\n"
     "acts).\n"},
    {"migrate", do_migrate, false,
     "migrate [--to postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE]",
     "Moves the node's SQLite store to an empty PostgreSQL database (made by\n"
     "its administrator): every row copied in one transaction, the log\n"
     "verified there, the folder's store.url naming the database (mode\n"
     "0600), node.db kept as node.db.migrated, and the move logged\n"
     "(store-migrated); then its sealed payloads and queued envelopes move\n"
     "from the folder into the database, its keys copied there. Stop the\n"
     "node's daemon first: the move is refused while one serves the node.\n"
     "Without --to, on a node already on PostgreSQL: moves the payloads its\n"
     "folder still holds into the database (a node moved by an older\n"
     "liaison). docs/deploy.md.\n"},
    {"check", do_check, false, "check [--older-than SECONDS]",
     "Checks the node's payloads (its sealed payloads and queued envelopes,\n"
     "in its database or its folder) against its rows: each row's payload\n"
     "that is missing; on PostgreSQL, each kept in this folder only (other\n"
     "daemons cannot read it: store migrate moves it); and each orphan, a\n"
     "payload no row names, at least SECONDS old (3600 unless given, up to\n"
     "ten years: a younger one may be an act under way; they are counted\n"
     "apart). Names not shaped as a payload's are left alone. Exits 1 when\n"
     "a payload is missing.\n"},
    {"gc", do_gc, false, "gc [--older-than SECONDS]",
     "Removes the orphans store check lists (a payload no row names: left\n"
     "by an act or a delivery cut short by a crash), at least SECONDS old\n"
     "(3600 unless given).\n"},
    {"backup", do_backup, false, "backup DEST",
     "Backs the node up into DEST, a new folder (0700), while its daemons\n"
     "serve: a consistent copy of its store (SQLite's VACUUM INTO, one read\n"
     "transaction), the sealed payloads and queued envelopes it names, the\n"
     "sealed keys and the compromise reports; then the copy's log is\n"
     "verified. Nothing in it is plaintext but the compromise reports peers\n"
     "sent (in the store, as on the node). A node on PostgreSQL: its rows\n"
     "from one snapshot of the database (no lock) into a SQLite store;\n"
     "restored, a node on SQLite (store migrate takes it back). Never copy\n"
     "node.db of a serving node by hand: its write-ahead log holds the\n"
     "latest acts.\n"},
    {"passphrase", do_passphrase, false, "passphrase [--new-passphrase-file FILE]",
     "Seals the node's secret keys anew under a new passphrase: the present\n"
     "one as for every command (--passphrase-file, LIAISON_PASSPHRASE...),\n"
     "the new one from FILE (mode 600), LIAISON_NEW_PASSPHRASE_FILE, or\n"
     "asked twice on the terminal. The key file is replaced atomically and\n"
     "the change logged (node-passphrase-changed). A daemon serving now\n"
     "keeps the keys it unsealed; give it the new passphrase before its\n"
     "next start.\n"},
    {"restore", do_restore, false, "restore SRC",
     "Restores the backup in SRC into the node's folder (--home), which must\n"
     "not exist yet; then verifies its log and says its size and latest\n"
     "checkpoint. The backup is only read (a backup an older release made is\n"
     "brought up to date in the new node). Acts after the backup are lost: a\n"
     "peer that witnessed a larger log of this node will raise an alarm.\n"},
};

static int run_store(struct cli *c)
{
	const struct cli_sub *s = c->argc > 1 ? cli_sub_find(&cmd_store, c->argv[1]) : NULL;
	if (!s)
		return cli_bad_usagef(
		    c, "store: %s%s%s (info, migrate, check, gc, backup, passphrase or restore)",
		    c->argc > 1 ? "unknown action \"" : "which?", c->argc > 1 ? c->argv[1] : "",
		    c->argc > 1 ? "\"" : "");
	return s->fn(c, NULL, c->argc - 1, c->argv + 1);
}

const struct cli_command cmd_store = {
    "store",
    run_store,
    "the node's store: where it is, moving it to PostgreSQL, backups",
    NULL,
    subs,
    sizeof subs / sizeof subs[0],
    "options:\n"
    "  --to URL   the database, in libpq's URL form\n"
    "  --older-than SECONDS  check, gc: an orphan's least age (3600)\n"
    "  --json     info: {\"engine\", \"location\", \"schema\", \"clock\"}; passphrase:\n"
    "             {\"party\", \"changed\"}; migrate: {\"home\", \"store\", \"rows\",\n"
    "             \"payloads\", \"bytes\"} (without --to: {\"payloads\", \"bytes\"});\n"
    "             check, gc: {\"kept_in\", \"kept\", \"bytes\", \"missing\",\n"
    "             \"in_folder\", \"orphans\": [{\"name\", \"size\", \"where\"}],\n"
    "             \"young\", \"removed\": true|false};\n"
    "             backup and restore: {\"folder\",\n"
    "             \"bytes\", \"keys\", \"blobs\", \"outbox\", \"reports\", \"entries\",\n"
    "             \"checkpoint\"}\n",
};
