/*
 * cmd_export.c - liaison export: check, group, timeline, licence, regime.
 *
 * The answers come from core/export on the regime the node holds; `check`
 * exits 3 when the export may not go as it is (individual-required,
 * catch-all-review, prohibited), as a DENY does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../node/encode.h"
#include "../node/views.h"
#include "cli.h"

/* The regime (--from PARTY or the node's own); prints the error. */
static int load(const struct cli *c, struct node *n, const char *party, struct export_regime *r)
{
	struct lerr e = {0};
	if (node_export_regime(n, party, r, &e) < 0)
		return cli_error(c, &e, false);
	return EXIT_OK;
}

/* --at DATE, or the node's today. */
static int when(const struct cli *c, const struct node *n, const char *at, date_t *d)
{
	*d = n->clock.today;
	return at ? cli_date(c, "--at", at, d) : EXIT_OK;
}

static int country_arg(const struct cli *c, const char *opt, const char *code)
{
	struct lerr e = {0};
	if (country_check(code, &e) < 0) {
		lerr_prefix(&e, "%s", opt);
		return cli_error(c, &e, true);
	}
	return EXIT_OK;
}

static const char *group_text(const struct export_regime *r, const struct export_interval *iv,
			      char buf[64])
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	if (!iv)
		snprintf(buf, 64, "the default group of %s", r->party);
	else if (iv->to == DATE_MAX)
		snprintf(buf, 64, "since %s", date_format(iv->from, d1));
	else
		snprintf(buf, 64, "%s to %s", date_format(iv->from, d1), date_format(iv->to, d2));
	return buf;
}

/* The options of check and licence list: --entry, --to, --from, --at. */
struct query {
	const char *entry, *to, *from, *at;
};

static int parse_query(const struct cli *c, int argc, char **argv, struct query *q)
{
	const char *pos[1];
	int np;
	*q = (struct query){0};
	const struct cli_opt opts[] = {OPT_VAL("entry", &q->entry),
				       OPT_VAL("to", &q->to),
				       OPT_VAL("from", &q->from),
				       OPT_VAL("at", &q->at),
				       {0}};
	return cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
}

static int do_check(const struct cli *c, struct node *n, int argc, char **argv)
{
	struct query q;
	int r = parse_query(c, argc, argv, &q);
	if (r != EXIT_OK)
		return r;
	const char *entry = q.entry, *to = q.to, *from = q.from, *at = q.at;
	if (!to)
		return cli_errorf(c, true, "export check: --to COUNTRY is required");
	date_t date;
	struct export_regime reg;
	struct export_answer a;
	struct lerr e = {0};
	if ((r = when(c, n, at, &date)) != EXIT_OK || (r = country_arg(c, "--to", to)) != EXIT_OK ||
	    (r = load(c, n, from, &reg)) != EXIT_OK)
		return r;
	if ((r = export_check(&reg, entry, to, date, &a, &e)) < 0) {
		export_regime_free(&reg);
		return cli_error(c, &e, r == LERR_INVAL);
	}
	int code = export_allowed(a.decision) ? EXIT_OK : EXIT_DENY;
	if (c->json) {
		r = cli_emit(encode_export_answer(&reg, &a, to, date));
	} else {
		char day[DATE_BUF_SIZE];
		printf("%s: %s to %s (%s) on %s\n", export_decision_name(a.decision),
		       a.entry ? a.entry->code : "an item with no list entry", to, country_name(to),
		       date_format(date, day));
		if (a.licence)
			printf("  licence: %s\n", a.licence->id);
		for (size_t i = 0; i < a.nreasons; i++)
			printf("  - %s\n", a.reasons[i]);
	}
	export_regime_free(&reg);
	return r != EXIT_OK ? r : code;
}

static int do_group(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *from = NULL, *at = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("from", &from), OPT_VAL("at", &at), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	date_t date;
	struct export_regime reg;
	if ((r = when(c, n, at, &date)) != EXIT_OK ||
	    (r = country_arg(c, "COUNTRY", pos[0])) != EXIT_OK ||
	    (r = load(c, n, from, &reg)) != EXIT_OK)
		return r;
	if (c->json) {
		r = cli_emit(encode_export_group(&reg, pos[0], date));
		export_regime_free(&reg);
		return r;
	}
	const struct export_interval *iv;
	char day[DATE_BUF_SIZE], buf[64];
	enum export_group g = export_group_on(&reg, pos[0], date, &iv);
	printf("%s (%s) is in %s's group %s on %s (%s)\n", pos[0], country_name(pos[0]), reg.party,
	       export_group_name(g), date_format(date, day), group_text(&reg, iv, buf));
	size_t shown = 0;
	for (size_t i = 0; i < reg.ngroups; i++)
		if (strcmp(reg.groups[i].country, pos[0]) == 0)
			printf("%s  group %s  %s\n", shown++ ? "" : "history:\n",
			       export_group_name(reg.groups[i].group),
			       group_text(&reg, &reg.groups[i], buf));
	printf("%sotherwise: group %s (the default)\n", shown ? "  " : "",
	       export_group_name(reg.default_group));
	export_regime_free(&reg);
	return EXIT_OK;
}

