/* cmd_party.c - liaison party: the parties' keys, a peer's added, the
 * node's own rotated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../node/encode.h"
#include "../node/views.h"
#include "cli.h"

static int do_key(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[2];
	bool replace = false, compromised = false;
	int np;
	const struct cli_opt opts[] = {
	    OPT_FLAG("replace", &replace), OPT_FLAG("compromised", &compromised), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 2, 2, &np);
	if (r != EXIT_OK)
		return r;
	struct lerr e = {0};
	json_t *o = NULL;
	if (view_party_key_add(n, pos[0], pos[1], replace, compromised, &o, &e) < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(o);
	if (json_is_true(json_object_get(o, "rotation")))
		printf("%s rotated its keys (the note checks with the key held, %s):\n%s\n%s\n",
		       cli_str(o, "party"), cli_str(o, "replaced"), cli_str(o, "public_key"),
		       cli_str(o, "fingerprint"));
	else if (json_is_string(json_object_get(o, "replaced")))
		printf("replaced the keys of %s (%s) with:\n%s\n%s\n", cli_str(o, "party"),
		       cli_str(o, "replaced"), cli_str(o, "public_key"), cli_str(o, "fingerprint"));
	else
		printf("stored the public key of %s:\n%s\n%s\n", cli_str(o, "party"),
		       cli_str(o, "public_key"), cli_str(o, "fingerprint"));
	json_decref(o);
	return EXIT_OK;
}

static void print_keys(const json_t *o)
{
	const json_t *cur = json_object_get(o, "current"), *k;
	size_t i;
	if (json_is_object(cur))
		printf("%s  in use\n", cli_str(cur, "fingerprint"));
	else
		printf("no key of %s on file\n", cli_str(o, "party"));
	json_array_foreach (json_object_get(o, "retired"), i, k)
		printf("%s  %s on %s, its log at %lld entries\n", cli_str(k, "fingerprint"),
		       cli_str(k, "how"), cli_str(k, "retired_on"),
		       (long long)json_integer_value(json_object_get(k, "log_size")));
}

static int do_keys(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1] = {NULL};
	const struct cli_opt opts[] = {{0}};
	int np, r = cli_parse(c, argc, argv, opts, pos, 0, 1, &np);
	if (r != EXIT_OK)
		return r;
	struct lerr e = {0};
	json_t *o = NULL;
	if (view_party_keys(n, np ? pos[0] : n->party, &o, &e) < 0)
		return cli_error(c, &e);
	return cli_show(c, o, print_keys);
}

static int do_rotate(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *none[1], *note = NULL;
	bool compromised = false;
	const struct cli_opt opts[] = {
	    OPT_FLAG("compromised", &compromised), OPT_VAL("note", &note), {0}};
	int np, r = cli_parse(c, argc, argv, opts, none, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	if (note && strcmp(note, "-") == 0)
		return cli_bad_usagef(c, "--note: a file, not standard output");
	char *pass;
	size_t len;
	if ((r = cli_passphrase(c, "passphrase for the node's keys: ", false, &pass, &len)) !=
	    EXIT_OK)
		return r;
	struct lerr e = {0};
	json_t *o = NULL;
	r = view_key_rotate(n, pass, len, compromised, note, &o, &e);
	sodium_free(pass);
	if (r < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(o);
	const json_t *cur = json_object_get(o, "current");
	printf("%s's keys rotated%s: %s retired at %lld log entries; in use now:\n%s\n%s\n"
	       "a signed note to each peer is queued (%lld)%s%s\n"
	       "restart the node's daemons to sign with the new keys (systemctl restart "
	       "liaison)\n",
	       cli_str(o, "party"), compromised ? " (the old ones compromised)" : "",
	       cli_str(o, "retired"), (long long)json_integer_value(json_object_get(o, "log_size")),
	       cli_str(cur, "public_key"), cli_str(cur, "fingerprint"),
	       (long long)json_integer_value(json_object_get(o, "notes_queued")),
	       note ? "; and written to " : "", note ? note : "");
	json_decref(o);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
    {"key", do_key, false, "key PARTY FILE [--replace [--compromised]]",
     "Stores the public keys of PARTY (a party the configuration defines) from\n"
     "FILE, the one-line CODE.pub that its node made (liaison init or keygen),\n"
     "and prints their fingerprint, to compare with the other node's operator.\n"
     "The node then seals releases to it and checks what it sends. The file\n"
     "must name PARTY itself. Keys on file already are replaced only with\n"
     "--replace (the refusal names both fingerprints; the old keys are kept,\n"
     "retired, to check what they signed); the same keys again change\n"
     "nothing. --compromised (with --replace): the keys replaced, and every\n"
     "key PARTY retired before, may be in other hands: nothing new they sign\n"
     "is taken. FILE may also be the note PARTY's rotate-key wrote (--note):\n"
     "vouched for by the key on file, it needs no --replace.\n"},
    {"keys", do_keys, false, "keys [PARTY]",
     "PARTY's keys (this node's own party by default): the one in use and\n"
     "those retired, each with its fingerprint, how and when it retired and\n"
     "the size of the party's log then: the checkpoints it still vouches\n"
     "for go no further.\n"},
    {"rotate-key", do_rotate, false, "rotate-key [--compromised] [--note FILE]",
     "Rotates this node's keys: a new pair, sealed under the same\n"
     "passphrase; the old one retired, kept to open what was sealed to it\n"
     "and to check what it signed. A note signed by both is queued to every\n"
     "peer, which then holds the new key (--note also writes it to FILE, for\n"
     "a peer reached by hand: liaison party key PARTY FILE there). Logged.\n"
     "--compromised says the old key was compromised: this node and its peers\n"
     "take nothing new signed by it or by the pairs retired before it\n"
     "(docs/security.md). Restart the daemons afterwards: they sign with the\n"
     "keys they unsealed when they started.\n"},
};

static int run_party(struct cli *c)
{
	return cli_dispatch(c, &cmd_party);
}

const struct cli_command cmd_party = {
    "party",
    run_party,
    "parties' keys: a peer's added, the node's own rotated",
    NULL,
    subs,
    sizeof subs / sizeof subs[0],
    "options:\n"
    "  --json  answer with objects: key {\"party\", \"public_key\", \"fingerprint\",\n"
    "          \"replaced\"?, \"rotation\"?}; keys {\"party\", \"current\", \"retired\"};\n"
    "          rotate-key {\"party\", \"retired\", \"current\", \"log_size\",\n"
    "          \"notes_queued\", \"compromised\", \"note_file\"?}\n"};
