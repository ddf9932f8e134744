/*
 * api.c - the endpoints of /v1/ (docs/api.md, docs/openapi.yaml). Each
 * parses its arguments, calls node/ as the authenticated person, and
 * answers with the objects the CLI prints with --json; those of /v1/export/
 * and /v1/log/ are in api_export.c.
 */
#define _GNU_SOURCE /* pipe2, memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../crypto/fio.h"
#include "../node/acts.h"
#include "../node/encode.h"
#include "../node/exchange.h"
#include "../node/items.h"
#include "../node/log.h"
#include "../node/views.h"
#include "args.h"
#include "internal.h"

#define P0 (x->rq->params[0])

/* A view's answer, or its error. */
enum MHD_Result api_answer(struct ctx *x, int r, json_t *o, const struct lerr *e)
{
	return r < 0 ? reply_error(x, e) : reply_json(x, MHD_HTTP_OK, o);
}

enum MHD_Result api_page(struct ctx *x, int r, json_t *o, struct lerr *e, const struct api_list *l)
{
	const bool all = l->limit == API_ALL;
	if (r == 0 && !all && (l->limit == 0 || l->limit > ITEMS_PAGE_MAX)) {
		json_decref(o);
		lerr_set(e, LERR_INVAL, "limit: %llu is not from 1 to %d",
			 (unsigned long long)l->limit, ITEMS_PAGE_MAX);
		r = lerr_field(e, "limit");
	} else if (r == 0 && (r = view_page(o, l->key, l->id_key, l->after,
					    all ? 0 : (size_t)l->limit, e)) < 0)
		json_decref(o);
	return api_answer(x, r, o, e);
}

/* A denial is 403 with the decision; anything else its error. */
enum MHD_Result api_failed(struct ctx *x, int r, const struct decision *d, const char *item,
			   const struct lerr *e)
{
	return r == LERR_DENIED ? reply_denied(x, e, d, item) : reply_error(x, e);
}

/* The JSON body against spec: its tree (json_decref() it: the strings are
 * in it), or NULL with the 400 replied. */
json_t *api_body(struct ctx *x, const struct arg_spec *spec, enum MHD_Result *ret)
{
	struct lerr e = {0};
	json_t *b = args_body(x->rq->body, x->rq->len, spec, &e);
	if (!b)
		*ret = reply_error(x, &e);
	return b;
}

/* The query string against spec; false with the 400 replied. */
bool api_query(struct ctx *x, const struct arg_spec *spec, enum MHD_Result *ret)
{
	struct lerr e = {0};
	if (args_query(x->rq->query, x->rq->nquery, spec, &e) == 0)
		return true;
	*ret = reply_error(x, &e);
	return false;
}

/* The whole small file the node wrote at path, as the JSON answer (and gone). */
enum MHD_Result api_file_answer(struct ctx *x, unsigned status, const char *path)
{
	char *text;
	size_t n;
	struct lerr e = {0};
	int r = fio_read_file(path, 1 << 20, &text, &n, &e);
	unlink(path);
	if (r < 0)
		return reply_error(x, &e);
	json_error_t je;
	json_t *o = json_loadb(text, n, 0, &je);
	free(text);
	return o ? reply_json(x, status, o)
		 : reply_errorf(x, MHD_HTTP_INTERNAL_SERVER_ERROR, "io", "unreadable answer");
}

/* ---- the node ---- */

/* Alive: the daemon answers (a process supervisor's probe; nothing asked of the store). */
static enum MHD_Result h_health(struct ctx *x)
{
	json_t *o = json_pack("{s:b, s:s}", "ok", 1, "party", x->n->party);
	encode_clock(o, &x->n->clock);
	return reply_json(x, MHD_HTTP_OK, o);
}

/* The metrics, in Prometheus's text format (auditors). */
static enum MHD_Result h_metrics(struct ctx *x)
{
	char *text;
	size_t len;
	struct lerr e = {0};
	if (metrics_render(x->s, x->n, http_route_name, &text, &len, &e) < 0)
		return reply_error(x, &e);
	return reply_bytes(x, MHD_HTTP_OK, text, len, "text/plain; version=0.0.4; charset=utf-8");
}

bool api_keys_stale(struct ctx *x)
{
	struct key_public now;
	struct lerr e = {0};
	char pub[NODE_PATH_MAX + 64];
	struct stat sb;
	/* on the routes that seal or sign: one stat, the same file as at start
	 * being the usual answer; else its keys are read and compared */
	if (node_key_path(x->s->home, x->n->party, "pub", pub, sizeof pub, &e) == 0 &&
	    stat(pub, &sb) == 0 && sb.st_ino == x->s->key_file.st_ino &&
	    sb.st_dev == x->s->key_file.st_dev &&
	    sb.st_mtim.tv_sec == x->s->key_file.st_mtim.tv_sec &&
	    sb.st_mtim.tv_nsec == x->s->key_file.st_mtim.tv_nsec)
		return false;
	return node_public_key(x->n, x->n->party, &now, &e) == 0 &&
	       !key_public_equal(&now, &x->s->key.pub);
}

enum MHD_Result api_reply_stale(struct ctx *x)
{
	return reply_errorf(x, MHD_HTTP_SERVICE_UNAVAILABLE, "keys",
			    "%s's keys were rotated since this daemon started: it seals and signs "
			    "nothing until it is restarted",
			    x->n->party);
}

