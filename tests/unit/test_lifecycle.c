/* test_lifecycle.c - the agreement's state on a date (docs/lifecycle.md's arithmetic). */
#include "helpers.h"

TestSuite(gsomia, .fini = leak_check);
TestSuite(lifecycle, .fini = leak_check);
TestSuite(timeline, .fini = leak_check);
TestSuite(equivalence, .fini = leak_check);

#define assert_state(st, k)                                                                        \
	cr_assert_eq((st).state, (k), "on %s: expected %s, got %s", T((st).date),                  \
		     agr_state_name(k), agr_state_name((st).state))

/* Checks the events of a in strict mode; returns the bad index or AGR_NONE. */
static size_t refused(const struct agreement *a, struct lerr *e)
{
	size_t bad;
	int r = agreement_check_events(a, &bad, e);
	cr_assert(r == 0 || r == LERR_REFUSED);
	return r == 0 ? AGR_NONE : bad;
}

Test(gsomia, in_force_the_day_before_the_notice)
{
	struct agreement *a = gsomia();
	struct agr_state st = state_on(a, "2019-08-22", AGR_NONE);
	assert_state(st, AGR_IN_FORCE);
	cr_assert_eq(st.in_force_since, D("2016-11-23"));
	cr_assert_eq(st.term, 3);
	cr_assert_eq(st.term_start, D("2018-11-23"));
	cr_assert_eq(st.term_end, D("2019-11-23"));
	/* 90 days before the term's last day, 2019-11-22: as both governments said */
	cr_assert_eq(st.notice_deadline, D("2019-08-24"), "got %s", T(st.notice_deadline));
	cr_assert_eq(st.notice.status, AGR_NOTICE_NONE);
	free(a);
}

Test(gsomia, under_notice_from_2019_08_23_ending_2019_11_23)
{
	struct agreement *a = gsomia();
	struct agr_state st = state_on(a, "2019-08-23", AGR_NONE);
	assert_state(st, AGR_UNDER_NOTICE);
	cr_assert_eq(st.ends, D("2019-11-23"), "ends %s", T(st.ends));
	cr_assert_eq(st.notice.status, AGR_NOTICE_PENDING);
	cr_assert_str_eq(st.notice.by, "KOR");
	cr_assert_eq(st.notice.event, 2);
	st = state_on(a, "2019-11-21", AGR_NONE);
	assert_state(st, AGR_UNDER_NOTICE);
	free(a);
}

Test(gsomia, still_in_force_on_2019_11_23_after_the_suspension)
{
	struct agreement *a = gsomia();
	struct agr_state st = state_on(a, "2019-11-22", AGR_NONE);
	assert_state(st, AGR_IN_FORCE);
	cr_assert_eq(st.notice.status, AGR_NOTICE_SUSPENDED);
	st = state_on(a, "2019-11-23", AGR_NONE);
	assert_state(st, AGR_IN_FORCE);
	cr_assert_eq(st.term, 4);
	st = state_on(a, "2023-03-21", AGR_NONE);
	assert_state(st, AGR_IN_FORCE);
	cr_assert_eq(st.notice.status, AGR_NOTICE_WITHDRAWN);
	cr_assert_eq(refused(a, NULL), AGR_NONE, "the real events are all possible");
	free(a);
}

Test(gsomia, without_the_suspension_terminated_since_2019_11_23)
{
	struct agreement *a = gsomia();
	struct agr_state st = state_on(a, "2019-11-23", 3);
	assert_state(st, AGR_TERMINATED);
	cr_assert_eq(st.since, D("2019-11-23"), "since %s", T(st.since));
	cr_assert_eq(st.without, 3);
	st = state_on(a, "2019-11-22", 3);
	assert_state(st, AGR_UNDER_NOTICE);
	/* later, the withdrawal of 2023 cannot apply to an ended agreement */
	st = state_on(a, "2024-01-01", 3);
	assert_state(st, AGR_TERMINATED);
	cr_assert_eq(st.nignored, 1);
	cr_assert_eq(st.ignored[0].event, 4);
	cr_assert(strstr(st.ignored[0].reason, "terminated since 2019-11-23"), "%s",
		  st.ignored[0].reason);
	free(a);
}

