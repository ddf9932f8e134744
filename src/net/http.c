/*
 * http.c - the daemon: libmicrohttpd with a thread pool on epoll, routing,
 * bearer authentication, request bodies (JSON in memory up to 1 MiB,
 * uploads streamed to a temporary file in the node's folder), replies,
 * access logs, and a clean stop on SIGTERM (see http.h).
 *
 * Each worker thread has its own node (its own store connection), opened on
 * its first request and closed when the thread ends; a handler runs within
 * one call on one thread, so it never shares it.
 */
#define _GNU_SOURCE /* pipe2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/text.h"
#include "../crypto/fio.h"
#include "../node/encode.h"
#include "../node/views.h"
#include "internal.h"
#include "json_out.h"
#include "peer_client.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- replies ---- */

static enum MHD_Result queue(struct ctx *x, unsigned status, struct MHD_Response *r,
			     const char *type)
{
	if (!r)
		return MHD_NO;
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"liaison\"");
	if (status == MHD_HTTP_TOO_MANY_REQUESTS) {
		char after[16];
		snprintf(after, sizeof after, "%u", x->rq->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, after);
	}
	x->rq->status = status;
	enum MHD_Result ret = MHD_queue_response(x->c, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result reply_json(struct ctx *x, unsigned status, json_t *body)
{
	/* into a buffer on the stack when it fits (json_out.h: jansson's bytes) */
	char small[4096];
	size_t len = 0;
	char *text = body ? json_out(body, small, sizeof small - 1, &len) : NULL;
	json_decref(body);
	if (text && text != small) { /* room for the newline */
		char *t = realloc(text, len + 1);
		if (!t)
			free(text);
		text = t;
	}
	if (!text)
		return queue(x, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT),
			     NULL);
	text[len++] = '\n'; /* a final newline, as the CLI prints */
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    len, text, text == small ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_MUST_FREE);
	if (!r && text != small)
		free(text);
	return queue(x, status, r, "application/json");
}

/*
 * msg with the daemon's temporary paths put in words: the upload's as "the
 * request body", any other under its folder as "a temporary file". Where
 * the node keeps its files is none of a client's business.
 */
static const char *hide_paths(const struct ctx *x, const char *msg, char *out, size_t n)
{
	const char *tmp = x->s->tmpdir, *up = x->rq ? x->rq->upload : "";
	size_t tl = strlen(tmp), o = 0;
	if (!tl || !strstr(msg, tmp))
		return msg;
	for (const char *p = msg; *p && o + 1 < n;) {
		if (strncmp(p, tmp, tl) != 0) {
			out[o++] = *p++;
			continue;
		}
		const char *what = up[0] && strncmp(p, up, strlen(up)) == 0 ? "the request body"
									    : "a temporary file";
		o += (size_t)snprintf(out + o, n - o, "%s", what);
		if (o >= n)
			o = n - 1;
		p += tl;
		while (*p && *p != ':' && *p != ' ' && *p != ',' && *p != ')')
			p++; /* the rest of the path */
	}
	out[o] = '\0';
	return out;
}

enum MHD_Result reply_error(struct ctx *x, const struct lerr *e)
{
	char msg[LERR_MSG_MAX];
	const char *m = hide_paths(x, e->msg, msg, sizeof msg);
	if (m == e->msg)
		return reply_json(x, lerr_kind(e->code)->http, view_error(e));
	struct lerr hidden = *e;
	str_copy(hidden.msg, sizeof hidden.msg, m);
	return reply_json(x, lerr_kind(e->code)->http, view_error(&hidden));
}

enum MHD_Result reply_errorf(struct ctx *x, unsigned status, const char *code, const char *fmt, ...)
{
	char msg[LERR_MSG_MAX], clean[LERR_MSG_MAX], hidden[LERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return reply_json(
	    x, status,
	    json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
		      utf8_scrub(hide_paths(x, msg, hidden, sizeof hidden), clean, sizeof clean)));
}

enum MHD_Result reply_bytes(struct ctx *x, unsigned status, char *buf, size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!r)
		free(buf);
	return queue(x, status, r, type);
}

enum MHD_Result reply_denied(struct ctx *x, const struct lerr *e, const struct decision *d,
			     const char *item)
{
	return reply_json(x, lerr_kind(e->code)->http, view_denied(e, d, x->rq->who.id, item));
}

enum MHD_Result reply_fd(struct ctx *x, int fd, uint64_t size, const char *type)
{
	return queue(x, MHD_HTTP_OK, MHD_create_response_from_fd((size_t)size, fd), type);
}