static void print_change(const struct export_change *x)
{
	char day[DATE_BUF_SIZE];
	date_format(x->date, day);
	if (!x->entry) {
		printf("%s  group %s -> %s\n", day, export_group_name(x->group_before),
		       export_group_name(x->group));
		return;
	}
	printf("%s  %-12s %s -> %s", day, x->entry->code, export_decision_name(x->before),
	       export_decision_name(x->after));
	if (x->licence)
		printf(" (licence %s)", x->licence->id);
	else if (x->measure && x->after == EXD_INDIVIDUAL_REQUIRED)
		printf(" (special measure)");
	printf("\n");
}

static int do_timeline(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *from = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("from", &from), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK || (r = country_arg(c, "COUNTRY", pos[0])) != EXIT_OK)
		return r;
	struct lerr e = {0};
	if (c->json) {
		json_t *o;
		return view_export_timeline(n, from, pos[0], &o, &e) < 0 ? cli_error(c, &e, false)
									 : cli_emit(o);
	}
	struct export_regime reg;
	if ((r = load(c, n, from, &reg)) != EXIT_OK)
		return r;
	struct export_change *ch;
	size_t nch;
	if (export_timeline(&reg, pos[0], &ch, &nch, &e) < 0) {
		export_regime_free(&reg);
		return cli_error(c, &e, false);
	}
	struct export_answer a;
	enum export_group g0 = export_group_on(&reg, pos[0], DATE_MIN, NULL);
	printf("%s (%s) under %s's export control\n", pos[0], country_name(pos[0]), reg.party);
	printf("before any change: group %s;", export_group_name(g0));
	for (size_t j = 0; j < reg.nentries; j++) {
		export_check(&reg, reg.entries[j].code, pos[0], DATE_MIN, &a, NULL);
		printf(" %s %s%s", reg.entries[j].code, export_decision_name(a.decision),
		       j + 1 < reg.nentries ? "," : "");
	}
	printf("\n");
	for (size_t i = 0; i < nch; i++)
		print_change(&ch[i]);
	if (!nch)
		printf("no change: %s is always in the default group\n", pos[0]);
	free(ch);
	export_regime_free(&reg);
	return EXIT_OK;
}

static void print_licence(const struct export_licence *l, date_t date)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	printf("%-16s %-12s %-4s %s to %s  %s\n", l->id, l->entry, l->country,
	       date_format(l->from, d1), date_format(l->to, d2),
	       date < l->from ? "not yet valid"
	       : date > l->to ? "expired"
			      : "valid");
}

