/* person.c - people, roles and clearances (see person.h). */
#include "person.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

static const char *const roles_by_bit[ROLE__COUNT] = {"analyst", "originator", "security-officer",
						      "registrar", "auditor"};

const char *role_name(enum role r)
{
	for (int i = 0; i < ROLE__COUNT; i++)
		if ((unsigned)r == 1u << i)
			return roles_by_bit[i];
	return NULL;
}

char *role_names(unsigned roles, char *buf, size_t n)
{
	size_t len = 0;
	if (n)
		buf[0] = '\0';
	for (int i = 0; i < ROLE__COUNT && len < n; i++)
		if (roles & (1u << i)) {
			if (len)
				text_append(buf, n, &len, " or ");
			text_append(buf, n, &len, roles_by_bit[i]);
		}
	return buf;
}

int role_parse(const char *s, enum role *out, struct lerr *e)
{
	for (int i = 0; i < ROLE__COUNT; i++)
		if (text_eq(s, roles_by_bit[i])) {
			*out = (enum role)(1u << i);
			return 0;
		}
	*out = ROLE_ANALYST;
	return lerr_set(e, LERR_INVAL,
			"role \"%.40s\" is unknown (analyst, originator, security-officer, "
			"registrar, auditor)",
			s);
}

int person_id_check(const char *id, struct lerr *e)
{
	size_t n = strlen(id);
	bool ok = n >= 1 && n < PERSON_ID_MAX;
	for (size_t i = 0; ok && i < n; i++) {
		char c = id[i];
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		     c == '-';
	}
	if (!ok)
		return lerr_set(e, LERR_INVAL,
				"person id \"%.80s\" is not 1-63 of a-z, 0-9, '.', '_' and '-'",
				id);
	return 0;
}

int person_check(const struct person *p, const struct party *party, struct lerr *e)
{
	if (person_id_check(p->id, e) < 0)
		return lerr_prefix(e, "id");
	if (!text_eq(p->party, party->code))
		return lerr_set(e, LERR_INVAL, "party: %s is not %s", p->party, party->code);
	if (p->name[0] == '\0')
		return lerr_set(e, LERR_INVAL, "name: empty");
	if (p->roles == 0)
		return lerr_set(e, LERR_INVAL, "roles: a person needs at least one role");
	if (p->nclear > PERSON_CLEARANCES_MAX)
		return lerr_set(e, LERR_INVAL, "clearance: more than %d", PERSON_CLEARANCES_MAX);
	for (size_t i = 0; i < p->nclear; i++) {
		const struct clearance *c = &p->clear[i];
		char at[40] = "clearance";
		if (p->nclear > 1)
			snprintf(at, sizeof at, "clearance[%zu]", i);
		if (!party_level(party, c->level)) {
			party_level_match(party, c->level, e);
			return lerr_prefix(e, "%s.level", at);
		}
		if (c->to < c->from)
			return lerr_set(e, LERR_INVAL, "%s.to: before %s.from", at, at);
	}
	char what[64];
	snprintf(what, sizeof what, "a need-to-know group of %s", party->code);
	for (size_t i = 0; i < p->nntk; i++)
		if (label_word_check(p->ntk[i], e) < 0 ||
		    (party->nntk_groups &&
		     party_word_known(&party->ntk_groups[0][0], party->nntk_groups, PARTY_WORD_MAX,
				      p->ntk[i], what, e) < 0))
			return lerr_prefix(e, "ntk[%zu]", i);
	return 0;
}

date_t clearance_end(const struct clearance *c, const struct party *scheme)
{
	const struct scheme_level *mine = party_level(scheme, c->level);
	date_t lapse;
	if (mine && mine->valid_years > 0 &&
	    date_add_years(c->from, mine->valid_years, &lapse) == 0 && lapse - 1 < c->to)
		return lapse - 1;
	return c->to;
}

bool level_covers(const struct scheme_level *has, const struct scheme_level *need)
{
	if (need->separate)
		return text_eq(has->code, need->code);
	return has->rank >= need->rank;
}

bool person_cleared_for(const struct person *p, const struct party *scheme, const char *level,
			date_t day)
{
	const struct scheme_level *need = party_level(scheme, level);
	if (!need || !text_eq(p->party, scheme->code))
		return false;
	for (size_t i = 0; i < p->nclear; i++) {
		const struct clearance *c = &p->clear[i];
		const struct scheme_level *mine = party_level(scheme, c->level);
		if (mine && day >= c->from && day <= clearance_end(c, scheme) &&
		    level_covers(mine, need))
			return true;
	}
	return false;
}

bool person_has_ntk(const struct person *p, const char *group)
{
	for (size_t i = 0; i < p->nntk; i++)
		if (text_eq(p->ntk[i], group))
			return true;
	return false;
}
