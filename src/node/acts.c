/*
 * acts.c - the other acts on an item: reproduce and translate (new items
 * that carry the original markings), destroy, report a compromise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../store/store.h"
#include "../crypto/fio.h"
#include "jfield.h"
#include "acts.h"
#include "label_json.h"
#include "log.h"
#include "peer.h"

#define CTX_REPORT "liaison-compromise-report/v1"
#define REPORT_MAX (64u << 10)

/* The decision an act asks for, on the node's day. */
static struct decide_args asked(const struct node *n, const struct act_args *a, enum action act)
{
	return (struct decide_args){.person = a->by,
				    .item = a->item,
				    .action = act,
				    .date = n->clock.today,
				    .purpose = a->purpose};
}

/* A copy's decision, made again as it is stored (node_item_record's check). */
struct decided_again {
	const struct decide_args *asked;
	struct decision *d;
};

static int decide_again(struct node *n, const void *cls, struct lerr *e)
{
	const struct decided_again *x = cls;
	return node_enforce_again(n, x->asked, x->d, e);
}

/* Decides; a DENY is LERR_DENIED with *d saying why. */
static int allowed(struct node *n, const struct act_args *a, enum action act, struct decision *d,
		   struct lerr *e)
{
	const struct decide_args da = asked(n, a, act);
	return node_enforce(n, &da, d, e);
}

int node_item_copy(struct node *n, const struct act_args *a, const struct key_secret *k,
		   struct store_item *copy, struct decision *d, struct lerr *e)
{
	enum action act = a->file ? ACT_TRANSLATE : ACT_REPRODUCE;
	struct store_item it;
	struct label l;
	memset(copy, 0, sizeof *copy);
	int r = allowed(n, a, act, d, e);
	if (r < 0 || (r = node_item_get(n, a->item, &it, &l, e)) < 0)
		return r;
	/* R-MARKING: the same label, a new id, and a caveat naming the original */
	label_new_id(&l);
	if (l.ncaveats == LABEL_LIST_MAX) { /* never a copy that does not say it is one */
		r = lerr_set(e, LERR_LIMIT,
			     "item %s carries %d caveats, the most a label holds: a copy has no "
			     "room for its %s-of caveat; not copied",
			     it.id, LABEL_LIST_MAX, a->file ? "translation" : "copy");
		store_item_free(&it);
		return r;
	}
	snprintf(l.caveats[l.ncaveats++], LABEL_WORD_MAX, "%s-of:%.40s",
		 a->file ? "translation" : "copy", it.id);
	char *canon = NULL;
	size_t cn;
	int in = -1;
	struct fio_out o;
	r = label_normalise(&l, e);
	if (r == 0)
		r = label_canonical(&l, &canon, &cn, e);
	if (r == 0 && a->file && !a->source && (in = fio_open_in(a->file, e)) < 0)
		r = in;
	if (r == 0 && (r = node_blob_begin(n, &o, e)) == 0) {
		uint64_t bytes = 0;
		if (a->file) {
			const struct env_seal_args sa = {.from = k,
							 .to = &k->pub,
							 .nto = 1,
							 .label = canon,
							 .label_len = cn,
							 .source = a->source};
			r = envelope_seal(in, o.fd, &sa, &bytes, e);
		} else
			r = node_reseal(n, it.id, k, &k->pub, canon, 0, o.fd, e);
		if (r < 0)
			fio_abort(&o);
		else
			r = node_blob_commit(n, &o, copy->blob, e);
		copy->size = a->file ? (int64_t)bytes : it.size;
	}
	if (in >= 0)
		close(in);
	if (r == 0) {
		str_copy(copy->id, sizeof copy->id, l.item);
		copy->label = canon;
		memcpy(copy->originator, it.originator, sizeof copy->originator);
		memcpy(copy->level, it.level, sizeof copy->level);
		memcpy(copy->local_level, it.local_level, sizeof copy->local_level);
		copy->foreign = it.foreign;
		memcpy(copy->received, it.received, sizeof copy->received);
		/* the copy's envelope is this node's own: it opens with its own key */
		if (it.foreign)
			str_copy(copy->sender, sizeof copy->sender, n->party);
		date_format(n->clock.today, copy->stored_on);
		/* the original's maker made it (the copier is in the log) */
		memcpy(copy->shared_by, it.shared_by, sizeof copy->shared_by);
		/* decided again under the lock: the original destroyed, or the
		 * copier's clearance ended, while it was resealed */
		const struct decide_args again = asked(n, a, act);
		const struct decided_again x = {&again, d};
		const struct record_check check = {decide_again, &x};
		r = node_item_record(
		    n, copy, act == ACT_TRANSLATE ? "item-translate" : "item-reproduce",
		    json_pack("{s:s, s:s}", "by", a->by, "from", a->item), &check, e);
		copy->label = NULL;
	}
	free(canon);
	store_item_free(&it);
	return r;
}

