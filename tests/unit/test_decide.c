/* test_decide.c - access decisions: each rule flips a decision on its own,
 * the 2019 dates, and no PERMIT below the mapped clearance. */
#include <stdio.h>

#include "core/decide.h"
#include "core/text.h"
#include "helpers.h"

TestSuite(decide, .fini = leak_check);

static struct party jpn, kor;
static struct agreement *g;	   /* the real 2016-2023 events */
static struct agreement *g_nosusp; /* as if Seoul had not suspended its notice */

static void level(struct party *p, const char *code, const char *name, int rank)
{
	struct scheme_level *l = &p->levels[p->nlevels++];
	strcpy(l->code, code);
	strcpy(l->name, name);
	l->rank = rank;
}

static void equiv(struct agreement *a, const char *common, const char *party, const char *lv)
{
	struct agr_equiv *row = NULL;
	for (size_t i = 0; i < a->nequiv; i++)
		if (strcmp(a->equiv[i].common, common) == 0)
			row = &a->equiv[i];
	if (!row) {
		row = &a->equiv[a->nequiv++];
		strcpy(row->common, common);
	}
	strcpy(row->levels[row->n].party, party);
	strcpy(row->levels[row->n].level, lv);
	row->n++;
}

static void setup(void)
{
	memset(&jpn, 0, sizeof jpn);
	memset(&kor, 0, sizeof kor);
	strcpy(jpn.code, "JPN");
	level(&jpn, "HI", "秘", 1);
	level(&jpn, "GOKUHI", "極秘", 2);
	level(&jpn, "TOKUTEI", "特定秘密", 2);
	strcpy(kor.code, "KOR");
	level(&kor, "III", "군사III급비밀", 1);
	level(&kor, "II", "군사II급비밀", 2);
	level(&kor, "I", "군사I급비밀", 3);
	g = gsomia();
	strcpy(g->id, "JPN-KOR-GSOMIA");
	equiv(g, "SECRET", "JPN", "GOKUHI");
	equiv(g, "SECRET", "JPN", "TOKUTEI");
	equiv(g, "SECRET", "KOR", "II");
	equiv(g, "CONFIDENTIAL", "JPN", "HI");
	equiv(g, "CONFIDENTIAL", "KOR", "III");
	g_nosusp = malloc(sizeof *g_nosusp);
	*g_nosusp = *g;
	g_nosusp->events[3] = g_nosusp->events[4]; /* drop the suspension... */
	g_nosusp->nevents = 3;			   /* ...and the withdrawal */
}

static void teardown(void)
{
	free(g);
	free(g_nosusp);
	leak_check();
}

TestSuite(rules, .init = setup, .fini = teardown);
TestSuite(gsomia2019, .init = setup, .fini = teardown);
TestSuite(property, .init = setup, .fini = teardown);

/* Kim: a KOR analyst cleared II 2018-2025, in MISSILE-WARNING. */
static struct person kim(void)
{
	struct person p = {.id = "kim",
			   .party = "KOR",
			   .name = "Kim Min-jun",
			   .roles = ROLE_ANALYST,
			   .nclear = 1,
			   .clear = {{.level = "II"}},
			   .nntk = 1};
	p.clear[0].from = D("2018-01-01");
	p.clear[0].to = D("2025-12-31");
	strcpy(p.ntk[0], "MISSILE-WARNING");
	return p;
}

/* A JPN GOKUHI item on a missile launch, releasable to KOR, received 2019-08-25. */
static struct item_view launch(void)
{
	struct item_view it = {.foreign = true};
	strcpy(it.label.item, "launch-1");
	strcpy(it.label.originator, "JPN");
	strcpy(it.label.level, "GOKUHI");
	strcpy(it.label.title, "Missile launch");
	it.label.nreleasable = 1;
	strcpy(it.label.releasable[0], "KOR");
	strcpy(it.label.ntk, "MISSILE-WARNING");
	it.label.npurposes = 1;
	strcpy(it.label.purposes[0], "warning");
	it.received = D("2019-08-25");
	return it;
}

/* The rule with this id in d, or NULL. */
static const struct rule_outcome *find(const struct decision *d, const char *id)
{
	for (size_t i = 0; i < d->nrules; i++)
		if (strcmp(d->rules[i].id, id) == 0)
			return &d->rules[i];
	return NULL;
}