struct stream {
	int fd;
	void *producer;
	void (*done)(void *);
	const atomic_bool *failed; /* set by the producer before it closes its end */
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	(void)pos;
	for (;;) {
		ssize_t n = read(st->fd, buf, max);
		if (n > 0)
			return n;
		if (n == 0) /* a producer that failed cuts the answer: never a whole-looking one */
			return atomic_load(st->failed) ? MHD_CONTENT_READER_END_WITH_ERROR
						       : MHD_CONTENT_READER_END_OF_STREAM;
		if (errno != EINTR)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
}

static void stream_free(void *cls)
{
	struct stream *st = cls;
	close(st->fd); /* a producer still writing gets EPIPE and ends */
	st->done(st->producer);
	free(st);
}

enum MHD_Result reply_stream(struct ctx *x, int fd, void *producer, void (*done)(void *),
			     const atomic_bool *failed)
{
	struct stream *st = malloc(sizeof *st);
	if (!st) {
		close(fd);
		done(producer);
		return MHD_NO;
	}
	*st = (struct stream){fd, producer, done, failed};
	return queue(x, MHD_HTTP_OK,
		     MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, st,
						       stream_free),
		     "application/octet-stream");
}

/* ---- arguments ---- */

static enum MHD_Result query_pair(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct req *rq = cls;
	(void)kind;
	if (rq->nquery == QUERY_MAX) {
		rq->query_over = true;
		return MHD_NO;
	}
	rq->query[rq->nquery++] = (struct arg_pair){key, value};
	return MHD_YES;
}

/* The request's query arguments: 0, or an error (400) when there are too
 * many or its route takes none. */
static int query_check(struct ctx *x, struct lerr *e)
{
	struct req *rq = x->rq;
	if (rq->query_over)
		return lerr_set(e, LERR_INVAL, "the query: at most %d arguments", QUERY_MAX);
	if (rq->nquery && !rq->route->query)
		return lerr_set(e, LERR_INVAL, "%.64s: unknown query argument (%s %s takes none)",
				rq->query[0].name, rq->route->method, rq->route->pattern);
	return 0;
}

void temp_path(struct ctx *x, const char *what, char *buf, size_t n)
{
	uint8_t r[8];
	char hex[17];
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(hex, sizeof hex, r, sizeof r);
	snprintf(buf, n, "%s/%s-%lu-%s", x->s->tmpdir, what,
		 (unsigned long)atomic_fetch_add(&x->s->seq, 1), hex);
}

/* ---- routing ---- */

/* Matches url against a pattern; fills the {params}. */
static bool match_path(const char *pattern, const char *url, struct req *rq)
{
	size_t np = 0;
	while (*pattern && *url) {
		if (*pattern == '{') {
			const char *pe = strchr(pattern, '}');
			size_t n = strcspn(url, "/");
			if (!pe || n == 0 || n >= PARAM_MAX || np == PATH_PARAMS)
				return false;
			memcpy(rq->params[np], url, n);
			rq->params[np++][n] = '\0';
			pattern = pe + 1;
			url += n;
			continue;
		}
		if (*pattern++ != *url++)
			return false;
	}
	return *pattern == '\0' && *url == '\0';
}

/* The route for method and url: 0, or 404 / 405. */
static unsigned route_find(const char *method, const char *url, struct req *rq)
{
	bool path_known = false;
	for (size_t i = 0; i < api_nroutes; i++) {
		if (!match_path(api_routes[i].pattern, url, rq))
			continue;
		path_known = true;
		if (strcmp(api_routes[i].method, method) == 0) {
			rq->route = &api_routes[i];
			return 0;
		}
	}
	return path_known ? MHD_HTTP_METHOD_NOT_ALLOWED : MHD_HTTP_NOT_FOUND;
}

void server_print_routes(FILE *f)
{
	for (size_t i = 0; i < api_nroutes; i++)
		fprintf(f, "%s %s\n", api_routes[i].method, api_routes[i].pattern);
}

/* ---- the request's life ---- */

/* What each worker thread keeps: its node (store connection) and the last
 * request's memory, reused by the next (a request is some KiB: reuse spares
 * the allocator a large block per request). */
struct worker {
	struct node *n;
	struct req *spare;
};

static void close_worker(void *p)
{
	struct worker *w = p;
	node_close(w->n);
	free(w->spare);
	free(w);
}

static struct worker *worker(struct server *s)
{
	struct worker *w = pthread_getspecific(s->worker_key);
	if (!w && (w = calloc(1, sizeof *w)) != NULL && pthread_setspecific(s->worker_key, w)) {
		free(w);
		w = NULL;
	}
	return w;
}

static struct node *thread_node(struct server *s)
{
	struct worker *w = worker(s);
	if (!w)
		return NULL;
	if (!w->n) {
		struct lerr e = {0};
		if (node_open(s->home, &w->n, &e) < 0) {
			fprintf(stderr, "liaison serve: %s\n", e.msg);
			return NULL;
		}
	}
	if (node_clock_read(&w->n->clock, NULL) < 0)
		return NULL;
	return w->n;
}

/* A cleared request: this thread's spare, or a new one. */
static struct req *req_new(struct server *s)
{
	struct worker *w = worker(s);
	struct req *rq = w ? w->spare : NULL;
	if (!rq)
		return calloc(1, sizeof *rq);
	w->spare = NULL;
	memset(rq, 0, sizeof *rq);
	return rq;
}

