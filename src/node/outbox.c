/* outbox.c - the outbox: messages to the peers, their delivery, receipts and
 * retries (see peer.h). */
#include "peer.h"

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../store/store.h"
#include "../crypto/fio.h"
#include "acts.h"
#include "exchange.h"
#include "log.h"

#include "internal.h"

#define CTX_RECEIPT "liaison-receipt/v1"

/* ---- the outbox ---- */

void node_outbox_name(const char *id, char out[STORE_PAYLOAD_NAME])
{
	snprintf(out, STORE_PAYLOAD_NAME, "outbox/%.40s", id);
}

void node_msg_id(char out[MSG_ID_MAX])
{
	uint8_t b[16];
	randombytes_buf(b, sizeof b);
	sodium_bin2hex(out, MSG_ID_MAX, b, sizeof b);
}

/* Whether the body of message `id`, made at `made`, is no longer needed:
 * done with (its receipt or refusal kept), or an hour old with no row (its
 * release never committed). */
static bool outbox_done(const struct store_msg *ms, size_t nm, const char *id, int64_t made,
			int64_t now)
{
	for (size_t i = 0; i < nm; i++)
		if (strcmp(ms[i].id, id) == 0)
			return ms[i].state != MSG_QUEUED;
	return now - made > 3600;
}

int node_outbox_sweep(struct node *n, int64_t now, size_t *removed, struct lerr *e)
{
	char dir[NODE_PATH_MAX + 16], path[NODE_PATH_MAX + 96];
	struct store_msg *ms = NULL;
	struct store_payload *ps = NULL;
	size_t nm = 0, np = 0;
	*removed = 0;
	int r = store_outbox_list(n->store, &ms, &nm, e);
	if (r == 0 && node_payloads_in_store(n))
		r = store_payloads(n->store, "outbox/", &ps, &np, e);
	for (size_t i = 0; r == 0 && i < np; i++)
		if (outbox_done(ms, nm, ps[i].name + 7, ps[i].made, now) &&
		    store_payload_remove(n->store, ps[i].name, NULL) == 0)
			(*removed)++;
	free(ps);
	snprintf(dir, sizeof dir, "%s/outbox", n->home);
	DIR *d = r == 0 ? opendir(dir) : NULL;
	if (r == 0 && !d && errno != ENOENT)
		r = lerr_set(e, LERR_IO, "%s: %s", dir, strerror(errno));
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		struct stat sb;
		/* message ids, and fio's temporary files beside them */
		if (de->d_name[0] == '.' ||
		    snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path)
			continue;
		if (stat(path, &sb) == 0 &&
		    outbox_done(ms, nm, de->d_name, (int64_t)sb.st_mtime, now) && unlink(path) == 0)
			(*removed)++;
	}
	if (d)
		closedir(d);
	store_msg_free(ms, nm);
	free(ms);
	return r;
}

int64_t peer_backoff(int64_t attempts, int64_t cap)
{
	int64_t d = PEER_RETRY_FIRST;
	for (int64_t i = 1; i < attempts && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

char *peer_receipt_text(const struct peer_request *rq, const char *received, const char *result)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "message", rq->msg,
			      "kind", rq->kind, "ref", rq->ref, "from", rq->from, "to", rq->to,
			      "digest", rq->digest, "received", received, "result", result);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return s;
}

/* Saves m's new state, with a log entry of `kind` (facts) unless NULL: m's
 * attempt (counted in m) must be the only one since m was read. On SQLite a
 * CLI's `peer deliver` and the daemon's lane may both have sent it (no
 * claim holds across processes there): the second outcome saved would
 * write over the first (a receipt lost, a delivery logged twice). */
static int outbox_save(struct node *n, const struct store_msg *m, const char *kind, json_t *facts,
		       struct lerr *e)
{
	int r = store_begin(n->store, e);
	if (r == 0 && (r = store_outbox_update(n->store, m, m->attempts - 1, e)) < 0)
		store_rollback(n->store);
	if (r < 0) {
		json_decref(facts);
		return r;
	}
	r = kind ? node_log_commit(n, kind, facts, e) : store_commit(n->store, e);
	if (r == 0 && m->state != MSG_QUEUED && !m->body) { /* the receipt or refusal is kept */
		char name[STORE_PAYLOAD_NAME];
		node_outbox_name(m->id, name);
		(void)node_payload_remove(n, name, NULL);
	}
	return r;
}

