/* agreement.c - agreements and the lifecycle arithmetic (see agreement.h). */
#include "agreement.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const char *const kind_names[AGR_EV__COUNT] = {
    [AGR_EV_SIGNED] = "signed",
    [AGR_EV_IN_FORCE] = "in-force",
    [AGR_EV_AMENDED] = "amended",
    [AGR_EV_NOTICE] = "notice",
    [AGR_EV_SUSPENDED] = "notice-suspended",
    [AGR_EV_RESUMED] = "notice-resumed",
    [AGR_EV_WITHDRAWN] = "notice-withdrawn",
};

const char *agr_event_kind_name(enum agr_event_kind k)
{
	return (unsigned)k < AGR_EV__COUNT ? kind_names[k] : NULL;
}

int agr_event_kind_parse(const char *s, enum agr_event_kind *out, struct lerr *e)
{
	for (int k = 0; k < AGR_EV__COUNT; k++)
		if (text_eq(s, kind_names[k])) {
			*out = (enum agr_event_kind)k;
			return 0;
		}
	*out = AGR_EV_SIGNED;
	return lerr_set(e, LERR_INVAL,
			"event kind \"%.40s\" is unknown (signed, in-force, notice, "
			"notice-suspended, notice-resumed, notice-withdrawn, amended)",
			s);
}

const char *agr_state_name(enum agr_state_kind k)
{
	switch (k) {
	case AGR_NOT_IN_FORCE:
		return "not-in-force";
	case AGR_IN_FORCE:
		return "in-force";
	case AGR_UNDER_NOTICE:
		return "in-force-under-notice";
	case AGR_TERMINATED:
		return "terminated";
	}
	return "unknown";
}

const char *agr_notice_status_name(enum agr_notice_status s)
{
	switch (s) {
	case AGR_NOTICE_NONE:
		return "none";
	case AGR_NOTICE_PENDING:
		return "pending";
	case AGR_NOTICE_SUSPENDED:
		return "suspended";
	case AGR_NOTICE_WITHDRAWN:
		return "withdrawn";
	}
	return "unknown";
}

bool agreement_has_party(const struct agreement *a, const char *party)
{
	for (size_t i = 0; i < a->nparties; i++)
		if (text_eq(a->parties[i], party))
			return true;
	return false;
}

int agreement_id_check(const char *id, struct lerr *e)
{
	size_t n = strlen(id);
	bool ok = n >= 1 && n < AGR_ID_MAX;
	for (size_t i = 0; ok && i < n; i++) {
		char c = id[i];
		ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		     c == '.' || c == '_' || c == '-';
	}
	if (!ok)
		return lerr_set(
		    e, LERR_INVAL,
		    "agreement id \"%.80s\" is not 1-63 of A-Z, a-z, 0-9, '.', '_' and '-'", id);
	return 0;
}

