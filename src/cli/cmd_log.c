/*
 * cmd_log.c - liaison log: checkpoint, entries, prove, consistency, verify,
 * witness. The formats are in docs/log.md.
 *
 * All but witness are views of node/views.h, asked of the node itself or of
 * its daemon (remote.h, as an auditor; a checkpoint as anyone) and printed
 * from that JSON: the same text either way.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/text.h"
#include "../crypto/fio.h"
#include "../node/log.h"
#include "../node/peer.h"
#include "../node/views.h"
#include "cli.h"
#include "remote.h"

#define B64_HASH sodium_base64_ENCODED_LEN(MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL)

static const char *b64(const uint8_t h[MERKLE_HASH], char out[B64_HASH])
{
	return sodium_bin2base64(out, B64_HASH, h, MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL);
}

/* A whole number member of o (0 when missing). */
static uint64_t num(const json_t *o, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(o, key));
}

/* Appends name=v to rq's query. */
static void query_num(struct remote_req *rq, const char *name, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	remote_query(rq, name, buf);
}

/* The checkpoint signed now: by the node's key here, by the daemon's there. */
static int checkpoint(const struct cli *c, struct node *n, json_t **o)
{
	struct lerr e = {0};
	if (c->remote) {
		struct remote_req rq = {.method = "GET"};
		long status;
		remote_path(&rq, "/v1/log/checkpoint", NULL, NULL);
		return remote_call(c, &rq, o, &status);
	}
	struct key_secret k;
	int r = cli_node_key(c, n, &k);
	if (r != EXIT_OK)
		return r;
	r = view_log_checkpoint(n, &k, o, &e);
	key_secret_free(&k);
	return r < 0 ? cli_error(c, &e) : EXIT_OK;
}

