/* scheme.c - parties and their classification schemes (see scheme.h). */
#include "scheme.h"

#include <string.h>

bool count_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

bool str_copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);
	if (len >= n) {
		if (n)
			dst[0] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

int party_code_check(const char *code, struct lerr *e)
{
	size_t n = strlen(code);
	bool ok = n >= 2 && n < PARTY_CODE_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = code[i] >= 'A' && code[i] <= 'Z';
	if (!ok)
		return lerr_set(
		    e, LERR_INVAL,
		    "party code \"%.32s\" is not 2-8 capital letters (like JPN, KOR, NATO)", code);
	return 0;
}

int level_code_check(const char *code, struct lerr *e)
{
	size_t n = strlen(code);
	bool ok = n >= 1 && n < LEVEL_CODE_MAX;
	for (size_t i = 0; ok && i < n; i++) {
		char c = code[i];
		ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
	}
	if (!ok)
		return lerr_set(e, LERR_INVAL,
				"level code \"%.32s\" is not 1-15 of A-Z, 0-9, '_' and '-'", code);
	return 0;
}

int party_check(const struct party *p, struct lerr *e)
{
	if (party_code_check(p->code, e) < 0)
		return lerr_prefix(e, "code");
	if (p->name[0] == '\0')
		return lerr_set(e, LERR_INVAL, "name: party %s has an empty name", p->code);
	if (p->nlevels == 0)
		return lerr_set(e, LERR_INVAL, "levels: party %s has no levels", p->code);
	if (p->nlevels > SCHEME_LEVELS_MAX)
		return lerr_set(e, LERR_LIMIT, "levels: more than %d levels", SCHEME_LEVELS_MAX);
	for (size_t i = 0; i < p->nlevels; i++) {
		const struct scheme_level *l = &p->levels[i];
		if (level_code_check(l->code, e) < 0)
			return lerr_prefix(e, "levels[%zu].code", i);
		if (l->name[0] == '\0')
			return lerr_set(e, LERR_INVAL,
					"levels[%zu].name: level %s has an empty name", i, l->code);
		if (l->rank < 1 || l->rank > LEVEL_RANK_MAX)
			return lerr_set(e, LERR_INVAL, "levels[%zu].rank: %d is not in 1..%d", i,
					l->rank, LEVEL_RANK_MAX);
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->levels[j].code, l->code) == 0)
				return lerr_set(e, LERR_INVAL,
						"levels[%zu].code: level %s is already levels[%zu]",
						i, l->code, j);
	}
	return 0;
}

const struct scheme_level *party_level(const struct party *p, const char *code)
{
	for (size_t i = 0; i < p->nlevels; i++)
		if (strcmp(p->levels[i].code, code) == 0)
			return &p->levels[i];
	return NULL;
}

const struct party *party_find(const struct party *ps, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ps[i].code, code) == 0)
			return &ps[i];
	return NULL;
}