/* Asserts a DENY in which `id` is the only failed rule, its detail holding want. */
static void denied_by(const struct decision *d, const char *id, const char *want)
{
	cr_assert_not(d->permit, "expected DENY by %s, got PERMIT", id);
	const struct rule_outcome *r = find(d, id);
	cr_assert_not_null(r, "rule %s not applied", id);
	cr_assert_not(r->ok, "%s passed: %s", id, r->detail);
	for (size_t i = 0; i < d->nrules; i++)
		cr_assert(d->rules[i].ok || d->rules[i].id == r->id, "%s also failed: %s",
			  d->rules[i].id, d->rules[i].detail);
	cr_assert(strstr(r->detail, want), "%s: expected \"%s\" in: %s", id, want, r->detail);
	cr_assert_neq(r->clause[0], '\0');
}

static void permitted(const struct decision *d)
{
	for (size_t i = 0; i < d->nrules; i++)
		cr_assert(d->rules[i].ok, "%s failed: %s", d->rules[i].id, d->rules[i].detail);
	cr_assert(d->permit);
}

/* Kim reads the launch item on 2019-09-01 for a warning: the baseline PERMIT. */
static struct decide_request base(struct person *p, struct item_view *it)
{
	struct decide_request rq = {.action = ACT_READ,
				    .date = D("2019-09-01"),
				    .person = p,
				    .scheme = &kor,
				    .item = it,
				    .agreement = g,
				    .purpose = "warning"};
	return rq;
}

Test(rules, the_baseline_is_permitted_with_every_rule_listed)
{
	struct person p = kim();
	struct item_view it = launch();
	struct decide_request rq = base(&p, &it);
	struct decision d;
	decide(&rq, &d);
	permitted(&d);
	const char *ids[] = {"R-ROLE",	   "R-CLEARANCE",  "R-NTK",    "R-RELEASABLE",
			     "R-RECEIVED", "R-CONTINUING", "R-PURPOSE"};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		cr_assert_not_null(find(&d, ids[i]), "%s missing", ids[i]);
	cr_assert(strstr(find(&d, "R-CLEARANCE")->detail, "JPN GOKUHI requires KOR II"), "%s",
		  find(&d, "R-CLEARANCE")->detail);
}

Test(rules, r_role)
{
	struct person p = kim();
	struct item_view it = launch();
	p.roles = ROLE_AUDITOR;
	struct decide_request rq = base(&p, &it);
	struct decision d;
	decide(&rq, &d);
	denied_by(&d, "R-ROLE", "read needs the role analyst or originator or security-officer");
	p.roles = ROLE_ANALYST;
	rq.action = ACT_DESTROY;
	decide(&rq, &d);
	denied_by(&d, "R-ROLE", "security-officer");
}

Test(rules, r_clearance)
{
	struct person p = kim();
	struct item_view it = launch();
	struct decide_request rq = base(&p, &it);
	struct decision d;
	strcpy(p.clear[0].level, "III");
	decide(&rq, &d);
	denied_by(&d, "R-CLEARANCE", "kim holds III (rank 1)");
	p = kim();
	rq.date = D("2026-01-01"); /* clearance ended 2025-12-31 */
	decide(&rq, &d);
	denied_by(&d, "R-CLEARANCE", "valid 2018-01-01 to 2025-12-31, not on 2026-01-01");
	rq.date = D("2019-09-01");
	p.nclear = 0;
	decide(&rq, &d);
	denied_by(&d, "R-CLEARANCE", "holds no clearance");
	p = kim();
	strcpy(it.label.level, "HI"); /* CONFIDENTIAL: III would do, II certainly */
	decide(&rq, &d);
	permitted(&d);
}

Test(rules, r_clearance_no_equivalent_means_deny)
{
	/* a JPN reader of a KOR level I item: outside the agreement */
	struct person p = {.id = "sato",
			   .party = "JPN",
			   .name = "Sato",
			   .roles = ROLE_ANALYST,
			   .nclear = 1,
			   .clear = {{.level = "TOKUTEI"}}};
	p.clear[0].from = D("2010-01-01");
	p.clear[0].to = D("2030-01-01");
	struct item_view it = launch();
	strcpy(it.label.originator, "KOR");
	strcpy(it.label.level, "I");
	strcpy(it.label.releasable[0], "JPN");
	it.label.ntk[0] = '\0';
	struct decide_request rq = base(&p, &it);
	rq.scheme = &jpn;
	struct decision d;
	decide(&rq, &d);
	denied_by(&d, "R-CLEARANCE", "no equivalent under the agreement");
	strcpy(it.label.level, "II");
	decide(&rq, &d);
	permitted(&d);
}

