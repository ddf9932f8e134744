/*
 * cmd_log.c - liaison log: checkpoint, entries, prove, consistency, verify,
 * witness. The formats are in docs/log.md.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../crypto/fio.h"
#include "../node/log.h"
#include "../node/views.h"
#include "cli.h"

#define B64_HASH sodium_base64_ENCODED_LEN(MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL)

static const char *b64(const uint8_t h[MERKLE_HASH], char out[B64_HASH])
{
	return sodium_bin2base64(out, B64_HASH, h, MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL);
}

static int log_size(const struct cli *c, struct node *n, uint64_t *size)
{
	struct lerr e = {0};
	return node_log_size(n, size, &e) < 0 ? cli_error(c, &e, false) : EXIT_OK;
}

static int do_checkpoint(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *out = NULL, *pos[1];
	bool force = false;
	int np;
	const struct cli_opt opts[] = {
	    {.name = "output", .val = &out, .letter = 'o'}, OPT_FLAG("force", &force), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	struct key_secret k;
	struct lerr e = {0};
	struct checkpoint cp;
	char note[NOTE_MAX], root[B64_HASH];
	if ((r = cli_node_key(c, n, &k)) != EXIT_OK)
		return r;
	r = node_log_checkpoint(n, &k, &cp, note, &e);
	key_secret_free(&k);
	if (r < 0)
		return cli_error(c, &e, false);
	if (out && fio_write_file(out, note, strlen(note), 0644, force, &e) < 0)
		return cli_error(c, &e, false);
	if (c->json)
		return cli_emit(json_pack("{s:s, s:I, s:s, s:s}", "origin", cp.origin, "size",
					  (json_int_t)cp.size, "root", b64(cp.root, root), "note",
					  note));
	if (!out)
		fputs(note, stdout);
	else
		printf("checkpoint of %s at size %" PRIu64 " written to %s\n", cp.origin, cp.size,
		       out);
	return EXIT_OK;
}

static int do_entries(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *from = NULL, *to = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("from", &from), OPT_VAL("to", &to), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	uint64_t size, a = 0, b;
	if ((r = log_size(c, n, &size)) != EXIT_OK)
		return r;
	b = size;
	if ((from && (r = cli_count(c, "--from", from, 0, UINT64_MAX, &a)) != EXIT_OK) ||
	    (to && (r = cli_count(c, "--to", to, 0, UINT64_MAX, &b)) != EXIT_OK))
		return r;
	if (b > size || a > b)
		return cli_errorf(c, true,
				  "log entries: --from %" PRIu64 " --to %" PRIu64
				  " is not within the log's %" PRIu64 " entries",
				  a, b, size);
	struct lerr e = {0};
	if (c->json) {
		json_t *o;
		return view_log_entries(n, NULL, a, b, UINT64_MAX, &o, &e) < 0
			   ? cli_error(c, &e, false)
			   : cli_emit(o);
	}
	for (uint64_t i = a; i < b; i++) {
		char *data;
		size_t len;
		if (node_log_entry(n, i, &data, &len, &e) < 0)
			return cli_error(c, &e, false);
		fwrite(data, 1, len, stdout);
		putchar('\n');
		free(data);
	}
	return EXIT_OK;
}

/*
 * Parses --REQ N (required) and --OPT M (default: the log's size) of
 * `log CMD`, both whole numbers.
 */
