/* timeline_svg.c - an agreement's timeline as an SVG picture (see timeline_svg.h). */
#include "timeline_svg.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmlbuf.h"

/* The frame, in user units (pixels at the picture's width). */
#define X0	       40  /* the axis's left end */
#define X1	       920 /* its right end */
#define RIGHT_EDGE     944 /* labels may run to here */
#define HEAD_Y	       26
#define SUB_Y	       46
#define SUB2_Y	       64
#define MARK_Y	       76 /* events' dots, above the band */
#define BAND_TOP       84
#define BAND_H	       40
#define TICK_H	       8 /* a term end's tick under the band */
#define AXIS_Y	       152
#define ROW0_Y	       200 /* the first row of labels (baseline) */
#define ROW_H	       18
#define CHAR_W	       7  /* a 12-unit character's width, an estimate for the layout */
#define HEADING_CHARS  90 /* a bold 16-unit heading: about 10 units a character */
#define MARKS_MAX      (AGR_EVENTS_MAX * 3)
#define TERM_MARKS_MAX 120 /* more term ends than this are not drawn one by one */
#define INK	       "#111827"
#define GREY_INK       "#4b5563"
#define END_INK	       "#991b1b"
#define OUTSIDE	       "#f3f4f6" /* the axis outside the range asked */

/* ---- what is drawn ---- */

enum band { BAND_NOT, BAND_IN, BAND_NOTICE, BAND_SUSPENDED, BAND_TERMINATED, BAND__COUNT };

static const struct {
	const char *words, *fill; /* white text on each fill: contrast 4.8 and more */
} band_look[BAND__COUNT] = {
    [BAND_NOT] = {"not in force", "#6b7280"},
    [BAND_IN] = {"in force", "#2e7d32"},
    [BAND_NOTICE] = {"in force, under notice", "#b45309"},
    [BAND_SUSPENDED] = {"in force, notice suspended", "#1d4ed8"},
    [BAND_TERMINATED] = {"terminated", "#991b1b"},
};

static enum band band_of(const struct agr_state *st)
{
	switch (st->state) {
	case AGR_NOT_IN_FORCE:
		return BAND_NOT;
	case AGR_UNDER_NOTICE:
		return BAND_NOTICE;
	case AGR_TERMINATED:
		return BAND_TERMINATED;
	case AGR_IN_FORCE:
		break;
	}
	return st->notice.status == AGR_NOTICE_SUSPENDED ? BAND_SUSPENDED : BAND_IN;
}

enum mark_kind { MARK_EVENT, MARK_LEFT_OUT, MARK_END };

/* A dated mark with its label, placed in a row under the axis. */
struct mark {
	date_t date;
	size_t order; /* breaks ties: the order they were found */
	enum mark_kind kind;
	char label[96];
	int x, row;
	bool anchor_end; /* the label ends at x (it would run past the right edge) */
};

/* The axis: from the first of January of `from`'s year to a first of
 * January after everything drawn; end is exclusive. */
struct axis {
	date_t start, end;
	int first_year, last_year; /* of start, and of end */
};

struct picture {
	const struct timeline_svg_in *in;
	struct axis ax;
	struct mark *marks;
	size_t nmarks;
	int nrows;
	date_t entry; /* entry into force, when the states say; else DATE_MAX */
	date_t stop;  /* no term ends from the day after this (terminated), else DATE_MAX */
	size_t nterms;
	bool terms_drawn;
};

static int x_of(const struct axis *ax, date_t d)
{
	if (d < ax->start)
		d = ax->start;
	if (d > ax->end)
		d = ax->end;
	int64_t span = (int64_t)ax->end - ax->start;
	return X0 + (int)(((int64_t)(d - ax->start) * (X1 - X0) + span / 2) / span);
}

/* The first of January of year y, or one past the calendar's end. */
static date_t new_year(int y)
{
	date_t d;
	if (y > DATE_YEAR_MAX || date_from_ymd(y, 1, 1, &d, NULL) < 0)
		return DATE_MAX + 1;
	return d;
}

