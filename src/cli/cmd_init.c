/* cmd_init.c - liaison init and liaison config. */
#include <stdio.h>
#include <string.h>

#include "../node/encode.h"
#include "../node/keyfile.h"
#include "cli.h"
#include <sodium.h>

/* init --store URL --join: a folder for another daemon of the node the database holds. */
static int run_join(struct cli *c, const char *party, const char *store, bool replay)
{
	char home[NODE_PATH_MAX], *pass, code[PARTY_CODE_MAX] = "";
	size_t len;
	struct lerr e = {0};
	if (!store)
		return cli_bad_usagef(c, "init: --join needs --store postgresql://... (the "
					 "database that holds the node)");
	if (replay)
		return cli_bad_usagef(c, "init: --join takes the node as it is (--replay goes "
					 "with a new node)");
	if (party && !str_copy(code, sizeof code, party))
		return cli_bad_usagef(c, "init: --party: \"%.16s\" is not a party code", party);
	if (node_home(c->home, home, sizeof home, &e) < 0)
		return cli_error(c, &e);
	int r = cli_passphrase(c, "the node's passphrase: ", false, &pass, &len);
	if (r != EXIT_OK)
		return r;
	r = node_join(home, store, pass, len, code, &e);
	sodium_free(pass);
	if (r < 0)
		return (r == LERR_INVAL ? cli_bad_usage(c, &e) : cli_error(c, &e));
	char pub[NODE_PATH_MAX + 64], fp[KEY_FINGERPRINT_MAX];
	struct key_public kp;
	if (node_key_path(home, code, "pub", pub, sizeof pub, &e) < 0 ||
	    keyfile_public(pub, &kp, &e) < 0)
		return cli_error(c, &e);
	key_fingerprint(&kp, fp); /* to compare with the first folder's (party keys) */
	if (c->json)
		return cli_emit(json_pack("{s:s, s:s, s:s, s:s, s:b}", "home", home, "party", code,
					  "store", "postgresql", "fingerprint", fp, "joined", 1));
	printf("%s is a folder of the node of %s that the database holds; its keys came from "
	       "there (fingerprint %s); start its daemon with liaison serve\n",
	       home, code, fp);
	return EXIT_OK;
}

static int run_init(struct cli *c)
{
	const char *party = NULL, *store = NULL, *pos[1];
	bool replay = false, join = false;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("party", &party),
				       OPT_VAL("store", &store),
				       OPT_FLAG("replay", &replay),
				       OPT_FLAG("join", &join),
				       {0}};
	int r = cli_parse(c, c->argc, c->argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	if (join)
		return run_join(c, party, store, replay);
	if (!party)
		return cli_bad_usagef(c, "init: --party CODE is required (like --party JPN)");
	char home[NODE_PATH_MAX], *pass, pub[NODE_PATH_MAX + 64];
	size_t len;
	struct lerr e = {0};
	if (party_code_check(party, &e) < 0) {
		lerr_prefix(&e, "--party");
		return cli_bad_usage(c, &e);
	}
	if (node_home(c->home, home, sizeof home, &e) < 0)
		return cli_error(c, &e);
	if ((r = cli_passphrase(c, "passphrase for the node's keys: ", true, &pass, &len)) !=
	    EXIT_OK)
		return r;
	const struct node_init_args a = {
	    .home = home, .party = party, .store = store, .replay = replay};
	r = node_init(&a, pass, len, &e);
	sodium_free(pass);
	if (r < 0)
		return (r == LERR_INVAL ? cli_bad_usage(c, &e) : cli_error(c, &e));
	struct key_public kp;
	char fp[KEY_FINGERPRINT_MAX];
	if (node_key_path(home, party, "pub", pub, sizeof pub, &e) < 0 ||
	    keyfile_public(pub, &kp, &e) < 0)
		return cli_error(c, &e);
	key_fingerprint(&kp, fp); /* for the other operators to compare (party key) */
	if (!c->json) {
		printf(
		    "made a %snode for %s in %s%s; its public key, to give to the other parties: "
		    "%s (fingerprint %s)\n",
		    replay ? "replay " : "", party, home, store ? " (its store in PostgreSQL)" : "",
		    pub, fp);
		return EXIT_OK;
	}
	return cli_emit(json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "home", home, "party", party,
				  "public_key_file", pub, "fingerprint", fp, "store",
				  store ? "postgresql" : "sqlite", "replay", replay));
}

