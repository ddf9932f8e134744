/*
 * label.h - the label an item carries: who made it, how it is classified,
 * who may receive it and for what. The label travels with the item, signed,
 * in the sealed envelope; its JSON form is in node/label_json.c.
 */
#ifndef LIAISON_CORE_LABEL_H
#define LIAISON_CORE_LABEL_H

#include <stdbool.h>
#include <stddef.h>

#include "agreement.h"
#include "err.h"
#include "scheme.h"

#define LABEL_TITLE_MAX 256 /* UTF-8 bytes, with NUL */
#define LABEL_WORD_MAX	64  /* 1-63 of A-Z a-z 0-9 . _ : / - */
#define LABEL_LIST_MAX	16

struct label {
	char item[LABEL_WORD_MAX];	 /* the item's id ("" until it is given one) */
	char originator[PARTY_CODE_MAX]; /* the party that made it */
	char level[LEVEL_CODE_MAX];	 /* in the originator's scheme */
	char title[LABEL_TITLE_MAX];	 /* unclassified */
	size_t nreleasable;
	char releasable[LABEL_LIST_MAX][PARTY_CODE_MAX];
	char ntk[LABEL_WORD_MAX]; /* need-to-know group, "" for none */
	size_t npurposes;
	char purposes[LABEL_LIST_MAX][LABEL_WORD_MAX];
	size_t ncaveats;
	char caveats[LABEL_LIST_MAX][LABEL_WORD_MAX];
	char export_entry[LABEL_WORD_MAX]; /* export-control entry, "" for none */
	char agreement[AGR_ID_MAX];	   /* released under, "" for none */
	bool revocable;			   /* unreadable once the agreement ends */
};

/* Checks a word (an id, group, purpose, caveat, entry). Returns 0 or LERR_INVAL. */
int label_word_check(const char *w, struct lerr *e) __attribute__((nonnull(1)));
/*
 * Checks an item's id: 1 to 63 of A-Z, a-z, 0-9, '_' and '-'. It names the
 * item in every path of the API (/v1/items/{id}/...): no '/', '%' or '.'
 * that a router or a browser could read as another path, whoever made it
 * (a peer's envelope above all). LERR_INVAL otherwise.
 */
int label_id_check(const char *id, struct lerr *e) __attribute__((nonnull(1)));

/*
 * The party an item's id may name: 2 to 8 capital letters before its
 * first '-' (JPN-3f9c...). Copies them into party (of PARTY_CODE_MAX bytes)
 * and returns true; false when the id names none. Ids are one namespace:
 * a node gives each new item an id that names its originator, and takes
 * none whose id names another party (node/exchange.c), so that no
 * party can take an id another will use.
 */
bool label_id_party(const char *id, char party[PARTY_CODE_MAX]) __attribute__((nonnull));

/*
 * Refuses (LERR_INVAL) a label whose id does not name its originator:
 * "USA-1" or "SITREP-7" made by JPN (which would be "JPN-SITREP-7").
 */
int label_id_owner_check(const struct label *l, struct lerr *e) __attribute__((nonnull(1)));

/* Whether party may hold the item: its originator, or among releasable_to. */
bool label_releasable_to(const struct label *l, const char *party) __attribute__((nonnull));

/*
 * Sorts the lists and drops repeats (the canonical form), then checks
 * every field; the message names the field ("releasable_to[1]: ...").
 * Returns 0 or LERR_INVAL.
 */
int label_normalise(struct label *l, struct lerr *e) __attribute__((nonnull(1)));

#endif