/* Ready: the store answers, the node's keys are unsealed (the ones in
 * use: not rotated since); else 503 saying which (a load balancer's
 * probe). Anyone may ask it: it says nothing of peers' alarms (GET
 * /v1/log/alarms, an auditor's; /v1/peers), which leave the node ready:
 * a peer must not take it out of service by signing a fork of its log. */
static enum MHD_Result h_ready(struct ctx *x)
{
	json_t *problems = json_array();
	struct lerr e = {0};
	uint64_t size = 0;
	if (node_log_size(x->n, &size, &e) < 0)
		json_array_append_new(problems, json_sprintf("store: %s", e.msg));
	if (!x->s->key.sign_sk || !x->s->key.box_sk)
		json_array_append_new(problems, json_string("the node's keys are not unsealed"));
	else if (api_keys_stale(x)) /* party rotate-key since it began */
		json_array_append_new(problems,
				      json_string("the node's keys were rotated since this daemon "
						  "started: restart it to sign with the new ones"));
	bool ok = json_array_size(problems) == 0;
	json_t *o =
	    json_pack("{s:b, s:s, s:o}", "ok", ok, "party", x->n->party, "problems", problems);
	encode_clock(o, &x->n->clock);
	return reply_json(x, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, o);
}

static enum MHD_Result h_me(struct ctx *x)
{
	return reply_json(x, MHD_HTTP_OK, encode_person(&x->rq->who));
}

static enum MHD_Result h_config(struct ctx *x)
{
	enum MHD_Result ret;
	bool dry = false;
	const struct arg_spec q[] = {{"dry_run", ARG_BOOL, .flag = &dry}, {0}};
	if (!api_query(x, q, &ret))
		return ret;
	struct config cfg;
	struct config_summary sum;
	struct lerr e = {0};
	if (config_load(x->rq->upload, &cfg, &e) < 0) {
		/* the message names the temporary file: name the body instead */
		const char *m = strstr(e.msg, ": ");
		char tmp[LERR_MSG_MAX];
		str_copy(tmp, sizeof tmp, m ? m + 2 : e.msg);
		lerr_set(&e, LERR_INVAL, "request body: %s", tmp);
		return reply_error(x, &e);
	}
	int r = node_config_apply(x->n, &x->rq->who, &cfg, "request body", dry, &sum, &e);
	config_free(&cfg);
	if (r < 0)
		return reply_error(x, &e);
	return reply_json(x, MHD_HTTP_OK,
			  encode_config_summary(&sum, dry ? "would apply" : "applied"));
}

static enum MHD_Result h_party(struct ctx *x)
{
	struct party p;
	struct lerr e = {0};
	if (node_party_get(x->n, P0, &p, &e) < 0)
		return reply_error(x, &e);
	return reply_json(x, MHD_HTTP_OK, encode_party(&p));
}