const struct cli_command cmd_init = {
    "init",
    run_init,
    "make a node for a party in the node's folder",
    "usage: liaison [--home DIR] init --party CODE [--store postgresql://...] [--replay]\n"
    "       liaison [--home DIR] init --store postgresql://... --join [--party CODE]\n\n"
    "Makes a node for party CODE (like JPN) in the node's folder (created,\n"
    "mode 0700): its keys, and a store that the other commands use: SQLite\n"
    "(node.db in the folder), or with --store a PostgreSQL database (it must\n"
    "exist; its schema is made; the folder's store.url names it, mode 0600).\n"
    "Refuses a folder or a database that already holds a node.\n\n"
    "A node for replays (--replay: a history replayed, tests, training) takes\n"
    "LIAISON_NOW=YYYY-MM-DD as the date of its acts; every other node refuses\n"
    "an act while LIAISON_NOW is set (exit 2), and takes it only as the date\n"
    "of questions. `liaison store info` says which a node is.\n\n"
    "--join makes a folder for another daemon of the node that the database\n"
    "holds (on another machine: nothing is shared but the database): the\n"
    "folder names the database, and the node's sealed keys come from there,\n"
    "checked with the passphrase. See docs/deploy.md.\n\n"
    "options:\n"
    "  --party CODE  the party this node belongs to (2-8 capital letters)\n"
    "  --store URL   postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (libpq's\n"
    "                form: ?sslmode=verify-full and the like are passed on)\n"
    "  --replay      a node for replays: LIAISON_NOW dates its acts\n"
    "  --join        a folder for the node the database at --store holds\n"
    "  --home DIR    the node's folder (default $LIAISON_HOME, else ./.liaison)\n"
    "  --json        answer {\"home\", \"party\", \"public_key_file\", \"store\",\n"
    "                \"replay\", \"fingerprint\"}; --join: {\"home\", \"party\", \"store\",\n"
    "                \"fingerprint\", \"joined\"}\n",
    NULL,
    0,
    NULL,
};

static int run_config(struct cli *c)
{
	const char *pos[2];
	int np;
	bool dry = false;
	const struct cli_opt opts[] = {OPT_FLAG("dry-run", &dry), {0}};
	int r = cli_parse(c, c->argc, c->argv, opts, pos, 2, 2, &np);
	if (r != EXIT_OK)
		return r;
	bool check = strcmp(pos[0], "check") == 0;
	if (!check && strcmp(pos[0], "apply") != 0)
		return cli_bad_usagef(c, "config: unknown action \"%s\" (check or apply)", pos[0]);
	const char *file = pos[1];
	struct config cfg;
	struct lerr e = {0};
	if (config_load(file, &cfg, &e) < 0)
		return cli_error(c, &e);

	/* check: against the node when there is one, else the file alone */
	struct node *n = NULL;
	char home[NODE_PATH_MAX];
	if (!check) {
		if ((r = cli_open_node(c, &n)) != EXIT_OK) {
			config_free(&cfg);
			return r;
		}
	} else if (node_home(c->home, home, sizeof home, NULL) == 0 &&
		   node_open(home, &n, NULL) < 0)
		n = NULL; /* no node here: check the file alone */
	struct config_summary sum;
	r = node_config_apply(n, NULL, &cfg, file, check || dry, &sum, &e);
	node_close(n);
	config_free(&cfg);
	if (r < 0)
		return cli_error(c, &e);
	const char *what = check ? "valid" : dry ? "would apply" : "applied";
	if (c->json) { /* POST /v1/config's object, and the file it was */
		json_t *o = encode_config_summary(&sum, what);
		if (o)
			json_object_set_new(o, "file", json_string(file));
		return cli_emit(o);
	}
	printf("%s: %s (parties: %zu, agreements: %zu, people: %zu, export regimes: %zu, "
	       "events %s: %zu, already stored: %zu)\n",
	       file, what, sum.parties, sum.agreements, sum.people, sum.regimes,
	       check || dry ? "new" : "added", sum.events_added, sum.events_known);
	if (sum.events_awaiting)
		fprintf(
		    stderr,
		    "liaison: note: %zu joint acts (signed, in-force, amended) are recorded by one "
		    "party only and have no effect until every party records them; a joint "
		    "record has no \"by\" (liaison agreement show)\n",
		    sum.events_awaiting);
	return EXIT_OK;
}

const struct cli_command cmd_config = {
    "config",
    run_config,
    "check or apply a configuration file",
    "usage: liaison config check FILE\n"
    "       liaison config apply [--dry-run] FILE\n\n"
    "A configuration file (JSON) holds parties with their schemes and\n"
    "agreements with their terms, equivalence tables and events; see\n"
    "docs/configuration.md and examples/gsomia-2019.json.\n\n"
    "check  validates FILE (against the node when there is one, else alone)\n"
    "       and stores nothing.\n"
    "apply  stores FILE in the node, all or nothing. Applying the same file\n"
    "       again changes nothing: events already stored are kept, new ones\n"
    "       are added, and all of them must pass the lifecycle rules.\n\n"
    "Errors name the file and the JSON path (agreements[0].events[2].date)\n"
    "or the line and column of a syntax error.\n\n"
    "options:\n"
    "  --dry-run   (apply) check against the node, store nothing\n"
    "  --json      answer {\"file\", \"result\", \"parties\", \"agreements\",\n"
    "              \"events_added\", \"events_known\", \"events_awaiting\"}\n",
    NULL,
    0,
    NULL,
};
