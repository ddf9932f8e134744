/* consequence.c - what an agreement event does to the lifecycle, in words (see consequence.h). */
#include "consequence.h"

#include <stdio.h>
#include <string.h>

/* A verb as said of an event not recorded (a dry run), or of one recorded. */
#define VERB(would, dry, done) ((would) ? (dry) : (done))

/* Why event i does not apply on the state's day, or NULL. */
static const char *ignored_reason(const struct agr_state *st, size_t i)
{
	for (size_t k = 0; k < st->nignored; k++)
		if (st->ignored[k].event == i)
			return st->ignored[k].reason;
	return NULL;
}

/* A notice: the day it ends the agreement, and whether it came too late for
 * the running term. */
static void notice(const struct agr_state *before, const struct agr_state *after, bool would,
		   char *out, size_t n)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE], d3[DATE_BUF_SIZE], d4[DATE_BUF_SIZE];
	int k = snprintf(out, n,
			 "this notice %s the agreement at the start of %s (its last day in force: "
			 "%s), unless it is suspended or withdrawn before then",
			 VERB(would, "would end", "ends"), date_format(after->ends, d1),
			 date_format(after->ends - 1, d2));
	if (k > 0 && (size_t)k < n && before->state == AGR_IN_FORCE &&
	    after->ends != before->term_end)
		snprintf(out + k, n - (size_t)k,
			 "; given after %s, too late to end it at the end of the running term "
			 "(the start of %s)",
			 date_format(before->notice_deadline, d3),
			 date_format(before->term_end, d4));
}

/* The kinds that change a notice, or the agreement's standing. */
static bool by_kind(const struct agreement *a, const struct agr_event *ev,
		    const struct agr_state *before, const struct agr_state *after, bool would,
		    char *out, size_t n)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE], d3[DATE_BUF_SIZE];
	const struct agr_notice *was = &before->notice;
	date_t first;
	switch (ev->kind) {
	case AGR_EV_NOTICE:
		if (after->state != AGR_UNDER_NOTICE)
			return false;
		notice(before, after, would, out, n);
		return true;
	case AGR_EV_SUSPENDED:
		if (before->state != AGR_UNDER_NOTICE)
			return false;
		snprintf(out, n,
			 "this suspension %s the notice by %s given %s from ending the agreement "
			 "at the start of %s: it %s in force",
			 VERB(would, "would stop", "stops"), was->by, date_format(was->given, d1),
			 date_format(before->ends, d2), VERB(would, "would stay", "stays"));
		return true;
	case AGR_EV_RESUMED:
		if (after->state != AGR_UNDER_NOTICE)
			return false;
		snprintf(out, n,
			 "this resumption %s the notice by %s given %s pending again: it %s the "
			 "agreement at the start of %s",
			 VERB(would, "would make", "makes"), after->notice.by,
			 date_format(after->notice.given, d1), VERB(would, "would end", "ends"),
			 date_format(after->ends, d2));
		return true;
	case AGR_EV_WITHDRAWN:
		if (was->status == AGR_NOTICE_NONE)
			return false;
		snprintf(out, n,
			 "this withdrawal %s the notice by %s given %s for good: the agreement %s "
			 "in force",
			 VERB(would, "would end", "ends"), was->by, date_format(was->given, d1),
			 VERB(would, "would stay", "stays"));
		return true;
	case AGR_EV_IN_FORCE:
		if (!after->entered || after->in_force_since != ev->date ||
		    agreement_term_end(a, ev->date, 1, &first) < 0)
			return false;
		snprintf(out, n,
			 "the agreement %s into force on %s; its first term %s at the start of %s",
			 VERB(would, "would enter", "enters"), date_format(ev->date, d1),
			 VERB(would, "would end", "ends"), date_format(first, d3));
		return true;
	case AGR_EV_SIGNED:
		if (!after->is_signed || after->entered)
			return false;
		snprintf(out, n, "the agreement %s signed on %s, not yet in force",
			 VERB(would, "would be", "is"), date_format(ev->date, d1));
		return true;
	case AGR_EV_AMENDED:
		snprintf(out, n, "an amendment dated %s: the agreement's state %s (%s)",
			 date_format(ev->date, d1),
			 VERB(would, "would not change", "does not change"),
			 agr_state_name(after->state));
		return true;
	case AGR_EV__COUNT:
		break;
	}
	return false;
}

char *event_consequence(const struct agreement *a, size_t i, bool would, char *out, size_t n)
{
	const struct agr_event *ev = &a->events[i];
	struct agr_state before, after;
	char day[DATE_BUF_SIZE];
	const char *missing = NULL, *why;
	out[0] = '\0';
	agreement_state(a, ev->date, i, &before);
	agreement_state(a, ev->date, AGR_NONE, &after);
	if (agreement_event_awaits(a, i, AGR_NONE, &missing) && missing)
		snprintf(out, n, "this record of a joint act %s no effect until %s records it too",
			 VERB(would, "would have", "has"), missing);
	else if ((why = ignored_reason(&after, i)))
		snprintf(out, n, "this event %s no effect: %s", VERB(would, "would have", "has"),
			 why);
	else if (!by_kind(a, ev, &before, &after, would, out, n))
		snprintf(out, n, "on %s the agreement %s %s", date_format(ev->date, day),
			 VERB(would, "would be", "is"), agr_state_name(after.state));
	return out;
}
