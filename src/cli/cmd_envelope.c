/* cmd_envelope.c - liaison seal, open and inspect: envelopes as files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../node/envfile.h"
#include "../node/keyfile.h"
#include "../node/label_json.h"
#include "cli.h"

/* Unseals a secret key file, asking for its passphrase. */
static int load_secret(const struct cli *c, const char *path, struct key_secret *k)
{
	char *pass, prompt[256];
	size_t len;
	snprintf(prompt, sizeof prompt, "passphrase for %s: ", path);
	int r = cli_passphrase(c, prompt, false, &pass, &len);
	if (r != EXIT_OK)
		return r;
	struct lerr e = {0};
	r = keyfile_secret(path, pass, len, k, &e);
	sodium_free(pass);
	return r < 0 ? cli_error(c, &e) : EXIT_OK;
}

static void b64(char *out, size_t n, const uint8_t *in, size_t len)
{
	sodium_bin2base64(out, n, in, len, sodium_base64_VARIANT_ORIGINAL);
}

/* The facts of an envelope as JSON (inspect, open --json). */
static json_t *envelope_json(const struct envfile_info *info)
{
	char pk[64];
	json_t *to = json_array();
	for (size_t i = 0; i < info->h.nstanzas; i++) {
		b64(pk, sizeof pk, info->h.stanzas[i].box_pk, KEY_BOX_PK);
		json_array_append_new(
		    to, json_pack("{s:s, s:s}", "party", info->h.stanzas[i].party, "x25519", pk));
	}
	b64(pk, sizeof pk, info->h.sender_pk, KEY_SIGN_PK);
	json_t *o =
	    json_pack("{s:i, s:s, s:s, s:o, s:o, s:I, s:I}", "version", info->h.version, "sender",
		      info->h.sender, "sender_ed25519", pk, "recipients", to, "label",
		      label_json(&info->label), "chunk_size", (json_int_t)info->h.chunk,
		      "header_size", (json_int_t)info->h.header_len);
	return o;
}

static int run_seal(struct cli *c)
{
	const char *sign = NULL, *label = NULL, *out = NULL, *chunk_s = NULL, *ver = NULL,
		   *to[ENVFILE_TO_MAX], *pos[1];
	size_t nto = 0;
	bool force = false, quiet = false;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("sign", &sign),
				       OPT_MANY("to", to, &nto, ENVFILE_TO_MAX),
				       OPT_VAL("label", &label),
				       {.name = "output", .val = &out, .letter = 'o'},
				       OPT_VAL("chunk-size", &chunk_s),
				       OPT_FLAG("force", &force),
				       OPT_FLAG("quiet", &quiet),
				       OPT_VAL("envelope-version", &ver),
				       {0}};
	int r = cli_parse(c, c->argc, c->argv, opts, pos, 0, 1, &np);
	if (r != EXIT_OK)
		return r;
	if (!sign || !nto || !label)
		return cli_bad_usagef(c,
				      "seal: --sign KEY, --to PUB and --label FILE are required");
	long chunk = 0, version = 0;
	if ((r = cli_number(c, "chunk-size", chunk_s, ENV_CHUNK_MIN, ENV_CHUNK_MAX, &chunk)) !=
		EXIT_OK ||
	    (r = cli_number(c, "envelope-version", ver, ENV_VERSION_MIN, ENV_VERSION, &version)) !=
		EXIT_OK)
		return r;
	if (out && strcmp(out, "-") == 0)
		out = NULL; /* standard output */
	if (!out && isatty(STDOUT_FILENO))
		return cli_bad_usagef(
		    c, "seal: will not write an envelope to a terminal (use -o FILE)");
	/* the key opens (Argon2id) while the envelope is sealed */
	char *pass, prompt[256];
	size_t len;
	snprintf(prompt, sizeof prompt, "passphrase for %s: ", sign);
	if ((r = cli_passphrase(c, prompt, false, &pass, &len)) != EXIT_OK)
		return r;
	struct lerr e = {0};
	struct key_later *k = keyfile_secret_start(sign, pass, len, &e);
	sodium_free(pass);
	if (!k)
		return cli_error(c, &e);
	struct cli_progress pr;
	const char *in = np ? pos[0] : NULL;
	if (in && strcmp(in, "-") == 0)
		in = NULL;
	cli_progress_start(&pr, "sealing", in, quiet);
	const struct envfile_io io = {.in = in,
				      .out = out,
				      .force = force,
				      .progress = cli_progress_update,
				      .arg = &pr,
				      .version = (int)version};
	struct label l;
	uint64_t bytes;
	r = envfile_seal(k, to, nto, label, (uint32_t)chunk, &io, &l, &bytes, &e);
	cli_progress_end(&pr);
	char party[PARTY_CODE_MAX];
	memcpy(party, k->pub.party, sizeof party);
	keyfile_secret_end(k);
	if (r < 0)
		return cli_error(c, &e);
	if (!out)
		return EXIT_OK; /* stdout carries the envelope */
	if (c->json)
		return cli_emit(json_pack("{s:s, s:s, s:I}", "output", out, "item", l.item, "bytes",
					  (json_int_t)bytes));
	printf("sealed item %s (%llu bytes) from %s to", l.item, (unsigned long long)bytes, party);
	for (size_t i = 0; i < nto; i++) {
		struct key_public p;
		printf(" %s", keyfile_public(to[i], &p, NULL) == 0 ? p.party : to[i]);
	}
	printf(": %s\n", out);
	return EXIT_OK;
}

