/*
 * cache.c - a node handle's cache of what it reads most (people, parties,
 * items, tokens, the agreement between two parties), valid only while the store's generation does
 * not move (store_generation): any committed write to what it may hold, by this handle or another,
 * and another PostgreSQL server answering (a failover), empty it at the next lookup. So a revoked
 * token or a changed clearance is seen at once, and a daemon thread answering questions does not
 * re-read and re-parse the same rows on every request, nor after every download another thread
 * logged. Inside the handle's own write transaction it is neither read nor filled: what is read
 * there may be the transaction's own writes, which a rollback takes back.
 */
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "internal.h"

#define CACHE_PEOPLE  32
#define CACHE_PARTIES 8
#define CACHE_ITEMS   32
#define CACHE_TOKENS  16
#define CACHE_PAIRS   8 /* agreements between two parties */

struct node_cache {
	struct store_gen gen;
	bool valid;
	bool pinned; /* in a read transaction: the store cannot move under it */
	unsigned next_person, next_party, next_item, next_token, next_pair; /* round-robin */
	struct {
		bool used;
		struct person p;
	} people[CACHE_PEOPLE];
	struct {
		bool used;
		struct party p;
	} parties[CACHE_PARTIES];
	struct {
		bool used;
		struct store_item it; /* it.label: the cache's own copy */
		struct label l;
	} items[CACHE_ITEMS];
	struct {
		bool used;
		uint8_t hash[32];
		struct store_token t;
	} tokens[CACHE_TOKENS];
	struct {
		bool used;
		char p1[PARTY_CODE_MAX], p2[PARTY_CODE_MAX];
		date_t on;	     /* the day it governs */
		int r;		     /* 0, or what the lookup answered (LERR_NOTFOUND) */
		struct agreement *a; /* when r is 0 */
	} pairs[CACHE_PAIRS];
};

static void clear(struct node_cache *c)
{
	for (size_t i = 0; i < CACHE_ITEMS; i++)
		if (c->items[i].used)
			free(c->items[i].it.label);
	for (size_t i = 0; i < CACHE_PAIRS; i++)
		free(c->pairs[i].a);
	memset(c, 0, sizeof *c);
}

struct node_cache *node_cache_new(void)
{
	return calloc(1, sizeof(struct node_cache));
}

void node_cache_free(struct node_cache *c)
{
	if (c)
		clear(c);
	free(c);
}

/* The cache, emptied first if the store moved; NULL to go to the store. */
static struct node_cache *fresh(struct node *n)
{
	struct store_gen g;
	struct node_cache *c = n->cache;
	/* in a write transaction: its own writes, maybe rolled back later; and
	 * what it decides on (node_enforce_again) is the store now, never a
	 * read stretch's snapshot */
	if (!c || store_writing(n->store))
		return NULL;
	if (c->pinned && c->valid)
		return c;
	if (store_generation(n->store, &g, NULL) < 0)
		return NULL;
	if (!c->valid || g.n != c->gen.n || g.server != c->gen.server) {
		clear(c);
		c->gen = g;
		c->valid = true;
		/* a light stretch (node_read_begin_light) holds nothing read
		 * before its transaction: all it reads is in that one snapshot.
		 * (What the cache keeps of it under g is emptied by the next
		 * lookup's generation, newer than g if it moved meanwhile.) */
		store_read_light_forget(n->store);
	}
	return c;
}

int node_cached_person(struct node *n, const char *id, struct person *p, struct lerr *e)
{
	struct node_cache *c = fresh(n);
	for (size_t i = 0; c && i < CACHE_PEOPLE; i++)
		if (c->people[i].used && strcmp(c->people[i].p.id, id) == 0) {
			*p = c->people[i].p;
			return 0;
		}
	int r = store_person_get(n->store, id, p, e);
	if (r == LERR_NOTFOUND && n->operator&& e) { /* people are not a secret to the operator */
		char(*ids)[PERSON_ID_MAX] = NULL;
		size_t count = 0;
		if (store_person_ids(n->store, &ids, &count, NULL) == 0)
			node_hint_nearest(e, id, ids[0], sizeof ids[0], count);
		free(ids);
	}
	if (r == 0 && c) {
		unsigned k = c->next_person++ % CACHE_PEOPLE;
		c->people[k].used = true;
		c->people[k].p = *p;
	}
	return r;
}

int node_cached_party(struct node *n, const char *code, struct party *p, struct lerr *e)
{
	struct node_cache *c = fresh(n);
	for (size_t i = 0; c && i < CACHE_PARTIES; i++)
		if (c->parties[i].used && strcmp(c->parties[i].p.code, code) == 0) {
			*p = c->parties[i].p;
			return 0;
		}
	int r = store_party_get(n->store, code, p, e);
	if (r == 0 && c) {
		unsigned k = c->next_party++ % CACHE_PARTIES;
		c->parties[k].used = true;
		c->parties[k].p = *p;
	}
	return r;
}

