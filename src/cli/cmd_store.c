/* cmd_store.c - liaison store: where the node's store is, and moving it. */
#include <stdio.h>
#include <string.h>

#include "../node/views.h"
#include "cli.h"

static int do_info(const struct cli *c, int argc, char **argv)
{
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

static int do_migrate(const struct cli *c, int argc, char **argv)
{
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

static int run_store(struct cli *c)
{
	if (c->argc < 2)
		return cli_bad_usagef(c, "store: info or migrate? (liaison store --help)");
	if (strcmp(c->argv[1], "info") == 0)
		return do_info(c, c->argc - 1, c->argv + 1);
	if (strcmp(c->argv[1], "migrate") == 0)
		return do_migrate(c, c->argc - 1, c->argv + 1);
	return cli_bad_usagef(c, "store: unknown subcommand \"%.32s\" (info or migrate)",
			      c->argv[1]);
}

const struct cli_command cmd_store = {
    "store",
    run_store,
    "where the node's store is, and moving it to PostgreSQL",
    "usage: liaison store info\n"
    "       liaison store migrate --to postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE\n\n"
    "info     the store's engine (SQLite or PostgreSQL), where it is (a URL's\n"
    "         password not shown), its schema version, and the node's clock:\n"
    "         the system's, or replay (made with init --replay: LIAISON_NOW\n"
    "         dates its acts).\n"
    "migrate  moves the node's SQLite store to an empty PostgreSQL database\n"
    "         (made by its administrator): every row copied in one transaction,\n"
    "         the log verified there, the folder's store.url naming the\n"
    "         database (mode 0600), node.db kept as node.db.migrated, and the\n"
    "         move logged (store-migrated). Stop the node's daemon first: the\n"
    "         move is refused while one serves the node. docs/deploy.md.\n\n"
    "options:\n"
    "  --to URL   the database, in libpq's URL form\n"
    "  --json     info: {\"engine\", \"location\", \"schema\", \"clock\"}; migrate:\n"
    "             {\"home\",\n"
    "             \"store\", \"rows\"}\n",
    NULL,
    0,
    NULL,
};