static int year_of(date_t d)
{
	int y, m, day;
	date_to_ymd(d, &y, &m, &day); /* past DATE_MAX (an open end): 9999 */
	return y;
}

/* The first term end after day d, or DATE_MAX when none is known. */
static date_t term_end_after(const struct picture *p, date_t d)
{
	date_t te = DATE_MAX;
	for (long k = 1; p->entry != DATE_MAX; k++)
		if (agreement_term_end(p->in->a, p->entry, k, &te) < 0 || te > d)
			break;
	return te > d ? te : DATE_MAX;
}

/* "2019-08-23 notice by KOR", "(left out)" after the one left out. */
static void event_label(const struct agr_event *ev, bool left_out, char *out, size_t n)
{
	char day[DATE_BUF_SIZE];
	snprintf(out, n, "%s %s%s%s%s", date_format(ev->date, day), agr_event_kind_name(ev->kind),
		 ev->by[0] ? " by " : "", ev->by, left_out ? " (left out)" : "");
}

static void add_mark(struct picture *p, date_t d, enum mark_kind kind, const char *label)
{
	if (p->nmarks == MARKS_MAX)
		return;
	struct mark *m = &p->marks[p->nmarks];
	*m = (struct mark){.date = d, .order = p->nmarks, .kind = kind};
	snprintf(m->label, sizeof m->label, "%s", label);
	p->nmarks++;
}

/* Each day a notice ends (or ended) the agreement, once. */
static void add_ends(struct picture *p)
{
	const struct timeline_svg_in *in = p->in;
	for (size_t i = 0; i < in->nchanges; i++) {
		const struct agr_state *st = &in->changes[i];
		date_t end = st->state == AGR_UNDER_NOTICE ? st->ends
			     : st->state == AGR_TERMINATED ? st->since
							   : DATE_MAX;
		bool seen = end == DATE_MAX;
		for (size_t k = 0; !seen && k < p->nmarks; k++)
			seen = p->marks[k].kind == MARK_END && p->marks[k].date == end;
		if (seen)
			continue;
		bool ended = false;
		for (size_t k = i; k < in->nchanges; k++)
			ended |=
			    in->changes[k].state == AGR_TERMINATED && in->changes[k].since == end;
		char day[DATE_BUF_SIZE], label[96];
		snprintf(label, sizeof label, "%s %s (notice by %s)", date_format(end, day),
			 ended ? "ended" : "would end", st->notice.by);
		add_mark(p, end, MARK_END, label);
	}
}

