/* test_config.c - configuration files: strict parsing, errors that name the
 * field, and applying all or nothing, repeatably. */
#include <stdio.h>
#include <unistd.h>

#include "helpers.h"
#include "node/internal.h"
#include "node/node.h"
#include "store/store.h"

TestSuite(config, .fini = leak_check);

#define PARTIES                                                                                    \
	"\"parties\": [{\"code\": \"JPN\", \"name\": \"Japan\", \"levels\": ["                     \
	"{\"code\": \"HI\", \"name\": \"秘\", \"rank\": 1},"                                      \
	"{\"code\": \"GOKUHI\", \"name\": \"極秘\", \"rank\": 2}]},"                             \
	"{\"code\": \"KOR\", \"name\": \"Republic of Korea\", \"levels\": ["                       \
	"{\"code\": \"III\", \"name\": \"군사III급비밀\", \"rank\": 1},"                      \
	"{\"code\": \"II\", \"name\": \"군사II급비밀\", \"rank\": 2},"                        \
	"{\"code\": \"I\", \"name\": \"군사I급비밀\", \"rank\": 3}]}]"

#define AGREEMENT_HEAD                                                                             \
	"{\"id\": \"G\", \"title\": \"t\", \"parties\": [\"JPN\", \"KOR\"],"                       \
	"\"term_years\": 1, \"renewal_years\": 1, \"notice_days\": 90,"                            \
	"\"equivalence\": [{\"common\": \"SECRET\", \"JPN\": [\"GOKUHI\"], \"KOR\": [\"II\"]}],"

#define EVENTS_2019                                                                                \
	"\"events\": [{\"date\": \"2016-11-23\", \"kind\": \"in-force\"},"                         \
	"{\"date\": \"2019-08-23\", \"kind\": \"notice\", \"by\": \"KOR\"}]"

static const char *good = "{" PARTIES ", \"agreements\": [" AGREEMENT_HEAD EVENTS_2019 "}]}";

/* Parses text, expecting failure with a message that contains want. */
static void parse_fails(const char *text, const char *want)
{
	struct config c;
	struct lerr e = {0};
	int r = config_parse(text, strlen(text), "t.json", &c, &e);
	cr_assert_lt(r, 0, "accepted: %s", text);
	cr_assert(strstr(e.msg, want), "expected \"%s\" in: %s", want, e.msg);
	cr_assert(strncmp(e.msg, "t.json", 6) == 0, "names the file: %s", e.msg);
	cr_assert_eq(c.nparties + c.nagreements, 0);
}

/* Parses and applies to a scratch store, expecting a refusal with want. */
static void apply_fails(const char *text, const char *want)
{
	struct config c;
	struct lerr e = {0};
	cr_assert_eq(config_parse(text, strlen(text), "t.json", &c, &e), 0, "%s", e.msg);
	struct config_summary sum;
	int r = node_config_apply(NULL, NULL, &c, "t.json", true, &sum, &e);
	config_free(&c);
	cr_assert_lt(r, 0, "accepted: %s", text);
	cr_assert(strstr(e.msg, want), "expected \"%s\" in: %s", want, e.msg);
}

