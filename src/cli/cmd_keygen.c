/* cmd_keygen.c - liaison keygen: a party's keys in two files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../node/keyfile.h"
#include "cli.h"

static int run_keygen(struct cli *c)
{
	const char *party = NULL, *dir = ".", *mem_s = NULL, *ops_s = NULL, *pos[1];
	bool force = false;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("party", &party),      OPT_VAL("out", &dir),
				       OPT_VAL("kdf-memory", &mem_s), OPT_VAL("kdf-passes", &ops_s),
				       OPT_FLAG("force", &force),     {0}};
	int r = cli_parse(c, c->argc, c->argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	if (!party)
		return cli_bad_usagef(c, "keygen: --party CODE is required (like --party JPN)");
	struct lerr e = {0};
	if (party_code_check(party, &e) < 0)
		return cli_bad_usage(c, &e);
	struct key_kdf kdf = {.ops = KEY_KDF_OPS_DEFAULT, .mem = KEY_KDF_MEM_DEFAULT};
	long mem = (long)(kdf.mem >> 20), ops = (long)kdf.ops;
	if ((r = cli_number(c, "kdf-memory", mem_s, 1, (long)(KEY_KDF_MEM_MAX >> 20), &mem)) !=
		EXIT_OK ||
	    (r = cli_number(c, "kdf-passes", ops_s, 1, (long)KEY_KDF_OPS_MAX, &ops)) != EXIT_OK)
		return r;
	kdf.mem = (size_t)mem << 20;
	kdf.ops = (unsigned long long)ops;
	char *pass;
	size_t len;
	if ((r = cli_passphrase(c, "passphrase for the new key: ", true, &pass, &len)) != EXIT_OK)
		return r;
	char pub[4096];
	r = keyfile_generate(dir, party, pass, len, &kdf, force, pub, sizeof pub, &e);
	sodium_free(pass);
	if (r < 0)
		return cli_error(c, &e);
	struct key_public p;
	if (keyfile_public(pub, &p, &e) < 0)
		return cli_error(c, &e);
	char line[KEY_PUB_LINE_MAX];
	if (key_public_format(&p, line, sizeof line, &e) < 0)
		return cli_error(c, &e);
	line[strcspn(line, "\n")] = '\0';
	char sec[4096];
	snprintf(sec, sizeof sec, "%s/%s.key", dir, party);
	char fp[KEY_FINGERPRINT_MAX];
	key_fingerprint(&p, fp);
	if (c->json)
		return cli_emit(json_pack("{s:s, s:s, s:s, s:s, s:s}", "party", party,
					  "secret_file", sec, "public_file", pub, "public_key",
					  line, "fingerprint", fp));
	printf("wrote %s (secret, mode 0600) and %s\n%s\n%s\n", sec, pub, line, fp);
	return EXIT_OK;
}

const struct cli_command cmd_keygen = {
    "keygen",
    run_keygen,
    "make a party's signing and encryption keys",
    "usage: liaison keygen --party CODE [--out DIR] [--force]\n"
    "                      [--kdf-memory MIB] [--kdf-passes N]\n\n"
    "Makes an Ed25519 signing key and an X25519 encryption key for party CODE\n"
    "and writes two files in DIR (default: the current folder):\n"
    "  CODE.key  the secret keys, sealed with a key derived from a passphrase\n"
    "            by Argon2id; mode 0600\n"
    "  CODE.pub  one line naming the party and both public keys, to share\n"
    "The passphrase comes from $LIAISON_PASSPHRASE, else it is asked twice on\n"
    "the terminal. Existing files are kept unless --force.\n\n"
    "options:\n"
    "  --kdf-memory MIB  Argon2id memory (default 8; more resists guessing\n"
    "                    better, but every open and seal then needs it)\n"
    "  --kdf-passes N    Argon2id passes (default 16)\n"
    "  --json            answer {\"party\", \"public_file\", \"public_key\"}\n",
    NULL,
    0,
    NULL,
};
