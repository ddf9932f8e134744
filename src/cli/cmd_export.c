/*
 * cmd_export.c - liaison export: check, group, timeline, licence, regime.
 *
 * The answers come from core/export on the regime the node holds, as the
 * views of node/views.h, asked of the node itself or of its daemon
 * (remote.h) and printed from that JSON: the same text either way. `check`
 * exits 3 when the export may not go as it is (individual-required,
 * catch-all-review, prohibited), as a DENY does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "../node/encode.h"
#include "../node/views.h"
#include "cli.h"
#include "remote.h"

/* --at DATE: parsed here for the node; passed on to the daemon as it is. */
static int when(const struct cli *c, const struct node *n, const char *at, date_t *d)
{
	if (n)
		*d = n->clock.today;
	return at ? cli_date(c, "--at", at, d) : EXIT_OK;
}

static int country_arg(const struct cli *c, const char *opt, const char *code)
{
	struct lerr e = {0};
	if (country_check(code, &e) < 0) {
		lerr_prefix(&e, "%s", opt);
		return cli_bad_usage(c, &e);
	}
	return EXIT_OK;
}

/* "since 2019-08-28", "2019-08-28 to 2023-07-20" from an interval object. */
static const char *span_text(const json_t *iv, char buf[64])
{
	if (!json_object_get(iv, "to"))
		snprintf(buf, 64, "since %s", cli_str(iv, "from"));
	else
		snprintf(buf, 64, "%s to %s", cli_str(iv, "from"), cli_str(iv, "to"));
	return buf;
}

/* The interval of a group answer's history its date falls in (the first), or NULL. */
static const json_t *interval_on(const json_t *g)
{
	const char *day = cli_str(g, "date");
	const json_t *iv;
	size_t i;
	if (json_is_true(json_object_get(g, "default")))
		return NULL;
	json_array_foreach (json_object_get(g, "history"), i, iv) {
		const char *to = cli_str(iv, "to");
		if (strcmp(cli_str(iv, "from"), day) <= 0 && (!to[0] || strcmp(day, to) <= 0))
			return iv;
	}
	return NULL;
}

/* The options of check and licence list: --entry, --to, --from, --at;
 * check's --exporter and --consignee. */
struct query {
	const char *entry, *to, *from, *at, *exporter, *consignee;
	struct cli_list page; /* licence list's */
};

