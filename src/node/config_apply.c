/*
 * config_apply.c - storing a configuration, all or nothing (see node.h).
 *
 * Parties are stored first, so that agreements are checked against the
 * schemes as they will be. An agreement's events are merged: those already
 * stored stay, the file's new ones are added, and the whole list must pass
 * the lifecycle rules. Agreements already stored but absent from the file
 * are checked again, since a scheme they use may have changed.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "internal.h"
#include "log.h"

static bool same_event(const struct agr_event *x, const struct agr_event *y)
{
	return x->date == y->date && x->kind == y->kind && strcmp(x->by, y->by) == 0;
}

/* Merges file agreement a (index i) with what s holds into m. */
static int merge(struct store *s, const struct agreement *a, struct agreement *m,
		 struct config_summary *sum, struct lerr *e)
{
	int r = store_agreement_get(s, a->id, m, e);
	if (r == LERR_NOTFOUND)
		memset(m, 0, sizeof *m);
	else if (r < 0)
		return r;
	struct agr_event kept[AGR_EVENTS_MAX];
	size_t nkept = m->nevents;
	memcpy(kept, m->events, nkept * sizeof *kept);
	*m = *a;
	memcpy(m->events, kept, nkept * sizeof *kept);
	m->nevents = nkept;
	for (size_t j = 0; j < a->nevents; j++) {
		bool known = false;
		for (size_t k = 0; k < nkept && !known; k++)
			known = same_event(&kept[k], &a->events[j]);
		if (known) {
			sum->events_known++;
			continue;
		}
		if (m->nevents == AGR_EVENTS_MAX)
			return lerr_set(e, LERR_LIMIT, "more than %d events", AGR_EVENTS_MAX);
		m->events[m->nevents] = a->events[j];
		m->events[m->nevents].seq = NODE_NEW_SEQ + a->events[j].seq;
		m->nevents++;
	}
	agreement_sort_events(m);
	for (size_t j = 0; j < m->nevents; j++)
		sum->events_awaiting += agreement_event_awaits(m, j, AGR_NONE, NULL);
	return 0;
}

static int apply_agreement(struct store *s, const struct agreement *a, size_t i,
			   const struct party *ps, size_t nps, const char *today,
			   struct config_summary *sum, struct lerr *e)
{
	if (agreement_check(a, ps, nps, e) < 0)
		return lerr_prefix_path(e, "agreements[%zu]", i);
	struct agreement *m = malloc(sizeof *m);
	if (!m)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	size_t bad;
	int r = merge(s, a, m, sum, e);
	if (r == 0 && (r = agreement_check_events(m, &bad, e)) < 0) {
		if (m->events[bad].seq >= NODE_NEW_SEQ)
			lerr_prefix(e, "agreements[%zu].events[%lld]", i,
				    (long long)(m->events[bad].seq - NODE_NEW_SEQ));
		else
			lerr_prefix(e, "agreements[%zu]: event %zu already recorded", i,
				    node_stored_number(m, bad));
	}
	if (r == 0)
		r = store_agreement_put(s, a, e);
	const struct store_event_info info = {.source = "config", .recorded_on = today};
	for (size_t k = 0; r == 0 && k < m->nevents; k++)
		if (m->events[k].seq >= NODE_NEW_SEQ) {
			r = store_event_add(s, a->id, &m->events[k], &info, NULL, e);
			sum->events_added += r == 0;
		}
	free(m);
	return r;
}

/* Checks stored agreements that the file does not name against the schemes. */
static int recheck_others(struct store *s, const struct config *c, const struct party *ps,
			  size_t nps, struct lerr *e)
{
	char(*ids)[AGR_ID_MAX];
	size_t n;
	int r = store_agreement_ids(s, &ids, &n, e);
	if (r < 0)
		return r;
	struct agreement *a = malloc(sizeof *a);
	if (!a)
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < n; i++) {
		bool in_file = false;
		for (size_t j = 0; j < c->nagreements && !in_file; j++)
			in_file = strcmp(c->agreements[j].id, ids[i]) == 0;
		if (in_file)
			continue;
		r = store_agreement_get(s, ids[i], a, e);
		if (r == 0 && (r = agreement_check(a, ps, nps, e)) < 0)
			lerr_prefix(e, "agreement %s (already stored) would no longer hold",
				    ids[i]);
	}
	free(a);
	free(ids);
	return r;
}

