/* store_agreements.c - parties and their schemes, agreements and their events, people and
 * their clearances, parties' public keys. */
#include "store_int.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_party_put(struct store *s, const struct party *p, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(
		s,
		"INSERT INTO parties(code, name, no_operator_acts, time_zone) VALUES(?, ?, ?, ?)"
		" ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
		" no_operator_acts = excluded.no_operator_acts, time_zone = excluded.time_zone",
		&st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, p->code, false);
	db_bind_text(st, 2, p->name, false);
	sql_bind_int(st, 3, p->no_operator_acts);
	db_bind_text(st, 4, p->time_zone, false);
	if (db_step_done(s, st, "write party", e) < 0)
		return LERR_STORE;
	if (db_prep(s, "DELETE FROM party_words WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, p->code, false);
	if (db_step_done(s, st, "replace party words", e) < 0)
		return LERR_STORE;
	struct party_words words[PARTY_WORD_LISTS]; /* kind: the list's name */
	party_word_lists(p, words);
	for (size_t k = 0; k < PARTY_WORD_LISTS; k++)
		for (size_t i = 0; i < words[k].n; i++) {
			if (db_prep(s,
				    "INSERT INTO party_words(party, kind, word, position)"
				    " VALUES(?, ?, ?, ?)",
				    &st, e) < 0)
				return LERR_STORE;
			db_bind_text(st, 1, p->code, false);
			db_bind_text(st, 2, words[k].name, false);
			db_bind_text(st, 3, words[k].v[i], false);
			sql_bind_int(st, 4, (int64_t)i);
			if (db_step_done(s, st, "write party word", e) < 0)
				return LERR_STORE;
		}
	if (db_prep(s, "DELETE FROM levels WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, p->code, false);
	if (db_step_done(s, st, "replace levels", e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < p->nlevels; i++) {
		if (db_prep(s,
			    "INSERT INTO levels(party, code, name, rank, position, separate, "
			    "valid_years, colour)"
			    " VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, p->code, false);
		db_bind_text(st, 2, p->levels[i].code, false);
		db_bind_text(st, 3, p->levels[i].name, false);
		sql_bind_int(st, 4, p->levels[i].rank);
		sql_bind_int(st, 5, (int64_t)i);
		sql_bind_int(st, 6, p->levels[i].separate ? 1 : 0);
		sql_bind_int(st, 7, p->levels[i].valid_years);
		db_bind_text(st, 8, p->levels[i].colour, false);
		if (db_step_done(s, st, "write level", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

static int load_levels(struct store *q, struct party *p, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(q,
		    "SELECT code, name, rank, separate, valid_years, colour FROM levels"
		    " WHERE party = ? ORDER BY position",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, p->code, false);
	int rc, r = 0;
	p->nlevels = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		if (p->nlevels == SCHEME_LEVELS_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: party %s has too many levels", p->code);
			break;
		}
		struct scheme_level *l = &p->levels[p->nlevels++];
		db_col_copy(st, 0, l->code, sizeof l->code);
		db_col_copy(st, 1, l->name, sizeof l->name);
		l->rank = (int)sql_int(st, 2);
		l->separate = sql_int(st, 3) != 0;
		l->valid_years = (int)sql_int(st, 4);
		db_col_copy(st, 5, l->colour, sizeof l->colour);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(q, e, "read levels");
	db_release(q, st);
	return r;
}

/* The party's declared need-to-know groups and purposes. */
static int load_words(struct store *q, struct party *p, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(q, "SELECT kind, word FROM party_words WHERE party = ? ORDER BY kind, position",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, p->code, false);
	int rc, r = 0;
	while (r == 0 && (rc = sql_step(st)) == SQL_ROW) {
		bool ntk = strcmp(sql_text(st, 0), "ntk_groups") == 0;
		size_t *n = ntk ? &p->nntk_groups : &p->npurposes;
		char(*v)[PARTY_WORD_MAX] = ntk ? p->ntk_groups : p->purposes;
		if (*n == PARTY_WORDS_MAX)
			r = lerr_set(e, LERR_LIMIT, "store: party %s has too many words", p->code);
		else
			db_col_copy(st, 1, v[(*n)++], PARTY_WORD_MAX);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(q, e, "read party words");
	db_release(q, st);
	return r;
}

int store_party_get(struct store *s, const char *code, struct party *p, struct lerr *e)
{
	struct sql_stmt *st;
	memset(p, 0, sizeof *p);
	if (db_prep(s, "SELECT code, name, no_operator_acts, time_zone FROM parties WHERE code = ?",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, code, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		db_col_copy(st, 0, p->code, sizeof p->code);
		db_col_copy(st, 1, p->name, sizeof p->name);
		p->no_operator_acts = sql_int(st, 2) != 0;
		db_col_copy(st, 3, p->time_zone, sizeof p->time_zone);
	}
	r = db_read_end(s, st, rc, r, "read party", e, "unknown party %.32s", code);
	if (r == 0)
		r = load_levels(s, p, e);
	return r < 0 ? r : load_words(s, p, e);
}

int store_party_list(struct store *s, struct party **out, size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (db_prep(s, "SELECT code FROM parties ORDER BY code", &st, e) < 0)
		return LERR_STORE;
	struct party *v = NULL;
	size_t nv = 0;
	int rc, r = 0;
	while (r == 0 && (rc = sql_step(st)) == SQL_ROW) {
		struct party *nvp = realloc(v, (nv + 1) * sizeof *v);
		if (!nvp) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		v = nvp;
		char code[PARTY_CODE_MAX];
		db_col_copy(st, 0, code, sizeof code);
		r = store_party_get(s, code, &v[nv], e);
		nv++;
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(s, e, "list parties");
	db_release(s, st);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = nv;
	return 0;
}

int store_agreement_put(struct store *s, const struct agreement *a, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO agreements(id, title, term_years, renewal_years, notice_days)"
		    " VALUES(?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
		    " title = excluded.title, term_years = excluded.term_years,"
		    " renewal_years = excluded.renewal_years, notice_days = excluded.notice_days",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, a->id, false);
	db_bind_text(st, 2, a->title, false);
	sql_bind_int(st, 3, a->term_years);
	sql_bind_int(st, 4, a->renewal_years);
	sql_bind_int(st, 5, a->notice_days);
	if (db_step_done(s, st, "write agreement", e) < 0 ||
	    db_delete_for(s, "DELETE FROM agreement_parties WHERE agreement = ?", a->id, e) < 0 ||
	    db_delete_for(s, "DELETE FROM equivalences WHERE agreement = ?", a->id, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < a->nparties; i++) {
		if (db_prep(s,
			    "INSERT INTO agreement_parties(agreement, party, position)"
			    " VALUES(?, ?, ?)",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, a->id, false);
		db_bind_text(st, 2, a->parties[i], false);
		sql_bind_int(st, 3, (int64_t)i);
		if (db_step_done(s, st, "write agreement party", e) < 0)
			return LERR_STORE;
	}
	for (size_t r = 0; r < a->nequiv; r++)
		for (size_t i = 0; i < a->equiv[r].n; i++) {
			if (db_prep(s,
				    "INSERT INTO equivalences(agreement, row, common, party, level,"
				    " position) VALUES(?, ?, ?, ?, ?, ?)",
				    &st, e) < 0)
				return LERR_STORE;
			db_bind_text(st, 1, a->id, false);
			sql_bind_int(st, 2, (int64_t)r);
			db_bind_text(st, 3, a->equiv[r].common, false);
			db_bind_text(st, 4, a->equiv[r].levels[i].party, false);
			db_bind_text(st, 5, a->equiv[r].levels[i].level, false);
			sql_bind_int(st, 6, (int64_t)i);
			if (db_step_done(s, st, "write equivalence", e) < 0)
				return LERR_STORE;
		}
	return 0;
}

static int load_agreement_parties(struct store *q, struct agreement *a, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(q, "SELECT party FROM agreement_parties WHERE agreement = ? ORDER BY position",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, a->id, false);
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		if (a->nparties == AGR_PARTIES_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: agreement %s has too many parties",
				     a->id);
			break;
		}
		db_col_copy(st, 0, a->parties[a->nparties], PARTY_CODE_MAX);
		a->nparties++;
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(q, e, "read agreement parties");
	db_release(q, st);
	return r;
}

static int load_equivalences(struct store *q, struct agreement *a, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(q,
		    "SELECT row, common, party, level FROM equivalences WHERE agreement = ?"
		    " ORDER BY row, position",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, a->id, false);
	int rc, r = 0;
	long last = -1;
	while ((rc = sql_step(st)) == SQL_ROW) {
		long row = (long)sql_int(st, 0);
		if (row != last) {
			if (a->nequiv == AGR_EQUIV_MAX) {
				r = lerr_set(e, LERR_LIMIT, "store: agreement %s: too many rows",
					     a->id);
				break;
			}
			db_col_copy(st, 1, a->equiv[a->nequiv].common, AGR_COMMON_MAX);
			a->nequiv++;
			last = row;
		}
		struct agr_equiv *eq = &a->equiv[a->nequiv - 1];
		if (eq->n == AGR_EQUIV_LEVELS_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: agreement %s: row too long", a->id);
			break;
		}
		db_col_copy(st, 2, eq->levels[eq->n].party, PARTY_CODE_MAX);
		db_col_copy(st, 3, eq->levels[eq->n].level, LEVEL_CODE_MAX);
		eq->n++;
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(q, e, "read equivalences");
	db_release(q, st);
	return r;
}

static int load_events(struct store *q, struct agreement *a, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(q,
		    "SELECT id, date, kind, by_party FROM agreement_events"
		    " WHERE agreement = ? ORDER BY date, id",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, a->id, false);
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		if (a->nevents == AGR_EVENTS_MAX) {
			r = lerr_set(e, LERR_LIMIT, "store: agreement %s has more than %d events",
				     a->id, AGR_EVENTS_MAX);
			break;
		}
		struct agr_event *ev = &a->events[a->nevents];
		ev->seq = sql_int(st, 0);
		const char *d = sql_text(st, 1);
		const char *k = sql_text(st, 2);
		if (!d || !k || date_parse(d, &ev->date, e) < 0 ||
		    agr_event_kind_parse(k, &ev->kind, e) < 0) {
			r = lerr_set(e, LERR_STORE, "store: agreement %s: event %lld is damaged",
				     a->id, (long long)ev->seq);
			break;
		}
		db_col_copy(st, 3, ev->by, sizeof ev->by);
		a->nevents++;
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(q, e, "read events");
	db_release(q, st);
	if (r == 0)
		agreement_sort_events(a);
	return r;
}

int store_agreement_get(struct store *s, const char *id, struct agreement *a, struct lerr *e)
{
	struct sql_stmt *st;
	memset(a, 0, sizeof *a);
	if (db_prep(s,
		    "SELECT id, title, term_years, renewal_years, notice_days"
		    " FROM agreements WHERE id = ?",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, id, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		db_col_copy(st, 0, a->id, sizeof a->id);
		db_col_copy(st, 1, a->title, sizeof a->title);
		a->term_years = (int)sql_int(st, 2);
		a->renewal_years = (int)sql_int(st, 3);
		a->notice_days = (int)sql_int(st, 4);
	}
	r = db_read_end(s, st, rc, r, "read agreement", e, "unknown agreement %.80s", id);
	if (r == 0)
		r = load_agreement_parties(s, a, e);
	if (r == 0)
		r = load_equivalences(s, a, e);
	if (r == 0)
		r = load_events(s, a, e);
	return r;
}

int store_agreement_ids(struct store *s, char (**out)[AGR_ID_MAX], size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (db_prep(s, "SELECT id FROM agreements ORDER BY id", &st, e) < 0)
		return LERR_STORE;
	return db_collect(s, st, AGR_ID_MAX, (void **)out, n, "list agreements", e);
}

int store_event_add(struct store *s, const char *id, const struct agr_event *ev,
		    const struct store_event_info *info, int64_t *seq, struct lerr *e)
{
	struct sql_stmt *st;
	char d[DATE_BUF_SIZE];
	if (db_prep(s,
		    "INSERT INTO agreement_events(agreement, date, kind, by_party, source,"
		    " recorded_on) VALUES(?, ?, ?, ?, ?, ?) RETURNING id",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, id, false);
	db_bind_text(st, 2, date_format(ev->date, d), false);
	db_bind_text(st, 3, agr_event_kind_name(ev->kind), false);
	db_bind_text(st, 4, ev->by, true);
	db_bind_text(st, 5, info->source, false);
	db_bind_text(st, 6, info->recorded_on, false);
	int64_t rowid = 0;
	if (db_step_id(s, st, &rowid, "write event", e) < 0)
		return LERR_STORE;
	if (seq)
		*seq = rowid;
	return 0;
}

int store_person_put(struct store *s, const struct person *p, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO people(id, party, name, roles) VALUES(?, ?, ?, ?)"
		    " ON CONFLICT(id) DO UPDATE SET party = excluded.party,"
		    " name = excluded.name, roles = excluded.roles",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, p->id, false);
	db_bind_text(st, 2, p->party, false);
	db_bind_text(st, 3, p->name, false);
	sql_bind_int(st, 4, (int)p->roles);
	if (db_step_done(s, st, "write person", e) < 0 ||
	    db_delete_for(s, "DELETE FROM person_ntk WHERE person = ?", p->id, e) < 0 ||
	    db_delete_for(s, "DELETE FROM clearances WHERE person = ?", p->id, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < p->nntk; i++) {
		if (db_prep(s,
			    "INSERT INTO person_ntk(person, grp) VALUES(?, ?)"
			    " ON CONFLICT DO NOTHING",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, p->id, false);
		db_bind_text(st, 2, p->ntk[i], false);
		if (db_step_done(s, st, "write need-to-know", e) < 0)
			return LERR_STORE;
	}
	for (size_t i = 0; i < p->nclear && i < PERSON_CLEARANCES_MAX; i++) {
		char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
		if (db_prep(s,
			    "INSERT INTO clearances(person, position, party, level, valid_from,"
			    " valid_to) VALUES(?, ?, ?, ?, ?, ?)",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, p->id, false);
		sql_bind_int(st, 2, (int64_t)i);
		db_bind_text(st, 3, p->party, false);
		db_bind_text(st, 4, p->clear[i].level, false);
		db_bind_text(st, 5, date_format(p->clear[i].from, d1), false);
		db_bind_text(st, 6, date_format(p->clear[i].to, d2), false);
		if (db_step_done(s, st, "write clearance", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

int store_person_get(struct store *s, const char *id, struct person *p, struct lerr *e)
{
	struct sql_stmt *st;
	memset(p, 0, sizeof *p);
	if (db_prep(s, "SELECT id, party, name, roles FROM people WHERE id = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, id, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		db_col_copy(st, 0, p->id, sizeof p->id);
		db_col_copy(st, 1, p->party, sizeof p->party);
		db_col_copy(st, 2, p->name, sizeof p->name);
		p->roles = (unsigned)(int)sql_int(st, 3);
	}
	r = db_read_end(s, st, rc, r, "read person", e, "unknown person %.80s", id);
	if (r < 0)
		return r;
	if (db_prep(s, "SELECT grp FROM person_ntk WHERE person = ? ORDER BY grp", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, id, false);
	while ((rc = sql_step(st)) == SQL_ROW && p->nntk < PERSON_NTK_MAX)
		db_col_copy(st, 0, p->ntk[p->nntk++], LABEL_WORD_MAX);
	db_release(s, st);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return db_fail(s, e, "read need-to-know");
	if (db_prep(s,
		    "SELECT level, valid_from, valid_to FROM clearances WHERE person = ?"
		    " ORDER BY position",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, id, false);
	while (r == 0 && (rc = sql_step(st)) == SQL_ROW && p->nclear < PERSON_CLEARANCES_MAX) {
		struct clearance *c = &p->clear[p->nclear++];
		db_col_copy(st, 0, c->level, sizeof c->level);
		if (date_parse(db_col_str(st, 1), &c->from, NULL) < 0 ||
		    date_parse(db_col_str(st, 2), &c->to, NULL) < 0)
			r = lerr_set(e, LERR_STORE, "store: person %s: damaged clearance", id);
	}
	db_release(s, st);
	if (r == 0 && rc != SQL_ROW && rc != SQL_DONE)
		r = db_fail(s, e, "read clearance");
	return r;
}

int store_person_ids(struct store *s, char (**out)[PERSON_ID_MAX], size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (db_prep(s, "SELECT id FROM people ORDER BY party, id", &st, e) < 0)
		return LERR_STORE;
	return db_collect(s, st, PERSON_ID_MAX, (void **)out, n, "list people", e);
}

int store_party_key_put(struct store *s, const struct key_public *p, const char *on, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO party_keys(party, ed25519, x25519, added_on) VALUES(?, ?, ?, ?)"
		    " ON CONFLICT(party) DO UPDATE SET ed25519 = excluded.ed25519,"
		    " x25519 = excluded.x25519, added_on = excluded.added_on",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, p->party, false);
	sql_bind_blob(st, 2, p->sign_pk, (size_t)(KEY_SIGN_PK));
	sql_bind_blob(st, 3, p->box_pk, (size_t)(KEY_BOX_PK));
	db_bind_text(st, 4, on, false);
	return db_step_done(s, st, "write party key", e);
}

int store_party_key_added(struct store *s, const char *party, char on[DATE_BUF_SIZE],
			  struct lerr *e)
{
	struct sql_stmt *st;
	on[0] = '\0';
	if (db_prep(s, "SELECT added_on FROM party_keys WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, party, false);
	int rc = sql_step(st);
	if (rc == SQL_ROW)
		db_col_copy(st, 0, on, DATE_BUF_SIZE);
	return db_read_end(s, st, rc, 0, "read party key", e, "no public key for %.32s", party);
}

int store_retired_key_put(struct store *s, const struct store_retired_key *k, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO retired_keys(party, ed25519, x25519, added_on, retired_on,"
		    " log_size, how) VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, k->pub.party, false);
	sql_bind_blob(st, 2, k->pub.sign_pk, (size_t)(KEY_SIGN_PK));
	sql_bind_blob(st, 3, k->pub.box_pk, (size_t)(KEY_BOX_PK));
	db_bind_text(st, 4, k->added_on, false);
	db_bind_text(st, 5, k->retired_on, false);
	sql_bind_int(st, 6, (int64_t)k->log_size);
	db_bind_text(st, 7, k->how, false);
	return db_step_done(s, st, "write retired key", e);
}

int store_retired_keys_compromised(struct store *s, const char *party, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "UPDATE retired_keys SET how = 'compromised' WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, party, false);
	return db_step_done(s, st, "mark retired keys compromised", e);
}

int store_retired_keys(struct store *s, const char *party, struct store_retired_key **out,
		       size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (db_prep(s,
		    "SELECT ed25519, x25519, added_on, retired_on, log_size, how FROM retired_keys"
		    " WHERE party = ? ORDER BY retired_on DESC, log_size DESC",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, party, false);
	int rc = SQL_DONE, r = 0;
	while (r == 0 && (rc = sql_step(st)) == SQL_ROW) {
		struct store_retired_key *k = db_grow((void **)out, n, sizeof *k);
		if (!k) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		str_copy(k->pub.party, sizeof k->pub.party, party);
		if (!db_col_blob(st, 0, k->pub.sign_pk, KEY_SIGN_PK) ||
		    !db_col_blob(st, 1, k->pub.box_pk, KEY_BOX_PK))
			r = lerr_set(e, LERR_STORE, "store: a retired key of %s is damaged", party);
		db_col_copy(st, 2, k->added_on, sizeof k->added_on);
		db_col_copy(st, 3, k->retired_on, sizeof k->retired_on);
		int64_t size = sql_int(st, 4);
		k->log_size = size > 0 ? (uint64_t)size : 0;
		db_col_copy(st, 5, k->how, sizeof k->how);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(s, e, "list retired keys");
	db_release(s, st);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int store_party_key_get(struct store *s, const char *party, struct key_public *p, struct lerr *e)
{
	struct sql_stmt *st;
	memset(p, 0, sizeof *p);
	if (db_prep(s, "SELECT ed25519, x25519 FROM party_keys WHERE party = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, party, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW && db_col_blob(st, 0, p->sign_pk, KEY_SIGN_PK) &&
	    db_col_blob(st, 1, p->box_pk, KEY_BOX_PK)) {
		str_copy(p->party, sizeof p->party, party);
	} else if (rc == SQL_ROW)
		r = lerr_set(e, LERR_STORE, "store: the keys of %s are damaged", party);
	return db_read_end(s, st, rc, r, "read party key", e,
			   "no public key for %.32s (add it with: liaison party key %.32s FILE)",
			   party, party);
}