Test(rules, r_ntk)
{
	struct person p = kim();
	struct item_view it = launch();
	p.nntk = 0;
	struct decide_request rq = base(&p, &it);
	struct decision d;
	decide(&rq, &d);
	denied_by(&d, "R-NTK", "needs the group MISSILE-WARNING; kim does not hold it");
}

Test(rules, r_releasable)
{
	struct person p = kim();
	struct item_view it = launch();
	strcpy(it.label.releasable[0], "USA");
	struct decide_request rq = base(&p, &it);
	struct decision d;
	decide(&rq, &d);
	denied_by(&d, "R-RELEASABLE", "KOR is not among the parties");
}

Test(rules, r_received)
{
	struct person p = kim();
	struct item_view it = launch();
	it.received = D("2016-06-01"); /* before entry into force */
	struct decide_request rq = base(&p, &it);
	struct decision d;
	decide(&rq, &d);
	denied_by(&d, "R-RECEIVED", "received 2016-06-01 under JPN-KOR-GSOMIA, not-in-force");
}

Test(rules, r_purpose)
{
	struct person p = kim();
	struct item_view it = launch();
	struct decide_request rq = base(&p, &it);
	struct decision d;
	rq.purpose = "targeting";
	decide(&rq, &d);
	denied_by(&d, "R-PURPOSE", "the purpose targeting is not among");
	rq.purpose = NULL;
	decide(&rq, &d);
	denied_by(&d, "R-PURPOSE", "none given");
	/* words cut to fit are cut between characters, never inside one */
	char long_purpose[3 * 100 + 1] = "";
	for (int i = 0; i < 100; i++)
		strcat(long_purpose, "\xe7\x9b\xae"); /* 目 */
	for (int shift = 0; shift < 3; shift++) {
		char p2[3 * 100 + 4];
		snprintf(p2, sizeof p2, "%.*s%s", shift, "xyz", long_purpose);
		rq.purpose = p2;
		decide(&rq, &d);
		const struct rule_outcome *r = find(&d, "R-PURPOSE");
		cr_assert_not_null(r);
		cr_assert_gt(strlen(r->detail), DECIDE_DETAIL_MAX - 5, "cut short: %zu",
			     strlen(r->detail));
		cr_assert(utf8_valid(r->detail, strlen(r->detail)),
			  "shift %d: cut inside a character", shift);
	}
}

Test(rules, r_third_party_and_r_in_force)
{
	/* KOR's security officer passes the JPN item on to USA */
	struct person p = kim();
	p.roles = ROLE_SECURITY_OFFICER;
	struct item_view it = launch();
	it.label.nreleasable = 2;
	strcpy(it.label.releasable[1], "USA");
	struct agreement *kor_usa = agr_new(1, 1, 90);
	strcpy(kor_usa->parties[1], "USA");
	strcpy(kor_usa->parties[0], "KOR");
	ev(kor_usa, "2014-12-29", AGR_EV_IN_FORCE, "");
	equiv(kor_usa, "SECRET", "KOR", "II");
	equiv(kor_usa, "SECRET", "USA", "S");
	struct decide_request rq = base(&p, &it);
	rq.action = ACT_RELEASE;
	rq.to = "USA";
	rq.release_agreement = kor_usa;
	struct decision d;
	decide(&rq, &d);
	denied_by(&d, "R-THIRD-PARTY", "needs its written consent, which there is not");
	rq.consent = true;
	decide(&rq, &d);
	permitted(&d);
	/* a consent held that cannot pass the item on counts as none, and says why */
	rq.consent_flaw = "lets GBR pass it on, not KOR";
	rq.holder = "KOR";
	decide(&rq, &d);
	denied_by(&d, "R-THIRD-PARTY",
		  "needs its written consent, and the one here lets GBR pass it on, not KOR");
	const char *h = find(&d, "R-THIRD-PARTY")->hint;
	cr_expect(strstr(h, "naming KOR as holder") != NULL, "hint: %s", h);
	rq.consent_flaw = NULL;
	rq.release_agreement = NULL;
	decide(&rq, &d);
	denied_by(&d, "R-IN-FORCE", "no agreement between KOR and USA");
	free(kor_usa);
}