/*
 * The peer's signed receipt for m in an answer (its bytes): *root the
 * parsed answer (json_decref() it), *received and *result the receipt's
 * (in *root). 0, or LERR_AUTH when it is not m's peer's receipt for m.
 */
static int receipt_check(struct node *n, const struct store_msg *m, const char *answer, size_t len,
			 json_t **root, const char **received, const char **result, struct lerr *e)
{
	struct key_public pub;
	int r = node_public_key(n, m->peer, &pub, e);
	*root = NULL;
	if (r < 0)
		return r;
	json_t *rc = NULL;
	const char *sig64 = NULL;
	*root = json_loadb(answer, len, JSON_REJECT_DUPLICATES, NULL);
	if (!*root || json_unpack(*root, "{s:o, s:s}", "receipt", &rc, "signature", &sig64) != 0 ||
	    json_unpack(rc, "{s:s, s:s}", "received", received, "result", result) != 0)
		return lerr_set(e, LERR_AUTH, "%s's answer is not a receipt", m->peer);
	/* what is logged of it: a date, and a result this node knows */
	date_t day;
	if (date_parse(*received, &day, NULL) < 0 ||
	    (strcmp(*result, "stored") != 0 && strcmp(*result, "duplicate") != 0 &&
	     strcmp(*result, "refused") != 0))
		return lerr_set(e, LERR_AUTH,
				"%s's receipt for message %s is not one liaison makes (its date or "
				"result)",
				m->peer, m->id);
	/* what the receipt must say of this message */
	struct peer_request rq = {0};
	str_copy(rq.from, sizeof rq.from, n->party);
	str_copy(rq.to, sizeof rq.to, m->peer);
	str_copy(rq.msg, sizeof rq.msg, m->id);
	str_copy(rq.kind, sizeof rq.kind, m->kind);
	str_copy(rq.ref, sizeof rq.ref, m->ref);
	str_copy(rq.digest, sizeof rq.digest, m->digest);
	char *text = peer_receipt_text(&rq, *received, *result);
	if (!text)
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	else if (node_signed_check(&pub, CTX_RECEIPT, text, sig64, m->peer, e) < 0)
		r = lerr_set(e, LERR_AUTH,
			     "%s's receipt for message %s does not check (another message's, or "
			     "not signed by %s)",
			     m->peer, m->id, m->peer);
	free(text);
	return r;
}

int node_outbox_refusal_check(struct node *n, const struct store_msg *m, const char *body,
			      size_t len, struct lerr *e)
{
	json_t *root;
	const char *received, *result;
	int r = body ? receipt_check(n, m, body, len, &root, &received, &result, e)
		     : lerr_set(e, LERR_AUTH, "%s's answer is not a receipt", m->peer);
	if (r == 0 && strcmp(result, "refused") != 0)
		r = lerr_set(e, LERR_AUTH, "%s's receipt says %.32s, not refused", m->peer, result);
	if (body)
		json_decref(root);
	return r;
}

int node_outbox_delivered(struct node *n, struct store_msg *m, const char *receipt, size_t len,
			  struct lerr *e)
{
	json_t *root;
	const char *received = NULL, *result = NULL;
	int r = receipt_check(n, m, receipt, len, &root, &received, &result, e);
	if (r == 0 && strcmp(result, "refused") == 0) /* a refusal is no delivery */
		r = lerr_set(e, LERR_AUTH, "%s's receipt for message %s says it was refused",
			     m->peer, m->id);
	if (r < 0) {
		json_decref(root);
		return r;
	}
	char *kept = r == 0 ? strndup(receipt, len) : NULL;
	if (r == 0 && !kept)
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	json_t *facts = r == 0 ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "message", m->id, "to",
					   m->peer, "message_kind", m->kind, "ref", m->ref,
					   "received", received, "result", result)
			       : NULL;
	json_decref(root);
	if (r < 0)
		return r;
	free(m->receipt);
	m->receipt = kept;
	m->state = MSG_DELIVERED;
	m->attempts++;
	m->last_error[0] = '\0';
	date_format(n->clock.today, m->done_on);
	return outbox_save(n, m, "message-delivered", facts, e);
}

