/*
 * http.c - the daemon's requests on libmicrohttpd (a thread pool on epoll):
 * routing, bearer authentication, a request's phases (its start, refused
 * before its body where it can be; its body, JSON in memory up to 1 MiB or
 * an upload streamed to a temporary file in the node's folder; its whole,
 * answered by its handler) and access logs. Replies are http_reply.c's;
 * starting and stopping, http_serve.c's (see http.h).
 *
 * Each worker thread has its own node (its own store connection), opened on
 * its first request and closed when the thread ends; a handler runs within
 * one call on one thread, so it never shares it.
 */
#define _GNU_SOURCE /* pipe2 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
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

double http_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- routing ---- */

/* Matches url against a pattern; fills the {params}. */
static bool match_path(const char *pattern, const char *url, struct req *rq)
{
	size_t np = 0;
	const char *longest = NULL; /* the first parameter too long, in the pattern */
	while (*pattern && *url) {
		if (*pattern == '{') {
			const char *pe = strchr(pattern, '}');
			size_t n = strcspn(url, "/");
			if (!pe || n == 0 || np == PATH_PARAMS)
				return false;
			if (n >= PARAM_MAX && !longest) /* the route's: a 400 naming it */
				longest = pattern;
			memcpy(rq->params[np], url, n < PARAM_MAX ? n : 0);
			rq->params[np++][n < PARAM_MAX ? n : 0] = '\0';
			pattern = pe + 1;
			url += n;
			continue;
		}
		if (*pattern++ != *url++)
			return false;
	}
	if (*pattern != '\0' || *url != '\0')
		return false;
	if (longest && !rq->long_param[0])
		snprintf(rq->long_param, sizeof rq->long_param, "%.*s",
			 (int)(strchr(longest, '}') - longest - 1), longest + 1);
	return true;
}

/* The route tables: api.c's, api_export.c's, console.c's, in that order. */
static const struct {
	const struct route *r;
	const size_t *n;
} tables[] = {{api_routes, &api_nroutes},
	      {api_record_routes, &api_record_nroutes},
	      {console_routes, &console_nroutes}};

static size_t routes_count(void)
{
	size_t n = 0;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		n += *tables[t].n;
	return n;
}

/* Route i of all (i < routes_count()). */
static const struct route *route_at(size_t i)
{
	size_t t = 0;
	for (; i >= *tables[t].n; t++)
		i -= *tables[t].n;
	return &tables[t].r[i];
}

/*
 * The route for method and url: 0, or 404 / 405 (204 for OPTIONS on a known
 * path). rq->allow lists the path's methods: HEAD with a GET that only
 * reads (a download or a checkpoint is an act, asked for by GET only), and
 * OPTIONS.
 */
static unsigned route_find(const char *method, const char *url, struct req *rq)
{
	const bool head = strcmp(method, "HEAD") == 0;
	const struct route *found = NULL;
	size_t len = 0;
	for (size_t i = 0; i < routes_count(); i++) {
		const struct route *r = route_at(i);
		if (!match_path(r->pattern, url, rq))
			continue;
		const bool head_ok = strcmp(r->method, "GET") == 0 && r->reads;
		int w = snprintf(rq->allow + len, sizeof rq->allow - len, "%s%s%s", len ? ", " : "",
				 r->method, head_ok ? ", HEAD" : "");
		len = w < 0 || (size_t)w >= sizeof rq->allow - len ? sizeof rq->allow - 1
								   : len + (size_t)w;
		if (!found && (strcmp(r->method, method) == 0 || (head && head_ok)))
			found = r;
	}
	if (!len)
		return MHD_HTTP_NOT_FOUND;
	snprintf(rq->allow + len, sizeof rq->allow - len, ", OPTIONS");
	rq->route = found;
	if (!found)
		rq->long_param[0] = '\0'; /* another method's route: said by a 405 */
	return found				? 0
	       : strcmp(method, "OPTIONS") == 0 ? MHD_HTTP_NO_CONTENT
						: MHD_HTTP_METHOD_NOT_ALLOWED;
}

size_t http_route_index(const struct route *r)
{
	for (size_t i = 0; r && i < routes_count(); i++)
		if (route_at(i) == r)
			return i;
	return routes_count();
}

const char *http_route_name(size_t i, char *buf, size_t n)
{
	if (i >= routes_count())
		return "(no route)";
	snprintf(buf, n, "%s %s", route_at(i)->method, route_at(i)->pattern);
	return buf;
}

