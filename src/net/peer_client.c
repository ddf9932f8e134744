/* peer_client.c - delivering the outbox with libcurl (see peer_client.h). */
#include "peer_client.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/text.h"
#include "../node/exchange.h"
#include "../sys/lazy_curl.h"

#define ANSWER_MAX (64u << 10) /* a receipt or an error is small */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_ready = CURLE_FAILED_INIT;

static void curl_setup(void)
{
	curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* libcurl's global set-up, once per process. */
static int curl_start(struct lerr *e)
{
	if (lazy_curl_load(e) < 0)
		return LERR_IO;
	pthread_once(&curl_once, curl_setup);
	return curl_ready == CURLE_OK
		   ? 0
		   : lerr_set(e, LERR_IO, "libcurl: %s", curl_easy_strerror(curl_ready));
}

struct answer {
	char *p;
	size_t len;
	bool too_big;
};

static size_t on_answer(char *data, size_t size, size_t nmemb, void *cls)
{
	struct answer *a = cls;
	size_t n = size * nmemb;
	if (a->len + n > ANSWER_MAX) {
		a->too_big = true;
		return 0;
	}
	char *p = realloc(a->p, a->len + n + 1);
	if (!p)
		return 0;
	memcpy(p + a->len, data, n);
	a->len += n;
	p[a->len] = '\0';
	a->p = p;
	return n;
}

/* "Name: value" into the list (whole: a consent's is some kilobytes);
 * false when out of memory. */
static bool header(struct curl_slist **h, const char *name, const char *value)
{
	size_t len = strlen(name) + 2 + strlen(value) + 1;
	char *line = malloc(len);
	if (!line)
		return false;
	snprintf(line, len, "%s: %s", name, value);
	struct curl_slist *n = curl_slist_append(*h, line);
	free(line);
	if (!n)
		return false;
	*h = n;
	return true;
}

/* The error message of an error answer, or the status alone. */
static void why_of(long status, const struct answer *a, char *why, size_t n)
{
	json_t *o = a->p ? json_loadb(a->p, a->len, 0, NULL) : NULL;
	const char *msg = NULL;
	char safe[256];
	if (o && json_unpack(o, "{s:{s:s}}", "error", "message", &msg) == 0) /* the peer's words */
		snprintf(why, n, "%ld: %.200s", status, text_escape(msg, safe, sizeof safe));
	else
		snprintf(why, n, "the peer answered %ld", status);
	json_decref(o);
}

/* A signed POST of a body (a file, or bytes) to a peer's path: the status
 * (0 when there was no answer, *why saying why), the answer in *a. */
struct body {
	FILE *f; /* or */
	const char *p;
	size_t len;
	const char *consent; /* PEER_H_CONSENT's value, or NULL */
};

/* The bounds of one transfer to a peer. */
struct transfer {
	long idle;		   /* seconds below PEER_LOW_RATE before it fails (30) */
	uint64_t min_rate;	   /* bytes a second its body must average (PEER_MIN_RATE) */
	const atomic_bool *cancel; /* when set and true, it stops at once */
};

#define PEER_LOW_RATE 1024  /* bytes a second a transfer may not stay below for `idle` s */
#define PEER_MIN_RATE 16384 /* bytes a second its body must average, on top of `idle` s */

/* libcurl's progress callback: a non-zero answer stops the transfer. */
static int on_progress(void *cls, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const atomic_bool *cancel = cls;
	(void)dt, (void)dn, (void)ut, (void)un;
	return atomic_load(cancel) ? 1 : 0;
}

/*
 * One signed request to peer p. It cannot take longer than its budget,
 * however the peer trickles: `idle` seconds, plus the time its body takes
 * at PEER_MIN_RATE (a day at most); nor stay slower than PEER_LOW_RATE for
 * `idle` seconds.
 */
static long post_signed(struct node *n, const struct key_secret *k, const struct store_peer *p,
			const char *path, struct peer_request *rq, const struct body *b,
			const struct transfer *t, struct answer *a, char *why, size_t wn)
{
	const long timeout = t->idle > 0 ? t->idle : 30;
	struct lerr e = {0};
	struct stat sb;
	str_copy(rq->from, sizeof rq->from, n->party);
	str_copy(rq->to, sizeof rq->to, p->party);
	rq->length = b->f ? (fstat(fileno(b->f), &sb) == 0 ? (uint64_t)sb.st_size : 0) : b->len;
	if (b->consent) /* signed with the request: the path cannot take it away */
		peer_digest(b->consent, strlen(b->consent), rq->consent);
	if (peer_request_sign(k, "POST", path, rq, &e) < 0) {
		snprintf(why, wn, "%.200s", e.msg);
		return 0;
	}
	char url[PEER_URL_MAX + 64], time[24], length[24];
	snprintf(url, sizeof url, "%s%s", p->url, path);
	snprintf(time, sizeof time, "%lld", (long long)rq->time);
	snprintf(length, sizeof length, "%llu", (unsigned long long)rq->length);
	struct curl_slist *h = NULL;
	bool ok = header(&h, "Content-Type", "application/octet-stream") &&
		  header(&h, "Expect", "") && header(&h, PEER_H_FROM, rq->from) &&
		  header(&h, PEER_H_TO, rq->to) && header(&h, PEER_H_TIME, time) &&
		  header(&h, PEER_H_NONCE, rq->nonce) && header(&h, PEER_H_MESSAGE, rq->msg) &&
		  header(&h, PEER_H_KIND, rq->kind) && header(&h, PEER_H_REF, rq->ref) &&
		  header(&h, PEER_H_DIGEST, rq->digest) && header(&h, PEER_H_LENGTH, length) &&
		  header(&h, PEER_H_SIGNATURE, rq->signature) &&
		  (!b->consent || header(&h, PEER_H_CONSENT, b->consent));
	CURL *c = ok ? curl_easy_init() : NULL;
	long status = 0;
	if (!c) {
		snprintf(why, wn, "cannot start a transfer (out of memory)");
		curl_slist_free_all(h);
		return 0;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, (long)PEER_LOW_RATE);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeout);
	const uint64_t rate = t->min_rate ? t->min_rate : PEER_MIN_RATE;
	curl_easy_setopt(c, CURLOPT_TIMEOUT,
			 timeout + (long)(rq->length / rate < 86400 ? rq->length / rate : 86400));
	if (t->cancel) {
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)t->cancel);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	if (b->f) {
		curl_easy_setopt(c, CURLOPT_READDATA, b->f);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->length);
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, b->p);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
	}
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK)
		snprintf(why, wn, "%.120s: %.120s", p->url, curl_easy_strerror(cc));
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status && (status < 200 || status >= 300))
		why_of(status, a, why, wn);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	return status;
}

