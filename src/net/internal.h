/* internal.h - what net/'s files share (the server, a request, the routes). */
#ifndef LIAISON_NET_INTERNAL_H
#define LIAISON_NET_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <time.h>

#include "../core/decide.h"
#include "../crypto/keys.h"
#include "../crypto/spool.h"
#include "../node/gengate.h"
#include "../node/node.h"
#include "../node/peer.h"
#include "../sys/lazy_mhd.h"
#include "args.h"
#include "http.h"

#define JSON_BODY_MAX (1u << 20) /* 1 MiB */
#define PATH_PARAMS   2
#define PARAM_MAX     128
#define QUERY_MAX     64 /* query arguments in one request */
/* The policy of every answer (the console's pages above all): its own
 * scripts, styles and pictures only; nothing inline, no framing. */
#define HTTP_CSP                                                                                   \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "          \
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

/* The connections' deadlines (guard.c). */
struct conn;
struct guard {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	bool started, stop;
	struct conn *head; /* the sentinel of the list of connections */
	unsigned header_s; /* seconds for a request's headers (and a body's start) */
	uint64_t min_rate; /* bytes a second a body must keep to */
	atomic_ulong cut;  /* connections cut so far */
};

/* How many requests that add to the log a token, or a peer, may make (limit.c). */
#define LIMIT_BUCKETS 512
struct bucket {
	bool used;
	char key[80];	  /* "t:" and a token's id, or "p:" and a party */
	double level, at; /* what is left of it, and when (monotonic seconds) */
};
struct limit {
	pthread_mutex_t mu;
	unsigned per_minute; /* 0: no bound */
	struct bucket b[LIMIT_BUCKETS];
};
void limit_init(struct limit *l, unsigned per_minute);
void limit_destroy(struct limit *l);
/* Takes one request of key's; false (*retry: seconds until one is left) when none is. */
bool limit_take(struct limit *l, const char *key, double *retry);

/* The daemon's counters for GET /metrics (metrics.c). */
#define METRICS_ROUTES	 64 /* routes counted one by one; one more slot: no route */
#define METRICS_STATUSES 15 /* the statuses counted by name, and "other" */
#define METRICS_BUCKETS	 9  /* latency buckets, +Inf last */
#define METRICS_RULES	 13 /* the rules a denial is counted by (its first failed), and "other" */
struct metrics {
	atomic_ullong requests[METRICS_ROUTES + 1][METRICS_STATUSES];
	/* decisions enforced, by action: [0] PERMIT, [1 + k] DENY by rule k */
	atomic_ullong decisions[ACT__COUNT][1 + METRICS_RULES];
	atomic_ullong latency[METRICS_BUCKETS];
	atomic_ullong latency_us; /* their sum */
	/* questions asked again: the store moved under their light stretch */
	atomic_ullong asked_again;
	atomic_ullong generation_known; /* light questions that read no generation (SQLite) */
};

/* The web console's sessions (session.c): a cookie answered as its token. */
#define SESSIONS_MAX	    1024
#define SESSIONS_PER_TOKEN  16 /* one token's sessions at once; the least used one ends */
#define SESSION_COOKIE_MAX  48 /* 32 random bytes in base64url, with NUL */
#define SESSION_COOKIE	    "liaison_session_" /* and the party: JPN's and KOR's apart */
#define SESSION_COOKIE_NAME 48
struct session {
	bool used;
	uint8_t id[32]; /* the cookie's SHA-256 (the cookie is not kept) */
	uint8_t token[NODE_TOKEN_DIGEST];
	char csrf[SESSION_COOKIE_MAX]; /* what its changes carry in X-CSRF-Token */
	double born, last;	       /* monotonic seconds */
};
struct sessions {
	pthread_mutex_t mu;
	struct session *s; /* SESSIONS_MAX of them, in guarded memory */
	unsigned idle_s, whole_s;
	char name[SESSION_COOKIE_NAME]; /* the cookie's: "__Host-" under TLS, and the party */
};
/* A session as a request holds it. */
struct session_ticket {
	char cookie[SESSION_COOKIE_MAX];
	char csrf[SESSION_COOKIE_MAX];
	uint8_t token[NODE_TOKEN_DIGEST];
	double left; /* seconds until it ends unless used */
};
int sessions_init(struct sessions *t, unsigned idle_s, unsigned whole_s, const char *party,
		  bool tls, struct lerr *e);