static int mark_cmp(const void *x, const void *y)
{
	const struct mark *a = x, *b = y;
	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

/* Where mark m's label runs (its text starts or ends 4 units off its line). */
static void span_of(const struct mark *m, int *lo, int *hi)
{
	int w = (int)xmlbuf_chars(m->label) * CHAR_W;
	*lo = m->anchor_end ? m->x - 4 - w : m->x + 4;
	*hi = m->anchor_end ? m->x - 4 : m->x + 4 + w;
}

/* Whether m's label may go in row r among the marks placed so far: it
 * touches no label of that row, its line crosses no label above, and no
 * placed mark's line (reaching down to its own row) crosses it. */
static bool row_fits(const struct picture *p, const struct mark *m, int r)
{
	int lo, hi, lo2, hi2;
	span_of(m, &lo, &hi);
	for (size_t j = 0; j < p->nmarks; j++) {
		const struct mark *o = &p->marks[j];
		if (o == m || o->row < 0)
			continue;
		span_of(o, &lo2, &hi2);
		if ((o->row == r && lo <= hi2 + 10 && lo2 <= hi + 10) ||
		    (o->row < r && lo2 - 2 <= m->x && m->x <= hi2 + 2) ||
		    (o->row > r && lo - 2 <= o->x && o->x <= hi + 2))
			return false;
	}
	return true;
}

static void place(struct picture *p, struct mark *m)
{
	int r = 0;
	while (r < p->nrows && !row_fits(p, m, r))
		r++;
	m->row = r; /* a new row at the bottom, when none fits */
	if (r == p->nrows)
		p->nrows++;
}

/*
 * Puts each label in a row under the axis, its line from above the band
 * down to it. The labels that run to the right go from the rightmost mark
 * leftwards, each in the first row that fits (so the lines of the marks on
 * its right, ending in rows above, cross it not); then those that must end
 * at their line (near the right edge).
 */
static void place_labels(struct picture *p)
{
	p->nrows = 0;
	for (size_t i = 0; i < p->nmarks; i++) {
		struct mark *m = &p->marks[i];
		m->x = x_of(&p->ax, m->date);
		m->anchor_end = m->x + 4 + (int)xmlbuf_chars(m->label) * CHAR_W > RIGHT_EDGE;
		m->row = -1;
	}
	for (size_t i = p->nmarks; i-- > 0;)
		if (!p->marks[i].anchor_end)
			place(p, &p->marks[i]);
	for (size_t i = 0; i < p->nmarks; i++)
		if (p->marks[i].anchor_end)
			place(p, &p->marks[i]);
}

/* The axis, the term ends and the marks: everything but the drawing. */
static void lay_out(struct picture *p)
{
	const struct timeline_svg_in *in = p->in;
	const struct agr_state *last = &in->changes[in->nchanges - 1];
	p->entry = p->stop = DATE_MAX;
	for (size_t i = 0; i < in->nchanges; i++) {
		if (in->changes[i].entered && p->entry == DATE_MAX)
			p->entry = in->changes[i].in_force_since;
		if (in->changes[i].state == AGR_TERMINATED && p->stop == DATE_MAX)
			p->stop = in->changes[i].since;
	}
	for (size_t i = 0; i < in->a->nevents; i++) {
		const struct agr_event *ev = &in->a->events[i];
		char label[96];
		if (ev->date < in->from || ev->date > in->to)
			continue;
		event_label(ev, i == in->without, label, sizeof label);
		add_mark(p, ev->date, i == in->without ? MARK_LEFT_OUT : MARK_EVENT, label);
	}
	add_ends(p);
	qsort(p->marks, p->nmarks, sizeof *p->marks, mark_cmp);
	/* to a little past the last day shown, the running term's end, a notice's effect */
	date_t far = in->to;
	if (last->state == AGR_IN_FORCE || last->state == AGR_UNDER_NOTICE) {
		date_t te = term_end_after(p, in->to);
		far = te != DATE_MAX && te > far ? te : far;
	}
	for (size_t i = 0; i < p->nmarks; i++)
		far = p->marks[i].date > far ? p->marks[i].date : far;
	p->ax.first_year = year_of(in->from);
	p->ax.start = new_year(p->ax.first_year);
	p->ax.last_year = year_of(far) + 1;
	p->ax.end = new_year(p->ax.last_year);
	date_t te;
	p->nterms = 0;
	for (long k = 1; p->entry != DATE_MAX && p->nterms <= TERM_MARKS_MAX; k++) {
		if (agreement_term_end(in->a, p->entry, k, &te) < 0 || te >= p->ax.end ||
		    te > p->stop)
			break;
		p->nterms += te >= in->from;
	}
	p->terms_drawn = p->nterms <= TERM_MARKS_MAX;
	place_labels(p);
}

/* ---- the drawing ---- */

/* "in force, under notice by KOR (ends 2019-11-23)": a state in words. */
static void state_words(struct xmlbuf *b, const struct agr_state *st)
{
	char day[DATE_BUF_SIZE];
	enum band k = band_of(st);
	if (k == BAND_NOTICE) {
		xmlbuf_printf(b, "in force, under notice by ");
		xmlbuf_text(b, st->notice.by, SIZE_MAX);
		xmlbuf_printf(b, " (ends %s)", date_format(st->ends, day));
	} else if (k == BAND_SUSPENDED) {
		xmlbuf_printf(b, "in force, the notice by ");
		xmlbuf_text(b, st->notice.by, SIZE_MAX);
		xmlbuf_printf(b, " suspended");
	} else if (k == BAND_TERMINATED)
		xmlbuf_printf(b, "terminated since %s", date_format(st->since, day));
	else
		xmlbuf_printf(b, "%s", band_look[k].words);
}

static void without_words(struct xmlbuf *b, const struct timeline_svg_in *in)
{
	char label[96];
	event_label(&in->a->events[in->without], false, label, sizeof label);
	xmlbuf_printf(b, "without event %zu (", in->without + 1);
	xmlbuf_text(b, label, SIZE_MAX);
	xmlbuf_printf(b, ")");
}

static void head(struct xmlbuf *b, const struct picture *p, int height)
{
	const struct timeline_svg_in *in = p->in;
	const struct agr_state *last = &in->changes[in->nchanges - 1];
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	xmlbuf_printf(
	    b,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"tl-title tl-desc\" "
	    "font-family=\"sans-serif\" font-size=\"12\" fill=\"%s\">\n<title id=\"tl-title\">",
	    TIMELINE_SVG_WIDTH, height, TIMELINE_SVG_WIDTH, height, INK);
	xmlbuf_text(b, in->a->id, SIZE_MAX);
	xmlbuf_printf(b, ": timeline from %s to %s", date_format(in->from, d1),
		      date_format(in->to, d2));
	if (in->without != AGR_NONE) {
		xmlbuf_printf(b, ", ");
		without_words(b, in);
	}
	xmlbuf_printf(b, "; on %s: ", d2);
	state_words(b, last);
	xmlbuf_printf(b, "</title>\n<desc id=\"tl-desc\">");
	xmlbuf_text(b, in->a->title, SIZE_MAX);
	xmlbuf_printf(b, " (");
	xmlbuf_text(b, in->a->id, SIZE_MAX);
	xmlbuf_printf(b, "), from %s to %s", d1, d2);
	if (in->without != AGR_NONE) {
		xmlbuf_printf(b, ", ");
		without_words(b, in);
		xmlbuf_printf(b, ": the counterfactual, as if it had not happened");
	}
	xmlbuf_printf(b, ". On %s: ", d2);
	state_words(b, last);
	xmlbuf_printf(b, ". Changes:");
	for (size_t i = 0; i < in->nchanges; i++) {
		xmlbuf_printf(b, "%s %s ", i ? ";" : "", date_format(in->changes[i].date, d1));
		state_words(b, &in->changes[i]);
	}
	xmlbuf_printf(b, ". Marked:");
	for (size_t i = 0; i < p->nmarks; i++) {
		xmlbuf_printf(b, "%s ", i ? ";" : "");
		xmlbuf_text(b, p->marks[i].label, SIZE_MAX);
	}
	if (!p->terms_drawn)
		xmlbuf_printf(b,
			      ". Terms end every %d year(s) after the first (not drawn: too many)",
			      in->a->renewal_years);
	xmlbuf_printf(b, ".</desc>\n<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
		      TIMELINE_SVG_WIDTH, height);
}

static void headings(struct xmlbuf *b, const struct picture *p)
{
	const struct timeline_svg_in *in = p->in;
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	xmlbuf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"16\" font-weight=\"bold\">", X0 - 20,
		      HEAD_Y);
	xmlbuf_text(b, in->a->id, SIZE_MAX);
	xmlbuf_printf(b, ": ");
	xmlbuf_text(
	    b, in->a->title,
	    HEADING_CHARS > xmlbuf_chars(in->a->id) ? HEADING_CHARS - xmlbuf_chars(in->a->id) : 1);
	xmlbuf_printf(b, "</text>\n<text x=\"%d\" y=\"%d\" font-size=\"13\">from %s to %s; on %s: ",
		      X0 - 20, SUB_Y, date_format(in->from, d1), date_format(in->to, d2), d2);
	state_words(b, &in->changes[in->nchanges - 1]);
	xmlbuf_printf(b, "</text>\n");
	if (in->without != AGR_NONE) {
		xmlbuf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"%s\">", X0 - 20,
			      SUB2_Y, GREY_INK);
		without_words(b, in);
		xmlbuf_printf(b, ": the counterfactual</text>\n");
	}
}

