/*
 * items.c - items on a node: share, decide, get, and the blob store.
 *
 * A payload is stored only sealed: an envelope to the node's own party
 * (items it makes) or the envelope a peer sent (items it received), in
 * blobs/ under the BLAKE2b hash of its bytes. A blob is written under a
 * temporary name, synced and renamed before the item's row is committed,
 * so a committed item always has its blob.
 */
#include "items.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../crypto/fio.h"
#include "../store/store.h"
#include "encode.h"
#include "exchange.h"
#include "internal.h"
#include "label_json.h"
#include "log.h"

/* blobs/HASH.lsn: a blob's payload name */
static void blob_name(const char *hash, char out[STORE_PAYLOAD_NAME])
{
	snprintf(out, STORE_PAYLOAD_NAME, "%s/%.64s.lsn", NODE_BLOBS_DIR, hash);
}

int node_blob_begin(struct node *n, struct fio_out *o, struct lerr *e)
{
	if (node_clock_act(&n->clock, e) < 0)
		return LERR_USAGE; /* no blob for an act that would be refused */
	return node_payload_begin(n, NODE_BLOBS_DIR, o, e);
}

/* A blob's name: the BLAKE2b of fd's bytes from its start; -1 on a read error. */
static int blob_hash(int fd, char name[STORE_BLOB_NAME])
{
	uint8_t buf[1 << 16], h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	ssize_t got;
	while ((got = fio_read_full(fd, buf, sizeof buf)) > 0)
		crypto_generichash_update(&st, buf, (size_t)got);
	if (got < 0)
		return -1;
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(name, STORE_BLOB_NAME, h, sizeof h);
	return 0;
}

int node_blob_name_of(const char *path, char name[STORE_BLOB_NAME], struct lerr *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r = fd < 0 || blob_hash(fd, name) < 0
		    ? lerr_set(e, LERR_IO, "%s: %s", path, strerror(errno))
		    : 0;
	if (fd >= 0)
		close(fd);
	return r;
}

int node_blob_commit(struct node *n, struct fio_out *o, char name[STORE_BLOB_NAME], struct lerr *e)
{
	if (blob_hash(o->fd, name) < 0) {
		fio_abort(o);
		return lerr_set(e, LERR_IO, "blob: cannot read back: %s", strerror(errno));
	}
	char file[STORE_PAYLOAD_NAME];
	blob_name(name, file);
	return node_payload_keep(n, file, o, e);
}

int node_blob_open(struct node *n, const char *name, int *fd, struct lerr *e)
{
	char file[STORE_PAYLOAD_NAME];
	blob_name(name, file);
	return node_payload_open(n, file, fd, e);
}

int node_blob_remove(struct node *n, const char *name, struct lerr *e)
{
	char file[STORE_PAYLOAD_NAME];
	blob_name(name, file);
	return node_payload_remove(n, file, e);
}

void node_blob_drop(struct node *n, const char *name)
{
	char file[STORE_PAYLOAD_NAME];
	blob_name(name, file);
	if (store_payload_in_use(n->store, file, NULL) == 0)
		(void)node_payload_remove(n, file, NULL);
}

/* How well agreement a governs on day `on`: 2 in force, 1 in force before
 * (*ended: since when it is not), 0 never in force by then. */
static int governs(const struct agreement *a, date_t on, date_t *ended)
{
	struct agr_state st;
	agreement_state(a, on, AGR_NONE, &st);
	*ended = st.since;
	return st.state == AGR_IN_FORCE || st.state == AGR_UNDER_NOTICE ? 2
	       : st.state == AGR_TERMINATED				? 1
									: 0;
}

