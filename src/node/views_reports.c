/* views_reports.c - the compromise reports peers sent, and their
 * acknowledgement by a security officer (see views.h). */
#include "views.h"

#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "../store/store.h"
#include "access.h"
#include "internal.h"
#include "items.h"
#include "log.h"

static json_t *report_json(const struct store_report *r)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", r->id, "message",
		      r->message, "item", r->item, "from", r->from, "by", r->by, "reported_on",
		      r->reported_on, "received_on", r->received_on, "sha256", r->sha256);
	json_object_set_new(o, "acknowledged",
			    r->acknowledged_by[0]
				? json_pack("{s:s, s:s, s:s}", "by", r->acknowledged_by, "on",
					    r->acknowledged_on, "note", r->note)
				: json_null());
	return o;
}

/* Whether who (NULL: the operator, who sees all) sees the item a report is
 * about: a report about an item one may not see is not there for them. */
static bool report_seen(struct node *n, const struct person *who, const char *item)
{
	struct store_item it;
	struct label l;
	if (!who)
		return true;
	if (node_item_get_as(n, who, item, &it, &l, NULL) < 0)
		return false; /* unseen, unknown, or a store that failed: none shown */
	store_item_free(&it);
	return true;
}

/* The open reports that who sees. */
static int open_seen(struct node *n, const struct person *who, uint64_t *nopen, struct lerr *e)
{
	struct store_report *rs = NULL;
	size_t count = 0;
	if (!who)
		return store_report_count(n->store, NULL, true, nopen, e);
	int r = store_report_list(n->store, NULL, true, &rs, &count, e);
	*nopen = 0;
	for (size_t i = 0; r == 0 && i < count; i++)
		*nopen += report_seen(n, who, rs[i].item);
	free(rs);
	return r;
}

int view_reports(struct node *n, const struct person *who, const char *item, bool open_only,
		 json_t **out, struct lerr *e)
{
	struct store_report *rs = NULL;
	size_t count = 0;
	uint64_t nopen = 0;
	*out = NULL;
	int r = store_report_list(n->store, item, open_only, &rs, &count, e);
	if (r == 0)
		r = open_seen(n, who, &nopen, e);
	json_t *a = json_array();
	for (size_t i = 0; r == 0 && a && i < count; i++)
		if (report_seen(n, who, rs[i].item))
			json_array_append_new(a, report_json(&rs[i]));
	free(rs);
	if (r < 0) {
		json_decref(a);
		return r;
	}
	*out = json_pack("{s:o, s:I}", "reports", a, "open", (json_int_t)nopen);
	return *out ? 0 : lerr_set(e, LERR_NOMEM, "out of memory");
}

int view_report_counts(struct node *n, const char *item, uint64_t *all, uint64_t *open,
		       struct lerr *e)
{
	int r = store_report_count(n->store, item, false, all, e);
	return r < 0 ? r : store_report_count(n->store, item, true, open, e);
}

/* Report id, as store_report_get, for who: one about an item who may not see answers as
 * an id never used. */
static int report_get(struct node *n, const struct person *who, const char *id,
		      struct store_report *rp, struct lerr *e)
{
	int r = store_report_get(n->store, id, rp, e);
	if (r == 0 && !report_seen(n, who, rp->item)) {
		free(rp->body);
		memset(rp, 0, sizeof *rp);
		r = lerr_set(e, LERR_NOTFOUND, "no compromise report %.48s", id);
	}
	return r;
}

int view_report(struct node *n, const struct person *who, const char *id, json_t **out,
		struct lerr *e)
{
	struct store_report rp;
	*out = NULL;
	int r = report_get(n, who, id, &rp, e);
	if (r < 0)
		return r;
	json_t *o = report_json(&rp);
	json_t *doc = json_loads(rp.body, 0, NULL);
	free(rp.body);
	json_object_set_new(o, "document", doc ? doc : json_null());
	*out = o;
	return o ? 0 : lerr_set(e, LERR_NOMEM, "out of memory");
}

int view_report_ack(struct node *n, const struct person *who, const char *by, const char *id,
		    const char *note, json_t **out, struct lerr *e)
{
	struct person p;
	struct store_report rp = {0};
	*out = NULL;
	if (!who && (!by || !by[0]))
		return lerr_set(e, LERR_USAGE, "which security officer acknowledges it? (--by)");
	int r = who ? 0 : node_person_get(n, by, &p, e);
	if (r == 0 && !who) /* entered by the operator: as any act for a person */
		r = node_person_act(n, p.id, e);
	if (r < 0)
		return r;
	const struct actor a = {.person = who ? who : &p};
	size_t nl = strlen(note);
	if ((r = node_may(n, &a, OP_REPORT_ACK, e)) < 0)
		return r;
	if (nl == 0 || nl >= sizeof rp.note)
		return lerr_set(e, LERR_INVAL,
				"note: say what was done, in 1 to %zu bytes (not %zu)",
				sizeof rp.note - 1, nl),
		       lerr_field(e, "note");
	if (text_line_check(note, "note", e) < 0)
		return lerr_field(e, "note");
	if ((r = report_get(n, a.person, id, &rp, e)) < 0) /* the officer must see the item */
		return r;
	free(rp.body);
	if (rp.acknowledged_by[0])
		return lerr_set(e, LERR_EXISTS, "compromise report %s was acknowledged by %s on %s",
				id, rp.acknowledged_by, rp.acknowledged_on);
	str_copy(rp.acknowledged_by, sizeof rp.acknowledged_by, a.person->id);
	date_format(n->clock.today, rp.acknowledged_on);
	str_copy(rp.note, sizeof rp.note, note);
	if ((r = store_begin(n->store, e)) < 0)
		return r;
	if ((r = store_report_acknowledge(n->store, &rp, e)) < 0) {
		store_rollback(n->store);
		return r;
	}
	if ((r = node_log_commit(n, "compromise-report-acknowledged",
				 json_pack("{s:s, s:s, s:s, s:s}", "report", id, "item", rp.item,
					   "from", rp.from, "by", rp.acknowledged_by),
				 e)) < 0)
		return r;
	return view_report(n, a.person, id, out, e);
}