/* The bands: one per run of changes of one colour, with its words inside when they fit. */
static void bands(struct xmlbuf *b, const struct picture *p)
{
	const struct timeline_svg_in *in = p->in;
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	int xf = x_of(&p->ax, in->from), xt = x_of(&p->ax, in->to + 1);
	if (xf > X0)
		xmlbuf_printf(b,
			      "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
			      X0, BAND_TOP, xf - X0, BAND_H, OUTSIDE);
	if (xt < X1)
		xmlbuf_printf(b,
			      "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
			      xt, BAND_TOP, X1 - xt, BAND_H, OUTSIDE);
	for (size_t i = 0; i < in->nchanges;) {
		enum band k = band_of(&in->changes[i]);
		size_t j = i + 1;
		while (j < in->nchanges && band_of(&in->changes[j]) == k)
			j++;
		date_t start = in->changes[i].date < in->from ? in->from : in->changes[i].date;
		date_t end = j < in->nchanges ? in->changes[j].date : in->to + 1;
		int xs = x_of(&p->ax, start), w = x_of(&p->ax, end) - xs;
		w = w < 1 ? 1 : w;
		xmlbuf_printf(
		    b,
		    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
		    "stroke=\"#ffffff\" stroke-width=\"1\"><title>%s, %s to %s</title></rect>\n",
		    xs, BAND_TOP, w, BAND_H, band_look[k].fill, band_look[k].words,
		    date_format(start, d1), date_format(end - 1, d2));
		if ((int)strlen(band_look[k].words) * CHAR_W + 12 <= w)
			xmlbuf_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"#ffffff\">%s</text>\n",
				      xs + 6, BAND_TOP + BAND_H / 2 + 4, band_look[k].words);
		i = j;
	}
}