Test(gsomia, a_note_a_day_late_is_taken_only_where_its_date_changes_nothing_acted_on)
{
	struct agreement *a = gsomia();
	struct lerr e = {0};
	/* the suspension dated the 22nd, come on the 23rd: the node held the pact ended */
	a->nevents = 4;
	cr_assert_eq(agreement_late_check(a, 3, D("2019-11-23"), &e), LERR_REFUSED);
	cr_assert(strstr(e.msg, "it would leave the agreement in-force, not as one of that day"),
		  "%s", e.msg);
	cr_assert_eq(agreement_late_check(a, 3, D("2019-11-22"), &e), 0, "on its day: %s", e.msg);
	/* the notice of the 23rd come on the 24th, the last day for it: the same end */
	a->nevents = 3;
	cr_assert_eq(agreement_late_check(a, 2, D("2019-08-24"), &e), 0, "%s", e.msg);
	/* a notice dated the 24th come on the 25th: not on time */
	a->events[2].date = D("2019-08-24");
	cr_assert_eq(agreement_late_check(a, 2, D("2019-08-25"), &e), LERR_REFUSED);
	cr_assert(strstr(e.msg, "in-force-under-notice ending 2019-11-23, not as one of that day"),
		  "%s", e.msg);
	free(a);
}

Test(gsomia, without_the_notice_the_suspension_does_not_apply)
{
	struct agreement *a = gsomia();
	struct agr_state st = state_on(a, "2019-12-01", 2);
	assert_state(st, AGR_IN_FORCE);
	cr_assert_eq(st.nignored, 1);
	cr_assert_eq(st.ignored[0].event, 3);
	cr_assert(strstr(st.ignored[0].reason, "no pending notice"), "%s", st.ignored[0].reason);
	free(a);
}

Test(lifecycle, not_in_force_before_entry_and_signed_only)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-01", AGR_EV_SIGNED, "");
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	struct agr_state st = state_on(a, "2016-10-31", AGR_NONE);
	assert_state(st, AGR_NOT_IN_FORCE);
	cr_assert_not(st.is_signed);
	st = state_on(a, "2016-11-22", AGR_NONE);
	assert_state(st, AGR_NOT_IN_FORCE);
	cr_assert(st.is_signed);
	st = state_on(a, "2016-11-23", AGR_NONE);
	assert_state(st, AGR_IN_FORCE);
	cr_assert_eq(st.term, 1);
	free(a);
}

Test(lifecycle, notice_exactly_n_days_before_the_term_last_day_ends_that_term)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-08-24", AGR_EV_NOTICE, "KOR"); /* 2019-08-24 + 90 = 2019-11-22, the last day */
	struct agr_state st = state_on(a, "2019-08-24", AGR_NONE);
	assert_state(st, AGR_UNDER_NOTICE);
	cr_assert_eq(st.ends, D("2019-11-23"), "ends %s", T(st.ends));
	st = state_on(a, "2019-11-22", AGR_NONE);
	assert_state(st, AGR_UNDER_NOTICE);
	st = state_on(a, "2019-11-23", AGR_NONE);
	assert_state(st, AGR_TERMINATED);
	cr_assert_eq(st.since, D("2019-11-23"));
	free(a);
}

Test(lifecycle, notice_one_day_late_ends_the_next_term)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-08-25", AGR_EV_NOTICE, "KOR"); /* + 90 = 2019-11-23: the term is over */
	struct agr_state st = state_on(a, "2019-08-25", AGR_NONE);
	assert_state(st, AGR_UNDER_NOTICE);
	cr_assert_eq(st.ends, D("2020-11-23"), "ends %s", T(st.ends));
	st = state_on(a, "2019-11-23", AGR_NONE);
	assert_state(st, AGR_UNDER_NOTICE);
	st = state_on(a, "2020-11-23", AGR_NONE);
	assert_state(st, AGR_TERMINATED);
	free(a);
}

