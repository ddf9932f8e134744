/* test_export.c - export control: every decision kind, Japan's 2019 and
 * 2023 dates (docs/record.md), interval edges, measures against licences, bad
 * codes, regime checks, and the timeline against the answer on every day. */
#include "core/export.h"
#include "core/text.h"
#include "helpers.h"

TestSuite(export, .fini = leak_check);

#define NMAX 16
static struct export_interval groups[NMAX];
static struct export_entry entries[NMAX];
static struct export_measure measures[NMAX];
static struct export_licence licences[NMAX];
static struct export_regime R;

static void group(const char *c, int g, const char *from, const char *to)
{
	struct export_interval *x = &groups[R.ngroups++];
	strcpy(x->country, c);
	x->group = g;
	x->from = D(from);
	x->to = to ? D(to) : DATE_MAX;
}

static void entry(const char *code, const char *name, int item)
{
	struct export_entry *x = &entries[R.nentries++];
	strcpy(x->code, code);
	strcpy(x->name, name);
	x->list_item = item;
}

static struct export_licence *licence(const char *id, const char *entry_code, const char *c,
				      const char *from, const char *to)
{
	struct export_licence *l = &licences[R.nlicences++];
	strcpy(l->id, id);
	strcpy(l->entry, entry_code);
	strcpy(l->country, c);
	l->from = D(from);
	l->to = D(to);
	return l;
}

/* Japan's regime as in examples/gsomia-2019.json (entry codes our own). */
static void setup(void)
{
	memset(&R, 0, sizeof R);
	memset(measures, 0, sizeof measures);
	R.groups = groups;
	R.entries = entries;
	R.measures = measures;
	R.licences = licences;
	strcpy(R.party, "JPN");
	R.default_group = EXG_C;
	group("KOR", EXG_A, "2004-04-01", "2019-08-27");
	group("KOR", EXG_B, "2019-08-28", "2023-07-20");
	group("KOR", EXG_A, "2023-07-21", NULL);
	group("USA", EXG_A, "2002-04-01", NULL);
	group("PRK", EXG_D, "2002-04-01", NULL);
	entry("HF", "hydrogen fluoride", 3);
	entry("FPI", "fluorinated polyimide", 3);
	entry("RESIST", "resist", 3);
	entry("MT", "numerically controlled machine tools", 6);
	entry("ARMS", "arms", 1);
	entry("SENS", "sensitive items", 15);
	struct export_measure *m = &measures[R.nmeasures++];
	strcpy(m->entries[m->nentries++], "HF");
	strcpy(m->entries[m->nentries++], "FPI");
	strcpy(m->entries[m->nentries++], "RESIST");
	strcpy(m->country, "KOR");
	m->from = D("2019-07-04");
	m->to = D("2023-03-23");
	licence("IL-2019-0001", "HF", "KOR", "2019-08-08", "2020-02-07");
	struct lerr e = {0};
	cr_assert_eq(export_regime_check(&R, &e), 0, "%s", e.msg);
}

/* The decision for entry (or NULL) to country on day. */
static enum export_decision ask(const char *entry_code, const char *country, const char *day,
				struct export_answer *a)
{
	struct export_answer tmp;
	struct lerr e = {0};
	if (!a)
		a = &tmp;
	cr_assert_eq(export_check(&R, entry_code, country, D(day), a, &e), 0, "%s", e.msg);
	return a->decision;
}

#define assert_decision(entry_code, country, day, want)                                            \
	do {                                                                                       \
		const char *x_ = (entry_code);                                                     \
		enum export_decision got_ = ask(x_, country, day, NULL);                           \
		cr_assert_eq(got_, want, "%s to %s on %s: %s, want %s", x_ ? x_ : "(no entry)",    \
			     country, day, export_decision_name(got_),                             \
			     export_decision_name(want));                                          \
	} while (0)

static bool has_reason(const struct export_answer *a, const char *text)
{
	for (size_t i = 0; i < a->nreasons; i++)
		if (strstr(a->reasons[i], text))
			return true;
	return false;
}