static void req_free(struct server *s, struct req *rq)
{
	struct worker *w = pthread_getspecific(s->worker_key);
	if (w && !w->spare)
		w->spare = rq;
	else
		free(rq);
}

static bool authenticate(struct ctx *x)
{
	const char *h =
	    MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	struct lerr e = {0};
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	x->rq->authed = node_token_check(x->n, h + 7, &x->rq->who, &x->rq->token, &e) == 0;
	x->rq->read_only = x->rq->authed && x->rq->token.read_only;
	if (!x->rq->authed) /* told to the token's holder: unknown, revoked, expired */
		str_copy(x->rq->auth_why, sizeof x->rq->auth_why, e.msg);
	return x->rq->authed;
}

/* Whether the authenticated person may ask what the route does (node_may: the
 * roles it needs, a read-only token); e says why not. */
static bool allowed(struct ctx *x, struct lerr *e)
{
	const struct actor a = {&x->rq->who, x->rq->read_only};
	return x->rq->route->auth != AUTH_PERSON || node_may(x->n, &a, x->rq->route->op, e) == 0;
}

static enum MHD_Result unauthorized(struct ctx *x)
{
	return reply_errorf(x, MHD_HTTP_UNAUTHORIZED, "auth",
			    "a valid bearer token is required "
			    "(Authorization: Bearer TOKEN; liaison person token)%s%s",
			    x->rq->auth_why[0] ? ": " : "", x->rq->auth_why);
}

/*
 * A request that adds to the log (a person's act, a peer's message or
 * checkpoint) takes one from its token's or its peer's bucket; false, with
 * e set and the wait in rq->retry_after, when the bucket is empty.
 */
static bool within_bounds(struct ctx *x, struct lerr *e)
{
	struct req *rq = x->rq;
	char key[sizeof x->s->acts.b[0].key];
	double retry;
	if (rq->bounded)
		return true;
	rq->bounded = true;
	if (rq->route->auth == AUTH_PEER)
		snprintf(key, sizeof key, "p:%s", rq->peer.from);
	else if (rq->route->auth == AUTH_PERSON && !rq->route->reads && rq->authed)
		snprintf(key, sizeof key, "t:%s", rq->token.id);
	else
		return true;
	if (limit_take(&x->s->acts, key, &retry))
		return true;
	x->rq->retry_after = (unsigned)retry + 1;
	lerr_set(e, LERR_LIMIT,
		 "too many acts: at most %u a minute for %s (serve --max-acts); try again in %u s",
		 x->s->acts.per_minute, rq->route->auth == AUTH_PEER ? "a peer" : "a token",
		 x->rq->retry_after);
	return false;
}

/* authenticate() in a read snapshot of its own. */
static bool checked_auth(struct ctx *x)
{
	if (node_read_begin(x->n, NULL) < 0)
		return false;
	bool ok = authenticate(x);
	node_read_end(x->n);
	return ok;
}

/*
 * A peer's request, from its headers alone, before one byte of its body is
 * read: its signed Liaison-* headers into rq->peer, checked (a peer of this
 * node, on time, the signature good, the nonce new), and its length as
 * signed, as sent (Content-Length) and within the peers' cap. The status
 * to refuse it with (0 when it passes), e saying why.
 */
static unsigned peer_headers(struct ctx *x, struct lerr *e)
{
	struct peer_request *p = &x->rq->peer;
	struct {
		const char *name;
		char *dst;
		size_t n;
	} h[] = {{PEER_H_FROM, p->from, sizeof p->from},
		 {PEER_H_TO, p->to, sizeof p->to},
		 {PEER_H_NONCE, p->nonce, sizeof p->nonce},
		 {PEER_H_MESSAGE, p->msg, sizeof p->msg},
		 {PEER_H_KIND, p->kind, sizeof p->kind},
		 {PEER_H_REF, p->ref, sizeof p->ref},
		 {PEER_H_DIGEST, p->digest, sizeof p->digest},
		 {PEER_H_SIGNATURE, p->signature, sizeof p->signature}};
	for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
		const char *v = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, h[i].name);
		if (!v || !*v || !str_copy(h[i].dst, h[i].n, v)) {
			lerr_set(e, LERR_AUTH, "%s: missing, or too long", h[i].name);
			return MHD_HTTP_UNAUTHORIZED;
		}
	}
	const char *t = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, PEER_H_TIME),
		   *l = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, PEER_H_LENGTH),
		   *cl = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	uint64_t secs, sent;
	if (peer_request_check_form(p, e) < 0)
		return MHD_HTTP_UNAUTHORIZED;
	if (!t || !count_parse(t, &secs) || secs > INT64_MAX || !l || !count_parse(l, &p->length)) {
		lerr_set(e, LERR_AUTH, "%s and %s: whole numbers, both needed", PEER_H_TIME,
			 PEER_H_LENGTH);
		return MHD_HTTP_UNAUTHORIZED;
	}
	p->time = (int64_t)secs;
	if (node_peer_check(x->n, "POST", x->rq->route->pattern, p, (int64_t)time(NULL), e) < 0)
		return MHD_HTTP_UNAUTHORIZED;
	if (!cl || !count_parse(cl, &sent) || sent != p->length) {
		lerr_set(e, LERR_INVAL, "Content-Length must be the %s signed", PEER_H_LENGTH);
		return MHD_HTTP_BAD_REQUEST;
	}
	if (p->length > x->s->o.max_peer_upload) {
		lerr_set(e, LERR_LIMIT, "a body from a peer is at most %llu bytes",
			 (unsigned long long)x->s->o.max_peer_upload);
		return MHD_HTTP_CONTENT_TOO_LARGE;
	}
	crypto_hash_sha256_init(&x->rq->body_hash);
	return 0;
}