static int event_cmp(const struct agr_event *x, const struct agr_event *y)
{
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

void agreement_sort_events(struct agreement *a)
{
	/* Insertion sort: stable, and event lists are short. */
	for (size_t i = 1; i < a->nevents; i++) {
		struct agr_event v = a->events[i];
		size_t j = i;
		while (j > 0 && event_cmp(&a->events[j - 1], &v) > 0) {
			a->events[j] = a->events[j - 1];
			j--;
		}
		a->events[j] = v;
	}
}

/*
 * The end of term k (>= 1) of an agreement in force since ey-em-ed: the
 * same day T + (k - 1) R years later (date_in_year).
 */
static int term_end_ymd(const struct agreement *a, int ey, int em, int ed, long k, date_t *out)
{
	*out = 0;
	if (k < 1)
		return LERR_INVAL;
	return date_in_year((long)ey + a->term_years + (k - 1) * (long)a->renewal_years, em, ed,
			    out);
}

int agreement_term_end(const struct agreement *a, date_t entry, long k, date_t *out)
{
	int y, m, d;
	*out = 0;
	if (entry < DATE_MIN || entry > DATE_MAX)
		return LERR_INVAL;
	date_to_ymd(entry, &y, &m, &d);
	return term_end_ymd(a, y, m, d, k, out);
}

/*
 * The smallest k >= 1 whose term end is on or after x, and that end; the
 * term's start too, when start is not NULL (entry, or the end of term k - 1).
 */
static int first_term_end_from(const struct agreement *a, date_t entry, date_t x, long *k_out,
			       date_t *end, date_t *start)
{
	int ey, em, ed, xy, xm, xd;
	if (entry < DATE_MIN || entry > DATE_MAX)
		return LERR_INVAL;
	date_to_ymd(entry, &ey, &em, &ed);
	date_to_ymd(x, &xy, &xm, &xd);
	/* term k ends in the year ey + T + (k - 1) R: the first k whose year is
	 * xy or later, else the next one */
	long k = 1, behind = (long)xy - ey - a->term_years;
	if (a->renewal_years > 0 && behind > 0)
		k = (behind + a->renewal_years - 1) / a->renewal_years + 1;
	for (;;) {
		if (term_end_ymd(a, ey, em, ed, k, end) < 0)
			return LERR_INVAL;
		if (*end >= x)
			break;
		if (a->renewal_years < 1) /* no renewal: no later term (unvalidated) */
			return LERR_INVAL;
		k++;
	}
	*k_out = k;
	if (start && (k == 1 || term_end_ymd(a, ey, em, ed, k - 1, start) < 0))
		*start = entry;
	return 0;
}

int agreement_notice_effect(const struct agreement *a, date_t entry, date_t g, date_t *out)
{
	long k;
	*out = 0;
	if (a->term_years < 1 || a->renewal_years < 1)
		return LERR_INVAL;
	/* given at least N days before the term's last day (e - 1): g + N <= e - 1 */
	return first_term_end_from(a, entry, g + a->notice_days + 1, &k, out, NULL);
}

/* The running fold over the events, in applying order. */
struct fold {
	const struct agreement *a;
	struct agr_state *st;
	bool terminated;
};

static void settle(struct fold *f, date_t d)
{
	struct agr_state *st = f->st;
	if (!f->terminated && st->notice.status == AGR_NOTICE_PENDING &&
	    st->notice.effective <= d) {
		f->terminated = true;
		st->since = st->notice.effective;
	}
}

/* Writes why an event cannot happen; returns -1. */
__attribute__((format(printf, 3, 4))) static int refuse(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Checks that `by`, if given, is the party that gave the running notice. */
static int by_noticer(const struct agr_state *st, const struct agr_event *ev, const char *verb,
		      char *why, size_t n)
{
	if (ev->by[0] && !text_eq(ev->by, st->notice.by))
		return refuse(why, n, "only %s, which gave the notice, can %s it", st->notice.by,
			      verb);
	return 0;
}

static bool joint_kind(enum agr_event_kind k)
{
	return k == AGR_EV_SIGNED || k == AGR_EV_IN_FORCE || k == AGR_EV_AMENDED;
}

/* Whether events i and j are records of one joint act. */
static bool same_act(const struct agreement *a, size_t i, size_t j)
{
	return a->events[i].kind == a->events[j].kind && a->events[i].date == a->events[j].date;
}

bool agreement_event_awaits(const struct agreement *a, size_t i, size_t without,
			    const char **missing)
{
	if (missing)
		*missing = NULL;
	if (i >= a->nevents || !joint_kind(a->events[i].kind))
		return false;
	for (size_t j = 0; j < a->nevents; j++)
		if (j != without && same_act(a, i, j) && !a->events[j].by[0])
			return false; /* a joint record */
	for (size_t p = 0; p < a->nparties; p++) {
		bool has = false;
		for (size_t j = 0; j < a->nevents && !has; j++)
			has = j != without && same_act(a, i, j) &&
			      text_eq(a->events[j].by, a->parties[p]);
		if (!has) {
			if (missing)
				*missing = a->parties[p];
			return true;
		}
	}
	return false;
}

/* Whether a record of a joint act is not the first of its records (in
 * applying order, events of one day and kind sort by recording order). */
static size_t earlier_record(const struct agreement *a, size_t i, size_t without)
{
	for (size_t j = 0; j < i; j++)
		if (j != without && same_act(a, i, j))
			return j;
	return AGR_NONE;
}

/* An earlier record of the same act by the same hand (or both joint), or AGR_NONE. */
static size_t same_record(const struct agreement *a, size_t i, size_t without)
{
	for (size_t j = 0; j < i; j++)
		if (j != without && same_act(a, i, j) && text_eq(a->events[j].by, a->events[i].by))
			return j;
	return AGR_NONE;
}

/*
 * Applies one event (index i) to the fold; returns 0, or -1 with the reason
 * it cannot happen written in why.
 */
static int apply(struct fold *f, size_t i, char *why, size_t n)
{
	const struct agreement *a = f->a;
	const struct agr_event *ev = &a->events[i];
	struct agr_state *st = f->st;
	struct agr_notice *nt = &st->notice;
	char d1[DATE_BUF_SIZE];
	date_t effect;

	if (ev->by[0] && !agreement_has_party(a, ev->by))
		return refuse(why, n, "%s is not a party to %s", ev->by, a->id);
	if (f->terminated)
		return refuse(why, n, "the agreement is terminated since %s",
			      date_format(st->since, d1));
	/* a joint act takes effect once, at its first record (the others are the
	 * same act, each party's once), and only when every party recorded it:
	 * one still awaiting another party is checked like any event, then has
	 * no effect */
	size_t j;
	if (joint_kind(ev->kind) && (j = same_record(a, i, st->without)) != AGR_NONE)
		return refuse(why, n, "%s on %s is recorded already (event %zu)%s%s",
			      agr_event_kind_name(ev->kind), date_format(ev->date, d1), j + 1,
			      ev->by[0] ? " by " : "", ev->by);
	if (joint_kind(ev->kind) && earlier_record(a, i, st->without) != AGR_NONE)
		return 0;
	bool awaiting = agreement_event_awaits(a, i, st->without, NULL);
	switch (ev->kind) {
	case AGR_EV_SIGNED:
		if (st->is_signed)
			return refuse(why, n, "the agreement was already signed on %s",
				      date_format(st->signed_on, d1));
		if (st->entered)
			return refuse(why, n, "signature after entry into force (%s)",
				      date_format(st->in_force_since, d1));
		if (awaiting)
			return 0;
		st->is_signed = true;
		st->signed_on = ev->date;
		return 0;
	case AGR_EV_IN_FORCE:
		if (st->entered)
			return refuse(why, n, "the agreement is already in force since %s",
				      date_format(st->in_force_since, d1));
		if (awaiting)
			return 0;
		st->entered = true;
		st->in_force_since = ev->date;
		return 0;
	default:
		break;
	}
	if (!st->entered)
		return refuse(why, n, "dated before the agreement's entry into force");
	switch (ev->kind) {
	case AGR_EV_NOTICE:
		if (!ev->by[0])
			return refuse(why, n, "a notice must name the party that gives it (by)");
		if (nt->status == AGR_NOTICE_PENDING || nt->status == AGR_NOTICE_SUSPENDED)
			return refuse(
			    why, n,
			    "a notice by %s given %s is already %s; it must be withdrawn first",
			    nt->by, date_format(nt->given, d1), agr_notice_status_name(nt->status));
		if (agreement_notice_effect(a, st->in_force_since, ev->date, &effect) < 0)
			return refuse(why, n, "no term ends %d days after it within the calendar",
				      a->notice_days);
		nt->effective = effect;
		nt->status = AGR_NOTICE_PENDING;
		memcpy(nt->by, ev->by, sizeof nt->by);
		nt->given = ev->date;
		nt->event = i;
		nt->changed = ev->date;
		nt->resumed = false;
		return 0;
	case AGR_EV_SUSPENDED:
		if (nt->status != AGR_NOTICE_PENDING)
			return refuse(
			    why, n, "there is no pending notice to suspend%s",
			    nt->status == AGR_NOTICE_SUSPENDED ? " (it is already suspended)" : "");
		if (by_noticer(st, ev, "suspend", why, n) < 0)
			return -1;
		nt->status = AGR_NOTICE_SUSPENDED;
		nt->changed = ev->date;
		return 0;
	case AGR_EV_RESUMED:
		if (nt->status != AGR_NOTICE_SUSPENDED)
			return refuse(why, n, "there is no suspended notice to resume");
		if (by_noticer(st, ev, "resume", why, n) < 0)
			return -1;
		if (agreement_notice_effect(a, st->in_force_since, ev->date, &effect) < 0)
			return refuse(why, n, "no term ends %d days after it within the calendar",
				      a->notice_days);
		nt->effective = effect;
		nt->status = AGR_NOTICE_PENDING;
		nt->changed = ev->date;
		nt->resumed = true;
		return 0;
	case AGR_EV_WITHDRAWN:
		if (nt->status != AGR_NOTICE_PENDING && nt->status != AGR_NOTICE_SUSPENDED)
			return refuse(why, n, "there is no notice to withdraw");
		if (by_noticer(st, ev, "withdraw", why, n) < 0)
			return -1;
		nt->status = AGR_NOTICE_WITHDRAWN;
		nt->changed = ev->date;
		return 0;
	case AGR_EV_AMENDED:
		return 0;
	default:
		return refuse(why, n, "unknown event kind %d", (int)ev->kind);
	}
}

/* Fills the running term of an agreement in force on st->date. */
static void fill_term(const struct agreement *a, struct agr_state *st)
{
	long k;
	date_t end;
	if (first_term_end_from(a, st->in_force_since, st->date + 1, &k, &end, &st->term_start) < 0)
		return;
	st->term = k;
	st->term_end = end;
	st->notice_deadline = end - 1 - a->notice_days; /* N days before the term's last day */
}

/*
 * Runs the fold up to `on`. strict: stop at the first event that cannot
 * apply and return its index; otherwise list it as ignored and go on.
 */
static size_t run(const struct agreement *a, date_t on, size_t without, bool strict,
		  struct agr_state *st, char *why, size_t n)
{
	struct fold f = {.a = a, .st = st};
	/* all but the ignored events' list, whose first nignored are set below */
	memset(st, 0, offsetof(struct agr_state, ignored));
	st->date = on;
	st->without = without;
	st->notice.event = AGR_NONE;
	for (size_t i = 0; i < a->nevents; i++) {
		if (i == without)
			continue;
		if (a->events[i].date > on)
			break;
		settle(&f, a->events[i].date);
		char reason[AGR_REASON_MAX];
		if (apply(&f, i, reason, sizeof reason) == 0)
			continue;
		if (strict) {
			snprintf(why, n, "%s", reason);
			return i;
		}
		if (st->nignored < AGR_IGNORED_MAX) {
			st->ignored[st->nignored].event = i;
			memcpy(st->ignored[st->nignored].reason, reason, sizeof reason);
			st->nignored++;
		}
		st->nignored_total++;
	}
	settle(&f, on);
	if (!st->entered)
		st->state = AGR_NOT_IN_FORCE;
	else if (f.terminated)
		st->state = AGR_TERMINATED;
	else if (st->notice.status == AGR_NOTICE_PENDING) {
		st->state = AGR_UNDER_NOTICE;
		st->ends = st->notice.effective;
	} else
		st->state = AGR_IN_FORCE;
	if (st->state == AGR_IN_FORCE || st->state == AGR_UNDER_NOTICE)
		fill_term(a, st);
	return AGR_NONE;
}

int agreement_check_events(const struct agreement *a, size_t *bad, struct lerr *e)
{
	struct agr_state *st = malloc(sizeof *st);
	char why[AGR_REASON_MAX];
	*bad = AGR_NONE;
	if (!st)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	size_t i = run(a, DATE_MAX, AGR_NONE, true, st, why, sizeof why);
	free(st);
	if (i == AGR_NONE)
		return 0;
	*bad = i;
	char d[DATE_BUF_SIZE];
	return lerr_set(e, LERR_REFUSED, "%s on %s: %s", agr_event_kind_name(a->events[i].kind),
			date_format(a->events[i].date, d), why);
}

void agreement_state(const struct agreement *a, date_t on, size_t without, struct agr_state *st)
{
	(void)run(a, on, without, false, st, NULL, 0);
}

/* Whether two states say the same of the agreement: signed, in force or not and
 * until when, the notice's course (not the day it was given). */
static bool same_effect(const struct agr_state *x, const struct agr_state *y)
{
	return x->state == y->state && x->ends == y->ends && x->since == y->since &&
	       x->is_signed == y->is_signed && x->notice.status == y->notice.status;
}

/* A change of state, for the timeline: its effect, or the day a notice was given. */
static bool same_state(const struct agr_state *x, const struct agr_state *y)
{
	return same_effect(x, y) && x->notice.given == y->notice.given;
}

static bool in_force(const struct agr_state *st)
{
	return st->state == AGR_IN_FORCE || st->state == AGR_UNDER_NOTICE;
}

int agreement_late_check(const struct agreement *a, size_t k, date_t today, struct lerr *e)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE], d3[DATE_BUF_SIZE];
	const struct agr_event *ev = &a->events[k];
	struct agr_state with, without;
	for (date_t d = ev->date; d < today; d++) {
		agreement_state(a, d, AGR_NONE, &with);
		agreement_state(a, d, k, &without);
		if (in_force(&with) != in_force(&without))
			return lerr_set(e, LERR_REFUSED,
					"dated %s, a day before it came (%s), it would make the "
					"agreement %s on %s, a day already acted on: this node's "
					"registrar may record it",
					date_format(ev->date, d1), date_format(today, d2),
					agr_state_name(with.state), date_format(d, d3));
	}
	struct agreement *now = malloc(sizeof *now);
	if (!now)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	*now = *a;
	now->events[k].date = today;
	agreement_sort_events(now);
	size_t bad;
	bool same = agreement_check_events(now, &bad, NULL) == 0;
	agreement_state(a, today, AGR_NONE, &with);
	if (same) {
		agreement_state(now, today, AGR_NONE, &without);
		same = same_effect(&with, &without) && with.term == without.term &&
		       with.term_end == without.term_end &&
		       with.notice.effective == without.notice.effective;
	}
	free(now);
	if (!same)
		return lerr_set(
		    e, LERR_REFUSED,
		    "dated %s, a day before it came (%s), it would leave the agreement "
		    "%s%s%s, not as one of that day: this node's registrar may record it",
		    date_format(ev->date, d1), date_format(today, d2), agr_state_name(with.state),
		    with.state == AGR_UNDER_NOTICE ? " ending " : "",
		    with.state == AGR_UNDER_NOTICE ? date_format(with.ends, d3) : "");
	return 0;
}