Test(lifecycle, resumed_notice_ends_the_first_term_n_days_after_resumption)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-08-23", AGR_EV_NOTICE, "KOR");
	ev(a, "2019-11-22", AGR_EV_SUSPENDED, "KOR");
	ev(a, "2020-08-24", AGR_EV_RESUMED, "KOR"); /* + 90 = 2020-11-22: just in time */
	struct agr_state st = state_on(a, "2020-08-24", AGR_NONE);
	assert_state(st, AGR_UNDER_NOTICE);
	cr_assert_eq(st.ends, D("2020-11-23"), "ends %s", T(st.ends));
	cr_assert(st.notice.resumed);
	st = state_on(a, "2020-11-23", AGR_NONE);
	assert_state(st, AGR_TERMINATED);

	a->events[3].date = D("2020-08-25"); /* one day later: a term later */
	st = state_on(a, "2020-08-25", AGR_NONE);
	cr_assert_eq(st.ends, D("2021-11-23"), "ends %s", T(st.ends));
	st = state_on(a, "2020-11-23", AGR_NONE);
	assert_state(st, AGR_UNDER_NOTICE);
	free(a);
}

Test(lifecycle, withdrawn_notice_is_gone)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-08-23", AGR_EV_NOTICE, "KOR");
	ev(a, "2019-10-01", AGR_EV_WITHDRAWN, "KOR");
	struct agr_state st = state_on(a, "2019-11-23", AGR_NONE);
	assert_state(st, AGR_IN_FORCE);
	cr_assert_eq(st.notice.status, AGR_NOTICE_WITHDRAWN);
	cr_assert_eq(st.notice.changed, D("2019-10-01"));
	/* a new notice may follow a withdrawn one */
	ev(a, "2020-01-10", AGR_EV_NOTICE, "JPN");
	cr_assert_eq(refused(a, NULL), AGR_NONE);
	st = state_on(a, "2020-01-10", AGR_NONE);
	assert_state(st, AGR_UNDER_NOTICE);
	cr_assert_str_eq(st.notice.by, "JPN");
	cr_assert_eq(st.ends, D("2020-11-23"));
	free(a);
}

Test(lifecycle, withdrawal_on_the_day_of_termination_is_too_late)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-08-23", AGR_EV_NOTICE, "KOR");
	ev(a, "2019-11-23", AGR_EV_WITHDRAWN, "KOR");
	struct lerr e = {0};
	cr_assert_eq(refused(a, &e), 2);
	cr_assert(strstr(e.msg, "terminated since 2019-11-23"), "%s", e.msg);
	struct agr_state st = state_on(a, "2019-12-01", AGR_NONE);
	assert_state(st, AGR_TERMINATED);
	free(a);
}

Test(lifecycle, a_second_notice_while_one_is_pending_is_refused)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-08-23", AGR_EV_NOTICE, "KOR");
	ev(a, "2019-09-01", AGR_EV_NOTICE, "JPN");
	struct lerr e = {0};
	cr_assert_eq(refused(a, &e), 2);
	cr_assert(strstr(e.msg, "already pending"), "%s", e.msg);
	/* leniently, the first notice stands */
	struct agr_state st = state_on(a, "2019-09-01", AGR_NONE);
	assert_state(st, AGR_UNDER_NOTICE);
	cr_assert_str_eq(st.notice.by, "KOR");
	cr_assert_eq(st.nignored, 1);
	free(a);
}

Test(lifecycle, a_notice_while_one_is_suspended_is_refused)
{
	struct agreement *a = gsomia();
	a->events[4].kind = AGR_EV_NOTICE; /* 2023-03-21: a notice, not a withdrawal */
	struct lerr e = {0};
	cr_assert_eq(refused(a, &e), 4);
	cr_assert(strstr(e.msg, "already suspended"), "%s", e.msg);
	free(a);
}

Test(lifecycle, events_before_entry_into_force_are_refused)
{
	static const enum agr_event_kind kinds[] = {AGR_EV_NOTICE, AGR_EV_SUSPENDED, AGR_EV_RESUMED,
						    AGR_EV_WITHDRAWN, AGR_EV_AMENDED};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		struct agreement *a = agr_new(1, 1, 90);
		ev(a, "2016-11-20", kinds[k], "KOR");
		ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
		struct lerr e = {0};
		cr_assert_eq(refused(a, &e), 0, "%s before entry", agr_event_kind_name(kinds[k]));
		cr_assert(strstr(e.msg, "before the agreement's entry into force"), "%s", e.msg);
		free(a);
	}
}

