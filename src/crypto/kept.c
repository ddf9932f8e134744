/* kept.c - guarded rooms kept by each thread (see kept.h). */
#include "kept.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

struct rooms {
	void *p[KEPT_KINDS];
	bool busy[KEPT_KINDS];
};

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool started, have_key;

/* The thread's rooms, freed when it ends (the main thread's with the process). */
static void rooms_free(void *arg)
{
	struct rooms *r = arg;
	for (size_t i = 0; i < KEPT_KINDS; i++)
		sodium_free(r->p[i]);
	sodium_free(r);
}

static void make_key(void)
{
	/* sodium_malloc needs libsodium started (the page size); without a
	 * thread key, every room is one of its own */
	started = sodium_init() >= 0;
	have_key = started && pthread_key_create(&key, rooms_free) == 0;
}

static struct rooms *rooms(void)
{
	pthread_once(&once, make_key);
	if (!have_key)
		return NULL;
	struct rooms *r = pthread_getspecific(key);
	if (r)
		return r;
	if (!(r = sodium_malloc(sizeof *r)))
		return NULL;
	memset(r, 0, sizeof *r);
	if (pthread_setspecific(key, r) != 0) {
		sodium_free(r);
		return NULL;
	}
	return r;
}

/* A new room, zeroed (sodium_malloc fills with a pattern); NULL when out of memory. */
static void *new_room(void)
{
	void *p = sodium_malloc(KEPT_ROOM);
	if (p)
		memset(p, 0, KEPT_ROOM);
	return p;
}

void *kept_take(enum kept_kind kind, size_t size)
{
	if (size > KEPT_ROOM)
		return NULL;
	struct rooms *r = rooms();
	if (r && !r->busy[kind]) {
		if (!r->p[kind])
			r->p[kind] = new_room();
		if (r->p[kind]) { /* zero: new, or wiped when given back */
			r->busy[kind] = true;
			return r->p[kind];
		}
	}
	if (!started)
		return NULL; /* libsodium did not start */
	return new_room();   /* taken twice at once: one of its own */
}

void kept_give(enum kept_kind kind, void *p)
{
	if (!p)
		return;
	struct rooms *r = have_key ? pthread_getspecific(key) : NULL;
	if (r && r->p[kind] == p) {
		sodium_memzero(p, KEPT_ROOM);
		r->busy[kind] = false;
		return;
	}
	sodium_free(p); /* wiped */
}