void server_print_routes(FILE *f)
{
	for (size_t i = 0; i < routes_count(); i++)
		fprintf(f, "%s %s\n", route_at(i)->method, route_at(i)->pattern);
}

/* ---- the request's life ---- */

/* What each worker thread keeps: its node (store connection) and the last
 * request's memory, reused by the next (a request is some KiB: reuse spares
 * the allocator a large block per request). */
void http_close_worker(void *p)
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
		w->n->observer = &s->observer; /* decisions, counted for /metrics */
		w->n->batch = s->batch;	       /* decisions logged in shared commits */
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
	/* a session's cookie is a secret: not left in freed or spare memory */
	sodium_memzero(&rq->session, sizeof rq->session);
	sodium_memzero(rq->set_cookie, sizeof rq->set_cookie);
	if (w && !w->spare)
		w->spare = rq;
	else
		free(rq);
}

bool http_same_origin(struct ctx *x)
{
	struct MHD_Connection *c = x->c;
	const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return false;
	if (origin && x->s->o.public_origin) /* behind a proxy: the origin it serves */
		return strcmp(origin, x->s->o.public_origin) == 0;
	if (origin) {
		char own[300];
		snprintf(own, sizeof own, "%s://%s", x->s->o.tls_cert ? "https" : "http",
			 host ? host : "");
		if (!host || strcmp(origin, own) != 0)
			return false;
	}
	return true;
}

/* A console session's cookie, as its token (no Authorization header came). */
static enum MHD_Result count_cookie(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct {
		const char *name;
		unsigned n;
	} *c = cls;
	(void)kind;
	(void)value;
	c->n += key && strcmp(key, c->name) == 0;
	return MHD_YES;
}

static bool session_auth(struct ctx *x, struct lerr *e)
{
	struct req *rq = x->rq;
	const char *name = x->s->sessions.name;
	const char *cookie = MHD_lookup_connection_value(x->c, MHD_COOKIE_KIND, name);
	struct {
		const char *name;
		unsigned n;
	} count = {name, 0};
	if (!cookie)
		return false;
	/* a second cookie of the name (one set for a longer path by a page of
	 * the same site) would shadow the console's: neither is taken */
	MHD_get_connection_values(x->c, MHD_COOKIE_KIND, count_cookie, &count);
	if (count.n != 1) {
		lerr_set(e, LERR_AUTH, "more than one %s cookie: sign in again", name);
		return false;
	}
	/*
	 * A request asked with a console session's cookie, a read as much as a
	 * change, must come from the console itself: its X-CSRF-Token is the
	 * session's, and the browser does not say it comes from elsewhere
	 * (http_same_origin). A cross-site form or script carries the cookie
	 * at most (SameSite=Strict already keeps it home); it cannot read the
	 * CSRF value. Nor can another service on another port of the same host
	 * name, which a browser sends the cookie to (cookies know no ports) and
	 * lets set one: the value is only in the sign-in's answer, and the
	 * console keeps it in its own origin's storage. A cookie alone, taken
	 * or planted, gets nothing, not even whether its session is live, and
	 * does not keep it alive: without the value (403) the session is not
	 * looked up; with another (401) it is as if it had ended.
	 */
	const char *csrf = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "X-CSRF-Token");
	if (!csrf || !csrf[0] || !http_same_origin(x)) {
		rq->csrf_refused = true;
		lerr_set(e, LERR_AUTH,
			 "a request with a console session needs its X-CSRF-Token, from the "
			 "console's own origin");
		return false;
	}
	if (!session_find(&x->s->sessions, cookie, csrf, session_now(), &rq->session)) {
		lerr_set(e, LERR_AUTH,
			 "the console session ended, or this X-CSRF-Token is not its own: sign in "
			 "again");
		return false;
	}
	rq->by_session = true;
	int r = node_token_check_digest(x->n, rq->session.token, &rq->who, &rq->token, e);
	if (r == LERR_AUTH) /* its token was revoked or expired: the session ends too */
		session_close(&x->s->sessions, cookie);
	return r == 0;
}