/* A peer's body, now whole, is the one its headers signed. */
static bool peer_body(struct ctx *x, struct lerr *e)
{
	char digest[DIGEST_B64_MAX];
	peer_digest_final(&x->rq->body_hash, digest);
	return peer_body_check(&x->rq->peer, digest, x->rq->size, e) == 0 &&
	       node_peer_accept(x->n, &x->rq->peer, (int64_t)time(NULL), e) == 0;
}

static enum MHD_Result count_length(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	unsigned *n = cls;
	(void)kind, (void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		n[0]++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		n[1]++;
	return MHD_YES;
}

/* Why a request's form is refused (NULL: it is not): an escaped NUL in its
 * path or query, a path not UTF-8, two lengths, or a length and chunks. */
static const char *request_form(struct MHD_Connection *c, const char *url)
{
	unsigned n[2] = {0, 0};
	if (guard_escaped_nul(c))
		return "the path or the query has an escaped NUL (%00)";
	if (!utf8_valid(url, strlen(url)))
		return "the path is not valid UTF-8";
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_length, n);
	if (n[0] > 1)
		return "more than one Content-Length header";
	if (n[0] && n[1])
		return "both Content-Length and Transfer-Encoding";
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	struct server *s = cls;
	struct req *rq = *con_cls;
	struct ctx x = {s, c, rq, NULL};
	(void)version;
	if (!rq) {
		if (!(rq = req_new(s)))
			return MHD_NO;
		rq->fd = -1;
		rq->t0 = now();
		rq->method = strcmp(method, "GET") == 0	   ? "GET"
			     : strcmp(method, "POST") == 0 ? "POST"
			     : strcmp(method, "HEAD") == 0 ? "HEAD"
							   : "OTHER";
		snprintf(rq->path, sizeof rq->path, "%s", url);
		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_pair, rq);
		*con_cls = rq;
		x.rq = rq;
		atomic_fetch_add(&s->active, 1);
		unsigned miss = route_find(method, url, rq);
		if (!(x.n = thread_node(s)))
			return reply_errorf(&x, MHD_HTTP_SERVICE_UNAVAILABLE, "store",
					    "the node's store cannot be opened");
		/* what would let two readers of one request see two requests */
		const char *bad = request_form(c, url);
		if (bad)
			return reply_errorf(&x, MHD_HTTP_BAD_REQUEST, "invalid", "%s", bad);
		if (miss == MHD_HTTP_NOT_FOUND)
			return reply_errorf(&x, miss, "not-found", "no such endpoint: %.128s", url);
		if (miss)
			return reply_errorf(&x, miss, "invalid", "%.128s does not take %s", url,
					    rq->method);
		guard_request(&s->guard, c); /* its body must come at the minimum rate */
		/* a body is refused before its bytes come, from anyone not authenticated
		 * or not allowed: it never reaches the disk (nor memory) */
		struct lerr e = {0};
		bool body = rq->route->body != BODY_NONE;
		unsigned refused;
		if (body && rq->route->auth == AUTH_PERSON && !checked_auth(&x))
			return unauthorized(&x);
		if (body && rq->route->auth == AUTH_PERSON && !allowed(&x, &e))
			return reply_error(&x, &e);
		if (rq->route->auth == AUTH_PEER && (refused = peer_headers(&x, &e)) != 0)
			return reply_errorf(&x, refused, lerr_kind(e.code)->name,
					    "a request between nodes: %s", e.msg);
		if (body && !within_bounds(&x, &e)) /* over its bound: not one byte more */
			return reply_errorf(&x, MHD_HTTP_TOO_MANY_REQUESTS, "limit", "%s", e.msg);
		if (rq->route->body == BODY_FILE || rq->route->body == BODY_SEALED) {
			bool sealed = rq->route->body == BODY_SEALED;
			temp_path(&x, "upload", rq->upload, sizeof rq->upload);
			rq->fd = open(rq->upload,
				      (sealed ? O_RDWR : O_WRONLY) | O_CREAT | O_EXCL | O_CLOEXEC |
					  O_NOFOLLOW,
				      0600);
			int err = errno;
			if (rq->fd >= 0 && sealed) { /* nameless from now: a crash leaves nothing */
				unlink(rq->upload);
				rq->upload[0] = '\0';
			}
			if (rq->fd >= 0 && sealed && spool_start(rq->fd, &rq->spool, &e) < 0)
				return reply_error(&x, &e);
			if (rq->fd < 0) {
				rq->upload[0] = '\0';
				return reply_errorf(&x, MHD_HTTP_INTERNAL_SERVER_ERROR, "io",
						    "cannot take the upload: %s", strerror(err));
			}
		}
		return MHD_YES;
	}
	if (rq->status) { /* answered already: what comes is dropped, for a short while */
		if (*size && !rq->cut_short) {
			guard_idle(&s->guard, c);
			rq->cut_short = true;
		}
		*size = 0;
		return MHD_YES;
	}
	if (*size) {
		size_t n = *size;
		*size = 0;
		guard_body(&s->guard, c, n);
		if (rq->route->body == BODY_JSON && !rq->too_big) {
			if (rq->len + n > JSON_BODY_MAX) {
				rq->too_big = true;
				return MHD_YES;
			}
			char *b = realloc(rq->body, rq->len + n + 1);
			if (!b)
				return MHD_NO;
			memcpy(b + rq->len, data, n);
			rq->body = b;
			rq->len += n;
			rq->body[rq->len] = '\0';
		} else if ((rq->route->body == BODY_FILE || rq->route->body == BODY_SEALED) &&
			   !rq->too_big) {
			bool peer = rq->route->auth == AUTH_PEER;
			if (rq->size + n > (peer ? rq->peer.length : s->o.max_upload)) {
				rq->too_big = true;
				return MHD_YES;
			}
			if (peer)
				crypto_hash_sha256_update(&rq->body_hash, (const uint8_t *)data, n);
			if (!rq->write_errno &&
			    (rq->spool ? spool_write(rq->spool, data, n)
				       : fio_write_full(rq->fd, data, n)) != 0) {
				/* the disk failed: the rest is read and dropped, nothing kept,
				 * and the answer says so (507) */
				rq->write_errno = errno ? errno : EIO;
				spool_free(rq->spool);
				rq->spool = NULL;
				close(rq->fd);
				rq->fd = -1;
				if (rq->upload[0])
					unlink(rq->upload);
				rq->upload[0] = '\0';
			}
			rq->size += n;
		} else if (rq->route->body == BODY_NONE)
			rq->too_big = true;
		return MHD_YES;
	}
	/* the whole request is here: the answer goes out without a deadline */
	guard_answering(c);
	if (!(x.n = thread_node(s)))
		return reply_errorf(&x, MHD_HTTP_SERVICE_UNAVAILABLE, "store",
				    "the node's store cannot be opened");
	if (rq->spool && !rq->write_errno && spool_finish(rq->spool) != 0)
		rq->write_errno = errno ? errno : EIO;
	if (rq->fd >= 0 && !rq->spool) {
		close(rq->fd);
		rq->fd = -1;
	}
	/* a question: the token and the answer on one read snapshot */
	struct lerr e = {0};
	bool reads = rq->route->reads && !rq->too_big;
	if (reads && node_read_begin(x.n, &e) < 0)
		return reply_error(&x, &e);
	enum MHD_Result ret;
	if (rq->route->auth == AUTH_PERSON && !rq->authed &&
	    !(reads ? authenticate(&x) : checked_auth(&x)))
		ret = unauthorized(&x);
	else if (!allowed(&x, &e))
		ret = reply_error(&x, &e);
	else if (rq->write_errno)
		ret = reply_errorf(&x, MHD_HTTP_INSUFFICIENT_STORAGE, "io",
				   "the upload could not be written on the node: %s; nothing was "
				   "stored",
				   strerror(rq->write_errno));
	else if (rq->route->auth == AUTH_PEER && !rq->too_big && !peer_body(&x, &e))
		ret = reply_errorf(&x, MHD_HTTP_UNAUTHORIZED, "auth", "%s", e.msg);
	else if (query_check(&x, &e) < 0)
		ret = reply_error(&x, &e);
	else if (!within_bounds(&x, &e))
		ret = reply_errorf(&x, MHD_HTTP_TOO_MANY_REQUESTS, "limit", "%s", e.msg);
	else if (rq->too_big && rq->route->body == BODY_NONE)
		ret = reply_errorf(&x, MHD_HTTP_CONTENT_TOO_LARGE, "limit",
				   "this endpoint takes no body");
	else if (rq->too_big)
		ret = reply_errorf(&x, MHD_HTTP_CONTENT_TOO_LARGE, "limit",
				   "the request body is larger than %llu bytes",
				   rq->route->body == BODY_JSON ? (unsigned long long)JSON_BODY_MAX
				   : rq->route->auth == AUTH_PEER
				       ? (unsigned long long)rq->peer.length
				       : (unsigned long long)s->o.max_upload);
	else {
		/* the acts it makes are logged as this token's */
		str_copy(x.n->token, sizeof x.n->token, rq->authed ? rq->token.id : "");
		ret = rq->route->fn(&x);
		x.n->token[0] = '\0';
	}
	if (reads)
		node_read_end(x.n);
	if (rq->authed) /* a day's first use of the token, outside the read */
		(void)node_token_touch(x.n, &rq->token, NULL);
	return ret;
}

