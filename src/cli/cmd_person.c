/* cmd_person.c - liaison person: add, show, list. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../node/encode.h"
#include "../node/views.h"
#include "cli.h"
#include "remote.h"

/* A person's lines, from the person object (encode_person's). */
static void print_person(const json_t *p)
{
	const json_t *cs = json_object_get(p, "clearance"), *cl, *v;
	size_t i;
	printf("%s (%s): %s\n  roles:", cli_str(p, "id"), cli_str(p, "party"), cli_str(p, "name"));
	json_array_foreach (json_object_get(p, "roles"), i, v)
		printf(" %s", json_string_value(v));
	printf("\n");
	json_array_foreach (cs, i, cl) {
		printf("  clearance: %s from %s%s%s", cli_str(cl, "level"), cli_str(cl, "from"),
		       json_object_get(cl, "to") ? " to " : "", cli_str(cl, "to"));
		if (json_object_get(cl, "lapses"))
			printf(" (lapses after %s unless renewed)", cli_str(cl, "lapses"));
		printf("\n");
	}
	if (!json_array_size(cs))
		printf("  clearance: none\n");
	printf("  need to know:");
	json_array_foreach (json_object_get(p, "ntk"), i, v)
		printf(" %s", json_string_value(v));
	printf("%s\n", json_array_size(json_object_get(p, "ntk")) ? "" : " none");
}

/*
 * --clearance LEVEL with --from DATE [--to DATE], or each --clearance as
 * LEVEL:FROM[:TO] (several: a renewal, another level).
 */
static int clearance_args(const struct cli *c, const char **levels, size_t n, const char *from,
			  const char *to, struct person *p)
{
	int r;
	for (size_t i = 0; i < n; i++) {
		struct clearance *cl = &p->clear[p->nclear++];
		char spec[LEVEL_CODE_MAX + 2 * DATE_BUF_SIZE + 2], *f, *t;
		if (!str_copy(spec, sizeof spec, levels[i]))
			return cli_bad_usagef(c, "--clearance: \"%.40s\" is too long", levels[i]);
		if ((f = strchr(spec, ':')))
			*f++ = '\0';
		if (f && (t = strchr(f, ':')))
			*t++ = '\0';
		else
			t = NULL;
		if (!f && (n > 1 || !from))
			return cli_bad_usagef(
			    c,
			    "--clearance %.40s needs its first day: --from DATE, or "
			    "--clearance LEVEL:FROM[:TO]",
			    spec);
		if (f && (from || to))
			return cli_bad_usagef(
			    c, "--clearance LEVEL:FROM[:TO] takes no --from or --to");
		if (!str_copy(cl->level, sizeof cl->level, spec))
			return cli_bad_usagef(c, "--clearance: level \"%.40s\" is too long", spec);
		cl->to = DATE_MAX;
		if ((r = cli_date(c, "--clearance's first day", f ? f : from, &cl->from)) !=
			EXIT_OK ||
		    ((f ? t : to) &&
		     (r = cli_date(c, "--clearance's last day", f ? t : to, &cl->to)) != EXIT_OK))
			return r;
	}
	if (!n && (from || to))
		return cli_bad_usagef(c, "--from and --to are a --clearance's days");
	return EXIT_OK;
}