Test(lifecycle, suspension_without_a_pending_notice_is_refused)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-11-22", AGR_EV_SUSPENDED, "KOR");
	struct lerr e = {0};
	cr_assert_eq(refused(a, &e), 1);
	cr_assert(strstr(e.msg, "no pending notice"), "%s", e.msg);
	free(a);
}

Test(lifecycle, resumption_without_a_suspended_notice_is_refused)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-08-23", AGR_EV_NOTICE, "KOR");
	ev(a, "2019-09-01", AGR_EV_RESUMED, "KOR");
	cr_assert_eq(refused(a, NULL), 2);
	free(a);
}

Test(lifecycle, only_the_notifying_party_suspends_its_notice)
{
	struct agreement *a = gsomia();
	strcpy(a->events[3].by, "JPN");
	struct lerr e = {0};
	cr_assert_eq(refused(a, &e), 3);
	cr_assert(strstr(e.msg, "only KOR"), "%s", e.msg);
	free(a);
}

Test(lifecycle, a_notice_by_a_non_party_is_refused)
{
	struct agreement *a = gsomia();
	strcpy(a->events[2].by, "USA");
	struct lerr e = {0};
	cr_assert_eq(refused(a, &e), 2);
	cr_assert(strstr(e.msg, "USA is not a party"), "%s", e.msg);
	free(a);
}

Test(lifecycle, a_notice_must_name_its_party)
{
	struct agreement *a = gsomia();
	a->events[2].by[0] = '\0';
	struct lerr e = {0};
	cr_assert_eq(refused(a, &e), 2);
	cr_assert(strstr(e.msg, "must name the party"), "%s", e.msg);
	free(a);
}

Test(lifecycle, entry_into_force_happens_once_and_signature_precedes_it)
{
	struct agreement *a = gsomia();
	ev(a, "2017-01-01", AGR_EV_IN_FORCE, "");
	cr_assert_eq(refused(a, NULL), 2);
	free(a);
	a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2016-12-01", AGR_EV_SIGNED, "");
	struct lerr e = {0};
	cr_assert_eq(refused(a, &e), 1);
	cr_assert(strstr(e.msg, "signature after entry into force"), "%s", e.msg);
	free(a);
}

Test(lifecycle, same_day_events_apply_in_their_order)
{
	struct agreement *a = agr_new(1, 1, 90);
	/* recorded in-force first, then signed, both on one day: still fine */
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2016-11-23", AGR_EV_SIGNED, "");
	cr_assert_eq(a->events[0].kind, AGR_EV_SIGNED);
	cr_assert_eq(refused(a, NULL), AGR_NONE);
	free(a);
}

Test(lifecycle, term_from_29_february_ends_on_1_march_in_common_years)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2020-02-29", AGR_EV_IN_FORCE, "");
	date_t e;
	cr_assert_eq(agreement_term_end(a, D("2020-02-29"), 1, &e), 0);
	cr_assert_eq(e, D("2021-03-01"), "got %s", T(e));
	cr_assert_eq(agreement_term_end(a, D("2020-02-29"), 3, &e), 0);
	cr_assert_eq(e, D("2023-03-01"), "got %s", T(e));
	/* counted from entry, not chained: the 4th anniversary is 29 February */
	cr_assert_eq(agreement_term_end(a, D("2020-02-29"), 4, &e), 0);
	cr_assert_eq(e, D("2024-02-29"), "got %s", T(e));

	/* the term's last day is 2024-02-28; 90 days before it is 2023-11-30 */
	ev(a, "2023-11-30", AGR_EV_NOTICE, "JPN");
	struct agr_state st = state_on(a, "2023-11-30", AGR_NONE);
	cr_assert_eq(st.ends, D("2024-02-29"), "ends %s", T(st.ends));
	assert_state(state_on(a, "2024-02-28", AGR_NONE), AGR_UNDER_NOTICE);
	assert_state(state_on(a, "2024-02-29", AGR_NONE), AGR_TERMINATED);
	a->events[1].date = D("2023-12-01");
	st = state_on(a, "2023-12-01", AGR_NONE);
	cr_assert_eq(st.ends, D("2025-03-01"), "ends %s", T(st.ends));
	free(a);
}

