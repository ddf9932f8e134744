/*
 * peer_client.h - the node's side of a link to a peer: delivers the outbox
 * (libcurl), each message in one signed request, and keeps the receipt.
 */
#ifndef LIAISON_NET_PEER_CLIENT_H
#define LIAISON_NET_PEER_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../node/peer.h"

struct deliver_opts {
	int64_t now;	   /* Unix seconds (the requests' time, and when retries fall due) */
	int64_t retry_max; /* the longest wait between attempts, in seconds */
	size_t max;	   /* at most this many messages in one pass */
	bool all;	   /* every queued message, due or not */
	long timeout;	   /* seconds without progress before an attempt fails */
	const char *peer;  /* only the messages to this peer (NULL: to any) */
	const atomic_bool *cancel; /* when set (it turns true), a transfer stops at once */
	uint64_t min_rate;	   /* bytes a second a body must average (0: 16384) */
};

/*
 * One pass over the outbox (o->peer's messages, or all): each message due
 * is sent to its peer; a good
 * receipt marks it delivered (stored and logged), a refusal (400, 403, 409,
 * 413, 422) marks it refused, anything else (no answer, 401, 5xx, a bad
 * receipt) schedules a retry. Errors of one message do not stop the pass;
 * the return is < 0 only when the outbox cannot be read.
 */
int peer_deliver(struct node *n, const struct key_secret *k, const struct deliver_opts *o,
		 struct deliver_stats *st, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

struct witness_stats {
	size_t witnessed, alarms, failed;
};

/*
 * Fetches each peer's checkpoint (a signed POST /v1/peer/checkpoint with
 * the size kept here) and witnesses it (node_peer_witness): kept when it
 * extends what was seen, an alarm when it does not or is not the peer's.
 */
int peer_witness_all(struct node *n, const struct key_secret *k, int64_t now,
		     struct witness_stats *st, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 4)));

/* peer_witness_all for one peer (a daemon's lane), its transfer stopped
 * at once when *cancel turns true. LERR_NOTFOUND when it is no peer. */
int peer_witness(struct node *n, const struct key_secret *k, const char *party, int64_t now,
		 const atomic_bool *cancel, struct witness_stats *st, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 6)));

#endif