static int between_load(struct node *n, const char *p1, const char *p2, date_t on,
			struct agreement *a, struct lerr *e)
{
	char(*ids)[AGR_ID_MAX];
	size_t count;
	int r = store_agreement_ids(n->store, &ids, &count, e);
	if (r < 0)
		return r;
	struct agreement *cand = malloc(sizeof *cand);
	if (!cand) {
		free(ids);
		return lerr_set(e, LERR_NOMEM, "out of memory");
	}
	int best = -1;
	date_t best_ended = 0;
	for (size_t i = 0; i < count && best < 2; i++) {
		struct lerr e2 = {0};
		date_t ended;
		if (store_agreement_get(n->store, ids[i], cand, &e2) < 0 ||
		    !agreement_has_party(cand, p1) || !agreement_has_party(cand, p2))
			continue;
		int g = governs(cand, on, &ended);
		if (g > best || (g == 1 && best == 1 && ended > best_ended)) {
			*a = *cand;
			best = g;
			best_ended = ended;
		}
	}
	free(cand);
	free(ids);
	return best >= 0 ? 0 : lerr_set(e, LERR_NOTFOUND, "no agreement between %s and %s", p1, p2);
}

int node_agreement_between(struct node *n, const char *p1, const char *p2, date_t on,
			   struct agreement *a, struct lerr *e)
{
	return node_cached_between(n, p1, p2, on, a, between_load, e);
}

int node_item_record(struct node *n, const struct store_item *it, const char *kind, json_t *body,
		     const struct record_check *check, struct lerr *e)
{
	int r = store_begin(n->store, e);
	/* no longer to be stored (a copy of an item destroyed meanwhile; through
	 * the daemon, the token it came with revoked during a long upload), or
	 * not storable: rolled back, and the blob made for it removed unless a
	 * row names it (an envelope received twice is one blob) */
	if (r == 0 && ((r = node_token_in_force(n, e)) < 0 ||
		       (check && (r = check->run(n, check->cls, e)) < 0) ||
		       (r = store_item_add(n->store, it, e)) < 0))
		store_rollback(n->store);
	if (r < 0) {
		node_blob_drop(n, it->blob);
		json_decref(body);
		return r;
	}
	if (body) {
		json_object_set_new(body, "item", json_string(it->id));
		json_object_set_new(body, "blob", json_string(it->blob));
		json_error_t je;
		json_t *label = json_loads(it->label, 0, &je);
		json_object_set_new(body, "label", label ? label : json_string(it->label));
	}
	return node_log_commit(n, kind, body, e);
}

static int item_load(struct node *n, const char *id, struct store_item *it, struct label *l,
		     struct lerr *e)
{
	/*
	 * the stored label was canonical when stored (it is what the envelope
	 * signs); reading it back needs the parse, not the re-encoding check
	 */
	int r = store_item_get(n->store, id, it, e);
	if (r == 0 && (r = label_parse(it->label, strlen(it->label), "stored label", l, e)) < 0)
		store_item_free(it);
	return r;
}

int node_item_get(struct node *n, const char *id, struct store_item *it, struct label *l,
		  struct lerr *e)
{
	return node_cached_item(n, id, it, l, item_load, e);
}

int node_item_ids(struct node *n, const char *after, size_t limit, char (**ids)[LABEL_WORD_MAX],
		  size_t *count, struct lerr *e)
{
	return store_item_ids(n->store, after, limit, ids, count, e);
}

/* decide(), with the person's party's export regime when a release of an
 * item under an export-control entry needs it. */
static int decide_with_regime(struct node *n, struct decide_ctx *c, struct decide_request *rq,
			      struct decision *d, struct lerr *e)
{
	struct export_regime regime;
	if (rq->action == ACT_RELEASE && c->item.label.export_entry[0]) {
		int r = store_export_regime_get(n->store, c->person.party, &regime, e);
		if (r == 0)
			rq->export_regime = &regime;
		else if (r != LERR_NOTFOUND)
			return r;
	}
	decide(rq, d);
	if (rq->export_regime)
		export_regime_free(&regime);
	return 0;
}

/* The handle's working space for decisions, kept between them (it is large). */
static struct decide_ctx *scratch(struct node *n, struct lerr *e)
{
	if (!n->scratch && !(n->scratch = malloc(sizeof(struct decide_ctx))))
		lerr_set(e, LERR_NOMEM, "out of memory");
	return n->scratch;
}

