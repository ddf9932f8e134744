/* cmd_peer.c - liaison peer: the nodes of other parties, the outbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../net/peer_client.h"
#include "../node/views.h"
#include "cli.h"
#include "remote.h"

static int do_add(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1], *url = NULL, *ver = NULL;
	int np;
	const struct cli_opt opts[] = {
	    OPT_VAL("url", &url), OPT_VAL("envelope-version", &ver), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	if (!url)
		return cli_bad_usagef(c, "peer add: --url URL is required");
	long version = 0;
	if ((r = cli_number(c, "envelope-version", ver, ENV_VERSION_MIN, ENV_VERSION, &version)) !=
	    EXIT_OK)
		return r;
	struct lerr e = {0};
	int sealed;
	if (node_peer_add(n, pos[0], url, (int)version, &sealed, &e) < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(json_pack("{s:s, s:s, s:i}", "party", pos[0], "url", url,
					  "envelope_version", sealed));
	printf("peer %s at %s (envelopes of version %d)\n", pos[0], url, sealed);
	return EXIT_OK;
}

static int do_remove(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int r = cli_words(c, argc, argv, pos, 1);
	if (r != EXIT_OK)
		return r;
	struct lerr e = {0};
	if (node_peer_remove(n, pos[0], &e) < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(json_pack("{s:s}", "removed", pos[0]));
	printf("%s is no longer a peer (messages queued for it wait)\n", pos[0]);
	return EXIT_OK;
}

/* The peers as view_peers answers, for list and status; NULL on error (printed). */
static json_t *peers(const struct cli *c, struct node *n, int argc, char **argv, int *r)
{
	int np;
	struct cli_list l = {"peers", "party", NULL, NULL};
	const struct cli_opt opts[] = {CLI_PAGE_OPTS(l), {0}};
	const char *none[1];
	json_t *o = NULL;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	if ((*r = cli_parse(c, argc, argv, opts, none, 0, 0, &np)) != EXIT_OK)
		return NULL;
	*r = remote_list(c, view_peers(n, &o, &e), &e, &rq, &l, &o);
	return *r == EXIT_OK ? o : NULL;
}

static int do_list(const struct cli *c, struct node *n, int argc, char **argv)
{
	int r;
	json_t *o = peers(c, n, argc, argv, &r), *p;
	size_t i;
	if (!o)
		return r;
	if (c->json)
		return cli_emit(o);
	json_array_foreach (json_object_get(o, "peers"), i, p)
		printf("%-6s %s (since %s)\n", cli_str(p, "party"), cli_str(p, "url"),
		       cli_str(p, "added_on"));
	if (!json_array_size(json_object_get(o, "peers")))
		printf("no peers (liaison peer add PARTY --url URL)\n");
	json_decref(o);
	return EXIT_OK;
}

