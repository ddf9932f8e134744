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

#define PERSON_ID_MAX	64  /* 1-63 of a-z 0-9 . _ - */
#define PERSON_NAME_MAX 128 /* UTF-8 bytes, with NUL */
#define PERSON_NTK_MAX	16

enum role {
	ROLE_ANALYST = 1 << 0,
	ROLE_ORIGINATOR = 1 << 1,
	ROLE_SECURITY_OFFICER = 1 << 2,
	ROLE_REGISTRAR = 1 << 3,
	ROLE_AUDITOR = 1 << 4,
};
#define ROLE__COUNT 5

struct person {
	char id[PERSON_ID_MAX];
	char party[PARTY_CODE_MAX];
	char name[PERSON_NAME_MAX];
	unsigned roles; /* enum role bits */
	bool cleared;	/* has a clearance */
	char level[LEVEL_CODE_MAX];
	date_t from, to; /* the clearance's first and last valid day */
	size_t nntk;
	char ntk[PERSON_NTK_MAX][LABEL_WORD_MAX];
};

/*
 * The last day p's clearance holds in scheme: its `to`, or earlier when its
 * level lapses (valid_years after its first day, the day before that
 * anniversary). 0 when p holds none.
 */
date_t person_clearance_end(const struct person *p, const struct party *scheme)
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
 * Checks a person against their party's scheme: id, party, name, a known
 * clearance level, from <= to, valid need-to-know group names. The
 * message names the field ("clearance.level: ...").
 */
int person_check(const struct person *p, const struct party *party, struct lerr *e)
    __attribute__((nonnull(1, 2)));

/*
 * True when p's clearance is valid on day (person_clearance_end: not
 * lapsed) and covers `level` of p's own party's scheme (level_covers).
 */
bool person_cleared_for(const struct person *p, const struct party *scheme, const char *level,
			date_t day) __attribute__((nonnull));

/* True when the person holds the need-to-know group. */
bool person_has_ntk(const struct person *p, const char *group) __attribute__((nonnull));

#endif