Test(rules, r_releasable_a_level_without_equivalent_stays_home)
{
	/* KOR's level I is outside the agreement: it cannot be released under it */
	struct person park = kim();
	park.roles = ROLE_SECURITY_OFFICER;
	strcpy(park.clear[0].level, "I");
	struct item_view it = launch();
	it.foreign = false;
	strcpy(it.label.originator, "KOR");
	strcpy(it.label.level, "I");
	strcpy(it.label.releasable[0], "JPN");
	struct decide_request rq = base(&park, &it);
	rq.action = ACT_RELEASE;
	rq.to = "JPN";
	rq.release_agreement = g;
	struct decision d;
	decide(&rq, &d);
	denied_by(&d, "R-RELEASABLE", "KOR I has no equivalent under JPN-KOR-GSOMIA");
	strcpy(it.label.level, "II");
	decide(&rq, &d);
	permitted(&d);
}

Test(rules, r_received_under_the_agreement_with_the_sender)
{
	/* USA holds a JPN item that KOR passed on: received under KOR-USA */
	struct party usa = {.code = "USA"};
	level(&usa, "S", "SECRET", 2);
	struct agreement *kor_usa = agr_new(1, 1, 90), *jpn_usa = agr_new(1, 1, 90);
	strcpy(kor_usa->id, "KOR-USA");
	strcpy(kor_usa->parties[1], "USA");
	ev(kor_usa, "2020-01-01", AGR_EV_IN_FORCE, "");
	strcpy(jpn_usa->id, "JPN-USA");
	strcpy(jpn_usa->parties[1], "USA");
	strcpy(jpn_usa->parties[0], "JPN");
	ev(jpn_usa, "2007-08-10", AGR_EV_IN_FORCE, "");
	equiv(jpn_usa, "SECRET", "JPN", "GOKUHI");
	equiv(jpn_usa, "SECRET", "USA", "S");
	struct person smith = {.id = "smith",
			       .party = "USA",
			       .name = "Smith",
			       .roles = ROLE_ANALYST,
			       .nclear = 1,
			       .clear = {{.level = "S"}},
			       .nntk = 1};
	smith.clear[0].from = D("2010-01-01");
	smith.clear[0].to = D("2030-01-01");
	strcpy(smith.ntk[0], "MISSILE-WARNING");
	struct item_view it = launch();
	strcpy(it.label.releasable[0], "USA");
	it.received = D("2019-09-01"); /* KOR-USA not yet in force */
	struct decide_request rq = base(&smith, &it);
	rq.scheme = &usa;
	rq.agreement = jpn_usa;
	rq.received_under = kor_usa;
	rq.date = D("2020-03-01");
	struct decision d;
	decide(&rq, &d);
	denied_by(&d, "R-RECEIVED", "received 2019-09-01 under KOR-USA, not-in-force");
	it.received = D("2020-02-01");
	decide(&rq, &d);
	permitted(&d);
	cr_assert(strstr(find(&d, "R-CLEARANCE")->detail, "requires USA S"),
		  "levels still map through JPN-USA");
	free(kor_usa);
	free(jpn_usa);
}

/* Kim, of KOR, defined on JPN's node: JPN's own launch item passes to KOR
 * when he reads it, so the agreement between them must be in force. */
Test(rules, a_person_of_another_party_reads_on_the_holders_node_under_the_agreement)
{
	struct person p = kim();
	struct item_view it = launch();
	it.foreign = false; /* JPN's own item, on JPN's node */
	struct decide_request rq = base(&p, &it);
	rq.holder = "JPN";
	rq.holder_agreement = g;
	struct decision d;
	decide(&rq, &d);
	permitted(&d);
	cr_assert(strstr(find(&d, "R-IN-FORCE")->detail, "kim is of KOR: JPN-KOR-GSOMIA is "
							 "in-force-under-notice on 2019-09-01"),
		  "%s", find(&d, "R-IN-FORCE")->detail);
	/* had Seoul not suspended its notice: nothing passes from 2019-11-23 */
	rq.holder_agreement = g_nosusp;
	rq.agreement = g_nosusp;
	rq.date = D("2019-11-23");
	decide(&rq, &d);
	denied_by(&d, "R-IN-FORCE",
		  "kim is of KOR: JPN-KOR-GSOMIA ended on 2019-11-23, and nothing of JPN passes "
		  "to KOR after it");
	rq.date = D("2019-11-22");
	decide(&rq, &d);
	permitted(&d);
	/* no agreement at all */
	rq.holder_agreement = NULL;
	decide(&rq, &d);
	denied_by(&d, "R-IN-FORCE", "no agreement between KOR and JPN");
	/* a third party's item held by JPN: its originator's consent for KOR too */
	rq.holder_agreement = g;
	rq.agreement = g;
	strcpy(it.label.originator, "USA");
	strcpy(it.label.level, "S");
	rq.holder = "JPN";
	decide(&rq, &d);
	cr_assert_not(find(&d, "R-THIRD-PARTY")->ok);
	rq.reader_consent = true;
	decide(&rq, &d);
	cr_assert(find(&d, "R-THIRD-PARTY")->ok);
	/* the holder's own people: no such rules */
	it = launch();
	it.foreign = false;
	rq = base(&p, &it);
	strcpy(p.party, "JPN");
	rq.holder = "JPN";
	decide(&rq, &d);
	cr_assert_null(find(&d, "R-IN-FORCE"));
}

