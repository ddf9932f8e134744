/* decide.c - access decisions, rule by rule (see decide.h). */
#include "decide.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

static const char *const action_names[ACT__COUNT] = {
    [ACT_READ] = "read",	   [ACT_DOWNLOAD] = "download",
    [ACT_REPRODUCE] = "reproduce", [ACT_TRANSLATE] = "translate",
    [ACT_RELEASE] = "release",	   [ACT_DOWNGRADE] = "downgrade",
    [ACT_DESTROY] = "destroy",	   [ACT_REPORT_COMPROMISE] = "report-compromise",
};

/* The roles that may take each action (R-ROLE). */
static const unsigned action_roles[ACT__COUNT] = {
    [ACT_READ] = ROLE_ANALYST | ROLE_ORIGINATOR | ROLE_SECURITY_OFFICER,
    [ACT_DOWNLOAD] = ROLE_ANALYST | ROLE_ORIGINATOR | ROLE_SECURITY_OFFICER,
    [ACT_REPRODUCE] = ROLE_ANALYST | ROLE_ORIGINATOR,
    [ACT_TRANSLATE] = ROLE_ANALYST | ROLE_ORIGINATOR,
    [ACT_RELEASE] = ROLE_ORIGINATOR | ROLE_SECURITY_OFFICER,
    [ACT_DOWNGRADE] = ROLE_ORIGINATOR,
    [ACT_DESTROY] = ROLE_SECURITY_OFFICER,
    [ACT_REPORT_COMPROMISE] = ROLE_SECURITY_OFFICER,
};

const char *action_name(enum action a)
{
	return (unsigned)a < ACT__COUNT ? action_names[a] : NULL;
}

int action_parse(const char *s, enum action *out, struct lerr *e)
{
	for (int a = 0; a < ACT__COUNT; a++)
		if (text_eq(s, action_names[a])) {
			*out = (enum action)a;
			return 0;
		}
	*out = ACT_READ;
	return lerr_set(e, LERR_INVAL,
			"action \"%.40s\" is unknown (read, download, reproduce, translate, "
			"release, downgrade, destroy, report-compromise)",
			s);
}

/* Adds a rule's outcome to d. */
static void rule(struct decision *d, const char *id, const char *clause, bool ok, const char *fmt,
		 ...) __attribute__((format(printf, 5, 6)));

static void rule(struct decision *d, const char *id, const char *clause, bool ok, const char *fmt,
		 ...)
{
	if (d->nrules == DECIDE_RULES_MAX)
		return;
	struct rule_outcome *r = &d->rules[d->nrules++];
	r->id = id;
	r->clause = clause;
	r->ok = ok;
	r->detail[0] = r->hint[0] = '\0';
	if (d->outcome_only) /* no words: most of a decision's cost */
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = text_vformat(r->detail, sizeof r->detail, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof r->detail) /* cut: maybe mid-sequence */
		text_trim_utf8(r->detail);
}

/* A day in words, or "" when the decision has none (outcome_only). */
static const char *day(const struct decision *d, date_t t, char buf[DATE_BUF_SIZE])
{
	return d->outcome_only ? "" : date_format(t, buf);
}

/* What would change the answer of the rule just made, when it failed. */
static void hint(struct decision *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void hint(struct decision *d, const char *fmt, ...)
{
	struct rule_outcome *r = d->nrules ? &d->rules[d->nrules - 1] : NULL;
	if (!r || r->ok || d->outcome_only)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = text_vformat(r->hint, sizeof r->hint, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof r->hint) /* cut: maybe mid-sequence */
		text_trim_utf8(r->hint);
}

/* The hint of a failed R-THIRD-PARTY: the originator's consent for party. */
static void consent_hint(struct decision *d, const char *originator, const char *party)
{
	hint(d, "%s's written consent for %s (consent grant on its node, consent import here)",
	     originator, party);
}

/* words[0..n) of width w, joined by ", " into buf (n bytes). */
static const char *joined(const char *words, size_t w, size_t n, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		if (i)
			text_append(buf, size, &len, ", ");
		text_append(buf, size, &len, words + i * w);
	}
	return buf;
}

static bool touches_content(enum action a)
{
	return a == ACT_READ || a == ACT_DOWNLOAD || a == ACT_REPRODUCE || a == ACT_TRANSLATE ||
	       a == ACT_RELEASE || a == ACT_DOWNGRADE;
}