/* Seconds on the clock sessions age by (it counts while the machine sleeps). */
double session_now(void);
void sessions_free(struct sessions *t);
/* A new session for the token of digest token: its cookie and CSRF value in
 * *out; LERR_LIMIT when SESSIONS_MAX live ones are open. */
int session_open(struct sessions *t, const uint8_t token[NODE_TOKEN_DIGEST], double now,
		 struct session_ticket *out, struct lerr *e);
/* The live session of cookie whose CSRF value is csrf, into *out (it counts
 * as used now); false for none, and for one whose value csrf is not. */
bool session_find(struct sessions *t, const char *cookie, const char *csrf, double now,
		  struct session_ticket *out) __attribute__((nonnull));
/* Ends the session of cookie (none: nothing). */
void session_close(struct sessions *t, const char *cookie);
/* Whether the browser, if it says, sends the request from this server's own
 * pages (Sec-Fetch-Site same-origin or none, Origin this server). */
struct ctx;
bool http_same_origin(struct ctx *x);

/* A daemon a TLS reload replaced, finishing its connections (http_serve.c). */
struct retired {
	struct MHD_Daemon *d; /* NULL: none */
	int fd;		      /* its descriptor of the listening socket */
	double by;	      /* stopped then at the latest (http_now) */
	char *pem, *key_pem;  /* the pair it served */
	size_t key_len;
};

struct server {
	struct server_opts o;
	struct sessions sessions;
	struct node_observer observer; /* each worker's node tells it of decisions */
	struct metrics metrics;
	struct guard guard;
	struct limit acts;	 /* requests that add to the log, per token and per peer */
	struct log_batch *batch; /* the workers' group commit of decisions (node/log.h) */
	struct gen_gate *gate;	 /* light questions' generation, read once for many (gengate.h) */
	char home[NODE_PATH_MAX];
	char tmpdir[NODE_PATH_MAX + 48];
	struct key_secret key;
	struct stat key_file;	  /* PARTY.pub as key was unsealed: a rotation renames another in */
	pthread_key_t worker_key; /* each worker thread's node and spare request (http.c) */
	bool notify; /* under systemd's Type=notify (NOTIFY_SOCKET): libsystemd loaded */
	struct MHD_Daemon *d;
	char *tls_pem, *tls_key_pem; /* the TLS pair served, NULL without TLS */
	struct retired retired;
	size_t tls_key_len;
	atomic_uint active; /* requests in flight */
	atomic_ulong seq;   /* request numbers, for temporary file names */
};

/* BODY_SEALED: a file too, but classified plaintext: spooled sealed under a
 * key in memory (crypto/spool.h), its file unlinked as soon as it is made;
 * the handler reads it through rq->spool, never by its path */
enum body { BODY_NONE, BODY_JSON, BODY_FILE, BODY_SEALED };

/* who may call a route: anyone, a person with a bearer token, a peer node
 * with a signed request (peer.h) */
enum auth { AUTH_NONE, AUTH_PERSON, AUTH_PEER, AUTH_SIGN_IN };
/* AUTH_SIGN_IN: anyone, from the console's own page only (http_same_origin,
 * checked before the body is read), a JSON body of at most SIGN_IN_BODY_MAX */
#define SIGN_IN_BODY_MAX 1024

#include "../node/access.h"

struct route {
	const char *method;
	const char *pattern; /* "/v1/items/{id}/content" */
	enum body body;
	enum auth auth;
	enum node_op op; /* AUTH_PERSON: what the person asks (the roles it needs, node_may) */
	/* changes nothing: runs on one read snapshot (true); READS_LIGHT: and
	 * may be answered twice (no act, nothing logged or kept): asked in a
	 * light stretch (node_read_begin_light), again in a usual one when the
	 * store moved under it */
	unsigned char reads;
	enum MHD_Result (*fn)(struct ctx *x);
	bool query; /* takes query arguments (args.h); any other route refuses them */
};