/* m ended unsent, for good: refused by its peer, or withdrawn here (kind). */
static int outbox_ended(struct node *n, struct store_msg *m, const char *kind, const char *why,
			struct lerr *e)
{
	m->state = MSG_REFUSED;
	m->attempts++;
	str_copy(m->last_error, sizeof m->last_error, why);
	date_format(n->clock.today, m->done_on);
	return outbox_save(n, m, kind,
			   json_pack("{s:s, s:s, s:s, s:s, s:s}", "message", m->id, "to", m->peer,
				     "message_kind", m->kind, "ref", m->ref, "reason", why),
			   e);
}

int node_outbox_refused(struct node *n, struct store_msg *m, const char *why, struct lerr *e)
{
	return outbox_ended(n, m, "message-refused", why, e);
}

int node_outbox_retry(struct node *n, struct store_msg *m, const char *why, int64_t now,
		      int64_t cap, struct lerr *e)
{
	m->attempts++;
	m->next_try = now + peer_backoff(m->attempts, cap);
	str_copy(m->last_error, sizeof m->last_error, why);
	return outbox_save(n, m, NULL, NULL, e);
}

int node_peer_list(struct node *n, struct store_peer **out, size_t *count, struct lerr *e)
{
	return store_peer_list(n->store, out, count, e);
}

int node_peer_get(struct node *n, const char *party, struct store_peer *p, struct lerr *e)
{
	return store_peer_get(n->store, party, p, e);
}

int node_outbox_deliver(struct node *n, const char *peer, int64_t now, bool all, size_t max,
			int64_t retry_max, node_send_fn send, void *ctx, struct deliver_stats *st,
			struct lerr *e)
{
	struct store_msg *ms = NULL;
	size_t nm = 0;
	const int64_t due = all ? INT64_MAX : now;
	memset(st, 0, sizeof *st);
	int r = store_outbox_due(n->store, peer, due, max ? max : NODE_DELIVER_BATCH, &ms, &nm, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nm; i++) {
		struct store_msg *m = &ms[i];
		struct store_peer p;
		struct lerr me = {0};
		char why[256] = "", *receipt = NULL;
		size_t len = 0;
		enum node_sent out;
		/* another daemon of this node may be sending it, or have sent it */
		if (store_outbox_claim(n->store, m->id, due, &m->attempts, &me) < 0)
			continue;
		int still = 0;
		if (store_peer_get(n->store, m->peer, &p, &me) < 0 ||
		    (still = node_release_still(n, m, why, sizeof why, &me)) < 0) {
			snprintf(why, sizeof why, "%.250s", me.msg);
			out = NODE_FAILED; /* the peer may be added again */
		} else {
			/* the envelope's key is checked as it is sent (read once) */
			out = still ? NODE_WITHDRAWN
				    : send(ctx, m, &p, &receipt, &len, why, sizeof why);
		}
		const int got = out == NODE_SENT
				    ? node_outbox_delivered(n, m, receipt ? receipt : "", len, &me)
				    : LERR_INVAL;
		if (got == 0) {
			st->delivered++;
		} else if (got == LERR_EXISTS) {
			/* another deliverer's outcome saved meanwhile: it stands */
		} else if (out == NODE_REFUSED) {
			if (node_outbox_refused(n, m, why, &me) == 0)
				st->refused++;
		} else if (out == NODE_WITHDRAWN) {
			/* a release that may no longer go: withdrawn, its envelope removed */
			char said[sizeof why + 16];
			snprintf(said, sizeof said, "withdrawn: %s", why);
			if (outbox_ended(n, m, "message-withdrawn", said, &me) == 0)
				st->withdrawn++;
		} else {
			if (out == NODE_SENT) /* a receipt that does not check */
				snprintf(why, sizeof why, "%.250s", me.msg);
			if (node_outbox_retry(n, m, why, now, retry_max, &me) == 0)
				st->failed++;
		}
		store_outbox_unclaim(n->store, m->id);
		free(receipt);
	}
	store_msg_free(ms, nm);
	free(ms);
	return 0;
}