Test(lifecycle, longer_terms_and_renewals_count_from_entry)
{
	struct agreement *a = agr_new(3, 2, 180);
	ev(a, "2010-06-15", AGR_EV_IN_FORCE, "");
	date_t e;
	cr_assert_eq(agreement_term_end(a, D("2010-06-15"), 1, &e), 0);
	cr_assert_eq(e, D("2013-06-15"));
	cr_assert_eq(agreement_term_end(a, D("2010-06-15"), 2, &e), 0);
	cr_assert_eq(e, D("2015-06-15"));
	cr_assert_eq(agreement_notice_effect(a, D("2010-06-15"), D("2013-01-01"), &e), 0);
	cr_assert_eq(e, D("2015-06-15"), "2013-01-01 + 180 days is after 2013-06-15: %s", T(e));
	cr_assert_eq(agreement_notice_effect(a, D("2010-06-15"), D("2012-12-16"), &e), 0);
	cr_assert_eq(e, D("2013-06-15"), "2012-12-16 + 180 = 2013-06-14, the last day: %s", T(e));
	cr_assert_eq(agreement_notice_effect(a, D("2010-06-15"), D("2012-12-17"), &e), 0);
	cr_assert_eq(e, D("2015-06-15"), "2012-12-17 + 180 = 2013-06-15, too late: %s", T(e));
	struct agr_state st = state_on(a, "2014-01-01", AGR_NONE);
	cr_assert_eq(st.term, 2);
	cr_assert_eq(st.term_start, D("2013-06-15"));
	cr_assert_eq(st.term_end, D("2015-06-15"));
	free(a);
}

Test(lifecycle, notice_effect_far_in_the_future)
{
	struct agreement *a = agr_new(1, 1, 90);
	date_t e;
	cr_assert_eq(agreement_notice_effect(a, D("1950-01-01"), D("9000-01-01"), &e), 0);
	cr_assert_eq(e, D("9001-01-01"), "got %s", T(e));
	cr_assert_eq(agreement_notice_effect(a, D("1950-01-01"), D("9999-12-01"), &e), LERR_INVAL);
	free(a);
}

Test(timeline, lists_each_change_of_the_real_2019_events)
{
	struct agreement *a = gsomia();
	struct agr_state *v;
	size_t n;
	cr_assert_eq(
	    agreement_timeline(a, D("2016-01-01"), D("2024-12-31"), AGR_NONE, &v, &n, NULL), 0);
	cr_assert_eq(n, 5, "got %zu changes", n);
	const char *days[] = {"2016-01-01", "2016-11-23", "2019-08-23", "2019-11-22", "2023-03-21"};
	enum agr_state_kind kinds[] = {AGR_NOT_IN_FORCE, AGR_IN_FORCE, AGR_UNDER_NOTICE,
				       AGR_IN_FORCE, AGR_IN_FORCE};
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(v[i].date, D(days[i]), "change %zu on %s", i, T(v[i].date));
		assert_state(v[i], kinds[i]);
	}
	cr_assert_eq(v[4].notice.status, AGR_NOTICE_WITHDRAWN);
	free(v);
	free(a);
}

Test(timeline, counterfactual_ends_on_2019_11_23)
{
	struct agreement *a = gsomia();
	struct agr_state *v;
	size_t n;
	cr_assert_eq(agreement_timeline(a, D("2019-01-01"), D("2024-12-31"), 3, &v, &n, NULL), 0);
	cr_assert_eq(n, 3, "got %zu changes", n);
	assert_state(v[0], AGR_IN_FORCE);
	assert_state(v[1], AGR_UNDER_NOTICE);
	cr_assert_eq(v[2].date, D("2019-11-23"));
	assert_state(v[2], AGR_TERMINATED);
	free(v);
	free(a);
}