static int two_counts(const struct cli *c, struct node *n, int argc, char **argv, const char *cmd,
		      const char *req, const char *opt, uint64_t *a, uint64_t *b)
{
	const char *va = NULL, *vb = NULL, *pos[1];
	char fa[32], fb[32];
	int np;
	const struct cli_opt opts[] = {OPT_VAL(req, &va), OPT_VAL(opt, &vb), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	if (!va)
		return cli_errorf(c, true, "log %s: --%s is required", cmd, req);
	snprintf(fa, sizeof fa, "--%s", req);
	snprintf(fb, sizeof fb, "--%s", opt);
	if ((r = cli_count(c, fa, va, 0, UINT64_MAX, a)) != EXIT_OK ||
	    (r = log_size(c, n, b)) != EXIT_OK ||
	    (vb && (r = cli_count(c, fb, vb, 0, UINT64_MAX, b)) != EXIT_OK))
		return r;
	return EXIT_OK;
}

static void print_proof(const uint8_t (*path)[MERKLE_HASH], size_t npath)
{
	char buf[B64_HASH];
	for (size_t k = 0; k < npath; k++)
		printf("proof %2zu  %s\n", k, b64(path[k], buf));
}

static int do_prove(const struct cli *c, struct node *n, int argc, char **argv)
{
	uint64_t i, size;
	int r = two_counts(c, n, argc, argv, "prove", "index", "size", &i, &size);
	if (r != EXIT_OK)
		return r;
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], root[MERKLE_HASH], leaf[MERKLE_HASH];
	size_t npath;
	char *data = NULL;
	size_t len;
	struct lerr e = {0};
	if (c->json) {
		json_t *o;
		return view_log_proof(n, i, size, &o, &e) < 0
			   ? cli_error(c, &e, e.code == LERR_INVAL)
			   : cli_emit(o);
	}
	if (node_log_prove(n, i, size, path, &npath, &e) < 0 ||
	    node_log_root(n, size, root, &e) < 0 || node_log_entry(n, i, &data, &len, &e) < 0)
		return cli_error(c, &e, e.code == LERR_INVAL);
	merkle_leaf_hash(data, len, leaf);
	free(data);
	const uint8_t(*cp)[MERKLE_HASH] = (const uint8_t(*)[MERKLE_HASH])path;
	char b1[B64_HASH], b2[B64_HASH];
	printf("entry %" PRIu64 " in the tree of %" PRIu64 " entries\nleaf hash %s\nroot      %s\n",
	       i, size, b64(leaf, b1), b64(root, b2));
	print_proof(cp, npath);
	return EXIT_OK;
}

static int do_consistency(const struct cli *c, struct node *n, int argc, char **argv)
{
	uint64_t a, b;
	int r = two_counts(c, n, argc, argv, "consistency", "from", "to", &a, &b);
	if (r != EXIT_OK)
		return r;
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], r1[MERKLE_HASH], r2[MERKLE_HASH];
	size_t npath;
	struct lerr e = {0};
	if (c->json) {
		json_t *o;
		return view_log_consistency(n, a, b, &o, &e) < 0
			   ? cli_error(c, &e, e.code == LERR_INVAL)
			   : cli_emit(o);
	}
	if (node_log_consistency(n, a, b, path, &npath, &e) < 0 ||
	    node_log_root(n, a, r1, &e) < 0 || node_log_root(n, b, r2, &e) < 0)
		return cli_error(c, &e, e.code == LERR_INVAL);
	const uint8_t(*cp)[MERKLE_HASH] = (const uint8_t(*)[MERKLE_HASH])path;
	char b1[B64_HASH], b2[B64_HASH];
	printf("from %" PRIu64 " (root %s)\nto   %" PRIu64 " (root %s)\n", a, b64(r1, b1), b,
	       b64(r2, b2));
	print_proof(cp, npath);
	return EXIT_OK;
}