Test(rules, acts_on_the_holders_copy_are_for_the_holders_people)
{
	struct person p = kim();
	struct item_view it = launch();
	p.roles = ROLE_SECURITY_OFFICER | ROLE_ORIGINATOR;
	struct decide_request rq = base(&p, &it);
	rq.holder = "JPN";
	rq.holder_agreement = g;
	struct decision d;
	p.roles |= ROLE_ANALYST;
	enum action acts[] = {ACT_DESTROY, ACT_REPORT_COMPROMISE, ACT_DOWNGRADE,
			      ACT_RELEASE, ACT_REPRODUCE,	  ACT_TRANSLATE};
	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		rq.action = acts[i];
		rq.to = "USA";
		decide(&rq, &d);
		cr_assert_not(d.permit, "%s permitted", action_name(acts[i]));
		cr_assert(strstr(find(&d, "R-ROLE")->detail,
				 "kim is of KOR; only people of JPN, whose node holds the item"),
			  "%s", find(&d, "R-ROLE")->detail);
	}
}

Test(rules, r_downgrade)
{
	struct person p = kim();
	p.roles = ROLE_ORIGINATOR;
	struct item_view it = launch();
	struct decide_request rq = base(&p, &it);
	rq.action = ACT_DOWNGRADE;
	struct decision d;
	decide(&rq, &d);
	denied_by(&d, "R-DOWNGRADE", "only JPN, the originator");
}

Test(rules, r_marking_goes_with_copies)
{
	struct person p = kim();
	struct item_view it = launch();
	struct decide_request rq = base(&p, &it);
	rq.action = ACT_TRANSLATE;
	struct decision d;
	decide(&rq, &d);
	permitted(&d);
	cr_assert_not_null(find(&d, "R-MARKING"));
	cr_assert(strstr(find(&d, "R-MARKING")->detail, "carries JPN GOKUHI"));
}

Test(gsomia2019, a_kor_analyst_reads_a_jpn_item_on_2019_11_23)
{
	struct person p = kim();
	struct item_view it = launch();
	struct decide_request rq = base(&p, &it);
	rq.date = D("2019-11-23");
	struct decision d;
	decide(&rq, &d);
	permitted(&d);
	cr_assert(strstr(find(&d, "R-CONTINUING")->detail, "in-force"));
	/* without the suspension the agreement ended; the item came before */
	rq.agreement = g_nosusp;
	decide(&rq, &d);
	permitted(&d);
	cr_assert(strstr(find(&d, "R-CONTINUING")->detail,
			 "ended on 2019-11-23; items received before stay readable"),
		  "%s", find(&d, "R-CONTINUING")->detail);
	/* unless the originator made it revocable */
	it.label.revocable = true;
	decide(&rq, &d);
	denied_by(&d, "R-CONTINUING",
		  "ended on 2019-11-23 and the originator made the item revocable");
}

Test(gsomia2019, nothing_received_or_released_after_the_end_without_the_suspension)
{
	struct person p = kim();
	struct item_view it = launch();
	it.received = D("2019-11-25");
	struct decide_request rq = base(&p, &it);
	rq.date = D("2019-11-25");
	rq.agreement = g_nosusp;
	struct decision d;
	decide(&rq, &d);
	cr_assert_not(d.permit);
	cr_assert_not(find(&d, "R-RECEIVED")->ok);
	/* JPN's originator releasing to KOR that day */
	struct person sato = {.id = "sato",
			      .party = "JPN",
			      .name = "Sato",
			      .roles = ROLE_ORIGINATOR,
			      .nclear = 1,
			      .clear = {{.level = "TOKUTEI"}}};
	sato.clear[0].from = D("2010-01-01");
	sato.clear[0].to = D("2030-01-01");
	struct item_view own = launch();
	own.foreign = false;
	own.label.ntk[0] = '\0';
	struct decide_request rel = {.action = ACT_RELEASE,
				     .date = D("2019-11-25"),
				     .person = &sato,
				     .scheme = &jpn,
				     .item = &own,
				     .to = "KOR",
				     .release_agreement = g_nosusp};
	decide(&rel, &d);
	denied_by(&d, "R-IN-FORCE", "JPN-KOR-GSOMIA is terminated on 2019-11-25");
	rel.release_agreement = g;
	decide(&rel, &d);
	permitted(&d);
	cr_assert_null(find(&d, "R-THIRD-PARTY"), "own items need no consent");
}