/* The releases of item still queued, withdrawn in the caller's transaction
 * (their ids appended to ids): an envelope of a destroyed item goes nowhere.
 * Their attempts stay as they were: a delivery in flight that comes back
 * with the peer's receipt is then saved over the withdrawal (the peer has
 * it; store_outbox_update). */
static int releases_withdrawn(struct node *n, const char *item, json_t *ids, struct lerr *e)
{
	struct store_msg *ms = NULL;
	size_t nm = 0;
	int r = store_outbox_list(n->store, &ms, &nm, e);
	for (size_t i = 0; r == 0 && i < nm; i++) {
		struct store_msg *m = &ms[i];
		if (m->state != MSG_QUEUED || strcmp(m->kind, "item") != 0 ||
		    strcmp(m->ref, item) != 0)
			continue;
		m->state = MSG_REFUSED;
		str_copy(m->last_error, sizeof m->last_error,
			 "withdrawn: the item was destroyed before it was delivered");
		date_format(n->clock.today, m->done_on);
		if ((r = store_outbox_update(n->store, m, m->attempts, e)) == 0 &&
		    json_array_append_new(ids, json_string(m->id)) != 0)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
	}
	store_msg_free(ms, nm);
	free(ms);
	return r;
}

int node_item_destroy(struct node *n, const struct act_args *a, struct decision *d, struct lerr *e)
{
	struct store_item it;
	char day[DATE_BUF_SIZE], blob[STORE_BLOB_NAME], name[STORE_PAYLOAD_NAME];
	int r = allowed(n, a, ACT_DESTROY, d, e);
	if (r < 0)
		return r;
	json_t *gone = json_array();
	if (!gone)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	/* the record first, then the blob: a destroyed item never keeps its
	 * bytes; the blob's name read under the lock (a downgrade that
	 * committed meanwhile gave it another); its releases still queued
	 * withdrawn, their envelopes removed with it */
	if ((r = store_begin(n->store, e)) == 0) {
		if ((r = store_item_get(n->store, a->item, &it, e)) == 0) {
			memcpy(blob, it.blob, sizeof blob);
			store_item_free(&it);
			r = store_item_destroy(n->store, a->item, date_format(n->clock.today, day),
					       e);
		}
		if (r == 0)
			r = releases_withdrawn(n, a->item, gone, e);
		json_t *facts =
		    r == 0 ? json_pack("{s:s, s:s}", "item", a->item, "by", a->by) : NULL;
		if (facts && json_array_size(gone))
			json_object_set(facts, "withdrawn", gone);
		if (r < 0)
			store_rollback(n->store);
		else
			r = node_log_commit(n, "item-destroy", facts, e);
	}
	for (size_t i = 0; r == 0 && i < json_array_size(gone); i++) {
		node_outbox_name(json_string_value(json_array_get(gone, i)), name);
		(void)node_payload_remove(n, name, NULL);
	}
	json_decref(gone);
	return r == 0 ? node_blob_remove(n, blob, e) : r;
}

