/*
 * guard.c - the daemon's connections against a hostile network (see
 * internal.h). libmicrohttpd cuts a connection that stays silent too long,
 * but one that trickles a byte now and then stays forever; here each
 * connection has a deadline that trickling cannot move: its request's
 * headers within a budget; its body's first bytes within the budget again,
 * the rest at a minimum rate (each byte moves the deadline by 1/min_rate s);
 * the next request's headers within the budget again. While an answer goes
 * out there is no deadline here (a download may be read slowly); a client
 * that stops reading altogether meets libmicrohttpd's inactivity timeout. A watchdog thread shuts
 * down the socket of any connection past its deadline; libmicrohttpd then closes it as a connection
 * the client dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "internal.h"

struct conn {
	struct conn *prev, *next;
	MHD_socket fd;
	_Atomic int64_t deadline; /* monotonic ms; 0: none (an answer is going out) */
	int64_t body_start;	  /* when the request's headers were in (ms) */
	uint64_t body_bytes;	  /* of its body so far */
	atomic_bool cut;	  /* the watchdog shut it down */
	bool escaped_nul;	  /* its request's path or query has %00 (guard_unescape) */
};

static int64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The tracked connection of c (NULL when there is none). */
static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

void guard_notify(void *cls, struct MHD_Connection *c, void **ctx,
		  enum MHD_ConnectionNotificationCode toe)
{
	struct guard *g = cls;
	struct conn *k = *ctx;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci || !(k = calloc(1, sizeof *k)))
			return; /* untracked: libmicrohttpd's inactivity timeout still holds */
		k->fd = ci->connect_fd;
		atomic_store(&k->deadline, ms_now() + (int64_t)g->header_s * 1000);
		pthread_mutex_lock(&g->mu);
		k->next = g->head->next;
		k->prev = g->head;
		g->head->next->prev = k;
		g->head->next = k;
		pthread_mutex_unlock(&g->mu);
		*ctx = k;
		return;
	}
	if (!k)
		return;
	pthread_mutex_lock(&g->mu);
	k->prev->next = k->next;
	k->next->prev = k->prev;
	pthread_mutex_unlock(&g->mu);
	free(k);
	*ctx = NULL;
}

void guard_request(const struct guard *g, struct MHD_Connection *c)
{
	struct conn *k = conn_of(c);
	if (!k)
		return;
	k->body_start = ms_now();
	k->body_bytes = 0;
	atomic_store(&k->deadline, k->body_start + (int64_t)g->header_s * 1000);
}

void guard_body(const struct guard *g, struct MHD_Connection *c, size_t n)
{
	struct conn *k = conn_of(c);
	if (!k)
		return;
	/* the deadline moves only as fast as the minimum rate would bring bytes */
	k->body_bytes += n;
	uint64_t ms =
	    k->body_bytes / g->min_rate * 1000 + k->body_bytes % g->min_rate * 1000 / g->min_rate;
	atomic_store(&k->deadline, k->body_start + (int64_t)g->header_s * 1000 + (int64_t)ms);
}

void guard_answering(struct MHD_Connection *c)
{
	struct conn *k = conn_of(c);
	if (k)
		atomic_store(&k->deadline, 0);
}

void guard_idle(const struct guard *g, struct MHD_Connection *c)
{
	struct conn *k = conn_of(c);
	if (k) /* keep-alive: the next request's headers within the budget */
		atomic_store(&k->deadline, ms_now() + (int64_t)g->header_s * 1000);
}

size_t guard_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	for (const char *p = s; (p = strchr(p, '%')) != NULL; p++)
		if (p[1] == '0' && p[2] == '0') {
			struct conn *k = conn_of(c);
			if (k)
				k->escaped_nul = true;
			break;
		}
	return MHD_http_unescape(s);
}

bool guard_escaped_nul(struct MHD_Connection *c)
{
	struct conn *k = conn_of(c);
	bool was = k && k->escaped_nul;
	if (k)
		k->escaped_nul = false; /* the next request on the connection starts clean */
	return was;
}

bool guard_was_cut(struct MHD_Connection *c)
{
	struct conn *k = conn_of(c);
	return k && atomic_load(&k->cut);
}

struct timespec after_ms(long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000 * 1000;
	if (ts.tv_nsec >= 1000 * 1000 * 1000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000 * 1000 * 1000;
	}
	return ts;
}

static void *watch(void *arg)
{
	struct guard *g = arg;
	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		int64_t now = ms_now();
		for (struct conn *k = g->head->next; k != g->head; k = k->next) {
			int64_t d = atomic_load(&k->deadline);
			if (d && now > d) {
				atomic_store(&k->deadline, 0);
				atomic_store(&k->cut, true);
				(void)shutdown(k->fd, SHUT_RDWR); /* the fd stays libmicrohttpd's */
				g->cut++;
			}
		}
		struct timespec ts = after_ms(200);
		pthread_cond_timedwait(&g->cv, &g->mu, &ts);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

int guard_start(struct guard *g, unsigned header_s, uint64_t min_rate, struct lerr *e)
{
	if (!(g->head = calloc(1, sizeof *g->head)))
		return lerr_set(e, LERR_NOMEM, "out of memory");
	g->head->next = g->head->prev = g->head;
	g->header_s = header_s;
	g->min_rate = min_rate ? min_rate : 1;
	g->stop = false;
	g->cut = 0;
	if (pthread_mutex_init(&g->mu, NULL) != 0 || pthread_cond_init(&g->cv, NULL) != 0)
		return lerr_set(e, LERR_NOMEM, "no guard for the connections");
	if (pthread_create(&g->th, NULL, watch, g) != 0)
		return lerr_set(e, LERR_NOMEM, "no guard thread: %d", errno);
	g->started = true;
	return 0;
}

void guard_stop(struct guard *g)
{
	if (!g->started)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = true;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->th, NULL);
	g->started = false;
	free(g->head);
	g->head = NULL;
}