Test(rules, r_export_needs_a_licence_for_the_day)
{
	/* JPN's originator releasing an item under entry HF to KOR in July 2019 */
	struct person sato = {.id = "sato",
			      .party = "JPN",
			      .name = "Sato",
			      .roles = ROLE_ORIGINATOR,
			      .nclear = 1,
			      .clear = {{.level = "TOKUTEI"}}};
	sato.clear[0].from = D("2010-01-01");
	sato.clear[0].to = D("2030-01-01");
	struct item_view own = launch();
	own.foreign = false;
	own.label.ntk[0] = '\0';
	strcpy(own.label.export_entry, "HF");
	struct export_interval grp = {"KOR", EXG_A, D("2004-04-01"), D("2019-08-27")};
	struct export_entry hf = {"HF", "hydrogen fluoride", 3};
	struct export_measure m = {.nentries = 1, .country = "KOR"};
	strcpy(m.entries[0], "HF");
	m.from = D("2019-07-04");
	m.to = D("2023-03-23");
	struct export_licence lic = {.id = "IL-1",
				     .entry = "HF",
				     .country = "KOR",
				     .from = D("2019-08-08"),
				     .to = D("2020-02-07")};
	struct export_regime r = {.party = "JPN",
				  .default_group = EXG_C,
				  .ngroups = 1,
				  .groups = &grp,
				  .nentries = 1,
				  .entries = &hf,
				  .nmeasures = 1,
				  .measures = &m,
				  .nlicences = 1,
				  .licences = &lic};
	struct decide_request rel = {.action = ACT_RELEASE,
				     .date = D("2019-07-03"),
				     .person = &sato,
				     .scheme = &jpn,
				     .item = &own,
				     .to = "KOR",
				     .release_agreement = g,
				     .export_regime = &r};
	struct decision d;
	decide(&rel, &d);
	permitted(&d);
	cr_assert_str_eq(find(&d, "R-EXPORT")->detail, "HF to KOR (group A): general-bulk");
	rel.date = D("2019-07-04");
	decide(&rel, &d);
	denied_by(&d, "R-EXPORT", "HF to KOR (group A): individual-required; no valid");
	rel.date = D("2019-08-08");
	decide(&rel, &d);
	permitted(&d);
	cr_assert(strstr(find(&d, "R-EXPORT")->detail, "licensed under IL-1"));
	rel.date = D("2020-02-08");
	decide(&rel, &d);
	denied_by(&d, "R-EXPORT", "IL-1 was valid 2019-08-08 to 2020-02-07");
	rel.export_regime = NULL;
	rel.date = D("2019-08-08");
	decide(&rel, &d);
	denied_by(&d, "R-EXPORT", "no export regime of JPN is on file");
	rel.export_regime = &r;
	rel.to = "NATO";
	decide(&rel, &d);
	cr_assert_not(d.permit);
	cr_assert(strstr(find(&d, "R-EXPORT")->detail, "not an ISO 3166-1 alpha-3"));
	/* no entry, no export question; and no R-EXPORT for other actions */
	rel.to = "KOR";
	own.label.export_entry[0] = '\0';
	rel.date = D("2019-07-04");
	decide(&rel, &d);
	permitted(&d);
	rel.action = ACT_READ;
	decide(&rel, &d);
	cr_assert_null(find(&d, "R-EXPORT"));
}

/* A small random generator, the same every run. */
static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

