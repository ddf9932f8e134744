/*
 * limit.c - how many requests that add to the log one token, or one peer,
 * may make (see internal.h): a bucket of `per_minute` for each, refilled
 * continuously, so that a burst of a minute's worth passes and a steady
 * flood is held to the rate. The table is small and fixed: when it is
 * full, the bucket idle longest is reused (its owner starts full again,
 * which only ever errs towards letting a request through).
 */
#include <string.h>
#include <time.h>

#include "internal.h"

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void limit_init(struct limit *l, unsigned per_minute)
{
	memset(l, 0, sizeof *l);
	pthread_mutex_init(&l->mu, NULL);
	l->per_minute = per_minute;
}

void limit_destroy(struct limit *l)
{
	pthread_mutex_destroy(&l->mu);
}

bool limit_take(struct limit *l, const char *key, double *retry)
{
	*retry = 0;
	if (!l->per_minute)
		return true; /* unbounded */
	const double cap = l->per_minute, rate = l->per_minute / 60.0, now = seconds();
	pthread_mutex_lock(&l->mu);
	struct bucket *b = NULL, *idle = &l->b[0];
	for (size_t i = 0; i < LIMIT_BUCKETS && !b; i++) {
		if (l->b[i].used && strcmp(l->b[i].key, key) == 0)
			b = &l->b[i];
		else if (!l->b[i].used || l->b[i].at < idle->at)
			idle = &l->b[i];
	}
	if (!b) {
		b = idle;
		b->used = true;
		str_copy(b->key, sizeof b->key, key);
		b->level = cap;
		b->at = now;
	}
	b->level += (now - b->at) * rate;
	if (b->level > cap)
		b->level = cap;
	b->at = now;
	bool ok = b->level >= 1;
	if (ok)
		b->level -= 1;
	else
		*retry = (1 - b->level) / rate;
	pthread_mutex_unlock(&l->mu);
	return ok;
}