static int do_checkpoint(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *out = NULL, *pos[1];
	bool force = false;
	int np;
	const struct cli_opt opts[] = {
	    {.name = "output", .val = &out, .letter = 'o'}, OPT_FLAG("force", &force), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	json_t *o = NULL;
	if (r != EXIT_OK || (r = checkpoint(c, n, &o)) != EXIT_OK)
		return r;
	const char *note =
	    json_string_value(json_object_get(o, "note")); /* the signed text, as is */
	struct lerr e = {0};
	if (!note)
		note = "";
	if (out && fio_write_file(out, note, strlen(note), 0644, force, &e) < 0) {
		json_decref(o);
		return cli_error(c, &e);
	}
	if (c->json)
		return cli_emit_to(cli_answers(out), o);
	if (!out)
		fputs(note, stdout);
	else
		fprintf(cli_answers(out), "checkpoint of %s at size %" PRIu64 " written to %s\n",
			cli_str(o, "origin"), num(o, "size"), out);
	json_decref(o);
	return EXIT_OK;
}

/* One entry a line: its JSON text, or a withheld one's object. */
static int print_entry(const struct cli *c, const json_t *x)
{
	const char *data = json_string_value(json_object_get(x, "data"));
	if (!data) {
		char *line = json_dumps(x, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!line)
			return cli_failf(c, LERR_NOMEM, "out of memory");
		printf("%s\n", line);
		free(line);
		return EXIT_OK;
	}
	size_t len = strlen(data), got = 0;
	uint8_t *bin = malloc(len + 1);
	char *shown = malloc(6 * len + 1);
	if (!bin || !shown) {
		free(bin);
		free(shown);
		return cli_failf(c, LERR_NOMEM, "out of memory");
	}
	int r = sodium_base642bin(bin, len + 1, data, len, NULL, &got, NULL,
				  sodium_base64_VARIANT_ORIGINAL);
	/* a peer's words in an entry (a note refused, a checkpoint) show as
	 * escapes where a terminal would act on them: the same JSON */
	if (r == 0)
		puts(text_json_shown((const char *)bin, got, shown));
	free(bin);
	free(shown);
	return r == 0 ? EXIT_OK
		      : cli_failf(c, LERR_IO, "log entry %" PRIu64 ": its data is not base64",
				  num(x, "index"));
}

#define ENTRIES_PAGE 1000 /* the daemon's page, and the node's read at a time */

/* One page of entries from `from` (to `to`, or the end when !has_to): the
 * node's view or the daemon's answer. */
static int entries_page(const struct cli *c, struct node *n, uint64_t from, uint64_t to,
			bool has_to, json_t **page)
{
	struct lerr e = {0};
	long status;
	if (!c->remote)
		return view_log_entries(n, NULL, from, has_to ? to : UINT64_MAX, ENTRIES_PAGE, page,
					&e) < 0
			   ? cli_error(c, &e)
			   : EXIT_OK;
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/log/entries", NULL, NULL);
	query_num(&rq, "from", from);
	if (has_to)
		query_num(&rq, "to", to);
	return remote_call(c, &rq, page, &status);
}

/*
 * The entries from..to (has_to false: to the end), a page at a time: each
 * page printed (text) or gathered into *out (JSON: the first page's
 * answer, with every page's entries and the last page's "to").
 */
static int entries(const struct cli *c, struct node *n, uint64_t from, uint64_t to, bool has_to,
		   json_t **out)
{
	json_t *page = NULL;
	int r = EXIT_OK;
	*out = NULL;
	do {
		if ((r = entries_page(c, n, from, to, has_to, &page)) != EXIT_OK)
			break;
		uint64_t got = num(page, "to"), size = num(page, "size");
		const json_t *list = json_object_get(page, "entries");
		for (size_t i = 0; !c->json && r == EXIT_OK && i < json_array_size(list); i++)
			r = print_entry(c, json_array_get(list, i));
		if (!c->json)
			json_decref(page);
		else if (!*out)
			*out = page;
		else {
			json_array_extend(json_object_get(*out, "entries"),
					  json_object_get(page, "entries"));
			json_object_set(*out, "to", json_object_get(page, "to"));
			json_decref(page);
		}
		if (!has_to) { /* to the end the first page saw */
			to = size;
			has_to = true;
		}
		if (got <= from) /* no progress: what was answered is all there is */
			break;
		from = got;
	} while (r == EXIT_OK && from < to);
	if (r != EXIT_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return r;
}

static int do_entries(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *from = NULL, *to = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("from", &from), OPT_VAL("to", &to), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	uint64_t a = 0, b = UINT64_MAX;
	if (r != EXIT_OK ||
	    (from && (r = cli_count(c, "--from", from, 0, UINT64_MAX, &a)) != EXIT_OK) ||
	    (to && (r = cli_count(c, "--to", to, 0, UINT64_MAX, &b)) != EXIT_OK))
		return r;
	json_t *o = NULL;
	if ((r = entries(c, n, a, b, to != NULL, &o)) != EXIT_OK)
		return r;
	return c->json ? cli_emit(o) : EXIT_OK;
}

/*
 * Parses --REQ N (required) and --OPT M (*has_b false when not given: the
 * log's size) of `log CMD`, both whole numbers.
 */
static int two_counts(const struct cli *c, int argc, char **argv, const char *cmd, const char *req,
		      const char *opt, uint64_t *a, uint64_t *b, bool *has_b)
{
	const char *va = NULL, *vb = NULL, *pos[1];
	char fa[32], fb[32];
	int np;
	const struct cli_opt opts[] = {OPT_VAL(req, &va), OPT_VAL(opt, &vb), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	if (!va)
		return cli_bad_usagef(c, "log %s: --%s is required", cmd, req);
	snprintf(fa, sizeof fa, "--%s", req);
	snprintf(fb, sizeof fb, "--%s", opt);
	*b = UINT64_MAX;
	*has_b = vb != NULL;
	if ((r = cli_count(c, fa, va, 0, UINT64_MAX, a)) != EXIT_OK ||
	    (vb && (r = cli_count(c, fb, vb, 0, UINT64_MAX, b)) != EXIT_OK))
		return r;
	return EXIT_OK;
}

/* The query of a proof's request: req=a and, when given, opt=b. */
static void proof_req(struct remote_req *rq, const char *path, const char *req, uint64_t a,
		      const char *opt, uint64_t b, bool has_b)
{
	remote_path(rq, path, NULL, NULL);
	query_num(rq, req, a);
	if (has_b)
		query_num(rq, opt, b);
}

static void print_proof(const json_t *o)
{
	const json_t *h;
	size_t k;
	json_array_foreach (json_object_get(o, "proof"), k, h)
		printf("proof %2zu  %s\n", k, json_string_value(h));
}

static int do_prove(const struct cli *c, struct node *n, int argc, char **argv)
{
	uint64_t i, size;
	bool has_size;
	int r = two_counts(c, argc, argv, "prove", "index", "size", &i, &size, &has_size);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	proof_req(&rq, "/v1/log/proof", "index", i, "size", size, has_size);
	if ((r = remote_answer(c, n ? view_log_proof(n, i, size, &o, &e) : 0, &e, &rq, &o)) !=
	    EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	printf("entry %" PRIu64 " in the tree of %" PRIu64 " entries\nleaf hash %s\nroot      %s\n",
	       num(o, "index"), num(o, "size"), cli_str(o, "leaf_hash"), cli_str(o, "root"));
	print_proof(o);
	json_decref(o);
	return EXIT_OK;
}

static int do_consistency(const struct cli *c, struct node *n, int argc, char **argv)
{
	uint64_t a, b;
	bool has_b;
	int r = two_counts(c, argc, argv, "consistency", "from", "to", &a, &b, &has_b);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	proof_req(&rq, "/v1/log/consistency", "from", a, "to", b, has_b);
	if ((r = remote_answer(c, n ? view_log_consistency(n, a, b, &o, &e) : 0, &e, &rq, &o)) !=
	    EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	printf("from %" PRIu64 " (root %s)\nto   %" PRIu64 " (root %s)\n", num(o, "from"),
	       cli_str(o, "first_root"), num(o, "to"), cli_str(o, "second_root"));
	print_proof(o);
	json_decref(o);
	return EXIT_OK;
}

/* "log verified: ..." and what it was checked against, from a verify answer that is ok. */
static void print_verified(const json_t *o)
{
	const json_t *cp = json_object_get(o, "checkpoint"), *given = json_object_get(o, "given");
	printf("log verified: %" PRIu64 " entries, %" PRIu64 " subtree hashes recomputed\n",
	       num(o, "entries"), num(o, "hashes"));
	if (json_is_object(cp))
		printf("latest checkpoint kept (size %" PRIu64
		       ") is signed by %s and matches the tree\n",
		       num(cp, "size"), cli_str(cp, "origin"));
	if (json_is_object(given))
		printf("the checkpoint given (size %" PRIu64
		       ") is signed by %s and matches the tree\n",
		       num(given, "size"), cli_str(given, "origin"));
	else
		printf("%s.\nIts entries and hashes agree with each other, as they would after a\n"
		       "rewrite of both: to know the log was not rewritten or cut short, check\n"
		       "it against a checkpoint kept elsewhere (a peer's copy, one saved before):\n"
		       "  liaison log verify --checkpoint FILE\n",
		       json_is_object(cp)
			   ? "Checked only against this node's own records"
			   : "Nothing to check the log against (no checkpoint kept)");
}

static int read_note(const struct cli *c, const char *file, char **text);

static int do_verify(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1], *file = NULL;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("checkpoint", &file), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	char *given = NULL;
	if (file && (r = read_note(c, file, &given)) != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/log/verify", NULL, NULL);
	remote_query(&rq, "checkpoint", given);
	r = remote_answer(c, n ? view_log_verify(n, given, &o, &e) : 0, &e, &rq, &o);
	free(given);
	if (r != EXIT_OK)
		return r;
	bool ok = json_is_true(json_object_get(o, "ok"));
	if (c->json)
		return (r = cli_emit(o)) != EXIT_OK ? r : ok ? EXIT_OK : EXIT_FAIL;
	if (ok)
		print_verified(o);
	else /* the problem, as an error: exit 1 */
		r = cli_failf(c, LERR_AUTH, "%s", cli_str(o, "problem"));
	json_decref(o);
	return r;
}

/* The peers whose log raised an alarm: exit 1 while any stands. */
static int do_alarms(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int np;
	const struct cli_opt opts[] = {{0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL, *p;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/log/alarms", NULL, NULL);
	if ((r = remote_answer(c, n ? view_log_alarms(n, &o, &e) : 0, &e, &rq, &o)) != EXIT_OK)
		return r;
	size_t i, count = json_array_size(json_object_get(o, "alarms"));
	if (c->json)
		return (r = cli_emit(o)) != EXIT_OK ? r : count ? EXIT_FAIL : EXIT_OK;
	json_array_foreach (json_object_get(o, "alarms"), i, p) {
		const char *text = cli_str(p, "alarm");
		printf("%s: %s%s\n", cli_str(p, "party"),
		       strncmp(text, "ALARM", 5) ? "ALARM: " : "", text);
	}
	if (!count)
		printf("no peer's log raised an alarm\n");
	json_decref(o);
	return count ? EXIT_FAIL : EXIT_OK;
}

/* Reads a proof file: the JSON of `log consistency --json`. */
static int read_proof(const struct cli *c, const char *file,
		      uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], size_t *np)
{
	json_error_t je;
	json_t *o = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return cli_bad_usagef(c, "%s:%d:%d: %s", file, je.line, je.column, je.text);
	struct lerr e = {0};
	int r = node_proof_decode(json_object_get(o, "proof"), "proof", path, np, &e);
	json_decref(o);
	return r < 0 ? cli_bad_usagef(c, "%s: %s", file, e.msg) : EXIT_OK;
}

static int read_note(const struct cli *c, const char *file, char **text)
{
	size_t n;
	struct lerr e = {0};
	if (fio_read_file(file, NOTE_MAX - 1, text, &n, &e) < 0)
		return cli_error(c, &e);
	return EXIT_OK;
}

static int do_witness(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *proof = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("proof", &proof), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	char *note = NULL;
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH];
	size_t npath = 0;
	if ((r = read_note(c, pos[0], &note)) != EXIT_OK)
		return r;
	if (proof && (r = read_proof(c, proof, path, &npath)) != EXIT_OK) {
		free(note);
		return r;
	}
	struct witness_report rep;
	struct lerr e = {0};
	int res = node_witness(n, note, proof ? (const uint8_t(*)[MERKLE_HASH])path : NULL, npath,
			       (int64_t)time(NULL), &rep, &e);
	free(note);
	if (res < 0)
		return cli_error(c, &e);
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

static const struct cli_sub subs[] = {
    {"checkpoint", do_checkpoint, true, "checkpoint [-o FILE [--force]]",
     "Sign the tree head now (C2SP tlog-checkpoint, Ed25519 signed\n"
     "note under the origin liaison/PARTY) and keep it.\n"},
    {"entries", do_entries, true, "entries [--from N] [--to M]",
     "The entries N to M-1 (default: all), one JSON text per line;\n"
     "--json gives each as base64 with its index.\n"},
    {"prove", do_prove, true, "prove --index I [--size N]",
     "The inclusion proof of entry I in the tree of N entries\n"
     "(default: the whole log), with the leaf hash and the root.\n"},
    {"consistency", do_consistency, true, "consistency --from N [--to M]",
     "The consistency proof from size N to size M (default: now).\n"},
    {"verify", do_verify, true, "verify [--checkpoint FILE]",
     "Recompute every hash from the entries and check the latest\n"
     "checkpoint kept; exit 1 naming the first entry that does not\n"
     "match. With --checkpoint, also that the log still holds the\n"
     "tree of FILE, a checkpoint of this node kept elsewhere (a\n"
     "peer's copy, one saved before): without one, a log rewritten\n"
     "or cut short with its checkpoints cannot be told, and it says so.\n"},
    {"alarms", do_alarms, true, "alarms",
     "The peers whose log raised an alarm (two roots signed for one\n"
     "size, or a tree that did not extend the one kept here), with\n"
     "what was seen; exit 1 while any stands (peer clear-alarm).\n"},
    {"witness", do_witness, false, "witness CHECKPOINT [--proof FILE]",
     "Check a peer's checkpoint: its signature (the party's key, from\n"
     "liaison party key) and, with --proof (the peer's `log\n"
     "consistency --json`), that it extends the latest one kept\n"
     "here; a smaller or inconsistent one is refused. Another root for\n"
     "a size kept here is an ALARM (a peer's alarm is raised): the\n"
     "peer's own signed words, whoever gave them.\n"},
};

static int run_log(struct cli *c)
{
	return cli_dispatch(c, &cmd_log);
}

const struct cli_command cmd_log = {
    "log",
    run_log,
    "the transparency log and its proofs",
    "Every act of the node (configuration, agreement events, people, keys,\n"
    "items shared, imported, released, copied, downgraded, destroyed, consents,\n"
    "compromise reports, licences, and every decision it enforces) is an entry of an\n"
    "RFC 9162 Merkle tree, stored with the act in one transaction.\n",
    subs,
    sizeof subs / sizeof subs[0],
    "Through a daemon (liaison login) all but witness work, with the same\n"
    "answers: entries, prove, consistency, verify and alarms as an auditor (an entry\n"
    "about an item beyond them is withheld: its index and leaf hash only);\n"
    "checkpoint as anyone, signed by the daemon.\n"
    "\n"
    "Hashes are base64 (as in checkpoints). docs/log.md has every format.\n",
};