bool action_reads(enum action a)
{
	return a == ACT_READ || a == ACT_DOWNLOAD || a == ACT_REPRODUCE || a == ACT_TRANSLATE;
}

const struct scheme_level *decide_required_level(const struct label *l, const struct party *scheme,
						 const struct agreement *agreement,
						 const char **why)
{
	if (text_eq(l->originator, scheme->code)) {
		const struct scheme_level *own = party_level(scheme, l->level);
		if (!own && why)
			*why = "the item's level is not in its originator's scheme";
		return own;
	}
	if (!agreement) {
		if (why)
			*why = "no agreement between the parties maps the item's level";
		return NULL;
	}
	const struct agr_equiv *row = agreement_equiv_row(agreement, l->originator, l->level);
	if (!row) {
		if (why)
			*why = "the item's level has no equivalent under the agreement";
		return NULL;
	}
	const struct scheme_level *best = NULL;
	for (size_t i = 0; i < row->n; i++) {
		if (!text_eq(row->levels[i].party, scheme->code))
			continue;
		const struct scheme_level *lv = party_level(scheme, row->levels[i].level);
		if (lv && (!best || lv->rank > best->rank))
			best = lv;
	}
	if (!best && why)
		*why = "the agreement gives the level no equivalent in the reader's scheme";
	return best;
}

/* A person of a party other than the one whose node holds the item. */
static bool foreign_reader(const struct decide_request *rq)
{
	return rq->holder && !text_eq(rq->holder, rq->person->party);
}

/* Acts on the holder's own copy, or that make new items of it: its people only. */
static bool holders_act(enum action a)
{
	return a == ACT_RELEASE || a == ACT_DOWNGRADE || a == ACT_DESTROY ||
	       a == ACT_REPORT_COMPROMISE || a == ACT_REPRODUCE || a == ACT_TRANSLATE;
}

static void check_role(const struct decide_request *rq, struct decision *d)
{
	unsigned need = action_roles[rq->action];
	bool ok = (rq->person->roles & need) != 0;
	char names[96] = "";
	if (!d->outcome_only)
		role_names(need, names, sizeof names);
	if (ok && holders_act(rq->action) && foreign_reader(rq))
		rule(d, "R-ROLE", "Art. 6, 13, 17", false,
		     "%s is of %s; only people of %s, whose node holds the item, may %s it",
		     rq->person->id, rq->person->party, rq->holder, action_name(rq->action));
	else {
		rule(d, "R-ROLE", "Art. 6, 13, 17", ok, "%s needs the role %s; %s %s",
		     action_name(rq->action), names, rq->person->id, ok ? "has it" : "has not");
		hint(d, "ask a person with the role %s (roles are the registrar's to give)", names);
		return;
	}
	hint(d, "ask a person of %s", rq->holder);
}

/*
 * A person of another party reading on the holder's node: the item passes
 * from the holder to that party, so the agreement between them must be in
 * force (R-IN-FORCE) and, for an item a third party made, its consent
 * given (R-THIRD-PARTY).
 */
static void check_foreign_reader(const struct decide_request *rq, struct decision *d)
{
	const struct person *p = rq->person;
	const char *orig = rq->item->label.originator;
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	struct agr_state st;
	if (!text_eq(orig, rq->holder) && !text_eq(orig, p->party)) {
		rule(d, "R-THIRD-PARTY", "Art. 5", rq->reader_consent,
		     "%s made the item; a person of %s reads it here only with its written "
		     "consent, %s",
		     orig, p->party, rq->reader_consent ? "which was given" : "which there is not");
		consent_hint(d, orig, p->party);
	}
	if (!rq->holder_agreement) {
		rule(d, "R-IN-FORCE", "Art. 21", false,
		     "%s is of %s; no agreement between %s and %s covers %s reading %s's items",
		     p->id, p->party, p->party, rq->holder, p->id, rq->holder);
		return;
	}
	agreement_state(rq->holder_agreement, rq->date, AGR_NONE, &st);
	bool ok = st.state == AGR_IN_FORCE || st.state == AGR_UNDER_NOTICE;
	if (st.state == AGR_TERMINATED)
		rule(d, "R-IN-FORCE", "Art. 21", false,
		     "%s is of %s: %s ended on %s, and nothing of %s passes to %s after it (%s)",
		     p->id, p->party, rq->holder_agreement->id, day(d, st.since, d1), rq->holder,
		     p->party, day(d, rq->date, d2));
	else
		rule(d, "R-IN-FORCE", "Art. 21", ok, "%s is of %s: %s is %s on %s", p->id, p->party,
		     rq->holder_agreement->id, agr_state_name(st.state), day(d, rq->date, d1));
}