/*
 * Stores a regime, then checks it again with every licence on file (one
 * added with `export licence add` must still name a listed entry).
 */
static int apply_regime(struct store *s, const struct export_regime *x, size_t i,
			const struct party *ps, size_t nps, const char *today, struct lerr *e)
{
	if (!party_find(ps, nps, x->party))
		return lerr_set(e, LERR_NOTFOUND, "export_regimes[%zu].party: unknown party %s", i,
				x->party);
	int r = store_export_regime_put(s, x, today, e);
	if (r < 0)
		return lerr_prefix(e, "export_regimes[%zu]", i);
	struct export_regime stored;
	if ((r = store_export_regime_get(s, x->party, &stored, e)) < 0)
		return r;
	if ((r = export_regime_check(&stored, e)) < 0)
		lerr_prefix(e, "export_regimes[%zu], with the licences on file", i);
	export_regime_free(&stored);
	return r;
}

/* Replaces, in scope, the sources of refs starting with prefix by the file's. */
static int apply_sources(struct store *s, const struct config *c, const char *scope,
			 const char *prefix, struct lerr *e)
{
	struct store_source *v = calloc(c->nsources ? c->nsources : 1, sizeof *v);
	size_t n = 0;
	if (!v)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	for (size_t i = 0; i < c->nsources; i++)
		if (strcmp(c->sources[i].scope, scope) == 0 &&
		    strncmp(c->sources[i].ref, prefix, strlen(prefix)) == 0)
			v[n++] = c->sources[i];
	int r = store_sources_replace(s, scope, prefix, v, n, e);
	free(v);
	return r;
}

/* Replaces owner's announcements by the file's. */
static int apply_announcements(struct store *s, const struct config *c, const char *owner,
			       struct lerr *e)
{
	struct announcement *v = calloc(c->nannouncements ? c->nannouncements : 1, sizeof *v);
	size_t n = 0;
	if (!v)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	for (size_t i = 0; i < c->nannouncements; i++)
		if (strcmp(c->announcements[i].owner, owner) == 0)
			v[n++] = c->announcements[i].a;
	int r = store_announcements_replace(s, owner, v, n, e);
	free(v);
	return r;
}

/* The record of what the file names: each agreement's and regime's sources
 * and announcements, as the file has them now. */
static int apply_record(struct store *s, const struct config *c, struct lerr *e)
{
	char prefix[CONFIG_OWNER_MAX], owner[CONFIG_OWNER_MAX];
	int r = 0;
	for (size_t i = 0; r == 0 && i < c->nagreements; i++) {
		snprintf(prefix, sizeof prefix, "%s|", c->agreements[i].id);
		snprintf(owner, sizeof owner, "agreement|%s", c->agreements[i].id);
		if ((r = apply_sources(s, c, "event", prefix, e)) == 0)
			r = apply_announcements(s, c, owner, e);
	}
	static const char *const scopes[] = {"group", "measure", "licence"};
	for (size_t i = 0; r == 0 && i < c->nregimes; i++) {
		snprintf(prefix, sizeof prefix, "%s|", c->regimes[i].party);
		snprintf(owner, sizeof owner, "export|%s", c->regimes[i].party);
		for (int k = 0; r == 0 && k < 3; k++)
			r = apply_sources(s, c, scopes[k], prefix, e);
		if (r == 0)
			r = apply_announcements(s, c, owner, e);
	}
	return r;
}

/* Whether a party as a file gives it keeps what its clearances mean and whose acts
 * count: its levels (code, rank, separate, how long a clearance lasts), whether the
 * operator may act for its people, its time zone (its "today"). */