/*
 * Fills c (its person and scheme already there) and rq for action a on
 * item it/l: the agreements (from the node's cache) and consents the
 * rules look at. The export regime is for the caller to add.
 */
static int gather(struct node *n, struct decide_ctx *c, const struct store_item *it,
		  const struct label *l, const struct decide_args *a, struct decide_request *rq,
		  struct lerr *e)
{
	c->item.label = *l;
	c->item.foreign = it->foreign;
	c->item.received = 0;
	if (it->foreign && date_parse(it->received, &c->item.received, e) < 0)
		return LERR_STORE;
	*rq = (struct decide_request){.action = a->action,
				      .date = a->date,
				      .person = &c->person,
				      .scheme = &c->scheme,
				      .item = &c->item,
				      .purpose = a->purpose,
				      .to = a->to,
				      .holder = n->party};
	const char *orig = l->originator, *party = c->person.party, *sender = it->sender;
	bool local = strcmp(party, n->party) == 0;
	if (strcmp(orig, party) != 0 &&
	    node_agreement_between(n, orig, party, a->date, &c->agreement, NULL) == 0)
		rq->agreement = &c->agreement;
	/* a foreign item came under the agreement between this node's party and
	 * its sender (decide falls back on rq->agreement, the same for a person
	 * of this party and an item its originator sent) */
	if (it->foreign && (strcmp(sender, orig) != 0 || !local) &&
	    node_agreement_between(n, n->party, sender, c->item.received, &c->received, NULL) ==
		0) /* the one it came under: in force the day it came */
		rq->received_under = &c->received;
	if (!local) { /* a person of another party, defined on this node */
		if (node_agreement_between(n, party, n->party, a->date, &c->holder, NULL) == 0)
			rq->holder_agreement = &c->holder;
		if (strcmp(orig, n->party) != 0 && strcmp(orig, party) != 0)
			rq->reader_consent = store_consent_has(n->store, it->id, party, NULL) == 1;
	}
	if (a->to && a->to[0]) {
		if (node_agreement_between(n, party, a->to, a->date, &c->release, NULL) == 0)
			rq->release_agreement = &c->release;
		rq->consent =
		    a->consent_sent || store_consent_has(n->store, it->id, a->to, NULL) == 1;
		/* one that cannot pass it on counts as none (node_item_release
		 * would refuse it after a logged PERMIT) */
		if (rq->consent && a->action == ACT_RELEASE) {
			int r = node_consent_flaw(n, it, l, a->to, a->consent_sent, c->consent_flaw,
						  sizeof c->consent_flaw, e);
			if (r < 0)
				return r;
			rq->consent_flaw = c->consent_flaw[0] ? c->consent_flaw : NULL;
		}
	}
	return 0;
}

/*
 * Whether c->person sees the item: its maker here; a security officer or
 * auditor of this node's party cleared at its level as this party marks
 * it; or anyone who needs to know it: every rule of a read passes but
 * those of when and why (R-PURPOSE, and the pact's dates: R-IN-FORCE,
 * R-RECEIVED, R-CONTINUING), which a denial explains to them instead.
 */
static bool sees(struct node *n, struct decide_ctx *c, const struct store_item *it,
		 const struct label *l)
{
	static const char *const when[] = {"R-PURPOSE", "R-IN-FORCE", "R-RECEIVED", "R-CONTINUING"};
	const struct person *p = &c->person;
	if (it->shared_by[0] && strcmp(it->shared_by, p->id) == 0)
		return true;
	if (strcmp(p->party, n->party) == 0 &&
	    (p->roles & (ROLE_SECURITY_OFFICER | ROLE_AUDITOR)) &&
	    person_cleared_for(p, &c->scheme, it->local_level, n->clock.today))
		return true;
	const struct decide_args read = {.action = ACT_READ, .date = n->clock.today};
	struct decide_request rq;
	struct decision d;
	if (gather(n, c, it, l, &read, &rq, NULL) < 0)
		return false;
	rq.outcome_only = true; /* a filter: only the outcomes count */
	decide(&rq, &d);
	for (size_t i = 0; i < d.nrules; i++) {
		bool skip = false;
		for (size_t k = 0; k < sizeof when / sizeof when[0] && !skip; k++)
			skip = strcmp(d.rules[i].id, when[k]) == 0;
		if (!skip && !d.rules[i].ok)
			return false;
	}
	return true;
}

