/* test_args.c - a request's arguments against a table (net/args.h): the
 * JSON body and the query string, what is taken and every refusal. */
#include <criterion/criterion.h>
#include <string.h>

#include "net/args.h"

/* Every kind in one body table. */
struct body_vals {
	const char *to, *details;
	bool send, has_at;
	date_t at;
	uint64_t since;
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH];
	struct arg_hashes proof;
};

static json_t *body(const char *text, struct body_vals *v, struct lerr *e)
{
	*v = (struct body_vals){.details = "default", .at = 7, .since = 99};
	v->proof.h = v->path;
	const struct arg_spec spec[] = {{"to", ARG_STRING, true, .str = &v->to},
					{"details", ARG_STRING, .str = &v->details},
					{"send", ARG_BOOL, .flag = &v->send},
					{"at", ARG_DATE, .date = &v->at, .given = &v->has_at},
					{"since", ARG_COUNT, .count = &v->since},
					{"proof", ARG_HASHES, .hashes = &v->proof},
					{0}};
	memset(e, 0, sizeof *e);
	return args_body(text, text ? strlen(text) : 0, spec, e);
}

static void body_fails(const char *text, const char *msg)
{
	struct body_vals v;
	struct lerr e;
	json_t *b = body(text, &v, &e);
	cr_assert_null(b, "accepted: %s", text);
	cr_assert_eq(e.code, LERR_INVAL);
	cr_assert(strstr(e.msg, msg), "for %s: got \"%s\", want \"%s\"", text, e.msg, msg);
}

Test(args, body_takes_every_kind)
{
	struct body_vals v;
	struct lerr e;
	json_t *b = body("{\"to\": \"KOR\", \"send\": true, \"at\": \"2019-11-22\", \"since\": 42,"
			 " \"proof\": [\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
			 " \"//////////////////////////////////////////8=\"]}",
			 &v, &e);
	cr_assert_not_null(b, "%s", e.msg);
	cr_assert_str_eq(v.to, "KOR");
	cr_assert_str_eq(v.details, "default", "an absent argument keeps its default");
	cr_assert(v.send);
	cr_assert(v.has_at);
	date_t want;
	cr_assert_eq(date_parse("2019-11-22", &want, NULL), 0);
	cr_assert_eq(v.at, want);
	cr_assert_eq(v.since, 42);
	cr_assert_eq(v.proof.n, 2);
	cr_assert_eq(v.path[0][0], 0x00);
	cr_assert_eq(v.path[1][31], 0xff);
	json_decref(b);
}

Test(args, body_absent_optionals_keep_defaults)
{
	struct body_vals v;
	struct lerr e;
	json_t *b = body("{\"to\": \"USA\"}", &v, &e);
	cr_assert_not_null(b, "%s", e.msg);
	cr_assert_not(v.send);
	cr_assert_not(v.has_at);
	cr_assert_eq(v.at, 7);
	cr_assert_eq(v.since, 99);
	cr_assert_eq(v.proof.n, 0);
	json_decref(b);
}

Test(args, body_refusals_name_what_and_where)
{
	body_fails(NULL, "request body: line 1");
	body_fails("", "request body: line 1");
	body_fails("{\"to\": \"KOR\"", "request body: line 1, column 12");
	body_fails("[\"KOR\"]", "request body: must be a JSON object");
	body_fails("{\"to\": \"KOR\", \"colour\": 1}", "colour: unknown field");
	body_fails("{\"to\": \"KOR\", \"to\": \"USA\"}", "duplicate object key");
	body_fails("{\"details\": \"x\"}", "to: missing (required in the body)");
	body_fails("{\"to\": 410}", "to: must be a string");
	body_fails("{\"to\": \"KOR\", \"send\": \"yes\"}", "send: true or false");
	body_fails("{\"to\": \"KOR\", \"at\": \"2019-02-30\"}", "at: ");
	body_fails("{\"to\": \"KOR\", \"at\": 20191122}", "at: must be a date");
	body_fails("{\"to\": \"KOR\", \"since\": -1}", "since: must be a whole number");
	body_fails("{\"to\": \"KOR\", \"since\": 1.5}", "since: must be a whole number");
	body_fails("{\"to\": \"KOR\", \"proof\": \"AAAA\"}", "proof: an array of at most 64");
	body_fails("{\"to\": \"KOR\", \"proof\": [\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
		   " \"AAAA\"]}",
		   "proof[1]: not a base64 SHA-256 hash");
	body_fails("{\"to\": \"KOR\", \"proof\": [7]}", "proof[0]: not a base64 SHA-256 hash");
	/* a name from outside is quoted short */
	char big[400];
	snprintf(big, sizeof big, "{\"%0300d\": 1}", 0);
	struct body_vals v;
	struct lerr e;
	cr_assert_null(body(big, &v, &e));
	cr_assert_lt(strlen(e.msg), 100, "%s", e.msg);
}