static int do_add(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *party = NULL, *name = NULL, *from = NULL, *to = NULL, *roles[ROLE__COUNT],
		   *ntk[PERSON_NTK_MAX], *levels[PERSON_CLEARANCES_MAX], *pos[1];
	size_t nroles = 0, nntk = 0, nlevels = 0;
	bool replace = false;
	int np;
	const struct cli_opt opts[] = {
	    OPT_VAL("party", &party),
	    OPT_VAL("name", &name),
	    OPT_MANY("role", roles, &nroles, ROLE__COUNT),
	    OPT_MANY("clearance", levels, &nlevels, PERSON_CLEARANCES_MAX),
	    OPT_VAL("from", &from),
	    OPT_VAL("to", &to),
	    OPT_MANY("ntk", ntk, &nntk, PERSON_NTK_MAX),
	    OPT_FLAG("replace", &replace),
	    {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	if (!party || !name || !nroles)
		return cli_bad_usagef(c, "person add: --party, --name and --role are required");
	struct person p = {0};
	struct lerr e = {0};
	if (!str_copy(p.id, sizeof p.id, pos[0]) || !str_copy(p.party, sizeof p.party, party) ||
	    !str_copy(p.name, sizeof p.name, name))
		return cli_bad_usagef(c, "person add: an argument is too long");
	for (size_t i = 0; i < nroles; i++) {
		enum role role;
		if (role_parse(roles[i], &role, &e) < 0)
			return cli_bad_usage(c, &e);
		p.roles |= role;
	}
	for (size_t i = 0; i < nntk; i++)
		if (!str_copy(p.ntk[p.nntk++], LABEL_WORD_MAX, ntk[i]))
			return cli_bad_usagef(c, "--ntk: \"%.40s\" is too long", ntk[i]);
	if ((r = clearance_args(c, levels, nlevels, from, to, &p)) != EXIT_OK)
		return r;
	json_t *o = NULL; /* the person as stored: their level's own code */
	if ((r = node_person_put(n, NULL, &p, replace, &e)) < 0 ||
	    (r = view_person(n, NULL, pos[0], &o, &e)) < 0)
		return (r == LERR_INVAL ? cli_bad_usage(c, &e) : cli_error(c, &e));
	if (c->json)
		return cli_emit(o);
	printf("%s ", replace ? "stored" : "added");
	print_person(o);
	json_decref(o);
	return EXIT_OK;
}

static int do_show(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int r = cli_words(c, argc, argv, pos, 1);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL;
	struct lerr e = {0};
	r = remote_get(c, n ? view_person(n, NULL, pos[0], &o, &e) : 0, &e, "/v1/people/", pos[0],
		       &o);
	return r != EXIT_OK ? r : cli_show(c, o, print_person);
}

static int do_list(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	struct cli_list l = {"people", "id", NULL, NULL};
	const struct cli_opt opts[] = {CLI_PAGE_OPTS(l), {0}};
	int np, r = cli_parse(c, argc, argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	json_t *o = NULL, *p;
	struct lerr e = {0};
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, "/v1/people", NULL, NULL);
	if ((r = remote_list(c, n ? view_people(n, NULL, &o, &e) : 0, &e, &rq, &l, &o)) != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	size_t i;
	json_array_foreach (json_object_get(o, "people"), i, p) {
		const json_t *cs = json_object_get(p, "clearance"), *cl;
		char levels[PERSON_CLEARANCES_MAX * (LEVEL_CODE_MAX + 1)] = "";
		size_t k, len = 0;
		json_array_foreach (cs, k, cl)
			if (len < sizeof levels)
				len += (size_t)snprintf(levels + len, sizeof levels - len, "%s%s",
							k ? "," : "", cli_str(cl, "level"));
		printf("%-16s %-5s %-10s %s\n", cli_str(p, "id"), cli_str(p, "party"),
		       levels[0] ? levels : "-", cli_str(p, "name"));
	}
	json_decref(o);
	return EXIT_OK;
}

static json_t *token_json(const struct store_token *t)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "id", t->id, "person", t->person, "issued_on",
			      t->issued_on, "read_only", t->read_only);
	const struct {
		const char *key, *v;
	} dates[] = {{"expires_on", t->expires_on},
		     {"last_used", t->last_used},
		     {"revoked_on", t->revoked_on}};
	for (size_t i = 0; o && i < sizeof dates / sizeof dates[0]; i++)
		json_object_set_new(o, dates[i].key,
				    dates[i].v[0] ? json_string(dates[i].v) : json_null());
	return o;
}

/* --expires: a number of days ("30d") or a last valid day. */
static int expiry(const struct cli *c, const struct node *n, const char *s, date_t *last)
{
	uint64_t days;
	size_t len = strlen(s);
	char num[16];
	if (len >= 2 && len < sizeof num && s[len - 1] == 'd') {
		memcpy(num, s, len - 1);
		num[len - 1] = '\0';
		if (count_parse(num, &days) && days <= NODE_TOKEN_DAYS_MAX) {
			*last = n->clock.today + (date_t)days;
			return EXIT_OK;
		}
	} else if (date_parse(s, last, NULL) == 0)
		return EXIT_OK;
	return cli_bad_usagef(c,
			      "--expires: \"%.32s\" is neither a number of days (like 90d, at most "
			      "%dd) nor a day (YYYY-MM-DD)",
			      s, NODE_TOKEN_DAYS_MAX);
}

static int do_token(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1], *expires = NULL;
	struct token_request rq = {0};
	int np;
	const struct cli_opt opts[] = {
	    OPT_VAL("expires", &expires), OPT_FLAG("read-only", &rq.read_only), {0}};
	int r = cli_parse(c, argc, argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK || (expires && (r = expiry(c, n, expires, &rq.expires)) != EXIT_OK))
		return r;
	rq.person = pos[0];
	struct store_token t;
	char token[NODE_TOKEN_MAX];
	struct lerr e = {0};
	if ((r = node_token_issue(n, &rq, &t, token, &e)) < 0)
		return (r == LERR_INVAL ? cli_bad_usage(c, &e) : cli_error(c, &e));
	if (c->json) {
		json_t *o = token_json(&t);
		json_object_set_new(o, "token", json_string(token));
		r = cli_emit(o);
	} else {
		printf("%s\n", token);
		fprintf(stderr,
			"token %s for %s%s, valid to %s: shown this once; send it as "
			"\"Authorization: Bearer TOKEN\"\n",
			t.id, t.person, t.read_only ? " (read-only)" : "", t.expires_on);
	}
	sodium_memzero(token, sizeof token);
	return r;
}