int node_item_report(struct node *n, const struct act_args *a, const struct key_secret *k,
		     struct decision *d, struct lerr *e)
{
	struct store_item it;
	struct label l;
	char day[DATE_BUF_SIZE];
	/* to the originator's node: it must be a peer (checked before deciding,
	 * on an item the person sees: any other is not there for them) */
	if (!a->out) {
		struct store_peer p;
		struct person who;
		int r = node_person_get(n, a->by, &who, e);
		if (r == 0)
			r = node_item_get_as(n, &who, a->item, &it, &l, e);
		if (r < 0)
			return r;
		store_item_free(&it);
		if (strcmp(l.originator, n->party) == 0)
			return lerr_set(e, LERR_INVAL,
					"item %s is %s's own: there is no one to send the report "
					"to (-o FILE)",
					a->item, n->party);
		if ((r = store_peer_get(n->store, l.originator, &p, e)) < 0)
			return r;
	}
	int r = allowed(n, a, ACT_REPORT_COMPROMISE, d, e);
	if (r < 0 || (r = node_item_get(n, a->item, &it, &l, e)) < 0)
		return r;
	json_t *rep = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "item", it.id, "originator",
				it.originator, "reporter", n->party, "by", a->by, "date",
				date_format(n->clock.today, day), "details", a->details);
	store_item_free(&it);
	char *text = rep ? json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(rep);
	if (!text)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	char *line;
	size_t ol;
	r = node_signed_json(k, CTX_REPORT, "compromise_report", text, &line, &ol, e);
	free(text);
	if (r < 0)
		return r;
	/* the details stay in the report; the log says that it was made, by whom */
	uint8_t h[32];
	char hx[65];
	crypto_hash_sha256(h, (const uint8_t *)line, ol);
	sodium_bin2hex(hx, sizeof hx, h, sizeof h);
	json_t *facts =
	    json_pack("{s:s, s:s, s:s}", "item", a->item, "by", a->by, "report_sha256", hx);
	struct store_msg m = {.body = line, .body_len = ol};
	if (!a->out) { /* queued with the report's entry */
		node_msg_id(m.id);
		str_copy(m.peer, sizeof m.peer, l.originator);
		str_copy(m.kind, sizeof m.kind, "report");
		str_copy(m.ref, sizeof m.ref, a->item);
		peer_digest(line, ol, m.digest);
		str_copy(m.created_on, sizeof m.created_on, day);
		if (facts)
			json_object_set_new(facts, "message", json_string(m.id));
	}
	if ((r = store_begin(n->store, e)) == 0 && !a->out &&
	    (r = store_outbox_add(n->store, &m, e)) < 0)
		store_rollback(n->store);
	if (r == 0)
		r = node_log_commit(n, "compromise-report", facts, e);
	else
		json_decref(facts);
	if (r == 0 && a->out)
		r = fio_write_file(a->out, line, ol, 0644, a->force, e);
	free(line);
	return r;
}

/* A report's row: its fields, received on day `got`, with the SHA-256 and
 * the text of the document as it came. */
static void report_fill(struct store_report *rp, const char *id, const char *item, const char *from,
			const char *by, date_t on, date_t got, const struct jdoc *d)
{
	uint8_t h[32];
	crypto_hash_sha256(h, (const uint8_t *)d->text, d->len);
	sodium_bin2hex(rp->sha256, sizeof rp->sha256, h, sizeof h);
	/* the sender's message id is its own choice: unique here with its party */
	snprintf(rp->id, sizeof rp->id, "%s-%s", from, id);
	str_copy(rp->message, sizeof rp->message, id);
	str_copy(rp->item, sizeof rp->item, item);
	str_copy(rp->from, sizeof rp->from, from);
	str_copy(rp->by, sizeof rp->by, by);
	date_format(on, rp->reported_on);
	date_format(got, rp->received_on);
	rp->body = d->text;
}

/*
 * A report checked as a peer's message is (its party's signature, for an
 * item this party made, its person and date well formed), then stored and
 * logged as `kind` in one transaction. from: the party that sent it, or
 * NULL for the one the report names (an old file, imported); got: the day
 * it came. Its id here is written to stored (as the store_report's), "" when
 * it does not check.
 */