/* s as the inside of a JSON string (a URL path: printable ASCII but for quotes and backslashes). */
static void json_escape(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; *s && k + 7 < n; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			k += (size_t)snprintf(out + k, n - k, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			k += (size_t)snprintf(out + k, n - k, "\\u%04x", ch);
		else
			out[k++] = (char)ch;
	}
	out[k] = '\0';
}

/* The access log: one JSON line per request; no token, no body, no payload. */
static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *rq = *con_cls;
	(void)c;
	if (!rq)
		return;
	/* the time, formatted once a second per thread */
	static _Thread_local time_t stamped;
	static _Thread_local char stamp[32];
	char path[sizeof rq->path * 2];
	time_t t = time(NULL);
	if (t != stamped) {
		struct tm tm;
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		stamped = t;
	}
	json_escape(rq->path, path, sizeof path);
	/* one write per line; no token, body or payload ever */
	fprintf(s->o.access_log,
		"{\"time\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"status\":%u,"
		"\"us\":%lld,\"bytes_in\":%llu%s%s%s%s}\n",
		stamp, rq->method, path, rq->status, (long long)((now() - rq->t0) * 1e6),
		(unsigned long long)(rq->size + rq->len), rq->authed ? ",\"person\":\"" : "",
		rq->authed ? rq->who.id : "", rq->authed ? "\"" : "",
		toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ""
		: guard_was_cut(c)			   ? ",\"ended\":\"cut: too slow\""
				   : ",\"ended\":\"connection closed early\"");
	/* buffered: written at least every 200 ms, and at the stop */
	long long ms = (long long)(now() * 1e3), last = atomic_load(&s->flushed);
	if (ms - last >= 200 && atomic_compare_exchange_strong(&s->flushed, &last, ms))
		fflush(s->o.access_log);
	spool_free(rq->spool);
	if (rq->fd >= 0)
		close(rq->fd);
	if (rq->upload[0])
		unlink(rq->upload);
	free(rq->body);
	req_free(s, rq);
	*con_cls = NULL;
	atomic_fetch_sub(&s->active, 1);
	guard_idle(&s->guard, c); /* the next request on this connection */
}