static bool same_scheme(const struct party *a, const struct party *b)
{
	if (a->nlevels != b->nlevels || a->no_operator_acts != b->no_operator_acts ||
	    strcmp(a->time_zone, b->time_zone) != 0)
		return false;
	for (size_t i = 0; i < a->nlevels; i++) {
		const struct scheme_level *x = &a->levels[i], *y = &b->levels[i];
		if (strcmp(x->code, y->code) != 0 || x->rank != y->rank ||
		    x->separate != y->separate || x->valid_years != y->valid_years)
			return false;
	}
	return true;
}

/*
 * Through the API (who, a registrar), a file may add a party but not change
 * what an existing party's clearances mean: a registrar who raised the rank
 * of the level they hold would read what it then covers, whatever their own
 * record says. The node's operator applies such a change.
 */
static int scheme_kept(struct store *s, const struct person *who, const struct party *p, size_t i,
		       struct lerr *e)
{
	struct party old;
	if (!who)
		return 0;
	int r = store_party_get(s, p->code, &old, NULL);
	if (r == LERR_NOTFOUND)
		return 0;
	if (r < 0)
		return lerr_set(e, LERR_STORE, "parties[%zu]: cannot read party %s", i, p->code);
	if (!same_scheme(&old, p))
		return lerr_set(e, LERR_FORBIDDEN,
				"parties[%zu]: %s may not change party %s's levels, time zone or "
				"operator acts: they change what every clearance means; the "
				"node's operator applies them (liaison config apply)",
				i, who->id, p->code);
	return 0;
}

/* Whether two agreements have the same terms: parties, term, renewal,
 * notice and the equivalence table (their events aside). */
static bool same_terms(const struct agreement *a, const struct agreement *b)
{
	if (a->nparties != b->nparties || a->term_years != b->term_years ||
	    a->renewal_years != b->renewal_years || a->notice_days != b->notice_days ||
	    a->nequiv != b->nequiv)
		return false;
	for (size_t i = 0; i < a->nparties; i++)
		if (strcmp(a->parties[i], b->parties[i]) != 0)
			return false;
	for (size_t i = 0; i < a->nequiv; i++) {
		const struct agr_equiv *x = &a->equiv[i], *y = &b->equiv[i];
		if (strcmp(x->common, y->common) != 0 || x->n != y->n)
			return false;
		for (size_t j = 0; j < x->n; j++)
			if (strcmp(x->levels[j].party, y->levels[j].party) != 0 ||
			    strcmp(x->levels[j].level, y->levels[j].level) != 0)
				return false;
	}
	return true;
}

/*
 * Through the API (who, a registrar), a file may record an agreement's
 * events but not add an agreement or change one's terms: its equivalence
 * table says which clearance reads the other party's items (a registrar
 * who mapped a level down would read above their clearance, or let
 * others), and a new agreement between the same parties would govern in
 * its place. The node's operator applies such a change.
 */
static int terms_kept(struct store *s, const struct person *who, const struct agreement *a,
		      size_t i, struct lerr *e)
{
	if (!who)
		return 0;
	struct agreement *old = malloc(sizeof *old);
	if (!old)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	int r = store_agreement_get(s, a->id, old, NULL);
	if (r == LERR_NOTFOUND || (r == 0 && !same_terms(old, a)))
		r = lerr_set(e, LERR_FORBIDDEN,
			     "agreements[%zu]: %s may not %s agreement %s: its terms (parties, "
			     "term, notice, equivalence) decide what every clearance reads; the "
			     "node's operator applies them (liaison config apply)",
			     i, who->id, r == 0 ? "change the terms of" : "add", a->id);
	else if (r < 0)
		r = lerr_set(e, LERR_STORE, "agreements[%zu]: cannot read agreement %s", i, a->id);
	free(old);
	return r;
}