static bool authenticate(struct ctx *x)
{
	const char *h =
	    MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	struct lerr e = {0};
	if (h && strncasecmp(h, "Bearer ", 7) == 0)
		x->rq->authed = node_token_check(x->n, h + 7, &x->rq->who, &x->rq->token, &e) == 0;
	else if (!h)
		x->rq->authed = session_auth(x, &e);
	x->rq->read_only = x->rq->authed && x->rq->token.read_only;
	/* told to the token's holder: unknown, revoked, expired; or not checked
	 * (the store did not answer: a database failing over) */
	x->rq->auth_unchecked = !x->rq->authed && e.code == LERR_STORE;
	if (!x->rq->authed)
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
	if (x->rq->csrf_refused)
		return reply_errorf(x, MHD_HTTP_FORBIDDEN, "csrf", "%s", x->rq->auth_why);
	if (x->rq->auth_unchecked) /* not the token's fault: try again */
		return reply_errorf(x, MHD_HTTP_SERVICE_UNAVAILABLE, "store",
				    "the token could not be checked (%s): try again",
				    x->rq->auth_why);
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

/*
 * Before a question's body is read (a route that reads): a bearer token this
 * thread last saw valid lets the body in, no store asked; the check itself
 * is made with the answer, in its read snapshot (refused_whole), so a
 * question costs one snapshot, not two. Anything else: checked_auth.
 */
static bool checked_auth(struct ctx *x);
static bool gate_auth(struct ctx *x)
{
	struct req *rq = x->rq;
	const char *h =
	    MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!rq->route->reads || !h || strncasecmp(h, "Bearer ", 7) != 0 ||
	    node_token_seen(x->n, h + 7, &rq->who, &rq->token) < 0)
		return checked_auth(x);
	rq->read_only = rq->token.read_only; /* for allowed(); rq->authed stays false */
	return true;
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
	/* a consent that goes with an item: its digest is in the signed text, so
	 * that no one on the path can take it away or change it */
	const char *consent = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, PEER_H_CONSENT);
	p->consent[0] = '\0';
	if (consent)
		peer_digest(consent, strlen(consent), p->consent);
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
		return e->code == LERR_STORE ? MHD_HTTP_SERVICE_UNAVAILABLE /* the peer retries */
					     : MHD_HTTP_UNAUTHORIZED;
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

/* Whether a header's name is a token (RFC 9110 §5.1): no space before its
 * colon ("Content-Length :", which libmicrohttpd keeps as another name, and
 * a proxy may read as the length), no control, nothing but tchars. */