/* c's person and scheme for the person with this id. */
static int load_person(struct node *n, struct decide_ctx *c, const char *id, bool as_holder,
		       struct lerr *e)
{
	int r = node_person_get(n, id, &c->person, e);
	if (r == 0 && as_holder)
		str_copy(c->person.party, sizeof c->person.party, n->party);
	return r < 0 ? r : node_party_get(n, c->person.party, &c->scheme, e);
}

int node_item_visible(struct node *n, const struct person *who, const struct store_item *it,
		      const struct label *l, bool *visible, struct lerr *e)
{
	struct decide_ctx *c = scratch(n, e);
	*visible = false;
	if (!c)
		return LERR_NOMEM;
	c->person = *who;
	int r = node_party_get(n, who->party, &c->scheme, e);
	if (r == 0)
		*visible = sees(n, c, it, l);
	return r;
}

int node_item_get_as(struct node *n, const struct person *who, const char *id,
		     struct store_item *it, struct label *l, struct lerr *e)
{
	bool visible = true;
	int r = node_item_get(n, id, it, l, e);
	if (r == 0 && who && (r = node_item_visible(n, who, it, l, &visible, e)) == 0 && !visible)
		r = store_item_unknown(e, id);
	if (r < 0)
		store_item_free(it);
	return r;
}

/*
 * node_decide's decision; for an act, *body the log entry that records it
 * (NULL for a question, which is not logged).
 */
static int decide_act(struct node *n, const struct decide_args *a, struct decision *d,
		      json_t **body, struct lerr *e)
{
	struct decide_ctx *c = scratch(n, e);
	struct store_item it;
	struct label l;
	*body = NULL;
	if (!c)
		return LERR_NOMEM;
	int r = load_person(n, c, a->person, a->as_holder, e);
	if (r == 0 && !a->question)
		r = node_person_act(n, c->person.id, e);
	if (r == 0 && (r = node_item_get(n, a->item, &it, &l, e)) == 0) {
		struct decide_request rq;
		if (it.destroyed_on[0])
			r = lerr_set(e, LERR_NOTFOUND, "item %s was destroyed on %s", it.id,
				     it.destroyed_on);
		if (r == 0 && (r = gather(n, c, &it, &l, a, &rq, e)) == 0)
			r = decide_with_regime(n, c, &rq, d, e);
		/* an item the person may not see is not there for them (a use it
		 * permits today they see; the operator asking a question sees all),
		 * nor is anything about it (an error but the store's own) */
		if (r != LERR_STORE && r != LERR_NOMEM && !a->by_operator &&
		    !(r == 0 && action_reads(a->action) && d->permit &&
		      a->date == n->clock.today) &&
		    !sees(n, c, &it, &l))
			r = store_item_unknown(e, a->item);
		store_item_free(&it);
	}
	if (r < 0 || a->question)
		return r;
	/*
	 * every decision the node enforces is in the log, PERMIT or DENY, before
	 * anything acts on it; a question (access check) changes nothing and is
	 * not an act: it stays a read, so that it can be asked at any rate
	 */
	*body = json_pack("{s:o}", "decision", encode_decision(d, a->person, a->item, false));
	if (!*body)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	if (a->to && a->to[0])
		json_object_set_new(*body, "to", json_string(a->to));
	if (a->purpose && a->purpose[0])
		json_object_set_new(*body, "purpose", json_string(a->purpose));
	return 0;
}

/* A decision now in the log: told to the observer. */
static void logged(struct node *n, const struct decision *d)
{
	if (n->observer && n->observer->decision)
		n->observer->decision(n->observer->cls, d);
}