static int do_outbox(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *none[1];
	struct cli_list l = {"messages", "id", NULL, NULL};
	const struct cli_opt opts[] = {CLI_PAGE_OPTS(l), {0}};
	int np, r = cli_parse(c, argc, argv, opts, none, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL, *m;
	size_t i;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	if ((r = remote_list(c, view_outbox(n, NULL, &o, &e), &e, &rq, &l, &o)) != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	json_array_foreach (json_object_get(o, "messages"), i, m) {
		const char *err = json_string_value(json_object_get(m, "last_error"));
		printf("%s %-9s %-7s %s to %s, %lld attempt(s)%s%s\n",
		       json_string_value(json_object_get(m, "id")),
		       json_string_value(json_object_get(m, "state")),
		       json_string_value(json_object_get(m, "kind")),
		       json_string_value(json_object_get(m, "ref")),
		       json_string_value(json_object_get(m, "to")),
		       (long long)json_integer_value(json_object_get(m, "attempts")),
		       err ? ": " : "", err ? err : "");
	}
	if (!json_array_size(json_object_get(o, "messages")))
		printf("the outbox is empty\n");
	json_decref(o);
	return EXIT_OK;
}

static int do_deliver(const struct cli *c, struct node *n, int argc, char **argv)
{
	bool all = false;
	int np;
	const struct cli_opt opts[] = {OPT_FLAG("all", &all), {0}};
	const char *none[1];
	int r = cli_parse(c, argc, argv, opts, none, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	struct key_secret k;
	if ((r = cli_node_key(c, n, &k)) != EXIT_OK)
		return r;
	struct deliver_opts o = {
	    .now = (int64_t)time(NULL), .retry_max = 300, .max = 1000, .all = all, .timeout = 30};
	struct deliver_stats st;
	struct lerr e = {0};
	size_t swept;
	r = node_outbox_sweep(n, o.now, &swept, &e);
	if (r == 0)
		r = peer_deliver(n, &k, &o, &st, &e);
	key_secret_free(&k);
	if (r < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(json_pack("{s:I, s:I, s:I, s:I}", "delivered",
					  (json_int_t)st.delivered, "refused",
					  (json_int_t)st.refused, "failed", (json_int_t)st.failed,
					  "withdrawn", (json_int_t)st.withdrawn));
	printf("%zu delivered, %zu refused, %zu to retry", st.delivered, st.refused, st.failed);
	if (st.withdrawn)
		printf(", %zu withdrawn (no longer to go: peer outbox says why)", st.withdrawn);
	putchar('\n');
	return st.failed || st.refused || st.withdrawn ? EXIT_FAIL : EXIT_OK;
}

static int do_status(const struct cli *c, struct node *n, int argc, char **argv)
{
	int r;
	json_t *o = peers(c, n, argc, argv, &r), *p;
	size_t i;
	if (!o)
		return r;
	bool alarm = json_is_true(json_object_get(o, "alarm"));
	if (c->json)
		return (r = cli_emit(o)) != EXIT_OK ? r : alarm ? EXIT_FAIL : EXIT_OK;
	json_array_foreach (json_object_get(o, "peers"), i, p) {
		const json_t *q = json_object_get(p, "outbox");
		const char *alarm_text = cli_str(p, "alarm");
		printf("%s at %s: %lld queued, %lld delivered, %lld refused\n", cli_str(p, "party"),
		       cli_str(p, "url"),
		       (long long)json_integer_value(json_object_get(q, "queued")),
		       (long long)json_integer_value(json_object_get(q, "delivered")),
		       (long long)json_integer_value(json_object_get(q, "refused")));
		if (json_object_get(p, "witnessed_at")) {
			printf("  its log: %lld entries, witnessed %s\n",
			       (long long)json_integer_value(json_object_get(p, "witnessed_size")),
			       cli_str(p, "witnessed_at"));
		} else
			printf("  its log: not witnessed yet\n");
		if (json_object_get(p, "witness_error") && !alarm_text[0])
			printf("  last witnessing failed: %s\n", cli_str(p, "witness_error"));
		if (alarm_text[0])
			printf("  %s%s\n", strncmp(alarm_text, "ALARM", 5) ? "ALARM: " : "",
			       alarm_text);
	}
	if (!json_array_size(json_object_get(o, "peers")))
		printf("no peers (liaison peer add PARTY --url URL)\n");
	json_decref(o);
	return alarm ? EXIT_FAIL : EXIT_OK;
}

static int do_witness(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *none[1];
	int r = cli_words(c, argc, argv, none, 0);
	if (r != EXIT_OK)
		return r;
	struct key_secret k;
	if ((r = cli_node_key(c, n, &k)) != EXIT_OK)
		return r;
	struct witness_stats st;
	struct lerr e = {0};
	r = peer_witness_all(n, &k, (int64_t)time(NULL), &st, &e);
	key_secret_free(&k);
	if (r < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(json_pack("{s:I, s:I, s:I}", "witnessed", (json_int_t)st.witnessed,
					  "alarms", (json_int_t)st.alarms, "failed",
					  (json_int_t)st.failed));
	printf("%zu witnessed, %zu alarm(s), %zu failed (liaison peer status)\n", st.witnessed,
	       st.alarms, st.failed);
	return st.alarms || st.failed ? EXIT_FAIL : EXIT_OK;
}

static int do_clear_alarm(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int r = cli_words(c, argc, argv, pos, 1);
	if (r != EXIT_OK)
		return r;
	struct lerr e = {0};
	if (node_peer_clear_alarm(n, pos[0], &e) < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(json_pack("{s:s}", "cleared", pos[0]));
	printf("the alarm on %s is cleared (the log keeps it)\n", pos[0]);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
    {"add", do_add, false, "add PARTY --url URL [--envelope-version N]",
     "Makes PARTY's node (at URL, http(s)://HOST[:PORT]) a peer: PARTY\n"
     "must be a party of the configuration whose public key is on file\n"
     "(liaison party key). Requests between the nodes are signed with\n"
     "each party's key; a node takes messages only from its peers. Adding\n"
     "a peer again changes its URL (and its envelope version, if given).\n\n"
     "  --envelope-version N  pins the envelope format sealed for it: 1, 2\n"
     "                        or 3 while its node runs a release that reads\n"
     "                        only up to that, 4 once it is upgraded (a new\n"
     "                        peer gets the newest, 4); docs/federation.md\n"},
    {"remove", do_remove, false, "remove PARTY",
     "Forgets the peer (its queued messages wait until it is added again).\n"},
    {"list", do_list, false, "list", "The peers.\n"},
    {"outbox", do_outbox, false, "outbox",
     "The messages to peers: queued (with the last error), delivered\n"
     "(with the peer's signed receipt) or refused (with its reason).\n"},
    {"deliver", do_deliver, false, "deliver [--all]",
     "Sends what is due now (--all: every queued message), once;\n"
     "liaison serve does this by itself. Exits 1 when a message\n"
     "failed or was refused.\n"},
    {"status", do_status, false, "status",
     "Each peer: its outbox, the size of its log last witnessed, the\n"
     "last error, and an ALARM when its log did not extend what it\n"
     "showed before or its checkpoint was badly signed (exit 1).\n"},
    {"witness", do_witness, false, "witness",
     "Fetches and witnesses each peer's checkpoint once (liaison\n"
     "serve does it every --witness-every seconds).\n"},
    {"clear-alarm", do_clear_alarm, false, "clear-alarm PARTY",
     "Clears a peer's alarm, once it is understood (logged).\n"},
};

static int run_peer(struct cli *c)
{
	return cli_dispatch(c, &cmd_peer);
}

const struct cli_command cmd_peer = {
    "peer",
    run_peer,
    "the nodes of the other parties, and the outbox of messages to them",
    NULL,
    subs,
    sizeof subs / sizeof subs[0],
    "options:\n"
    "  --json  answer with the same objects as GET /v1/peers and /v1/outbox\n"
    "          (status: {\"peers\": [... \"outbox\": {\"queued\", \"delivered\",\n"
    "          \"refused\"}], \"alarm\"})\n",
};