static int parse_query(const struct cli *c, int argc, char **argv, struct query *q, bool deal)
{
	const char *pos[1];
	int np;
	*q = (struct query){0};
	const struct cli_opt opts[] = {OPT_VAL("entry", &q->entry),
				       OPT_VAL("to", &q->to),
				       OPT_VAL("from", &q->from),
				       OPT_VAL("at", &q->at),
				       OPT_VAL("exporter", &q->exporter),
				       OPT_VAL("consignee", &q->consignee),
				       CLI_PAGE_OPTS(q->page),
				       {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r == EXIT_OK && !deal && (q->exporter || q->consignee))
		return cli_bad_usagef(c, "--exporter and --consignee are export check's");
	if (r == EXIT_OK && deal && (q->page.after || q->page.limit))
		return cli_bad_usagef(c, "--after and --limit page a list: export licence list's");
	q->page.key = "licences";
	q->page.id_key = "id";
	return r;
}

/* Asks the daemon path with the query's arguments. */
static void query_args(struct remote_req *rq, const char *path, const struct query *q)
{
	remote_path(rq, path, NULL, NULL);
	remote_query(rq, "entry", q->entry);
	remote_query(rq, "to", q->to);
	remote_query(rq, "from", q->from);
	remote_query(rq, "at", q->at);
	remote_query(rq, "exporter", q->exporter);
	remote_query(rq, "consignee", q->consignee);
}

/* "individual-required: HF to KOR (South Korea) on 2019-07-04" and why. */
static void print_check(const json_t *o)
{
	const json_t *entry = json_object_get(o, "entry"), *l = json_object_get(o, "licence"), *x;
	size_t i;
	printf("%s: %s to %s (%s) on %s\n", cli_str(o, "decision"),
	       json_is_string(entry) ? json_string_value(entry) : "an item with no list entry",
	       cli_str(o, "to"), cli_str(o, "country_name"), cli_str(o, "date"));
	if (json_is_object(l)) {
		printf("  licence: %s (%s)\n", cli_str(l, "id"), cli_str(l, "kind"));
		cli_print_source(l, "    ");
	}
	json_array_foreach (json_object_get(o, "reasons"), i, x) {
		char buf[4 * EXPORT_REASON_MAX];
		const char *s = json_string_value(x) ? json_string_value(x) : "";
		printf("  - %s\n", text_needs_escape(s) ? text_escape(s, buf, sizeof buf) : s);
	}
}

static int do_check(const struct cli *c, struct node *n, int argc, char **argv)
{
	struct query q;
	date_t date = 0;
	int r = parse_query(c, argc, argv, &q, true);
	if (r != EXIT_OK)
		return r;
	if (!q.to)
		return cli_bad_usagef(c, "export check: --to COUNTRY is required");
	if ((r = when(c, n, q.at, &date)) != EXIT_OK ||
	    (r = country_arg(c, "--to", q.to)) != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	query_args(&rq, "/v1/export/check", &q);
	if ((r = remote_answer(c,
			       n ? view_export_check(n, q.from, q.entry, q.to, q.exporter,
						     q.consignee, date, &o, &e)
				 : 0,
			       &e, &rq, &o)) != EXIT_OK)
		return r;
	int code = json_is_false(json_object_get(o, "allowed")) ? EXIT_DENY : EXIT_OK;
	if (c->json)
		return (r = cli_emit(o)) != EXIT_OK ? r : code;
	print_check(o);
	json_decref(o);
	return code;
}

/* "KOR (South Korea) is in JPN's group B on ... (...)", the history, the default. */
static void print_group(const json_t *o)
{
	const json_t *iv = interval_on(o), *h;
	char buf[64], dflt[64];
	size_t i;
	snprintf(dflt, sizeof dflt, "the default group of %s", cli_str(o, "party"));
	char named[EXPORT_NAME_MAX + 8] = "";
	if (strcmp(cli_str(o, "group"), cli_str(o, "group_name")) != 0)
		snprintf(named, sizeof named, " (%s)", cli_str(o, "group_name"));
	printf("%s (%s) is in %s's group %s%s on %s (%s)\n", cli_str(o, "country"),
	       cli_str(o, "country_name"), cli_str(o, "party"), cli_str(o, "group"), named,
	       cli_str(o, "date"), iv ? span_text(iv, buf) : dflt);
	json_array_foreach (json_object_get(o, "history"), i, h) {
		printf("%s  group %-4s %s\n", i ? "" : "history:\n", cli_str(h, "group"),
		       span_text(h, buf));
		cli_print_source(h, "      ");
	}
	printf("%sotherwise: group %s (the default)\n",
	       json_array_size(json_object_get(o, "history")) ? "  " : "",
	       cli_str(o, "default_group"));
}

static int do_group(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *from = NULL, *at = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("from", &from), OPT_VAL("at", &at), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	date_t date = 0;
	if (r != EXIT_OK || (r = when(c, n, at, &date)) != EXIT_OK ||
	    (r = country_arg(c, "COUNTRY", pos[0])) != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/export/groups/", pos[0], NULL);
	remote_query(&rq, "at", at);
	remote_query(&rq, "from", from);
	if ((r = remote_answer(c, n ? view_export_group(n, from, pos[0], date, &o, &e) : 0, &e, &rq,
			       &o)) != EXIT_OK)
		return r;
	return cli_show(c, o, print_group);
}

/* "2019-07-04  HF           general-bulk -> individual-required (special measure)" */
static void print_change(const json_t *x)
{
	if (strcmp(cli_str(x, "kind"), "announcement") == 0) {
		cli_print_announcement(x, "");
		return;
	}
	if (strcmp(cli_str(x, "kind"), "licence") == 0) {
		const json_t *l = json_object_get(x, "licence");
		printf("%s  %-12s %s licence %s: %s -> %s, to %s\n", cli_str(x, "date"),
		       cli_str(l, "entry"), cli_str(l, "kind"), cli_str(l, "id"),
		       json_object_get(l, "exporter") ? cli_str(l, "exporter") : "any exporter",
		       json_object_get(l, "consignee") ? cli_str(l, "consignee") : "any consignee",
		       json_object_get(l, "to") ? cli_str(l, "to") : "further notice");
		cli_print_source(l, "    ");
		return;
	}
	if (strcmp(cli_str(x, "kind"), "group") == 0) {
		printf("%s  group %s -> %s", cli_str(x, "date"), cli_str(x, "from"),
		       cli_str(x, "to"));
		if (strcmp(cli_str(x, "to"), cli_str(x, "to_name")) != 0)
			printf(" (%s)", cli_str(x, "to_name"));
		printf("\n");
		return;
	}
	printf("%s  %-12s %s -> %s", cli_str(x, "date"), cli_str(x, "entry"), cli_str(x, "from"),
	       cli_str(x, "to"));
	if (json_object_get(x, "licence"))
		printf(" (licence %s)", cli_str(x, "licence"));
	else if (json_object_get(x, "special_measure") &&
		 strcmp(cli_str(x, "to"), "individual-required") == 0)
		printf(" (special measure)");
	printf("\n");
}

static void print_timeline(const json_t *o)
{
	const json_t *initial = json_object_get(o, "initial"),
		     *entries = json_object_get(initial, "entries"), *v;
	const char *code;
	size_t i = 0, count = json_object_size(entries);
	printf("%s (%s) under %s's export control\n", cli_str(o, "country"),
	       cli_str(o, "country_name"), cli_str(o, "party"));
	printf("before any change: group %s;", cli_str(initial, "group"));
	json_object_foreach ((json_t *)entries, code, v)
		printf(" %s %s%s", code, json_string_value(v), ++i < count ? "," : "");
	printf("\n");
	json_array_foreach (json_object_get(o, "changes"), i, v)
		print_change(v);
	if (!json_array_size(json_object_get(o, "changes")))
		printf("no change: %s is always in the default group\n", cli_str(o, "country"));
}

static int do_timeline(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *from = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("from", &from), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK || (r = country_arg(c, "COUNTRY", pos[0])) != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/export/timeline/", pos[0], NULL);
	remote_query(&rq, "from", from);
	if ((r = remote_answer(c, n ? view_export_timeline(n, from, pos[0], &o, &e) : 0, &e, &rq,
			       &o)) != EXIT_OK)
		return r;
	return cli_show(c, o, print_timeline);
}

/* "IL-2019-HF-1     HF           KOR  2019-08-29 to 2020-02-28  valid"; a
 * licence just added that is not valid yet says so in words. */
static void print_licence(const json_t *l, bool added)
{
	const char *status = cli_str(l, "status");
	printf("%-16s %-12s %-4s %s to %s  %s", cli_str(l, "id"), cli_str(l, "entry"),
	       cli_str(l, "country"), cli_str(l, "from"),
	       json_object_get(l, "to") ? cli_str(l, "to") : "9999-12-31",
	       added && strcmp(status, "future") == 0 ? "not yet valid" : status);
	if (strcmp(cli_str(l, "kind"), "individual") != 0 || json_object_get(l, "exporter"))
		printf("  %s: %s -> %s", cli_str(l, "kind"),
		       json_object_get(l, "exporter") ? cli_str(l, "exporter") : "any exporter",
		       json_object_get(l, "consignee") ? cli_str(l, "consignee") : "any consignee");
	printf("\n");
	cli_print_source(l, "    ");
}

static int licence_add(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *entry = NULL, *to = NULL, *vf = NULL, *vt = NULL, *from = NULL, *kind = NULL,
		   *exporter = NULL, *consignee = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("entry", &entry),
				       OPT_VAL("to", &to),
				       OPT_VAL("valid-from", &vf),
				       OPT_VAL("valid-to", &vt),
				       OPT_VAL("from", &from),
				       OPT_VAL("kind", &kind),
				       OPT_VAL("exporter", &exporter),
				       OPT_VAL("consignee", &consignee),
				       {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	if (!entry || !to || !vf || !vt)
		return cli_bad_usagef(
		    c, "export licence add: --entry, --to, --valid-from and --valid-to "
		       "are required");
	struct export_licence l = {0};
	if (!str_copy(l.id, sizeof l.id, pos[0]) || !str_copy(l.entry, sizeof l.entry, entry) ||
	    !str_copy(l.country, sizeof l.country, to) ||
	    !str_copy(l.exporter, sizeof l.exporter, exporter ? exporter : "") ||
	    !str_copy(l.consignee, sizeof l.consignee, consignee ? consignee : ""))
		return cli_bad_usagef(c, "export licence add: an argument is too long");
	struct lerr ke = {0};
	if (kind && export_licence_kind_parse(kind, &l.kind, &ke) < 0) {
		lerr_prefix(&ke, "--kind");
		return cli_bad_usage(c, &ke);
	}
	if ((r = cli_date(c, "--valid-from", vf, &l.from)) != EXIT_OK ||
	    (r = cli_date(c, "--valid-to", vt, &l.to)) != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "POST"};
	remote_path(&rq, "/v1/export/licences", NULL, NULL);
	rq.body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", pos[0], "entry", entry, "to", to,
			    "valid_from", vf, "valid_to", vt);
	if (from)
		json_object_set_new(rq.body, "from", json_string(from));
	if (kind)
		json_object_set_new(rq.body, "kind", json_string(kind));
	if (exporter)
		json_object_set_new(rq.body, "exporter", json_string(exporter));
	if (consignee)
		json_object_set_new(rq.body, "consignee", json_string(consignee));
	r = remote_answer(c, n ? view_licence_add(n, from, &l, &o, &e) : 0, &e, &rq, &o);
	json_decref(rq.body);
	if (r != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	printf("added ");
	print_licence(o, true);
	json_decref(o);
	return EXIT_OK;
}

static int licence_list(const struct cli *c, struct node *n, int argc, char **argv)
{
	struct query q;
	date_t date = 0;
	int r = parse_query(c, argc, argv, &q, false);
	if (r != EXIT_OK || (r = when(c, n, q.at, &date)) != EXIT_OK ||
	    (q.to && (r = country_arg(c, "--to", q.to)) != EXIT_OK))
		return r;
	json_t *o = NULL, *l;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	query_args(&rq, "/v1/export/licences", &q);
	if ((r = remote_list(c, n ? view_licences(n, q.from, q.entry, q.to, date, &o, &e) : 0, &e,
			     &rq, &q.page, &o)) != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	size_t i;
	json_array_foreach (json_object_get(o, "licences"), i, l)
		print_licence(l, false);
	json_decref(o);
	return EXIT_OK;
}

static int do_licence(const struct cli *c, struct node *n, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return licence_add(c, n, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return licence_list(c, n, argc - 1, argv + 1);
	return cli_bad_usagef(c, "export licence: %s%s%s (one of: add, list)",
			      argc >= 2 ? "unknown action \"" : "which?", argc >= 2 ? argv[1] : "",
			      argc >= 2 ? "\"" : "");
}

/* The control list and the special measures of a regime object. */
static void print_regime(const json_t *o)
{
	const json_t *x, *m, *v;
	size_t i, k;
	printf(
	    "export regime of %s: default group %s, group intervals: %zu, licences on file: %zu\n",
	    cli_str(o, "party"), cli_str(o, "default_group"),
	    json_array_size(json_object_get(o, "groups")),
	    json_array_size(json_object_get(o, "licences")));
	printf("control list:\n");
	json_array_foreach (json_object_get(o, "entries"), i, x)
		printf("  %-12s item %-2d %s\n", cli_str(x, "code"),
		       (int)json_integer_value(json_object_get(x, "list_item")),
		       cli_str(x, "name"));
	json_array_foreach (json_object_get(o, "special_measures"), i, m) {
		bool open = !json_object_get(m, "to");
		printf("%s  to %s from %s%s%s:",
		       i ? "" : "special measures (individual licence):\n", cli_str(m, "country"),
		       cli_str(m, "from"), open ? "" : " to ", cli_str(m, "to"));
		json_array_foreach (json_object_get(m, "entries"), k, v)
			printf(" %s", json_string_value(v));
		printf("\n");
		cli_print_source(m, "    ");
	}
	json_array_foreach (json_object_get(o, "country_groups"), i, x)
		printf("%s  %-6s %s: answers as group %s\n", i ? "" : "country groups:\n",
		       cli_str(x, "code"), cli_str(x, "name"), cli_str(x, "rules"));
	json_array_foreach (json_object_get(o, "announcements"), i, x) {
		if (!i)
			printf("announcements:\n");
		cli_print_announcement(x, "  ");
	}
}

static int do_regime(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *from = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("from", &from), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/export/regime", NULL, NULL);
	remote_query(&rq, "from", from);
	if ((r = remote_answer(c, n ? view_export_regime(n, from, &o, &e) : 0, &e, &rq, &o)) !=
	    EXIT_OK)
		return r;
	return cli_show(c, o, print_regime);
}

static const struct cli_sub subs[] = {
    {"check", do_check, true,
     "check [--entry ENTRY] --to COUNTRY [--from PARTY] [--at DATE]\n"
     "                            [--exporter NAME --consignee NAME]",
     "May ENTRY (or an item with no entry) go to COUNTRY on DATE?\n"
     "no-licence, general-bulk, special-general-bulk, licensed (exit 0)\n"
     "or individual-required, catch-all-review, prohibited (exit 3),\n"
     "with the country's group, the licence and the reasons; for a\n"
     "deal between companies, --exporter and --consignee (a licence\n"
     "that names them covers only their deals).\n"},
    {"group", do_group, true, "group COUNTRY [--from PARTY] [--at DATE]",
     "The country's group on DATE and every interval on file.\n"},
    {"timeline", do_timeline, true, "timeline COUNTRY [--from PARTY]",
     "Every change for the country: its group, and each entry's answer.\n"},
    {"licence", do_licence, true,
     "licence add ID --entry ENTRY --to COUNTRY\n"
     "                                  --valid-from DATE --valid-to DATE [--from PARTY]\n"
     "                                  [--kind individual|company-bulk]\n"
     "                                  [--exporter NAME] [--consignee NAME]\n"
     "licence list [--entry ENTRY] [--to COUNTRY] [--from PARTY]\n"
     "                                   [--at DATE]",
     "Add a licence (valid from and to, inclusive): individual, or\n"
     "company-bulk (特定包括許可: names its exporter and consignee), or\n"
     "list them with their status on DATE (valid, expired, future).\n"},
    {"regime", do_regime, true, "regime [--from PARTY]",
     "The control list and special measures (--json: the regime as\n"
     "in the configuration file, with every licence on file).\n"},
};

static int run_export(struct cli *c)
{
	return cli_dispatch(c, &cmd_export);
}

const struct cli_command cmd_export = {
    "export",
    run_export,
    "export control: country groups, measures, licences",
    "Export control of the exporting party (--from, default this node's party),\n"
    "as its regime in the configuration file says (\"export_regimes\").\n"
    "Countries are ISO 3166-1 alpha-3 codes (KOR, USA); entries are codes of\n"
    "the regime's control list.\n",
    subs,
    sizeof subs / sizeof subs[0],
    "Through a daemon (liaison login) every action works, with the same\n"
    "answers; adding a licence is then a registrar's.\n"
    "\n"
    "options:\n"
    "  --at DATE  the day asked about (default: today, or LIAISON_NOW)\n"
    "  --json     answer with the objects of docs/export.md\n",
};