static int licence_add(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *entry = NULL, *to = NULL, *vf = NULL, *vt = NULL, *from = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("entry", &entry),   OPT_VAL("to", &to),
				       OPT_VAL("valid-from", &vf), OPT_VAL("valid-to", &vt),
				       OPT_VAL("from", &from),	   {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	if (!entry || !to || !vf || !vt)
		return cli_errorf(c, true,
				  "export licence add: --entry, --to, --valid-from and --valid-to "
				  "are required");
	struct export_licence l = {0};
	if (!str_copy(l.id, sizeof l.id, pos[0]) || !str_copy(l.entry, sizeof l.entry, entry) ||
	    !str_copy(l.country, sizeof l.country, to))
		return cli_errorf(c, true, "export licence add: an argument is too long");
	if ((r = cli_date(c, "--valid-from", vf, &l.from)) != EXIT_OK ||
	    (r = cli_date(c, "--valid-to", vt, &l.to)) != EXIT_OK)
		return r;
	struct lerr e = {0};
	if ((r = node_export_licence_add(n, from, &l, &e)) < 0)
		return cli_error(c, &e, r == LERR_INVAL);
	if (c->json)
		return cli_emit(encode_export_licence(&l));
	printf("added ");
	print_licence(&l, n->clock.today);
	return EXIT_OK;
}

static int licence_list(const struct cli *c, struct node *n, int argc, char **argv)
{
	struct query q;
	int r = parse_query(c, argc, argv, &q);
	if (r != EXIT_OK)
		return r;
	date_t date;
	if ((r = when(c, n, q.at, &date)) != EXIT_OK ||
	    (q.to && (r = country_arg(c, "--to", q.to))) != EXIT_OK)
		return r;
	struct lerr e = {0};
	json_t *o;
	if (view_licences(n, q.from, q.entry, q.to, date, &o, &e) < 0)
		return cli_error(c, &e, false);
	if (c->json)
		return cli_emit(o);
	json_t *l;
	size_t i;
	json_array_foreach(json_object_get(o, "licences"), i, l)
	{
		printf("%-16s %-12s %-4s %s to %s  %s\n",
		       json_string_value(json_object_get(l, "id")),
		       json_string_value(json_object_get(l, "entry")),
		       json_string_value(json_object_get(l, "country")),
		       json_string_value(json_object_get(l, "from")),
		       json_string_value(json_object_get(l, "to")),
		       json_string_value(json_object_get(l, "status")));
	}
	json_decref(o);
	return EXIT_OK;
}

static int do_licence(const struct cli *c, struct node *n, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return licence_add(c, n, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return licence_list(c, n, argc - 1, argv + 1);
	return cli_errorf(c, true, "export licence: %s%s%s (one of: add, list)",
			  argc >= 2 ? "unknown action \"" : "which?", argc >= 2 ? argv[1] : "",
			  argc >= 2 ? "\"" : "");
}

static int do_regime(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *from = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("from", &from), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	struct export_regime reg;
	if ((r = load(c, n, from, &reg)) != EXIT_OK)
		return r;
	if (c->json) {
		r = cli_emit(encode_export_regime(&reg));
		export_regime_free(&reg);
		return r;
	}
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	printf(
	    "export regime of %s: default group %s, group intervals: %zu, licences on file: %zu\n",
	    reg.party, export_group_name(reg.default_group), reg.ngroups, reg.nlicences);
	printf("control list:\n");
	for (size_t i = 0; i < reg.nentries; i++)
		printf("  %-12s item %-2d %s\n", reg.entries[i].code, reg.entries[i].list_item,
		       reg.entries[i].name);
	for (size_t i = 0; i < reg.nmeasures; i++) {
		const struct export_measure *m = &reg.measures[i];
		printf(
		    "%s  to %s from %s%s%s:", i ? "" : "special measures (individual licence):\n",
		    m->country, date_format(m->from, d1), m->to == DATE_MAX ? "" : " to ",
		    m->to == DATE_MAX ? "" : date_format(m->to, d2));
		for (size_t k = 0; k < m->nentries; k++)
			printf(" %s", m->entries[k]);
		printf("\n");
	}
	export_regime_free(&reg);
	return EXIT_OK;
}

static int run_export(struct cli *c)
{
	static const struct cli_sub subs[] = {{"check", do_check, false},
					      {"group", do_group, false},
					      {"timeline", do_timeline, false},
					      {"licence", do_licence, false},
					      {"regime", do_regime, false}};
	return cli_dispatch(c, "export", subs, sizeof subs / sizeof subs[0]);
}

const struct cli_command cmd_export = {
    "export",
    run_export,
    "export control: check, group, timeline, licence, regime",
    "usage: liaison export check [--entry ENTRY] --to COUNTRY [--from PARTY] [--at DATE]\n"
    "       liaison export group COUNTRY [--from PARTY] [--at DATE]\n"
    "       liaison export timeline COUNTRY [--from PARTY]\n"
    "       liaison export licence add ID --entry ENTRY --to COUNTRY\n"
    "                                  --valid-from DATE --valid-to DATE [--from PARTY]\n"
    "       liaison export licence list [--entry ENTRY] [--to COUNTRY] [--from PARTY]\n"
    "                                   [--at DATE]\n"
    "       liaison export regime [--from PARTY]\n\n"
    "Export control of the exporting party (--from, default this node's party),\n"
    "as its regime in the configuration file says (\"export_regimes\").\n"
    "Countries are ISO 3166-1 alpha-3 codes (KOR, USA); entries are codes of\n"
    "the regime's control list.\n\n"
    "  check     may ENTRY (or an item with no entry) go to COUNTRY on DATE?\n"
    "            no-licence, general-bulk, special-general-bulk, licensed (exit 0)\n"
    "            or individual-required, catch-all-review, prohibited (exit 3),\n"
    "            with the country's group, the licence and the reasons\n"
    "  group     the country's group on DATE and every interval on file\n"
    "  timeline  every change for the country: its group, and each entry's answer\n"
    "  licence   add an individual licence (valid from and to, inclusive), or\n"
    "            list them with their status on DATE (valid, expired, future)\n"
    "  regime    the control list and special measures (--json: the regime as\n"
    "            in the configuration file, with every licence on file)\n\n"
    "options:\n"
    "  --at DATE  the day asked about (default: today, or LIAISON_NOW)\n"
    "  --json     answer with the objects of docs/export.md\n",
};
