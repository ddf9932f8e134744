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
	int r = cli_words(c, argc, argv, pos, 2);
	if (r != EXIT_OK)
		return r;
	struct lerr e = {0};
	json_t *o = NULL;
	if (view_party_key_add(n, pos[0], pos[1], &o, &e) < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(o);
	printf("stored the public key of %s:\n%s\n", cli_str(o, "party"), cli_str(o, "public_key"));
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
    "usage: liaison party key PARTY FILE\n\n"
    "Stores the public keys of PARTY (a party the configuration defines) from\n"
    "FILE, the one-line CODE.pub that its node made (liaison init or keygen).\n"
    "The node then seals releases to it and checks what it sends. The file\n"
    "must name PARTY itself.\n\n"
    "options:\n"
    "  --json  answer {\"party\", \"public_key\"}\n",
    NULL,
    0,
    NULL,
};