Test(args, body_proof_longer_than_a_path_is_refused)
{
	char text[64 * 50 + 64] = "{\"to\": \"KOR\", \"proof\": [";
	for (int i = 0; i < MERKLE_PATH_MAX + 1; i++)
		strcat(text, i ? ", \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\""
			       : "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"");
	strcat(text, "]}");
	body_fails(text, "proof: an array of at most 64");
}

/* ---- the query ---- */

struct query_vals {
	const char *level, *ntk;
	const char *rel[3];
	struct arg_list list;
	bool revocable;
	date_t at;
	uint64_t limit;
};

static int query(const struct arg_pair *q, size_t n, struct query_vals *v, struct lerr *e)
{
	*v = (struct query_vals){.at = 5, .limit = 100};
	v->list = (struct arg_list){v->rel, 0, 3};
	const struct arg_spec spec[] = {{"level", ARG_STRING, true, .str = &v->level},
					{"ntk", ARG_STRING, .str = &v->ntk},
					{"releasable", ARG_LIST, .list = &v->list},
					{"revocable", ARG_BOOL, .flag = &v->revocable},
					{"at", ARG_DATE, .date = &v->at},
					{"limit", ARG_COUNT, .count = &v->limit},
					{0}};
	memset(e, 0, sizeof *e);
	return args_query(q, n, spec, e);
}

#define PAIRS(...)                                                                                 \
	(const struct arg_pair[])                                                                  \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}
#define NPAIRS(...) (sizeof(PAIRS(__VA_ARGS__)) / sizeof(struct arg_pair))
#define QUERY_FAILS(want, ...)                                                                     \
	do {                                                                                       \
		struct query_vals v_;                                                              \
		struct lerr e_;                                                                    \
		cr_assert_eq(query(PAIRS(__VA_ARGS__), NPAIRS(__VA_ARGS__), &v_, &e_),             \
			     LERR_INVAL);                                                          \
		cr_assert(strstr(e_.msg, want), "got \"%s\", want \"%s\"", e_.msg, want);          \
	} while (0)

Test(args, query_takes_every_kind)
{
	struct query_vals v;
	struct lerr e;
	const struct arg_pair q[] = {{"level", "SECRET"},   {"releasable", "KOR"},
				     {"releasable", "USA"}, {"revocable", "true"},
				     {"at", "2019-08-23"},  {"limit", "18446744073709551615"}};
	cr_assert_eq(query(q, 6, &v, &e), 0, "%s", e.msg);
	cr_assert_str_eq(v.level, "SECRET");
	cr_assert_null(v.ntk);
	cr_assert_eq(v.list.n, 2);
	cr_assert_str_eq(v.rel[0], "KOR");
	cr_assert_str_eq(v.rel[1], "USA");
	cr_assert(v.revocable);
	date_t want;
	cr_assert_eq(date_parse("2019-08-23", &want, NULL), 0);
	cr_assert_eq(v.at, want);
	cr_assert_eq(v.limit, UINT64_MAX);
}

Test(args, query_defaults_and_valueless)
{
	struct query_vals v;
	struct lerr e;
	const struct arg_pair q[] = {{"level", "S"}, {"ntk", NULL}, {"revocable", "false"}};
	cr_assert_eq(query(q, 3, &v, &e), 0, "%s", e.msg);
	cr_assert_str_eq(v.ntk, "", "?ntk without a value is the empty text");
	cr_assert_not(v.revocable);
	cr_assert_eq(v.at, 5);
	cr_assert_eq(v.limit, 100);
}

Test(args, query_refusals_name_the_argument)
{
	QUERY_FAILS("level: missing (a query argument is required)", {"ntk", "x"});
	QUERY_FAILS("colour: unknown query argument", {"level", "S"}, {"colour", "red"});
	QUERY_FAILS("at: given more than once", {"level", "S"}, {"at", "2019-01-01"},
		    {"at", "2019-01-02"});
	QUERY_FAILS("level: given more than once", {"level", "S"}, {"level", "TS"});
	QUERY_FAILS("revocable: \"yes\" is not true or false", {"level", "S"},
		    {"revocable", "yes"});
	QUERY_FAILS("at: ", {"level", "S"}, {"at", "2019-02-30"});
	QUERY_FAILS("at: ", {"level", "S"}, {"at", NULL});
	QUERY_FAILS("limit: \"12a\" is not a whole number", {"level", "S"}, {"limit", "12a"});
	QUERY_FAILS("limit: \"-1\" is not a whole number", {"level", "S"}, {"limit", "-1"});
	QUERY_FAILS("limit: \"18446744073709551616\" is not a whole number", {"level", "S"},
		    {"limit", "18446744073709551616"});
	QUERY_FAILS("releasable: at most 3 values", {"level", "S"}, {"releasable", "A"},
		    {"releasable", "B"}, {"releasable", "C"}, {"releasable", "D"});
}

Test(args, a_kind_outside_its_source_is_refused)
{
	const char *s = NULL;
	struct arg_list l = {&s, 0, 1};
	const struct arg_spec spec[] = {{"x", ARG_LIST, .list = &l}, {0}};
	struct lerr e = {0};
	cr_assert_null(args_body("{\"x\": \"a\"}", 10, spec, &e));
	cr_assert(strstr(e.msg, "x: not taken in a body"), "%s", e.msg);
	uint8_t h[1][MERKLE_HASH];
	struct arg_hashes hs = {h, 0};
	const struct arg_spec spec2[] = {{"p", ARG_HASHES, .hashes = &hs}, {0}};
	const struct arg_pair q[] = {{"p", "AAAA"}};
	cr_assert_eq(args_query(q, 1, spec2, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "p: not taken in a query"), "%s", e.msg);
}