Test(config, parses_parties_agreements_and_events)
{
	struct config c;
	struct lerr e = {0};
	cr_assert_eq(config_parse(good, strlen(good), "t.json", &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c.nparties, 2);
	cr_assert_str_eq(c.parties[1].levels[2].name, "군사I급비밀");
	cr_assert_eq(c.nagreements, 1);
	cr_assert_eq(c.agreements[0].nevents, 2);
	cr_assert_eq(c.agreements[0].events[1].date, D("2019-08-23"));
	cr_assert_eq(c.agreements[0].equiv[0].n, 2);
	struct config_summary sum;
	cr_assert_eq(node_config_apply(NULL, NULL, &c, "t.json", true, &sum, &e), 0, "%s", e.msg);
	cr_assert_eq(sum.parties, 2);
	cr_assert_eq(sum.agreements, 1);
	cr_assert_eq(sum.events_added, 2);
	config_free(&c);
}

Test(config, syntax_errors_name_line_and_column)
{
	parse_fails("{\n  \"parties\": [\n  }", "t.json:3:");
	parse_fails("", "t.json:");
	parse_fails("{\"parties\": [], \"parties\": []}", "duplicate");
}

Test(config, errors_name_the_json_path)
{
	parse_fails("{\"parties\": {}}", "parties: must be an array");
	parse_fails("[]", "must be an object");
	parse_fails("{\"partys\": []}", "partys: unknown field");
	parse_fails(
	    "{" PARTIES ", \"agreements\": [" AGREEMENT_HEAD
	    "\"events\": [{\"date\": \"2019-02-30\", \"kind\": \"notice\", \"by\": \"KOR\"}]}]}",
	    "agreements[0].events[0].date: date \"2019-02-30\"");
	parse_fails("{" PARTIES ", \"agreements\": [" AGREEMENT_HEAD
		    "\"events\": [{\"date\": \"2019-01-01\", \"kind\": \"expired\"}]}]}",
		    "agreements[0].events[0].kind: event kind \"expired\" is unknown");
	parse_fails(
	    "{" PARTIES ", \"agreements\": [" AGREEMENT_HEAD
	    "\"events\": [{\"date\": \"2019-01-01\", \"kind\": \"notice\", \"by\": \"kor\"}]}]}",
	    "agreements[0].events[0].by: party code \"kor\"");
	parse_fails("{\"parties\": [{\"code\": \"JPN\", \"name\": \"Japan\", \"levels\": "
		    "[{\"code\": \"HI\", \"name\": \"秘\", \"rank\": \"1\"}]}]}",
		    "parties[0].levels[0].rank: must be an integer");
	parse_fails("{\"parties\": [{\"code\": \"JPN\", \"name\": \"Japan\", \"levels\": "
		    "[{\"code\": \"HI\", \"name\": \"秘\", \"rank\": 1},"
		    "{\"code\": \"HI\", \"name\": \"極秘\", \"rank\": 2}]}]}",
		    "parties[0].levels[1].code: level HI is already levels[0]");
	parse_fails("{\"parties\": [{\"code\": \"JPN\", \"name\": \"Japan\", \"levels\": []}]}",
		    "parties[0].levels: party JPN has no levels");
	parse_fails("{\"parties\": [{\"code\": \"J\", \"name\": \"Japan\", \"levels\": "
		    "[{\"code\": \"HI\", \"name\": \"秘\", \"rank\": 1}]}]}",
		    "parties[0].code: party code \"J\" is not 2-8 capital letters");
}

Test(config, people_need_their_fields)
{
	parse_fails("{\"people\": [{\"id\": \"Kim\"}]}", "people[0].party: missing");
}

#define REGIME(extra)                                                                              \
	"{\"export_regimes\": [{\"party\": \"JPN\", \"default_group\": \"C\","                     \
	"\"entries\": [{\"code\": \"HF\", \"name\": \"hydrogen fluoride\", \"list_item\": "        \
	"3}]" extra "}]}"

Test(config, export_regimes_are_parsed_strictly)
{
	struct config c;
	struct lerr e = {0};
	const char *ok = REGIME(", \"groups\": [{\"country\": \"KOR\", \"group\": \"B\","
				"\"from\": \"2019-08-28\"}], \"licences\": [{\"id\": \"IL-1\","
				"\"kind\": \"individual\", \"entry\": \"HF\", \"country\": \"KOR\","
				"\"from\": \"2019-08-08\", \"to\": \"2020-02-07\"}]");
	cr_assert_eq(config_parse(ok, strlen(ok), "t.json", &c, &e), 0, "%s", e.msg);
	cr_assert_eq(c.nregimes, 1);
	cr_assert_eq(c.regimes[0].groups[0].group, EXG_B);
	cr_assert_eq(c.regimes[0].groups[0].to, DATE_MAX);
	cr_assert_eq(c.regimes[0].licences[0].to, D("2020-02-07"));
	config_free(&c);
	parse_fails(REGIME(", \"groups\": [{\"country\": \"KOR\", \"group\": \"E\","
			   "\"from\": \"2019-08-28\"}]"),
		    "export_regimes[0].groups[0].group: unknown country group \"E\"");
	parse_fails(REGIME(", \"groups\": [{\"country\": \"KOR\", \"group\": \"A\","
			   "\"from\": \"2019-02-29\"}]"),
		    "export_regimes[0].groups[0].from: date \"2019-02-29\"");
	parse_fails(REGIME(", \"groups\": [{\"country\": \"KOR\", \"group\": \"A\"}]"),
		    "export_regimes[0].groups[0].from: missing");
	parse_fails(REGIME(", \"licences\": [{\"id\": \"IL-1\", \"kind\": \"general-bulk\","
			   "\"entry\": \"HF\", \"country\": \"KOR\", \"from\": \"2019-08-08\","
			   "\"to\": \"2020-02-07\"}]"),
		    "export_regimes[0].licences[0].kind: unknown licence kind \"general-bulk\"");
	parse_fails(REGIME(", \"licences\": [{\"id\": \"IL-1\", \"entry\": \"HF\","
			   "\"country\": \"KOR\", \"from\": \"2019-08-08\"}]"),
		    "export_regimes[0].licences[0].to: missing");
	parse_fails(REGIME(", \"special_measures\": [{\"entries\": [\"HF\", \"PU\"],"
			   "\"country\": \"KOR\", \"from\": \"2019-07-04\"}]"),
		    "export_regimes[0].special_measures[0].entries[1]: PU is not an entry");
	parse_fails(REGIME(", \"colour\": 1"), "export_regimes[0].colour: unknown field");
	parse_fails("{\"export_regimes\": [{\"party\": \"JPN\", \"default_group\": \"C\","
		    "\"entries\": [{\"code\": \"HF\", \"name\": \"x\", \"list_item\": 16}]}]}",
		    "export_regimes[0].entries[0].list_item");
	parse_fails("{\"export_regimes\": [{\"party\": \"JPN\", \"default_group\": \"C\"},"
		    "{\"party\": \"JPN\", \"default_group\": \"A\"}]}",
		    "export_regimes[1].party: JPN is already export_regimes[0]");
	apply_fails(REGIME(""), "export_regimes[0].party: unknown party JPN");
}

Test(config, checks_agreements_against_the_schemes)
{
	apply_fails("{" PARTIES ", \"agreements\": [{\"id\": \"G\", \"title\": \"t\","
		    "\"parties\": [\"JPN\", \"USA\"], \"term_years\": 1, \"renewal_years\": 1,"
		    "\"notice_days\": 90}]}",
		    "agreements[0].parties[1]: unknown party USA");
	apply_fails("{" PARTIES ", \"agreements\": [{\"id\": \"G\", \"title\": \"t\","
		    "\"parties\": [\"JPN\", \"KOR\"], \"term_years\": 1, \"renewal_years\": 1,"
		    "\"notice_days\": 90, \"equivalence\": [{\"common\": \"S\", \"JPN\": "
		    "[\"KIMITSU\"]}]}]}",
		    "agreements[0].equivalence[0].JPN[0]: JPN has no level \"KIMITSU\"");
	apply_fails("{" PARTIES ", \"agreements\": [{\"id\": \"G\", \"title\": \"t\","
		    "\"parties\": [\"JPN\", \"KOR\"], \"term_years\": 1, \"renewal_years\": 1,"
		    "\"notice_days\": 90, \"equivalence\": [{\"common\": \"S\", \"KOR\": [\"II\"]},"
		    "{\"common\": \"C\", \"KOR\": [\"II\"]}]}]}",
		    "equivalence[1].KOR[0]: KOR II is already in equivalence[0]");
}

Test(config, refuses_impossible_events_naming_the_file_event)
{
	apply_fails(
	    "{" PARTIES ", \"agreements\": [" AGREEMENT_HEAD
	    "\"events\": [{\"date\": \"2019-11-22\", \"kind\": \"notice-suspended\", \"by\": "
	    "\"KOR\"},"
	    "{\"date\": \"2016-11-23\", \"kind\": \"in-force\"}]}]}",
	    "agreements[0].events[0]: notice-suspended on 2019-11-22: there is no pending notice");
	apply_fails("{" PARTIES ", \"agreements\": [" AGREEMENT_HEAD
		    "\"events\": [{\"date\": \"2016-11-23\", \"kind\": \"in-force\"},"
		    "{\"date\": \"2019-08-23\", \"kind\": \"notice\", \"by\": \"USA\"}]}]}",
		    "agreements[0].events[1]: notice on 2019-08-23: USA is not a party");
}

/* A node in a fresh temporary folder. */
static struct node *fresh_node(char *dir)
{
	strcpy(dir, "/tmp/liaison-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	struct lerr e = {0};
	const struct node_init_args a = {.home = dir, .party = "JPN"};
	cr_assert_eq(node_init(&a, "pw", 2, &e), 0, "%s", e.msg);
	struct node *n;
	cr_assert_eq(node_open(dir, &n, &e), 0, "%s", e.msg);
	return n;
}

static void remove_node(struct node *n, const char *dir)
{
	node_close(n);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static int apply_text(struct node *n, const char *text, struct config_summary *sum, struct lerr *e)
{
	struct config c;
	int r = config_parse(text, strlen(text), "t.json", &c, e);
	if (r == 0)
		r = node_config_apply(n, NULL, &c, "t.json", false, sum, e);
	config_free(&c);
	return r;
}

Test(config, people_are_checked_against_their_scheme)
{
	apply_fails("{" PARTIES
		    ", \"people\": [{\"id\": \"kim\", \"party\": \"KOR\", \"name\": \"K\","
		    " \"roles\": [\"analyst\"], \"clearance\": {\"level\": \"GOKUHI\", \"from\": "
		    "\"2018-01-01\"}}]}",
		    "people[0].clearance.level: KOR has no level \"GOKUHI\"");
	parse_fails("{\"people\": [{\"id\": \"kim\", \"party\": \"KOR\", \"name\": \"K\","
		    " \"roles\": [\"spy\"]}]}",
		    "people[0].roles[0]: role \"spy\" is unknown");
	parse_fails("{\"people\": [{\"id\": \"kim\", \"party\": \"KOR\", \"name\": \"K\","
		    " \"roles\": [\"analyst\"], \"clearance\": {\"level\": \"II\", \"from\": "
		    "\"2018-02-30\"}}]}",
		    "people[0].clearance.from: date \"2018-02-30\"");
	apply_fails("{" PARTIES
		    ", \"people\": [{\"id\": \"Kim\", \"party\": \"KOR\", \"name\": \"K\","
		    " \"roles\": [\"analyst\"]}]}",
		    "people[0].id: person id \"Kim\"");
}

Test(config, parties_declare_their_groups_and_purposes_once_each)
{
	parse_fails("{\"parties\": [{\"code\": \"JPN\", \"name\": \"Japan\", \"levels\": "
		    "[{\"code\": \"HI\", \"name\": \"H\", \"rank\": 1}], \"ntk_groups\": "
		    "[\"NAVAL\", \"NAVAL\"]}]}",
		    "parties[0].ntk_groups[1]: NAVAL is already ntk_groups[0]");
	parse_fails("{\"parties\": [{\"code\": \"JPN\", \"name\": \"Japan\", \"levels\": "
		    "[{\"code\": \"HI\", \"name\": \"H\", \"rank\": 1}], \"purposes\": "
		    "[\"war ning\"]}]}",
		    "parties[0].purposes[0]: \"war ning\" is not 1-63 of");
	parse_fails("{\"parties\": [{\"code\": \"JPN\", \"name\": \"Japan\", \"levels\": "
		    "[{\"code\": \"HI\", \"name\": \"H\", \"rank\": 1}], \"operator_acts\": "
		    "\"no\"}]}",
		    "parties[0].operator_acts: must be true or false");
	/* a person's group must be one the party declares */
	apply_fails("{\"parties\": [{\"code\": \"JPN\", \"name\": \"Japan\", \"levels\": "
		    "[{\"code\": \"HI\", \"name\": \"H\", \"rank\": 1}], \"ntk_groups\": "
		    "[\"NAVAL\"]}], \"people\": [{\"id\": \"sato\", \"party\": \"JPN\", "
		    "\"name\": \"S\", \"roles\": [\"analyst\"], \"ntk\": [\"NAVLA\"]}]}",
		    "people[0].ntk[0]: \"NAVLA\" is not a need-to-know group of JPN (NAVAL); did "
		    "you mean NAVAL?");
}

/* A party JPN whose one level HI carries the colour field written as c. */
#define COLOURED(c)                                                                                \
	"{\"parties\": [{\"code\": \"JPN\", \"name\": \"Japan\", \"levels\": "                     \
	"[{\"code\": \"HI\", \"name\": \"H\", \"rank\": 1, \"colour\": " c "}]}]}"

Test(config, a_level_colour_is_exactly_a_hash_and_six_hex_digits)
{
	static const char *const ok[] = {"\"#C8102E\"", "\"#00ff7f\"", "\"#aBcDeF\""};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		char text[256];
		snprintf(text, sizeof text, COLOURED("%s"), ok[i]);
		struct config c;
		struct lerr e = {0};
		cr_assert_eq(config_parse(text, strlen(text), "t.json", &c, &e), 0, "%s", e.msg);
		cr_assert_eq(strlen(c.parties[0].levels[0].colour), 7);
		cr_assert_eq(strncmp(c.parties[0].levels[0].colour, ok[i] + 1, 7), 0);
		config_free(&c);
	}
	static const char *const bad[] = {
	    "\"C8102E\"",  "\"#C8102\"",   "\"#C8102E0\"",
	    "\"#C8102G\"", "\"#C8 02E\"",  "\"red\"",
	    "\"\"",	   "\"#C8102E \"", "\"#12345678901234567890\""};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char text[256];
		snprintf(text, sizeof text, COLOURED("%s"), bad[i]);
		parse_fails(text, "parties[0].levels[0].colour: level HI: ");
		parse_fails(text, "is not a colour: '#' and six hex digits");
	}
	parse_fails(COLOURED("16711680"),
		    "parties[0].levels[0].colour: level HI: must be a string \"#RRGGBB\"");
	/* without one, the level has none */
	struct config c;
	struct lerr e = {0};
	cr_assert_eq(config_parse(good, strlen(good), "t.json", &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.parties[0].levels[0].colour, "");
	config_free(&c);
}

Test(config, applying_twice_changes_nothing)
{
	char dir[64];
	struct node *n = fresh_node(dir);
	struct config_summary sum;
	struct lerr e = {0};
	cr_assert_eq(apply_text(n, good, &sum, &e), 0, "%s", e.msg);
	cr_assert_eq(sum.events_added, 2);
	cr_assert_eq(apply_text(n, good, &sum, &e), 0, "%s", e.msg);
	cr_assert_eq(sum.events_added, 0);
	cr_assert_eq(sum.events_known, 2);
	struct agreement *a = malloc(sizeof *a);
	cr_assert_eq(node_agreement_get(n, "G", a, &e), 0, "%s", e.msg);
	cr_assert_eq(a->nevents, 2);
	free(a);
	remove_node(n, dir);
}

Test(config, a_failed_apply_stores_nothing)
{
	char dir[64];
	struct node *n = fresh_node(dir);
	struct config_summary sum;
	struct lerr e = {0};
	/* valid parties, then an impossible event: the parties are not stored */
	const char *bad =
	    "{" PARTIES ", \"agreements\": [" AGREEMENT_HEAD
	    "\"events\": [{\"date\": \"2019-11-22\", \"kind\": \"notice-withdrawn\"}]}]}";
	cr_assert_lt(apply_text(n, bad, &sum, &e), 0);
	struct party p;
	cr_assert_eq(node_party_get(n, "JPN", &p, &e), LERR_NOTFOUND, "JPN was stored");
	cr_assert_eq(sum.parties, 0);
	remove_node(n, dir);
}

Test(config, a_scheme_change_must_keep_stored_agreements_valid)
{
	char dir[64];
	struct node *n = fresh_node(dir);
	struct config_summary sum;
	struct lerr e = {0};
	cr_assert_eq(apply_text(n, good, &sum, &e), 0, "%s", e.msg);
	/* JPN drops GOKUHI, which agreement G (not in this file) uses */
	const char *narrower = "{\"parties\": [{\"code\": \"JPN\", \"name\": \"Japan\","
			       "\"levels\": [{\"code\": \"HI\", \"name\": \"秘\", \"rank\": 1}]}]}";
	cr_assert_lt(apply_text(n, narrower, &sum, &e), 0);
	cr_assert(strstr(e.msg, "agreement G (already stored)") &&
		      strstr(e.msg, "JPN has no level \"GOKUHI\""),
		  "%s", e.msg);
	struct party p;
	cr_assert_eq(node_party_get(n, "JPN", &p, &e), 0);
	cr_assert_eq(p.nlevels, 2, "the old scheme stays");
	remove_node(n, dir);
}

Test(config, new_events_merge_with_recorded_ones)
{
	char dir[64];
	struct node *n = fresh_node(dir);
	struct config_summary sum;
	struct lerr e = {0};
	cr_assert_eq(apply_text(n, good, &sum, &e), 0, "%s", e.msg);
	/* a file that knows the suspension too: one event added */
	const char *more =
	    "{" PARTIES ", \"agreements\": [" AGREEMENT_HEAD
	    "\"events\": [{\"date\": \"2016-11-23\", \"kind\": \"in-force\"},"
	    "{\"date\": \"2019-08-23\", \"kind\": \"notice\", \"by\": \"KOR\"},"
	    "{\"date\": \"2019-11-22\", \"kind\": \"notice-suspended\", \"by\": \"KOR\"}]}]}";
	cr_assert_eq(apply_text(n, more, &sum, &e), 0, "%s", e.msg);
	cr_assert_eq(sum.events_added, 1);
	cr_assert_eq(sum.events_known, 2);
	/* a file whose new event conflicts with a recorded one is refused */
	const char *conflict =
	    "{\"agreements\": [" AGREEMENT_HEAD "\"events\": [{\"date\": \"2019-09-01\", \"kind\": "
	    "\"notice-withdrawn\", \"by\": \"KOR\"}]}]}";
	cr_assert_lt(apply_text(n, conflict, &sum, &e), 0);
	cr_assert(strstr(e.msg, "event 3 already recorded") &&
		      strstr(e.msg, "no pending notice to suspend"),
		  "%s", e.msg);
	remove_node(n, dir);
}

/*
 * A write read through the node's cache inside its transaction, then rolled
 * back, is not served afterwards, even when another handle's commit brings
 * the store's generation back to the number it had inside that transaction
 * (the same rows written: the same count of trigger moves).
 */
Test(config, a_rolled_back_write_read_through_the_cache_is_never_served)
{
	char dir[64];
	struct node *n = fresh_node(dir), *other;
	struct lerr e = {0};
	struct config_summary sum;
	cr_assert_eq(apply_text(n, good, &sum, &e), 0, "%s", e.msg);
	cr_assert_eq(node_open(dir, &other, &e), 0, "%s", e.msg);
	struct party p, kept;
	cr_assert_eq(node_cached_party(n, "JPN", &kept, &e), 0, "%s", e.msg);
	cr_assert_str_eq(kept.name, "Japan");
	/* round 0: read again at once; round 1: after the other's commit */
	for (int round = 0; round < 2; round++) {
		p = kept;
		strcpy(p.name, "Nippon");
		cr_assert_eq(store_begin(n->store, &e), 0, "%s", e.msg);
		cr_assert_eq(store_party_put(n->store, &p, &e), 0, "%s", e.msg);
		cr_assert_eq(node_cached_party(n, "JPN", &p, &e), 0, "%s", e.msg);
		cr_assert_str_eq(p.name, "Nippon", "its own write, inside its transaction");
		store_rollback(n->store);
		if (round == 1) {
			cr_assert_eq(store_begin(other->store, &e), 0, "%s", e.msg);
			cr_assert_eq(store_party_put(other->store, &kept, &e), 0, "%s", e.msg);
			cr_assert_eq(store_commit(other->store, &e), 0, "%s", e.msg);
		}
		cr_assert_eq(node_cached_party(n, "JPN", &p, &e), 0, "%s", e.msg);
		cr_assert_str_eq(p.name, "Japan", "round %d", round);
	}
	node_close(other);
	remove_node(n, dir);
}
