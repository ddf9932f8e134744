/*
 * export.h - export control: may an item with a control-list entry go to a
 * country on a date, and under which licence? Pure functions over one
 * party's regime (docs/export.md; the record it models: docs/record.md).
 *
 * A regime has country groups (by default Japan's A to D; a regime may
 * name its own, each answering by the rules of one of A to D, as Korea's
 * 가, 가의2 and 나 do) with dated membership (a country with no
 * interval on a date is in the default group), control-list entries (list
 * item 1 is arms; 2-14 the Wassenaar, NSG, Australia Group and MTCR
 * lists; 15 sensitive items), special measures (entries and a destination
 * that lose the general licences from a date) and licences: individual
 * ones (entry, destination, validity) and company-specific bulk ones
 * (特定包括許可: entry, destination, exporter and consignee, validity).
 * The answer (export_check), by the rules of the country's group:
 *
 *   list item 1 (arms)       group D: prohibited; else individual-required
 *   list items 2-14          group A: general-bulk; group B:
 *                            special-general-bulk; C, D: individual-required
 *   list item 15             individual-required
 *   no entry                 group A: no-licence; else catch-all-review
 *
 * then a special measure covering (entry, country, date) turns general-bulk
 * and special-general-bulk into individual-required, and a valid licence
 * for (entry, country, date) turns individual-required into licensed; a
 * licence that names an exporter or a consignee covers only a deal between
 * them (export_check_deal). Nothing lifts a prohibition.
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

/* The rules a group answers by: Japan's groups A to D. */
enum export_group { EXG_A, EXG_B, EXG_C, EXG_D, EXG__COUNT };

enum export_licence_kind { EXL_INDIVIDUAL, EXL_COMPANY_BULK, EXL__COUNT };

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
#define EXPORT_REASON_MAX	   240
#define EXPORT_GROUP_CODE_MAX	   16 /* a group's code: a word */
#define EXPORT_GROUPS_MAX	   8
#define EXPORT_COMPANY_MAX	   128 /* an exporter's or consignee's name, UTF-8 with NUL */

/* A country group of a regime: its code ("가의2" is "GA2"), its name, and
 * the rules it answers by. */
struct export_group_def {
	char code[EXPORT_GROUP_CODE_MAX];
	char name[EXPORT_NAME_MAX];
	enum export_group rules;
};

/* A country's membership of a group, from and to (last day) inclusive. */
struct export_interval {
	char country[COUNTRY_CODE_MAX];
	int group;	 /* the regime's group (export_group_def) */
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

/* A licence: one entry to one country, valid from..to; a company-specific
 * bulk licence names its exporter and consignee, an individual one may. */
struct export_licence {
	char id[LABEL_WORD_MAX];
	enum export_licence_kind kind;
	char entry[LABEL_WORD_MAX];
	char country[COUNTRY_CODE_MAX];
	char exporter[EXPORT_COMPANY_MAX]; /* "" when it names none */
	char consignee[EXPORT_COMPANY_MAX];
	date_t from, to;
};

struct export_regime {
	char party[PARTY_CODE_MAX]; /* the exporting party */
	size_t ndefs;		    /* 0: Japan's groups A to D */
	struct export_group_def defs[EXPORT_GROUPS_MAX];
	int default_group;
	size_t ngroups, nentries, nmeasures, nlicences;
	struct export_interval *groups;
	struct export_entry *entries;
	struct export_measure *measures;
	struct export_licence *licences;
};

struct export_answer {
	enum export_decision decision;
	int group;				/* the regime's group (export_group_def) */
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
	int group_before, group;
	enum export_decision before, after; /* entry changes */
	const struct export_interval *interval;
	const struct export_measure *measure;
	const struct export_licence *licence;
};

/* "A".."D"; "general-bulk"...; "individual", "company-bulk"; NULL when out of range. */
const char *export_group_name(enum export_group g);
const char *export_decision_name(enum export_decision d);
const char *export_licence_kind_name(enum export_licence_kind k);
int export_group_parse(const char *s, enum export_group *g, struct lerr *e)
    __attribute__((nonnull(1, 2)));
int export_licence_kind_parse(const char *s, enum export_licence_kind *k, struct lerr *e)
    __attribute__((nonnull(1, 2)));

/* The regime's group g (its own, or Japan's A to D when it names none); NULL
 * when out of range. */
const struct export_group_def *export_group_def(const struct export_regime *r, int g)
    __attribute__((nonnull));

/* The regime's group with that code into *g; LERR_INVAL listing its groups. */
int export_group_find(const struct export_regime *r, const char *code, int *g, struct lerr *e)
    __attribute__((nonnull(1, 2, 3)));

/* True for the decisions under which the item may go (no-licence ... licensed). */
bool export_allowed(enum export_decision d);

/* The regime's entry with that code, or NULL. */
const struct export_entry *export_entry_find(const struct export_regime *r, const char *code)
    __attribute__((nonnull));

/*
 * The country's group on date; *iv (if not NULL) gets its interval, NULL
 * when it is the default group.
 */
int export_group_on(const struct export_regime *r, const char *country, date_t date,
		    const struct export_interval **iv) __attribute__((nonnull(1, 2)));

/*
 * Checks a regime: party and country codes, its own groups (unique word
 * codes, names, rules), intervals (from <= to, none overlapping for one
 * country, a known group), entries (words, unique, list items 1-15),
 * measures and licences (known entries, unique licence ids). The message
 * names the field ("groups[2].country: ..."). Returns 0 or LERR_INVAL.
 */
int export_regime_check(const struct export_regime *r, struct lerr *e) __attribute__((nonnull(1)));

/*
 * Checks one licence against a regime: its id, kind, country, dates, a
 * listed entry, exporter and consignee (one line of UTF-8 each, both
 * required for a company-specific bulk licence), and an id no licence
 * before it in r->licences has (l may be one of them). LERR_INVAL naming
 * the field ("entry: ..."), LERR_EXISTS.
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
 * export_check for a deal of `exporter` with `consignee` (either NULL or
 * ""): a licence that names an exporter or consignee covers the deal only
 * when they are its own.
 */
int export_check_deal(const struct export_regime *r, const char *entry, const char *country,
		      date_t date, const char *exporter, const char *consignee,
		      struct export_answer *a, struct lerr *e) __attribute__((nonnull(1, 3, 7)));

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