Test(export, hydrogen_fluoride_loses_bulk_licence_on_4_july_2019, .init = setup)
{
	assert_decision("HF", "KOR", "2019-07-03", EXD_GENERAL_BULK);
	struct export_answer a;
	cr_assert_eq(ask("HF", "KOR", "2019-07-04", &a), EXD_INDIVIDUAL_REQUIRED);
	cr_assert_not_null(a.measure);
	cr_assert_null(a.licence);
	cr_assert(has_reason(&a, "special measure"), "%s", a.reasons[1]);
	cr_assert(has_reason(&a, "not yet") || has_reason(&a, "yet"));
	/* licensed when a valid individual licence is on file */
	licence("IL-2019-0000", "HF", "KOR", "2019-07-04", "2019-07-31");
	cr_assert_eq(ask("HF", "KOR", "2019-07-04", &a), EXD_LICENSED);
	cr_assert_str_eq(a.licence->id, "IL-2019-0000");
}

Test(export, list_item_moves_with_korea_between_groups, .init = setup)
{
	assert_decision("MT", "KOR", "2004-03-31", EXD_INDIVIDUAL_REQUIRED); /* default C */
	assert_decision("MT", "KOR", "2004-04-01", EXD_GENERAL_BULK);
	assert_decision("MT", "KOR", "2019-08-27", EXD_GENERAL_BULK);
	assert_decision("MT", "KOR", "2019-08-28", EXD_SPECIAL_GENERAL_BULK);
	assert_decision("MT", "KOR", "2023-07-20", EXD_SPECIAL_GENERAL_BULK);
	assert_decision("MT", "KOR", "2023-07-21", EXD_GENERAL_BULK);
	struct export_answer a;
	ask("MT", "KOR", "2019-08-28", &a);
	cr_assert_eq(a.group, (int)EXG_B);
	cr_assert_not_null(a.interval);
	cr_assert_eq(a.interval->from, D("2019-08-28"));
	cr_assert(has_reason(&a, "KOR is in group B since 2019-08-28"), "%s", a.reasons[0]);
}

Test(export, licence_validity_edges, .init = setup)
{
	struct export_answer a;
	cr_assert_eq(ask("HF", "KOR", "2019-08-07", &a), EXD_INDIVIDUAL_REQUIRED);
	cr_assert(has_reason(&a, "IL-2019-0001 is valid from 2019-08-08"));
	assert_decision("HF", "KOR", "2019-08-08", EXD_LICENSED);
	assert_decision("HF", "KOR", "2020-02-07", EXD_LICENSED);
	/* expired the day before */
	cr_assert_eq(ask("HF", "KOR", "2020-02-08", &a), EXD_INDIVIDUAL_REQUIRED);
	cr_assert_null(a.licence);
	cr_assert(has_reason(&a, "IL-2019-0001 was valid 2019-08-08 to 2020-02-07"));
	/* a licence for another entry or country does not count */
	licence("IL-X", "FPI", "KOR", "2020-01-01", "2020-12-31");
	licence("IL-Y", "HF", "USA", "2020-01-01", "2020-12-31");
	assert_decision("HF", "KOR", "2020-02-08", EXD_INDIVIDUAL_REQUIRED);
}

Test(export, special_measure_and_licence_overlap, .init = setup)
{
	struct export_answer a;
	cr_assert_eq(ask("HF", "KOR", "2019-09-01", &a), EXD_LICENSED);
	cr_assert_not_null(a.measure, "the measure is still named");
	cr_assert_str_eq(a.licence->id, "IL-2019-0001");
	/* FPI is under the same measure with no licence */
	assert_decision("FPI", "KOR", "2019-09-01", EXD_INDIVIDUAL_REQUIRED);
	/* the measure's last day, then group B's special general bulk */
	assert_decision("HF", "KOR", "2023-03-23", EXD_INDIVIDUAL_REQUIRED);
	assert_decision("HF", "KOR", "2023-03-24", EXD_SPECIAL_GENERAL_BULK);
	assert_decision("HF", "KOR", "2023-07-21", EXD_GENERAL_BULK);
	/* the measure is for Korea only */
	assert_decision("HF", "USA", "2019-09-01", EXD_GENERAL_BULK);
}

