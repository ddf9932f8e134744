/* internal.h - what node/'s files share and nothing outside node/ sees. */
#ifndef LIAISON_NODE_INTERNAL_H
#define LIAISON_NODE_INTERNAL_H

#include <stdint.h>

#include "node.h"

/*
 * seq of an event not stored yet, while it is checked beside the stored
 * ones (whose seq is their record id, always lower). A file's event j gets
 * NODE_NEW_SEQ + j, so that the file's order holds among them.
 */
#define NODE_NEW_SEQ (INT64_MAX / 2)

/* The number (from 1) a->events[i] has among the events already stored. */
size_t node_stored_number(const struct agreement *a, size_t i);

/* ---- federation (peer.c, outbox.c) ---- */

struct peer_request;
/* The receipt's signed text for rq: canonical JSON of its fields (free() it). */
char *peer_receipt_text(const struct peer_request *rq, const char *received, const char *result);

/* ---- the views' shared parts (views.c, views_export.c, views_log.c) ---- */

/* Releases o, sets e to "out of memory"; returns LERR_NOMEM. */
int views_nomem(json_t *o, struct lerr *e);

/* An agreement's record on its object o: each of events' sources (when
 * events is not NULL), and its announcements dated from..to. */
void views_agreement_record(struct node *n, const char *id, json_t *o, json_t *events, date_t from,
			    date_t to);

/* Whether who (NULL: the node's operator) may see item id. */
bool views_sees_item(struct node *n, const struct person *who, const char *id);

/* ---- the handle's read cache (cache.c) ---- */
struct store_item;
struct store_token;
struct node_cache *node_cache_new(void);
void node_cache_free(struct node_cache *c);
/* Checks the store's generation once for a read transaction's reads (or stops). */
void node_cache_pin(struct node *n, bool pin);
/* LERR_FORBIDDEN when who (a person acting through the API; NULL: the operator) is the
 * person with this id: no one changes their own record. */
int node_person_not_self(const struct person *who, const char *id, struct lerr *e);
int node_cached_person(struct node *n, const char *id, struct person *p, struct lerr *e);
int node_cached_party(struct node *n, const char *code, struct party *p, struct lerr *e);
int node_cached_item(struct node *n, const char *id, struct store_item *it, struct label *l,
		     int (*load)(struct node *, const char *, struct store_item *, struct label *,
				 struct lerr *),
		     struct lerr *e);
int node_cached_token(struct node *n, const uint8_t hash[32], struct store_token *t,
		      struct lerr *e);
/* The token of that hash and its person as this handle's cache last held
 * them, however long ago (the store is not asked); LERR_NOTFOUND when it
 * holds either no longer. */
int node_cache_peek_token(struct node *n, const uint8_t hash[32], struct store_token *t,
			  struct person *p);
/* The agreement between p1 and p2 (either order) that governs on day `on`,
 * found or not, by load. */
int node_cached_between(struct node *n, const char *p1, const char *p2, date_t on,
			struct agreement *a,
			int (*load)(struct node *, const char *, const char *, date_t,
				    struct agreement *, struct lerr *),
			struct lerr *e);

/*
 * Appends "; did you mean \"X\"?" to e's message when X, of the n words
 * stride bytes apart from words, is near word (text_nearest_in).
 */
void node_hint_nearest(struct lerr *e, const char *word, const char *words, size_t stride,
		       size_t n);

/*
 * The node's key files in the database (keysync.c; a node on PostgreSQL,
 * else nothing is done). node_keys_publish writes the party's key files of
 * home/keys as payloads keys/FILE, replacing those there and removing
 * those the folder no longer has, in the open transaction (begin one for
 * several files to land at once; its write lock orders it with any other
 * folder's). Before, it checks that the database's key files are still
 * those this folder took: each byte the same as the folder's, or, with
 * base, their digest as node_keys_base gave it before the folder changed
 * them (a new passphrase); else LERR_REFUSED, nothing written. With
 * next_is_current, a rotation's new pair (PARTY.next.*) stands for
 * PARTY.key and .pub (node_keys_fetch: node.h).
 */
int node_keys_base(struct store *s, const char *home, const char *party,
		   uint8_t digest[crypto_generichash_BYTES], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
int node_keys_publish(struct store *s, const char *home, const char *party, bool next_is_current,
		      const uint8_t *base, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

#endif