static bool header_name(const char *key)
{
	if (!*key)
		return false;
	for (const char *p = key; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-.^_`|~", *p))
			return false;
	return true;
}

static enum MHD_Result count_length(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	unsigned *n = cls;
	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		n[0]++;
		/* digits, nothing else: a value folded onto the next line reads empty here
		 * and as the length to a proxy that unfolds it */
		if (!value || !*value || strspn(value, "0123456789") != strlen(value))
			n[3]++;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		n[1]++;
		if (!value || strcasecmp(value, "chunked") != 0)
			n[3]++;
	} else if (!header_name(key))
		n[2]++;
	else if (strncasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH, 14) == 0 ||
		 strncasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING, 17) == 0)
		n[3]++; /* libmicrohttpd joins a value folded onto the next line to the name
			   ("Content-Length5"): a proxy that unfolds it reads a length */
	return MHD_YES;
}

/* Why a request's form is refused (NULL: it is not): an escaped NUL in its
 * path or query, a path not UTF-8, two lengths, a length and chunks, or a
 * header name that is not a token: each a request two readers could read
 * differently. */
static const char *request_form(struct MHD_Connection *c, const char *url)
{
	unsigned n[4] = {0, 0, 0, 0};
	if (guard_escaped_nul(c))
		return "the path or the query has an escaped NUL (%00)";
	if (!utf8_valid(url, strlen(url)))
		return "the path is not valid UTF-8";
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_length, n);
	if (n[0] > 1)
		return "more than one Content-Length header";
	if (n[0] && n[1])
		return "both Content-Length and Transfer-Encoding";
	if (n[2])
		return "a header name with a space or a character a name may not have (RFC 9112 "
		       "section 5.1)";
	if (n[3])
		return "a Content-Length that is not digits, or a Transfer-Encoding other than "
		       "chunked (a value folded onto another line among them)";
	return NULL;
}

/* The upload's file, before its first byte: a named one, or a nameless
 * sealed spool (BODY_SEALED: a crash leaves nothing readable). */
static enum MHD_Result take_upload(struct ctx *x, struct lerr *e)
{
	struct req *rq = x->rq;
	bool sealed = rq->route->body == BODY_SEALED;
	temp_path(x, "upload", rq->upload, sizeof rq->upload);
	rq->fd =
	    open(rq->upload,
		 (sealed ? O_RDWR : O_WRONLY) | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	int err = errno;
	if (rq->fd >= 0 && sealed) { /* nameless from now: a crash leaves nothing */
		unlink(rq->upload);
		rq->upload[0] = '\0';
	}
	if (rq->fd >= 0 && sealed && spool_start(rq->fd, &rq->spool, e) < 0)
		return reply_error(x, e);
	if (rq->fd < 0) {
		rq->upload[0] = '\0';
		return reply_errorf(x, MHD_HTTP_INTERNAL_SERVER_ERROR, "io",
				    "cannot take the upload: %s", strerror(err));
	}
	return MHD_YES;
}

/*
 * What refuses a sign-in before its body is read: a page of another site
 * (it would sign the browser in as someone else: login CSRF), a body not
 * declared JSON (a plain form cannot send one without a preflight), or
 * larger than a token needs. NULL when none does.
 */
static const char *sign_in_form(struct ctx *x)
{
	const char *type =
	    MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *length =
	    MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (!http_same_origin(x))
		return "a sign-in must come from the console's own page";
	if (!type || strncasecmp(type, "application/json", 16) != 0 ||
	    (type[16] && type[16] != ';' && type[16] != ' '))
		return "a sign-in is JSON: Content-Type: application/json";
	if (length && strtoull(length, NULL, 10) > SIGN_IN_BODY_MAX)
		return "a sign-in's body is a token: at most 1024 bytes";
	return NULL;
}

/*
 * A request's first call: its route, its form, and everything that can
 * refuse it before one byte of its body is read (authentication, roles, a
 * peer's signed headers, the rate of acts).
 */
static enum MHD_Result on_start(struct server *s, struct MHD_Connection *c, const char *url,
				const char *method, void **con_cls)
{
	struct req *rq = req_new(s);
	struct ctx x = {s, c, rq, NULL};
	if (!rq)
		return MHD_NO;
	rq->fd = -1;
	rq->t0 = http_now();
	rq->method = strcmp(method, "GET") == 0	      ? "GET"
		     : strcmp(method, "POST") == 0    ? "POST"
		     : strcmp(method, "HEAD") == 0    ? "HEAD"
		     : strcmp(method, "OPTIONS") == 0 ? "OPTIONS"
						      : "OTHER";
	snprintf(rq->path, sizeof rq->path, "%s", url);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_pair, rq);
	*con_cls = rq;
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
	if (!miss && rq->long_param[0]) { /* an id no store holds: said, not "no endpoint" */
		struct lerr le = {0};
		lerr_set(&le, LERR_INVAL, "%s: longer than %d bytes, as no %s here is",
			 rq->long_param, PARAM_MAX - 1, rq->long_param);
		lerr_field(&le, rq->long_param);
		return reply_error(&x, &le);
	}
	if (miss == MHD_HTTP_NO_CONTENT) /* OPTIONS: the methods, to anyone */
		return reply_bytes(&x, miss, NULL, 0, NULL);
	if (miss)
		return reply_errorf(
		    &x, miss, "invalid", "%.128s does not take %.16s (Allow: %s)", url,
		    method[strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")] ? "it" : method,
		    rq->allow);
	guard_request(&s->guard, c); /* its body must come at the minimum rate */
	/* a body is refused before its bytes come, from anyone not authenticated
	 * or not allowed: it never reaches the disk (nor memory) */
	struct lerr e = {0};
	bool body = rq->route->body != BODY_NONE;
	unsigned refused;
	if (rq->route->auth == AUTH_SIGN_IN && (bad = sign_in_form(&x)) != NULL)
		return reply_errorf(&x, MHD_HTTP_FORBIDDEN, "csrf", "%s", bad);
	if (body && rq->route->auth == AUTH_PERSON && !gate_auth(&x))
		return unauthorized(&x);
	if (body && rq->route->auth == AUTH_PERSON && !allowed(&x, &e))
		return reply_error(&x, &e);
	if (rq->route->auth == AUTH_PEER && (refused = peer_headers(&x, &e)) != 0) {
		lerr_prefix(&e, "a request between nodes");
		/* its signature checked, then the length it signed is over this
		 * node's cap: for good, signed. Anything else may be the path's
		 * doing (a Content-Length changed on the way): unsigned, tried again */
		if (refused == MHD_HTTP_CONTENT_TOO_LARGE)
			return reply_peer_refused(&x, &e);
		return reply_errorf(&x, refused, lerr_kind(e.code)->name, "%s", e.msg);
	}
	if (body && !within_bounds(&x, &e)) /* over its bound: not one byte more */
		return reply_errorf(&x, MHD_HTTP_TOO_MANY_REQUESTS, "limit", "%s", e.msg);
	if (rq->route->body == BODY_FILE || rq->route->body == BODY_SEALED)
		return take_upload(&x, &e);
	return MHD_YES;
}

/* A file upload's n bytes, written (sealed) as they come, within its bound. */
static void on_file_data(struct server *s, struct req *rq, const char *data, size_t n)
{
	bool peer = rq->route->auth == AUTH_PEER;
	if (rq->size + n > (peer ? rq->peer.length : s->o.max_upload)) {
		rq->too_big = true;
		return;
	}
	if (peer)
		crypto_hash_sha256_update(&rq->body_hash, (const uint8_t *)data, n);
	if (!rq->write_errno &&
	    (rq->spool ? spool_write(rq->spool, data, n) : fio_write_full(rq->fd, data, n)) != 0) {
		/* the disk failed: the rest is read and dropped, nothing kept, and
		 * the answer says so (507) */
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
}

/* The largest JSON body route r takes. */
static size_t json_max(const struct route *r)
{
	return r->auth == AUTH_SIGN_IN ? SIGN_IN_BODY_MAX : JSON_BODY_MAX;
}

/* A piece of the body: kept (JSON in memory, files on disk) within its bound. */
static enum MHD_Result on_data(struct server *s, struct MHD_Connection *c, struct req *rq,
			       const char *data, size_t *size)
{
	size_t n = *size;
	*size = 0;
	if (rq->status) { /* answered already: what comes is dropped, for a short while */
		if (n && !rq->cut_short) {
			guard_idle(&s->guard, c);
			rq->cut_short = true;
		}
		return MHD_YES;
	}
	guard_body(&s->guard, c, n);
	if (rq->route->body == BODY_JSON && !rq->too_big) {
		const bool sign_in = rq->route->auth == AUTH_SIGN_IN;
		if (rq->len + n > json_max(rq->route)) {
			rq->too_big = true;
			return MHD_YES;
		}
		/* a sign-in's token is in one buffer, never moved (it is wiped at the end) */
		char *b = sign_in ? (rq->body ? rq->body : malloc(SIGN_IN_BODY_MAX + 1))
				  : realloc(rq->body, rq->len + n + 1);
		if (!b)
			return MHD_NO;
		memcpy(b + rq->len, data, n);
		rq->body = b;
		rq->len += n;
		rq->body[rq->len] = '\0';
	} else if ((rq->route->body == BODY_FILE || rq->route->body == BODY_SEALED) &&
		   !rq->too_big) {
		on_file_data(s, rq, data, n);
	} else if (rq->route->body == BODY_NONE)
		rq->too_big = true;
	return MHD_YES;
}

/* Whether something stops a whole request short of its handler: true with
 * *ret its answer; false when the handler may run. */
static bool refused_whole(struct ctx *x, bool reads, enum MHD_Result *ret)
{
	struct req *rq = x->rq;
	struct lerr e = {0};
	if (rq->route->auth == AUTH_PERSON && !rq->authed &&
	    !(reads ? authenticate(x) : checked_auth(x)))
		*ret = unauthorized(x);
	else if (!allowed(x, &e))
		*ret = reply_error(x, &e);
	else if (rq->write_errno)
		*ret = reply_errorf(x, MHD_HTTP_INSUFFICIENT_STORAGE, "io",
				    "the upload could not be written on the node: %s; nothing was "
				    "stored",
				    strerror(rq->write_errno));
	else if (rq->route->auth == AUTH_PEER && !rq->too_big && !peer_body(x, &e))
		*ret = e.code == LERR_STORE /* unchecked, not refused: the peer retries */
			   ? reply_errorf(x, MHD_HTTP_SERVICE_UNAVAILABLE, "store", "%s", e.msg)
			   : reply_errorf(x, MHD_HTTP_UNAUTHORIZED, "auth", "%s", e.msg);
	else if (query_check(x, &e) < 0)
		*ret = reply_error(x, &e);
	else if (!within_bounds(x, &e))
		*ret = reply_errorf(x, MHD_HTTP_TOO_MANY_REQUESTS, "limit", "%s", e.msg);
	else if (rq->too_big && rq->route->body == BODY_NONE)
		*ret = reply_errorf(x, MHD_HTTP_CONTENT_TOO_LARGE, "limit",
				    "this endpoint takes no body");
	else if (rq->too_big)
		*ret = reply_errorf(
		    x, MHD_HTTP_CONTENT_TOO_LARGE, "limit",
		    "the request body is larger than %llu bytes",
		    rq->route->body == BODY_JSON   ? (unsigned long long)json_max(rq->route)
		    : rq->route->auth == AUTH_PEER ? (unsigned long long)rq->peer.length
						   : (unsigned long long)x->s->o.max_upload);
	else
		return false;
	return true;
}

/* The gate read a light question's generation (on its thread): the
 * question's connection is woken, its handler called again with it. */
static void gen_woken(struct gen_ask *a)
{
	struct req *rq = (struct req *)((char *)a - offsetof(struct req, gen));
	struct MHD_Connection *c = a->cls;
	rq->gen_state = GEN_GIVEN;
	MHD_resume_connection(c); /* the last touch: rq may be gone from now */
}

/* A light question's generation asked of the gate, its connection
 * suspended until read (gen_woken); false: no gate, the worker reads it. */
static bool ask_gate(struct server *s, struct MHD_Connection *c, struct req *rq)
{
	if (!s->gate)
		return false;
	rq->gen_state = GEN_ASKED;
	rq->gen.done = gen_woken;
	rq->gen.cls = c;
	MHD_suspend_connection(c); /* before the gate may wake it */
	if (!gen_gate_ask(s->gate, &rq->gen)) {
		/* held (a stop): the handler's next call reads its own */
		rq->gen.r = 1;
		gen_woken(&rq->gen);
	}
	return true;
}

/* The whole request is here: checked once more, then answered by its handler. */
static enum MHD_Result on_complete(struct server *s, struct MHD_Connection *c, struct req *rq)
{
	struct ctx x = {s, c, rq, NULL};
	/* the answer goes out without a deadline */
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
	const bool again = rq->waiting != NULL; /* its handler's second call: checked before */
	bool reads = rq->route->reads && !rq->too_big && !again;
	const bool authed = rq->authed; /* as the headers left it */
	rq->light = reads && rq->route->reads == READS_LIGHT;
	/* its generation read by the gate, with other questions' (gengate.c);
	 * meanwhile this worker answers other connections */
	if (rq->light && rq->gen_state == GEN_NONE && ask_gate(s, c, rq))
		return MHD_YES;
	const struct store_gen *given =
	    rq->gen_state == GEN_GIVEN && rq->gen.r == 0 ? &rq->gen.gen : NULL;
	enum MHD_Result ret;
	do {
		if (rq->ask_again) { /* the store moved under the light stretch */
			atomic_fetch_add(&s->metrics.asked_again, 1);
			node_read_end(x.n);
			rq->ask_again = rq->light = false;
			rq->authed = authed;
		}
		if (reads && (rq->light ? given ? node_read_begin_light_at(x.n, given, &e)
						: node_read_begin_light(x.n, &e)
					: node_read_begin(x.n, &e)) < 0) {
			rq->light = false; /* no stretch: its error is the answer */
			return reply_error(&x, &e);
		}
		if (rq->light && node_generation_known(x.n))
			atomic_fetch_add(&s->metrics.generation_known, 1);
		if (again || !refused_whole(&x, reads, &ret)) {
			/* the acts it makes are logged as this token's */
			str_copy(x.n->token, sizeof x.n->token, rq->authed ? rq->token.id : "");
			ret = rq->route->fn(&x);
			x.n->token[0] = '\0';
		}
	} while (rq->ask_again);
	if (reads)
		node_read_end(x.n);
	if (rq->authed && !again) /* a day's first use of the token, outside the read */
		(void)node_token_touch(x.n, &rq->token, NULL);
	return ret;
}

struct waiting *http_wait(struct ctx *x)
{
	struct waiting *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->c = x->c;
	/* until woken: nothing may act as if its decision were logged */
	w->r = lerr_set(&w->e, LERR_STORE, "the decision is not yet in the log");
	x->rq->waiting = w;
	MHD_suspend_connection(x->c); /* before anyone may wake it */
	return w;
}

void http_wake(void *cls, int r, const struct lerr *e)
{
	struct waiting *w = cls;
	w->r = r;
	if (r < 0 && e)
		w->e = *e;
	/* the last touch: the request may be answered, and freed, from now */
	MHD_resume_connection(w->c);
}

enum MHD_Result http_on_request(void *cls, struct MHD_Connection *c, const char *url,
				const char *method, const char *version, const char *data,
				size_t *size, void **con_cls)
{
	struct server *s = cls;
	struct req *rq = *con_cls;
	(void)version;
	if (!rq)
		return on_start(s, c, url, method, con_cls);
	if (rq->status || *size)
		return on_data(s, c, rq, data, size);
	return on_complete(s, c, rq);
}

/*
 * s as the inside of a JSON string (a URL path, percent-decoded): quotes,
 * backslashes and what would act rather than show escaped (text_is_control:
 * controls, C1 controls, line and paragraph separators, direction marks and
 * overrides), a
 * UTF-8 sequence kept whole (a reader gets the path's characters back),
 * any other byte as U+FFFD (the record stays valid JSON); cut at a
 * character, never inside one.
 */
static void json_escape(const char *s, char *out, size_t n)
{
	size_t k = 0, left = strlen(s);
	while (left && k + 7 < n) {
		const unsigned char ch = (unsigned char)*s;
		size_t len = ch < 0x80 ? 1 : utf8_seq_len((const unsigned char *)s, left);
		if (ch == '"' || ch == '\\')
			k += (size_t)snprintf(out + k, n - k, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			k += (size_t)snprintf(out + k, n - k, "\\u%04x", ch);
		else if (len == 0) {
			k += (size_t)snprintf(out + k, n - k, "\\ufffd");
			len = 1;
		} else if (text_is_control((const unsigned char *)s, len)) {
			k += (size_t)snprintf(out + k, n - k, "\\u%04lx",
					      text_code_point((const unsigned char *)s, len));
		} else {
			memcpy(out + k, s, len); /* 4 at most: k + 7 < n leaves room */
			k += len;
		}
		s += len;
		left -= len;
	}
	out[k] = '\0';
}

/* The access log: one JSON line per request; no token, no body, no payload. */
void http_on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		  enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *rq = *con_cls;
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
	/* the client's address (a proxy's, behind one: no header is trusted for it) */
	char client[INET6_ADDRSTRLEN] = "?";
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		const void *a = sa->sa_family == AF_INET6
				    ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
				    : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
		if (!inet_ntop(sa->sa_family, a, client, sizeof client))
			str_copy(client, sizeof client, "?");
	}
	/* one write per line; no token, body or payload ever */
	fprintf(s->o.access_log,
		"{\"time\":\"%s\",\"client\":\"%s\",\"method\":\"%s\",\"path\":\"%s\","
		"\"status\":%u,\"us\":%lld,\"bytes_in\":%llu%s%s%s%s}\n",
		stamp, client, rq->method, path, rq->status,
		(long long)((http_now() - rq->t0) * 1e6), (unsigned long long)(rq->size + rq->len),
		rq->authed ? ",\"person\":\"" : "", rq->authed ? rq->who.id : "",
		rq->authed ? "\"" : "",
		toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ""
		: guard_was_cut(c)			   ? ",\"ended\":\"cut: too slow\""
				   : ",\"ended\":\"connection closed early\"");
	/* a download's decision logged, whose handler was not called again (a
	 * stop or a TLS reload closed its connection once woken): counted too */
	if (rq->waiting && !rq->waiting->told && rq->waiting->r == 0)
		s->observer.decision(s->observer.cls, &rq->waiting->d);
	size_t route = http_route_index(rq->route);
	metrics_observe(&s->metrics, route < METRICS_ROUTES ? route : METRICS_ROUTES, rq->status,
			http_now() - rq->t0);
	spool_free(rq->spool);
	if (rq->fd >= 0)
		close(rq->fd);
	if (rq->upload[0])
		unlink(rq->upload);
	if (rq->body) /* a sign-in's carried a token */
		sodium_memzero(rq->body, rq->len);
	free(rq->body);
	free(rq->waiting);
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
void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	static atomic_llong window;   /* the second the count is for */
	static atomic_uint in_window; /* messages printed in it */
	static atomic_ulong held;     /* messages held back since the last one printed */
	(void)cls;
	long long sec = (long long)http_now();
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
