/*
 * views_items.c - the item list, a page at a time, narrowed by the filters an
 * analyst asks for (see views.h). Who may see an item is decided first, for
 * every item, and a filter only narrows what that leaves: no filter, and no
 * error a filter gives, depends on an item the person may not see.
 */
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "encode.h"
#include "internal.h"
#include "items.h"

/* How many ids view_items reads from the store at a time, looking for the
 * ones a person sees (and the filters select). */
#define ITEMS_SCAN 256

/* Appends the formatted text to buf (size bytes, len used); what does not
 * fit is cut, and "..." marks the cut. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, const char *a,
		   const char *b)
{
	if (*len >= size)
		return;
	int w = snprintf(buf + *len, size - *len, fmt, a, b);
	*len = w < 0 || (size_t)w >= size - *len ? size : *len + (size_t)w;
	if (*len == size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

/* Every level known, "JPN: HI GOKUHI; KOR: III II I", into buf; each code
 * also into codes (room for max; *nc of them). */
static void known_levels(const struct party *ps, size_t np, char *buf, size_t size,
			 char (*codes)[LEVEL_CODE_MAX], size_t max, size_t *nc)
{
	size_t len = 0;
	buf[0] = '\0';
	*nc = 0;
	for (size_t i = 0; i < np; i++) {
		append(buf, size, &len, "%s%s:", i ? "; " : "", ps[i].code);
		for (size_t k = 0; k < ps[i].nlevels; k++) {
			append(buf, size, &len, "%s%s", " ", ps[i].levels[k].code);
			if (*nc < max)
				str_copy(codes[(*nc)++], LEVEL_CODE_MAX, ps[i].levels[k].code);
		}
	}
}

/*
 * The level code `want` stands for, into code: the code of a level of some
 * scheme known on this node, written in any case (level codes are capitals).
 * LERR_INVAL naming "level", with the levels known and the nearest, otherwise.
 */
static int filter_level(struct node *n, const char *want, char code[LEVEL_CODE_MAX], struct lerr *e)
{
	size_t len = strlen(want);
	for (size_t i = 0; i < len && i < LEVEL_CODE_MAX - 1; i++)
		code[i] = want[i] >= 'a' && want[i] <= 'z' ? (char)(want[i] - 'a' + 'A') : want[i];
	code[len < LEVEL_CODE_MAX ? len : LEVEL_CODE_MAX - 1] = '\0';
	struct party *ps = NULL;
	size_t np = 0;
	int r = node_party_list(n, &ps, &np, e);
	if (r < 0)
		return r;
	bool known = false;
	for (size_t i = 0; len < LEVEL_CODE_MAX && !known && i < np; i++)
		known = party_level(&ps[i], code) != NULL;
	if (!known) {
		char list[256], codes[64][LEVEL_CODE_MAX], shown[48];
		size_t nc;
		known_levels(ps, np, list, sizeof list, codes, sizeof codes / sizeof codes[0], &nc);
		lerr_set(e, LERR_INVAL, "level: no scheme on this node has a level \"%s\" (%s)",
			 text_escape(want, shown, sizeof shown), np ? list : "no party is known");
		if (e)
			node_hint_nearest(e, want, codes[0], sizeof codes[0], nc);
		r = lerr_field(e, "level");
	}
	free(ps);
	return r;
}

/* Whether the item was stored on this node within f's from..to. */
static bool stored_between(const struct store_item *it, const struct item_filter *f)
{
	date_t d;
	if (!f->from && !f->to)
		return true;
	if (date_parse(it->stored_on, &d, NULL) < 0)
		return false;
	return (!f->from || d >= *f->from) && (!f->to || d <= *f->to);
}

/* Whether the item (it, l) is one f selects; level: f's level as resolved. */
static bool selects(const struct item_filter *f, const char *level, const struct store_item *it,
		    const struct label *l)
{
	if (!f)
		return true;
	if (f->level && strcmp(it->level, level) != 0 && strcmp(it->local_level, level) != 0)
		return false;
	if (f->originator && strcmp(it->originator, f->originator) != 0)
		return false;
	if (f->ntk && strcmp(l->ntk, f->ntk) != 0)
		return false;
	if (f->q && !text_contains_folded(l->title, f->q))
		return false;
	return stored_between(it, f);
}

/* Checks f's values, each against what the node knows (never against its
 * items); level: its level as the node spells it. */
