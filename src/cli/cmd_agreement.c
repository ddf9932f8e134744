/* cmd_agreement.c - liaison agreement: list, show, status, timeline, event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../node/encode.h"
#include "../node/views.h"
#include "cli.h"

/* Loads agreement id into a newly allocated *a (free() it). */
static int load(const struct cli *c, struct node *n, const char *id, struct agreement **a)
{
	struct lerr e = {0};
	*a = malloc(sizeof **a);
	if (!*a)
		return cli_errorf(c, false, "out of memory");
	if (node_agreement_get(n, id, *a, &e) < 0) {
		free(*a);
		*a = NULL;
		return cli_error(c, &e, false);
	}
	return EXIT_OK;
}

static void print_event(const struct agreement *a, size_t i, const char *indent)
{
	char d[DATE_BUF_SIZE];
	const struct agr_event *ev = &a->events[i];
	if (ev->by[0])
		printf("%s%zu  %s  %-16s by %s\n", indent, i + 1, date_format(ev->date, d),
		       agr_event_kind_name(ev->kind), ev->by);
	else
		printf("%s%zu  %s  %s\n", indent, i + 1, date_format(ev->date, d),
		       agr_event_kind_name(ev->kind));
}

/* "in force, under notice: ends 2019-11-23" and the lines that explain it. */
static void print_state(const struct agreement *a, const struct agr_state *st)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE], d3[DATE_BUF_SIZE];
	printf("%s on %s: %s", a->id, date_format(st->date, d1), agr_state_name(st->state));
	if (st->state == AGR_UNDER_NOTICE)
		printf(", ends %s (its first day not in force)", date_format(st->ends, d1));
	if (st->state == AGR_TERMINATED)
		printf(" since %s", date_format(st->since, d1));
	printf("\n");
	if (st->without != AGR_NONE && st->without < a->nevents) {
		printf("  counterfactual, without event ");
		print_event(a, st->without, "");
	}
	if (st->state == AGR_TERMINATED)
		printf("  was in force from %s to %s\n", date_format(st->in_force_since, d1),
		       date_format(st->since - 1, d2));
	else if (st->entered)
		printf("  in force since %s\n", date_format(st->in_force_since, d1));
	else if (st->is_signed)
		printf("  signed %s, not yet in force\n", date_format(st->signed_on, d1));
	if (st->state == AGR_IN_FORCE || st->state == AGR_UNDER_NOTICE)
		printf("  term %ld runs %s to %s (renews on %s)\n", st->term,
		       date_format(st->term_start, d1), date_format(st->term_end - 1, d2),
		       date_format(st->term_end, d3));
	if (st->state == AGR_IN_FORCE && st->notice.status != AGR_NOTICE_PENDING)
		printf("  a notice given by %s ends it at the end of this term\n",
		       date_format(st->notice_deadline, d1));
	const struct agr_notice *nt = &st->notice;
	if (nt->status != AGR_NOTICE_NONE) {
		printf("  notice by %s given %s (event %zu): ", nt->by, date_format(nt->given, d1),
		       nt->event + 1);
		if (st->state == AGR_TERMINATED)
			printf("took effect %s", date_format(nt->effective, d1));
		else if (nt->status == AGR_NOTICE_PENDING)
			printf("pending%s, takes effect %s", nt->resumed ? " (resumed)" : "",
			       date_format(nt->effective, d1));
		else
			printf("%s on %s", agr_notice_status_name(nt->status),
			       date_format(nt->changed, d1));
		printf("\n");
	}
	for (size_t i = 0; i < st->nignored; i++) {
		printf("  event %zu does not apply: %s\n", st->ignored[i].event + 1,
		       st->ignored[i].reason);
	}
	if (st->nignored_total > st->nignored)
		printf("  and %zu more events do not apply\n", st->nignored_total - st->nignored);
}

/* Parses --without N into an event index of a; prints usage errors. */
static int parse_without(const struct cli *c, const struct agreement *a, const char *s, size_t *out)
{
	*out = AGR_NONE;
	struct lerr e = {0};
	if (s && agreement_event_number(a, s, out, &e) < 0) {
		lerr_prefix(&e, "--without");
		return cli_error(c, &e, true);
	}
	return EXIT_OK;
}

static int do_list(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *at = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("at", &at), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	date_t on = n->clock.today;
	if (r == EXIT_OK && at)
		r = cli_date(c, "--at", at, &on);
	if (r != EXIT_OK)
		return r;
	struct lerr e = {0};
	if (c->json) {
		json_t *o;
		return view_agreements(n, on, &o, &e) < 0 ? cli_error(c, &e, false) : cli_emit(o);
	}
	char(*ids)[AGR_ID_MAX];
	size_t nids;
	if (node_agreement_ids(n, &ids, &nids, &e) < 0)
		return cli_error(c, &e, false);
	struct agr_state st;
	for (size_t i = 0; r == EXIT_OK && i < nids; i++) {
		struct agreement *a;
		if ((r = load(c, n, ids[i], &a)) != EXIT_OK)
			break;
		agreement_state(a, on, AGR_NONE, &st);
		char parties[AGR_PARTIES_MAX * PARTY_CODE_MAX] = "";
		size_t len = 0;
		for (size_t p = 0; p < a->nparties; p++)
			len += (size_t)snprintf(parties + len, sizeof parties - len, "%s%s",
						p ? "," : "", a->parties[p]);
		printf("%-20s %-12s %-22s %s\n", a->id, parties, agr_state_name(st.state),
		       a->title);
		free(a);
	}
	free(ids);
	return r;
}

