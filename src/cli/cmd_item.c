/* cmd_item.c - liaison item (share, list, show, get) and liaison access check. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../crypto/fio.h"
#include "../node/encode.h"
#include "../node/acts.h"
#include "../node/exchange.h"
#include "../node/items.h"
#include "../node/views.h"
#include "cli.h"

/* Prints a decision: a headline, then each rule with its outcome and clause. */
static void print_decision(const struct decision *d, const char *person, const char *item)
{
	char day[DATE_BUF_SIZE];
	printf("%s: %s %s %s item %s on %s\n", d->permit ? "PERMIT" : "DENY", person,
	       d->permit ? "may" : "may not", action_name(d->action), item,
	       date_format(d->date, day));
	for (size_t i = 0; i < d->nrules; i++)
		printf("  %s %-13s %s (%s)\n", d->rules[i].ok ? "ok" : "NO", d->rules[i].id,
		       d->rules[i].detail, d->rules[i].clause);
}

/* Prints a denial (the error with its decision in JSON; the decision on
 * stderr in text mode, so stdout stays clean); returns EXIT_DENY. */
static int show_denial(const struct cli *c, const struct lerr *e, const struct decision *d,
		       const char *person, const char *item)
{
	if (c->json)
		(void)cli_emit(view_denied(e, d, person, item));
	else {
		fflush(stdout);
		int fd = dup(STDOUT_FILENO);
		if (fd >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) >= 0) {
			print_decision(d, person, item);
			fflush(stdout);
			dup2(fd, STDOUT_FILENO);
		}
		if (fd >= 0)
			close(fd);
	}
	return EXIT_DENY;
}

/* A node act's failure: a denial with its decision, or the error. */
static int act_failed(const struct cli *c, int r, const struct lerr *e, const struct decision *d,
		      const char *person, const char *item)
{
	return r == LERR_DENIED ? show_denial(c, e, d, person, item) : cli_error(c, e, false);
}

/* Decides; on DENY shows the decision and returns EXIT_DENY; on an error, its code. */
static int enforce(const struct cli *c, struct node *n, const struct decide_args *a)
{
	struct decision d;
	struct lerr e = {0};
	int r = node_enforce(n, a, &d, &e);
	return r < 0 ? act_failed(c, r, &e, &d, a->person, a->item) : EXIT_OK;
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
	if (!rq.by || !rq.level || !rq.title)
		return cli_errorf(c, true, "item share: --by, --level and --title are required");
	rq.file = pos[0];
	rq.releasable = rel;
	rq.purposes = pur;
	rq.caveats = cav;
	struct key_secret k;
	if ((r = cli_node_key(c, n, &k)) != EXIT_OK)
		return r;
	struct store_item it;
	struct label l;
	struct lerr e = {0};
	r = node_item_share(n, &rq, &k, &it, &l, &e);
	key_secret_free(&k);
	if (r < 0)
		return cli_error(c, &e, r == LERR_INVAL);
	if (c->json)
		return cli_emit(encode_item(&it, &l, n->party));
	printf("%s\n", it.id);
	return EXIT_OK;
}

/* A page of items (text: a line each), then the next page's cursor in *next. */
static int list_page(const struct cli *c, struct node *n, const char *after, size_t limit,
		     json_t *all, char *next, struct lerr *e)
{
	json_t *o, *it;
	size_t i;
	if (view_items(n, NULL, after, limit, &o, e) < 0)
		return cli_error(c, e, false);
	json_t *items = json_object_get(o, "items");
	json_array_foreach(items, i, it)
	{
		const char *id, *title, *orig, *level, *local;
		if (all)
			json_array_append(all, it);
		else if (json_unpack(it, "{s:s, s:{s:s}, s:{s:s, s:s}, s:{s:s}}", "id", &id,
				     "label", "title", &title, "marking", "party", &orig, "level",
				     &level, "local_marking", "level", &local) == 0)
			printf("%-24s %s %-8s (%s %-8s) %s\n", id, orig, level, n->party, local,
			       title);
	}
	const char *nx = json_string_value(json_object_get(o, "next"));
	str_copy(next, LABEL_WORD_MAX, nx ? nx : "");
	json_decref(o);
	return EXIT_OK;
}