/* The time axis, a tick and a label on the first of January of each year
 * (every 2, 5, 10... years when there are many). */
static void axis(struct xmlbuf *b, const struct picture *p)
{
	static const int steps[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
	int years = p->ax.last_year - p->ax.first_year, step = 10000;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0] && step == 10000; i++)
		if (years / steps[i] <= 16)
			step = steps[i];
	xmlbuf_printf(
	    b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1\"/>\n",
	    X0, AXIS_Y, X1, AXIS_Y, INK);
	for (int y = p->ax.first_year; y <= p->ax.last_year && y <= DATE_YEAR_MAX; y++) {
		if (y % step != 0 && y != p->ax.first_year)
			continue;
		int x = x_of(&p->ax, new_year(y));
		xmlbuf_printf(
		    b,
		    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		    "stroke-width=\"1\"/>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%04d"
		    "</text>\n",
		    x, AXIS_Y - 4, x, AXIS_Y + 4, INK, x, AXIS_Y + 18, y);
	}
}

/* A tick under the band at each term end (none when there are too many). */
static void term_ends(struct xmlbuf *b, const struct picture *p)
{
	char day[DATE_BUF_SIZE];
	date_t te;
	for (long k = 1; p->terms_drawn && p->entry != DATE_MAX; k++) {
		if (agreement_term_end(p->in->a, p->entry, k, &te) < 0 || te >= p->ax.end ||
		    te > p->stop)
			break;
		if (te < p->in->from)
			continue;
		int x = x_of(&p->ax, te);
		xmlbuf_printf(b,
			      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
			      "stroke-width=\"2\"><title>term %ld ends %s</title></line>\n",
			      x, BAND_TOP + BAND_H, x, BAND_TOP + BAND_H + TICK_H, INK, k,
			      date_format(te, day));
	}
}

