/*
 * http.h - the node daemon: the JSON API of docs/api.md (docs/openapi.yaml)
 * over libmicrohttpd, a thread pool on epoll. A thin face: it parses,
 * authenticates (bearer tokens of people) and encodes; node/ does the work.
 */
#ifndef LIAISON_NET_HTTP_H
#define LIAISON_NET_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/err.h"

/* The daemon's defaults, each written once: liaison serve starts from
 * them, and server_run takes 0 for them, except drain_seconds (0: stop at
 * once) and max_acts with unbounded_acts. */
#define SERVE_THREADS	      4
#define SERVE_MAX_UPLOAD      ((uint64_t)4 << 30)
#define SERVE_MAX_PER_ADDRESS 128
#define SERVE_HEADER_TIMEOUT  20    /* seconds */
#define SERVE_MIN_RATE	      16384 /* bytes a second */
#define SERVE_MAX_ACTS	      6000  /* a minute, per token or peer */
#define SERVE_RETRY_MAX	      300   /* seconds */
#define SERVE_WITNESS_EVERY   60    /* seconds */
#define SERVE_DRAIN	      30    /* seconds */
#define SERVE_SESSION_IDLE    1800  /* a console session unused this long ends */
#define SERVE_SESSION_MAX     43200 /* and this long after its sign-in in any case */

struct server_opts {
	const char *home;     /* the node's folder */
	const char *listen;   /* "127.0.0.1:7400", "[::1]:7400"; port 0 picks one */
	const char *tls_cert; /* PEM files, both or neither */
	const char *tls_key;
	unsigned threads;	  /* worker threads (default 4) */
	uint64_t max_upload;	  /* largest upload (default 4 GiB) */
	uint64_t max_peer_upload; /* largest body from a peer (default max_upload) */
	unsigned max_connections; /* open at once (default 4096, within the open-file limit) */
	unsigned max_per_address; /* open at once from one address (default 128) */
	unsigned header_timeout;  /* seconds for a request's headers (default 20) */
	uint64_t min_rate;	  /* bytes a second a request's body must keep to (16384) */
	unsigned max_acts;	/* requests adding to the log a minute, per token or peer (6000) */
	bool unbounded_acts;	/* no such bound (max_acts 0 means the default) */
	unsigned drain_seconds; /* on SIGTERM, how long in-flight requests may finish */
	FILE *access_log;	/* one JSON line per request (default stderr) */
	int64_t retry_max;	/* the longest wait between deliveries to a peer (300 s) */
	int64_t witness_every;	/* seconds between fetches of the peers' checkpoints (60) */
	unsigned session_idle;	/* a console session unused this long ends (1800 s) */
	unsigned session_max;	/* and this long after its sign-in (43200 s) */
	/* the origin browsers reach the console at, behind a proxy
	 * ("https://liaison.example"); NULL: this server's own */
	const char *public_origin;
};

/*
 * Unseals the node's keys with the passphrase, starts the daemon and serves
 * until SIGTERM or SIGINT: then it stops accepting, lets requests in flight
 * finish (up to drain_seconds), closes the store and wipes the keys.
 * Prints "liaison serve: PARTY node on http(s)://HOST:PORT (N threads)" on
 * stderr once ready.
 */
int server_run(const struct server_opts *o, const char *pass, size_t passlen, struct lerr *e)
    __attribute__((nonnull(1, 2)));

/* Prints every route, "METHOD PATH" a line (the API the server offers). */
void server_print_routes(FILE *f) __attribute__((nonnull));

#endif