/* Whether clearance c holds on date in scheme. */
static bool clearance_valid(const struct clearance *c, const struct party *scheme, date_t date)
{
	return date >= c->from && date <= clearance_end(c, scheme);
}

/*
 * Of the clearances in p for which want(c) holds, the one to speak of on
 * date: one valid that day, else the latest to have started by then, else
 * the soonest to start; NULL when want holds for none.
 */
static const struct clearance *clearance_pick(const struct person *p, const struct party *scheme,
					      date_t date, const struct scheme_level *need)
{
	const struct clearance *started = NULL, *coming = NULL;
	for (size_t i = 0; i < p->nclear; i++) {
		const struct clearance *c = &p->clear[i];
		const struct scheme_level *lv = party_level(scheme, c->level);
		if (need && !(lv && level_covers(lv, need)))
			continue;
		if (clearance_valid(c, scheme, date))
			return c;
		if (c->from <= date && (!started || c->from > started->from))
			started = c;
		else if (c->from > date && (!coming || c->from < coming->from))
			coming = c;
	}
	return started ? started : coming;
}

/* The highest-ranked of p's clearances valid on date, or NULL. */
static const struct clearance *clearance_best(const struct person *p, const struct party *scheme,
					      date_t date)
{
	const struct clearance *best = NULL;
	const struct scheme_level *best_lv = NULL;
	for (size_t i = 0; i < p->nclear; i++) {
		const struct scheme_level *lv = party_level(scheme, p->clear[i].level);
		if (clearance_valid(&p->clear[i], scheme, date) &&
		    (!best || (lv && (!best_lv || lv->rank > best_lv->rank))))
			best = &p->clear[i], best_lv = lv;
	}
	return best;
}

/* Why clearance c does not hold on date: lapsed, or outside its days. */
static void clearance_dates_fail(struct decision *d, const struct decide_request *rq,
				 const struct clearance *c)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE], d3[DATE_BUF_SIZE];
	const struct person *p = rq->person;
	const struct scheme_level *lv = party_level(rq->scheme, c->level);
	const date_t end = clearance_end(c, rq->scheme);
	if (end < c->to && rq->date > end) {
		rule(d, "R-CLEARANCE", "Art. 4, 7", false,
		     "%s's %s clearance of %s lapsed after %s (a %s clearance is valid %d years "
		     "unless renewed), before %s",
		     p->id, c->level, day(d, c->from, d1), day(d, end, d2), c->level,
		     lv ? lv->valid_years : 0, day(d, rq->date, d3));
		hint(d, "a renewed %s clearance (person add --clearance %s:FROM), from %s on",
		     c->level, c->level, day(d, end + 1, d1));
		return;
	}
	rule(d, "R-CLEARANCE", "Art. 4, 7", false, "%s's %s clearance is valid %s to %s, not on %s",
	     p->id, c->level, day(d, c->from, d1), day(d, c->to, d2), day(d, rq->date, d3));
	hint(d, "a %s clearance valid on %s (person add --clearance %s:FROM[:TO])", c->level,
	     day(d, rq->date, d3), c->level);
}

/*
 * R-CLEARANCE: one of the person's clearances, valid on the date, covers
 * the item's level as the person's scheme maps it. When none does, the
 * detail speaks of the clearance that would have: one at a level that
 * covers it (why it does not hold that day), else the highest valid one
 * (why its level does not reach), else the latest (its days).
 */