static int filter_check(struct node *n, const struct item_filter *f, char level[LEVEL_CODE_MAX],
			struct lerr *e)
{
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	int r = 0;
	if (f->level && (r = filter_level(n, f->level, level, e)) < 0)
		return r;
	if (f->originator && (r = node_party_known(n, f->originator, "originator", e)) < 0)
		return r;
	if (f->from && f->to && *f->to < *f->from) {
		lerr_set(e, LERR_INVAL, "to: %s is before from %s", date_format(*f->to, d2),
			 date_format(*f->from, d1));
		return lerr_field(e, "to");
	}
	if (f->ntk && label_word_check(f->ntk, e) < 0) {
		lerr_prefix(e, "ntk");
		return lerr_field(e, "ntk");
	}
	if (f->q && (strlen(f->q) >= LABEL_TITLE_MAX || !utf8_valid(f->q, strlen(f->q)))) {
		lerr_set(e, LERR_INVAL, "q: a part of a title: UTF-8, at most %d bytes",
			 LABEL_TITLE_MAX - 1);
		return lerr_field(e, "q");
	}
	return 0;
}

/* The item id, as who sees it, into the list when f selects it: 0 when it
 * is not there for them or not selected (*o NULL), else its JSON in *o. */
static int take(struct node *n, const struct person *who, const struct item_filter *f,
		const char *level, const char *id, json_t **o, struct lerr *e)
{
	struct store_item it;
	struct label l;
	*o = NULL;
	int r = node_item_get_as(n, who, id, &it, &l, e);
	if (r == LERR_NOTFOUND)
		return 0; /* not there for this person */
	if (r < 0)
		return r;
	if (selects(f, level, &it, &l) && !(*o = encode_item(&it, &l, n->party)))
		r = views_nomem(NULL, e);
	store_item_free(&it);
	return r;
}

int view_items(struct node *n, const struct person *who, const struct item_filter *f,
	       const char *after, size_t limit, json_t **out, struct lerr *e)
{
	char(*ids)[LABEL_WORD_MAX] = NULL, cursor[LABEL_WORD_MAX] = "", level[LEVEL_CODE_MAX] = "";
	size_t count = 0;
	*out = NULL;
	if (limit < 1 || limit > ITEMS_PAGE_MAX)
		return lerr_set(e, LERR_INVAL, "limit: from 1 to %d items a page", ITEMS_PAGE_MAX);
	int r = f ? filter_check(n, f, level, e) : 0;
	if (r < 0)
		return r;
	if (after) { /* a cursor the person may not see is an id never used */
		struct store_item it;
		struct label l;
		r = node_item_get_as(n, who, after, &it, &l, e);
		if (r == LERR_NOTFOUND)
			return lerr_set(e, LERR_NOTFOUND, "after: no item %.64s", after);
		if (r < 0)
			return r;
		store_item_free(&it);
		str_copy(cursor, sizeof cursor, after);
	}
	/* the items the person sees and f selects, a batch of ids at a time,
	 * until the page is full and one more is found (then "next" says
	 * another page follows); the operator, unfiltered, sees them all: the
	 * page and one more */
	json_t *list = json_array();
	const bool narrowed =
	    f && (f->level || f->originator || f->from || f->to || f->ntk || f->q);
	const size_t want = who || narrowed ? ITEMS_SCAN : limit + 1;
	bool more = false, end = false;
	while (r == 0 && !end && !more) {
		free(ids);
		ids = NULL;
		r = node_item_ids(n, cursor[0] ? cursor : NULL, want, &ids, &count, e);
		end = count < want;
		for (size_t i = 0; r == 0 && i < count && !more; i++) {
			json_t *o;
			str_copy(cursor, sizeof cursor, ids[i]);
			if ((r = take(n, who, f, level, ids[i], &o, e)) < 0 || !o)
				continue;
			if (json_array_size(list) == limit) {
				json_decref(o);
				more = true;
			} else
				json_array_append_new(list, o);
		}
	}
	free(ids);
	json_t *last = json_object_get(json_array_get(list, json_array_size(list) - 1), "id");
	json_t *next = more ? json_copy(last) : json_null();
	if (r < 0) {
		json_decref(list);
		json_decref(next);
		return r;
	}
	*out = json_pack("{s:o, s:o}", "items", list, "next", next);
	return *out ? 0 : views_nomem(NULL, e);
}
