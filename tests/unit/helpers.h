/* helpers.h - shared by the unit tests: dates and agreements made short. */
#ifndef LIAISON_TEST_HELPERS_H
#define LIAISON_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/agreement.h"
#include "core/date.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define HAVE_LSAN 1
#endif

/*
 * Reports the memory a test leaked, in the ASan build. Criterion ends each
 * test's process without the exit-time leak check and does not count a
 * failure in .fini, so each suite runs this as its .fini and
 * scripts/check.sh fails the suite on any sanitizer report.
 */
static inline void leak_check(void)
{
#ifdef HAVE_LSAN
	(void)__lsan_do_recoverable_leak_check();
#endif
}

/* The date of a YYYY-MM-DD literal; the test fails on a bad literal. */
static inline date_t D(const char *s)
{
	date_t d;
	struct lerr e = {0};
	cr_assert_eq(date_parse(s, &d, &e), 0, "bad test date %s: %s", s, e.msg);
	return d;
}

/* Text of a date, in a rotating static buffer (for messages). */
static inline const char *T(date_t d)
{
	static char bufs[8][DATE_BUF_SIZE];
	static int i;
	i = (i + 1) % 8;
	return date_format(d, bufs[i]);
}

/* A JPN-KOR agreement with GSOMIA terms (1, 1, 90) and no events. */
static inline struct agreement *agr_new(int term, int renewal, int notice)
{
	struct agreement *a = calloc(1, sizeof *a);
	cr_assert_not_null(a);
	strcpy(a->id, "TEST");
	strcpy(a->title, "test agreement");
	strcpy(a->parties[0], "JPN");
	strcpy(a->parties[1], "KOR");
	a->nparties = 2;
	a->term_years = term;
	a->renewal_years = renewal;
	a->notice_days = notice;
	return a;
}

/* Appends an event (by may be ""), keeping the applying order. */
static inline void ev(struct agreement *a, const char *date, enum agr_event_kind k,
		      const char *by)
{
	struct agr_event *e = &a->events[a->nevents];
	e->date = D(date);
	e->kind = k;
	strcpy(e->by, by);
	e->seq = (int64_t)a->nevents;
	a->nevents++;
	agreement_sort_events(a);
}

/* The real 2016-2023 events of the Japan-ROK agreement (docs/record.md). */
static inline struct agreement *gsomia(void)
{
	struct agreement *a = agr_new(1, 1, 90);
	ev(a, "2016-11-23", AGR_EV_SIGNED, "");
	ev(a, "2016-11-23", AGR_EV_IN_FORCE, "");
	ev(a, "2019-08-23", AGR_EV_NOTICE, "KOR");
	ev(a, "2019-11-22", AGR_EV_SUSPENDED, "KOR");
	ev(a, "2023-03-21", AGR_EV_WITHDRAWN, "KOR");
	return a;
}

/* The state of a on date s, without event index `without` (AGR_NONE). */
static inline struct agr_state state_on(const struct agreement *a, const char *s,
					size_t without)
{
	struct agr_state st;
	agreement_state(a, D(s), without, &st);
	return st;
}

#endif
