/* http_reply.c - the daemon's replies (JSON, errors, files, streams) and its query arguments (see
 * http.h, internal.h). */
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

/* ---- replies ---- */

static enum MHD_Result queue(struct ctx *x, unsigned status, struct MHD_Response *r,
			     const char *type)
{
	if (!r)
		return MHD_NO;
	if (x->rq->light && x->n && node_read_moved(x->n)) { /* not one snapshot: asked again */
		MHD_destroy_response(r);
		x->rq->ask_again = true;
		return MHD_YES;
	}
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	/* every answer, JSON or the console's, under one strict policy: the
	 * console's own scripts and styles only, no framing, no sniffing */
	MHD_add_response_header(r, "Content-Security-Policy", HTTP_CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	if (x->rq->set_cookie[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, x->rq->set_cookie);
	if ((status == MHD_HTTP_METHOD_NOT_ALLOWED || status == MHD_HTTP_NO_CONTENT) &&
	    x->rq->allow[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, x->rq->allow);
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

enum MHD_Result reply_error_with(struct ctx *x, const struct lerr *e, json_t *more)
{
	char msg[LERR_MSG_MAX];
	const char *m = hide_paths(x, e->msg, msg, sizeof msg);
	struct lerr hidden = *e;
	if (m != e->msg)
		str_copy(hidden.msg, sizeof hidden.msg, m);
	json_t *o = view_error(&hidden);
	if (o && more && json_object_update(o, more) != 0) {
		json_decref(o);
		o = NULL;
	}
	json_decref(more);
	return reply_json(x, lerr_kind(e->code)->http, o);
}

enum MHD_Result reply_error(struct ctx *x, const struct lerr *e)
{
	return reply_error_with(x, e, NULL);
}

enum MHD_Result reply_peer_refused(struct ctx *x, const struct lerr *e)
{
	char *text = NULL;
	size_t len = 0;
	(void)node_peer_refusal(x->n, &x->s->key, &x->rq->peer, &text, &len);
	json_t *refusal = text ? json_loadb(text, len, 0, NULL) : NULL;
	free(text);
	return reply_error_with(x, e, refusal);
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

enum MHD_Result reply_static(struct ctx *x, const void *buf, size_t len, const char *type)
{
	return queue(
	    x, MHD_HTTP_OK,
	    MHD_create_response_from_buffer(len, (void *)(uintptr_t)buf, MHD_RESPMEM_PERSISTENT),
	    type);
}

enum MHD_Result reply_denied(struct ctx *x, const struct lerr *e, const struct decision *d,
			     const char *item)
{
	return reply_json(x, lerr_kind(e->code)->http, view_denied(e, d, x->rq->who.id, item));
}

enum MHD_Result reply_fd_with(struct ctx *x, int fd, uint64_t size, const char *type,
			      const char *header, const char *value)
{
	struct MHD_Response *r = MHD_create_response_from_fd((size_t)size, fd);
	if (!r)
		close(fd);
	else if (header && MHD_add_response_header(r, header, value) != MHD_YES) {
		MHD_destroy_response(r); /* it closes fd */
		return reply_errorf(x, MHD_HTTP_INTERNAL_SERVER_ERROR, "io",
				    "%s: cannot be added to the answer", header);
	}
	return queue(x, MHD_HTTP_OK, r, type);
}

enum MHD_Result reply_fd(struct ctx *x, int fd, uint64_t size, const char *type)
{
	return reply_fd_with(x, fd, size, type, NULL, NULL);
}

struct stream {
	int fd;
	void *producer;
	void (*done)(void *);
	const atomic_bool *failed; /* set by the producer before it closes its end */
	int sock;		   /* the connection's socket, or -1 */
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	(void)pos;
	for (;;) {
		ssize_t n = read(st->fd, buf, max);
		if (n > 0)
			return n;
		if (n == 0 && !atomic_load(st->failed))
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (n == 0) { /* a producer that failed cuts the answer: never a whole-looking
			       * one; the socket shut now, for the client to know at once
			       * (libmicrohttpd closes it at its next turn, which may be
			       * seconds away) */
			if (st->sock >= 0)
				(void)shutdown(st->sock, SHUT_RDWR);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
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
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(x->c, MHD_CONNECTION_INFO_CONNECTION_FD);
	*st = (struct stream){fd, producer, done, failed, ci ? ci->connect_fd : -1};
	return queue(x, MHD_HTTP_OK,
		     MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, st,
						       stream_free),
		     "application/octet-stream");
}

/* ---- arguments ---- */

enum MHD_Result query_pair(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
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
int query_check(struct ctx *x, struct lerr *e)
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
