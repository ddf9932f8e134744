/*
 * cmd_agreement.c - liaison agreement: list, show, status, timeline, event.
 *
 * Each answer is a view of node/views.h, asked of the node itself or of
 * its daemon (remote.h), and printed from that JSON: the same text either
 * way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../crypto/fio.h"
#include "../node/encode.h"
#include "../node/views.h"
#include "cli.h"
#include "remote.h"

/* "2  2019-08-23  notice           by KOR" from an event object; a joint act
 * one party recorded so far says whose record it awaits. */
static void print_event(const json_t *ev, const char *indent)
{
	const char *by = cli_str(ev, "by"), *awaiting = cli_str(ev, "awaiting");
	if (by[0])
		printf("%s%lld  %s  %-16s by %s", indent,
		       (long long)json_integer_value(json_object_get(ev, "number")),
		       cli_str(ev, "date"), cli_str(ev, "kind"), by);
	else
		printf("%s%lld  %s  %s", indent,
		       (long long)json_integer_value(json_object_get(ev, "number")),
		       cli_str(ev, "date"), cli_str(ev, "kind"));
	if (awaiting[0])
		printf("  (no effect yet: awaiting %s's record of it)", awaiting);
	putchar('\n');
	char deeper[32];
	snprintf(deeper, sizeof deeper, "%s    ", indent);
	cli_print_source(ev, deeper);
}

/* The day before a YYYY-MM-DD text (a term's last day, the day an agreement ended). */
static const char *day_before(const char *day, char out[DATE_BUF_SIZE])
{
	date_t d;
	if (date_parse(day, &d, NULL) < 0)
		return day;
	return date_format(d - 1, out);
}

/* "in force, under notice: ends 2019-11-23" and the lines that explain it. */
static void print_state(const json_t *st)
{
	const char *state = cli_str(st, "state");
	const json_t *term = json_object_get(st, "term"), *nt = json_object_get(st, "notice"), *ev;
	char d1[DATE_BUF_SIZE];
	bool terminated = strcmp(state, "terminated") == 0,
	     running =
		 strcmp(state, "in-force") == 0 || strcmp(state, "in-force-under-notice") == 0;
	printf("%s on %s: %s", cli_str(st, "agreement"), cli_str(st, "date"), state);
	if (strcmp(state, "in-force-under-notice") == 0)
		printf(", ends %s (its first day not in force)", cli_str(st, "ends"));
	if (terminated)
		printf(" since %s", cli_str(st, "since"));
	printf("\n");
	if (json_object_get(st, "without")) {
		printf("  counterfactual, without event ");
		print_event(json_object_get(st, "without"), "");
	}
	if (terminated)
		printf("  was in force from %s to %s\n", cli_str(st, "in_force_since"),
		       day_before(cli_str(st, "since"), d1));
	else if (json_object_get(st, "in_force_since"))
		printf("  in force since %s\n", cli_str(st, "in_force_since"));
	else if (json_object_get(st, "signed"))
		printf("  signed %s, not yet in force\n", cli_str(st, "signed"));
	if (running && term)
		printf("  term %lld runs %s to %s, its last day (it ends at the start of %s)\n",
		       (long long)json_integer_value(json_object_get(term, "number")),
		       cli_str(term, "started"), cli_str(term, "last_day"), cli_str(term, "ends"));
	/* dates as YYYY-MM-DD compare as text */
	if (term && json_object_get(term, "notice_deadline") &&
	    strcmp(cli_str(st, "date"), cli_str(term, "notice_deadline")) > 0)
		printf("  the deadline to end it at the end of this term passed on %s: a notice "
		       "given now ends a later term\n",
		       cli_str(term, "notice_deadline"));
	else if (term && json_object_get(term, "notice_deadline"))
		printf("  a notice given by %s ends it at the end of this term\n",
		       cli_str(term, "notice_deadline"));
	if (nt) {
		const char *status = cli_str(nt, "status");
		printf("  notice by %s given %s (event %lld): ", cli_str(nt, "by"),
		       cli_str(nt, "given"),
		       (long long)json_integer_value(json_object_get(nt, "event")));
		if (terminated)
			printf("took effect %s", cli_str(st, "since"));
		else if (strcmp(status, "pending") == 0)
			printf("pending%s, takes effect %s",
			       json_is_true(json_object_get(nt, "resumed")) ? " (resumed)" : "",
			       cli_str(nt, "effective"));
		else
			printf("%s on %s", status,
			       cli_str(nt, strcmp(status, "suspended") == 0 ? "suspended"
									    : "withdrawn"));
		printf("\n");
	}
	size_t i;
	json_array_foreach (json_object_get(st, "ignored"), i, ev)
		printf("  event %lld does not apply: %s\n",
		       (long long)json_integer_value(json_object_get(ev, "number")),
		       cli_str(ev, "reason"));
	json_int_t more = json_integer_value(json_object_get(st, "ignored_more"));
	if (more)
		printf("  and %lld more events do not apply\n", (long long)more);
}