Test(property, no_permit_below_the_mapped_clearance_and_outcomes_alone_agree)
{
	struct party *schemes[2] = {&jpn, &kor};
	const enum action acts[] = {ACT_READ,	   ACT_DOWNLOAD, ACT_REPRODUCE,
				    ACT_TRANSLATE, ACT_RELEASE,	 ACT_DOWNGRADE};
	size_t permits = 0;
	for (int n = 0; n < 200000; n++) {
		struct party *mine = schemes[next() % 2], *theirs = schemes[next() % 2];
		struct person p = {
		    .id = "p", .roles = (unsigned)(next() % 32), .nclear = next() % 8 != 0};
		strcpy(p.party, mine->code);
		strcpy(p.clear[0].level, mine->levels[next() % mine->nlevels].code);
		p.clear[0].from = D("2015-01-01") + (date_t)(next() % 2000);
		p.clear[0].to = p.clear[0].from + (date_t)(next() % 3000);
		struct item_view it = launch();
		it.foreign = theirs != mine;
		strcpy(it.label.originator, theirs->code);
		strcpy(it.label.level, theirs->levels[next() % theirs->nlevels].code);
		strcpy(it.label.releasable[0], mine->code);
		it.label.ntk[0] = '\0';
		it.received = D("2016-01-01") + (date_t)(next() % 3000);
		struct decide_request rq = {.action = acts[next() % 6],
					    .date = D("2016-01-01") + (date_t)(next() % 3650),
					    .person = &p,
					    .scheme = mine,
					    .item = &it,
					    .agreement = next() % 2 ? g : g_nosusp,
					    .purpose = "warning",
					    .to = theirs->code,
					    .release_agreement = g,
					    .consent = true};
		struct decision d, o;
		memset(&d, 0xa5, sizeof d); /* decide() clears nothing it does not set */
		decide(&rq, &d);
		/* the outcomes alone: the same rules, the same answers, no words */
		struct decide_request brief = rq;
		brief.outcome_only = true;
		memset(&o, 0x5a, sizeof o); /* what decide() does not set would show */
		decide(&brief, &o);
		cr_assert_eq(o.permit, d.permit);
		cr_assert_eq(o.nrules, d.nrules);
		for (size_t i = 0; i < d.nrules; i++) {
			cr_assert_str_eq(o.rules[i].id, d.rules[i].id);
			cr_assert_eq(o.rules[i].ok, d.rules[i].ok, "%s", d.rules[i].id);
			cr_assert_str_eq(o.rules[i].detail, "");
			cr_assert_str_eq(o.rules[i].hint, "");
			cr_assert_neq(d.rules[i].detail[0], '\0', "%s has no detail",
				      d.rules[i].id);
		}
		if (!d.permit)
			continue;
		permits++;
		const struct scheme_level *need =
		    decide_required_level(&it.label, mine, rq.agreement, NULL);
		const struct scheme_level *has = party_level(mine, p.clear[0].level);
		cr_assert_not_null(need, "PERMIT for a level with no equivalent");
		cr_assert(p.nclear && has && has->rank >= need->rank,
			  "PERMIT for %s (rank %d) to %s %s needing rank %d", p.clear[0].level,
			  has ? has->rank : 0, it.label.originator, it.label.level, need->rank);
		cr_assert(rq.date >= p.clear[0].from && rq.date <= p.clear[0].to,
			  "PERMIT outside the clearance");
	}
	cr_assert_gt(permits, 1000, "the property was checked on %zu permits only", permits);
}

/* JPN's scheme as the law has it: 特定秘密 separate, lapsing after five years. */
static struct party japan_in_law(void)
{
	struct party s = {.code = "JPN"};
	level(&s, "HI", "秘", 1);
	level(&s, "GOKUHI", "極秘", 2);
	level(&s, "TOKUTEI", "特定秘密", 2);
	s.levels[2].separate = true;
	s.levels[2].valid_years = 5;
	return s;
}