/*
 * libmicrohttpd's own messages, one line each, at most 10 a second: most
 * are about connections the network cut, and a hostile network could
 * otherwise fill the disk with them. The ones held back are counted, and
 * the count printed with the next message let through.
 */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	static atomic_llong window;   /* the second the count is for */
	static atomic_uint in_window; /* messages printed in it */
	static atomic_ulong held;     /* messages held back since the last one printed */
	(void)cls;
	long long sec = (long long)now();
	if (atomic_exchange(&window, sec) != sec)
		atomic_store(&in_window, 0);
	if (atomic_fetch_add(&in_window, 1) >= 10) {
		atomic_fetch_add(&held, 1);
		return;
	}
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t l = strcspn(msg, "\n");
	unsigned long h = atomic_exchange(&held, 0);
	char more[64] = "";
	if (h)
		snprintf(more, sizeof more, " (and %lu messages held back)", h);
	fprintf(stderr, "liaison serve: %.*s%s\n", (int)l, msg, more);
}

const struct env_source *upload_source(struct ctx *x, struct env_source *src)
{
	src->read = spool_read;
	src->arg = x->rq->spool;
	return x->rq->spool ? src : NULL;
}

/* ---- start and stop ---- */

static int parse_listen(const char *l, struct sockaddr_storage *ss, socklen_t *len, bool *v6,
			struct lerr *e)
{
	char host[128];
	const char *colon = strrchr(l, ':');
	if (!colon || colon == l || strlen(l) >= sizeof host)
		return lerr_set(e, LERR_INVAL, "--listen: \"%.64s\" is not HOST:PORT", l);
	size_t hl = (size_t)(colon - l);
	memcpy(host, l, hl);
	host[hl] = '\0';
	if (host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				 .ai_socktype = SOCK_STREAM},
			*ai;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
		return lerr_set(e, LERR_INVAL,
				"--listen: \"%.64s\" is not a numeric address and port", l);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	*v6 = ai->ai_family == AF_INET6;
	freeaddrinfo(ai);
	return 0;
}