int node_decide(struct node *n, const struct decide_args *a, struct decision *d, struct lerr *e)
{
	json_t *body;
	int r = decide_act(n, a, d, &body, e);
	if (r == 0 && body && (r = node_log_record(n, "decision", body, e)) == 0)
		logged(n, d);
	return r;
}

/* A decision acted on: a DENY is LERR_DENIED, the failing rules said. */
static int denied(const struct decide_args *a, const struct decision *d, struct lerr *e)
{
	if (d->permit)
		return 0;
	char why[LERR_MSG_MAX - 160];
	return lerr_set(e, LERR_DENIED, "DENY: %s may not %s item %.64s: %s", a->person,
			action_name(a->action), a->item, decide_why(d, why, sizeof why));
}

int node_enforce(struct node *n, const struct decide_args *a, struct decision *d, struct lerr *e)
{
	int r = node_decide(n, a, d, e);
	return r == 0 ? denied(a, d, e) : r;
}

int node_enforce_again(struct node *n, const struct decide_args *a, struct decision *d,
		       struct lerr *e)
{
	json_t *body = NULL;
	struct decision now;
	/* through the daemon: the token it came with revoked meanwhile stops it too */
	int r = node_token_in_force(n, e);
	if (r == 0)
		r = decide_act(n, a, &now, &body, e);
	if (r == 0 && now.permit) {
		json_decref(body);
		return 0;
	}
	store_rollback(n->store);
	if (r < 0) { /* an item destroyed meanwhile, a person removed: as said */
		json_decref(body);
		return r;
	}
	*d = now; /* the DENY is in the log, after the PERMIT it replaces */
	if ((r = node_log_record(n, "decision", body, e)) < 0)
		return r;
	logged(n, d);
	return denied(a, d, e);
}

int node_enforce_submit(struct node *n, const struct decide_args *a, struct decision *d,
			node_log_done done, void *cls, struct lerr *e)
{
	json_t *body;
	int r = decide_act(n, a, d, &body, e);
	if (r == 0 && !body) /* a question is not enforced */
		r = lerr_set(e, LERR_INVAL, "a question is not an act: nothing to enforce");
	if (r == 0)
		node_log_submit(n, "decision", body, done, cls);
	return r;
}

int node_enforced(struct node *n, const struct decide_args *a, const struct decision *d, int r,
		  struct lerr *e)
{
	if (r < 0)
		return r;
	logged(n, d);
	return denied(a, d, e);
}

/* An export-control entry must be on the node's control list, where it has one. */
static int entry_listed(struct node *n, const char *entry, struct lerr *e)
{
	struct export_regime r;
	int res = node_export_regime(n, NULL, &r, e);
	if (res == LERR_NOTFOUND)
		return 0;
	if (res < 0)
		return res;
	if (!export_entry_find(&r, entry)) {
		lerr_set(e, LERR_INVAL, "export_entry: %.63s is not an entry of %s's control list",
			 entry, r.party);
		res = lerr_field(e, "export_entry");
	}
	export_regime_free(&r);
	return res;
}

/* word among the party's declared words of list k (none declared: refused
 * for need-to-know groups, anything for purposes); LERR_INVAL naming field. */
static int declared(const struct party *p, size_t k, const char *word, const char *field,
		    struct lerr *e)
{
	struct party_words w[PARTY_WORD_LISTS];
	char what[96];
	party_word_lists(p, w);
	if (k == 1 && w[k].n == 0)
		return 0;
	snprintf(what, sizeof what, "%s declared by %s (configuration: parties[].%s)",
		 k == 0 ? "a need-to-know group" : "a purpose", p->code, w[k].name);
	if (party_word_known(&w[k].v[0][0], w[k].n, PARTY_WORD_MAX, word, what, e) == 0)
		return 0;
	lerr_prefix(e, "%s", field);
	return lerr_field(e, field);
}