Test(timeline, refuses_an_end_before_its_start)
{
	struct agreement *a = gsomia();
	struct agr_state *v = (void *)1;
	size_t n = 9;
	struct lerr e = {0};
	cr_assert_eq(agreement_timeline(a, D("2020-01-01"), D("2019-01-01"), AGR_NONE, &v, &n, &e),
		     LERR_INVAL);
	cr_assert_null(v);
	cr_assert_eq(n, 0);
	free(a);
}

/* Brute force: the state only changes on the days the timeline lists. */
Test(timeline, agrees_with_the_state_on_every_day)
{
	struct agreement *a = gsomia();
	for (size_t without = 0; without <= a->nevents; without++) {
		size_t skip = without == a->nevents ? AGR_NONE : without;
		struct agr_state *v;
		size_t n, k = 0;
		date_t from = D("2016-06-01"), to = D("2024-06-01");
		cr_assert_eq(agreement_timeline(a, from, to, skip, &v, &n, NULL), 0);
		for (date_t d = from; d <= to; d++) {
			if (k + 1 < n && v[k + 1].date == d)
				k++;
			struct agr_state st;
			agreement_state(a, d, skip, &st);
			cr_assert_eq(st.state, v[k].state, "without %zu, on %s", without, T(d));
			cr_assert_eq(st.notice.status, v[k].notice.status, "on %s", T(d));
		}
		free(v);
	}
	free(a);
}

Test(equivalence, finds_the_row_of_a_level)
{
	struct agreement *a = agr_new(1, 1, 90);
	a->nequiv = 2;
	strcpy(a->equiv[0].common, "SECRET");
	a->equiv[0].n = 3;
	strcpy(a->equiv[0].levels[0].party, "JPN");
	strcpy(a->equiv[0].levels[0].level, "GOKUHI");
	strcpy(a->equiv[0].levels[1].party, "JPN");
	strcpy(a->equiv[0].levels[1].level, "TOKUTEI");
	strcpy(a->equiv[0].levels[2].party, "KOR");
	strcpy(a->equiv[0].levels[2].level, "II");
	strcpy(a->equiv[1].common, "CONFIDENTIAL");
	a->equiv[1].n = 2;
	strcpy(a->equiv[1].levels[0].party, "JPN");
	strcpy(a->equiv[1].levels[0].level, "HI");
	strcpy(a->equiv[1].levels[1].party, "KOR");
	strcpy(a->equiv[1].levels[1].level, "III");
	const struct agr_equiv *r = agreement_equiv_row(a, "KOR", "II");
	cr_assert_not_null(r);
	cr_assert_str_eq(r->common, "SECRET");
	cr_assert_null(agreement_equiv_row(a, "KOR", "I"), "Korea's level I has no equivalent");
	cr_assert_null(agreement_equiv_row(a, "KOR", "HI"));
	free(a);
}

/* Signed, in-force and amended are joint acts: one party's record alone has
 * no effect (a peer's one-sided note cannot put an agreement into force). */
Test(lifecycle, a_joint_act_needs_every_party)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_SIGNED, "");
	ev(a, "2019-09-01", AGR_EV_IN_FORCE, "KOR");
	const char *missing = NULL;
	cr_assert(agreement_event_awaits(a, 1, AGR_NONE, &missing));
	cr_assert_str_eq(missing, "JPN");
	cr_assert(!agreement_event_awaits(a, 0, AGR_NONE, NULL), "a joint record (no by)");
	struct lerr e = {0};
	cr_assert_eq(refused(a, &e), AGR_NONE, "%s", e.msg);
	struct agr_state st = state_on(a, "2019-09-02", AGR_NONE);
	cr_assert_eq(st.state, AGR_NOT_IN_FORCE, "KOR alone");
	/* JPN's record of the same day completes it: in force from that day, once */
	ev(a, "2019-09-01", AGR_EV_IN_FORCE, "JPN");
	cr_assert(!agreement_event_awaits(a, 1, AGR_NONE, NULL));
	cr_assert_eq(refused(a, &e), AGR_NONE, "%s", e.msg);
	st = state_on(a, "2019-09-02", AGR_NONE);
	cr_assert_eq(st.state, AGR_IN_FORCE);
	cr_assert_eq(st.in_force_since, D("2019-09-01"));
	/* without JPN's record (the counterfactual), KOR's alone again */
	st = state_on(a, "2019-09-02", 2);
	cr_assert_eq(st.state, AGR_NOT_IN_FORCE);
	/* another day is another act: JPN's record of the 2nd does not complete KOR's of the 1st */
	struct agreement *b = agr_new(1, 1, 90);
	ev(b, "2019-09-01", AGR_EV_IN_FORCE, "KOR");
	ev(b, "2019-09-02", AGR_EV_IN_FORCE, "JPN");
	st = state_on(b, "2019-09-03", AGR_NONE);
	cr_assert_eq(st.state, AGR_NOT_IN_FORCE);
	free(b);
	free(a);
}