static int run_open(struct cli *c)
{
	const char *key = NULL, *verify = NULL, *out = NULL, *pos[1];
	bool force = false, quiet = false;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("key", &key),
				       OPT_VAL("verify", &verify),
				       {.name = "output", .val = &out, .letter = 'o'},
				       OPT_FLAG("force", &force),
				       OPT_FLAG("quiet", &quiet),
				       {0}};
	int r = cli_parse(c, c->argc, c->argv, opts, pos, 0, 1, &np);
	if (r != EXIT_OK)
		return r;
	if (!key || !verify)
		return cli_bad_usagef(c, "open: --key KEY and --verify SENDER.pub are required");
	struct key_secret k;
	if ((r = load_secret(c, key, &k)) != EXIT_OK)
		return r;
	const char *in = np && strcmp(pos[0], "-") != 0 ? pos[0] : NULL;
	struct cli_progress pr;
	cli_progress_start(&pr, "opening", in, quiet);
	if (out && strcmp(out, "-") == 0)
		out = NULL; /* standard output */
	const struct envfile_io io = {
	    .in = in, .out = out, .force = force, .progress = cli_progress_update, .arg = &pr};
	struct envfile_info info;
	struct lerr e = {0};
	r = envfile_open(&k, verify, &io, &info, &e);
	cli_progress_end(&pr);
	key_secret_free(&k);
	if (r < 0) {
		envfile_info_free(&info);
		return cli_error(c, &e);
	}
	if (out && c->json) {
		json_t *o = envelope_json(&info);
		json_object_set_new(o, "output", json_string(out));
		json_object_set_new(o, "bytes", json_integer((json_int_t)info.bytes));
		r = cli_emit(o);
	} else if (out)
		printf("opened item %s from %s (%s, level %s): %llu bytes in %s\n", info.label.item,
		       info.h.sender, info.label.title, info.label.level,
		       (unsigned long long)info.bytes, out);
	envfile_info_free(&info);
	return r;
}

