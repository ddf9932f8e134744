/*
 * cmd_item.c - liaison item (share, list, show, get, release, import,
 * reproduce, translate, downgrade, destroy, report-compromise), liaison
 * access check and liaison consent.
 *
 * On the node's folder the operator enters each act for a person (--by);
 * through a daemon (remote.h) the act is the token's person's. Either way
 * the answer is the same JSON object, and the text is printed from it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../crypto/fio.h"
#include "../node/acts.h"
#include "../node/encode.h"
#include "../node/exchange.h"
#include "../node/items.h"
#include "../node/peer.h"
#include "../node/views.h"
#include "cli.h"
#include "remote.h"

/* A denial with its decision, or the error. */
static int act_failed(const struct cli *c, int r, const struct lerr *e, const struct decision *d,
		      const char *person, const char *item)
{
	return r == LERR_DENIED ? cli_denied(c, view_denied(e, d, person, item)) : cli_error(c, e);
}

/* The daemon's answer to rq: EXIT_OK with *o (NULL for a download). */
static int ask(const struct cli *c, struct remote_req *rq, json_t **o)
{
	long status;
	return remote_call(c, rq, o, &status);
}

/* The consent a daemon's release answered with (PEER_H_CONSENT: base64),
 * written 0600 to file, as the node's own release writes it. */