static int do_tokens(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int r = cli_words(c, argc, argv, pos, 1);
	if (r != EXIT_OK)
		return r;
	struct store_token *t;
	size_t count;
	struct lerr e = {0};
	if (node_token_list(n, pos[0], &t, &count, &e) < 0)
		return cli_error(c, &e);
	json_t *list = json_array();
	for (size_t i = 0; i < count; i++) {
		if (c->json)
			json_array_append_new(list, token_json(&t[i]));
		else
			printf("%s  issued %s, %s %s, last used %s%s%s%s\n", t[i].id,
			       t[i].issued_on, t[i].expires_on[0] ? "valid to" : "valid",
			       t[i].expires_on[0] ? t[i].expires_on : "until revoked",
			       t[i].last_used[0] ? t[i].last_used : "never",
			       t[i].read_only ? ", read-only" : "",
			       t[i].revoked_on[0] ? ", revoked " : "", t[i].revoked_on);
	}
	free(t);
	if (!c->json) {
		json_decref(list);
		return EXIT_OK;
	}
	return cli_emit(json_pack("{s:s, s:o}", "person", pos[0], "tokens", list));
}

static int do_revoke(const struct cli *c, struct node *n, int argc, char **argv)
{
	const char *pos[1];
	int r = cli_words(c, argc, argv, pos, 1);
	if (r != EXIT_OK)
		return r;
	struct lerr e = {0};
	if (node_token_revoke(n, pos[0], &e) < 0)
		return cli_error(c, &e);
	if (c->json)
		return cli_emit(json_pack("{s:s, s:b}", "id", pos[0], "revoked", 1));
	printf("token %s revoked\n", pos[0]);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
    {"add", do_add, false,
     "add ID --party CODE --name NAME --role ROLE [--role ROLE ...]\n"
     "                          [--clearance LEVEL --from DATE [--to DATE]]\n"
     "                          [--clearance LEVEL:FROM[:TO] ...]\n"
     "                          [--ntk GROUP ...] [--replace]",
     "Adds a person of a party: their roles (analyst, originator,\n"
     "security-officer, registrar, auditor), clearances and need-to-know\n"
     "groups. A clearance is a level of the party's scheme valid from a day\n"
     "to a day, or open-ended; a level with valid_years lapses that many\n"
     "years after its first day unless renewed (a new clearance at the\n"
     "level). Give --clearance LEVEL with --from and --to, or each as\n"
     "LEVEL:FROM[:TO] (several: a renewal, another level). An existing id\n"
     "is refused unless --replace. People can also come from the\n"
     "configuration file (\"people\").\n"},
    {"show", do_show, true, "show ID",
     "The person: party, name, roles, each clearance and the day it lapses,\n"
     "need-to-know groups.\n"},
    {"list", do_list, true, "list", "Every person of the node, a line each.\n"},
    {"token", do_token, false, "token ID [--expires 90d|DATE] [--read-only]",
     "Issues a bearer token for the HTTP API and prints it once (on stdout;\n"
     "only its SHA-256 is stored): requests to `liaison serve` carrying it\n"
     "act as that person. It is valid to its last day (--expires: a number\n"
     "of days, default 90d, at most 3660d, or a day); --read-only: it may\n"
     "ask but not act (share, release, administer...).\n"},
    {"tokens", do_tokens, false, "tokens ID",
     "The person's tokens: each id with its last day, the day it was last\n"
     "used, and whether it was revoked.\n"},
    {"revoke-token", do_revoke, false, "revoke-token TOKEN-ID",
     "Revokes a token (its id, from tokens): refused at once from then on.\n"},
};

static int run_person(struct cli *c)
{
	return cli_dispatch(c, &cmd_person);
}

const struct cli_command cmd_person = {
    "person",
    run_person,
    "people: clearances, roles, need to know, tokens",
    NULL,
    subs,
    sizeof subs / sizeof subs[0],
    "options:\n"
    "  --json  answer with the person object(s)\n",
};