/* A separate level needs its own clearance; a lapsing one ends valid_years on. */
Test(decide, separate_and_lapsing_levels)
{
	struct party s = japan_in_law();
	const struct scheme_level *hi = &s.levels[0], *gokuhi = &s.levels[1],
				  *tokutei = &s.levels[2];
	cr_assert(level_covers(gokuhi, hi));
	cr_assert(!level_covers(gokuhi, tokutei), "a 極秘 clearance does not read 特定秘密");
	cr_assert(level_covers(tokutei, tokutei));
	cr_assert(level_covers(tokutei, gokuhi), "by rank, for the levels that are not separate");
	struct person p = {
	    .id = "sato", .party = "JPN", .nclear = 1, .clear = {{.level = "TOKUTEI"}}};
	p.clear[0].from = D("2015-04-01");
	p.clear[0].to = DATE_MAX;
	cr_assert_eq(clearance_end(&p.clear[0], &s), D("2020-03-31"));
	cr_assert(person_cleared_for(&p, &s, "TOKUTEI", D("2020-03-31")));
	cr_assert(!person_cleared_for(&p, &s, "TOKUTEI", D("2020-04-01")));
	cr_assert(!person_cleared_for(&p, &s, "GOKUHI", D("2020-04-01")),
		  "the lapse is the clearance's");
	p.clear[0].to = D("2018-12-31"); /* an earlier end stands */
	cr_assert_eq(clearance_end(&p.clear[0], &s), D("2018-12-31"));
	/* from 29 February: five years on is 1 March, its last day 28 February */
	p.clear[0].from = D("2016-02-29");
	p.clear[0].to = DATE_MAX;
	cr_assert_eq(clearance_end(&p.clear[0], &s), D("2021-02-28"));
	struct person g2 = {.id = "g", .party = "JPN", .nclear = 1, .clear = {{.level = "GOKUHI"}}};
	g2.clear[0].from = D("2015-04-01");
	g2.clear[0].to = DATE_MAX;
	cr_assert_eq(clearance_end(&g2.clear[0], &s), DATE_MAX,
		     "a level without valid_years never lapses");
	cr_assert(!person_cleared_for(&g2, &s, "TOKUTEI", D("2019-09-01")));
}

/* Several clearances: a renewal covers what the lapsed assessment no longer
 * does; the decision speaks of the clearance that counts. */
Test(decide, several_clearances_renewal_and_levels)
{
	struct party s = japan_in_law();
	struct person p = {.id = "sato", .party = "JPN", .roles = ROLE_ANALYST, .nclear = 1};
	p.clear[0] = (struct clearance){"TOKUTEI", D("2015-04-01"), DATE_MAX};
	cr_assert(!person_cleared_for(&p, &s, "TOKUTEI", D("2020-04-01")));
	p.clear[p.nclear++] = (struct clearance){"TOKUTEI", D("2020-03-15"), DATE_MAX};
	cr_assert(person_cleared_for(&p, &s, "TOKUTEI", D("2020-04-01")), "renewed");
	cr_assert(!person_cleared_for(&p, &s, "TOKUTEI", D("2025-03-15")),
		  "the renewal lapses too");
	p.clear[p.nclear++] = (struct clearance){"GOKUHI", D("2010-01-01"), DATE_MAX};
	cr_assert(person_cleared_for(&p, &s, "GOKUHI", D("2020-04-01")));
	cr_assert(person_cleared_for(&p, &s, "HI", D("2030-01-01")), "GOKUHI reads HI, by rank");
	cr_assert(!person_cleared_for(&p, &s, "TOKUTEI", D("2030-01-01")));

	/* the same through decide(): JPN's own TOKUTEI item, read in 2026 */
	struct item_view it = launch();
	it.foreign = false;
	strcpy(it.label.originator, "JPN");
	strcpy(it.label.level, "TOKUTEI");
	it.label.ntk[0] = '\0';
	struct decide_request rq = {.action = ACT_READ,
				    .date = D("2026-01-01"),
				    .person = &p,
				    .scheme = &s,
				    .item = &it,
				    .agreement = g,
				    .purpose = "warning"};
	struct decision d;
	decide(&rq, &d);
	/* the detail speaks of the clearance that would have covered it: the
	 * latest TOKUTEI assessment, lapsed; not the GOKUHI one that holds */
	denied_by(&d, "R-CLEARANCE",
		  "sato's TOKUTEI clearance of 2020-03-15 lapsed after 2025-03-14");
	/* with no TOKUTEI assessment at all: the GOKUHI clearance, which cannot */
	struct person only = p;
	only.clear[0] = p.clear[2];
	only.nclear = 1;
	rq.person = &only;
	decide(&rq, &d);
	denied_by(&d, "R-CLEARANCE", "needs a clearance of its own; sato holds GOKUHI");
	/* one that starts later: named with its level and days */
	only.clear[0] = (struct clearance){"TOKUTEI", D("2027-01-01"), DATE_MAX};
	decide(&rq, &d);
	denied_by(&d, "R-CLEARANCE",
		  "sato's TOKUTEI clearance is valid 2027-01-01 to 9999-12-31, not on 2026-01-01");
	rq.person = &p;
	rq.date = D("2024-06-01");
	decide(&rq, &d);
	cr_assert(find(&d, "R-CLEARANCE")->ok, "%s", find(&d, "R-CLEARANCE")->detail);
}