static int date_cmp(const void *x, const void *y)
{
	date_t a = *(const date_t *)x, b = *(const date_t *)y;
	return (a > b) - (a < b);
}

int agreement_timeline(const struct agreement *a, date_t from, date_t to, size_t without,
		       struct agr_state **out, size_t *n, struct lerr *e)
{
	*out = NULL;
	*n = 0;
	if (to < from) {
		char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
		return lerr_set(e, LERR_INVAL, "the end %s is before the start %s",
				date_format(to, d1), date_format(from, d2));
	}
	/* The state can only change on an event's day or a notice's effect. */
	date_t *days = malloc((2 * a->nevents + 1) * sizeof *days);
	if (!days)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	size_t nd = 0;
	days[nd++] = from;
	date_t entry = 0;
	bool entered = false;
	for (size_t i = 0; i < a->nevents; i++) {
		const struct agr_event *ev = &a->events[i];
		if (i == without)
			continue;
		if (ev->kind == AGR_EV_IN_FORCE && !entered) {
			entered = true;
			entry = ev->date;
		}
		if (ev->date > from && ev->date <= to)
			days[nd++] = ev->date;
		date_t eff;
		if (entered && (ev->kind == AGR_EV_NOTICE || ev->kind == AGR_EV_RESUMED) &&
		    agreement_notice_effect(a, entry, ev->date, &eff) == 0 && eff > from &&
		    eff <= to)
			days[nd++] = eff;
	}
	qsort(days, nd, sizeof *days, date_cmp);
	struct agr_state *v = malloc(nd * sizeof *v);
	if (!v) {
		free(days);
		return lerr_set(e, LERR_NOMEM, "out of memory");
	}
	size_t nv = 0;
	for (size_t i = 0; i < nd; i++) {
		if (i > 0 && days[i] == days[i - 1])
			continue;
		agreement_state(a, days[i], without, &v[nv]);
		if (nv == 0 || !same_state(&v[nv - 1], &v[nv]))
			nv++;
	}
	free(days);
	*out = v;
	*n = nv;
	return 0;
}