enum { READS_LIGHT = 2 }; /* struct route's reads */

/* One request, across the calls libmicrohttpd makes for it. */
struct req {
	const struct route *route;
	char params[PATH_PARAMS][PARAM_MAX];
	char long_param[24];	  /* a path parameter of PARAM_MAX bytes or more: its name */
	struct person who;	  /* the authenticated person */
	bool read_only;		  /* their token may only ask */
	struct store_token token; /* theirs: its last use is recorded after the answer */
	char auth_why[160];	  /* why the token was refused */
	struct peer_request peer; /* AUTH_PEER: the request's signed headers */
	crypto_hash_sha256_state body_hash; /* AUTH_PEER: of the body as it comes */
	bool authed;
	bool by_session;		  /* authenticated by a console session's cookie */
	bool csrf_refused;		  /* a session's request without its CSRF value */
	bool auth_unchecked;		  /* the store did not answer the token's check */
	struct session_ticket session;	  /* it */
	char set_cookie[160];		  /* a Set-Cookie for the answer ("": none) */
	struct arg_pair query[QUERY_MAX]; /* the query's arguments, in libmicrohttpd's memory */
	size_t nquery;
	bool query_over; /* more than QUERY_MAX */
	char *body;	 /* BODY_JSON */
	size_t len;
	int fd;		     /* BODY_FILE, BODY_SEALED: the upload, in tmpdir */
	struct spool *spool; /* BODY_SEALED: it, sealed */
	char upload[NODE_PATH_MAX + 64];
	uint64_t size;
	bool too_big;
	bool cut_short;	      /* answered before its body came: the rest has a short deadline */
	unsigned retry_after; /* 429: seconds to wait, for Retry-After */
	bool bounded;	      /* it took its turn of --max-acts already */
	int write_errno;      /* BODY_FILE: the upload could not be written (disk full) */
	unsigned status;
	double t0;
	const char *method;
	char path[256];
	char allow[48];		 /* the path's methods, for Allow (405, OPTIONS) */
	struct waiting *waiting; /* http_wait: its handler is called again once woken */
	/* in a light stretch: an answer made while the store moved under it is
	 * not sent (queue), and the question is asked again */
	bool light;
	bool ask_again;
	/* a light question's generation, asked of the gate (gen_gate_ask):
	 * GEN_ASKED, its connection suspended until gen.done; GEN_GIVEN, the
	 * answer in gen (gen.r) */
	enum { GEN_NONE, GEN_ASKED, GEN_GIVEN } gen_state;
	struct gen_ask gen;
};

/*
 * A request whose handler waits for something another thread does (a
 * download, for its decision's commit) without holding its worker: the
 * connection suspended (http_wait), woken by http_wake, and its handler
 * called a second time with rq->waiting set, holding what the wake said.
 */
struct waiting {
	struct MHD_Connection *c;
	int r;		   /* what the wake said: 0, or the error */
	struct lerr e;	   /* r's reason */
	struct decision d; /* the handler's, kept for its second call */
	bool told;	   /* d counted for /metrics (the second call, or the request's end) */
};
/* Suspends x's connection once its handler returns (MHD_YES, nothing
 * queued); NULL, nothing suspended, when there is no memory. */
struct waiting *http_wait(struct ctx *x);
/* Wakes a waiting request (cls: its struct waiting), with r and e for its
 * handler's second call; from any thread, once (a node_log_done). */
void http_wake(void *cls, int r, const struct lerr *e);

/* What a handler works with. */
struct ctx {
	struct server *s;
	struct MHD_Connection *c;
	struct req *rq;
	struct node *n; /* this thread's node, its clock read for this request */
};

/* ---- the endpoints' shared parts (api.c), and those in api_export.c ---- */
/* A view's answer (200), or its error. */
enum MHD_Result api_answer(struct ctx *x, int r, json_t *o, const struct lerr *e);