static int do_show(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int np;
	const struct cli_opt opts[] = {{0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	struct agreement *a = NULL;
	struct lerr e = {0};
	if (r == EXIT_OK && c->json) {
		json_t *o;
		return view_agreement(n, pos[0], &o, &e) < 0 ? cli_error(c, &e, false)
							     : cli_emit(o);
	}
	if (r == EXIT_OK)
		r = load(c, n, pos[0], &a);
	if (r != EXIT_OK)
		return r;
	struct party ps[AGR_PARTIES_MAX];
	for (size_t i = 0; r == EXIT_OK && i < a->nparties; i++)
		if (node_party_get(n, a->parties[i], &ps[i], &e) < 0)
			r = cli_error(c, &e, false);
	if (r == EXIT_OK) {
		printf("%s: %s\nparties:", a->id, a->title);
		for (size_t i = 0; i < a->nparties; i++)
			printf("%s %s (%s)", i ? "," : "", ps[i].code, ps[i].name);
		printf("\nterms: %d year(s), renewed by %d year(s); notice %d days before a term "
		       "ends\n",
		       a->term_years, a->renewal_years, a->notice_days);
		printf("equivalence:\n");
		for (size_t q = 0; q < a->nequiv; q++) {
			printf("  %-14s", a->equiv[q].common);
			for (size_t i = 0; i < a->equiv[q].n; i++) {
				const struct agr_equiv_level *l = &a->equiv[q].levels[i];
				const struct party *p = party_find(ps, a->nparties, l->party);
				const struct scheme_level *sl = p ? party_level(p, l->level) : NULL;
				printf("  %s %s %s", l->party, l->level, sl ? sl->name : "");
			}
			printf("\n");
		}
		for (size_t i = 0; i < a->nparties; i++)
			for (size_t l = 0; l < ps[i].nlevels; l++)
				if (!agreement_equiv_row(a, ps[i].code, ps[i].levels[l].code))
					printf("  no equivalent: %s %s %s\n", ps[i].code,
					       ps[i].levels[l].code, ps[i].levels[l].name);
		printf("events:\n");
		for (size_t i = 0; i < a->nevents; i++)
			print_event(a, i, "  ");
	}
	free(a);
	return r;
}

static int do_status(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *at = NULL, *without = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("at", &at), OPT_VAL("without", &without), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	date_t on = n->clock.today;
	if (r == EXIT_OK && at)
		r = cli_date(c, "--at", at, &on);
	struct agreement *a = NULL;
	if (r == EXIT_OK)
		r = load(c, n, pos[0], &a);
	size_t skip = AGR_NONE;
	if (r == EXIT_OK)
		r = parse_without(c, a, without, &skip);
	if (r == EXIT_OK) {
		struct agr_state st;
		agreement_state(a, on, skip, &st);
		if (c->json) {
			json_t *o = encode_state(a, &st);
			encode_clock(o, &n->clock);
			r = cli_emit(o);
		} else
			print_state(a, &st);
	}
	free(a);
	return r;
}

static int do_timeline(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *from_s = NULL, *to_s = NULL, *without = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {
	    OPT_VAL("from", &from_s), OPT_VAL("to", &to_s), OPT_VAL("without", &without), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	struct agreement *a = NULL;
	if (r == EXIT_OK)
		r = load(c, n, pos[0], &a);
	/* by default: from the first event to today or the last event */
	date_t from = a && a->nevents ? a->events[0].date : n->clock.today;
	date_t to = n->clock.today;
	if (a && a->nevents && a->events[a->nevents - 1].date > to)
		to = a->events[a->nevents - 1].date;
	if (r == EXIT_OK && from_s)
		r = cli_date(c, "--from", from_s, &from);
	if (r == EXIT_OK && to_s)
		r = cli_date(c, "--to", to_s, &to);
	size_t skip = AGR_NONE;
	if (r == EXIT_OK)
		r = parse_without(c, a, without, &skip);
	struct agr_state *v = NULL;
	size_t nv = 0;
	struct lerr e = {0};
	if (r == EXIT_OK && agreement_timeline(a, from, to, skip, &v, &nv, &e) < 0)
		r = cli_error(c, &e, true);
	if (r == EXIT_OK && c->json) {
		json_t *o;
		r = view_agreement_timeline(n, a->id, &from, &to, without, &o, &e) < 0
			? cli_error(c, &e, false)
			: cli_emit(o);
	} else if (r == EXIT_OK) {
		char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
		printf("%s from %s to %s", a->id, date_format(from, d1), date_format(to, d2));
		if (skip != AGR_NONE) {
			printf(", without event ");
			print_event(a, skip, "");
		} else
			printf("\n");
		for (size_t i = 0; i < nv; i++) {
			const struct agr_state *st = &v[i];
			printf("  %s  %s", date_format(st->date, d1), agr_state_name(st->state));
			if (st->state == AGR_UNDER_NOTICE)
				printf(", ends %s", date_format(st->ends, d1));
			if (st->state == AGR_TERMINATED)
				printf(" since %s", date_format(st->since, d1));
			if (st->state == AGR_TERMINATED)
				printf(" (notice by %s given %s)", st->notice.by,
				       date_format(st->notice.given, d1));
			else if (st->notice.status != AGR_NOTICE_NONE)
				printf(" (notice by %s given %s: %s)", st->notice.by,
				       date_format(st->notice.given, d1),
				       agr_notice_status_name(st->notice.status));
			printf("\n");
		}
	}
	free(v);
	free(a);
	return r;
}

static int do_event(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *date_s = NULL, *by = NULL, *pos[2];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("date", &date_s), OPT_VAL("by", &by), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 2, 2, &np);
	if (r != EXIT_OK)
		return r;
	struct agr_event ev = {0};
	struct lerr e = {0};
	if (!date_s)
		return cli_errorf(c, true, "event: --date YYYY-MM-DD is required");
	if ((r = cli_date(c, "--date", date_s, &ev.date)) != EXIT_OK)
		return r;
	if (agr_event_kind_parse(pos[1], &ev.kind, &e) < 0)
		return cli_error(c, &e, true);
	if (by && (party_code_check(by, &e) < 0 || !str_copy(ev.by, sizeof ev.by, by)))
		return cli_error(c, &e, true);
	struct agreement *a = malloc(sizeof *a);
	size_t number;
	if (!a)
		return cli_errorf(c, false, "out of memory");
	size_t notes = 0;
	const struct event_how how = {.source = "cli", .notes = &notes};
	if (node_agreement_record_as(n, pos[0], &ev, &how, a, &number, &e) < 0) {
		free(a);
		return cli_error(c, &e, false);
	}
	struct agr_state st;
	agreement_state(a, n->clock.today, AGR_NONE, &st);
	if (c->json) {
		json_t *o = json_pack("{s:o, s:o, s:I}", "event", encode_event(a, number - 1),
				      "status", encode_state(a, &st), "notes", (json_int_t)notes);
		encode_clock(o, &n->clock);
		r = cli_emit(o);
	} else {
		printf("recorded event ");
		print_event(a, number - 1, "");
		print_state(a, &st);
		if (notes)
			printf("sent as a note to the other parties' nodes: %zu queued (liaison "
			       "peer outbox)\n",
			       notes);
	}
	free(a);
	return r;
}

static int run_agreement(struct cli *c)
{
	static const struct cli_sub subs[] = {{"list", do_list},
					      {"show", do_show},
					      {"status", do_status},
					      {"timeline", do_timeline},
					      {"event", do_event}};
	return cli_dispatch(c, "agreement", subs, sizeof subs / sizeof subs[0]);
}

const struct cli_command cmd_agreement = {
    "agreement",
    run_agreement,
    "agreements: list, show, status, timeline, event",
    "usage: liaison agreement list [--at DATE]\n"
    "       liaison agreement show ID\n"
    "       liaison agreement status ID [--at DATE] [--without N]\n"
    "       liaison agreement timeline ID [--from DATE] [--to DATE] [--without N]\n"
    "       liaison agreement event ID KIND --date DATE [--by PARTY]\n\n"
    "list      every agreement with its state on DATE (default: today)\n"
    "show      parties, terms, the equivalence table (and the levels without an\n"
    "          equivalent), and the numbered events\n"
    "status    the state on DATE: not-in-force, in-force, in-force-under-notice\n"
    "          (with the day it ends), terminated (since a day); the running term\n"
    "          and the notice, if any. --without N: the counterfactual, as if\n"
    "          event N had not happened\n"
    "timeline  every change of state between two dates (default: the first event\n"
    "          to today or the last event)\n"
    "event     records an event: KIND is signed, in-force, notice,\n"
    "          notice-suspended, notice-resumed, notice-withdrawn or amended.\n"
    "          Refused when it cannot happen (a suspension with no pending notice,\n"
    "          a notice by a non-party, an event before entry into force or after\n"
    "          termination, a date after the node's today). An event --by this\n"
    "          node's own party is also sent, as a signed note, to the nodes of\n"
    "          the agreement's other parties that are peers (liaison peer),\n"
    "          which record it too, with the note as evidence.\n\n"
    "Dates are YYYY-MM-DD; a change takes effect at the start of its day.\n"
    "options:\n"
    "  --json      answer with the state, agreement or event objects\n"
    "  --home DIR  the node's folder\n",
};