static void check_clearance(const struct decide_request *rq, struct decision *d)
{
	const struct person *p = rq->person;
	const struct label *l = &rq->item->label;
	const char *why = NULL;
	if (!p->nclear) {
		rule(d, "R-CLEARANCE", "Art. 4, 7", false, "%s holds no clearance", p->id);
		hint(d, "a clearance of %s at the item's level (person add --clearance)", p->party);
		return;
	}
	const struct scheme_level *need = decide_required_level(l, rq->scheme, rq->agreement, &why);
	const struct clearance *c = need ? clearance_pick(p, rq->scheme, rq->date, need) : NULL;
	if (c && !clearance_valid(c, rq->scheme, rq->date)) {
		clearance_dates_fail(d, rq, c);
		return;
	}
	if (!c && !(c = clearance_best(p, rq->scheme, rq->date))) {
		clearance_dates_fail(d, rq, clearance_pick(p, rq->scheme, rq->date, NULL));
		return;
	}
	if (!need) {
		rule(d, "R-CLEARANCE", "Art. 4", false, "%s %s: %s", l->originator, l->level, why);
		return;
	}
	const struct scheme_level *has = party_level(rq->scheme, c->level);
	bool ok = has && level_covers(has, need);
	if (need->separate && !ok)
		rule(d, "R-CLEARANCE", "Art. 4, 7", false,
		     "%s %s requires %s %s, which needs a clearance of its own; %s holds %s",
		     l->originator, l->level, rq->scheme->code, need->code, p->id, c->level);
	else
		rule(d, "R-CLEARANCE", "Art. 4, 7", ok,
		     "%s %s requires %s %s (rank %d); %s holds %s (rank %d)", l->originator,
		     l->level, rq->scheme->code, need->code, need->rank, p->id, c->level,
		     has ? has->rank : 0);
	hint(d, "a clearance at %s %s%s, valid that day", rq->scheme->code, need->code,
	     need->separate ? " itself" : " or higher");
}

static void check_ntk(const struct decide_request *rq, struct decision *d)
{
	const char *g = rq->item->label.ntk;
	if (!g[0]) {
		rule(d, "R-NTK", "Art. 7", true, "the item has no need-to-know group");
		return;
	}
	bool ok = person_has_ntk(rq->person, g);
	rule(d, "R-NTK", "Art. 7", ok, "the item needs the group %s; %s %s it", g, rq->person->id,
	     ok ? "holds" : "does not hold");
	hint(d, "membership of the group %s (person add --ntk %s)", g, g);
}

static void check_releasable(const struct decide_request *rq, struct decision *d)
{
	const struct label *l = &rq->item->label;
	const char *party = rq->action == ACT_RELEASE ? rq->to : rq->person->party;
	if (!party || !party[0]) {
		rule(d, "R-RELEASABLE", "Art. 5", false, "no destination party given");
		hint(d, "name the party it goes to (--to)");
		return;
	}
	bool ok = label_releasable_to(l, party);
	if (ok && rq->action == ACT_RELEASE && rq->release_agreement) {
		/* the level as this party marks it must have an equivalent under the release's
		 * agreement */
		const struct scheme_level *here =
		    decide_required_level(l, rq->scheme, rq->agreement, NULL);
		if (!here ||
		    !agreement_equiv_row(rq->release_agreement, rq->scheme->code, here->code)) {
			rule(d, "R-RELEASABLE", "Art. 4", false,
			     "%s %s has no equivalent under %s: it is outside the agreement",
			     rq->scheme->code, here ? here->code : l->level,
			     rq->release_agreement->id);
			return;
		}
	}
	rule(d, "R-RELEASABLE", "Art. 5", ok, "%s is %samong the parties it is releasable to",
	     party, ok ? "" : "not ");
	if (ok || d->outcome_only)
		return;
	char list[LABEL_LIST_MAX * PARTY_CODE_MAX];
	const char *now = l->nreleasable ? joined(l->releasable[0], sizeof l->releasable[0],
						  l->nreleasable, list, sizeof list)
					 : "no other party";
	if (text_eq(l->originator, rq->person->party))
		hint(d, "share it anew with --releasable %s (it is releasable to %s)", party, now);
	else
		hint(d, "only %s, the originator, can make it releasable to %s (now: %s)",
		     l->originator, party, now);
}

/* Is the agreement in force (a pending notice does not stop it) on day? */
static bool in_force(const struct agreement *a, date_t day, struct agr_state *st)
{
	agreement_state(a, day, AGR_NONE, st);
	return st->state == AGR_IN_FORCE || st->state == AGR_UNDER_NOTICE;
}

/* The agreement a foreign item came under: with its sender, else its originator. */
static const struct agreement *received_under(const struct decide_request *rq)
{
	return rq->received_under ? rq->received_under : rq->agreement;
}

