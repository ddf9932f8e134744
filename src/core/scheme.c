/* scheme.c - parties and their classification schemes (see scheme.h). */
#include "scheme.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "label.h"
#include "text.h"

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

void party_word_lists(const struct party *p, struct party_words out[PARTY_WORD_LISTS])
{
	out[0] = (struct party_words){"ntk_groups", p->ntk_groups, p->nntk_groups};
	out[1] = (struct party_words){"purposes", p->purposes, p->npurposes};
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

int level_colour_check(const char *colour, struct lerr *e)
{
	bool ok = colour[0] == '#' && strlen(colour) == LEVEL_COLOUR_MAX - 1;
	for (size_t i = 1; ok && i < LEVEL_COLOUR_MAX - 1; i++) {
		char c = colour[i];
		ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	}
	if (!ok)
		return lerr_set(e, LERR_INVAL,
				"\"%.32s\" is not a colour: '#' and six hex digits, \"#RRGGBB\"",
				colour);
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
	if (p->nntk_groups > PARTY_WORDS_MAX || p->npurposes > PARTY_WORDS_MAX)
		return lerr_set(e, LERR_LIMIT, "ntk_groups, purposes: at most %d of each",
				PARTY_WORDS_MAX);
	struct party_words lists[PARTY_WORD_LISTS];
	party_word_lists(p, lists);
	for (size_t k = 0; k < PARTY_WORD_LISTS; k++)
		for (size_t i = 0; i < lists[k].n; i++) {
			if (label_word_check(lists[k].v[i], e) < 0)
				return lerr_prefix(e, "%s[%zu]", lists[k].name, i);
			for (size_t j = 0; j < i; j++)
				if (text_eq(lists[k].v[j], lists[k].v[i]))
					return lerr_set(
					    e, LERR_INVAL, "%s[%zu]: %s is already %s[%zu]",
					    lists[k].name, i, lists[k].v[i], lists[k].name, j);
		}
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
		if (l->colour[0] && level_colour_check(l->colour, e) < 0)
			return lerr_prefix(e, "levels[%zu].colour: level %s", i, l->code);
		for (size_t j = 0; j < i; j++)
			if (text_eq(p->levels[j].code, l->code))
				return lerr_set(e, LERR_INVAL,
						"levels[%zu].code: level %s is already levels[%zu]",
						i, l->code, j);
	}
	return 0;
}

const struct scheme_level *party_level(const struct party *p, const char *code)
{
	for (size_t i = 0; i < p->nlevels; i++)
		if (text_eq(p->levels[i].code, code))
			return &p->levels[i];
	return NULL;
}

/* "A, B, C" of n words of width w at v, into buf. */
static void word_list(const char *v, size_t n, size_t w, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		int k = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", v + i * w);
		if (k < 0 || (size_t)k >= size - len) {
			if (size > 4)
				memcpy(buf + size - 4, "...", 4);
			return;
		}
		len += (size_t)k;
	}
}

const struct scheme_level *party_level_match(const struct party *p, const char *code,
					     struct lerr *e)
{
	const struct scheme_level *exact = party_level(p, code), *folded = NULL;
	size_t nfolded = 0;
	for (size_t i = 0; !exact && i < p->nlevels; i++)
		if (strcasecmp(p->levels[i].code, code) == 0) {
			folded = &p->levels[i];
			nfolded++;
		}
	if (exact || nfolded == 1)
		return exact ? exact : folded;
	char known[SCHEME_LEVELS_MAX * LEVEL_CODE_MAX];
	word_list(p->levels[0].code, p->nlevels, sizeof p->levels[0], known, sizeof known);
	const char *near =
	    text_nearest_in(code, p->levels[0].code, sizeof p->levels[0], p->nlevels);
	lerr_set(e, LERR_INVAL, "%s has no level \"%.32s\" (%s)%s%s%s", p->code, code, known,
		 near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
	return NULL;
}

int party_word_known(const char *v, size_t n, size_t w, const char *word, const char *what,
		     struct lerr *e)
{
	for (size_t i = 0; i < n; i++)
		if (text_eq(v + i * w, word))
			return 0;
	if (n == 0)
		return lerr_set(e, LERR_INVAL, "\"%.64s\" is not %s: none are declared", word,
				what);
	char known[256];
	word_list(v, n, w, known, sizeof known);
	const char *near = text_nearest_in(word, v, w, n);
	return lerr_set(e, LERR_INVAL, "\"%.64s\" is not %s (%s)%s%s%s", word, what, known,
			near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
}

const struct party *party_find(const struct party *ps, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (text_eq(ps[i].code, code))
			return &ps[i];
	return NULL;
}