/* --at DATE: parsed here for the node; passed on to the daemon as it is. */
static int at_date(const struct cli *c, const struct node *n, const char *opt, const char *s,
		   date_t *d)
{
	if (n)
		*d = n->clock.today;
	return s ? cli_date(c, opt, s, d) : EXIT_OK;
}

static int do_list(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *at = NULL, *pos[1];
	int np;
	struct cli_list l = {"agreements", "id", NULL, NULL};
	const struct cli_opt opts[] = {OPT_VAL("at", &at), CLI_PAGE_OPTS(l), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	date_t on = 0;
	if (r == EXIT_OK)
		r = at_date(c, n, "--at", at, &on);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL, *a;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/agreements", NULL, NULL);
	remote_query(&rq, "at", at);
	if ((r = remote_list(c, n ? view_agreements(n, on, &o, &e) : 0, &e, &rq, &l, &o)) !=
	    EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	size_t i;
	json_array_foreach (json_object_get(o, "agreements"), i, a) {
		char parties[AGR_PARTIES_MAX * PARTY_CODE_MAX] = "";
		size_t len = 0, k;
		json_t *p;
		json_array_foreach (json_object_get(a, "parties"), k, p)
			len += (size_t)snprintf(parties + len, sizeof parties - len, "%s%s",
						k ? "," : "", json_string_value(p));
		printf("%-20s %-12s %-22s %s\n", cli_str(a, "id"), parties,
		       cli_str(json_object_get(a, "status"), "state"), cli_str(a, "title"));
	}
	json_decref(o);
	return EXIT_OK;
}

/* The national name of a party's level, from an agreement's parties. */
static const char *level_name(const json_t *parties, const char *party, const char *level)
{
	size_t i, k;
	json_t *p, *l;
	json_array_foreach (parties, i, p)
		if (strcmp(cli_str(p, "code"), party) == 0)
			json_array_foreach (json_object_get(p, "levels"), k, l)
				if (strcmp(cli_str(l, "code"), level) == 0)
					return cli_str(l, "name");
	return "";
}

static int do_show(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int r = cli_words(c, argc, argv, pos, 1);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	if ((r = remote_get(c, n ? view_agreement(n, pos[0], &o, &e) : 0, &e, "/v1/agreements/",
			    pos[0], &o)) != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	const json_t *ps = json_object_get(o, "parties"), *row, *p, *v;
	size_t i, k;
	const char *key;
	printf("%s: %s\nparties:", cli_str(o, "id"), cli_str(o, "title"));
	json_array_foreach (ps, i, p)
		printf("%s %s (%s)", i ? "," : "", cli_str(p, "code"), cli_str(p, "name"));
	printf("\nterms: %lld year(s), renewed by %lld year(s); notice %lld days before a term's "
	       "last day\n",
	       (long long)json_integer_value(json_object_get(o, "term_years")),
	       (long long)json_integer_value(json_object_get(o, "renewal_years")),
	       (long long)json_integer_value(json_object_get(o, "notice_days")));
	printf("equivalence:\n");
	json_array_foreach (json_object_get(o, "equivalence"), i, row) {
		printf("  %-14s", cli_str(row, "common"));
		json_object_foreach ((json_t *)row, key, v) {
			if (strcmp(key, "common") == 0)
				continue;
			json_array_foreach (v, k, p)
				printf("  %s %s %s", key, json_string_value(p),
				       level_name(ps, key, json_string_value(p)));
		}
		printf("\n");
	}
	json_array_foreach (json_object_get(o, "unmapped"), i, p)
		printf("  no equivalent: %s %s %s\n", cli_str(p, "party"), cli_str(p, "level"),
		       cli_str(p, "name"));
	printf("events:\n");
	json_array_foreach (json_object_get(o, "events"), i, p)
		print_event(p, "  ");
	json_array_foreach (json_object_get(o, "announcements"), i, p) {
		if (!i)
			printf("announcements (no change of state):\n");
		cli_print_announcement(p, "  ");
	}
	json_decref(o);
	return EXIT_OK;
}

static int do_status(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *at = NULL, *without = NULL, *pos[1];
	int np;
	const struct cli_opt opts[] = {OPT_VAL("at", &at), OPT_VAL("without", &without), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	date_t on = 0;
	if (r == EXIT_OK)
		r = at_date(c, n, "--at", at, &on);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/agreements/", pos[0], "/status");
	remote_query(&rq, "at", at);
	remote_query(&rq, "without", without);
	if ((r = remote_answer(c, n ? view_agreement_status(n, pos[0], on, without, &o, &e) : 0, &e,
			       &rq, &o)) != EXIT_OK)
		return r;
	return cli_show(c, o, print_state);
}

/* The timeline's picture (SVG) on standard output, or in the file out. */
static int timeline_svg_out(const struct cli *c, struct node *n, const char *id, const date_t *from,
			    const date_t *to, const char *without, struct remote_req *rq,
			    const char *out, bool force)
{
	struct lerr e = {0};
	const char *to_file = out && !fio_is_std(out) ? out : NULL;
	uint64_t bytes = 0;
	int r = EXIT_OK;
	if (c->remote) {
		rq->download = to_file ? to_file : "-";
		rq->force = force;
		json_t *none = NULL;
		long status;
		if ((r = remote_call(c, rq, &none, &status)) != EXIT_OK)
			return r;
		json_decref(none);
		bytes = rq->bytes;
	} else {
		char *svg;
		size_t len;
		if (view_agreement_timeline_svg(n, id, from, to, without, &svg, &len, &e) < 0)
			return cli_error(c, &e);
		int w = fio_write_file(to_file ? to_file : "-", svg, len, 0644, force, &e);
		free(svg);
		if (w < 0)
			return cli_error(c, &e);
		bytes = len;
	}
	if (!to_file)
		return EXIT_OK; /* standard output carries the picture */
	if (c->json)
		return cli_emit(json_pack("{s:s, s:s, s:I}", "agreement", id, "output", to_file,
					  "bytes", (json_int_t)bytes));
	printf("the timeline of %s as SVG: %s (%llu bytes)\n", id, to_file,
	       (unsigned long long)bytes);
	return EXIT_OK;
}

static int do_timeline(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *from_s = NULL, *to_s = NULL, *without = NULL, *out = NULL, *pos[1];
	bool svg = false, force = false;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("from", &from_s),
				       OPT_VAL("to", &to_s),
				       OPT_VAL("without", &without),
				       OPT_FLAG("svg", &svg),
				       {.name = "output", .val = &out, .letter = 'o'},
				       OPT_FLAG("force", &force),
				       {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	date_t from = 0, to = 0;
	if (r == EXIT_OK && from_s)
		r = cli_date(c, "--from", from_s, &from);
	if (r == EXIT_OK && to_s)
		r = cli_date(c, "--to", to_s, &to);
	if (r == EXIT_OK && (out || force) && !svg)
		r = cli_bad_usagef(c, "timeline: -o FILE and --force go with --svg");
	if (r != EXIT_OK)
		return r;
	if (svg) {
		struct remote_req rq = {.method = "GET"};
		remote_path(&rq, "/v1/agreements/", pos[0], "/timeline.svg");
		remote_query(&rq, "from", from_s);
		remote_query(&rq, "to", to_s);
		remote_query(&rq, "without", without);
		return timeline_svg_out(c, n, pos[0], from_s ? &from : NULL, to_s ? &to : NULL,
					without, &rq, out, force);
	}
	json_t *o = NULL, *ch;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/agreements/", pos[0], "/timeline");
	remote_query(&rq, "from", from_s);
	remote_query(&rq, "to", to_s);
	remote_query(&rq, "without", without);
	if ((r = remote_answer(c,
			       n ? view_agreement_timeline(n, pos[0], from_s ? &from : NULL,
							   to_s ? &to : NULL, without, &o, &e)
				 : 0,
			       &e, &rq, &o)) != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	printf("%s from %s to %s", cli_str(o, "agreement"), cli_str(o, "from"), cli_str(o, "to"));
	if (json_object_get(o, "without")) {
		printf(", without event ");
		print_event(json_object_get(o, "without"), "");
	} else
		printf("\n");
	size_t i;
	json_array_foreach (json_object_get(o, "changes"), i, ch) {
		const char *state = cli_str(ch, "state");
		const json_t *nt = json_object_get(ch, "notice");
		printf("  %s  %s", cli_str(ch, "date"), state);
		if (strcmp(state, "in-force-under-notice") == 0)
			printf(", ends %s", cli_str(ch, "ends"));
		if (strcmp(state, "terminated") == 0)
			printf(" since %s (notice by %s given %s)", cli_str(ch, "since"),
			       cli_str(nt, "by"), cli_str(nt, "given"));
		else if (nt)
			printf(" (notice by %s given %s: %s)", cli_str(nt, "by"),
			       cli_str(nt, "given"), cli_str(nt, "status"));
		printf("\n");
	}
	json_array_foreach (json_object_get(o, "announcements"), i, ch) {
		if (!i)
			printf("announcements (no change of state):\n");
		cli_print_announcement(ch, "  ");
	}
	json_decref(o);
	return EXIT_OK;
}

static int do_event(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *date_s = NULL, *by = NULL, *pos[2];
	bool dry = false;
	int np;
	const struct cli_opt opts[] = {
	    OPT_VAL("date", &date_s), OPT_VAL("by", &by), OPT_FLAG("dry-run", &dry), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 2, 2, &np);
	if (r != EXIT_OK)
		return r;
	struct agr_event ev = {0};
	struct lerr e = {0};
	if (!date_s)
		return cli_bad_usagef(c, "event: --date YYYY-MM-DD is required");
	if ((r = cli_date(c, "--date", date_s, &ev.date)) != EXIT_OK)
		return r;
	if (agr_event_kind_parse(pos[1], &ev.kind, &e) < 0)
		return cli_bad_usage(c, &e);
	if (by && (party_code_check(by, &e) < 0 || !str_copy(ev.by, sizeof ev.by, by)))
		return cli_bad_usage(c, &e);
	json_t *o = NULL;
	struct remote_req rq = {.method = "POST"};
	remote_path(&rq, "/v1/agreements/", pos[0], "/events");
	remote_query(&rq, "dry_run", dry ? "true" : NULL);
	rq.body = json_pack("{s:s, s:s}", "date", date_s, "kind", pos[1]);
	if (by)
		json_object_set_new(rq.body, "by", json_string(by));
	r = remote_answer(c, n ? view_event_record(n, pos[0], &ev, "cli", dry, &o, &e) : 0, &e, &rq,
			  &o);
	json_decref(rq.body);
	if (r != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	printf(dry ? "dry run, nothing recorded: event " : "recorded event ");
	print_event(json_object_get(o, "event"), "");
	if (dry)
		printf("the state it would leave today:\n");
	print_state(json_object_get(o, "status"));
	printf("%s\n", cli_str(o, "consequence"));
	json_int_t notes = json_integer_value(json_object_get(o, "notes"));
	if (notes && dry)
		printf("it would be sent as a note to %lld of the other parties' nodes\n",
		       (long long)notes);
	else if (notes)
		printf("sent as a note to the other parties' nodes: %lld queued (liaison "
		       "peer outbox)\n",
		       (long long)notes);
	json_decref(o);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
    {"list", do_list, true, "list [--at DATE]",
     "Every agreement with its state on DATE (default: today).\n"},
    {"show", do_show, true, "show ID",
     "Parties, terms, the equivalence table (and the levels without an\n"
     "equivalent), and the numbered events.\n"},
    {"status", do_status, true, "status ID [--at DATE] [--without N]",
     "The state on DATE: not-in-force, in-force, in-force-under-notice\n"
     "(with the day it ends), terminated (since a day); the running term\n"
     "and the notice, if any. --without N: the counterfactual, as if\n"
     "event N had not happened.\n"},
    {"timeline", do_timeline, true,
     "timeline ID [--from DATE] [--to DATE] [--without N]\n"
     "                                  [--svg [-o FILE [--force]]]",
     "Every change of state between two dates (default: the first event\n"
     "to today or the last event). --svg: the same as a picture (SVG):\n"
     "the states over the years, each term end, each event, the day a\n"
     "notice ends the agreement; on standard output, or in FILE (-o).\n"},
    {"event", do_event, true, "event ID KIND --date DATE [--by PARTY] [--dry-run]",
     "Records an event: KIND is signed, in-force, notice,\n"
     "notice-suspended, notice-resumed, notice-withdrawn or amended.\n"
     "Refused when it cannot happen (a suspension with no pending notice,\n"
     "a notice by a non-party, an event before entry into force or after\n"
     "termination, a date after the node's today). An event --by this\n"
     "node's own party is also sent, as a signed note, to the nodes of\n"
     "the agreement's other parties that are peers (liaison peer),\n"
     "which record it too, with the note as evidence. Through a daemon\n"
     "(liaison login), a registrar's. Each answer says what the event\n"
     "does (\"this notice ends the agreement at the start of ...\").\n"
     "--dry-run: the same checks and answer, what it would do, and\n"
     "nothing recorded, logged or sent.\n"},
};

static int run_agreement(struct cli *c)
{
	return cli_dispatch(c, &cmd_agreement);
}

const struct cli_command cmd_agreement = {
    "agreement",
    run_agreement,
    "agreements and their lifecycle",
    NULL,
    subs,
    sizeof subs / sizeof subs[0],
    "Dates are YYYY-MM-DD; a change takes effect at the start of its day.\n"
    "options:\n"
    "  --json      answer with the state, agreement or event objects\n"
    "  --home DIR  the node's folder\n",
};