/* A list's page, as its query asks: ?after=ID&limit=N (view_page). */
struct api_list {
	const char *key, *id_key; /* the list in the view's answer, its elements' id */
	const char *after;
	uint64_t limit; /* API_ALL unless given (then 1 to ITEMS_PAGE_MAX) */
};
#define API_ALL UINT64_MAX
#define API_PAGE_ARGS(l)                                                                           \
	{"after", ARG_STRING, .str = &(l).after},                                                  \
	{                                                                                          \
		"limit", ARG_COUNT, .count = &(l).limit                                            \
	}
/* The view's answer (r, o), cut to the page l names; or its error. */
enum MHD_Result api_page(struct ctx *x, int r, json_t *o, struct lerr *e, const struct api_list *l);
/* A denial is 403 with the decision; anything else its error. */
enum MHD_Result api_failed(struct ctx *x, int r, const struct decision *d, const char *item,
			   const struct lerr *e);
/* The JSON body against spec: its tree (json_decref() it: the strings are
 * in it), or NULL with the 400 replied. */
json_t *api_body(struct ctx *x, const struct arg_spec *spec, enum MHD_Result *ret);
/* The query string against spec; false with the 400 replied. */
bool api_query(struct ctx *x, const struct arg_spec *spec, enum MHD_Result *ret);

/* Whether the node's keys were rotated since this daemon unsealed its own
 * (party rotate-key): it would sign with a retired key and cannot open
 * what peers now seal. Every route that seals or signs answers then with
 * api_reply_stale: 503, until the daemon is restarted (peers retry). */
bool api_keys_stale(struct ctx *x);
enum MHD_Result api_reply_stale(struct ctx *x);
/* The whole small file the node wrote at path, as the JSON answer (and gone). */
enum MHD_Result api_file_answer(struct ctx *x, unsigned status, const char *path);
/* QUERY: the route takes query arguments (any other refuses them) */
#define QUERY	 true
#define NO_QUERY false

/* The routes: api.c's, api_export.c's (export control and the log), and
 * console.c's (the web console's files and sessions). */
extern const struct route api_routes[], api_record_routes[], console_routes[];
extern const size_t api_nroutes, api_record_nroutes, console_nroutes;

/* ---- the request's life (http.c), started and stopped by http_serve.c ---- */

/* Each worker thread's node (its own store connection) and spare request. */
struct worker {
	struct node *n;
	struct req *spare;
};
/* A worker's end: its node closed (the thread key's destructor). */
void http_close_worker(void *p);
/* libmicrohttpd's access handler, completion callback and logger. */
enum MHD_Result http_on_request(void *cls, struct MHD_Connection *c, const char *url,
				const char *method, const char *version, const char *data,
				size_t *size, void **con_cls);
void http_on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		  enum MHD_RequestTerminationCode toe);
void http_mhd_log(void *cls, const char *fmt, va_list ap);
/* Seconds on the monotonic clock. */
double http_now(void);

/* ---- replies and arguments (http_reply.c) ---- */
/* MHD_get_connection_values' iterator: each query argument into the request. */
enum MHD_Result query_pair(void *cls, enum MHD_ValueKind kind, const char *key, const char *value);
/* The query's arguments within bounds (at most QUERY_MAX, none for a route
 * that takes none); LERR_INVAL in e otherwise. A handler's arg_spec then
 * reads them (args_query refuses unknown and repeated ones). */
int query_check(struct ctx *x, struct lerr *e);

enum MHD_Result reply_json(struct ctx *x, unsigned status, json_t *body);
/* An error object, with the status its code calls for (400, 404, 409...). */
enum MHD_Result reply_error(struct ctx *x, const struct lerr *e);
/* The same, with more's members beside "error" (more is taken; NULL: none). */
enum MHD_Result reply_error_with(struct ctx *x, const struct lerr *e, json_t *more);
/* A peer's message refused for good (its request's signature checked): the
 * error, with this node's signed refusal beside it ("receipt", "signature"). */