static int do_list(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1], *after = NULL, *limit_s = NULL;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("after", &after), OPT_VAL("limit", &limit_s), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	uint64_t limit = 0;
	if (limit_s && (r = cli_count(c, "--limit", limit_s, 1, ITEMS_PAGE_MAX, &limit)) != EXIT_OK)
		return r;
	char next[LABEL_WORD_MAX] = "";
	struct lerr e = {0};
	json_t *all = c->json ? json_array() : NULL;
	if (limit) { /* one page, and where the next starts */
		r = list_page(c, n, after, (size_t)limit, all, next, &e);
		if (r == EXIT_OK && !all && next[0])
			fprintf(stderr, "more: liaison item list --after %s --limit %" PRIu64 "\n",
				next, limit);
	} else { /* every item from `after` on, a page at a time */
		do
			r = list_page(c, n, next[0] ? next : after, ITEMS_PAGE_MAX, all, next, &e);
		while (r == EXIT_OK && next[0]);
	}
	if (r != EXIT_OK || !all) {
		json_decref(all);
		return r;
	}
	return cli_emit(json_pack("{s:o, s:o}", "items", all, "next",
				  next[0] ? json_string(next) : json_null()));
}

static int do_show(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int np;
	const struct cli_opt opts[] = {{0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	struct store_item it;
	struct label l;
	struct lerr e = {0};
	if (node_item_get(n, pos[0], &it, &l, &e) < 0)
		return cli_error(c, &e, false);
	if (c->json)
		r = cli_emit(encode_item(&it, &l, n->party));
	else {
		printf("item %s: %s\n  marking: %s %s; here: %s %s\n", it.id, l.title,
		       it.originator, it.level, n->party, it.local_level);
		printf("  releasable to:");
		for (size_t i = 0; i < l.nreleasable; i++)
			printf(" %s", l.releasable[i]);
		printf("\n  need to know: %s\n", l.ntk[0] ? l.ntk : "none");
		if (it.foreign)
			printf("  received %s from %s\n", it.received, it.sender);
		printf("  %lld bytes, stored %s%s%s\n", (long long)it.size, it.stored_on,
		       it.destroyed_on[0] ? ", destroyed " : "", it.destroyed_on);
	}
	store_item_free(&it);
	return r;
}

static int do_get(const struct cli *c, struct node *n, int argc, char **argv)
{
	struct decide_args a = {.action = ACT_DOWNLOAD, .date = n->clock.today};
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
	if (!a.person || !out)
		return cli_errorf(c, true, "item get: --by PERSON and -o OUT are required");
	a.item = pos[0];
	if ((r = enforce(c, n, &a)) != EXIT_OK)
		return r;
	struct key_secret k;
	if ((r = cli_node_key(c, n, &k)) != EXIT_OK)
		return r;
	struct fio_out o;
	struct lerr e = {0};
	uint64_t bytes = 0;
	if ((r = fio_begin(&o, out, 0600, force, &e)) == 0) {
		r = node_item_open(n, a.item, &k, o.fd, &bytes, &e);
		if (r < 0)
			fio_abort(&o);
		else
			r = fio_commit(&o, &e);
	}
	key_secret_free(&k);
	if (r < 0)
		return cli_error(c, &e, false);
	if (c->json)
		return cli_emit(json_pack("{s:s, s:s, s:I}", "item", a.item, "output", out, "bytes",
					  (json_int_t)bytes));
	printf("item %s: %llu bytes in %s\n", a.item, (unsigned long long)bytes, out);
	return EXIT_OK;
}

static int do_release(const struct cli *c, struct node *n, int argc, char **argv)
{
	struct release_args a = {0};
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
	if (!a.to || !a.by)
		return cli_errorf(c, true, "item release: --to PARTY and --by PERSON are required");
	a.item = pos[0];
	struct key_secret k;
	if ((r = cli_node_key(c, n, &k)) != EXIT_OK)
		return r;
	struct decision d = {0};
	struct lerr e = {0};
	r = node_item_release(n, &a, &k, &d, &e);
	key_secret_free(&k);
	if (r < 0)
		return act_failed(c, r, &e, &d, a.by, a.item);
	if (c->json)
		return cli_emit(json_pack("{s:s, s:s, s:s, s:s}", "item", a.item, "to", a.to, "by",
					  a.by, a.out ? "output" : "via",
					  a.out ? a.out : "outbox"));
	if (a.out)
		printf("released item %s to %s: %s\n", a.item, a.to, a.out);
	else
		printf("released item %s to %s: queued for its node (liaison peer outbox)\n",
		       a.item, a.to);
	return EXIT_OK;
}

static int do_import(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int np;
	const struct cli_opt opts[] = {{0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	struct key_secret k;
	if ((r = cli_node_key(c, n, &k)) != EXIT_OK)
		return r;
	struct store_item it;
	struct label l;
	struct lerr e = {0};
	r = node_item_import(n, pos[0], &k, &it, &l, &e);
	key_secret_free(&k);
	if (r < 0)
		return cli_error(c, &e, false);
	if (c->json)
		return cli_emit(encode_item(&it, &l, n->party));
	printf("imported item %s from %s: %s %s, marked %s %s here\n", it.id, it.sender,
	       it.originator, it.level, n->party, it.local_level);
	return EXIT_OK;
}

/* reproduce, translate, destroy, report-compromise: decide, act, or show the DENY. */
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
	if (!a.by || (translate && !a.file) || (report && !a.details) || (downgrade && !a.level))
		return cli_errorf(c, true, "item %s: missing option (see --help)", verb);
	if (!translate)
		a.file = NULL;
	a.item = pos[0];
	struct key_secret k = {0};
	if (!destroy && (r = cli_node_key(c, n, &k)) != EXIT_OK)
		return r;
	struct decision d = {0};
	struct store_item copy = {0};
	struct lerr e = {0};
	if (destroy)
		r = node_item_destroy(n, &a, &d, &e);
	else if (report)
		r = node_item_report(n, &a, &k, &d, &e);
	else if (downgrade)
		r = node_item_downgrade(n, &a, &k, &d, &e);
	else
		r = node_item_copy(n, &a, &k, &copy, &d, &e);
	key_secret_free(&k);
	if (r < 0)
		return act_failed(c, r, &e, &d, a.by, a.item);
	if (c->json)
		return cli_emit(json_pack("{s:s, s:s, s:s}", "item", a.item, "act", verb, "result",
					  copy.id[0]	    ? copy.id
					  : report && a.out ? a.out
					  : report	    ? "queued for the originator's node"
					  : downgrade	    ? a.level
							    : "destroyed"));
	if (copy.id[0])
		printf("%s\n", copy.id);
	else if (report)
		printf("compromise of item %s reported for the originator: %s\n", a.item,
		       a.out ? a.out : "queued for its node (liaison peer outbox)");
	else if (downgrade)
		printf("item %s is now %s\n", a.item, a.level);
	else
		printf("item %s destroyed: its sealed payload is erased, its record kept\n",
		       a.item);
	return EXIT_OK;
}

static int run_item(struct cli *c)
{
	static const struct cli_sub subs[] = {{"share", do_share, false},
					      {"list", do_list, false},
					      {"show", do_show, false},
					      {"get", do_get, false},
					      {"release", do_release, false},
					      {"import", do_import, false},
					      {"reproduce", do_act, false},
					      {"translate", do_act, false},
					      {"destroy", do_act, false},
					      {"downgrade", do_act, false},
					      {"report-compromise", do_act, false}};
	return cli_dispatch(c, "item", subs, sizeof subs / sizeof subs[0]);
}

const struct cli_command cmd_item = {
    "item",
    run_item,
    "items: share, list, show, get, release, import, reproduce, translate, destroy, "
    "report-compromise",
    "usage: liaison item share FILE --by PERSON --level CODE --title TEXT\n"
    "                          [--releasable PARTY ...] [--ntk GROUP] [--purpose P ...]\n"
    "                          [--caveat C ...] [--export-entry E] [--revocable]\n"
    "       liaison item list [--after ID] [--limit N]\n"
    "       liaison item show ID\n"
    "       liaison item get ID --by PERSON [--purpose P] -o OUT [--force]\n"
    "       liaison item release ID --to PARTY --by PERSON [-o FILE [--force]]\n"
    "       liaison item import FILE\n"
    "       liaison item reproduce ID --by PERSON [--purpose P]\n"
    "       liaison item translate ID --by PERSON --file FILE [--purpose P]\n"
    "       liaison item downgrade ID --by PERSON --level CODE\n"
    "       liaison item destroy ID --by PERSON\n"
    "       liaison item report-compromise ID --by PERSON --details TEXT [-o FILE]\n\n"
    "share  stores FILE as a new item of this node's party, sealed (to the node's\n"
    "       own keys) in the blob store, and prints its id. The person must be of\n"
    "       this party, an originator or analyst, cleared at the level.\n"
    "list, show  items with both markings: the originator's level and this\n"
    "       party's equivalent. list shows every item in the order stored, or with\n"
    "       --limit N (1 to 1000) one page, from the item after --after ID; the\n"
    "       next page's --after is printed on stderr (JSON: \"next\", null at the end).\n"
    "get    decrypts the item to OUT, only if the decision for `download` is\n"
    "       PERMIT; a DENY prints every rule and its reason and exits 3.\n"
    "release  writes FILE, an envelope of the item sealed to PARTY's key (added\n"
    "       with liaison party key) and signed by this node, only on PERMIT\n"
    "       (R-IN-FORCE, R-RELEASABLE, R-THIRD-PARTY...), and records it.\n"
    "       Without -o, PARTY must be a peer (liaison peer add): the envelope\n"
    "       is queued in the outbox, with the release, and its node is sent it\n"
    "       (liaison serve, or liaison peer deliver).\n"
    "import  takes an envelope a peer released: checks its sender and every\n"
    "       signature and chunk, R-RECEIVED (an agreement in force today), and\n"
    "       marks the item with this party's equivalent level (refused when it\n"
    "       has none, like Korea's level I under the Japan-ROK agreement).\n"
    "reproduce, translate  make a new item (printed) that carries the original's\n"
    "       label and markings, with a caveat naming the original (R-MARKING).\n"
    "downgrade  lowers the level of this party's item (originators only,\n"
    "       R-DOWNGRADE); the payload is resealed under the new label.\n"
    "destroy  erases the item's sealed payload and keeps its record\n"
    "       (security officers).\n"
    "report-compromise  writes a report for the originator, signed by this\n"
    "       node (Art. 17; security officers); without -o it is queued for\n"
    "       the originator's node, a peer, which keeps it in reports/.\n\n"
    "The node's passphrase comes from $LIAISON_PASSPHRASE or the terminal.\n"
    "options:\n"
    "  --json  answer with the item (share, show), {\"items\"} (list), or the\n"
    "          decision on DENY\n",
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
		return cli_errorf(c, true, "access: which? check (see --help)");
	int r = cli_parse(c, c->argc - 1, c->argv + 1, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	if (!a.person || !a.item || !action)
		return cli_errorf(c, true,
				  "access check: --person, --item and --action are required");
	struct lerr e = {0};
	if (action_parse(action, &a.action, &e) < 0)
		return cli_error(c, &e, true);
	struct node *n;
	if ((r = cli_open_node(c, &n)) != EXIT_OK)
		return r;
	a.date = n->clock.today;
	a.question = true;
	a.by_operator = true; /* the node's operator asks about a person */
	struct decision d;
	if (at && (r = cli_date(c, "--at", at, &a.date)) != EXIT_OK)
		;
	else if (node_decide(n, &a, &d, &e) < 0)
		r = cli_error(c, &e, false);
	else {
		if (c->json) {
			json_t *o = encode_decision(&d, a.person, a.item);
			encode_clock(o, &n->clock);
			(void)cli_emit(o);
		} else
			print_decision(&d, a.person, a.item);
		r = d.permit ? EXIT_OK : EXIT_DENY;
	}
	node_close(n);
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
    "report-compromise. Exit 0 on PERMIT, 3 on DENY.\n\n"
    "options:\n"
    "  --json  answer {\"decision\", \"action\", \"person\", \"item\", \"date\",\n"
    "          \"rules\": [{\"id\", \"ok\", \"detail\", \"clause\"}]}\n",
};

static int run_consent(struct cli *c)
{
	struct release_args a = {0};
	const char *pos[2];
	int np, r;
	const struct cli_opt opts[] = {OPT_VAL("to", &a.to),
				       OPT_VAL("by", &a.by),
				       {.name = "output", .val = &a.out, .letter = 'o'},
				       OPT_VAL("send", &a.send),
				       OPT_FLAG("force", &a.force),
				       {0}};
	bool grant = c->argc >= 2 && strcmp(c->argv[1], "grant") == 0;
	if (!grant && !(c->argc >= 2 && strcmp(c->argv[1], "import") == 0))
		return cli_errorf(c, true, "consent: which? grant or import (see --help)");
	if ((r = cli_parse(c, c->argc - 1, c->argv + 1, opts, pos, 1, 1, &np)) != EXIT_OK)
		return r;
	if (grant && (!a.to || !a.by || (!a.out && !a.send)))
		return cli_errorf(c, true,
				  "consent grant: --to PARTY, --by PERSON and -o FILE or --send "
				  "HOLDER are required");
	struct node *n;
	if ((r = cli_open_node(c, &n)) != EXIT_OK)
		return r;
	struct lerr e = {0};
	if (grant) {
		struct key_secret k;
		a.item = pos[0];
		if ((r = cli_node_key(c, n, &k)) == EXIT_OK) {
			if (node_consent_grant(n, &a, &k, &e) < 0)
				r = cli_error(c, &e, false);
			else if (c->json)
				r = cli_emit(json_pack("{s:s, s:s, s:s?, s:s?}", "item", a.item,
						       "to", a.to, "output", a.out, "sent_to",
						       a.send));
			else
				printf("consent to release item %s to %s, signed%s%s%s%s\n", a.item,
				       a.to, a.out ? ": " : "", a.out ? a.out : "",
				       a.send ? ", queued for " : "", a.send ? a.send : "");
			key_secret_free(&k);
		}
	} else {
		struct consent_info ci;
		if (node_consent_import(n, pos[0], &ci, &e) < 0)
			r = cli_error(c, &e, false);
		else if (c->json)
			r = cli_emit(json_pack("{s:s, s:s, s:s, s:s, s:s}", "item", ci.item, "to",
					       ci.to, "originator", ci.originator, "granted_by",
					       ci.granted_by, "date", ci.date));
		else
			printf("%s consents (%s, %s) to the release of item %s to %s\n",
			       ci.originator, ci.granted_by, ci.date, ci.item, ci.to);
	}
	node_close(n);
	return r;
}

const struct cli_command cmd_consent = {
    "consent",
    run_consent,
    "the originator's written consent to pass an item on",
    "usage: liaison consent grant ID --to PARTY --by PERSON\n"
    "                             (-o FILE [--force] | --send HOLDER)\n"
    "       liaison consent import FILE\n\n"
    "grant   (on the originator's node) signs its consent that the holder of\n"
    "        item ID may release it to PARTY, records it, and writes FILE to\n"
    "        send to the holder, or (--send) queues it for the holder's node,\n"
    "        a peer (liaison peer), which takes it as import does. PERSON\n"
    "        must be an originator of this party.\n"
    "import  (on the holder's node) checks FILE's signature against the\n"
    "        originator's stored key and stores the consent: R-THIRD-PARTY then\n"
    "        permits that release.\n\n"
    "options:\n"
    "  --json  answer with the consent's fields\n",
};
