/* api_export.c - the endpoints of /v1/export/ and /v1/log/ (see api.c). */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
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

/* ---- export control ---- */

static enum MHD_Result h_export_check(struct ctx *x)
{
	enum MHD_Result ret;
	date_t on = x->n->clock.today;
	const char *to, *from = NULL, *entry = NULL, *exporter = NULL, *consignee = NULL;
	const struct arg_spec q[] = {{"to", ARG_STRING, true, .str = &to},
				     {"at", ARG_DATE, .date = &on},
				     {"from", ARG_STRING, .str = &from},
				     {"entry", ARG_STRING, .str = &entry},
				     {"exporter", ARG_STRING, .str = &exporter},
				     {"consignee", ARG_STRING, .str = &consignee},
				     {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_export_check(x->n, from, entry, to, exporter, consignee, on, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_export_group(struct ctx *x)
{
	enum MHD_Result ret;
	date_t on = x->n->clock.today;
	const char *from = NULL;
	const struct arg_spec q[] = {
	    {"at", ARG_DATE, .date = &on}, {"from", ARG_STRING, .str = &from}, {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_export_group(x->n, from, P0, on, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_export_timeline(struct ctx *x)
{
	enum MHD_Result ret;
	const char *from = NULL;
	const struct arg_spec q[] = {{"from", ARG_STRING, .str = &from}, {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_export_timeline(x->n, from, P0, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_licences(struct ctx *x)
{
	enum MHD_Result ret;
	date_t on = x->n->clock.today;
	const char *from = NULL, *entry = NULL, *to = NULL;
	struct api_list l = {"licences", "id", NULL, API_ALL};
	const struct arg_spec q[] = {{"at", ARG_DATE, .date = &on},
				     {"from", ARG_STRING, .str = &from},
				     {"entry", ARG_STRING, .str = &entry},
				     {"to", ARG_STRING, .str = &to},
				     API_PAGE_ARGS(l),
				     {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o;
	struct lerr e = {0};
	int r = view_licences(x->n, from, entry, to, on, &o, &e);
	return api_page(x, r, o, &e, &l);
}

static enum MHD_Result h_licence_add(struct ctx *x)
{
	enum MHD_Result ret;
	struct export_licence l = {0};
	const char *id, *entry, *to, *from = NULL, *kind = NULL, *exporter = NULL,
				     *consignee = NULL;
	const struct arg_spec spec[] = {{"id", ARG_STRING, true, .str = &id},
					{"entry", ARG_STRING, true, .str = &entry},
					{"to", ARG_STRING, true, .str = &to},
					{"valid_from", ARG_DATE, true, .date = &l.from},
					{"valid_to", ARG_DATE, true, .date = &l.to},
					{"from", ARG_STRING, .str = &from},
					{"kind", ARG_STRING, .str = &kind},
					{"exporter", ARG_STRING, .str = &exporter},
					{"consignee", ARG_STRING, .str = &consignee},
					{0}};
	json_t *b, *o = NULL;
	if (!(b = api_body(x, spec, &ret)))
		return ret;
	struct lerr e = {0};
	int r = !str_copy(l.id, sizeof l.id, id) || !str_copy(l.entry, sizeof l.entry, entry) ||
			!str_copy(l.country, sizeof l.country, to) ||
			!str_copy(l.exporter, sizeof l.exporter, exporter ? exporter : "") ||
			!str_copy(l.consignee, sizeof l.consignee, consignee ? consignee : "")
		    ? lerr_set(&e, LERR_INVAL, "id, entry, to, exporter or consignee: too long")
		: kind && export_licence_kind_parse(kind, &l.kind, &e) < 0
		    ? lerr_field(&e, "kind")
		    : view_licence_add(x->n, from, &l, &o, &e);
	json_decref(b);
	return r < 0 ? reply_error(x, &e) : reply_json(x, MHD_HTTP_CREATED, o);
}

/* A view of one optional string argument (NULL when not given). */
static enum MHD_Result one_string(struct ctx *x, const char *name,
				  int (*view)(struct node *, const char *, json_t **,
					      struct lerr *))
{
	enum MHD_Result ret;
	const char *v = NULL;
	const struct arg_spec q[] = {{name, ARG_STRING, .str = &v}, {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view(x->n, v, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_regime(struct ctx *x)
{
	return one_string(x, "from", view_export_regime);
}

/* ---- the log ---- */

static enum MHD_Result h_checkpoint(struct ctx *x)
{
	if (api_keys_stale(x)) /* it would seal or sign with a retired key */
		return api_reply_stale(x);
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view_log_checkpoint(x->n, &x->s->key, &o, &e);
	return api_answer(x, rv, o, &e);
}

#define LOG_PAGE 1000

static enum MHD_Result h_entries(struct ctx *x)
{
	enum MHD_Result ret;
	uint64_t from = UINT64_MAX, to = UINT64_MAX, after = 0, limit = LOG_PAGE;
	const char *after_s = NULL;
	const struct arg_spec q[] = {{"from", ARG_COUNT, .count = &from},
				     {"to", ARG_COUNT, .count = &to},
				     {"after", ARG_STRING, .str = &after_s},
				     {"limit", ARG_COUNT, .count = &limit},
				     {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	/* the paging of every list, after an entry's index; or from..to */
	if (after_s && from != UINT64_MAX)
		return reply_errorf(x, MHD_HTTP_BAD_REQUEST, "invalid",
				    "after: give after or from");
	if (after_s && (!count_parse(after_s, &after) || after == UINT64_MAX))
		return reply_errorf(x, MHD_HTTP_BAD_REQUEST, "invalid",
				    "after: not an entry's index");
	if (limit == 0 || limit > LOG_PAGE)
		return reply_errorf(x, MHD_HTTP_BAD_REQUEST, "invalid", "limit: not from 1 to %d",
				    LOG_PAGE);
	from = after_s ? after + 1 : from == UINT64_MAX ? 0 : from;
	int rv = view_log_entries(x->n, &x->rq->who, from, to, limit, &o, &e);
	if (rv == LERR_INVAL && after_s && strcmp(e.field, "from") == 0) {
		lerr_set(&e, LERR_NOTFOUND, "after: no entry %llu in the log",
			 (unsigned long long)after);
		rv = lerr_field(&e, "after");
	}
	return api_answer(x, rv, o, &e);
}

/* A log view of two counts: the first required, the second UINT64_MAX unless given. */
static enum MHD_Result two_counts(struct ctx *x, const char *first, const char *second,
				  int (*view)(struct node *, uint64_t, uint64_t, json_t **,
					      struct lerr *))
{
	enum MHD_Result ret;
	uint64_t a = 0, b = UINT64_MAX;
	const struct arg_spec q[] = {
	    {first, ARG_COUNT, true, .count = &a}, {second, ARG_COUNT, .count = &b}, {0}};
	if (!api_query(x, q, &ret))
		return ret;
	json_t *o = NULL;
	struct lerr e = {0};
	int rv = view(x->n, a, b, &o, &e);
	return api_answer(x, rv, o, &e);
}

static enum MHD_Result h_proof(struct ctx *x)
{
	return two_counts(x, "index", "size", view_log_proof);
}

static enum MHD_Result h_consistency(struct ctx *x)
{
	return two_counts(x, "from", "to", view_log_consistency);
}

static enum MHD_Result h_verify(struct ctx *x)
{
	return one_string(x, "checkpoint",
			  view_log_verify); /* a checkpoint of this log kept elsewhere */
}

static enum MHD_Result h_witness(struct ctx *x)
{
	enum MHD_Result ret;
	const char *note;
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH];
	struct arg_hashes proof = {path, 0};
	bool has_proof = false;
	const struct arg_spec spec[] = {
	    {"checkpoint", ARG_STRING, true, .str = &note},
	    {"proof", ARG_HASHES, .hashes = &proof, .given = &has_proof},
	    {0}};
	json_t *b = api_body(x, spec, &ret);
	if (!b)
		return ret;
	struct witness_report rep;
	struct lerr e = {0};
	int r = node_witness(x->n, note, has_proof ? (const uint8_t(*)[MERKLE_HASH])path : NULL,
			     proof.n, (int64_t)time(NULL), &rep, &e);
	json_decref(b);
	if (r < 0)
		return reply_error(x, &e);
	json_t *o = json_pack("{s:s, s:I, s:b}", "origin", rep.cp.origin, "size",
			      (json_int_t)rep.cp.size, "consistent", 1);
	json_object_set_new(o, "previous_size",
			    rep.had_previous ? json_integer((json_int_t)rep.previous.size)
					     : json_null());
	return reply_json(x, MHD_HTTP_OK, o);
}

/* The peers whose log raised an alarm, with its words (an auditor's). */
static enum MHD_Result h_alarms(struct ctx *x)
{
	json_t *o = NULL;
	struct lerr e = {0};
	if (view_log_alarms(x->n, &o, &e) < 0)
		return reply_error(x, &e);
	return reply_json(x, MHD_HTTP_OK, o);
}

const struct route api_record_routes[] = {
    {"GET", "/v1/export/check", BODY_NONE, AUTH_PERSON, OP_READ, true, h_export_check, QUERY},
    {"GET", "/v1/export/groups/{country}", BODY_NONE, AUTH_PERSON, OP_READ, true, h_export_group,
     QUERY},
    {"GET", "/v1/export/timeline/{country}", BODY_NONE, AUTH_PERSON, OP_READ, true,
     h_export_timeline, QUERY},
    {"GET", "/v1/export/licences", BODY_NONE, AUTH_PERSON, OP_READ, true, h_licences, QUERY},
    {"POST", "/v1/export/licences", BODY_JSON, AUTH_PERSON, OP_ADMIN, false, h_licence_add,
     NO_QUERY},
    {"GET", "/v1/export/regime", BODY_NONE, AUTH_PERSON, OP_READ, true, h_regime, QUERY},
    {"GET", "/v1/log/checkpoint", BODY_NONE, AUTH_PERSON, OP_READ, false, h_checkpoint, NO_QUERY},
    {"GET", "/v1/log/entries", BODY_NONE, AUTH_PERSON, OP_AUDIT, true, h_entries, QUERY},
    {"GET", "/v1/log/proof", BODY_NONE, AUTH_PERSON, OP_AUDIT, true, h_proof, QUERY},
    {"GET", "/v1/log/consistency", BODY_NONE, AUTH_PERSON, OP_AUDIT, true, h_consistency, QUERY},
    {"GET", "/v1/log/verify", BODY_NONE, AUTH_PERSON, OP_AUDIT, true, h_verify, QUERY},
    {"GET", "/v1/log/alarms", BODY_NONE, AUTH_PERSON, OP_AUDIT, true, h_alarms, NO_QUERY},
    {"POST", "/v1/log/witness", BODY_JSON, AUTH_PERSON, OP_WITNESS, false, h_witness, NO_QUERY},
};

const size_t api_record_nroutes = sizeof api_record_routes / sizeof api_record_routes[0];
