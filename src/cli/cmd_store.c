/* cmd_store.c - liaison store: where the node's store is, and moving it. */
#include <stdio.h>
#include <string.h>

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
		return cli_bad_usagef(c, "store migrate: --to postgresql://... is required");
	char home[NODE_PATH_MAX], show[600];
	uint64_t rows = 0;
	struct lerr e = {0};
	if (node_home(c->home, home, sizeof home, &e) < 0 ||
	    node_store_migrate(home, to, &rows, &e) < 0)
		return (e.code == LERR_INVAL ? cli_bad_usage(c, &e) : cli_error(c, &e));
	node_store_shown(to, show, sizeof show);
	if (c->json)
		return cli_emit(json_pack("{s:s, s:s, s:I}", "home", home, "store", show, "rows",
					  (json_int_t)rows));
	printf("the node in %s now keeps its store at %s (%llu rows copied, its log verified);\n"
	       "its SQLite file is kept as node.db.migrated\n",
	       home, show, (unsigned long long)rows);
	return EXIT_OK;
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
    {"migrate", do_migrate, false, "migrate --to postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE",
     "Moves the node's SQLite store to an empty PostgreSQL database (made by\n"
     "its administrator): every row copied in one transaction, the log\n"
     "verified there, the folder's store.url naming the database (mode\n"
     "0600), node.db kept as node.db.migrated, and the move logged\n"
     "(store-migrated). Stop the node's daemon first: the move is refused\n"
     "while one serves the node. docs/deploy.md.\n"},
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
     "checkpoint. Acts after the backup are lost: a peer that witnessed a\n"
     "larger log of this node will raise an alarm.\n"},
};

static int run_store(struct cli *c)
{
	const struct cli_sub *s = c->argc > 1 ? cli_sub_find(&cmd_store, c->argv[1]) : NULL;
	if (!s)
		return cli_bad_usagef(
		    c, "store: %s%s%s (info, migrate, backup, passphrase or restore)",
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
    "  --json     info: {\"engine\", \"location\", \"schema\", \"clock\"}; passphrase:\n"
    "             {\"party\", \"changed\"}; migrate:\n"
    "             {\"home\", \"store\", \"rows\"}; backup and restore: {\"folder\",\n"
    "             \"bytes\", \"keys\", \"blobs\", \"outbox\", \"reports\", \"entries\",\n"
    "             \"checkpoint\"}\n",
};