/*
 * Removes name, a folder of files (one level) in the folder open as dirfd,
 * quietly, following no link: a link planted under that name is removed
 * itself, never what it points to; so are links inside.
 */
static void remove_dir_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) { /* not a folder (a link, a file): only its name goes */
		(void)unlinkat(dirfd, name, 0);
		return;
	}
	DIR *d = fdopendir(fd);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			(void)unlinkat(fd, de->d_name, 0);
	if (d)
		closedir(d); /* closes fd */
	else
		close(fd);
	(void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Removes this daemon's folder of temporary files. */
static void remove_dir(const char *dir)
{
	char parent[NODE_PATH_MAX + 48];
	const char *slash = strrchr(dir, '/');
	if (!slash || !str_copy(parent, sizeof parent, dir))
		return;
	parent[slash - dir] = '\0';
	int fd = open(parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		remove_dir_at(fd, slash + 1);
		close(fd);
	}
}

/*
 * home/tmp/serve-PID: this daemon's uploads and outgoing files. Folders of
 * daemons that are gone (killed with SIGKILL, or the machine lost power)
 * are removed: what they held was never stored. Nothing under tmp is
 * followed if it is a link (node_folder_check refused a folder others can
 * write; this holds even so).
 */
static int make_tmpdir(struct server *s, struct lerr *e)
{
	char base[NODE_PATH_MAX + 8], name[32];
	snprintf(base, sizeof base, "%s/tmp", s->home);
	if (mkdir(base, 0700) != 0 && errno != EEXIST)
		return lerr_set(e, LERR_IO, "%s: %s", base, strerror(errno));
	int bfd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0)
		return lerr_set(e, LERR_IO, "%s: not a folder of the node's own: %s", base,
				strerror(errno));
	int dfd = dup(bfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	long pid;
	snprintf(name, sizeof name, "serve-%ld", (long)getpid());
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    (node_serve_dir(de->d_name, &pid) < 0 || strcmp(de->d_name, name) == 0))
			remove_dir_at(bfd,
				      de->d_name); /* a gone daemon's, or a stale one of this pid */
	if (d)
		closedir(d);
	else if (dfd >= 0)
		close(dfd);
	int r = 0;
	if (mkdirat(bfd, name, 0700) != 0)
		r = lerr_set(e, LERR_IO, "%s/%s: %s", base, name, strerror(errno));
	else
		snprintf(s->tmpdir, sizeof s->tmpdir, "%s/%s", base, name);
	close(bfd);
	return r;
}

/*
 * How many connections may be open at once: what was asked (default 4096),
 * within the open files the process may have, its soft limit raised to the
 * hard one, less 128 for the store, uploads and peers.
 */
static unsigned connection_budget(unsigned asked)
{
	rlim_t want = asked ? asked : 4096;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return (unsigned)(want < 896 ? want : 896);
	if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < want + 128) {
		rlim_t cur = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 + 128
				  ? 65536 + 128
				  : rl.rlim_max;
		if (rl.rlim_cur < cur || setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = cur;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + 128)
		want = rl.rlim_cur > 256 ? rl.rlim_cur - 128 : 128;
	return (unsigned)(want < 65536 ? want : 65536);
}

