/* cmd_party.c - liaison party: list parties, add a peer's public key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../node/encode.h"
#include "../node/views.h"
#include "cli.h"

static int do_key(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[2];
	bool replace = false;
	int np;
	const struct cli_opt opts[] = {OPT_FLAG("replace", &replace), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 2, 2, &np);
	if (r != EXIT_OK)
		return r;
	struct lerr e = {0};
	json_t *o = NULL;
	if (view_party_key_add(n, pos[0], pos[1], replace, &o, &e) < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(o);
	if (json_is_string(json_object_get(o, "replaced")))
		printf("replaced the keys of %s (%s) with:\n%s\n%s\n", cli_str(o, "party"),
		       cli_str(o, "replaced"), cli_str(o, "public_key"), cli_str(o, "fingerprint"));
	else
		printf("stored the public key of %s:\n%s\n%s\n", cli_str(o, "party"),
		       cli_str(o, "public_key"), cli_str(o, "fingerprint"));
	json_decref(o);
	return EXIT_OK;
}

static int run_party(struct cli *c)
{
	if (c->argc < 2 || strcmp(c->argv[1], "key") != 0)
		return cli_bad_usagef(c, "party: which? key (see --help)");
	struct node *n;
	int r = cli_open_node(c, &n);
	if (r != EXIT_OK)
		return r;
	r = do_key(c, n, c->argc - 1, c->argv + 1);
	node_close(n);
	return r;
}

const struct cli_command cmd_party = {
    "party",
    run_party,
    "parties: add a peer party's public key",
    "usage: liaison party key PARTY FILE [--replace]\n\n"
    "Stores the public keys of PARTY (a party the configuration defines) from\n"
    "FILE, the one-line CODE.pub that its node made (liaison init or keygen),\n"
    "and prints their fingerprint, to compare with the other node's operator.\n"
    "The node then seals releases to it and checks what it sends. The file\n"
    "must name PARTY itself. Keys on file already are replaced only with\n"
    "--replace (the refusal names both fingerprints); the same keys again\n"
    "change nothing.\n\n"
    "options:\n"
    "  --replace  replace the keys on file (logged, with the old fingerprint)\n"
    "  --json     answer {\"party\", \"public_key\", \"fingerprint\", \"replaced\"?}\n",
    NULL,
    0,
    NULL,
};
