/* person.c - people, roles and clearances (see person.h). */
#include "person.h"

#include <stdio.h>
#include <string.h>

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
			int w = snprintf(buf + len, n - len, "%s%s", len ? " or " : "",
					 roles_by_bit[i]);
			len += w > 0 ? (size_t)w : 0;
		}
	return buf;
}

int role_parse(const char *s, enum role *out, struct lerr *e)
{
	for (int i = 0; i < ROLE__COUNT; i++)
		if (strcmp(s, roles_by_bit[i]) == 0) {
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
	if (strcmp(p->party, party->code) != 0)
		return lerr_set(e, LERR_INVAL, "party: %s is not %s", p->party, party->code);
	if (p->name[0] == '\0')
		return lerr_set(e, LERR_INVAL, "name: empty");
	if (p->roles == 0)
		return lerr_set(e, LERR_INVAL, "roles: a person needs at least one role");
	if (p->cleared) {
		if (!party_level(party, p->level)) {
			party_level_match(party, p->level, e);
			return lerr_prefix(e, "clearance.level");
		}
		if (p->to < p->from)
			return lerr_set(e, LERR_INVAL, "clearance.to: before clearance.from");
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

date_t person_clearance_end(const struct person *p, const struct party *scheme)
{
	const struct scheme_level *mine = p->cleared ? party_level(scheme, p->level) : NULL;
	date_t lapse;
	if (!p->cleared)
		return 0;
	if (mine && mine->valid_years > 0 &&
	    date_add_years(p->from, mine->valid_years, &lapse) == 0 && lapse - 1 < p->to)
		return lapse - 1;
	return p->to;
}

bool level_covers(const struct scheme_level *has, const struct scheme_level *need)
{
	if (need->separate)
		return strcmp(has->code, need->code) == 0;
	return has->rank >= need->rank;
}

bool person_cleared_for(const struct person *p, const struct party *scheme, const char *level,
			date_t day)
{
	const struct scheme_level *mine = p->cleared ? party_level(scheme, p->level) : NULL,
				  *need = party_level(scheme, level);
	return mine && need && strcmp(p->party, scheme->code) == 0 && day >= p->from &&
	       day <= person_clearance_end(p, scheme) && level_covers(mine, need);
}

bool person_has_ntk(const struct person *p, const char *group)
{
	for (size_t i = 0; i < p->nntk; i++)
		if (strcmp(p->ntk[i], group) == 0)
			return true;
	return false;
}
