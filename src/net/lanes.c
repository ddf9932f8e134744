/*
 * lanes.c - the daemon's outbound work: a lane (a thread, with its own
 * connection to the store) per peer, which delivers that peer's outbox
 * every half second and witnesses its log every --witness-every seconds.
 * A peer that is slow, or trickles its answers, holds only its own lane;
 * the others go on. A supervisor starts a lane for each peer (a peer added
 * while the daemon runs gets one within half a second); a lane ends when
 * its peer is removed. At the stop every transfer in flight is cancelled
 * at once (libcurl's progress callback), so SIGTERM never waits on a peer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "peer_client.h"
#include "../sys/lazy_curl.h"

struct lane {
	struct lanes *ls;
	char party[PARTY_CODE_MAX];
	pthread_t t;
	atomic_bool ended; /* its thread is over (its peer was removed, or no store) */
	struct lane *next;
};

struct lanes {
	struct server *s;
	pthread_t t;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_bool stop;
	struct lane *head; /* the supervisor's alone */
};

/* Waits half a second, or less when the daemon stops. */
static void pause_half(struct lanes *ls)
{
	struct timespec ts = after_ms(500);
	pthread_mutex_lock(&ls->mu);
	if (!atomic_load(&ls->stop))
		pthread_cond_timedwait(&ls->cv, &ls->mu, &ts);
	pthread_mutex_unlock(&ls->mu);
}

static void *lane_run(void *arg)
{
	struct lane *l = arg;
	struct lanes *ls = l->ls;
	struct server *s = ls->s;
	struct node *n = NULL;
	struct lerr e = {0};
	int64_t witnessed_at = 0;
	if (node_open(s->home, &n, &e) < 0) {
		fprintf(stderr, "liaison serve: no lane to %s: %s\n", l->party, e.msg);
		atomic_store(&l->ended, true);
		return NULL;
	}
	while (!atomic_load(&ls->stop)) {
		struct store_peer p;
		if (node_peer_get(n, l->party, &p, &e) == LERR_NOTFOUND)
			break; /* removed: the lane ends */
		struct deliver_opts o = {.now = (int64_t)time(NULL),
					 .retry_max = s->o.retry_max,
					 .max = NODE_DELIVER_BATCH,
					 .timeout = 30,
					 .peer = l->party,
					 .cancel = &ls->stop,
					 .min_rate = s->o.min_rate};
		struct deliver_stats st;
		if (node_clock_read(&n->clock, &e) < 0 || peer_deliver(n, &s->key, &o, &st, &e) < 0)
			fprintf(stderr, "liaison serve: deliveries to %s: %s\n", l->party, e.msg);
		else if (st.delivered || st.refused || st.failed || st.withdrawn)
			fprintf(
			    s->o.access_log,
			    "{\"deliveries\":{\"peer\":\"%s\",\"delivered\":%zu,\"refused\":%zu,"
			    "\"to_retry\":%zu,\"withdrawn\":%zu}}\n",
			    l->party, st.delivered, st.refused, st.failed, st.withdrawn);
		struct witness_stats ws;
		if (!atomic_load(&ls->stop) && o.now - witnessed_at >= s->o.witness_every) {
			witnessed_at = o.now;
			if (peer_witness(n, &s->key, l->party, o.now, &ls->stop, &ws, &e) < 0 &&
			    e.code != LERR_NOTFOUND)
				fprintf(stderr, "liaison serve: witnessing %s: %s\n", l->party,
					e.msg);
			else if (ws.alarms)
				fprintf(stderr,
					"liaison serve: ALARM: %s's log does not extend what it "
					"showed before (liaison peer status)\n",
					l->party);
		}
		pause_half(ls);
	}
	node_close(n);
	atomic_store(&l->ended, true);
	return NULL;
}

/* Joins and frees the lanes that ended; with `all`, every lane (at the stop). */
static void reap(struct lanes *ls, bool all)
{
	for (struct lane **pl = &ls->head; *pl;) {
		struct lane *l = *pl;
		if (!all && !atomic_load(&l->ended)) {
			pl = &l->next;
			continue;
		}
		pthread_join(l->t, NULL);
		*pl = l->next;
		free(l);
	}
}

static void *supervise(void *arg)
{
	struct lanes *ls = arg;
	struct node *n = NULL;
	struct lerr e = {0};
	if (node_open(ls->s->home, &n, &e) < 0) {
		fprintf(stderr, "liaison serve: no deliveries: %s\n", e.msg);
		return NULL;
	}
	size_t swept;
	if (node_outbox_sweep(n, (int64_t)time(NULL), &swept, &e) < 0)
		fprintf(stderr, "liaison serve: outbox: %s\n", e.msg);
	/* the lanes send with libcurl: without it, no lane (said once); the
	 * rest of the round (the keys of a node on PostgreSQL) goes on */
	bool can_send = lazy_curl_load(&e) == 0;
	if (!can_send)
		fprintf(stderr, "liaison serve: no deliveries to peers: %s\n", e.msg);
	for (unsigned turn = 1; !atomic_load(&ls->stop); turn++) {
		reap(ls, false);
		/* a node on PostgreSQL: the keys as the database has them, every 2 s
		 * (a rotation made on another machine makes this daemon stale:
		 * /readyz and the routes that seal or sign say so) */
		if (turn % 4 == 0 && node_keys_fetch_now(n, &e) < 0)
			fprintf(stderr, "liaison serve: %s\n", e.msg);
		struct store_peer *ps = NULL;
		size_t np = 0;
		if (can_send && node_peer_list(n, &ps, &np, &e) < 0)
			fprintf(stderr, "liaison serve: peers: %s\n", e.msg);
		for (size_t i = 0; i < np; i++) {
			bool has = false;
			for (struct lane *l = ls->head; l && !has; l = l->next)
				has = strcmp(l->party, ps[i].party) == 0;
			struct lane *l = has ? NULL : calloc(1, sizeof *l);
			if (!l)
				continue;
			l->ls = ls;
			str_copy(l->party, sizeof l->party, ps[i].party);
			if (pthread_create(&l->t, NULL, lane_run, l) != 0) {
				free(l);
				continue;
			}
			l->next = ls->head;
			ls->head = l;
		}
		free(ps);
		pause_half(ls);
	}
	reap(ls, true); /* their transfers were cancelled: they end at once */
	node_close(n);
	return NULL;
}

int lanes_start(struct server *s, struct lanes **out, struct lerr *e)
{
	struct lanes *ls = calloc(1, sizeof *ls);
	*out = NULL;
	if (!ls)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	ls->s = s;
	pthread_mutex_init(&ls->mu, NULL);
	pthread_cond_init(&ls->cv, NULL);
	if (pthread_create(&ls->t, NULL, supervise, ls) != 0) {
		free(ls);
		return lerr_set(e, LERR_NOMEM, "no thread for the deliveries: %s", strerror(errno));
	}
	*out = ls;
	return 0;
}

void lanes_stop(struct lanes *ls)
{
	if (!ls)
		return;
	pthread_mutex_lock(&ls->mu);
	atomic_store(&ls->stop, true);
	pthread_cond_broadcast(&ls->cv);
	pthread_mutex_unlock(&ls->mu);
	pthread_join(ls->t, NULL);
	pthread_mutex_destroy(&ls->mu);
	pthread_cond_destroy(&ls->cv);
	free(ls);
}