/*
 * Checks what a label is made of against what the node knows: a level of
 * its scheme (its case aside; *level: the level's own code), parties it
 * knows, need-to-know groups and purposes its party declares.
 */
static int share_checks(struct node *n, const struct item_share *rq, const struct party *scheme,
			const struct scheme_level **level, struct lerr *e)
{
	int r = 0;
	if (!(*level = party_level_match(scheme, rq->level, e))) {
		lerr_prefix(e, "level");
		return lerr_field(e, "level");
	}
	for (size_t i = 0; r == 0 && i < rq->nreleasable; i++)
		r = node_party_known(n, rq->releasable[i], "releasable", e);
	if (r == 0 && rq->ntk && rq->ntk[0])
		r = declared(scheme, 0, rq->ntk, "ntk", e);
	for (size_t i = 0; r == 0 && i < rq->npurposes; i++)
		r = declared(scheme, 1, rq->purposes[i], "purpose", e);
	return r;
}

/* Builds the label of a new item and checks the sharer may make it. */
static int share_label(struct node *n, const struct item_share *rq, struct label *l, struct lerr *e)
{
	struct person p;
	struct party scheme;
	const struct scheme_level *lv = NULL;
	memset(l, 0, sizeof *l);
	int r = node_person_get(n, rq->by, &p, e);
	if (r == 0)
		r = node_person_act(n, p.id, e);
	if (r == 0 && strcmp(p.party, n->party) != 0)
		r = lerr_set(e, LERR_FORBIDDEN, "%s is of %s; this node shares for %s", p.id,
			     p.party, n->party);
	if (r == 0 && !(p.roles & (ROLE_ORIGINATOR | ROLE_ANALYST)))
		r = lerr_set(e, LERR_FORBIDDEN, "R-ROLE: %s is neither originator nor analyst",
			     p.id);
	if (r == 0)
		r = node_party_get(n, n->party, &scheme, e);
	if (r == 0)
		r = share_checks(n, rq, &scheme, &lv, e);
	if (r < 0)
		return r;
	if (!person_cleared_for(&p, &scheme, lv->code, n->clock.today))
		return lerr_set(
		    e, LERR_FORBIDDEN,
		    "R-CLEARANCE: %s may not mark an item %s: it needs a valid clearance at that "
		    "level",
		    p.id, lv->code);
	bool ok = str_copy(l->originator, sizeof l->originator, n->party) &&
		  str_copy(l->level, sizeof l->level, lv->code) &&
		  str_copy(l->title, sizeof l->title, rq->title) &&
		  str_copy(l->ntk, sizeof l->ntk, rq->ntk ? rq->ntk : "") &&
		  str_copy(l->export_entry, sizeof l->export_entry,
			   rq->export_entry ? rq->export_entry : "") &&
		  rq->nreleasable <= LABEL_LIST_MAX && rq->npurposes <= LABEL_LIST_MAX &&
		  rq->ncaveats <= LABEL_LIST_MAX;
	for (size_t i = 0; ok && i < rq->nreleasable; i++)
		ok = str_copy(l->releasable[l->nreleasable++], PARTY_CODE_MAX, rq->releasable[i]);
	for (size_t i = 0; ok && i < rq->npurposes; i++)
		ok = str_copy(l->purposes[l->npurposes++], LABEL_WORD_MAX, rq->purposes[i]);
	for (size_t i = 0; ok && i < rq->ncaveats; i++)
		ok = str_copy(l->caveats[l->ncaveats++], LABEL_WORD_MAX, rq->caveats[i]);
	if (!ok)
		return lerr_set(e, LERR_LIMIT, "a label field is too long or has too many entries");
	l->revocable = rq->revocable;
	label_new_id(l);
	r = label_normalise(l, e);
	if (r == 0 && l->export_entry[0])
		r = entry_listed(n, l->export_entry, e);
	return r;
}