Test(lifecycle, a_one_sided_record_is_still_checked)
{
	struct agreement *a = gsomia(); /* in force since 2016-11-23 */
	ev(a, "2019-09-01", AGR_EV_IN_FORCE, "KOR");
	struct lerr e = {0};
	cr_assert_neq(refused(a, &e), AGR_NONE);
	cr_assert(strstr(e.msg, "already in force since 2016-11-23"), "%s", e.msg);
	free(a);
	/* a joint record and one party's of the same act: one act */
	a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "KOR");
	cr_assert_eq(refused(a, &e), AGR_NONE, "%s", e.msg);
	cr_assert_eq(state_on(a, "2017-01-01", AGR_NONE).state, AGR_IN_FORCE);
	free(a);
}

/* One party records an act once: a second record by the same hand is refused
 * (a peer could otherwise fill the agreement's record with copies). */
Test(lifecycle, a_joint_act_is_recorded_once_by_each_hand)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-09-01", AGR_EV_AMENDED, "KOR");
	struct lerr e = {0};
	cr_assert_eq(refused(a, &e), AGR_NONE, "%s", e.msg);
	ev(a, "2019-09-01", AGR_EV_AMENDED, "KOR");
	cr_assert_eq(refused(a, &e), 2);
	cr_assert(strstr(e.msg, "amended on 2019-09-01 is recorded already (event 2) by KOR"), "%s",
		  e.msg);
	free(a);
	/* after termination, no record of anything, joint or not */
	a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2017-01-01", AGR_EV_NOTICE, "KOR");
	ev(a, "2019-01-01", AGR_EV_AMENDED, "KOR");
	cr_assert_eq(refused(a, &e), 2);
	cr_assert(strstr(e.msg, "terminated since"), "%s", e.msg);
	free(a);
}

/* The deadline at the boundary, for several terms, notice periods and a 29
 * February entry: a notice dated g ends the term whose last day is at least
 * N days after g; one day later, the next term. */
