/*
 * agreement.h - agreements between parties and their lifecycle.
 *
 * An agreement has parties, an equivalence table between their levels,
 * lifecycle terms (initial term T years, renewal periods of R years, notice
 * period N days) and dated events. Its state on any date is a pure function
 * of those: agreement_state() below, by the lifecycle arithmetic of docs/lifecycle.md:
 *
 *   - the k-th term ends at the start of entry + T + (k-1)R years (counted
 *     from entry into force; a 29 February anniversary falls on 1 March in
 *     common years);
 *   - a notice (or a resumption) dated g takes effect at the first term end
 *     e with g + N days <= e; the agreement is terminated from e if the
 *     notice is still pending at the start of e;
 *   - a suspended notice has no effect; a withdrawn one is gone;
 *   - once terminated, an event dated e or later is refused.
 *
 * Events of one day apply in a fixed order (signed, in-force, amended,
 * notice, notice-suspended, notice-resumed, notice-withdrawn), then in the
 * order they were recorded (seq). One notice at a time: a second notice
 * while one is pending or suspended is refused.
 */
#ifndef LIAISON_CORE_AGREEMENT_H
#define LIAISON_CORE_AGREEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "err.h"
#include "scheme.h"

#define AGR_ID_MAX	     64	 /* 1-63 of [A-Za-z0-9._-], with NUL */
#define AGR_TITLE_MAX	     256 /* UTF-8 bytes, with NUL */
#define AGR_PARTIES_MAX	     8
#define AGR_EQUIV_MAX	     16
#define AGR_COMMON_MAX	     32
#define AGR_EQUIV_LEVELS_MAX 32
#define AGR_EVENTS_MAX	     256
#define AGR_IGNORED_MAX	     8
#define AGR_REASON_MAX	     192
#define AGR_YEARS_MAX	     100
#define AGR_NOTICE_DAYS_MAX  3660
#define AGR_NONE	     ((size_t)-1) /* "no event" for an event index */

/* Event kinds, in the order they apply within one day. */
enum agr_event_kind {
	AGR_EV_SIGNED,
	AGR_EV_IN_FORCE,
	AGR_EV_AMENDED,
	AGR_EV_NOTICE,
	AGR_EV_SUSPENDED,
	AGR_EV_RESUMED,
	AGR_EV_WITHDRAWN,
	AGR_EV__COUNT
};

struct agr_event {
	date_t date;
	enum agr_event_kind kind;
	char by[PARTY_CODE_MAX]; /* "" when no party is named */
	int64_t seq;		 /* recording order, breaks ties within a day */
};

struct agr_equiv_level {
	char party[PARTY_CODE_MAX];
	char level[LEVEL_CODE_MAX];
};

/* One row of the table: the levels of each party that share a common name. */
struct agr_equiv {
	char common[AGR_COMMON_MAX];
	size_t n;
	struct agr_equiv_level levels[AGR_EQUIV_LEVELS_MAX];
};

struct agreement {
	char id[AGR_ID_MAX];
	char title[AGR_TITLE_MAX];
	size_t nparties;
	char parties[AGR_PARTIES_MAX][PARTY_CODE_MAX];
	int term_years, renewal_years, notice_days;
	size_t nequiv;
	struct agr_equiv equiv[AGR_EQUIV_MAX];
	size_t nevents;
	struct agr_event events[AGR_EVENTS_MAX];
};

enum agr_state_kind { AGR_NOT_IN_FORCE, AGR_IN_FORCE, AGR_UNDER_NOTICE, AGR_TERMINATED };

enum agr_notice_status {
	AGR_NOTICE_NONE,
	AGR_NOTICE_PENDING,
	AGR_NOTICE_SUSPENDED,
	AGR_NOTICE_WITHDRAWN
};

struct agr_notice {
	enum agr_notice_status status;
	char by[PARTY_CODE_MAX];
	date_t given;	  /* the notice's date */
	size_t event;	  /* index of the notice event */
	date_t effective; /* pending: the day it ends the agreement */
	date_t changed;	  /* the last suspension, resumption or withdrawal */
	bool resumed;	  /* pending again after a suspension */
};

struct agr_ignored {
	size_t event; /* index into agreement.events */
	char reason[AGR_REASON_MAX];
};

struct agr_state {
	date_t date;
	enum agr_state_kind state;
	bool is_signed;
	date_t signed_on;
	bool entered;	       /* an in-force event applies on date */
	date_t in_force_since; /* entry into force, when entered */
	date_t ends;	       /* AGR_UNDER_NOTICE: first day no longer in force */
	date_t since;	       /* AGR_TERMINATED: first day no longer in force */
	long term;	       /* in force: the running term, 1-based */
	date_t term_start, term_end;
	date_t notice_deadline; /* last day a notice ends it at term_end (N days before its last
				   day) */
	struct agr_notice notice;
	size_t without;	 /* the event left out, or AGR_NONE */
	size_t nignored; /* events that did not apply (up to the max) */
	size_t nignored_total;
	struct agr_ignored ignored[AGR_IGNORED_MAX];
};

/* "in-force", "notice"...; NULL for an unknown kind. */
const char *agr_event_kind_name(enum agr_event_kind k);