/* The key that signs the request carrying m: a key note goes signed by the
 * key it retires (m's ref names it), which the peer holds still. */
static const struct key_secret *signer(const struct key_secret *k, const struct store_msg *m)
{
	if (strcmp(m->kind, "key") != 0)
		return k;
	for (size_t i = 0; i <= k->nretired; i++) {
		const struct key_secret *c = i ? &k->retired[i - 1] : k;
		char ref[33];
		node_key_ref(&c->pub, ref);
		if (strcmp(ref, m->ref) == 0)
			return c;
	}
	return k;
}

/* One attempt at message m: *why says what went wrong. */
static enum node_sent send_one(struct node *n, const struct key_secret *k,
			       const struct deliver_opts *o, const struct store_msg *m,
			       const struct store_peer *p, struct answer *a, char *why, size_t wn)
{
	struct peer_request rq = {.time = o->now};
	str_copy(rq.msg, sizeof rq.msg, m->id);
	str_copy(rq.kind, sizeof rq.kind, m->kind);
	str_copy(rq.ref, sizeof rq.ref, m->ref);
	str_copy(rq.digest, sizeof rq.digest, m->digest);
	struct body b = {.p = m->body, .len = m->body_len};
	if (!m->body) {
		char name[STORE_PAYLOAD_NAME];
		struct lerr oe = {0};
		int fd;
		node_outbox_name(m->id, name);
		if (node_payload_open(n, name, &fd, &oe) < 0) {
			snprintf(why, wn, "%.240s", oe.msg);
			/* its body is gone: no attempt can succeed; anything else (the
			 * store unreachable, a full disk): later */
			return oe.code == LERR_NOTFOUND ? NODE_REFUSED : NODE_FAILED;
		}
		/* a release sealed to a key the peer no longer holds goes nowhere */
		int held = node_release_key_held(n, m, fd, why, wn, &oe);
		if (held != 0) {
			if (held < 0)
				snprintf(why, wn, "%.240s", oe.msg);
			close(fd);
			return held < 0 ? NODE_FAILED : NODE_WITHDRAWN;
		}
		if (!(b.f = fdopen(fd, "rb"))) {
			snprintf(why, wn, "%.160s: %.80s", name, strerror(errno));
			close(fd);
			return NODE_FAILED;
		}
	}
	/* an item another party made goes with its originator's consent (the
	 * receiver refuses it without): the one its release was checked with
	 * and queued with, else (queued by a release before 2026-12) the one
	 * held now; a store that cannot say: later */
	char *held = NULL, *c64 = NULL;
	struct lerr ce = {0};
	int cr = m->consent ? 0
		 : strcmp(m->kind, "item") == 0
		     ? node_release_consent(n, m->ref, p->party, &held, &ce)
		     : LERR_NOTFOUND;
	const char *consent = m->consent ? m->consent : held;
	if (cr == 0)
		b.consent = c64 = peer_consent_value(consent, strlen(consent));
	free(held);
	if ((cr < 0 && cr != LERR_NOTFOUND) || (cr == 0 && !c64)) {
		snprintf(why, wn, "the consent to send with it: %.200s",
			 cr < 0 ? ce.msg : "out of memory");
		if (b.f)
			fclose(b.f);
		return NODE_FAILED;
	}
	const struct transfer t = {
	    .idle = o->timeout, .min_rate = o->min_rate, .cancel = o->cancel};
	long status = post_signed(n, signer(k, m), p, PEER_MESSAGES, &rq, &b, &t, a, why, wn);
	const bool with_consent = c64 != NULL;
	free(c64);
	if (b.f)
		fclose(b.f);
	if (status >= 200 && status < 300)
		return NODE_SENT;
	if (status == 401 && with_consent) { /* a consent line in the signed text */
		size_t wl = strlen(why);
		snprintf(why + wl, wn - wl,
			 " (an item passed on, its consent signed with the request: a node "
			 "older than liaison 2026-12 does not know that and answers 401 until "
			 "upgraded)");
		return NODE_FAILED;
	}
	if (status != 400 && status != 403 && status != 409 && status != 413 && status != 422)
		return NODE_FAILED;
	/* refused: for good only when the peer signed the refusal (anyone on
	 * the path can answer 409); else tried again */
	struct lerr re = {0};
	if (node_outbox_refusal_check(n, m, a->p, a->len, &re) == 0)
		return NODE_REFUSED;
	size_t wl = strlen(why);
	snprintf(why + wl, wn - wl, " (unsigned, not taken as a refusal: tried again)");
	return NODE_FAILED;
}