/* Each mark: a line from above the band down to its label. */
static void marks(struct xmlbuf *b, const struct picture *p)
{
	for (size_t i = 0; i < p->nmarks; i++) {
		const struct mark *m = &p->marks[i];
		const int y = ROW0_Y + m->row * ROW_H;
		const char *ink = m->kind == MARK_END	     ? END_INK
				  : m->kind == MARK_LEFT_OUT ? GREY_INK
							     : INK;
		const char *dash = m->kind == MARK_END	      ? " stroke-dasharray=\"6 3\""
				   : m->kind == MARK_LEFT_OUT ? " stroke-dasharray=\"2 3\""
							      : "";
		xmlbuf_printf(b,
			      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
			      "stroke-width=\"1\"%s/>\n",
			      m->x, MARK_Y, m->x, y - 12, ink, dash);
		if (m->kind != MARK_END)
			xmlbuf_printf(
			    b,
			    "<circle cx=\"%d\" cy=\"%d\" r=\"3.5\" fill=\"%s\" stroke=\"%s\"/>\n",
			    m->x, MARK_Y, m->kind == MARK_EVENT ? INK : "#ffffff", ink);
		xmlbuf_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"%s\"%s>",
			      m->anchor_end ? m->x - 4 : m->x + 4, y, ink,
			      m->anchor_end ? " text-anchor=\"end\"" : "");
		xmlbuf_text(b, m->label, SIZE_MAX);
		xmlbuf_printf(b, "</text>\n");
	}
}

/* The colours and the marks, explained. */
static void legend(struct xmlbuf *b, int y)
{
	int x = X0 - 20;
	for (int k = 0; k < BAND__COUNT; k++) {
		xmlbuf_printf(b,
			      "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>\n"
			      "<text x=\"%d\" y=\"%d\">%s</text>\n",
			      x, y - 11, band_look[k].fill, x + 20, y, band_look[k].words);
		x += 20 + (int)strlen(band_look[k].words) * CHAR_W + 18;
	}
	y += 22;
	x = X0 - 20;
	xmlbuf_printf(
	    b,
	    "<circle cx=\"%d\" cy=\"%d\" r=\"3.5\" fill=\"%s\"/>\n"
	    "<text x=\"%d\" y=\"%d\">an event</text>\n"
	    "<circle cx=\"%d\" cy=\"%d\" r=\"3.5\" fill=\"#ffffff\" stroke=\"%s\"/>\n"
	    "<text x=\"%d\" y=\"%d\">the event left out</text>\n"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
	    "stroke-dasharray=\"6 3\"/>\n"
	    "<text x=\"%d\" y=\"%d\">the day a notice ends the agreement</text>\n"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n"
	    "<text x=\"%d\" y=\"%d\">a term's end</text>\n",
	    x + 7, y - 4, INK, x + 20, y, x + 127, y - 4, GREY_INK, x + 140, y, x + 300, y - 11,
	    x + 300, y + 3, END_INK, x + 310, y, x + 590, y - 11, x + 590, y - 3, INK, x + 600, y);
}

int timeline_svg(const struct timeline_svg_in *in, char **out, size_t *len, struct lerr *e)
{
	*out = NULL;
	*len = 0;
	if (!in->a || !in->changes || in->nchanges == 0 || in->to < in->from)
		return lerr_set(e, LERR_INVAL, "timeline: no changes, or an end before the start");
	if (in->without != AGR_NONE && in->without >= in->a->nevents)
		return lerr_set(e, LERR_INVAL, "timeline: the event left out is not one of its");
	struct picture p = {.in = in, .marks = malloc(MARKS_MAX * sizeof *p.marks)};
	if (!p.marks)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	lay_out(&p);
	const int legend_y = ROW0_Y + (p.nrows ? p.nrows - 1 : 0) * ROW_H + 36;
	const int height = legend_y + 22 + 16;
	struct xmlbuf b = {0};
	head(&b, &p, height);
	headings(&b, &p);
	bands(&b, &p);
	term_ends(&b, &p);
	axis(&b, &p);
	marks(&b, &p);
	legend(&b, legend_y);
	xmlbuf_printf(&b, "</svg>\n");
	free(p.marks);
	if (b.failed) {
		free(b.p);
		return lerr_set(e, LERR_NOMEM, "out of memory");
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