/* Parses an event kind name; returns 0 or LERR_INVAL listing the kinds. */
int agr_event_kind_parse(const char *s, enum agr_event_kind *out, struct lerr *e)
    __attribute__((nonnull(1, 2)));

/* "not-in-force", "in-force", "in-force-under-notice", "terminated". */
const char *agr_state_name(enum agr_state_kind k);

/* "pending", "suspended", "withdrawn" ("none" for none). */
const char *agr_notice_status_name(enum agr_notice_status s);

/* True when party is one of a's parties. */
bool agreement_has_party(const struct agreement *a, const char *party) __attribute__((nonnull));

/*
 * Signed, in-force and amended are the parties' joint acts: such an event
 * recorded by one party (`by`) takes effect only when every party's record
 * of it (same kind, same date) is there, or a joint record (no `by`). The
 * first of them, in applying order, then applies; the others add nothing.
 * Whether event i is one that still awaits another party's record (its
 * kind is joint, and not every party has recorded it): *missing (when not
 * NULL) is the first party whose record is missing. Events at index
 * `without` do not count.
 */
bool agreement_event_awaits(const struct agreement *a, size_t i, size_t without,
			    const char **missing) __attribute__((nonnull(1)));

/* Checks an agreement id: 1-63 of A-Z a-z 0-9 '.' '_' '-'. */
int agreement_id_check(const char *id, struct lerr *e) __attribute__((nonnull(1)));

/*
 * Sorts a's events into their applying order (date, kind, seq). Stable for
 * events that compare equal.
 */
void agreement_sort_events(struct agreement *a) __attribute__((nonnull));

/*
 * Checks an agreement's structure against the parties it names (found in
 * parties[0..nparties)): id, title, at least two distinct known parties,
 * terms in range, an equivalence table whose levels exist in their party's
 * scheme and appear in one row only. The events are checked apart, by
 * agreement_check_events. Returns 0 or a negative code; the message starts
 * with the field at fault ("equivalence[1].JPN[0]: ...").
 */
int agreement_check(const struct agreement *a, const struct party *parties, size_t nparties,
		    struct lerr *e) __attribute__((warn_unused_result, nonnull(1)));

/*
 * Checks that every event can happen given the ones before it (in applying
 * order): no second entry into force, nothing before entry into force, no
 * suspension without a pending notice, nothing on or after termination...
 * Returns 0, or LERR_REFUSED with *bad set to the index (in a->events) of
 * the first impossible event and the reason in e.
 */
int agreement_check_events(const struct agreement *a, size_t *bad, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/*
 * The end of the k-th term (k >= 1) for an entry into force on entry.
 * Returns 0, or LERR_INVAL when it falls after 9999-12-31.
 */
int agreement_term_end(const struct agreement *a, date_t entry, long k, date_t *out)
    __attribute__((warn_unused_result, nonnull(1, 4)));

/*
 * The day a notice (or resumption) dated g would end the agreement: the
 * first term end e with g + notice_days <= e - 1 (given at least N days
 * before the term's last day). Returns 0 or LERR_INVAL (past the
 * calendar's end).
 */
int agreement_notice_effect(const struct agreement *a, date_t entry, date_t g, date_t *out)
    __attribute__((warn_unused_result, nonnull(1, 4)));

/*
 * The agreement's state on date `on`, from the events dated on or before it,
 * leaving out event index `without` (AGR_NONE for none): the counterfactual.
 * Events that cannot apply (a suspension with no pending notice once an
 * event is left out, say) are skipped and listed in st->ignored. The
 * events must be in applying order (agreement_sort_events). Never fails.
 */
void agreement_state(const struct agreement *a, date_t on, size_t without, struct agr_state *st)
    __attribute__((nonnull));

/*
 * A party's note of event k of a (added, a in applying order), dated before
 * `today`, the day it came: 0 when its date changes nothing a node has
 * acted on (the agreement in force or not on each day from its date to
 * yesterday, as without it), and leaves the agreement today as the same
 * note dated today would (its term, its end, the notice's course: a notice
 * a day past its deadline is not on time; a suspension dated before an end
 * does not undo it). LERR_REFUSED saying what it would change otherwise,
 * LERR_NOMEM.
 */
int agreement_late_check(const struct agreement *a, size_t k, date_t today, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1)));

/*
 * Every change of state from `from` to `to` (inclusive): the state on `from`,
 * then the state on each later day where it differs. *out (allocated, freed
 * by the caller with free()) holds *n states. Returns 0, LERR_INVAL when
 * to < from, or LERR_NOMEM.
 */
int agreement_timeline(const struct agreement *a, date_t from, date_t to, size_t without,
		       struct agr_state **out, size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 5, 6)));

/*
 * The equivalence row holding party's level, or NULL when the level has no
 * equivalent under a (Korea's level I under the Japan-ROK agreement).
 */
const struct agr_equiv *agreement_equiv_row(const struct agreement *a, const char *party,
					    const char *level) __attribute__((nonnull));

/*
 * Parses an event number ("1".."nevents", as `agreement show` numbers them)
 * into an index of a->events. LERR_INVAL naming the range.
 */
int agreement_event_number(const struct agreement *a, const char *s, size_t *index, struct lerr *e)
    __attribute__((nonnull(1, 2, 3)));

#endif
