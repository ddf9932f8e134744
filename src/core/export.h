/*
 * export.h - export control: may an item with a control-list entry go to a
 * country on a date, and under which licence? Pure functions over one
 * party's regime (DESIGN.md "export regime", FACTS.md "Japan's export
 * control").
 *
 * A regime has country groups with dated membership (a country with no
 * interval on a date is in the default group), control-list entries (list
 * item 1 is arms; 2-14 the Wassenaar, NSG, Australia Group and MTCR
 * lists; 15 sensitive items), special measures (entries and a destination
 * that lose the general licences from a date) and individual licences
 * (entry, destination, validity). The answer (export_check):
 *
 *   list item 1 (arms)       group D: prohibited; else individual-required
 *   list items 2-14          group A: general-bulk; group B:
 *                            special-general-bulk; C, D: individual-required
 *   list item 15             individual-required
 *   no entry                 group A: no-licence; else catch-all-review
 *
 * then a special measure covering (entry, country, date) turns general-bulk
 * and special-general-bulk into individual-required, and a valid individual
 * licence for (entry, country, date) turns individual-required into
 * licensed. Nothing lifts a prohibition.
 */
#ifndef LIAISON_CORE_EXPORT_H
#define LIAISON_CORE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "country.h"
#include "date.h"
#include "err.h"
#include "label.h"
#include "scheme.h"

enum export_group { EXG_A, EXG_B, EXG_C, EXG_D, EXG__COUNT };

enum export_decision {
	EXD_NO_LICENCE,
	EXD_GENERAL_BULK,
	EXD_SPECIAL_GENERAL_BULK,
	EXD_LICENSED,
	EXD_INDIVIDUAL_REQUIRED,
	EXD_CATCH_ALL_REVIEW,
	EXD_PROHIBITED,
	EXD__COUNT
};

#define EXPORT_NAME_MAX		   128 /* an entry's name, UTF-8 bytes with NUL */
#define EXPORT_LIST_ITEM_MAX	   15
#define EXPORT_MEASURE_ENTRIES_MAX 16
#define EXPORT_REASONS_MAX	   4
#define EXPORT_REASON_MAX	   200

/* A country's membership of a group, from and to (last day) inclusive. */
struct export_interval {
	char country[COUNTRY_CODE_MAX];
	enum export_group group;
	date_t from, to; /* to: DATE_MAX when open-ended */
};

struct export_entry {
	char code[LABEL_WORD_MAX]; /* what an item's export_entry names */
	char name[EXPORT_NAME_MAX];
	int list_item; /* 1..15 */
};

/* Entries to a country that need an individual licence from..to. */
struct export_measure {
	size_t nentries;
	char entries[EXPORT_MEASURE_ENTRIES_MAX][LABEL_WORD_MAX];
	char country[COUNTRY_CODE_MAX];
	date_t from, to;
};

/* An individual licence: one entry to one country, valid from..to. */
struct export_licence {
	char id[LABEL_WORD_MAX];
	char entry[LABEL_WORD_MAX];
	char country[COUNTRY_CODE_MAX];
	date_t from, to;
};

struct export_regime {
	char party[PARTY_CODE_MAX]; /* the exporting party */
	enum export_group default_group;
	size_t ngroups, nentries, nmeasures, nlicences;
	struct export_interval *groups;
	struct export_entry *entries;
	struct export_measure *measures;
	struct export_licence *licences;
};

struct export_answer {
	enum export_decision decision;
	enum export_group group;
	const struct export_interval *interval; /* the group's interval, NULL: default */
	const struct export_entry *entry;	/* NULL: no entry */
	const struct export_measure *measure;	/* a special measure in effect, or NULL */
	const struct export_licence *licence;	/* the licence that covers it, or NULL */
	size_t nreasons;
	char reasons[EXPORT_REASONS_MAX][EXPORT_REASON_MAX];
};

/* A change of group, or of one entry's decision, on a day (export_timeline). */
struct export_change {
	date_t date;
	const struct export_entry *entry; /* NULL: the group changed */
	enum export_group group_before, group;
	enum export_decision before, after; /* entry changes */
	const struct export_interval *interval;
	const struct export_measure *measure;
	const struct export_licence *licence;
};

/* "A".."D"; "general-bulk"...; NULL when out of range. */
const char *export_group_name(enum export_group g);
const char *export_decision_name(enum export_decision d);
int export_group_parse(const char *s, enum export_group *g, struct lerr *e)
    __attribute__((nonnull(1, 2)));

/* True for the decisions under which the item may go (no-licence ... licensed). */
bool export_allowed(enum export_decision d);

/* The regime's entry with that code, or NULL. */
const struct export_entry *export_entry_find(const struct export_regime *r, const char *code)
    __attribute__((nonnull));

/*
 * The country's group on date; *iv (if not NULL) gets its interval, NULL
 * when it is the default group.
 */
enum export_group export_group_on(const struct export_regime *r, const char *country, date_t date,
				  const struct export_interval **iv) __attribute__((nonnull(1, 2)));

/*
 * Checks a regime: party and country codes, intervals (from <= to, none
 * overlapping for one country), entries (words, unique, list items 1-15),
 * measures and licences (known entries, unique licence ids). The message
 * names the field ("groups[2].country: ..."). Returns 0 or LERR_INVAL.
 */
int export_regime_check(const struct export_regime *r, struct lerr *e) __attribute__((nonnull(1)));

/*
 * Checks one licence against a regime: its id, country, dates, a listed
 * entry, and an id no licence before it in r->licences has (l may be one
 * of them). LERR_INVAL naming the field ("entry: ..."), LERR_EXISTS.
 */
int export_licence_check(const struct export_regime *r, const struct export_licence *l,
			 struct lerr *e) __attribute__((nonnull(1, 2)));

/*
 * Answers for `entry` (NULL or "" for none) to `country` on `date`. Errors:
 * LERR_INVAL when country is not an ISO 3166-1 alpha-3 code, LERR_NOTFOUND
 * when the regime does not list the entry. The answer points into r.
 */
int export_check(const struct export_regime *r, const char *entry, const char *country, date_t date,
		 struct export_answer *a, struct lerr *e) __attribute__((nonnull(1, 3, 5)));

/*
 * Every change for a country: its group, and the decision for each entry,
 * on each day one of them differs from the day before; sorted by date
 * (group change first, then entries in the regime's order). *out (free()
 * it) holds *n. Before the first change, everything is as on DATE_MIN.
 */
int export_timeline(const struct export_regime *r, const char *country, struct export_change **out,
		    size_t *n, struct lerr *e) __attribute__((nonnull(1, 2, 3, 4)));

/* Releases what a regime's arrays hold (the regime itself is the caller's). */
void export_regime_free(struct export_regime *r);

#endif