static enum MHD_Result h_party_key(struct ctx *x)
{
	enum MHD_Result ret;
	bool replace = false, compromised = false;
	const struct arg_spec q[] = {{"replace", ARG_BOOL, .flag = &replace},
				     {"compromised", ARG_BOOL, .flag = &compromised},
				     {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int r = view_party_key_add(x->n, P0, x->rq->upload, replace, compromised, &o, &e);
	return api_answer(x, r, o, &e);
}

/* ---- agreements ---- */

static enum MHD_Result h_agreements(struct ctx *x)
{
	enum MHD_Result ret;
	date_t on = x->n->clock.today;
	struct api_list l = {"agreements", "id", NULL, API_ALL};
	const struct arg_spec q[] = {{"at", ARG_DATE, .date = &on}, API_PAGE_ARGS(l), {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_agreements(x->n, on, &o, &e);
	return api_page(x, rv, o, &e, &l);
}

static enum MHD_Result h_agreement(struct ctx *x)
{
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_agreement(x->n, P0, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_status(struct ctx *x)
{
	enum MHD_Result ret;
	date_t on = x->n->clock.today;
	const char *without = NULL;
	const struct arg_spec q[] = {
	    {"at", ARG_DATE, .date = &on}, {"without", ARG_STRING, .str = &without}, {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_agreement_status(x->n, P0, on, without, &o, &e);
	return api_answer(x, rv, o, &e);
}

/* A timeline's query (?from=&to=&without=): false with the 400 in *ret. */
struct timeline_query {
	date_t from, to;
	bool has_from, has_to;
	const char *without;
};

static bool timeline_query(struct ctx *x, struct timeline_query *t, enum MHD_Result *ret)
{
	*t = (struct timeline_query){0};
	const struct arg_spec q[] = {{"from", ARG_DATE, .date = &t->from, .given = &t->has_from},
				     {"to", ARG_DATE, .date = &t->to, .given = &t->has_to},
				     {"without", ARG_STRING, .str = &t->without},
				     {0}};
	return api_query(x, q, ret);
}

static enum MHD_Result h_timeline(struct ctx *x)
{
	enum MHD_Result ret;
	struct timeline_query t;
	if (!timeline_query(x, &t, &ret))
		return ret;
	json_t *o;
	struct lerr e = {0};
	int r = view_agreement_timeline(x->n, P0, t.has_from ? &t.from : NULL,
					t.has_to ? &t.to : NULL, t.without, &o, &e);
	return api_answer(x, r, o, &e);
}

/* The same timeline as a picture (SVG), for the console and `timeline --svg`. */
static enum MHD_Result h_timeline_svg(struct ctx *x)
{
	enum MHD_Result ret;
	struct timeline_query t;
	if (!timeline_query(x, &t, &ret))
		return ret;
	char *svg;
	size_t len;
	struct lerr e = {0};
	if (view_agreement_timeline_svg(x->n, P0, t.has_from ? &t.from : NULL,
					t.has_to ? &t.to : NULL, t.without, &svg, &len, &e) < 0)
		return reply_error(x, &e);
	return reply_bytes(x, MHD_HTTP_OK, svg, len, "image/svg+xml; charset=utf-8");
}

/* An event recorded (201), or with ?dry_run=true checked and kept nowhere (200). */
static enum MHD_Result h_event(struct ctx *x)
{
	enum MHD_Result ret;
	bool dry = false;
	const struct arg_spec q[] = {{"dry_run", ARG_BOOL, .flag = &dry}, {0}};
	if (!api_query(x, q, &ret))
		return ret;
	struct agr_event ev = {0};
	const char *kind, *by = NULL;
	const struct arg_spec spec[] = {{"date", ARG_DATE, true, .date = &ev.date},
					{"kind", ARG_STRING, true, .str = &kind},
					{"by", ARG_STRING, .str = &by},
					{0}};
	json_t *b, *o = NULL;
	if (!(b = api_body(x, spec, &ret)))
		return ret;
	struct lerr e = {0};
	const char *bad = NULL;
	int r = 0;
	if (agr_event_kind_parse(kind, &ev.kind, &e) < 0)
		bad = "kind";
	else if (by && (party_code_check(by, &e) < 0 || !str_copy(ev.by, sizeof ev.by, by)))
		bad = "by";
	if (bad) {
		lerr_prefix(&e, "%s", bad);
		r = lerr_field(&e, bad);
	} else
		r = view_event_record(x->n, P0, &ev, "api", dry, &o, &e);
	json_decref(b);
	return r < 0 ? reply_error(x, &e) : reply_json(x, dry ? MHD_HTTP_OK : MHD_HTTP_CREATED, o);
}

/* ---- people ---- */

static enum MHD_Result h_people(struct ctx *x)
{
	enum MHD_Result ret;
	struct api_list l = {"people", "id", NULL, API_ALL};
	const struct arg_spec q[] = {API_PAGE_ARGS(l), {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_people(x->n, &x->rq->who, &o, &e);
	return api_page(x, rv, o, &e, &l);
}

static enum MHD_Result h_person(struct ctx *x)
{
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_person(x->n, &x->rq->who, P0, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_person_put(struct ctx *x)
{
	enum MHD_Result ret;
	bool replace = false;
	const struct arg_spec q[] = {{"replace", ARG_BOOL, .flag = &replace}, {0}};
	if (!api_query(x, q, &ret))
		return ret;
	struct person p;
	struct lerr e = {0};
	if (config_parse_person(x->rq->body ? x->rq->body : "", x->rq->len, &p, &e) < 0 ||
	    node_person_put(x->n, &x->rq->who, &p, replace, &e) < 0)
		return reply_error(x, &e);
	return reply_json(x, MHD_HTTP_CREATED, encode_person(&p));
}

/* ---- items ---- */

#define ITEMS_PAGE 100

static enum MHD_Result h_items(struct ctx *x)
{
	enum MHD_Result ret;
	const char *after = NULL;
	uint64_t limit = ITEMS_PAGE;
	struct item_filter f = {0};
	date_t from, to;
	bool has_from = false, has_to = false;
	const struct arg_spec q[] = {{"after", ARG_STRING, .str = &after},
				     {"limit", ARG_COUNT, .count = &limit},
				     {"level", ARG_STRING, .str = &f.level},
				     {"originator", ARG_STRING, .str = &f.originator},
				     {"from", ARG_DATE, .date = &from, .given = &has_from},
				     {"to", ARG_DATE, .date = &to, .given = &has_to},
				     {"ntk", ARG_STRING, .str = &f.ntk},
				     {"q", ARG_STRING, .str = &f.q},
				     {0}};
	if (!api_query(x, q, &ret))
		return ret;
	f.from = has_from ? &from : NULL;
	f.to = has_to ? &to : NULL;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_items(x->n, &x->rq->who, &f, after,
			    limit > ITEMS_PAGE_MAX ? 0 : (size_t)limit, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_item(struct ctx *x)
{
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_item(x->n, &x->rq->who, P0, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_share(struct ctx *x)
{
	if (api_keys_stale(x)) /* it would seal or sign with a retired key */
		return api_reply_stale(x);
	enum MHD_Result ret;
	const char *rel[LABEL_LIST_MAX], *pur[LABEL_LIST_MAX], *cav[LABEL_LIST_MAX];
	struct arg_list lr = {rel, 0, LABEL_LIST_MAX}, lp = {pur, 0, LABEL_LIST_MAX},
			lc = {cav, 0, LABEL_LIST_MAX};
	struct env_source src;
	struct item_share rq = {
	    .file = "the upload", .source = upload_source(x, &src), .by = x->rq->who.id};
	const struct arg_spec q[] = {{"level", ARG_STRING, true, .str = &rq.level},
				     {"title", ARG_STRING, true, .str = &rq.title},
				     {"releasable", ARG_LIST, .list = &lr},
				     {"ntk", ARG_STRING, .str = &rq.ntk},
				     {"purpose", ARG_LIST, .list = &lp},
				     {"caveat", ARG_LIST, .list = &lc},
				     {"export_entry", ARG_STRING, .str = &rq.export_entry},
				     {"revocable", ARG_BOOL, .flag = &rq.revocable},
				     {0}};
	if (!api_query(x, q, &ret))
		return ret;
	rq.releasable = rel, rq.nreleasable = lr.n;
	rq.purposes = pur, rq.npurposes = lp.n;
	rq.caveats = cav, rq.ncaveats = lc.n;
	struct store_item it;
	struct label l;
	struct lerr e = {0};
	if (node_item_share(x->n, &rq, &x->s->key, &it, &l, &e) < 0)
		return reply_error(x, &e);
	return reply_json(x, MHD_HTTP_CREATED, encode_item(&it, &l, x->n->party));
}

/* The download: a payload up to DOWNLOAD_INLINE_MAX opened by the worker
 * into memory; a larger one by node_item_open in a thread of its own,
 * through a pipe. */
#define DOWNLOAD_INLINE_MAX (1u << 20)
struct opener {
	pthread_t th;
	char home[NODE_PATH_MAX];
	char item[LABEL_WORD_MAX];
	const struct key_secret *key;
	int fd;
	atomic_bool failed; /* set before fd is closed: the answer is cut */
};

static void *open_item(void *arg_)
{
	struct opener *o = arg_;
	struct node *n;
	struct lerr e = {0};
	uint64_t bytes = 0;
	int r = node_open(o->home, &n, &e);
	if (r == 0) {
		r = node_item_open(n, o->item, o->key, o->fd, false, &bytes, &e);
		node_close(n);
	}
	if (r < 0) {
		fprintf(stderr, "liaison serve: download of %s: %s\n", o->item, e.msg);
		atomic_store(&o->failed, true);
	}
	close(o->fd); /* the end of the stream (cut short on an error) */
	return NULL;
}

static void opened(void *arg_)
{
	struct opener *o = arg_;
	pthread_join(o->th, NULL);
	free(o);
}

/*
 * A download: its decision made, then its log entry committed by the log's
 * committer while the connection waits (http_wait) and this worker serves
 * others; woken once the entry is durable, the handler's second call
 * sends the payload (nothing of it before).
 */
static enum MHD_Result h_content(struct ctx *x)
{
	struct waiting *w = x->rq->waiting;
	struct decide_args a = {
	    .person = x->rq->who.id, .item = P0, .action = ACT_DOWNLOAD, .date = x->n->clock.today};
	struct lerr e = {0};
	int r;
	if (!w) {
		if (api_keys_stale(x)) /* it would seal or sign with a retired key */
			return api_reply_stale(x);
		enum MHD_Result ret;
		const struct arg_spec q[] = {{"purpose", ARG_STRING, .str = &a.purpose}, {0}};
		if (!api_query(x, q, &ret))
			return ret;
		if (!(w = http_wait(x))) {
			lerr_set(&e, LERR_NOMEM, "out of memory");
			return reply_error(x, &e);
		}
		if ((r = node_enforce_submit(x->n, &a, &w->d, http_wake, w, &e)) < 0)
			http_wake(w, r, &e); /* no decision: said on the second call */
		return MHD_YES;
	}
	e = w->e;
	r = node_enforced(x->n, &a, &w->d, w->r, &e);
	w->told = true;
	if (r < 0)
		return api_failed(x, r, &w->d, P0, &e);
	/* a small payload opened here, by this worker's node, into memory: the
	 * answer has its length, and a failure its status */
	int m = memfd_create("liaison-download", MFD_CLOEXEC);
	if (m >= 0) {
		uint64_t bytes = 0;
		r = node_item_open_within(x->n, P0, &x->s->key, m, DOWNLOAD_INLINE_MAX, &bytes, &e);
		if (r == 0)
			return reply_fd(x, m, bytes, "application/octet-stream");
		close(m);
		if (r < 0) {
			/* the node's own stored payload: the daemon's fault, said in its
			 * log (a store that did not answer: 503, to be tried again) */
			fprintf(stderr, "liaison serve: download of %s: %s\n", P0, e.msg);
			if (r == LERR_STORE)
				return reply_errorf(x, MHD_HTTP_SERVICE_UNAVAILABLE, "store",
						    "item %s could not be read from the store now "
						    "(the daemon's log says why)",
						    P0);
			return reply_errorf(
			    x, MHD_HTTP_INTERNAL_SERVER_ERROR, "io",
			    "item %s could not be opened (the daemon's log says why)", P0);
		}
	}
	/* a larger one in a thread of its own, streamed */
	int p[2];
	struct opener *o = calloc(1, sizeof *o);
	if (!o || pipe2(p, O_CLOEXEC) != 0) {
		free(o);
		return reply_errorf(x, MHD_HTTP_INTERNAL_SERVER_ERROR, "io", "no pipe");
	}
	str_copy(o->home, sizeof o->home, x->s->home);
	str_copy(o->item, sizeof o->item, P0);
	o->key = &x->s->key;
	o->fd = p[1];
	if (pthread_create(&o->th, NULL, open_item, o) != 0) {
		close(p[0]);
		close(p[1]);
		free(o);
		return reply_errorf(x, MHD_HTTP_INTERNAL_SERVER_ERROR, "io", "no thread");
	}
	return reply_stream(x, p[0], o, opened, &o->failed);
}

static enum MHD_Result h_release(struct ctx *x)
{
	if (api_keys_stale(x)) /* it would seal or sign with a retired key */
		return api_reply_stale(x);
	enum MHD_Result ret;
	char path[NODE_PATH_MAX + 64];
	const char *to;
	bool queued = false;
	const struct arg_spec spec[] = {
	    {"to", ARG_STRING, true, .str = &to}, {"send", ARG_BOOL, .flag = &queued}, {0}};
	json_t *b = api_body(x, spec, &ret);
	if (!b)
		return ret;
	temp_path(x, "release", path, sizeof path);
	/* an item passed on: its originator's consent, which the receiver
	 * needs with the file, comes back as a header (as between peers) */
	char consent_path[NODE_PATH_MAX + 64];
	bool with_consent = false;
	temp_path(x, "release-consent", consent_path, sizeof consent_path);
	struct release_args a = {.item = P0,
				 .to = to,
				 .by = x->rq->who.id,
				 .out = queued ? NULL : path,
				 .consent_out = queued ? NULL : consent_path,
				 .consent_written = &with_consent};
	struct decision d = {0};
	struct lerr e = {0};
	int r = node_item_release(x->n, &a, &x->s->key, &d, &e);
	if (r < 0) {
		json_decref(b);
		return api_failed(x, r, &d, P0, &e);
	}
	char *consent = NULL, *c64 = NULL;
	size_t cl = 0;
	if (with_consent) {
		r = fio_read_file(consent_path, NODE_CONSENT_MAX, &consent, &cl, &e);
		unlink(consent_path);
		if (r == 0 && !(c64 = peer_consent_value(consent, cl)))
			r = lerr_set(&e, LERR_NOMEM, "out of memory");
		free(consent);
		if (r < 0) { /* recorded, and its file made: only the answer fails */
			unlink(path);
			json_decref(b);
			return reply_errorf(x, MHD_HTTP_INTERNAL_SERVER_ERROR, "io",
					    "item %s was released, but its consent was lost: %s",
					    P0, e.msg);
		}
	}
	if (queued) {
		ret = reply_json(x, MHD_HTTP_ACCEPTED,
				 json_pack("{s:s, s:s, s:s, s:s}", "item", P0, "to", to, "by",
					   x->rq->who.id, "via", "outbox"));
		json_decref(b);
		return ret;
	}
	json_decref(b);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	unlink(path);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		free(c64);
		return reply_errorf(x, MHD_HTTP_INTERNAL_SERVER_ERROR, "io", "release file lost");
	}
	ret = reply_fd_with(x, fd, (uint64_t)sb.st_size, "application/octet-stream",
			    c64 ? PEER_H_CONSENT : NULL, c64);
	free(c64);
	return ret;
}

/* The originator's consent that came with an envelope (PEER_H_CONSENT:
 * base64 of the document): text NULL when the request has none. */
struct came_consent {
	char buf[NODE_CONSENT_MAX];
	const char *text;
	size_t len;
};

/* Reads x's consent into *c: false, with the 400 replied into *ret, when it
 * is not base64 of one. */
static bool came_consent(struct ctx *x, struct came_consent *c, enum MHD_Result *ret)
{
	const char *v = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, PEER_H_CONSENT);
	c->text = NULL;
	c->len = 0;
	if (!v)
		return true;
	if (sodium_base642bin((unsigned char *)c->buf, sizeof c->buf, v, strlen(v), NULL, &c->len,
			      NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		*ret = reply_errorf(x, MHD_HTTP_BAD_REQUEST, "invalid",
				    "%s: not base64 of a consent of at most %d bytes",
				    PEER_H_CONSENT, NODE_CONSENT_MAX);
		return false;
	}
	c->text = c->buf;
	return true;
}

static enum MHD_Result h_import(struct ctx *x)
{
	if (api_keys_stale(x)) /* it would seal or sign with a retired key */
		return api_reply_stale(x);
	struct store_item it;
	struct label l;
	struct lerr e = {0};
	struct came_consent c;
	enum MHD_Result ret;
	if (!came_consent(x, &c, &ret))
		return ret;
	if (node_item_import(x->n, x->rq->upload, c.text, c.len, &x->s->key, &it, &l, &e) < 0)
		return reply_error(x, &e);
	json_t *o = encode_item(&it, &l, x->n->party);
	store_item_free(&it);
	return reply_json(x, MHD_HTTP_CREATED, o);
}

/* reproduce, translate: a new item */
static enum MHD_Result copy(struct ctx *x, const char *purpose, const char *file)
{
	if (api_keys_stale(x)) /* it would seal or sign with a retired key */
		return api_reply_stale(x);
	struct env_source src;
	struct act_args a = {.item = P0,
			     .by = x->rq->who.id,
			     .purpose = purpose,
			     .file = file,
			     .source = file ? upload_source(x, &src) : NULL};
	struct store_item it;
	struct label l;
	struct decision d = {0};
	struct lerr e = {0};
	int r = node_item_copy(x->n, &a, &x->s->key, &it, &d, &e);
	if (r < 0)
		return api_failed(x, r, &d, P0, &e);
	json_t *o;
	r = view_item(x->n, &x->rq->who, it.id, &o, &e);
	store_item_free(&it);
	(void)l;
	return r < 0 ? reply_error(x, &e) : reply_json(x, MHD_HTTP_CREATED, o);
}

static enum MHD_Result h_reproduce(struct ctx *x)
{
	enum MHD_Result ret;
	const char *purpose = NULL;
	const struct arg_spec spec[] = {{"purpose", ARG_STRING, .str = &purpose}, {0}};
	json_t *b = api_body(x, spec, &ret);
	if (!b)
		return ret;
	ret = copy(x, purpose && purpose[0] ? purpose : NULL, NULL);
	json_decref(b);
	return ret;
}

static enum MHD_Result h_translate(struct ctx *x)
{
	enum MHD_Result ret;
	const char *purpose = NULL;
	const struct arg_spec q[] = {{"purpose", ARG_STRING, .str = &purpose}, {0}};
	return api_query(x, q, &ret) ? copy(x, purpose, "the upload") : ret;
}

static enum MHD_Result h_downgrade(struct ctx *x)
{
	if (api_keys_stale(x)) /* it would seal or sign with a retired key */
		return api_reply_stale(x);
	enum MHD_Result ret;
	const char *level;
	const struct arg_spec spec[] = {{"level", ARG_STRING, true, .str = &level}, {0}};
	json_t *b = api_body(x, spec, &ret);
	if (!b)
		return ret;
	struct act_args a = {.item = P0, .by = x->rq->who.id, .level = level};
	struct decision d = {0};
	struct lerr e = {0};
	int r = node_item_downgrade(x->n, &a, &x->s->key, &d, &e);
	json_decref(b);
	if (r < 0)
		return api_failed(x, r, &d, P0, &e);
	json_t *o;
	int rv = view_item(x->n, &x->rq->who, P0, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_destroy(struct ctx *x)
{
	struct act_args a = {.item = P0, .by = x->rq->who.id};
	struct decision d = {0};
	struct lerr e = {0};
	int r = node_item_destroy(x->n, &a, &d, &e);
	if (r < 0)
		return api_failed(x, r, &d, P0, &e);
	return reply_json(x, MHD_HTTP_OK, encode_destroyed(P0, x->n->clock.today));
}

static enum MHD_Result h_report(struct ctx *x)
{
	if (api_keys_stale(x)) /* it would seal or sign with a retired key */
		return api_reply_stale(x);
	enum MHD_Result ret;
	const char *details;
	bool queued = false;
	char path[NODE_PATH_MAX + 64];
	const struct arg_spec spec[] = {{"details", ARG_STRING, true, .str = &details},
					{"send", ARG_BOOL, .flag = &queued},
					{0}};
	json_t *b = api_body(x, spec, &ret);
	if (!b)
		return ret;
	temp_path(x, "report", path, sizeof path);
	struct act_args a = {
	    .item = P0, .by = x->rq->who.id, .details = details, .out = queued ? NULL : path};
	struct decision d = {0};
	struct lerr e = {0};
	int r = node_item_report(x->n, &a, &x->s->key, &d, &e);
	json_decref(b);
	if (r < 0) {
		unlink(path);
		return api_failed(x, r, &d, P0, &e);
	}
	if (queued)
		return reply_json(x, MHD_HTTP_ACCEPTED,
				  encode_report_sent(P0, x->rq->who.id, NULL));
	return api_file_answer(x, MHD_HTTP_OK, path);
}

static enum MHD_Result h_consent(struct ctx *x)
{
	if (api_keys_stale(x)) /* it would seal or sign with a retired key */
		return api_reply_stale(x);
	enum MHD_Result ret;
	char path[NODE_PATH_MAX + 64];
	const char *to, *send = NULL, *holder = NULL;
	const struct arg_spec spec[] = {{"to", ARG_STRING, true, .str = &to},
					{"send", ARG_STRING, .str = &send},
					{"holder", ARG_STRING, .str = &holder},
					{0}};
	json_t *b = api_body(x, spec, &ret);
	if (!b)
		return ret;
	temp_path(x, "consent", path, sizeof path);
	struct release_args a = {
	    .item = P0, .to = to, .by = x->rq->who.id, .out = path, .send = send, .holder = holder};
	struct lerr e = {0};
	int r = node_consent_grant(x->n, &a, &x->s->key, &e);
	json_decref(b);
	if (r < 0) {
		unlink(path);
		return reply_error(x, &e);
	}
	return api_file_answer(x, MHD_HTTP_CREATED, path);
}

/* ---- compromise reports received ---- */

static enum MHD_Result h_reports(struct ctx *x)
{
	enum MHD_Result ret;
	const char *item = NULL;
	bool open = false;
	struct api_list l = {"reports", "id", NULL, API_ALL};
	const struct arg_spec q[] = {API_PAGE_ARGS(l),
				     {"item", ARG_STRING, .str = &item},
				     {"open", ARG_BOOL, .flag = &open},
				     {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_reports(x->n, &x->rq->who, item, open, &o, &e);
	return api_page(x, rv, o, &e, &l);
}

static enum MHD_Result h_report_get(struct ctx *x)
{
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_report(x->n, &x->rq->who, P0, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_report_ack(struct ctx *x)
{
	enum MHD_Result ret;
	const char *note;
	const struct arg_spec spec[] = {{"note", ARG_STRING, true, .str = &note}, {0}};
	json_t *b = api_body(x, spec, &ret);
	if (!b)
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_report_ack(x->n, &x->rq->who, NULL, P0, note, &o, &e);
	json_decref(b);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_consent_import(struct ctx *x)
{
	struct consent_info ci;
	struct lerr e = {0};
	if (node_consent_import(x->n, x->rq->upload, NULL, &ci, &e) < 0)
		return reply_error(x, &e);
	return reply_json(x, MHD_HTTP_CREATED, encode_consent(&ci));
}

/* ---- decisions ---- */

static enum MHD_Result h_access(struct ctx *x)
{
	enum MHD_Result ret;
	const char *item, *action;
	struct decide_args a = {
	    .person = x->rq->who.id, .date = x->n->clock.today, .question = true};
	const struct arg_spec spec[] = {{"item", ARG_STRING, true, .str = &item},
					{"action", ARG_STRING, true, .str = &action},
					{"purpose", ARG_STRING, .str = &a.purpose},
					{"to", ARG_STRING, .str = &a.to},
					{"at", ARG_DATE, .date = &a.date},
					{0}};
	json_t *b = api_body(x, spec, &ret);
	if (!b)
		return ret;
	a.item = item;
	struct decision d;
	struct lerr e = {0};
	int r = action_parse(action, &a.action, &e) < 0 ? lerr_prefix(&e, "action")
		: node_decide(x->n, &a, &d, &e) < 0	? e.code
							: 0;
	json_t *o = r < 0 ? NULL : encode_decision(&d, a.person, item, true);
	if (o)
		encode_clock(o, &x->n->clock); /* as `access check --json` */
	enum MHD_Result out = r < 0 ? reply_error(x, &e) : reply_json(x, MHD_HTTP_OK, o);
	json_decref(b);
	return out;
}

/* ---- the table ---- */

/* ---- federation ---- */

static enum MHD_Result h_peers(struct ctx *x)
{
	enum MHD_Result ret;
	struct api_list l = {"peers", "party", NULL, API_ALL};
	const struct arg_spec q[] = {API_PAGE_ARGS(l), {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_peers(x->n, &o, &e);
	return api_page(x, rv, o, &e, &l);
}

static enum MHD_Result h_outbox(struct ctx *x)
{
	enum MHD_Result ret;
	struct api_list l = {"messages", "id", NULL, API_ALL};
	const struct arg_spec q[] = {API_PAGE_ARGS(l), {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_outbox(x->n, &x->rq->who, &o, &e);
	return api_page(x, rv, o, &e, &l);
}

/* A peer witnessing this node: {"since": N} -> a fresh checkpoint and the
 * consistency proof from N (its request checked by http.c). */
static enum MHD_Result h_peer_checkpoint(struct ctx *x)
{
	char *text;
	size_t len;
	uint64_t since = 0;
	const struct arg_spec spec[] = {{"since", ARG_COUNT, true, .count = &since}, {0}};
	json_t *b, *o = NULL;
	struct lerr e = {0};
	if (fio_read_file(x->rq->upload, 4096, &text, &len, &e) < 0)
		return reply_error(x, &e);
	b = args_body(text, len, spec, &e);
	free(text);
	if (!b)
		return reply_error(x, &e);
	json_decref(b);
	if (api_keys_stale(x)) /* it would sign with a retired key */
		return api_reply_stale(x);
	if (node_peer_checkpoint(x->n, &x->s->key, since, x->rq->peer.from, x->rq->peer.nonce, &o,
				 &e) < 0)
		return reply_error(x, &e);
	return reply_json(x, MHD_HTTP_OK, o);
}

/* A message from a peer node (its request checked by http.c): taken, and
 * answered with this node's signed receipt. */
static enum MHD_Result h_peer_message(struct ctx *x)
{
	char *receipt = NULL;
	size_t len = 0;
	struct lerr e = {0};
	if (x->rq->too_big) /* more than the length it signed: the path's doing, maybe */
		return reply_errorf(x, MHD_HTTP_CONTENT_TOO_LARGE, "limit",
				    "the message is longer than its signed length");
	if (api_keys_stale(x))
		return api_reply_stale(x);
	struct came_consent c;
	enum MHD_Result ret;
	if (!came_consent(x, &c, &ret))
		return ret;
	int r = node_peer_receive(x->n, &x->s->key, &x->rq->peer, x->rq->upload, c.text, c.len,
				  &receipt, &len, &e);
	if (r < 0)
		return node_peer_refusal_final(r) ? reply_peer_refused(x, &e) : reply_error(x, &e);
	return reply_bytes(x, MHD_HTTP_OK, receipt, len, "application/json");
}

const struct route api_routes[] = {
    {"GET", "/healthz", BODY_NONE, AUTH_NONE, OP_READ, true, h_health, NO_QUERY},
    {"GET", "/readyz", BODY_NONE, AUTH_NONE, OP_READ, true, h_ready, NO_QUERY},
    {"GET", "/metrics", BODY_NONE, AUTH_PERSON, OP_AUDIT, true, h_metrics, NO_QUERY},
    {"GET", "/v1/me", BODY_NONE, AUTH_PERSON, OP_READ, true, h_me, NO_QUERY},
    {"POST", "/v1/config", BODY_FILE, AUTH_PERSON, OP_ADMIN, false, h_config, QUERY},
    {"GET", "/v1/parties/{code}", BODY_NONE, AUTH_PERSON, OP_READ, true, h_party, NO_QUERY},
    {"POST", "/v1/parties/{code}/key", BODY_FILE, AUTH_PERSON, OP_ADMIN, false, h_party_key, QUERY},
    {"GET", "/v1/agreements", BODY_NONE, AUTH_PERSON, OP_READ, true, h_agreements, QUERY},
    {"GET", "/v1/agreements/{id}", BODY_NONE, AUTH_PERSON, OP_READ, true, h_agreement, NO_QUERY},
    {"GET", "/v1/agreements/{id}/status", BODY_NONE, AUTH_PERSON, OP_READ, true, h_status, QUERY},
    {"GET", "/v1/agreements/{id}/timeline", BODY_NONE, AUTH_PERSON, OP_READ, true, h_timeline,
     QUERY},
    {"GET", "/v1/agreements/{id}/timeline.svg", BODY_NONE, AUTH_PERSON, OP_READ, true,
     h_timeline_svg, QUERY},
    {"POST", "/v1/agreements/{id}/events", BODY_JSON, AUTH_PERSON, OP_ADMIN, false, h_event, QUERY},
    {"GET", "/v1/people", BODY_NONE, AUTH_PERSON, OP_READ, true, h_people, QUERY},
    {"POST", "/v1/people", BODY_JSON, AUTH_PERSON, OP_ADMIN, false, h_person_put, QUERY},
    {"GET", "/v1/people/{id}", BODY_NONE, AUTH_PERSON, OP_READ, true, h_person, NO_QUERY},
    {"GET", "/v1/items", BODY_NONE, AUTH_PERSON, OP_READ, true, h_items, QUERY},
    {"POST", "/v1/items", BODY_SEALED, AUTH_PERSON, OP_ITEM_SHARE, false, h_share, QUERY},
    {"POST", "/v1/items/import", BODY_FILE, AUTH_PERSON, OP_RECEIVE, false, h_import, NO_QUERY},
    {"GET", "/v1/items/{id}", BODY_NONE, AUTH_PERSON, OP_READ, true, h_item, NO_QUERY},
    {"GET", "/v1/items/{id}/content", BODY_NONE, AUTH_PERSON, OP_ITEM_USE, false, h_content, QUERY},
    {"POST", "/v1/items/{id}/release", BODY_JSON, AUTH_PERSON, OP_ITEM_ACT, false, h_release,
     NO_QUERY},
    {"POST", "/v1/items/{id}/reproduce", BODY_JSON, AUTH_PERSON, OP_ITEM_ACT, false, h_reproduce,
     NO_QUERY},
    {"POST", "/v1/items/{id}/translate", BODY_SEALED, AUTH_PERSON, OP_ITEM_ACT, false, h_translate,
     QUERY},
    {"POST", "/v1/items/{id}/downgrade", BODY_JSON, AUTH_PERSON, OP_ITEM_ACT, false, h_downgrade,
     NO_QUERY},
    {"POST", "/v1/items/{id}/destroy", BODY_NONE, AUTH_PERSON, OP_ITEM_ACT, false, h_destroy,
     NO_QUERY},
    {"POST", "/v1/items/{id}/report-compromise", BODY_JSON, AUTH_PERSON, OP_ITEM_ACT, false,
     h_report, NO_QUERY},
    {"POST", "/v1/items/{id}/consents", BODY_JSON, AUTH_PERSON, OP_CONSENT, false, h_consent,
     NO_QUERY},
    {"POST", "/v1/consents", BODY_FILE, AUTH_PERSON, OP_RECEIVE, false, h_consent_import, NO_QUERY},
    {"POST", "/v1/access-checks", BODY_JSON, AUTH_PERSON, OP_ITEM_USE, READS_LIGHT, h_access,
     NO_QUERY},
    {"GET", "/v1/peers", BODY_NONE, AUTH_PERSON, OP_FEDERATION, true, h_peers, QUERY},
    {"GET", "/v1/outbox", BODY_NONE, AUTH_PERSON, OP_FEDERATION, true, h_outbox, QUERY},
    {"GET", "/v1/reports", BODY_NONE, AUTH_PERSON, OP_REPORTS, true, h_reports, QUERY},
    {"GET", "/v1/reports/{id}", BODY_NONE, AUTH_PERSON, OP_REPORTS, true, h_report_get, NO_QUERY},
    {"POST", "/v1/reports/{id}/acknowledge", BODY_JSON, AUTH_PERSON, OP_REPORT_ACK, false,
     h_report_ack, NO_QUERY},
    {"POST", "/v1/peer/messages", BODY_FILE, AUTH_PEER, OP_READ, false, h_peer_message, NO_QUERY},
    {"POST", "/v1/peer/checkpoint", BODY_FILE, AUTH_PEER, OP_READ, false, h_peer_checkpoint,
     NO_QUERY},
};

const size_t api_nroutes = sizeof api_routes / sizeof api_routes[0];