static int report_take(struct node *n, const char *from, const char *id, struct jdoc *d, date_t got,
		       const char *kind, char stored[REPORT_ID_MAX], struct lerr *e)
{
	json_t *rep = NULL;
	const char *sig64, *item, *orig, *reporter, *by, *date, *details;
	struct store_item it;
	int r = 0;
	if (!d->root ||
	    json_unpack(d->root, "{s:o, s:s}", "compromise_report", &rep, "signature", &sig64) !=
		0 ||
	    json_unpack_ex(rep, &d->je, JSON_STRICT, "{s:s, s:s, s:s, s:s, s:s, s:s}", "item",
			   &item, "originator", &orig, "reporter", &reporter, "by", &by, "date",
			   &date, "details", &details) != 0)
		return lerr_set(e, LERR_INVAL, "not a compromise report: %s", d->je.text);
	if (!from)
		from = reporter;
	if (strcmp(reporter, from) != 0)
		r = lerr_set(e, LERR_REFUSED, "a report speaks for its sender: %.32s's, sent by %s",
			     reporter, from);
	else if (strcmp(orig, n->party) != 0)
		r = lerr_set(e, LERR_REFUSED, "the report is for %.32s, the originator, not for %s",
			     orig, n->party);
	char *text = r == 0 ? json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (r == 0 && !text)
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	if (r == 0)
		r = node_party_signed_check(n, from, SIGNER_ARRIVING, CTX_REPORT, text, sig64, e);
	free(text);
	if (r == 0) {
		/* a party reports on what it holds: this party's own item,
		 * released to it or passed on to it with this party's consent;
		 * anything else is answered alike (no oracle of the ids here) */
		int held = store_item_get(n->store, item, &it, e);
		bool own = false;
		if (held == 0) {
			own = !it.foreign && strcmp(it.originator, n->party) == 0;
			store_item_free(&it);
		} else if (held == LERR_NOTFOUND)
			held = 0;
		if (own && (held = store_release_has(n->store, item, from, e)) == 0)
			held = store_consent_has(n->store, item, from, e);
		if (held < 0)
			r = held;
		else if (!own || held == 0)
			r = lerr_set(e, LERR_REFUSED,
				     "%s holds no item %.64s of %s's: none was released to it",
				     from, item, n->party);
	}
	/* kept whole (the details too) in the store, the log saying that it came:
	 * an alarm until a security officer acknowledges it (view_report_ack) */
	struct store_report rp = {0};
	date_t on;
	if (r == 0 && person_id_check(by, e) < 0)
		r = lerr_prefix(e, "the report's by");
	else if (r == 0 && date_parse(date, &on, e) < 0)
		r = lerr_prefix(e, "the report's date");
	if (r == 0) {
		report_fill(&rp, id, item, from, by, on, got, d);
		/* once, whatever its id here (an older release's bare message id) */
		int had = 0;
		if ((r = store_begin(n->store, e)) == 0 &&
		    ((had = r = store_report_taken(n->store, from, id, e)) != 0 ||
		     (r = store_report_add(n->store, &rp, e)) < 0)) {
			store_rollback(n->store);
			if (had == 1)
				r = lerr_set(e, LERR_EXISTS, "%s's report %s is stored already",
					     from, id);
		}
	}
	/* a message received: node_log_commit adds its id (n->receiving); an
	 * imported file says its own */
	str_copy(stored, REPORT_ID_MAX, rp.id);
	json_t *facts = r == 0 ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "report", rp.id,
					   "item", item, "from", from, "by", by, "reported_on",
					   rp.reported_on, "report_sha256", rp.sha256)
			       : NULL;
	if (facts && !n->receiving)
		json_object_set_new(facts, "message", json_string(id));
	return r == 0 ? node_log_commit(n, kind, facts, e) : r;
}

int node_report_receive(struct node *n, const char *from, const char *id, const char *file,
			struct lerr *e)
{
	struct jdoc d;
	char stored[REPORT_ID_MAX];
	int r = jdoc_read(file, REPORT_MAX, &d, e);
	if (r == 0)
		r = report_take(n, from, id, &d, n->clock.today, "compromise-report-received",
				stored, e);
	jdoc_free(&d);
	return r;
}

