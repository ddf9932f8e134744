/* label.c - item labels: checks and canonical order (see label.h). */
#include "label.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

int label_word_check(const char *w, struct lerr *e)
{
	size_t n = strlen(w);
	bool ok = n >= 1 && n < LABEL_WORD_MAX;
	for (size_t i = 0; ok && i < n; i++) {
		char c = w[i];
		ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		     strchr("._:/-", c) != NULL;
	}
	if (!ok)
		return lerr_set(e, LERR_INVAL,
				"\"%.80s\" is not 1-63 of A-Z, a-z, 0-9, '.', '_', "
				"':', '/' and '-'",
				w);
	return 0;
}

bool label_releasable_to(const struct label *l, const char *party)
{
	if (text_eq(l->originator, party))
		return true;
	for (size_t i = 0; i < l->nreleasable; i++)
		if (text_eq(l->releasable[i], party))
			return true;
	return false;
}

int label_id_check(const char *id, struct lerr *e)
{
	size_t n = strlen(id);
	bool ok = n >= 1 && n < LABEL_WORD_MAX;
	for (size_t i = 0; ok && i < n; i++) {
		char c = id[i];
		ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		     c == '_' || c == '-';
	}
	if (!ok)
		return lerr_set(e, LERR_INVAL,
				"\"%.80s\" is not an item id: 1-63 of A-Z, a-z, 0-9, '_' and '-'",
				id);
	return 0;
}

bool label_id_party(const char *id, char party[PARTY_CODE_MAX])
{
	size_t n = 0;
	while (n < PARTY_CODE_MAX - 1 && id[n] >= 'A' && id[n] <= 'Z')
		n++;
	if (n < 2 || id[n] != '-')
		return false;
	memcpy(party, id, n);
	party[n] = '\0';
	return true;
}

int label_id_owner_check(const struct label *l, struct lerr *e)
{
	char named[PARTY_CODE_MAX];
	if (label_id_party(l->item, named) && strcmp(named, l->originator) == 0)
		return 0;
	lerr_set(e, LERR_INVAL,
		 "\"%s\" does not name %s, its originator: an item's id begins with its "
		 "originator's code and '-' (%s-%.50s), so that no other party takes it",
		 l->item, l->originator, l->originator, l->item);
	return lerr_prefix(e, "item");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Sorts n strings of width w in place and drops repeats; returns the new n. */
static size_t sort_unique(char *v, size_t n, size_t w)
{
	qsort(v, n, w, cmp_str);
	size_t out = 0;
	for (size_t i = 0; i < n; i++)
		if (out == 0 || strcmp(v + (out - 1) * w, v + i * w) != 0)
			memmove(v + out++ * w, v + i * w, w);
	return out;
}

static int check_words(const char *v, size_t n, size_t w, const char *field, struct lerr *e)
{
	for (size_t i = 0; i < n; i++)
		if (label_word_check(v + i * w, e) < 0)
			return lerr_prefix(e, "%s[%zu]", field, i);
	return 0;
}

int label_normalise(struct label *l, struct lerr *e)
{
	l->nreleasable = sort_unique(&l->releasable[0][0], l->nreleasable, PARTY_CODE_MAX);
	l->npurposes = sort_unique(&l->purposes[0][0], l->npurposes, LABEL_WORD_MAX);
	l->ncaveats = sort_unique(&l->caveats[0][0], l->ncaveats, LABEL_WORD_MAX);
	if (l->item[0] && label_id_check(l->item, e) < 0)
		return lerr_prefix(e, "item");
	if (party_code_check(l->originator, e) < 0)
		return lerr_prefix(e, "originator");
	if (level_code_check(l->level, e) < 0)
		return lerr_prefix(e, "level");
	if (l->title[0] == '\0') {
		lerr_set(e, LERR_INVAL, "title: empty");
		return lerr_field(e, "title");
	}
	/* a title is shown on other people's screens: text, one line */
	if (text_line_check(l->title, "title", e) < 0)
		return lerr_field(e, "title");
	for (size_t i = 0; i < l->nreleasable; i++)
		if (party_code_check(l->releasable[i], e) < 0)
			return lerr_prefix(e, "releasable_to[%zu]", i);
	if (l->ntk[0] && label_word_check(l->ntk, e) < 0)
		return lerr_prefix(e, "ntk");
	if (check_words(&l->purposes[0][0], l->npurposes, LABEL_WORD_MAX, "purposes", e) < 0 ||
	    check_words(&l->caveats[0][0], l->ncaveats, LABEL_WORD_MAX, "caveats", e) < 0)
		return LERR_INVAL;
	if (l->export_entry[0] && label_word_check(l->export_entry, e) < 0)
		return lerr_prefix(e, "export_entry");
	if (l->agreement[0] && agreement_id_check(l->agreement, e) < 0)
		return lerr_prefix(e, "agreement");
	return 0;
}