static int apply(struct store *s, const struct person *who, const struct config *c, date_t today,
		 struct config_summary *sum, struct lerr *e)
{
	char day[DATE_BUF_SIZE];
	date_format(today, day);
	for (size_t i = 0; i < c->nparties; i++) {
		if (scheme_kept(s, who, &c->parties[i], i, e) < 0)
			return e ? e->code : LERR_FORBIDDEN;
		if (store_party_put(s, &c->parties[i], e) < 0)
			return lerr_prefix(e, "parties[%zu]", i);
		sum->parties++;
	}
	struct party *ps;
	size_t nps;
	int r = store_party_list(s, &ps, &nps, e);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < c->nagreements; i++) {
		if ((r = terms_kept(s, who, &c->agreements[i], i, e)) == 0)
			r = apply_agreement(s, &c->agreements[i], i, ps, nps, day, sum, e);
		sum->agreements += r == 0;
	}
	if (r == 0)
		r = recheck_others(s, c, ps, nps, e);
	for (size_t i = 0; r == 0 && i < c->npeople; i++) {
		const struct person *pp = &c->people[i];
		const struct party *party = party_find(ps, nps, pp->party);
		if ((r = node_person_not_self(who, pp->id, e)) < 0)
			lerr_prefix_path(e, "people[%zu]", i);
		else if (!party)
			r = lerr_set(e, LERR_NOTFOUND, "people[%zu].party: unknown party %s", i,
				     pp->party);
		else if (person_check(pp, party, e) < 0)
			r = lerr_prefix_path(e, "people[%zu]", i);
		else if ((r = store_person_put(s, pp, e)) == 0)
			sum->people++;
	}
	for (size_t i = 0; r == 0 && i < c->nregimes; i++) {
		r = apply_regime(s, &c->regimes[i], i, ps, nps, day, e);
		sum->regimes += r == 0;
	}
	free(ps);
	return r == 0 ? apply_record(s, c, e) : r;
}

/* The log entry of an applied file: its counts, and the ids of the people, agreements
 * and parties it put, so that the record says what a file changed (and by_token, who
 * applied it). */
static json_t *applied(const struct config *c, const char *name, const struct config_summary *sum)
{
	json_t *ids = json_array(), *agreements = json_array(), *parties = json_array(),
	       *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "file", name,
			      "parties", (json_int_t)sum->parties, "agreements",
			      (json_int_t)sum->agreements, "people", (json_int_t)sum->people,
			      "export_regimes", (json_int_t)sum->regimes, "events_added",
			      (json_int_t)sum->events_added, "people_ids", ids, "agreement_ids",
			      agreements, "party_codes", parties);
	for (size_t i = 0; o && i < c->npeople; i++)
		json_array_append_new(ids, json_string(c->people[i].id));
	for (size_t i = 0; o && i < c->nagreements; i++)
		json_array_append_new(agreements, json_string(c->agreements[i].id));
	for (size_t i = 0; o && i < c->nparties; i++)
		json_array_append_new(parties, json_string(c->parties[i].code));
	return o;
}

int node_config_apply(struct node *n, const struct person *who, const struct config *c,
		      const char *name, bool dry_run, struct config_summary *sum, struct lerr *e)
{
	struct store *s = n ? n->store : NULL;
	struct node_clock clock = {0}; /* no node: UTC, not replaying */
	memset(sum, 0, sizeof *sum);
	if (!n && node_clock_read(&clock, e) < 0)
		return e ? e->code : LERR_INVAL;
	if (!s && store_open_scratch(&s, e) < 0)
		return e ? e->code : LERR_STORE;
	int r = store_begin(s, e);
	if (r == 0) {
		r = apply(s, who, c, n ? n->clock.today : clock.today, sum, e);
		if (r < 0)
			lerr_prefix(e, "%s", name);
		if (r < 0 || dry_run || !n)
			store_rollback(s);
		else
			r = node_log_commit(n, "config-apply", applied(c, name, sum), e);
	}
	if (!n)
		store_close(s);
	if (r < 0)
		memset(sum, 0, sizeof *sum);
	return r;
}
