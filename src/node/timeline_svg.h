/*
 * timeline_svg.h - an agreement's timeline as an SVG picture (issue 20, the
 * registrars' console and `liaison agreement timeline --svg`).
 *
 * Pure: no I/O, no clock; the same input gives the same bytes. The picture
 * is self-contained: no script, no external reference, no event handler, no
 * style attribute (presentation attributes only, for a strict CSP), every
 * text from outside escaped for XML.
 */
#ifndef LIAISON_NODE_TIMELINE_SVG_H
#define LIAISON_NODE_TIMELINE_SVG_H

#include <stddef.h>

#include "../core/agreement.h"

#define TIMELINE_SVG_WIDTH 960 /* the picture's width and its viewBox's */

/* What the picture shows: agreement_timeline's answer and what it was asked. */
struct timeline_svg_in {
	const struct agreement *a;	 /* its events in applying order */
	const struct agr_state *changes; /* agreement_timeline(a, from, to, without) */
	size_t nchanges;		 /* at least 1: the state on `from` */
	date_t from, to;		 /* the range asked (to >= from) */
	size_t without;			 /* the event left out (the counterfactual), or AGR_NONE */
};

/*
 * Draws the timeline: a time axis in years from `from` to a little past
 * `to` (and past the running term's end or a pending notice's effect),
 * bands coloured by state (not in force, in force, under notice, notice
 * suspended, terminated), each term end, each event in the range with its
 * label ("2019-08-23 notice by KOR"; the one left out dashed and said),
 * each notice's effective end, a legend; <title> and <desc> name the
 * agreement, the range, the event left out and the state on `to`.
 * Returns 0 with *out (NUL-terminated, *len bytes; the caller free()s it),
 * LERR_INVAL for an input without changes or with to < from, LERR_NOMEM.
 */
int timeline_svg(const struct timeline_svg_in *in, char **out, size_t *len, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

#endif