static void check_received(const struct decide_request *rq, struct decision *d)
{
	const struct agreement *under = received_under(rq);
	char d1[DATE_BUF_SIZE];
	struct agr_state st;
	if (!under) {
		rule(d, "R-RECEIVED", "Art. 21", false, "no agreement with %s covers this item",
		     rq->item->label.originator);
		return;
	}
	bool ok = in_force(under, rq->item->received, &st);
	rule(d, "R-RECEIVED", "Art. 21", ok, "received %s under %s, %s that day",
	     day(d, rq->item->received, d1), under->id, agr_state_name(st.state));
}

static void check_continuing(const struct decide_request *rq, struct decision *d)
{
	const struct agreement *under = received_under(rq);
	char d1[DATE_BUF_SIZE];
	struct agr_state st;
	if (!under)
		return; /* R-RECEIVED already denies */
	if (in_force(under, rq->date, &st)) {
		rule(d, "R-CONTINUING", "Art. 21", true, "%s is %s", under->id,
		     agr_state_name(st.state));
		return;
	}
	if (st.state == AGR_TERMINATED && rq->item->label.revocable)
		rule(d, "R-CONTINUING", "Art. 21", false,
		     "%s ended on %s and the originator made the item revocable", under->id,
		     day(d, st.since, d1));
	else if (st.state == AGR_TERMINATED)
		rule(d, "R-CONTINUING", "Art. 21", true,
		     "%s ended on %s; items received before stay readable and protected", under->id,
		     day(d, st.since, d1));
	else
		rule(d, "R-CONTINUING", "Art. 21", false, "%s is %s", under->id,
		     agr_state_name(st.state));
}

static void check_purpose(const struct decide_request *rq, struct decision *d)
{
	const struct label *l = &rq->item->label;
	const char *p = rq->purpose ? rq->purpose : "";
	if (l->npurposes == 0) {
		rule(d, "R-PURPOSE", "Art. 5", true, "the item names no purposes");
		return;
	}
	bool ok = false;
	for (size_t i = 0; i < l->npurposes && !ok; i++)
		ok = text_eq(l->purposes[i], p);
	if (!p[0])
		rule(d, "R-PURPOSE", "Art. 5", false,
		     "the item is for stated purposes only; none given");
	else
		rule(d, "R-PURPOSE", "Art. 5", ok, "the purpose %s is %samong the item's purposes",
		     p, ok ? "" : "not ");
	if (ok || d->outcome_only)
		return;
	char list[LABEL_LIST_MAX * LABEL_WORD_MAX];
	hint(d, "give a purpose (--purpose) the item allows: %s",
	     joined(l->purposes[0], sizeof l->purposes[0], l->npurposes, list, sizeof list));
}

static void check_release(const struct decide_request *rq, struct decision *d)
{
	const struct label *l = &rq->item->label;
	char d1[DATE_BUF_SIZE];
	struct agr_state st;
	const char *to = rq->to && rq->to[0] ? rq->to : "?";
	/* R-THIRD-PARTY: a foreign item going to a third party */
	if (!text_eq(l->originator, rq->person->party) && !text_eq(l->originator, to)) {
		const bool ok = rq->consent && !rq->consent_flaw;
		rule(d, "R-THIRD-PARTY", "Art. 5", ok,
		     "%s made the item; releasing it to %s needs its written consent, %s%s",
		     l->originator, to,
		     ok		   ? "which was given"
		     : rq->consent ? "and the one here "
				   : "which there is not",
		     ok || !rq->consent ? "" : rq->consent_flaw);
		if (rq->consent)
			hint(d,
			     "%s's consent for %s again, naming %s as holder and the item's label "
			     "now (consent grant on its node, consent import here)",
			     l->originator, to, rq->holder ? rq->holder : rq->person->party);
		else
			consent_hint(d, l->originator, to);
	}
	if (!rq->release_agreement)
		rule(d, "R-IN-FORCE", "Art. 21", false, "no agreement between %s and %s",
		     rq->person->party, to);
	else {
		bool ok = in_force(rq->release_agreement, rq->date, &st);
		rule(d, "R-IN-FORCE", "Art. 21", ok, "%s is %s on %s", rq->release_agreement->id,
		     agr_state_name(st.state), day(d, rq->date, d1));
	}
}