Test(export, every_decision_kind, .init = setup)
{
	assert_decision(NULL, "USA", "2019-09-01", EXD_NO_LICENCE);
	assert_decision("", "KOR", "2019-08-27", EXD_NO_LICENCE);
	assert_decision(NULL, "KOR", "2019-08-28", EXD_CATCH_ALL_REVIEW);
	assert_decision(NULL, "CHN", "2019-09-01", EXD_CATCH_ALL_REVIEW);
	assert_decision("MT", "USA", "2019-09-01", EXD_GENERAL_BULK);
	assert_decision("MT", "KOR", "2019-09-01", EXD_SPECIAL_GENERAL_BULK);
	assert_decision("ARMS", "USA", "2019-09-01", EXD_INDIVIDUAL_REQUIRED);
	assert_decision("ARMS", "PRK", "2019-09-01", EXD_PROHIBITED);
	assert_decision("MT", "PRK", "2019-09-01", EXD_INDIVIDUAL_REQUIRED);
	assert_decision("SENS", "USA", "2019-09-01", EXD_INDIVIDUAL_REQUIRED);
	assert_decision("HF", "KOR", "2019-09-01", EXD_LICENSED);
	licence("IL-ARMS-1", "ARMS", "USA", "2019-01-01", "2019-12-31");
	assert_decision("ARMS", "USA", "2019-09-01", EXD_LICENSED);
	cr_assert(export_allowed(EXD_NO_LICENCE) && export_allowed(EXD_GENERAL_BULK) &&
		  export_allowed(EXD_SPECIAL_GENERAL_BULK) && export_allowed(EXD_LICENSED));
	cr_assert(!export_allowed(EXD_INDIVIDUAL_REQUIRED) &&
		  !export_allowed(EXD_CATCH_ALL_REVIEW) && !export_allowed(EXD_PROHIBITED));
}

Test(export, no_licence_lifts_a_prohibition, .init = setup)
{
	licence("IL-PRK", "ARMS", "PRK", "2019-01-01", "2019-12-31");
	struct export_answer a;
	cr_assert_eq(ask("ARMS", "PRK", "2019-09-01", &a), EXD_PROHIBITED);
	cr_assert_null(a.licence);
	cr_assert(has_reason(&a, "does not lift a prohibition"));
}

Test(export, bad_codes_are_errors_not_defaults, .init = setup)
{
	struct export_answer a;
	struct lerr e = {0};
	cr_assert_eq(export_check(&R, "HF", "KR", D("2019-09-01"), &a, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "\"KR\" is not an ISO 3166-1 alpha-3") && strstr(e.msg, "alpha-2"),
		  "%s", e.msg);
	cr_assert_eq(export_check(&R, "HF", "XKX", D("2019-09-01"), &a, &e), LERR_INVAL);
	cr_assert_eq(export_check(&R, "HF", "kor", D("2019-09-01"), &a, &e), LERR_INVAL);
	cr_assert_eq(export_check(&R, "HF", "", D("2019-09-01"), &a, &e), LERR_INVAL);
	cr_assert_eq(export_check(&R, "NERVE-GAS", "KOR", D("2019-09-01"), &a, &e), LERR_NOTFOUND);
	cr_assert(strstr(e.msg, "NERVE-GAS is not an entry of JPN's control list"), "%s", e.msg);
	/* a real country with no interval falls in the default group */
	cr_assert_eq(ask("MT", "BRA", "2019-09-01", &a), EXD_INDIVIDUAL_REQUIRED);
	cr_assert_eq(a.group, (int)EXG_C);
	cr_assert_null(a.interval);
	cr_assert(has_reason(&a, "JPN's default group"));
	cr_assert_str_eq(country_name("KOR"), "South Korea");
	cr_assert_null(country_name("ZZZ"));
}

static void expect_bad(const char *want)
{
	struct lerr e = {0};
	cr_assert_eq(export_regime_check(&R, &e), LERR_INVAL, "accepted; want %s", want);
	cr_assert(strstr(e.msg, want), "\"%s\" does not say \"%s\"", e.msg, want);
}