const struct agr_equiv *agreement_equiv_row(const struct agreement *a, const char *party,
					    const char *level)
{
	for (size_t r = 0; r < a->nequiv; r++)
		for (size_t i = 0; i < a->equiv[r].n; i++)
			if (text_eq(a->equiv[r].levels[i].party, party) &&
			    text_eq(a->equiv[r].levels[i].level, level))
				return &a->equiv[r];
	return NULL;
}

static int check_equiv(const struct agreement *a, const struct party *parties, size_t nparties,
		       struct lerr *e)
{
	for (size_t r = 0; r < a->nequiv; r++) {
		const struct agr_equiv *row = &a->equiv[r];
		if (row->common[0] == '\0')
			return lerr_set(e, LERR_INVAL, "equivalence[%zu].common: empty", r);
		for (size_t q = 0; q < r; q++)
			if (text_eq(a->equiv[q].common, row->common))
				return lerr_set(
				    e, LERR_INVAL,
				    "equivalence[%zu].common: \"%s\" is already equivalence[%zu]",
				    r, row->common, q);
		for (size_t i = 0; i < row->n; i++) {
			const struct agr_equiv_level *l = &row->levels[i];
			size_t j = 0; /* index of this level within its party's list */
			for (size_t k = 0; k < i; k++)
				j += text_eq(row->levels[k].party, l->party);
			if (!agreement_has_party(a, l->party))
				return lerr_set(e, LERR_INVAL,
						"equivalence[%zu].%s: %s is not a party to %s", r,
						l->party, l->party, a->id);
			const struct party *p = party_find(parties, nparties, l->party);
			if (p && !party_level(p, l->level))
				return lerr_set(e, LERR_INVAL,
						"equivalence[%zu].%s[%zu]: %s has no level \"%s\"",
						r, l->party, j, l->party, l->level);
			const struct agr_equiv *first = agreement_equiv_row(a, l->party, l->level);
			if (first != row)
				return lerr_set(e, LERR_INVAL,
						"equivalence[%zu].%s[%zu]: %s %s is already in "
						"equivalence[%zu]",
						r, l->party, j, l->party, l->level,
						(size_t)(first - a->equiv));
		}
	}
	return 0;
}