/* What node_outbox_deliver hands each message with: the transport's state. */
struct sender {
	struct node *n;
	const struct key_secret *k;
	const struct deliver_opts *o;
};

static enum node_sent send_fn(void *ctx, const struct store_msg *m, const struct store_peer *p,
			      char **receipt, size_t *len, char *why, size_t wn)
{
	const struct sender *sd = ctx;
	struct answer a = {0};
	enum node_sent out = send_one(sd->n, sd->k, sd->o, m, p, &a, why, wn);
	*receipt = a.p;
	*len = a.len;
	return out;
}

int peer_deliver(struct node *n, const struct key_secret *k, const struct deliver_opts *o,
		 struct deliver_stats *st, struct lerr *e)
{
	memset(st, 0, sizeof *st);
	if (curl_start(e) < 0)
		return LERR_IO;
	struct sender sd = {n, k, o};
	return node_outbox_deliver(n, o->peer, o->now, o->all, o->max, o->retry_max, send_fn, &sd,
				   st, e);
}

/* One peer's checkpoint, fetched and witnessed. */
static void witness_one(struct node *n, const struct key_secret *k, const struct store_peer *p,
			int64_t now, const atomic_bool *cancel, struct witness_stats *st)
{
	char origin[NOTE_ORIGIN_MAX], why[256] = "", body[64];
	uint64_t since = 0;
	struct lerr e = {0};
	struct answer a = {0};
	node_log_origin(p->party, origin);
	if (node_log_witnessed_size(n, origin, &since, &e) < 0) {
		st->failed++;
		return;
	}
	int bl = snprintf(body, sizeof body, "{\"since\": %llu}", (unsigned long long)since);
	struct peer_request rq = {.time = now};
	node_msg_id(rq.msg);
	str_copy(rq.kind, sizeof rq.kind, "checkpoint");
	str_copy(rq.ref, sizeof rq.ref, origin);
	peer_digest(body, (size_t)bl, rq.digest);
	const struct body b = {.p = body, .len = (size_t)bl};
	const struct transfer t = {.idle = 30, .cancel = cancel};
	long status = post_signed(n, k, p, PEER_CHECKPOINT, &rq, &b, &t, &a, why, sizeof why);
	if (status == 200 && a.p) {
		struct witness_report rep;
		int r = node_peer_witness_answer(n, p->party, rq.nonce, since, a.p, a.len, now,
						 &rep, &e);
		if (r == 0)
			st->witnessed++;
		else if (r == LERR_AUTH)
			st->alarms++;
		else
			st->failed++;
	} else {
		if (!why[0])
			snprintf(why, sizeof why, "%s's node answered %ld", p->party, status);
		if (node_peer_witness_failed(n, p->party, why, &e) == 0)
			st->failed++;
	}
	free(a.p);
}

int peer_witness_all(struct node *n, const struct key_secret *k, int64_t now,
		     struct witness_stats *st, struct lerr *e)
{
	memset(st, 0, sizeof *st);
	if (curl_start(e) < 0)
		return LERR_IO;
	struct store_peer *ps = NULL;
	size_t np = 0;
	int r = node_peer_list(n, &ps, &np, e);
	for (size_t i = 0; r == 0 && i < np; i++)
		witness_one(n, k, &ps[i], now, NULL, st);
	free(ps);
	return r;
}

int peer_witness(struct node *n, const struct key_secret *k, const char *party, int64_t now,
		 const atomic_bool *cancel, struct witness_stats *st, struct lerr *e)
{
	memset(st, 0, sizeof *st);
	if (curl_start(e) < 0)
		return LERR_IO;
	struct store_peer p;
	int r = node_peer_get(n, party, &p, e);
	if (r == 0)
		witness_one(n, k, &p, now, cancel, st);
	return r;
}