Test(export, regime_check_overlap, .init = setup)
{
	group("KOR", EXG_C, "2019-08-27", "2019-08-27");
	expect_bad("groups[5]: KOR is already in group A on 2019-08-27 (groups[0])");
}

Test(export, regime_check_fields, .init = setup)
{
	strcpy(groups[1].country, "ROK");
	expect_bad("groups[1].country: \"ROK\" is not an ISO 3166-1 alpha-3");
	setup();
	groups[2].from = D("2030-01-01");
	groups[2].to = D("2029-12-31");
	expect_bad("groups[2]: from 2030-01-01 is after to 2029-12-31");
	setup();
	entries[3].list_item = 16;
	expect_bad("entries[3].list_item: 16 is not a list item (1-15)");
	setup();
	strcpy(entries[1].code, "HF");
	expect_bad("entries[1].code: HF is already entries[0]");
	setup();
	strcpy(measures[0].entries[2], "SARIN");
	expect_bad("special_measures[0].entries[2]: SARIN is not an entry");
	setup();
	licence("IL-2019-0001", "FPI", "KOR", "2019-01-01", "2019-02-01");
	expect_bad("licences[1].id: IL-2019-0001 is already on file");
	setup();
	licence("IL-2", "GOLD", "KOR", "2019-01-01", "2019-02-01");
	expect_bad("licences[1].entry: GOLD is not an entry");
	setup();
	strcpy(R.party, "jp");
	expect_bad("party");
}

/* Replays the timeline day by day and compares with the answers. */
static void timeline_matches(const char *country)
{
	struct export_change *c;
	size_t n;
	struct lerr e = {0};
	cr_assert_eq(export_timeline(&R, country, &c, &n, &e), 0, "%s", e.msg);
	int g = export_group_on(&R, country, DATE_MIN, NULL);
	enum export_decision now[NMAX];
	struct export_answer a;
	for (size_t j = 0; j < R.nentries; j++)
		now[j] = ask(entries[j].code, country, "0001-01-01", NULL);
	size_t k = 0;
	for (date_t d = D("2000-01-01"); d <= D("2026-12-31"); d++) {
		for (; k < n && c[k].date <= d; k++) {
			cr_assert_geq(c[k].date, D("2000-01-01"));
			if (!c[k].entry) {
				cr_assert_eq(c[k].group_before, g);
				g = c[k].group;
				continue;
			}
			size_t j = (size_t)(c[k].entry - R.entries);
			cr_assert_eq(c[k].before, now[j]);
			cr_assert_neq(c[k].before, c[k].after);
			now[j] = c[k].after;
		}
		cr_assert_eq(export_group_on(&R, country, d, NULL), g, "%s group on %s", country,
			     T(d));
		for (size_t j = 0; j < R.nentries; j++) {
			cr_assert_eq(export_check(&R, entries[j].code, country, d, &a, &e), 0);
			cr_assert_eq(a.decision, now[j], "%s %s on %s: %s, timeline says %s",
				     entries[j].code, country, T(d),
				     export_decision_name(a.decision),
				     export_decision_name(now[j]));
		}
	}
	cr_assert_eq(k, n, "changes after 2026");
	free(c);
}

Test(export, timeline_agrees_with_every_day, .init = setup)
{
	licence("IL-2019-0002", "RESIST", "KOR", "2019-12-20", "2020-06-19");
	licence("IL-ARMS-1", "ARMS", "USA", "2019-01-01", "2019-12-31");
	timeline_matches("KOR");
	timeline_matches("USA");
	timeline_matches("PRK");
	timeline_matches("CHN");
}