int agreement_check(const struct agreement *a, const struct party *parties, size_t nparties,
		    struct lerr *e)
{
	if (agreement_id_check(a->id, e) < 0)
		return lerr_prefix(e, "id");
	if (a->title[0] == '\0')
		return lerr_set(e, LERR_INVAL, "title: empty");
	if (a->nparties < 2)
		return lerr_set(e, LERR_INVAL, "parties: an agreement needs at least two parties");
	for (size_t i = 0; i < a->nparties; i++) {
		if (!party_find(parties, nparties, a->parties[i]))
			return lerr_set(e, LERR_NOTFOUND, "parties[%zu]: unknown party %s", i,
					a->parties[i]);
		for (size_t j = 0; j < i; j++)
			if (text_eq(a->parties[i], a->parties[j]))
				return lerr_set(e, LERR_INVAL, "parties[%zu]: %s is listed twice",
						i, a->parties[i]);
	}
	if (a->term_years < 1 || a->term_years > AGR_YEARS_MAX)
		return lerr_set(e, LERR_INVAL, "term_years: %d is not in 1..%d", a->term_years,
				AGR_YEARS_MAX);
	if (a->renewal_years < 1 || a->renewal_years > AGR_YEARS_MAX)
		return lerr_set(e, LERR_INVAL, "renewal_years: %d is not in 1..%d",
				a->renewal_years, AGR_YEARS_MAX);
	if (a->notice_days < 0 || a->notice_days > AGR_NOTICE_DAYS_MAX)
		return lerr_set(e, LERR_INVAL, "notice_days: %d is not in 0..%d", a->notice_days,
				AGR_NOTICE_DAYS_MAX);
	return check_equiv(a, parties, nparties, e);
}

int agreement_event_number(const struct agreement *a, const char *s, size_t *index, struct lerr *e)
{
	uint64_t v; /* digits only: not " 1" or "+1" */
	*index = AGR_NONE;
	if (!count_parse(s, &v) || v < 1 || v > a->nevents)
		return lerr_set(e, LERR_INVAL, "\"%.40s\" is not an event number of %s (1..%zu)", s,
				a->id, a->nevents);
	*index = (size_t)v - 1;
	return 0;
}