int server_run(const struct server_opts *o, const char *pass, size_t passlen, struct lerr *e)
{
	struct server *s = calloc(1, sizeof *s);
	if (!s)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	s->o = *o;
	if (!s->o.threads)
		s->o.threads = SERVE_THREADS;
	if (!s->o.max_upload)
		s->o.max_upload = SERVE_MAX_UPLOAD;
	if (!s->o.max_peer_upload)
		s->o.max_peer_upload = s->o.max_upload;
	if (!s->o.retry_max)
		s->o.retry_max = SERVE_RETRY_MAX;
	if (!s->o.max_per_address)
		s->o.max_per_address = SERVE_MAX_PER_ADDRESS;
	if (!s->o.header_timeout)
		s->o.header_timeout = SERVE_HEADER_TIMEOUT;
	if (!s->o.min_rate)
		s->o.min_rate = SERVE_MIN_RATE;
	s->o.max_connections = connection_budget(s->o.max_connections);
	if (!s->o.max_acts)
		s->o.max_acts = SERVE_MAX_ACTS;
	limit_init(&s->acts, s->o.unbounded_acts ? 0 : s->o.max_acts);
	if (!s->o.witness_every)
		s->o.witness_every = SERVE_WITNESS_EVERY;
	struct lanes *lanes = NULL;
	/* the access log: its own buffered stream on stderr's file */
	FILE *own_log = NULL;
	if (!s->o.access_log || s->o.access_log == stderr) {
		int fd = dup(STDERR_FILENO);
		own_log = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!own_log && fd >= 0)
			close(fd);
		if (own_log)
			setvbuf(own_log, NULL, _IOFBF, 1 << 16);
		s->o.access_log = own_log ? own_log : stderr;
	}
	char *cert = NULL, *key = NULL;
	size_t cl, kl;
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	bool v6 = false;
	struct node *n = NULL;
	int r = parse_listen(o->listen, &ss, &sl, &v6, e);
	if (r == 0 && !!o->tls_cert != !!o->tls_key)
		r = lerr_set(e, LERR_INVAL, "--tls-cert and --tls-key go together");
	if (r == 0 && o->tls_cert &&
	    ((r = fio_read_file(o->tls_cert, 1 << 20, &cert, &cl, e)) < 0 ||
	     (r = fio_read_file(o->tls_key, 1 << 20, &key, &kl, e)) < 0))
		lerr_prefix(e, "TLS");
	if (r == 0 && o->tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		r = lerr_set(e, LERR_INVAL, "this libmicrohttpd has no TLS");
	/* the node: its folder, and its keys unsealed once for the daemon's life */
	if (r == 0 && (r = node_home(o->home, s->home, sizeof s->home, e)) == 0 &&
	    (r = node_folder_check(s->home, e)) == 0 && (r = node_open(s->home, &n, e)) == 0 &&
	    (r = node_clock_act(&n->clock, e)) == 0)
		r = node_secret_key(n, pass, passlen, &s->key, e);
	if (r == 0)
		r = make_tmpdir(s, e);
	bool have_key = false;
	if (r == 0 && !(have_key = pthread_key_create(&s->worker_key, close_worker) == 0))
		r = lerr_set(e, LERR_NOMEM, "no thread key");
	/* SIGTERM and SIGINT wait for sigwait below; the workers inherit the mask */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (r == 0)
		r = guard_start(&s->guard, s->o.header_timeout, s->o.min_rate, e);
	if (r == 0) {
		unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
				 MHD_USE_TURBO | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0) |
				 (cert ? MHD_USE_TLS : 0);
		struct MHD_OptionItem ops[] = {
		    {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->o.threads, NULL},
		    {MHD_OPTION_SOCK_ADDR, 0, &ss},
		    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_done, s},
		    {MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL},
		    {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)guard_notify, &s->guard},
		    {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)guard_unescape, NULL},
		    {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)s->o.max_per_address, NULL},
		    {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)s->o.max_connections, NULL},
		    /* each request's pool is cleared: keep it to what headers need */
		    {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 8 * 1024, NULL},
		    {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
		    {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
		    {MHD_OPTION_END, 0, NULL}};
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
					MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_ARRAY,
					ops, MHD_OPTION_END);
		if (!s->d)
			r = lerr_set(e, LERR_IO, "cannot listen on %s", o->listen);
	}
	if (r == 0) {
		const union MHD_DaemonInfo *di =
		    MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
		char host[128];
		size_t hl = (size_t)(strrchr(o->listen, ':') - o->listen);
		memcpy(host, o->listen, hl < sizeof host ? hl : sizeof host - 1);
		host[hl < sizeof host ? hl : sizeof host - 1] = '\0';
		fprintf(stderr, "liaison serve: %s node on %s://%s:%u (%u threads)%s\n", n->party,
			cert ? "https" : "http", host, di ? di->port : 0, s->o.threads,
			n->clock.simulated ? ", clock set by LIAISON_NOW" : "");
		fflush(stderr);
		struct lerr le = {0};
		if (lanes_start(s, &lanes, &le) < 0)
			fprintf(stderr, "liaison serve: %s\n", le.msg);
		int sig = 0;
		sigwait(&stop, &sig);
		fprintf(stderr, "liaison serve: %s: stopping (requests in flight may finish)\n",
			sig == SIGTERM ? "SIGTERM" : "SIGINT");
		MHD_socket ls = MHD_quiesce_daemon(s->d);
		if (ls != MHD_INVALID_SOCKET)
			close(ls);
		double t0 = now();
		while (atomic_load(&s->active) > 0 && now() - t0 < (double)s->o.drain_seconds) {
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		unsigned left = atomic_load(&s->active);
		MHD_stop_daemon(s->d);
		lanes_stop(lanes); /* transfers to peers in flight are cancelled */
		if (s->guard.cut)
			fprintf(stderr, "liaison serve: %lu connections cut for being too slow\n",
				s->guard.cut);
		fflush(s->o.access_log);
		fprintf(stderr, "liaison serve: stopped%s\n",
			left ? " (requests still in flight were cut; nothing half stored)" : "");
	}
	pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
	if (have_key) {
		/* destructors run at the workers' exits, never for this thread */
		struct worker *w = pthread_getspecific(s->worker_key);
		if (w)
			close_worker(w);
		pthread_key_delete(s->worker_key);
	}
	guard_stop(&s->guard);
	limit_destroy(&s->acts);
	key_secret_free(&s->key);
	node_close(n);
	if (own_log)
		fclose(own_log);
	if (s->tmpdir[0])
		remove_dir(s->tmpdir);
	if (key)
		sodium_memzero(key, kl);
	free(key);
	free(cert);
	free(s);
	return r;
}