Test(export, timeline_of_korea, .init = setup)
{
	struct export_change *c;
	size_t n;
	struct lerr e = {0};
	cr_assert_eq(export_timeline(&R, "KOR", &c, &n, &e), 0);
	/* 2004-04-01 group C->A, then every entry but ARMS and SENS gets bulk */
	cr_assert_eq(c[0].date, D("2004-04-01"));
	cr_assert_null(c[0].entry);
	cr_assert_eq(c[0].group_before, (int)EXG_C);
	cr_assert_eq(c[0].group, (int)EXG_A);
	size_t i = 0;
	while (i < n && c[i].date < D("2019-07-04"))
		i++;
	cr_assert_str_eq(c[i].entry->code, "HF");
	cr_assert_eq(c[i].before, EXD_GENERAL_BULK);
	cr_assert_eq(c[i].after, EXD_INDIVIDUAL_REQUIRED);
	cr_assert_not_null(c[i].measure);
	while (i < n && c[i].date < D("2019-08-08"))
		i++;
	cr_assert_eq(c[i].date, D("2019-08-08"));
	cr_assert_str_eq(c[i].licence->id, "IL-2019-0001");
	while (i < n && c[i].date < D("2019-08-28"))
		i++;
	cr_assert_null(c[i].entry);
	cr_assert_eq(c[i].group, (int)EXG_B);
	cr_assert_str_eq(c[i + 1].entry->code, "MT");
	cr_assert_eq(c[i + 1].after, EXD_SPECIAL_GENERAL_BULK);
	cr_assert_eq(c[n - 1].date, D("2023-07-21"));
	free(c);
	cr_assert_eq(export_timeline(&R, "ROK", &c, &n, &e), LERR_INVAL);
}

/* A company-specific bulk licence (特定包括許可, resist from 2019-12-20)
 * covers only deals of its exporter with its consignee. */
Test(export, company_bulk_licence_covers_its_companies_only)
{
	setup();
	struct export_licence *l =
	    licence("CB-RESIST-1", "RESIST", "KOR", "2019-12-20", "2022-12-19");
	l->kind = EXL_COMPANY_BULK;
	strcpy(l->exporter, "JSR");
	strcpy(l->consignee, "Samsung Electronics");
	struct lerr e = {0};
	cr_assert_eq(export_regime_check(&R, &e), 0, "%s", e.msg);
	struct export_answer a;
	cr_assert_eq(export_check_deal(&R, "RESIST", "KOR", D("2019-12-20"), "JSR",
				       "Samsung Electronics", &a, &e),
		     0);
	cr_assert_eq(a.decision, EXD_LICENSED);
	cr_assert_eq(a.licence, l);
	cr_assert(strstr(a.reasons[a.nreasons - 1], "company-specific bulk licence CB-RESIST-1"));
	/* the day before: not yet */
	export_check_deal(&R, "RESIST", "KOR", D("2019-12-19"), "JSR", "Samsung Electronics", &a,
			  &e);
	cr_assert_eq(a.decision, EXD_INDIVIDUAL_REQUIRED);
	/* another consignee, or no deal named: the licence is not theirs */
	export_check_deal(&R, "RESIST", "KOR", D("2020-01-06"), "JSR", "SK hynix", &a, &e);
	cr_assert_eq(a.decision, EXD_INDIVIDUAL_REQUIRED);
	cr_assert(strstr(a.reasons[a.nreasons - 1],
			 "covers only deals of JSR with Samsung Electronics, not this one"),
		  "%s", a.reasons[a.nreasons - 1]);
	export_check(&R, "RESIST", "KOR", D("2020-01-06"), &a, &e);
	cr_assert_eq(a.decision, EXD_INDIVIDUAL_REQUIRED);
	/* a company-specific bulk licence names both */
	l->consignee[0] = '\0';
	cr_assert_eq(export_regime_check(&R, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "consignee: a company-specific bulk licence names its exporter"),
		  "%s", e.msg);
	strcpy(l->consignee, "Samsung\nElectronics");
	cr_assert_eq(export_regime_check(&R, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "consignee: a control character"), "%s", e.msg);
	strcpy(l->consignee, "Samsung \u202eElectronics"); /* an override: reads otherwise */
	cr_assert_eq(export_regime_check(&R, &e), LERR_INVAL);
	/* long names in several bytes each: a reason cut by its buffer stays UTF-8 */
	strcpy(l->exporter, "A");
	for (int i = 0; i < 40; i++)
		strcat(l->exporter, "株");
	strcpy(l->consignee, "삼성전자 주식회사 삼성전자 주식회사 삼성전자 주식회사");
	cr_assert_eq(export_regime_check(&R, &e), 0, "%s", e.msg);
	export_check(&R, "RESIST", "KOR", D("2020-03-02"), &a, &e);
	for (size_t i = 0; i < a.nreasons; i++)
		cr_assert(utf8_valid(a.reasons[i], strlen(a.reasons[i])), "reason %zu: %s", i,
			  a.reasons[i]);
	export_check_deal(&R, "RESIST", "KOR", D("2020-03-02"), l->exporter, l->consignee, &a, &e);
	cr_assert_eq(a.decision, EXD_LICENSED);
	for (size_t i = 0; i < a.nreasons; i++)
		cr_assert(utf8_valid(a.reasons[i], strlen(a.reasons[i])), "reason %zu: %s", i, a.reasons[i]);
}