enum MHD_Result reply_peer_refused(struct ctx *x, const struct lerr *e);
enum MHD_Result reply_errorf(struct ctx *x, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A denial (LERR_DENIED): 403, the error with the decision inside. */
enum MHD_Result reply_denied(struct ctx *x, const struct lerr *e, const struct decision *d,
			     const char *item);
/* buf (malloc'd; taken, freed when sent) as the body. */
enum MHD_Result reply_bytes(struct ctx *x, unsigned status, char *buf, size_t len,
			    const char *type);
/* Bytes that live as long as the program (the console's), as the body. */
enum MHD_Result reply_static(struct ctx *x, const void *buf, size_t len, const char *type);
/* A file's bytes (fd is taken), as a download. */
enum MHD_Result reply_fd(struct ctx *x, int fd, uint64_t size, const char *type);
/* reply_fd with one more header (header NULL: none). */
enum MHD_Result reply_fd_with(struct ctx *x, int fd, uint64_t size, const char *type,
			      const char *header, const char *value);
/* Bytes a producer thread writes into a pipe, streamed (see http_reply.c); when
 * it sets *failed before closing its end, the answer is cut, not ended. */
enum MHD_Result reply_stream(struct ctx *x, int fd, void *producer, void (*done)(void *),
			     const atomic_bool *failed);

/* ---- the connections' deadlines (guard.c) ---- */
/* Starts the watchdog: headers within header_s seconds, bodies at min_rate. */
int guard_start(struct guard *g, unsigned header_s, uint64_t min_rate, struct lerr *e);
/* Stops it (after libmicrohttpd has closed every connection). */
void guard_stop(struct guard *g);
/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION: a connection opened or closed. */
void guard_notify(void *cls, struct MHD_Connection *c, void **ctx,
		  enum MHD_ConnectionNotificationCode toe);
/* libmicrohttpd's MHD_OPTION_UNESCAPE_CALLBACK: decodes a path or query
 * part, noting on the connection an escaped NUL (%00), which would cut it. */
size_t guard_unescape(void *cls, struct MHD_Connection *c, char *s);
/* Whether the request being read had an escaped NUL (and forgets it). */
bool guard_escaped_nul(struct MHD_Connection *c);
/* Whether the watchdog cut the connection (for the access log). */
bool guard_was_cut(struct MHD_Connection *c);
/* A request's headers are in: its body must follow within the budget, at the minimum rate. */
void guard_request(const struct guard *g, struct MHD_Connection *c);
/* n more bytes of the body came. */
void guard_body(const struct guard *g, struct MHD_Connection *c, size_t n);
/* The whole request is in: the answer goes out without a deadline. */
void guard_answering(struct MHD_Connection *c);
/* The answer went out: the connection's next request must come within the budget. */
void guard_idle(const struct guard *g, struct MHD_Connection *c);

/* The realtime clock ms milliseconds from now, for pthread_cond_timedwait (guard.c). */
struct timespec after_ms(long ms);

/* ---- the outbound lanes, one per peer (lanes.c) ---- */
struct lanes;
/* Starts delivering and witnessing, a lane per peer. */
int lanes_start(struct server *s, struct lanes **out, struct lerr *e);
/* Cancels the transfers in flight and stops every lane (NULL: nothing). */
void lanes_stop(struct lanes *ls);

/* BODY_SEALED: the upload's plaintext, as a source for envelope_seal (src, filled). */
const struct env_source *upload_source(struct ctx *x, struct env_source *src);

/* A fresh temporary path in tmpdir for a file the node writes (release, consent...). */
void temp_path(struct ctx *x, const char *what, char *buf, size_t n);

/* Counts a request that ended: its route (the route table's index; one past
 * the last: none), its status and how long it took. */
void metrics_observe(struct metrics *m, size_t route, unsigned status, double seconds);

/* node_observer's: counts a decision enforced (cls: the struct metrics). */
void metrics_decision(void *cls, const struct decision *d);

/*
 * The metrics in Prometheus's text format into *text (free() it, *len
 * bytes): the counters of s, and the state of node n; route_name names a
 * route index (as metrics_observe counts them).
 */
int metrics_render(struct server *s, struct node *n,
		   const char *(*route_name)(size_t, char *, size_t), char **text, size_t *len,
		   struct lerr *e);

/* The route table's index of r (NULL: one past the last), and its name. */
size_t http_route_index(const struct route *r);
const char *http_route_name(size_t i, char *buf, size_t n);

#endif