int node_cached_item(struct node *n, const char *id, struct store_item *it, struct label *l,
		     int (*load)(struct node *, const char *, struct store_item *, struct label *,
				 struct lerr *),
		     struct lerr *e)
{
	struct node_cache *c = fresh(n);
	for (size_t i = 0; c && i < CACHE_ITEMS; i++)
		if (c->items[i].used && strcmp(c->items[i].it.id, id) == 0) {
			char *label = strdup(c->items[i].it.label);
			if (!label)
				break;
			*it = c->items[i].it;
			it->label = label;
			*l = c->items[i].l;
			return 0;
		}
	int r = load(n, id, it, l, e);
	if (r == 0 && c) {
		char *copy = strdup(it->label);
		unsigned k = c->next_item++ % CACHE_ITEMS;
		if (copy) {
			if (c->items[k].used)
				free(c->items[k].it.label);
			c->items[k].used = true;
			c->items[k].it = *it;
			c->items[k].it.label = copy;
			c->items[k].l = *l;
		}
	}
	return r;
}

int node_cached_token(struct node *n, const uint8_t hash[32], struct store_token *t, struct lerr *e)
{
	struct node_cache *c = fresh(n);
	for (size_t i = 0; c && i < CACHE_TOKENS; i++)
		if (c->tokens[i].used && memcmp(c->tokens[i].hash, hash, 32) == 0) {
			*t = c->tokens[i].t;
			return 0;
		}
	int r = store_token_find(n->store, hash, t, e);
	if (r == 0 && c) {
		unsigned k = c->next_token++ % CACHE_TOKENS;
		c->tokens[k].used = true;
		memcpy(c->tokens[k].hash, hash, 32);
		c->tokens[k].t = *t;
	}
	return r;
}

int node_cache_peek_token(struct node *n, const uint8_t hash[32], struct store_token *t,
			  struct person *p)
{
	const struct node_cache *c = n->cache;
	for (size_t i = 0; c && c->valid && i < CACHE_TOKENS; i++) {
		if (!c->tokens[i].used || memcmp(c->tokens[i].hash, hash, 32) != 0)
			continue;
		for (size_t j = 0; j < CACHE_PEOPLE; j++)
			if (c->people[j].used &&
			    strcmp(c->people[j].p.id, c->tokens[i].t.person) == 0) {
				*t = c->tokens[i].t;
				*p = c->people[j].p;
				return 0;
			}
		break;
	}
	return LERR_NOTFOUND;
}

int node_cached_between(struct node *n, const char *p1, const char *p2, date_t on,
			struct agreement *a,
			int (*load)(struct node *, const char *, const char *, date_t,
				    struct agreement *, struct lerr *),
			struct lerr *e)
{
	struct node_cache *c = fresh(n);
	for (size_t i = 0; c && i < CACHE_PAIRS; i++) {
		if (!c->pairs[i].used || c->pairs[i].on != on ||
		    !((strcmp(c->pairs[i].p1, p1) == 0 && strcmp(c->pairs[i].p2, p2) == 0) ||
		      (strcmp(c->pairs[i].p1, p2) == 0 && strcmp(c->pairs[i].p2, p1) == 0)))
			continue;
		if (c->pairs[i].r == 0)
			*a = *c->pairs[i].a;
		return c->pairs[i].r == 0
			   ? 0
			   : lerr_set(e, c->pairs[i].r, "no agreement between %s and %s", p1, p2);
	}
	int r = load(n, p1, p2, on, a, e);
	if ((r == 0 || r == LERR_NOTFOUND) && c) {
		unsigned k = c->next_pair++ % CACHE_PAIRS;
		struct agreement *copy = r == 0 ? malloc(sizeof *copy) : NULL;
		if (r == 0 && !copy)
			return r;
		if (copy)
			*copy = *a;
		free(c->pairs[k].a);
		c->pairs[k].used = true;
		c->pairs[k].r = r;
		c->pairs[k].on = on;
		c->pairs[k].a = copy;
		str_copy(c->pairs[k].p1, PARTY_CODE_MAX, p1);
		str_copy(c->pairs[k].p2, PARTY_CODE_MAX, p2);
	}
	return r;
}

void node_cache_pin(struct node *n, bool pin)
{
	if (!n->cache)
		return;
	n->cache->pinned = false;
	if (pin && fresh(n))
		n->cache->pinned = true;
}