Test(export, one_measure_per_country_and_first_day, .init = setup)
{
	struct export_measure *m = &measures[R.nmeasures++];
	strcpy(m->entries[m->nentries++], "MT");
	strcpy(m->country, "KOR");
	m->from = measures[0].from;
	m->to = DATE_MAX;
	expect_bad("special_measures[1]: KOR already has a measure from that day (special_measures[0])");
}

/* Korea's own groups: 가 answers as A, 가의2 and 나 as C; Japan moved from
 * 가 to 가의2 on 2019-09-18 and back on 2023-04-24. */
Test(export, a_regime_with_its_own_groups)
{
	setup();
	strcpy(R.party, "KOR");
	R.ndefs = 3;
	R.defs[0] = (struct export_group_def){"GA", "가", EXG_A};
	R.defs[1] = (struct export_group_def){"GA2", "가의2", EXG_C};
	R.defs[2] = (struct export_group_def){"NA", "나", EXG_C};
	R.default_group = 2;
	R.ngroups = 0;
	R.nmeasures = 0;
	group("JPN", 0, "2004-01-01", "2019-09-17");
	group("JPN", 1, "2019-09-18", "2023-04-23");
	group("JPN", 0, "2023-04-24", NULL);
	struct lerr e = {0};
	cr_assert_eq(export_regime_check(&R, &e), 0, "%s", e.msg);
	struct export_answer a;
	export_check(&R, "MT", "JPN", D("2019-09-17"), &a, &e);
	cr_assert_eq(a.decision, EXD_GENERAL_BULK);
	cr_assert_str_eq(export_group_def(&R, a.group)->code, "GA");
	export_check(&R, "MT", "JPN", D("2019-09-18"), &a, &e);
	cr_assert_eq(a.decision, EXD_INDIVIDUAL_REQUIRED);
	cr_assert_str_eq(export_group_def(&R, a.group)->name, "가의2");
	export_check(&R, NULL, "JPN", D("2020-01-01"), &a, &e);
	cr_assert_eq(a.decision, EXD_CATCH_ALL_REVIEW);
	export_check(&R, "MT", "JPN", D("2023-04-24"), &a, &e);
	cr_assert_eq(a.decision, EXD_GENERAL_BULK);
	/* the timeline sees 가의2 and 나 as different groups though both answer as C */
	struct export_change *c;
	size_t n;
	cr_assert_eq(export_timeline(&R, "JPN", &c, &n, &e), 0);
	size_t moves = 0;
	for (size_t i = 0; i < n; i++)
		moves += c[i].entry == NULL;
	cr_assert_eq(moves, 3, "into 가 (from the default 나), to 가의2, back to 가");
	free(c);
	int g;
	cr_assert_eq(export_group_find(&R, "B", &g, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "unknown country group \"B\" (GA, GA2, NA)"), "%s", e.msg);
	R.defs[1].rules = (enum export_group)7;
	cr_assert_eq(export_regime_check(&R, &e), LERR_INVAL);
	strcpy(R.defs[1].code, "GA");
	R.defs[1].rules = EXG_C;
	cr_assert_eq(export_regime_check(&R, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "country_groups[1].code: GA is already country_groups[0]"), "%s",
		  e.msg);
}
