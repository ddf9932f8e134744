/*
 * console.c - the web console: its files, built into the binary, and its
 * sessions' routes (sign-in, the session, sign-out). The pages are plain
 * HTML, CSS and ES modules (console/, docs/console.md) that call /v1/ as
 * the signed-in person: the console adds no power of its own.
 */
#include <sodium.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "../core/text.h"
#include "../node/encode.h"
#include "assets.h"
#include "internal.h"

static const struct {
	const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".woff2", "font/woff2"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *asset_type(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		size_t k = strlen(types[i].ext);
		if (n > k && strcmp(name + n - k, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

static enum MHD_Result asset(struct ctx *x, const char *name)
{
	for (size_t i = 0; i < console_nassets; i++)
		if (strcmp(console_assets[i].name, name) == 0)
			return reply_static(x, console_assets[i].data, console_assets[i].len,
					    asset_type(name));
	return reply_errorf(x, MHD_HTTP_NOT_FOUND, "not-found", "no such console file: %.128s",
			    name);
}

static enum MHD_Result h_console_index(struct ctx *x)
{
	return asset(x, "index.html");
}

static enum MHD_Result h_console_file(struct ctx *x)
{
	return asset(x, x->rq->params[0]);
}

/* The answer's Set-Cookie: the session's cookie with value and more (its
 * name: sessions_init's; Secure under TLS or a public https origin). */
static void set_cookie(struct ctx *x, const char *value, const char *more)
{
	const struct sessions *t = &x->s->sessions;
	int w = snprintf(x->rq->set_cookie, sizeof x->rq->set_cookie,
			 "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", t->name, value, more,
			 strncmp(t->name, "__Host-", 7) == 0 ? "; Secure" : "");
	if (w < 0 || (size_t)w >= sizeof x->rq->set_cookie)
		x->rq->set_cookie[0] = '\0'; /* cannot be: the sizes are fixed */
}

/* The session's answer: the person, when it ends; at sign-in alone, the
 * CSRF value its requests carry (a cookie alone never gets it). */
static enum MHD_Result session_answer(struct ctx *x, unsigned status, bool csrf)
{
	const struct session_ticket *k = &x->rq->session;
	json_t *o = json_object();
	if (!o)
		return reply_errorf(x, MHD_HTTP_INTERNAL_SERVER_ERROR, "no-memory",
				    "out of memory");
	json_object_set_new(o, "person", encode_person(&x->rq->who));
	if (csrf)
		json_object_set_new(o, "csrf", json_string(k->csrf));
	encode_instant(o, "expires", (int64_t)time(NULL) + (int64_t)k->left);
	json_object_set_new(o, "idle_seconds", json_integer(x->s->sessions.idle_s));
	json_object_set_new(o, "read_only", json_boolean(x->rq->read_only));
	return reply_json(x, status, o);
}

/* POST /v1/session {"token"}: a session for the token's person, as a cookie. */
static enum MHD_Result h_session_open(struct ctx *x)
{
	enum MHD_Result ret;
	const char *token;
	const struct arg_spec spec[] = {{"token", ARG_STRING, true, .str = &token}, {0}};
	json_t *b = api_body(x, spec, &ret);
	if (x->rq->body) /* the token, in the request's copy */
		sodium_memzero(x->rq->body, x->rq->len);
	if (!b)
		return ret;
	struct req *rq = x->rq;
	struct lerr e = {0};
	uint8_t h[NODE_TOKEN_DIGEST];
	int r = node_token_digest(token, h, &e);
	sodium_memzero((char *)(uintptr_t)token, strlen(token)); /* and in jansson's */
	json_decref(b);
	if (r == 0 && (r = node_read_begin(x->n, &e)) == 0) {
		r = node_token_check_digest(x->n, h, &rq->who, &rq->token, &e);
		node_read_end(x->n);
	}
	if (r < 0)
		return reply_errorf(
		    x, e.code == LERR_AUTH ? MHD_HTTP_UNAUTHORIZED : MHD_HTTP_SERVICE_UNAVAILABLE,
		    e.code == LERR_AUTH ? "auth" : "store", "sign-in refused: %s", e.msg);
	/* a session the browser held already ends: one browser, one session
	 * (when the sign-in shows its CSRF value: a cookie taken elsewhere
	 * cannot end it) */
	const char *old = MHD_lookup_connection_value(x->c, MHD_COOKIE_KIND, x->s->sessions.name);
	const char *csrf = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "X-CSRF-Token");
	struct session_ticket was;
	if (old && csrf && session_find(&x->s->sessions, old, csrf, session_now(), &was))
		session_close(&x->s->sessions, old);
	sodium_memzero(&was, sizeof was);
	if (session_open(&x->s->sessions, h, session_now(), &rq->session, &e) < 0)
		return reply_errorf(x, MHD_HTTP_SERVICE_UNAVAILABLE, "limit", "%s", e.msg);
	rq->authed = true; /* the token's day of use is recorded, as a request's */
	rq->read_only = rq->token.read_only;
	/* no Max-Age: the browser keeps it in memory only, never on its disk */
	set_cookie(x, rq->session.cookie, "");
	return session_answer(x, MHD_HTTP_CREATED, true);
}

static enum MHD_Result no_session(struct ctx *x)
{
	return reply_errorf(x, MHD_HTTP_BAD_REQUEST, "invalid",
			    "this request came with a bearer token, not a console session");
}

/* GET /v1/session: the session the cookie names, asked with its CSRF value
 * (a page reloaded keeps it in its origin's storage). */
static enum MHD_Result h_session(struct ctx *x)
{
	return x->rq->by_session ? session_answer(x, MHD_HTTP_OK, false) : no_session(x);
}

/* POST /v1/session/end: sign-out; the cookie is forgotten here and in the browser. */
static enum MHD_Result h_session_end(struct ctx *x)
{
	struct req *rq = x->rq;
	if (!rq->by_session)
		return no_session(x);
	session_close(&x->s->sessions, rq->session.cookie);
	set_cookie(x, "", "; Max-Age=0");
	return reply_bytes(x, MHD_HTTP_NO_CONTENT, NULL, 0, NULL);
}

/* clang-format off */
const struct route console_routes[] = {
    {"GET", "/", BODY_NONE, AUTH_NONE, OP_READ, true, h_console_index, NO_QUERY},
    {"GET", "/console/{file}", BODY_NONE, AUTH_NONE, OP_READ, true, h_console_file, NO_QUERY},
    {"POST", "/v1/session", BODY_JSON, AUTH_SIGN_IN, OP_READ, false, h_session_open, NO_QUERY},
    {"GET", "/v1/session", BODY_NONE, AUTH_PERSON, OP_READ, true, h_session, NO_QUERY},
    {"POST", "/v1/session/end", BODY_NONE, AUTH_PERSON, OP_READ, false, h_session_end, NO_QUERY},
};
/* clang-format on */
const size_t console_nroutes = sizeof console_routes / sizeof console_routes[0];