/*
 * R-EXPORT: an item with an export-control entry leaves the person's
 * country only under a general licence for the destination on that day or
 * a valid individual licence (export.h).
 */
static void check_export(const struct decide_request *rq, struct decision *d)
{
	const char *entry = rq->item->label.export_entry;
	const char *from = rq->person->party, *to = rq->to && rq->to[0] ? rq->to : "?";
	const struct export_regime *r = rq->export_regime;
	struct export_answer a;
	struct lerr e = {0};
	if (!entry[0]) {
		rule(d, "R-EXPORT", "export control", true, "the item has no export-control entry");
		return;
	}
	if (!r) {
		rule(d, "R-EXPORT", "export control", false,
		     "the item is under export-control entry %s and no export regime of %s is on "
		     "file",
		     entry, from);
		return;
	}
	if (export_check(r, entry, to, rq->date, &a, &e) < 0) {
		rule(d, "R-EXPORT", "export control", false, "%s", e.msg);
		return;
	}
	bool ok = export_allowed(a.decision);
	const char *g = export_group_def(r, a.group) ? export_group_def(r, a.group)->code : "?",
		   *dn = export_decision_name(a.decision);
	if (a.licence)
		rule(d, "R-EXPORT", "export control", ok, "%s to %s (group %s): %s under %s", entry,
		     to, g, dn, a.licence->id);
	else if (ok)
		rule(d, "R-EXPORT", "export control", ok, "%s to %s (group %s): %s", entry, to, g,
		     dn);
	else
		rule(d, "R-EXPORT", "export control", ok, "%s to %s (group %s): %s; %s", entry, to,
		     g, dn, a.reasons[a.nreasons - 1]);
	if (a.decision == EXD_INDIVIDUAL_REQUIRED || a.decision == EXD_CATCH_ALL_REVIEW)
		hint(d, "an individual licence for %s to %s valid that day (export licence add)",
		     entry, to);
}

char *decide_why(const struct decision *d, char *buf, size_t n)
{
	size_t len = 0;
	if (n == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < d->nrules && len < n; i++) {
		if (d->rules[i].ok)
			continue;
		int w = text_format(buf + len, n - len, "%s%s: %s", len ? "; " : "", d->rules[i].id,
				    d->rules[i].detail);
		if (w < 0 || (size_t)w >= n - len) {
			if (n > 4)
				memcpy(buf + n - 4, "...", 4);
			break;
		}
		len += (size_t)w;
	}
	return buf;
}

void decide(const struct decide_request *rq, struct decision *d)
{
	/* the rules' texts are set as each rule is made (rule()): clearing
	 * them all first would cost as much as the decision */
	d->permit = false;
	d->nrules = 0;
	d->outcome_only = rq->outcome_only;
	d->action = rq->action;
	d->date = rq->date;
	if ((unsigned)rq->action >= ACT__COUNT) {
		rule(d, "R-ROLE", "", false, "unknown action");
		return;
	}
	const struct label *l = &rq->item->label;
	check_role(rq, d);
	if (touches_content(rq->action)) {
		check_clearance(rq, d);
		check_ntk(rq, d);
		check_releasable(rq, d);
	}
	if (rq->item->foreign && touches_content(rq->action)) {
		check_received(rq, d);
		check_continuing(rq, d);
	}
	if (action_reads(rq->action) && foreign_reader(rq))
		check_foreign_reader(rq, d);
	if (action_reads(rq->action))
		check_purpose(rq, d);
	if (rq->action == ACT_RELEASE) {
		check_release(rq, d);
		check_export(rq, d);
	}
	if (rq->action == ACT_DOWNGRADE) {
		bool ok = text_eq(l->originator, rq->person->party);
		rule(d, "R-DOWNGRADE", "Art. 6", ok,
		     "only %s, the originator, may change the level", l->originator);
		hint(d, "ask %s, the originator, in writing", l->originator);
	}
	if (rq->action == ACT_REPRODUCE || rq->action == ACT_TRANSLATE)
		rule(d, "R-MARKING", "Art. 4, 14, 15", true,
		     "the new item carries %s %s and every restriction of the original",
		     l->originator, l->level);
	d->permit = true;
	for (size_t i = 0; i < d->nrules; i++)
		d->permit = d->permit && d->rules[i].ok;
}