int node_item_share(struct node *n, const struct item_share *rq, const struct key_secret *k,
		    struct store_item *it, struct label *l, struct lerr *e)
{
	char *canon = NULL;
	size_t cn;
	memset(it, 0, sizeof *it);
	int r = share_label(n, rq, l, e);
	if (r == 0)
		r = label_canonical(l, &canon, &cn, e);
	int in = -1;
	if (r == 0 && !rq->source && (in = fio_open_in(rq->file, e)) < 0)
		r = in;
	struct fio_out o;
	if (r == 0 && (r = node_blob_begin(n, &o, e)) == 0) {
		uint64_t bytes = 0;
		const struct env_seal_args a = {.from = k,
						.to = &k->pub,
						.nto = 1,
						.label = canon,
						.label_len = cn,
						.source = rq->source};
		r = envelope_seal(in, o.fd, &a, &bytes, e);
		if (r < 0)
			fio_abort(&o);
		else
			r = node_blob_commit(n, &o, it->blob, e);
		it->size = (int64_t)bytes;
	}
	if (in >= 0)
		close(in);
	if (r == 0) {
		str_copy(it->id, sizeof it->id, l->item);
		it->label = canon;
		str_copy(it->originator, sizeof it->originator, l->originator);
		str_copy(it->level, sizeof it->level, l->level);
		str_copy(it->local_level, sizeof it->local_level, l->level);
		date_format(n->clock.today, it->stored_on);
		str_copy(it->shared_by, sizeof it->shared_by, rq->by);
		r = node_item_record(n, it, "item-share", json_pack("{s:s}", "by", rq->by), NULL,
				     e);
		it->label = NULL;
	}
	free(canon);
	return r;
}

/* node_item_open_within, out synced or not, and the plaintext's SHA-256
 * into sha256 when not NULL */
static int item_open(struct node *n, const char *id, const struct key_secret *k, int out,
		     bool synced, uint64_t max, uint64_t *bytes, uint8_t *sha256, struct lerr *e)
{
	struct store_item it;
	struct label l;
	struct key_public sender;
	int r = node_item_get(n, id, &it, &l, e), fd = -1;
	if (r == 0 && it.size >= 0 && (uint64_t)it.size > max) {
		store_item_free(&it);
		return 1;
	}
	if (r == 0 && (r = node_blob_open(n, it.blob, &fd, e)) < 0)
		lerr_prefix(e, "item %s", id);
	if (r == 0) {
		struct env_header h;
		enum env_check why;
		r = envelope_read_header(fd, &h, &why, e);
		/* stored, it was checked when it came: a key its sender retired since
		 * (or this node's own) still checks it */
		if (r == 0 && (r = node_signer_key(n, it.foreign ? it.sender : n->party,
						   h.sender_pk, SIGNER_STORED, &sender, e)) == 0)
			r = sha256 ? envelope_open_sha256(fd, out, &h, k, &sender, sha256, &why, e)
				   : envelope_open_payload(fd, out, &h, k, &sender, NULL, NULL,
							   synced, bytes, &why, e);
		envelope_header_free(&h);
		if (r < 0)
			lerr_prefix(e, "item %s", id);
	}
	if (fd >= 0)
		close(fd);
	store_item_free(&it); /* cleared by node_item_get on failure */
	return r;
}

int node_item_open_within(struct node *n, const char *id, const struct key_secret *k, int out,
			  uint64_t max, uint64_t *bytes, struct lerr *e)
{
	return item_open(n, id, k, out, false, max, bytes, NULL, e);
}

int node_item_content_sha256(struct node *n, const char *id, const struct key_secret *k,
			     uint8_t out[ENV_HASH], struct lerr *e)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0)
		return lerr_set(e, LERR_IO, "/dev/null: %s", strerror(errno));
	int r = item_open(n, id, k, null, false, UINT64_MAX, NULL, out, e);
	close(null);
	return r;
}

int node_item_open(struct node *n, const char *id, const struct key_secret *k, int out, bool synced,
		   uint64_t *bytes, struct lerr *e)
{
	return item_open(n, id, k, out, synced, UINT64_MAX, bytes, NULL, e);
}