int node_item_downgrade(struct node *n, const struct act_args *a, const struct key_secret *k,
			struct decision *d, struct lerr *e)
{
	struct store_item it;
	struct label l;
	struct party scheme;
	int r = allowed(n, a, ACT_DOWNGRADE, d, e);
	if (r < 0 || (r = node_item_get(n, a->item, &it, &l, e)) < 0)
		return r;
	const struct scheme_level *to = NULL;
	if ((r = node_party_get(n, l.originator, &scheme, e)) == 0) {
		const struct scheme_level *now = party_level(&scheme, l.level);
		if (!(to = party_level_match(&scheme, a->level, e))) {
			lerr_prefix(e, "level");
			r = lerr_field(e, "level");
		} else if (!now || to->rank >= now->rank)
			r = lerr_set(e, LERR_REFUSED, "%s is not below %s (rank %d, not under %d)",
				     to->code, l.level, to->rank, now ? now->rank : 0);
	}
	char *canon = NULL, old_blob[STORE_BLOB_NAME], was[LEVEL_CODE_MAX];
	size_t cn;
	struct fio_out o;
	memcpy(old_blob, it.blob, sizeof old_blob);
	memcpy(was, l.level, sizeof was);
	if (r == 0) {
		str_copy(l.level, sizeof l.level, to->code);
		r = label_canonical(&l, &canon, &cn, e);
	}
	if (r == 0 && (r = node_blob_begin(n, &o, e)) == 0) {
		/* the payload resealed under the new label: label and envelope agree */
		if ((r = node_reseal(n, it.id, k, &k->pub, canon, 0, o.fd, e)) < 0)
			fio_abort(&o);
		else
			r = node_blob_commit(n, &o, it.blob, e);
	}
	if (r == 0) {
		free(it.label);
		it.label = canon;
		canon = NULL;
		str_copy(it.level, sizeof it.level, l.level);
		str_copy(it.local_level, sizeof it.local_level, l.level);
		/* decided again under the lock, on the item as it was resealed */
		const struct decide_args again = asked(n, a, ACT_DOWNGRADE);
		bool committing = false;
		if ((r = store_begin(n->store, e)) == 0 &&
		    (r = node_enforce_again(n, &again, d, e)) == 0) { /* else rolled back */
			if ((r = store_item_relabel(n->store, &it, old_blob, e)) < 0)
				store_rollback(n->store);
			else {
				committing = true;
				r = node_log_commit(n, "item-downgrade",
						    json_pack("{s:s, s:s, s:s, s:s}", "item", it.id,
							      "by", a->by, "from", was, "to",
							      l.level),
						    e);
			}
		}
		/* not done: nothing refers to the blob made for it, not left on disk */
		if (r < 0 && !committing)
			node_blob_drop(n, it.blob);
	}
	if (r == 0 && strcmp(old_blob, it.blob) != 0)
		(void)node_blob_remove(n, old_blob, NULL);
	free(canon);
	store_item_free(&it);
	return r;
}

/*
 * One report file of home/reports (ID.json, as kept before schema 13) into
 * the store, checked as a message is (report_take), received on the day of
 * the file's last change, logged (compromise-report-imported); then the
 * file removed. One that does not check is moved to reports/rejected/,
 * where `report list` names it.
 */
static void report_import_file(struct node *n, const char *dir, const char *name)
{
	char id[MSG_ID_MAX], path[NODE_PATH_MAX + 80], moved[NODE_PATH_MAX + 96];
	if (strlen(name) != 37 || strcmp(name + 32, ".json") != 0 ||
	    strspn(name, "0123456789abcdef") != 32)
		return;
	memcpy(id, name, 32);
	id[32] = '\0';
	snprintf(path, sizeof path, "%s/%s.json", dir, id);
	struct jdoc d;
	struct stat st;
	struct tm tm;
	struct store_report had = {0};
	char stored[REPORT_ID_MAX] = "";
	date_t got;
	int r = lstat(path, &st) == 0 && S_ISREG(st.st_mode) && gmtime_r(&st.st_mtime, &tm) &&
			date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &got, NULL) == 0
		    ? jdoc_read(path, REPORT_MAX, &d, NULL)
		    : LERR_INVAL;
	if (r == 0) {
		r = report_take(n, NULL, id, &d, got, "compromise-report-imported", stored, NULL);
		jdoc_free(&d);
	}
	/* taken before (an older release killed before the unlink), or by another
	 * process meanwhile: the same report, once */
	if (r == LERR_EXISTS ||
	    (r < 0 && stored[0] && store_report_get(n->store, stored, &had, NULL) == 0)) {
		free(had.body);
		r = 0;
	}
	if (r == 0) {
		(void)unlink(path);
		return;
	}
	snprintf(moved, sizeof moved, "%s/rejected", dir);
	if (mkdir(moved, 0700) == 0 || errno == EEXIST) {
		snprintf(moved, sizeof moved, "%s/rejected/%s.json", dir, id);
		(void)rename(path, moved);
	}
}

void node_reports_import(struct node *n)
{
	char dir[NODE_PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s/reports", n->home);
	/* the folder itself, never a link to elsewhere */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dp && fd >= 0)
		close(fd);
	struct dirent *de;
	while (dp && (de = readdir(dp)) != NULL)
		report_import_file(n, dir, de->d_name);
	if (dp)
		closedir(dp);
}