Test(lifecycle, the_deadline_is_n_days_before_the_last_day)
{
	const struct {
		const char *entry;
		int term, renewal, notice;
		const char *deadline, *end, *next;
	} cases[] = {
	    {"2016-11-23", 1, 1, 90, "2019-08-24", "2019-11-23", "2020-11-23"}, /* GSOMIA 2019 */
	    {"2010-06-15", 3, 2, 180, "2012-12-16", "2013-06-15", "2015-06-15"},
	    {"2010-06-15", 3, 2, 1, "2013-06-13", "2013-06-15", "2015-06-15"},
	    {"2020-02-29", 1, 1, 90, "2020-11-30", "2021-03-01", "2022-03-01"}, /* last day 02-28 */
	    {"2020-02-29", 4, 4, 30, "2024-01-29", "2024-02-29", "2028-02-29"}, /* last day 02-28 */
	    {"2020-02-29", 4, 1, 366, "2023-02-27", "2024-02-29", "2025-03-01"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct agreement *a = agr_new(cases[i].term, cases[i].renewal, cases[i].notice);
		date_t e, entry = D(cases[i].entry), g = D(cases[i].deadline);
		cr_assert_eq(agreement_notice_effect(a, entry, g, &e), 0);
		cr_assert_eq(e, D(cases[i].end), "case %zu: on the deadline: %s", i, T(e));
		cr_assert_eq(agreement_notice_effect(a, entry, g + 1, &e), 0);
		cr_assert_eq(e, D(cases[i].next), "case %zu: a day late: %s", i, T(e));
		cr_assert_eq(agreement_notice_effect(a, entry, g - 1, &e), 0);
		cr_assert_eq(e, D(cases[i].end), "case %zu: a day early: %s", i, T(e));
		/* the state says the same deadline the day before it */
		ev(a, cases[i].entry, AGR_EV_IN_FORCE, "");
		struct agr_state st;
		agreement_state(a, g - 1, AGR_NONE, &st);
		cr_assert_eq(st.notice_deadline, g, "case %zu: deadline %s", i,
			     T(st.notice_deadline));
		free(a);
	}
}

/*
 * The running term and a notice's effect, against their definition, for
 * every combination of a few entries (29 February among them), terms,
 * renewals and notice periods, on days across 14 years: the term is the
 * first whose end is after the day, and a notice ends the first term whose
 * last day is at least N days after it (agreement_term_end for each k).
 */
Test(lifecycle, the_running_term_is_the_first_that_ends_after_the_day)
{
	const char *const entries[] = {"2016-11-23", "2020-02-29", "2019-12-31", "2021-01-01"};
	const int years[] = {1, 2, 3, 5}, notices[] = {1, 90, 365, 400};
	for (size_t ei = 0; ei < 4; ei++)
		for (size_t ti = 0; ti < 4; ti++)
			for (size_t ri = 0; ri < 4; ri++) {
				struct agreement *a = agr_new(years[ti], years[ri], notices[ri]);
				date_t entry = D(entries[ei]), end, prev;
				ev(a, entries[ei], AGR_EV_IN_FORCE, "");
				for (date_t day = entry; day < entry + 14 * 366; day += 17) {
					struct agr_state st;
					agreement_state(a, day, AGR_NONE, &st);
					cr_assert_eq(st.state, AGR_IN_FORCE);
					cr_assert_eq(agreement_term_end(a, entry, st.term, &end),
						     0);
					cr_assert_eq(st.term_end, end);
					cr_assert_gt(end, day, "%s: term %ld ends %s", T(day),
						     st.term, T(end));
					if (st.term > 1) {
						cr_assert_eq(agreement_term_end(a, entry,
										st.term - 1, &prev),
							     0);
						cr_assert_leq(prev, day, "%s: term %ld", T(day),
							      st.term);
						cr_assert_eq(st.term_start, prev);
					} else
						cr_assert_eq(st.term_start, entry);
					/* a notice given that day */
					date_t effect;
					long k = 1;
					cr_assert_eq(
					    agreement_notice_effect(a, entry, day, &effect), 0);
					while (agreement_term_end(a, entry, k, &end) == 0 &&
					       end - 1 - notices[ri] < day)
						k++;
					cr_assert_eq(effect, end,
						     "%s, entry %s, %d+%d years, %d days: %s",
						     T(day), entries[ei], years[ti], years[ri],
						     notices[ri], T(effect));
				}
				free(a);
			}
}

/* An agreement that validation would refuse (no renewal) still answers:
 * nothing ends after its one term, and no call loops. */
Test(lifecycle, no_renewal_has_no_term_after_the_first)
{
	struct agreement *a = agr_new(1, 0, 90);
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	struct agr_state st = state_on(a, "2016-12-01", AGR_NONE);
	cr_assert_eq(st.term, 1);
	cr_assert_eq(st.term_end, D("2017-11-23"));
	st = state_on(a, "2018-01-01", AGR_NONE);
	cr_assert_eq(st.state, AGR_IN_FORCE);
	cr_assert_eq(st.term, 0, "no running term past the only one: %ld", st.term);
	date_t e;
	cr_assert_eq(agreement_notice_effect(a, D("2016-11-23"), D("2018-01-01"), &e), LERR_INVAL);
	free(a);
}
