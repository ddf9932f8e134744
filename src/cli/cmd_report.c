/* cmd_report.c - liaison report: the compromise reports peers sent about
 * this party's items, and their acknowledgement by a security officer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "../node/views.h"
#include "cli.h"
#include "remote.h"

/* A peer's or an officer's text, whole, escaped for the terminal (a
 * control as \uXXXX: at most six bytes for one). */
static void put_text(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	size_t n = s ? strlen(s) * 6 + 1 : 0;
	char *b = n ? malloc(n) : NULL;
	fputs(!s ? "" : b ? text_escape(s, b, n) : "(out of memory)", stdout);
	free(b);
}

static void print_report(const json_t *r)
{
	const json_t *ack = json_object_get(r, "acknowledged");
	printf("%s  item %s, reported by %s of %s on %s, received %s: ", cli_str(r, "id"),
	       cli_str(r, "item"), cli_str(r, "by"), cli_str(r, "from"), cli_str(r, "reported_on"),
	       cli_str(r, "received_on"));
	if (json_is_object(ack)) {
		printf("acknowledged by %s on %s: ", cli_str(ack, "by"), cli_str(ack, "on"));
		put_text(ack, "note");
		putchar('\n');
	} else
		printf("OPEN\n");
}

/* report show: the report, then its details as the reporting party wrote them */
static void print_one(const json_t *r)
{
	print_report(r);
	const json_t *rep = json_object_get(json_object_get(r, "document"), "compromise_report");
	printf("sha256 %s\ndetails: ", cli_str(r, "sha256"));
	put_text(rep, "details");
	putchar('\n');
}

static int do_list(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *none[1], *item = NULL;
	bool open = false;
	struct cli_list l = {"reports", "id", NULL, NULL};
	const struct cli_opt opts[] = {
	    OPT_VAL("item", &item), OPT_FLAG("open", &open), CLI_PAGE_OPTS(l), {0}};
	int np, r = cli_parse(c, argc, argv, opts, none, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL, *p;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/reports", NULL, NULL);
	remote_query(&rq, "item", item);
	remote_query(&rq, "open", open ? "true" : NULL);
	if ((r = remote_list(c, n ? view_reports(n, NULL, item, open, &o, &e) : 0, &e, &rq, &l,
			     &o)) != EXIT_OK)
		return r;
	long long nopen = (long long)json_integer_value(json_object_get(o, "open"));
	if (c->json)
		return (r = cli_emit(o)) != EXIT_OK ? r : nopen ? EXIT_FAIL : EXIT_OK;
	size_t i;
	json_array_foreach (json_object_get(o, "reports"), i, p)
		print_report(p);
	if (!json_array_size(json_object_get(o, "reports")))
		printf("no compromise reports%s\n", item || open ? " here" : "");
	if (n) { /* report files an older liaison kept that did not check */
		char dir[NODE_PATH_MAX + 32];
		snprintf(dir, sizeof dir, "%s/reports/rejected", n->home);
		DIR *d = opendir(dir);
		size_t k = 0;
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL)
			k += de->d_name[0] != '.';
		if (d)
			closedir(d);
		if (k)
			fprintf(stderr,
				"note: %zu report file%s in %s did not check (not a report of "
				"this party's item signed by its peer): see docs/cli.md, report\n",
				k, k == 1 ? "" : "s", dir);
	}
	if (nopen)
		fprintf(stderr,
			"ALARM: %lld compromise report(s) not acknowledged (liaison report "
			"acknowledge ID --note TEXT)\n",
			nopen);
	json_decref(o);
	return nopen ? EXIT_FAIL : EXIT_OK;
}

static int do_show(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int r = cli_words(c, argc, argv, pos, 1);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	r = remote_get(c, n ? view_report(n, NULL, pos[0], &o, &e) : 0, &e, "/v1/reports/", pos[0],
		       &o);
	return r != EXIT_OK ? r : cli_show(c, o, print_one);
}

static int do_acknowledge(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1], *by = NULL, *note = NULL;
	const struct cli_opt opts[] = {OPT_VAL("by", &by), OPT_VAL("note", &note), {0}};
	int np, r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	if (!note)
		return cli_bad_usagef(c, "report acknowledge: --note TEXT is required (what was "
					 "done about the compromise)");
	if ((r = remote_acting(c, "report acknowledge", "--by", &by)) != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "POST", .body = json_pack("{s:s}", "note", note)};
	remote_path(&rq, "/v1/reports/", pos[0], "/acknowledge");
	r = remote_answer(c, n ? view_report_ack(n, NULL, by, pos[0], note, &o, &e) : 0, &e, &rq,
			  &o);
	json_decref(rq.body);
	return r != EXIT_OK ? r : cli_show(c, o, print_report);
}

static const struct cli_sub subs[] = {
    {"list", do_list, true, "list [--item ID] [--open] [--after ID] [--limit N]",
     "The compromise reports peers sent about this party's items, newest\n"
     "first (--item: about one item; --open: those not acknowledged). While\n"
     "any is not acknowledged the node's alarm stands: said on stderr, and\n"
     "the exit status is 1.\n"},
    {"show", do_show, true, "show ID",
     "One report: who reported what and when, its SHA-256, the details as\n"
     "the reporting party wrote them, and its acknowledgement.\n"},
    {"acknowledge", do_acknowledge, true, "acknowledge ID --note TEXT --by PERSON",
     "A security officer of this party acknowledges the report, saying what\n"
     "was done (--note, one line): stored, logged, and the alarm it raised\n"
     "ends. Through a daemon the token's person acknowledges (--by only\n"
     "names them).\n"},
};

static int run_report(struct cli *c)
{
	return cli_dispatch(c, &cmd_report);
}

const struct cli_command cmd_report = {
    "report",
    run_report,
    "compromise reports peers sent, and their acknowledgement",
    NULL,
    subs,
    sizeof subs / sizeof subs[0],
    "options:\n"
    "  --json  answer with the same objects as GET /v1/reports\n"};
