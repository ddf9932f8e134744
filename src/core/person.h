/*
 * person.h - people of a party: clearance, need-to-know groups, roles.
 */
#ifndef LIAISON_CORE_PERSON_H
#define LIAISON_CORE_PERSON_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "err.h"
#include "label.h"
#include "scheme.h"

#define PERSON_ID_MAX	      64  /* 1-63 of a-z 0-9 . _ - */
#define PERSON_NAME_MAX	      128 /* UTF-8 bytes, with NUL */
#define PERSON_NTK_MAX	      16
#define PERSON_CLEARANCES_MAX 8 /* a level's assessment and its renewals, other levels */

enum role {
	ROLE_ANALYST = 1 << 0,
	ROLE_ORIGINATOR = 1 << 1,
	ROLE_SECURITY_OFFICER = 1 << 2,
	ROLE_REGISTRAR = 1 << 3,
	ROLE_AUDITOR = 1 << 4,
};
#define ROLE__COUNT 5

/* A clearance: a level of the person's party's scheme, from and to (last
 * day, DATE_MAX when open) inclusive. */
struct clearance {
	char level[LEVEL_CODE_MAX];
	date_t from, to;
};

struct person {
	char id[PERSON_ID_MAX];
	char party[PARTY_CODE_MAX];
	char name[PERSON_NAME_MAX];
	unsigned roles; /* enum role bits */
	size_t nclear;	/* 0: holds no clearance */
	struct clearance clear[PERSON_CLEARANCES_MAX];
	size_t nntk;
	char ntk[PERSON_NTK_MAX][LABEL_WORD_MAX];
};

/*
 * The last day a clearance holds in scheme: its `to`, or earlier when its
 * level lapses (valid_years after its first day, the day before that
 * anniversary).
 */
date_t clearance_end(const struct clearance *c, const struct party *scheme)
    __attribute__((nonnull));

/* Whether a clearance at level `has` covers level `need` of the same scheme:
 * by rank, except that a separate level is covered by its own clearance only. */
bool level_covers(const struct scheme_level *has, const struct scheme_level *need)
    __attribute__((nonnull));

/* "analyst", "security-officer"...; NULL for a bit that is no role. */
const char *role_name(enum role r);

/* The roles of a mask as "analyst or originator" into buf (n bytes); returns buf. */
char *role_names(unsigned roles, char *buf, size_t n) __attribute__((nonnull));

/* Parses a role name into its bit. Returns 0 or LERR_INVAL listing the roles. */
int role_parse(const char *s, enum role *out, struct lerr *e) __attribute__((nonnull(1, 2)));

/* Checks a person id: 1-63 of a-z, 0-9, '.', '_', '-'. */
int person_id_check(const char *id, struct lerr *e) __attribute__((nonnull(1)));

/*
 * Checks a person against their party's scheme: id, party, name, for each
 * clearance a known level and from <= to, valid need-to-know group names.
 * The message names the field ("clearance[1].level: ...", "clearance.level"
 * when there is one).
 */
int person_check(const struct person *p, const struct party *party, struct lerr *e)
    __attribute__((nonnull(1, 2)));

/*
 * True when one of p's clearances is valid on day (from it to
 * clearance_end) and covers `level` of p's own party's scheme
 * (level_covers).
 */
bool person_cleared_for(const struct person *p, const struct party *scheme, const char *level,
			date_t day) __attribute__((nonnull));

/* True when the person holds the need-to-know group. */
bool person_has_ntk(const struct person *p, const char *group) __attribute__((nonnull));

#endif