static int run_inspect(struct cli *c)
{
	const char *verify = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("verify", &verify), {0}};
	int r = cli_parse(c, c->argc, c->argv, opts, pos, 0, 1, &np);
	if (r != EXIT_OK)
		return r;
	const char *in = np && strcmp(pos[0], "-") != 0 ? pos[0] : NULL;
	struct envfile_info info;
	struct lerr e = {0};
	if (envfile_inspect(in, verify, &info, &e) < 0) {
		envfile_info_free(&info);
		return cli_error(c, &e);
	}
	if (c->json) {
		json_t *o = envelope_json(&info);
		if (info.size >= 0)
			json_object_set_new(o, "payload_size", json_integer(info.size));
		json_object_set_new(o, "verified", json_boolean(verify != NULL));
		r = cli_emit(o);
	} else {
		char pk[64];
		b64(pk, sizeof pk, info.h.sender_pk, KEY_SIGN_PK);
		printf("envelope v%d from %s (ed25519 %s)%s\n", info.h.version, info.h.sender, pk,
		       verify ? ", header signature good" : ", signature not checked");
		printf("to:");
		for (size_t i = 0; i < info.h.nstanzas; i++)
			printf(" %s", info.h.stanzas[i].party);
		printf("\nitem %s: %s\nlevel %s of %s", info.label.item, info.label.title,
		       info.label.level, info.label.originator);
		if (info.label.nreleasable) {
			printf("; releasable to");
			for (size_t i = 0; i < info.label.nreleasable; i++)
				printf(" %s", info.label.releasable[i]);
		}
		printf("\nsizes: header %zu bytes, chunks of %u bytes", info.h.header_len,
		       info.h.chunk);
		if (info.size >= 0)
			printf(", payload %lld bytes", (long long)info.size);
		printf("\nlabel: %s\n", info.h.label);
	}
	envfile_info_free(&info);
	return r;
}

const struct cli_command cmd_seal = {
    "seal",
    run_seal,
    "seal a file into an envelope for other parties",
    "usage: liaison seal --sign KEY --to PUB [--to PUB ...] --label LABEL.json\n"
    "                    [-o OUT] [--force] [--quiet] [--chunk-size N]\n"
    "                    [--envelope-version N] [IN]\n\n"
    "Seals IN (default: standard input) into an envelope written to OUT\n"
    "(default: standard output, never a terminal): encrypted for each party\n"
    "named by --to (its public key file), signed with the secret key file\n"
    "KEY, carrying the label (JSON; see docs/envelope.md). The label's\n"
    "originator must be the signing party; without an \"item\" id it gets a\n"
    "random one. OUT appears whole or not at all; an existing OUT is kept\n"
    "unless --force. A progress line shows on a terminal for large inputs\n"
    "(not with --quiet). The passphrase comes from $LIAISON_PASSPHRASE or the\n"
    "terminal.\n\n"
    "options:\n"
    "  --chunk-size N  plaintext bytes per chunk (default 65536)\n"
    "  --envelope-version N  the format: 4 (the default), or 1, 2 or 3 for a\n"
    "                  reader of an older liaison (docs/envelope.md)\n"
    "  --json          with -o: answer {\"output\", \"item\", \"bytes\"}\n",
    NULL,
    0,
    NULL,
};

const struct cli_command cmd_open = {
    "open",
    run_open,
    "open an envelope sealed to you",
    "usage: liaison open --key KEY --verify SENDER.pub [-o OUT] [--force] [--quiet] [IN]\n\n"
    "Opens the envelope IN (default: standard input) with the secret key file\n"
    "KEY, accepting it only if SENDER.pub's party signed it, and writes the\n"
    "content to OUT (default: standard output). Every check must pass: the\n"
    "envelope is for you, signed by that sender, with the label it signed,\n"
    "every chunk authentic, nothing cut off, and the content the sender's.\n"
    "Otherwise it exits 1 saying which check failed, and OUT is not written\n"
    "(on standard output, chunks already checked may have been written:\n"
    "use -o for all or nothing).\n\n"
    "options:\n"
    "  --json  with -o: answer with the envelope's facts and label\n",
    NULL,
    0,
    NULL,
};

const struct cli_command cmd_inspect = {
    "inspect",
    run_inspect,
    "show an envelope's sender, recipients, label and sizes",
    "usage: liaison inspect [--verify SENDER.pub] [FILE]\n\n"
    "Shows what an envelope says of itself without decrypting it: sender and\n"
    "its key, recipients, the label, chunk and header sizes, and the payload\n"
    "size (for a file). With --verify, also checks that SENDER.pub's party\n"
    "signed the header and the label (exit 1 if not).\n\n"
    "options:\n"
    "  --json  answer {\"sender\", \"sender_ed25519\", \"recipients\", \"label\",\n"
    "          \"chunk_size\", \"header_size\", \"payload_size\", \"verified\"}\n",
    NULL,
    0,
    NULL,
};
