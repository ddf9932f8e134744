/*
 * scheme.h - parties and their classification schemes.
 *
 * A party is a government (ISO 3166-1 alpha-3, "JPN") or an organisation
 * ("NATO"). Its scheme is a set of levels, each with an ASCII code, a
 * national name in UTF-8 and a rank that orders the scheme (higher is more
 * protected; two levels may share a rank, as Japan's 極秘 and 特定秘密 do).
 */
#ifndef LIAISON_CORE_SCHEME_H
#define LIAISON_CORE_SCHEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define PARTY_CODE_MAX	  9   /* 2-8 capital letters, with NUL */
#define PARTY_NAME_MAX	  128 /* UTF-8 bytes, with NUL */
#define LEVEL_CODE_MAX	  16  /* 1-15 of [A-Z0-9_-], with NUL */
#define LEVEL_NAME_MAX	  128 /* UTF-8 bytes, with NUL */
#define SCHEME_LEVELS_MAX 16
#define LEVEL_RANK_MAX	  100
#define LEVEL_COLOUR_MAX  8  /* "#RRGGBB", with NUL */
#define PARTY_WORD_MAX	  64 /* a need-to-know group or purpose: a label's word */
#define PARTY_WORDS_MAX	  32 /* of each kind */
#define PARTY_TZ_MAX	  64 /* a tz database name, with NUL */

#define LEVEL_VALID_YEARS_MAX 100

struct scheme_level {
	char code[LEVEL_CODE_MAX];
	char name[LEVEL_NAME_MAX];
	int rank;
	bool separate;	 /* needs a clearance at this very level: one of another level
			  * of the same rank or above does not cover it (特定秘密) */
	int valid_years; /* a clearance at this level lapses this many years after
			  * its first day unless renewed (0: it does not lapse) */
	/* the colour of its banners in the console, "#RRGGBB" ("" for none) */
	char colour[LEVEL_COLOUR_MAX];
};

struct party {
	char code[PARTY_CODE_MAX];
	char name[PARTY_NAME_MAX];
	size_t nlevels;
	struct scheme_level levels[SCHEME_LEVELS_MAX];
	/* the need-to-know groups and purposes the party declares (none: not
	 * declared); its items and people may use only those */
	size_t nntk_groups;
	char ntk_groups[PARTY_WORDS_MAX][PARTY_WORD_MAX];
	size_t npurposes;
	char purposes[PARTY_WORDS_MAX][PARTY_WORD_MAX];
	/* its node refuses acts its operator enters for a person (--by) from
	 * the local CLI: people act only with their own tokens */
	bool no_operator_acts;
	/* its time zone (tz database name, "Asia/Tokyo"): its node's "today";
	 * "" for UTC */
	char time_zone[PARTY_TZ_MAX];
};

/* One of a party's lists of declared words. */
struct party_words {
	const char *name; /* "ntk_groups" or "purposes": the configuration's field */
	const char (*v)[PARTY_WORD_MAX];
	size_t n;
};
#define PARTY_WORD_LISTS 2

/* p's lists of declared words: [0] need-to-know groups, [1] purposes. */
void party_word_lists(const struct party *p, struct party_words out[PARTY_WORD_LISTS])
    __attribute__((nonnull));

/*
 * Checks a party code: 2 to 8 capital ASCII letters. Returns 0 or LERR_INVAL
 * with a message quoting the code.
 */
int party_code_check(const char *code, struct lerr *e) __attribute__((nonnull(1)));

/* Checks a level code: 1 to 15 of A-Z, 0-9, '_' and '-'. Returns 0 or LERR_INVAL. */
int level_code_check(const char *code, struct lerr *e) __attribute__((nonnull(1)));

/*
 * Checks a level's colour: '#' and exactly six hex digits ("#C8102E").
 * Returns 0 or LERR_INVAL with a message quoting it.
 */
int level_colour_check(const char *colour, struct lerr *e) __attribute__((nonnull(1)));

/*
 * Checks a whole party: its code, a non-empty name, at least one level,
 * unique level codes, ranks 1..LEVEL_RANK_MAX, colours (level_colour_check)
 * where given. Returns 0 or LERR_INVAL with
 * a message naming the level at fault (by index, "levels[2]").
 */
int party_check(const struct party *p, struct lerr *e) __attribute__((nonnull(1)));

/* The level with this code in p's scheme, or NULL. */
const struct scheme_level *party_level(const struct party *p, const char *code)
    __attribute__((nonnull));

/*
 * The level a person means by `code`: the one with that code, else the
 * only one whose code matches without regard to case ("gokuhi"). NULL
 * with LERR_INVAL when none does, the message naming p's levels and the
 * nearest one ("JPN has no level \"GOKUHl\" (HI, GOKUHI, TOKUTEI); did you
 * mean GOKUHI?").
 */
const struct scheme_level *party_level_match(const struct party *p, const char *code,
					     struct lerr *e) __attribute__((nonnull(1, 2)));

/*
 * Whether word is among the n words of width w at v; when it is not,
 * LERR_INVAL saying what it is not (`what`, "a need-to-know group of
 * JPN") with the words known and the nearest.
 */
int party_word_known(const char *v, size_t n, size_t w, const char *word, const char *what,
		     struct lerr *e) __attribute__((nonnull(4, 5)));

/* The party with this code among ps[0..n), or NULL. */
const struct party *party_find(const struct party *ps, size_t n, const char *code)
    __attribute__((nonnull(3)));

/* Copies src (NUL-terminated) into dst of size n; false if it did not fit. */
bool str_copy(char *dst, size_t n, const char *src) __attribute__((nonnull));

/* A whole number written in decimal digits only (no sign, no space); false otherwise or too large.
 */
bool count_parse(const char *s, uint64_t *out) __attribute__((nonnull));

#endif