static int do_verify(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int np;
	const struct cli_opt opts[] = {{0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	struct log_report rep;
	struct lerr e = {0};
	if (node_log_verify(n, &rep, &e) < 0)
		return cli_error(c, &e, false);
	char b1[B64_HASH];
	if (c->json) {
		json_t *o = json_pack("{s:b, s:I, s:I}", "ok", 1, "entries",
				      (json_int_t)rep.entries, "hashes", (json_int_t)rep.hashes);
		json_object_set_new(o, "checkpoint",
				    rep.checkpoint
					? json_pack("{s:s, s:I, s:s}", "origin", rep.latest.origin,
						    "size", (json_int_t)rep.latest.size, "root",
						    b64(rep.latest.root, b1))
					: json_null());
		return cli_emit(o);
	}
	printf("log verified: %" PRIu64 " entries, %" PRIu64 " subtree hashes recomputed\n",
	       rep.entries, rep.hashes);
	if (rep.checkpoint)
		printf("latest checkpoint (size %" PRIu64
		       ") is signed by %s and matches the tree\n",
		       rep.latest.size, rep.latest.origin);
	else
		printf("no checkpoint signed yet (liaison log checkpoint)\n");
	return EXIT_OK;
}

/* Reads a proof file: the JSON of `log consistency --json`. */
static int read_proof(const struct cli *c, const char *file,
		      uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], size_t *np)
{
	json_error_t je;
	json_t *o = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return cli_errorf(c, true, "%s:%d:%d: %s", file, je.line, je.column, je.text);
	json_t *p = json_object_get(o, "proof");
	int r = EXIT_OK;
	*np = 0;
	if (!json_is_array(p) || json_array_size(p) > MERKLE_PATH_MAX)
		r = cli_errorf(c, true, "%s: proof: must be an array of at most %d hashes", file,
			       MERKLE_PATH_MAX);
	for (size_t i = 0; r == EXIT_OK && i < json_array_size(p); i++) {
		const char *s = json_string_value(json_array_get(p, i));
		size_t got = 0;
		if (!s ||
		    sodium_base642bin(path[i], MERKLE_HASH, s, strlen(s), NULL, &got, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    got != MERKLE_HASH)
			r = cli_errorf(c, true, "%s: proof[%zu]: not a base64 SHA-256 hash", file,
				       i);
		(*np)++;
	}
	json_decref(o);
	return r;
}

static int read_note(const struct cli *c, const char *file, char **text)
{
	size_t n;
	struct lerr e = {0};
	if (fio_read_file(file, NOTE_MAX - 1, text, &n, &e) < 0)
		return cli_error(c, &e, false);
	return EXIT_OK;
}

static int do_witness(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *prev = NULL, *proof = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("previous", &prev), OPT_VAL("proof", &proof), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	char *note = NULL, *before = NULL;
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH];
	size_t npath = 0;
	if ((r = read_note(c, pos[0], &note)) != EXIT_OK)
		return r;
	if ((prev && (r = read_note(c, prev, &before)) != EXIT_OK) ||
	    (proof && (r = read_proof(c, proof, path, &npath)) != EXIT_OK)) {
		free(note);
		free(before);
		return r;
	}
	struct witness_report rep;
	struct lerr e = {0};
	int res = node_log_witness(
	    n, note, before, proof ? (const uint8_t(*)[MERKLE_HASH])path : NULL, npath, &rep, &e);
	free(note);
	free(before);
	if (res < 0)
		return cli_error(c, &e, false);
	char b1[B64_HASH];
	if (c->json) {
		json_t *o = json_pack("{s:s, s:I, s:s, s:b}", "origin", rep.cp.origin, "size",
				      (json_int_t)rep.cp.size, "root", b64(rep.cp.root, b1),
				      "consistent", 1);
		json_object_set_new(o, "previous_size",
				    rep.had_previous ? json_integer((json_int_t)rep.previous.size)
						     : json_null());
		return cli_emit(o);
	}
	printf("%s at size %" PRIu64 ": signature ok", rep.cp.origin, rep.cp.size);
	if (rep.had_previous)
		printf(", consistent with size %" PRIu64 " seen before", rep.previous.size);
	else
		printf(", the first seen of it");
	printf("; kept\n");
	return EXIT_OK;
}

static int run_log(struct cli *c)
{
	static const struct cli_sub subs[] = {
	    {"checkpoint", do_checkpoint, false}, {"entries", do_entries, false},
	    {"prove", do_prove, false},		  {"consistency", do_consistency, false},
	    {"verify", do_verify, false},	  {"witness", do_witness, false}};
	return cli_dispatch(c, "log", subs, sizeof subs / sizeof subs[0]);
}

const struct cli_command cmd_log = {
    "log",
    run_log,
    "the transparency log: checkpoint, entries, prove, consistency, verify, witness",
    "usage: liaison log checkpoint [-o FILE [--force]]\n"
    "       liaison log entries [--from N] [--to M]\n"
    "       liaison log prove --index I [--size N]\n"
    "       liaison log consistency --from N [--to M]\n"
    "       liaison log verify\n"
    "       liaison log witness CHECKPOINT [--previous CHECKPOINT] [--proof FILE]\n\n"
    "Every act of the node (configuration, agreement events, people, keys,\n"
    "items shared, imported, released, copied, downgraded, destroyed, consents,\n"
    "compromise reports, licences, and every decision it enforces) is an entry of an\n"
    "RFC 9162 Merkle tree, stored with the act in one transaction.\n\n"
    "  checkpoint   sign the tree head now (C2SP tlog-checkpoint, Ed25519 signed\n"
    "               note under the origin liaison/PARTY) and keep it\n"
    "  entries      the entries N to M-1 (default: all), one JSON text per line;\n"
    "               --json gives each as base64 with its index\n"
    "  prove        the inclusion proof of entry I in the tree of N entries\n"
    "               (default: the whole log), with the leaf hash and the root\n"
    "  consistency  the consistency proof from size N to size M (default: now)\n"
    "  verify       recompute every hash from the entries and check the latest\n"
    "               checkpoint; exit 1 naming the first entry that does not match\n"
    "  witness      check a peer's checkpoint: its signature (the party's key, from\n"
    "               liaison party key) and, with --proof (the peer's `log\n"
    "               consistency --json`), that it extends --previous or the latest\n"
    "               one kept; an inconsistent one is refused with an ALARM\n\n"
    "Hashes are base64 (as in checkpoints). docs/log.md has every format.\n",
};