static int consent_beside(const struct cli *c, const char *b64, const char *file, bool force)
{
	char *doc = malloc(NODE_CONSENT_MAX);
	size_t len = 0;
	struct lerr e = {0};
	int r = doc ? 0 : lerr_set(&e, LERR_NOMEM, "out of memory");
	if (r == 0 && (sodium_base642bin((uint8_t *)doc, NODE_CONSENT_MAX, b64, strlen(b64), NULL,
					 &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0))
		r = lerr_set(&e, LERR_IO,
			     "the daemon answered with a %s that is not base64 of a consent: the "
			     "release is recorded, its consent not written",
			     PEER_H_CONSENT);
	if (r == 0)
		r = fio_write_file(file, doc, len, 0600, force, &e);
	free(doc);
	return r < 0 ? cli_error(c, &e) : EXIT_OK;
}

/* What an act on this node that makes an item needs and gives. */
struct made {
	const void *arg; /* the act's request */
	struct key_secret k;
	struct store_item it;
	struct label l;
	struct lerr e;
};

static int share_act(struct node *n, struct made *m)
{
	return node_item_share(n, m->arg, &m->k, &m->it, &m->l, &m->e);
}

/* import_act's request: the envelope, and the consent that came with it */
struct import_files {
	const char *file;
	const char *consent; /* the document's bytes, or NULL */
	size_t consent_len;
};

static int import_act(struct node *n, struct made *m)
{
	const struct import_files *f = m->arg;
	return node_item_import(n, f->file, f->consent, f->consent_len, &m->k, &m->it, &m->l,
				&m->e);
}

/*
 * Runs act (share_act, import_act) on arg with the node's keys, wiped after,
 * and answers the item it made as GET /v1/items/{id} does, into *o. Its
 * error is shown; LERR_INVAL is a usage error when from_args (the options
 * were wrong; else the file was).
 */
static int make_item(const struct cli *c, struct node *n, int (*act)(struct node *, struct made *),
		     const void *arg, bool from_args, json_t **o)
{
	struct made m = {.arg = arg};
	int r = cli_node_key(c, n, &m.k);
	if (r != EXIT_OK)
		return r;
	r = act(n, &m);
	key_secret_free(&m.k);
	if (r < 0)
		return r == LERR_INVAL && from_args ? cli_bad_usage(c, &m.e) : cli_error(c, &m.e);
	*o = encode_item(&m.it, &m.l, n->party);
	store_item_free(&m.it);
	return *o ? EXIT_OK : cli_failf(c, LERR_NOMEM, "out of memory");
}

static int do_share(const struct cli *c, struct node *n, int argc, char **argv)
{
	struct item_share rq = {0};
	const char *rel[LABEL_LIST_MAX], *pur[LABEL_LIST_MAX], *cav[LABEL_LIST_MAX], *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("by", &rq.by),
				       OPT_VAL("level", &rq.level),
				       OPT_VAL("title", &rq.title),
				       OPT_MANY("releasable", rel, &rq.nreleasable, LABEL_LIST_MAX),
				       OPT_VAL("ntk", &rq.ntk),
				       OPT_MANY("purpose", pur, &rq.npurposes, LABEL_LIST_MAX),
				       OPT_MANY("caveat", cav, &rq.ncaveats, LABEL_LIST_MAX),
				       OPT_VAL("export-entry", &rq.export_entry),
				       OPT_FLAG("revocable", &rq.revocable),
				       {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	if (!rq.level || !rq.title)
		return cli_bad_usagef(c, "item share: --level and --title are required");
	if ((r = remote_acting(c, "item share", "--by", &rq.by)) != EXIT_OK)
		return r;
	rq.file = pos[0];
	rq.releasable = rel;
	rq.purposes = pur;
	rq.caveats = cav;
	json_t *o = NULL;
	if (c->remote) {
		struct remote_req h = {.method = "POST", .upload = rq.file};
		remote_path(&h, "/v1/items", NULL, NULL);
		remote_query(&h, "level", rq.level);
		remote_query(&h, "title", rq.title);
		for (size_t i = 0; i < rq.nreleasable; i++)
			remote_query(&h, "releasable", rel[i]);
		remote_query(&h, "ntk", rq.ntk);
		for (size_t i = 0; i < rq.npurposes; i++)
			remote_query(&h, "purpose", pur[i]);
		for (size_t i = 0; i < rq.ncaveats; i++)
			remote_query(&h, "caveat", cav[i]);
		remote_query(&h, "export_entry", rq.export_entry);
		remote_query(&h, "revocable", rq.revocable ? "true" : NULL);
		if ((r = ask(c, &h, &o)) != EXIT_OK)
			return r;
	} else if ((r = make_item(c, n, share_act, &rq, true, &o)) != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	printf("%s\n", cli_str(o, "id"));
	json_decref(o);
	return EXIT_OK;
}

/* What item list narrows the list to: the options as given, and f made of them. */
struct list_filter {
	const char *level, *originator, *from, *to, *ntk, *title;
	date_t from_d, to_d;
	struct item_filter f;
};

/* Appends s to buf (size bytes, *len used) as a shell reads it back: as it
 * is when plain, else in single quotes (a quote in it as '\''). */
static void shell_word(char *buf, size_t size, size_t *len, const char *s)
{
	bool plain = s[0] && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789-_.:/") == strlen(s);
	for (const char *p = plain ? s : "'"; *len + 5 < size && *p; p++)
		buf[(*len)++] = *p;
	for (const char *p = s; !plain && *len + 5 < size && *p; p++)
		if (*p == '\'') {
			memcpy(buf + *len, "'\\''", 4);
			*len += 4;
		} else
			buf[(*len)++] = *p;
	if (!plain && *len + 1 < size)
		buf[(*len)++] = '\'';
	buf[*len] = '\0';
}

/* The options of lf as written (" --level II --title 'a launch'"), into buf. */
static void filter_options(const struct list_filter *lf, char *buf, size_t size)
{
	const char *names[] = {" --level ", " --originator ", " --from ",
			       " --to ",    " --ntk ",	      " --title "};
	const char *values[] = {lf->level, lf->originator, lf->from, lf->to, lf->ntk, lf->title};
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (values[i] && len + strlen(names[i]) + 5 < size) {
			memcpy(buf + len, names[i], strlen(names[i]) + 1);
			len += strlen(names[i]);
			shell_word(buf, size, &len, values[i]);
		}
}

/* A page of items from after (NULL: the first), narrowed by lf: appended to
 * all (JSON) or printed a line each; the next page's cursor into next ("" at
 * the end). */
static int list_page(const struct cli *c, struct node *n, const struct list_filter *lf,
		     const char *after, size_t limit, json_t *all, char next[LABEL_WORD_MAX])
{
	json_t *o = NULL, *it;
	size_t i;
	int r;
	if (c->remote) {
		char lim[24];
		struct remote_req h = {.method = "GET"};
		snprintf(lim, sizeof lim, "%zu", limit);
		remote_path(&h, "/v1/items", NULL, NULL);
		remote_query(&h, "limit", lim);
		remote_query(&h, "after", after);
		remote_query(&h, "level", lf->level);
		remote_query(&h, "originator", lf->originator);
		remote_query(&h, "from", lf->from);
		remote_query(&h, "to", lf->to);
		remote_query(&h, "ntk", lf->ntk);
		remote_query(&h, "q", lf->title);
		if ((r = ask(c, &h, &o)) != EXIT_OK)
			return r;
	} else {
		struct lerr e = {0};
		if (view_items(n, NULL, &lf->f, after, limit, &o, &e) < 0)
			return cli_error(c, &e);
	}
	json_array_foreach (json_object_get(o, "items"), i, it) {
		const json_t *m = json_object_get(it, "marking"),
			     *lm = json_object_get(it, "local_marking");
		if (all)
			json_array_append(all, it);
		else
			printf("%-24s %s %-8s (%s %-8s) %s\n", cli_str(it, "id"),
			       cli_str(m, "party"), cli_str(m, "level"), cli_str(lm, "party"),
			       cli_str(lm, "level"),
			       cli_str(json_object_get(it, "label"), "title"));
	}
	str_copy(next, LABEL_WORD_MAX, cli_str(o, "next"));
	json_decref(o);
	return EXIT_OK;
}

static int do_list(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1], *after = NULL, *limit_s = NULL;
	struct list_filter lf = {0};
	int np;
	const struct cli_opt opts[] = {OPT_VAL("after", &after),
				       OPT_VAL("limit", &limit_s),
				       OPT_VAL("level", &lf.level),
				       OPT_VAL("originator", &lf.originator),
				       OPT_VAL("from", &lf.from),
				       OPT_VAL("to", &lf.to),
				       OPT_VAL("ntk", &lf.ntk),
				       OPT_VAL("title", &lf.title),
				       {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	uint64_t limit = 0;
	if (limit_s && (r = cli_count(c, "--limit", limit_s, 1, ITEMS_PAGE_MAX, &limit)) != EXIT_OK)
		return r;
	/* the dates are checked here, for the node and for a daemon alike */
	if ((lf.from && (r = cli_date(c, "--from", lf.from, &lf.from_d)) != EXIT_OK) ||
	    (lf.to && (r = cli_date(c, "--to", lf.to, &lf.to_d)) != EXIT_OK))
		return r;
	lf.f = (struct item_filter){.level = lf.level,
				    .originator = lf.originator,
				    .from = lf.from ? &lf.from_d : NULL,
				    .to = lf.to ? &lf.to_d : NULL,
				    .ntk = lf.ntk,
				    .q = lf.title};
	char next[LABEL_WORD_MAX] = "";
	json_t *all = c->json ? json_array() : NULL;
	if (limit) { /* one page, and where the next starts */
		r = list_page(c, n, &lf, after, (size_t)limit, all, next);
		if (r == EXIT_OK && !all && next[0]) {
			char shown[1024];
			filter_options(&lf, shown, sizeof shown);
			fprintf(stderr,
				"more: liaison item list%s --after %s --limit %" PRIu64 "\n", shown,
				next, limit);
		}
	} else { /* every item from `after` on, a page at a time */
		do
			r = list_page(c, n, &lf, next[0] ? next : after, ITEMS_PAGE_MAX, all, next);
		while (r == EXIT_OK && next[0]);
	}
	if (r != EXIT_OK || !all) {
		json_decref(all);
		return r;
	}
	return cli_emit(json_pack("{s:o, s:o}", "items", all, "next",
				  next[0] ? json_string(next) : json_null()));
}

/* The item with this id: the node's view, or the daemon's. */
static int item_view(const struct cli *c, struct node *n, const char *id, json_t **o)
{
	if (c->remote) {
		struct remote_req h = {.method = "GET"};
		remote_path(&h, "/v1/items/", id, NULL);
		return ask(c, &h, o);
	}
	struct lerr e = {0};
	return view_item(n, NULL, id, o, &e) < 0 ? cli_error(c, &e) : EXIT_OK;
}

static int do_show(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int r = cli_words(c, argc, argv, pos, 1);
	json_t *o = NULL, *p;
	if (r != EXIT_OK || (r = item_view(c, n, pos[0], &o)) != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	const json_t *l = json_object_get(o, "label"), *m = json_object_get(o, "marking"),
		     *lm = json_object_get(o, "local_marking");
	size_t i;
	printf("item %s: %s\n  marking: %s %s; here: %s %s\n", cli_str(o, "id"),
	       cli_str(l, "title"), cli_str(m, "party"), cli_str(m, "level"), cli_str(lm, "party"),
	       cli_str(lm, "level"));
	printf("  releasable to:");
	json_array_foreach (json_object_get(l, "releasable_to"), i, p)
		printf(" %s", json_string_value(p));
	printf("\n  need to know: %s\n", cli_str(l, "ntk")[0] ? cli_str(l, "ntk") : "none");
	if (json_is_true(json_object_get(o, "foreign")))
		printf("  received %s from %s\n", cli_str(o, "received"), cli_str(o, "sender"));
	printf("  %lld bytes, stored %s%s%s\n",
	       (long long)json_integer_value(json_object_get(o, "size")), cli_str(o, "stored_on"),
	       json_object_get(o, "destroyed_on") ? ", destroyed " : "",
	       cli_str(o, "destroyed_on"));
	json_decref(o);
	return EXIT_OK;
}

/* The payload, decided for download and decrypted locally into o. */
static int get_local(const struct cli *c, struct node *n, const struct decide_args *a,
		     const char *out, bool force, uint64_t *bytes)
{
	struct decision d;
	struct lerr e = {0};
	int r = node_enforce(n, a, &d, &e);
	if (r < 0)
		return act_failed(c, r, &e, &d, a->person, a->item);
	struct key_secret k;
	if ((r = cli_node_key(c, n, &k)) != EXIT_OK)
		return r;
	struct fio_out o;
	if ((r = fio_begin(&o, out, 0600, force, &e)) == 0) {
		/* a file -o names is synced at its commit; standard output not */
		r = node_item_open(n, a->item, &k, o.fd, !o.std, bytes, &e);
		if (r < 0)
			fio_abort(&o);
		else
			r = fio_commit(&o, &e);
	}
	key_secret_free(&k);
	return r < 0 ? cli_error(c, &e) : EXIT_OK;
}

static int do_get(const struct cli *c, struct node *n, int argc, char **argv)
{
	struct decide_args a = {.action = ACT_DOWNLOAD};
	const char *out = NULL, *pos[1];
	bool force = false;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("by", &a.person),
				       OPT_VAL("purpose", &a.purpose),
				       {.name = "output", .val = &out, .letter = 'o'},
				       OPT_FLAG("force", &force),
				       {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	if (!out)
		return cli_bad_usagef(c, "item get: -o OUT is required");
	if ((r = remote_acting(c, "item get", "--by", &a.person)) != EXIT_OK)
		return r;
	a.item = pos[0];
	uint64_t bytes = 0;
	if (c->remote) {
		struct remote_req h = {.method = "GET", .download = out, .force = force};
		json_t *none;
		remote_path(&h, "/v1/items/", a.item, "/content");
		remote_query(&h, "purpose", a.purpose);
		r = ask(c, &h, &none);
		bytes = h.bytes;
	} else {
		a.date = n->clock.today;
		r = get_local(c, n, &a, out, force, &bytes);
	}
	if (r != EXIT_OK)
		return r;
	FILE *f = cli_answers(out);
	if (c->json)
		return cli_emit_to(f, json_pack("{s:s, s:s, s:I}", "item", a.item, "output", out,
						"bytes", (json_int_t)bytes));
	fprintf(f, "item %s: %llu bytes in %s\n", a.item, (unsigned long long)bytes, out);
	return EXIT_OK;
}

static int do_release(const struct cli *c, struct node *n, int argc, char **argv)
{
	struct release_args a = {0};
	char consent_file[NODE_PATH_MAX + 16] = "";
	const char *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("to", &a.to),
				       OPT_VAL("by", &a.by),
				       {.name = "output", .val = &a.out, .letter = 'o'},
				       OPT_FLAG("force", &a.force),
				       {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	if (!a.to)
		return cli_bad_usagef(c, "item release: --to PARTY is required");
	if ((r = remote_acting(c, "item release", "--by", &a.by)) != EXIT_OK)
		return r;
	a.item = pos[0];
	/* an item passed on: its originator's consent beside the file */
	const bool beside = a.out && !fio_is_std(a.out);
	if (beside)
		snprintf(consent_file, sizeof consent_file, "%s.consent.json", a.out);
	if (c->remote) {
		struct remote_req h = {.method = "POST", .download = a.out, .force = a.force};
		json_t *o = NULL;
		/* the daemon records the release before it answers: a consent file
		 * in the way is refused before asking, as the node's own release does */
		struct stat sb; /* the name itself, a dangling link included */
		if (beside && !a.force && lstat(consent_file, &sb) == 0)
			return cli_failf(
			    c, LERR_EXISTS,
			    "%s already exists (--force replaces it): the consent of an "
			    "item passed on goes there",
			    consent_file);
		remote_path(&h, "/v1/items/", a.item, "/release");
		h.body = json_pack("{s:s, s:b}", "to", a.to, "send", !a.out);
		r = ask(c, &h, &o);
		json_decref(h.body);
		json_decref(o);
		if (r == EXIT_OK && beside && h.consent_back)
			r = consent_beside(c, h.consent_back, consent_file, a.force);
		else
			consent_file[0] = '\0';
		free(h.consent_back);
	} else {
		struct key_secret k;
		struct decision d = {0};
		struct lerr e = {0};
		if ((r = cli_node_key(c, n, &k)) != EXIT_OK)
			return r;
		bool wrote = false;
		if (beside) {
			a.consent_out = consent_file;
			a.consent_written = &wrote;
		}
		r = node_item_release(n, &a, &k, &d, &e);
		key_secret_free(&k);
		if (!wrote)
			consent_file[0] = '\0';
		r = r < 0 ? act_failed(c, r, &e, &d, a.by, a.item) : EXIT_OK;
	}
	if (r != EXIT_OK)
		return r;
	FILE *f = cli_answers(a.out);
	if (c->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "item", a.item, "to", a.to, "by",
				      a.by, a.out ? "output" : "via", a.out ? a.out : "outbox");
		if (o && consent_file[0])
			json_object_set_new(o, "consent", json_string(consent_file));
		return cli_emit_to(f, o);
	}
	if (a.out && consent_file[0])
		fprintf(f,
			"released item %s to %s: %s, with its originator's consent in %s (item "
			"import %s --consent %s)\n",
			a.item, a.to, a.out, consent_file, a.out, consent_file);
	else if (a.out)
		fprintf(f, "released item %s to %s: %s\n", a.item, a.to, a.out);
	else
		printf("released item %s to %s: queued for its node (liaison peer outbox)\n",
		       a.item, a.to);
	return EXIT_OK;
}

static int do_import(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1], *consent = NULL;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("consent", &consent), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	struct import_files f = {.file = pos[0]};
	struct lerr e = {0};
	char *text = NULL;
	if (consent && fio_read_file(consent, NODE_CONSENT_MAX, &text, &f.consent_len, &e) < 0)
		return cli_bad_usage(c, &e);
	f.consent = text;
	json_t *o = NULL;
	if (c->remote) {
		struct remote_req h = {.method = "POST",
				       .upload = pos[0],
				       .consent = text,
				       .consent_len = f.consent_len};
		remote_path(&h, "/v1/items/import", NULL, NULL);
		r = ask(c, &h, &o);
	} else
		r = make_item(c, n, import_act, &f, false, &o);
	free(text);
	if (r != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	const json_t *m = json_object_get(o, "marking"), *lm = json_object_get(o, "local_marking");
	printf("imported item %s from %s: %s %s, marked %s %s here\n", cli_str(o, "id"),
	       cli_str(o, "sender"), cli_str(m, "party"), cli_str(m, "level"), cli_str(lm, "party"),
	       cli_str(lm, "level"));
	json_decref(o);
	return EXIT_OK;
}

/* The answer to an act on the node: the new or changed item, or the
 * destroyed one's record (as the daemon answers). */
static int act_local(const struct cli *c, struct node *n, const char *verb, struct act_args *a,
		     json_t **o)
{
	bool destroy = strcmp(verb, "destroy") == 0,
	     report = strcmp(verb, "report-compromise") == 0,
	     downgrade = strcmp(verb, "downgrade") == 0;
	struct key_secret k = {0};
	struct decision d = {0};
	struct store_item copy = {0};
	struct lerr e = {0};
	int r;
	if (!destroy && (r = cli_node_key(c, n, &k)) != EXIT_OK)
		return r;
	if (destroy)
		r = node_item_destroy(n, a, &d, &e);
	else if (report)
		r = node_item_report(n, a, &k, &d, &e);
	else if (downgrade)
		r = node_item_downgrade(n, a, &k, &d, &e);
	else
		r = node_item_copy(n, a, &k, &copy, &d, &e);
	key_secret_free(&k);
	if (r < 0)
		return act_failed(c, r, &e, &d, a->by, a->item);
	if (destroy)
		*o = encode_destroyed(a->item, n->clock.today);
	else if (report)
		*o = encode_report_sent(a->item, a->by, a->out);
	else if (view_item(n, NULL, copy.id[0] ? copy.id : a->item, o, &e) < 0)
		return cli_error(c, &e);
	return EXIT_OK;
}

/* The same act through the daemon. */
static int act_remote(const struct cli *c, const char *verb, const struct act_args *a, json_t **o)
{
	bool report = strcmp(verb, "report-compromise") == 0;
	struct remote_req h = {
	    .method = "POST", .download = report ? a->out : NULL, .force = a->force};
	char rest[32];
	snprintf(rest, sizeof rest, "/%s", verb);
	remote_path(&h, "/v1/items/", a->item, rest);
	if (strcmp(verb, "translate") == 0) {
		h.upload = a->file;
		remote_query(&h, "purpose", a->purpose);
	} else if (strcmp(verb, "reproduce") == 0)
		h.body = a->purpose ? json_pack("{s:s}", "purpose", a->purpose) : json_object();
	else if (strcmp(verb, "downgrade") == 0)
		h.body = json_pack("{s:s}", "level", a->level);
	else if (report)
		h.body = json_pack("{s:s, s:b}", "details", a->details, "send", !a->out);
	int r = ask(c, &h, o);
	json_decref(h.body);
	if (r == EXIT_OK && report && a->out) /* the report went to the file */
		*o = encode_report_sent(a->item, a->by, a->out);
	return r;
}

/* reproduce, translate, downgrade, destroy, report-compromise: decide, act, or show the DENY. */
static int do_act(const struct cli *c, struct node *n, int argc, char **argv)
{
	struct act_args a = {0};
	const char *pos[1];
	const char *verb = argv[0];
	int np;
	const struct cli_opt opts[] = {
	    OPT_VAL("by", &a.by),	 OPT_VAL("purpose", &a.purpose),
	    OPT_VAL("file", &a.file),	 OPT_VAL("details", &a.details),
	    OPT_VAL("level", &a.level),	 {.name = "output", .val = &a.out, .letter = 'o'},
	    OPT_FLAG("force", &a.force), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	bool translate = strcmp(verb, "translate") == 0, destroy = strcmp(verb, "destroy") == 0,
	     report = strcmp(verb, "report-compromise") == 0,
	     downgrade = strcmp(verb, "downgrade") == 0;
	char cmd[48];
	snprintf(cmd, sizeof cmd, "item %s", verb);
	if ((translate && !a.file) || (report && !a.details) || (downgrade && !a.level))
		return cli_bad_usagef(c, "item %s: missing option (see --help)", verb);
	if ((r = remote_acting(c, cmd, "--by", &a.by)) != EXIT_OK)
		return r;
	if (!translate)
		a.file = NULL;
	a.item = pos[0];
	json_t *o = NULL;
	r = c->remote ? act_remote(c, verb, &a, &o) : act_local(c, n, verb, &a, &o);
	if (r != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit_to(cli_answers(a.out), o);
	if (destroy)
		printf("item %s destroyed: its sealed payload is erased, its record kept\n",
		       a.item);
	else if (report)
		fprintf(cli_answers(a.out),
			"compromise of item %s reported for the originator: %s\n", a.item,
			a.out ? a.out : "queued for its node (liaison peer outbox)");
	else if (downgrade)
		printf("item %s is now %s\n", a.item,
		       cli_str(json_object_get(o, "marking"), "level"));
	else
		printf("%s\n", cli_str(o, "id"));
	json_decref(o);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
    {"share", do_share, true,
     "share FILE --by PERSON --level CODE --title TEXT\n"
     "                          [--releasable PARTY ...] [--ntk GROUP] [--purpose P ...]\n"
     "                          [--caveat C ...] [--export-entry E] [--revocable]",
     "Stores FILE as a new item of this node's party, sealed (to the node's\n"
     "own keys) in the blob store, and prints its id. The person must be of\n"
     "this party, an originator or analyst, cleared at the level. Levels\n"
     "are taken whatever their case; releasable parties must be known, the\n"
     "need-to-know group and purposes declared by the party (an unknown one\n"
     "is a usage error naming the nearest known).\n"},
    {"list", do_list, true,
     "list [--level CODE] [--originator PARTY] [--from DATE] [--to DATE]\n"
     "                         [--ntk GROUP] [--title TEXT] [--after ID] [--limit N]",
     "Every item in the order stored, a line each with both markings: the\n"
     "originator's level and this party's equivalent. With --limit N (1 to\n"
     "1000), one page, from the item after --after ID; the next page's\n"
     "--after is printed on stderr (JSON: \"next\", null at the end).\n"
     "Filters, before paging, each one given must hold: --level CODE (either\n"
     "marking has it; a level of any scheme known, its case aside),\n"
     "--originator PARTY, --from and --to (the day the item was stored on\n"
     "this node, shared or received; both days included), --ntk GROUP, and\n"
     "--title TEXT (a part of the title; ASCII letters without regard to\n"
     "case, other characters as written).\n"
     "Through a daemon: only the items the person needs to know; for them\n"
     "any other does not exist, whatever the filters.\n"},
    {"show", do_show, true, "show ID",
     "The item's label with both markings (the originator's level and this\n"
     "party's equivalent), where it came from, its size and state.\n"
     "Through a daemon: only an item the person needs to know.\n"},
    {"get", do_get, true, "get ID --by PERSON [--purpose P] -o OUT [--force]",
     "Decrypts the item to OUT, only if the decision for `download` is\n"
     "PERMIT; a DENY prints every rule and its reason and exits 3.\n"},
    {"release", do_release, true, "release ID --to PARTY --by PERSON [-o FILE [--force]]",
     "Writes FILE, an envelope of the item sealed to PARTY's key (added\n"
     "with liaison party key) and signed by this node, only on PERMIT\n"
     "(R-IN-FORCE, R-RELEASABLE, R-THIRD-PARTY...), and records it.\n"
     "Without -o, PARTY must be a peer (liaison peer add): the envelope\n"
     "is queued in the outbox, with the release, and its node is sent it\n"
     "(liaison serve, or liaison peer deliver). An item another party\n"
     "made goes with its originator's consent: with -o, in FILE.consent.json\n"
     "beside FILE (0600; a file there stops the release unless --force);\n"
     "to a peer, with the envelope.\n"},
    {"import", do_import, true, "import FILE [--consent CONSENT]",
     "Takes an envelope a peer released: checks its sender and every\n"
     "signature and chunk, R-RECEIVED (an agreement in force today), and\n"
     "marks the item with this party's equivalent level (refused when it\n"
     "has none, like Korea's level I under the Japan-ROK agreement).\n"
     "An item another party made, passed on by its holder, needs CONSENT:\n"
     "its originator's consent to the release here (the file consent\n"
     "grant wrote), checked against the originator's key (R-THIRD-PARTY).\n"
     "Through a daemon: a security officer's or a registrar's.\n"},
    {"reproduce", do_act, true, "reproduce ID --by PERSON [--purpose P]",
     "Makes a copy: a new item (its id printed) that carries the original's\n"
     "label and markings, with a caveat naming the original (R-MARKING).\n"},
    {"translate", do_act, true, "translate ID --by PERSON --file FILE [--purpose P]",
     "Stores FILE, a translation of the item, as a new item (its id\n"
     "printed) that carries the original's label and markings, with a\n"
     "caveat naming the original (R-MARKING).\n"},
    {"destroy", do_act, true, "destroy ID --by PERSON",
     "Erases the item's sealed payload and keeps its record\n"
     "(security officers).\n"},
    {"downgrade", do_act, true, "downgrade ID --by PERSON --level CODE",
     "Lowers the level of this party's item (originators only,\n"
     "R-DOWNGRADE); the payload is resealed under the new label.\n"},
    {"report-compromise", do_act, true, "report-compromise ID --by PERSON --details TEXT [-o FILE]",
     "Writes a report for the originator, signed by this\n"
     "node (Art. 17; security officers); without -o it is queued for\n"
     "the originator's node, a peer, where it stands open until one of\n"
     "its security officers acknowledges it (liaison report).\n"},
};

static int run_item(struct cli *c)
{
	return cli_dispatch(c, &cmd_item);
}

const struct cli_command cmd_item = {
    "item",
    run_item,
    "items: share, read, release and what is done to them",
    "On the node's folder the operator enters each act for the person --by\n"
    "names (the log says so: \"entered_by\": \"operator\"). Through a daemon\n"
    "(liaison login, or LIAISON_URL and LIAISON_TOKEN) every act is the token's\n"
    "person's: no --by, no passphrase, the same answers.\n",
    subs,
    sizeof subs / sizeof subs[0],
    "The node's passphrase comes from $LIAISON_PASSPHRASE or the terminal.\n"
    "options:\n"
    "  --json  answer with the item (share, show, import, the new item of\n"
    "          reproduce and translate, the item after downgrade), {\"items\"}\n"
    "          (list), {\"item\", \"destroyed\", \"destroyed_on\"} (destroy), or the\n"
    "          error with its decision on DENY\n",
};

static int run_access(struct cli *c)
{
	struct decide_args a = {0};
	const char *action = NULL, *at = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("person", &a.person),
				       OPT_VAL("item", &a.item),
				       OPT_VAL("action", &action),
				       OPT_VAL("purpose", &a.purpose),
				       OPT_VAL("to", &a.to),
				       OPT_VAL("at", &at),
				       {0}};
	if (c->argc < 2 || strcmp(c->argv[1], "check") != 0)
		return cli_bad_usagef(c, "access: which? check (see --help)");
	int r = cli_parse(c, c->argc - 1, c->argv + 1, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	if (!a.item || !action)
		return cli_bad_usagef(c, "access check: --item and --action are required");
	struct lerr e = {0};
	if (action_parse(action, &a.action, &e) < 0)
		return cli_bad_usage(c, &e);
	if ((r = remote_acting(c, "access check", "--person", &a.person)) != EXIT_OK)
		return r;
	json_t *o = NULL;
	if (c->remote) {
		struct remote_req h = {.method = "POST"};
		remote_path(&h, "/v1/access-checks", NULL, NULL);
		h.body = json_pack("{s:s, s:s}", "item", a.item, "action", action);
		if (a.purpose)
			json_object_set_new(h.body, "purpose", json_string(a.purpose));
		if (a.to)
			json_object_set_new(h.body, "to", json_string(a.to));
		if (at)
			json_object_set_new(h.body, "at", json_string(at));
		r = ask(c, &h, &o);
		json_decref(h.body);
	} else {
		struct node *n;
		struct decision d;
		if ((r = cli_open_node(c, &n)) != EXIT_OK)
			return r;
		a.date = n->clock.today;
		a.question = true;
		a.by_operator = true; /* the node's operator asks about a person */
		if (at && (r = cli_date(c, "--at", at, &a.date)) != EXIT_OK)
			;
		else if (node_decide(n, &a, &d, &e) < 0)
			r = cli_error(c, &e);
		else {
			o = encode_decision(&d, a.person, a.item, true);
			encode_clock(o, &n->clock);
		}
		node_close(n);
	}
	if (r != EXIT_OK)
		return r;
	r = strcmp(cli_str(o, "decision"), "PERMIT") == 0 ? EXIT_OK : EXIT_DENY;
	if (c->json) {
		int w = cli_emit(o);
		return w != EXIT_OK ? w : r;
	}
	cli_print_decision(stdout, o);
	json_decref(o);
	return r;
}

const struct cli_command cmd_access = {
    "access",
    run_access,
    "access check: may this person do this with this item?",
    "usage: liaison access check --person ID --item ID --action ACTION\n"
    "                            [--purpose P] [--to PARTY] [--at DATE]\n\n"
    "Decides, by the pact's rules, whether the person may take the action on\n"
    "the item on DATE (default: today), and prints every rule applied with its\n"
    "outcome, the reason, and the clause it comes from. ACTION: read, download,\n"
    "reproduce, translate, release (with --to), downgrade, destroy,\n"
    "report-compromise. Exit 0 on PERMIT, 3 on DENY. Through a daemon the\n"
    "person is the token's (--person may only name them), and an item they\n"
    "do not need to know is not there (exit 1, as for an unknown id).\n\n"
    "options:\n"
    "  --json  answer {\"decision\", \"action\", \"person\", \"item\", \"date\",\n"
    "          \"rules\": [{\"id\", \"ok\", \"detail\", \"clause\"}]}\n",
    NULL,
    0,
    NULL,
};

/* The consent's answer: written to out (when not NULL) and described. */
static json_t *consent_answer(const struct release_args *a)
{
	return json_pack("{s:s, s:s, s:s?, s:s?}", "item", a->item, "to", a->to, "output", a->out,
			 "sent_to", a->send);
}

static int consent_grant(const struct cli *c, struct release_args *a)
{
	int r = remote_acting(c, "consent grant", "--by", &a->by);
	if (r != EXIT_OK)
		return r;
	if (c->remote) {
		struct remote_req h = {.method = "POST"};
		json_t *o = NULL;
		struct lerr e = {0};
		remote_path(&h, "/v1/items/", a->item, "/consents");
		h.body = json_pack("{s:s}", "to", a->to);
		if (a->send)
			json_object_set_new(h.body, "send", json_string(a->send));
		if (a->holder)
			json_object_set_new(h.body, "holder", json_string(a->holder));
		r = ask(c, &h, &o);
		json_decref(h.body);
		char *text = r == EXIT_OK && a->out ? json_dumps(o, JSON_COMPACT) : NULL;
		if (text) { /* one line, as the node writes it */
			size_t tl = strlen(text);
			char *line = realloc(text, tl + 2);
			if (line) {
				memcpy(line + tl, "\n", 2);
				text = line;
			}
			if (fio_write_file(a->out, text, strlen(text), 0644, a->force, &e) < 0)
				r = cli_error(c, &e);
		}
		free(text);
		json_decref(o);
		return r;
	}
	struct node *n;
	struct key_secret k;
	struct lerr e = {0};
	if ((r = cli_open_node(c, &n)) != EXIT_OK)
		return r;
	if ((r = cli_node_key(c, n, &k)) == EXIT_OK) {
		if ((r = node_consent_grant(n, a, &k, &e)) < 0)
			r = cli_error(c, &e);
		key_secret_free(&k);
	}
	node_close(n);
	return r;
}

static int consent_import(const struct cli *c, const char *file, json_t **o)
{
	if (c->remote) {
		struct remote_req h = {.method = "POST", .upload = file};
		remote_path(&h, "/v1/consents", NULL, NULL);
		return ask(c, &h, o);
	}
	struct node *n;
	struct consent_info ci;
	struct lerr e = {0};
	int r = cli_open_node(c, &n);
	if (r != EXIT_OK)
		return r;
	if (node_consent_import(n, file, NULL, &ci, &e) < 0)
		r = cli_error(c, &e);
	else
		*o = encode_consent(&ci);
	node_close(n);
	return r;
}

static int run_consent(struct cli *c)
{
	struct release_args a = {0};
	const char *pos[2];
	int np, r;
	const struct cli_opt opts[] = {OPT_VAL("to", &a.to),
				       OPT_VAL("by", &a.by),
				       {.name = "output", .val = &a.out, .letter = 'o'},
				       OPT_VAL("send", &a.send),
				       OPT_VAL("holder", &a.holder),
				       OPT_FLAG("force", &a.force),
				       {0}};
	bool grant = c->argc >= 2 && strcmp(c->argv[1], "grant") == 0;
	if (!grant && !(c->argc >= 2 && strcmp(c->argv[1], "import") == 0))
		return cli_bad_usagef(c, "consent: which? grant or import (see --help)");
	if ((r = cli_parse(c, c->argc - 1, c->argv + 1, opts, pos, 1, 1, &np)) != EXIT_OK)
		return r;
	if (grant && (!a.to || (!a.out && !a.send)))
		return cli_bad_usagef(c,
				      "consent grant: --to PARTY and -o FILE or --send HOLDER are "
				      "required");
	if (grant && !a.send && !a.holder)
		return cli_bad_usagef(c, "consent grant: --holder PARTY (the party that holds "
					 "the item and may pass it on) is required with -o FILE");
	json_t *o = NULL;
	if (grant) {
		a.item = pos[0];
		if ((r = consent_grant(c, &a)) != EXIT_OK)
			return r;
		if (c->json)
			return cli_emit_to(cli_answers(a.out), consent_answer(&a));
		fprintf(cli_answers(a.out), "consent to release item %s to %s, signed%s%s%s%s\n",
			a.item, a.to, a.out ? ": " : "", a.out ? a.out : "",
			a.send ? ", queued for " : "", a.send ? a.send : "");
		return EXIT_OK;
	}
	if ((r = consent_import(c, pos[0], &o)) != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	printf("%s consents (%s, %s) to the release of item %s to %s\n", cli_str(o, "originator"),
	       cli_str(o, "granted_by"), cli_str(o, "date"), cli_str(o, "item"), cli_str(o, "to"));
	json_decref(o);
	return EXIT_OK;
}

const struct cli_command cmd_consent = {
    "consent",
    run_consent,
    "the originator's written consent to pass an item on",
    "usage: liaison consent grant ID --to PARTY --by PERSON\n"
    "                             (--holder HOLDER -o FILE [--force] | --send HOLDER)\n"
    "       liaison consent import FILE\n\n"
    "grant   (on the originator's node) signs its consent that HOLDER, the\n"
    "        party that holds item ID, may release it to PARTY, with the label\n"
    "        and the content stored here (their SHA-256: the item is opened to\n"
    "        compute it; the content's sealed to PARTY's key, which must be on\n"
    "        file), records it, and writes FILE to give the holder, or (--send)\n"
    "        queues it for the holder's node, a peer (liaison peer), which\n"
    "        takes it as import does. PERSON must be an originator of this\n"
    "        party, cleared at the item's level; HOLDER and PARTY known\n"
    "        parties, neither the originator, PARTY not the holder.\n"
    "import  (on the holder's node) checks FILE's signature against the\n"
    "        originator's stored key and stores the consent: R-THIRD-PARTY then\n"
    "        permits that release. A consent for another holder, or of an older\n"
    "        release (naming no holder, label or content), is refused: it would\n"
    "        pass nothing on.\n\n"
    "Through a daemon (liaison login) the consent is the token's person's.\n"
    "options:\n"
    "  --json  answer with the consent's fields\n",
    NULL,
    0,
    NULL,
};
