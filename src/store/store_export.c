/* store_export.c - export regimes (groups, entries, special measures, licences) and the
 * record's sources and announcements. */
#include "store_int.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- export regimes ---- */

static int licence_put(struct store *q, const char *party, const struct export_licence *l,
		       const char *source, const char *on, bool replace, struct lerr *e)
{
	struct sql_stmt *st;
	const char *sql =
	    replace ? "INSERT INTO export_licences(id, party, kind, entry, country, valid_from,"
		      " valid_to, source, added_on, exporter, consignee)"
		      " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		      " ON CONFLICT(id) DO UPDATE SET party = excluded.party, kind = excluded.kind,"
		      " entry = excluded.entry, country = excluded.country,"
		      " valid_from = excluded.valid_from, valid_to = excluded.valid_to,"
		      " exporter = excluded.exporter, consignee = excluded.consignee"
		    : "INSERT INTO export_licences(id, party, kind, entry, country, valid_from,"
		      " valid_to, source, added_on, exporter, consignee)"
		      " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		      " ON CONFLICT DO NOTHING";
	if (db_prep(q, sql, &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, l->id, false);
	db_bind_text(st, 2, party, false);
	db_bind_text(st, 3, export_licence_kind_name(l->kind), false);
	db_bind_text(st, 4, l->entry, false);
	db_bind_text(st, 5, l->country, false);
	db_bind_span(st, 6, l->from, l->to);
	db_bind_text(st, 8, source, false);
	db_bind_text(st, 9, on, false);
	db_bind_text(st, 10, l->exporter, false);
	db_bind_text(st, 11, l->consignee, false);
	return db_step_change(q, st, "write licence", e, LERR_EXISTS,
			      "licence %s is already on file", l->id);
}

/* The regime's own groups, and its countries' memberships of them. */
static int put_groups(struct store *s, const struct export_regime *r, struct lerr *e)
{
	struct sql_stmt *st;
	for (size_t i = 0; i < r->ndefs; i++) {
		const struct export_group_def *d = &r->defs[i];
		if (db_prep(s,
			    "INSERT INTO export_group_defs(party, code, name, rules, position)"
			    " VALUES(?, ?, ?, ?, ?)",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, r->party, false);
		db_bind_text(st, 2, d->code, false);
		db_bind_text(st, 3, d->name, false);
		db_bind_text(st, 4, export_group_name(d->rules), false);
		sql_bind_int(st, 5, (int64_t)i);
		if (db_step_done(s, st, "write country group", e) < 0)
			return LERR_STORE;
	}
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct export_interval *g = &r->groups[i];
		if (db_prep(s,
			    "INSERT INTO export_groups(party, country, grp, valid_from, valid_to)"
			    " VALUES(?, ?, ?, ?, ?)",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, r->party, false);
		db_bind_text(st, 2, g->country, false);
		db_bind_text(st, 3, export_group_def(r, g->group)->code, false);
		db_bind_span(st, 4, g->from, g->to);
		if (db_step_done(s, st, "write country group", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

/* The control list, in its order. */
static int put_entries(struct store *s, const struct export_regime *r, struct lerr *e)
{
	struct sql_stmt *st;
	for (size_t i = 0; i < r->nentries; i++) {
		const struct export_entry *x = &r->entries[i];
		if (db_prep(s,
			    "INSERT INTO export_entries(party, code, name, list_item, position)"
			    " VALUES(?, ?, ?, ?, ?)",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, r->party, false);
		db_bind_text(st, 2, x->code, false);
		db_bind_text(st, 3, x->name, false);
		sql_bind_int(st, 4, x->list_item);
		sql_bind_int(st, 5, (int64_t)i);
		if (db_step_done(s, st, "write control-list entry", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

/* The special measures, each with its entries. */
static int put_measures(struct store *s, const struct export_regime *r, struct lerr *e)
{
	struct sql_stmt *st;
	for (size_t i = 0; i < r->nmeasures; i++) {
		const struct export_measure *m = &r->measures[i];
		if (db_prep(s,
			    "INSERT INTO export_measures(party, country, valid_from, valid_to,"
			    " requires) VALUES(?, ?, ?, ?, 'individual') RETURNING id",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, r->party, false);
		db_bind_text(st, 2, m->country, false);
		db_bind_span(st, 3, m->from, m->to);
		int64_t id = 0;
		if (db_step_id(s, st, &id, "write special measure", e) < 0)
			return LERR_STORE;
		for (size_t k = 0; k < m->nentries; k++) {
			if (db_prep(s,
				    "INSERT INTO export_measure_entries(measure, entry, position)"
				    " VALUES(?, ?, ?) ON CONFLICT DO NOTHING",
				    &st, e) < 0)
				return LERR_STORE;
			sql_bind_int(st, 1, id);
			db_bind_text(st, 2, m->entries[k], false);
			sql_bind_int(st, 3, (int64_t)k);
			if (db_step_done(s, st, "write special measure", e) < 0)
				return LERR_STORE;
		}
	}
	return 0;
}

int store_export_regime_put(struct store *s, const struct export_regime *r, const char *on,
			    struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO export_regimes(party, default_group) VALUES(?, ?)"
		    " ON CONFLICT(party) DO UPDATE SET default_group = excluded.default_group",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, r->party, false);
	db_bind_text(st, 2, export_group_def(r, r->default_group)->code, false);
	if (db_step_done(s, st, "write export regime", e) < 0 ||
	    db_delete_for(s, "DELETE FROM export_group_defs WHERE party = ?", r->party, e) < 0 ||
	    db_delete_for(s, "DELETE FROM export_groups WHERE party = ?", r->party, e) < 0 ||
	    db_delete_for(s, "DELETE FROM export_entries WHERE party = ?", r->party, e) < 0 ||
	    db_delete_for(s, "DELETE FROM export_measures WHERE party = ?", r->party, e) < 0)
		return LERR_STORE;
	if (put_groups(s, r, e) < 0 || put_entries(s, r, e) < 0 || put_measures(s, r, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < r->nlicences; i++)
		if (licence_put(s, r->party, &r->licences[i], "config", on, true, e) < 0)
			return LERR_STORE;
	return 0;
}

static int load_regime_rows(struct store *q, struct export_regime *r, struct lerr *e)
{
	static const char *const sql[] = {
	    "SELECT country, grp, valid_from, valid_to FROM export_groups WHERE party = ?"
	    " ORDER BY country, valid_from",
	    "SELECT code, name, list_item FROM export_entries WHERE party = ? ORDER BY position",
	    "SELECT country, valid_from, valid_to FROM export_measures WHERE party = ?"
	    " ORDER BY id",
	    "SELECT id, entry, country, valid_from, valid_to, kind, exporter, consignee"
	    " FROM export_licences WHERE party = ? ORDER BY valid_from, id"};
	for (int t = 0; t < 4; t++) {
		struct sql_stmt *st;
		if (db_prep(q, sql[t], &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, r->party, false);
		int rc, r2 = 0;
		while (r2 == 0 && (rc = sql_step(st)) == SQL_ROW) {
			bool ok = true;
			if (t == 0) {
				struct export_interval *g =
				    db_grow((void **)&r->groups, &r->ngroups, sizeof *g);
				if (!g)
					break;
				db_col_copy(st, 0, g->country, sizeof g->country);
				ok =
				    export_group_find(r, db_col_str(st, 1), &g->group, NULL) == 0 &&
				    db_col_span(st, 2, &g->from, &g->to);
			} else if (t == 1) {
				struct export_entry *x =
				    db_grow((void **)&r->entries, &r->nentries, sizeof *x);
				if (!x)
					break;
				db_col_copy(st, 0, x->code, sizeof x->code);
				db_col_copy(st, 1, x->name, sizeof x->name);
				x->list_item = (int)sql_int(st, 2);
			} else if (t == 2) {
				struct export_measure *m =
				    db_grow((void **)&r->measures, &r->nmeasures, sizeof *m);
				if (!m)
					break;
				db_col_copy(st, 0, m->country, sizeof m->country);
				ok = db_col_span(st, 1, &m->from, &m->to);
			} else {
				struct export_licence *l =
				    db_grow((void **)&r->licences, &r->nlicences, sizeof *l);
				if (!l)
					break;
				db_col_copy(st, 0, l->id, sizeof l->id);
				db_col_copy(st, 1, l->entry, sizeof l->entry);
				db_col_copy(st, 2, l->country, sizeof l->country);
				db_col_copy(st, 6, l->exporter, sizeof l->exporter);
				db_col_copy(st, 7, l->consignee, sizeof l->consignee);
				ok = db_col_span(st, 3, &l->from, &l->to) &&
				     export_licence_kind_parse(db_col_str(st, 5), &l->kind, NULL) ==
					 0;
			}
			if (!ok)
				r2 = lerr_set(e, LERR_STORE, "store: export regime %s: damaged row",
					      r->party);
		}
		if (r2 == 0 && rc != SQL_DONE)
			r2 = rc == SQL_ROW ? lerr_set(e, LERR_NOMEM, "out of memory")
					   : db_fail(q, e, "read export regime");
		db_release(q, st);
		if (r2 < 0)
			return r2;
	}
	return 0;
}

/* A regime's own country groups, in their order. */
static int load_group_defs(struct store *q, struct export_regime *r, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(
		q,
		"SELECT code, name, rules FROM export_group_defs WHERE party = ? ORDER BY position",
		&st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, r->party, false);
	int rc, res = 0;
	while (res == 0 && (rc = sql_step(st)) == SQL_ROW && r->ndefs < EXPORT_GROUPS_MAX) {
		struct export_group_def *d = &r->defs[r->ndefs++];
		db_col_copy(st, 0, d->code, sizeof d->code);
		db_col_copy(st, 1, d->name, sizeof d->name);
		if (export_group_parse(db_col_str(st, 2), &d->rules, NULL) < 0)
			res = lerr_set(e, LERR_STORE, "store: export regime %s: damaged group",
				       r->party);
	}
	db_release(q, st);
	if (res == 0 && rc != SQL_ROW && rc != SQL_DONE)
		res = db_fail(q, e, "read country groups");
	return res;
}

/* The measures' entries: one row per (measure, entry), measures in the order loaded. */
static int load_measure_entries(struct store *q, struct export_regime *r, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(q,
		    "SELECT m.id, x.entry FROM export_measures m"
		    " LEFT JOIN export_measure_entries x ON x.measure = m.id"
		    " WHERE m.party = ? ORDER BY m.id, x.position",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, r->party, false);
	int rc;
	size_t i = 0;
	int64_t id = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		int64_t row = sql_int(st, 0);
		if (id && row != id)
			i++;
		id = row;
		if (i >= r->nmeasures)
			break;
		struct export_measure *m = &r->measures[i];
		if (!sql_is_null(st, 1) && m->nentries < EXPORT_MEASURE_ENTRIES_MAX)
			db_col_copy(st, 1, m->entries[m->nentries++], LABEL_WORD_MAX);
	}
	db_release(q, st);
	return rc == SQL_ROW || rc == SQL_DONE ? 0 : db_fail(q, e, "read special measure");
}

int store_export_regime_get(struct store *s, const char *party, struct export_regime *r,
			    struct lerr *e)
{
	struct sql_stmt *st;
	memset(r, 0, sizeof *r);
	if (db_prep(s, "SELECT party, default_group FROM export_regimes WHERE party = ?", &st, e) <
	    0)
		return LERR_STORE;
	db_bind_text(st, 1, party, false);
	int rc = sql_step(st), res = 0;
	char dflt[EXPORT_GROUP_CODE_MAX] = "";
	if (rc == SQL_ROW) {
		db_col_copy(st, 0, r->party, sizeof r->party);
		db_col_copy(st, 1, dflt, sizeof dflt);
	}
	res = db_read_end(
	    s, st, rc, res, "read export regime", e,
	    "no export regime of %.16s is on file (export_regimes in the configuration file)",
	    party);
	if (res == 0)
		res = load_group_defs(s, r, e);
	if (res == 0 && export_group_find(r, dflt, &r->default_group, NULL) < 0)
		res = lerr_set(e, LERR_STORE, "store: export regime %s: damaged", party);
	if (res == 0)
		res = load_regime_rows(s, r, e);
	if (res == 0)
		res = load_measure_entries(s, r, e);
	if (res < 0)
		export_regime_free(r);
	return res;
}

int store_export_licence_add(struct store *s, const char *party, const struct export_licence *l,
			     const char *source, const char *on, struct lerr *e)
{
	return licence_put(s, party, l, source, on, false, e);
}

int store_sources_replace(struct store *s, const char *scope, const char *prefix,
			  const struct store_source *v, size_t n, struct lerr *e)
{
	struct sql_stmt *st;
	/* a prefix compared as it is (LIKE folds ASCII case in SQLite, not in
	 * PostgreSQL): agreement "a" and "A" are two */
	if (db_prep(s, "DELETE FROM sources WHERE scope = ? AND substr(ref, 1, ?) = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, scope, false);
	sql_bind_int(st, 2, (int64_t)strlen(prefix));
	db_bind_text(st, 3, prefix, false);
	if (db_step_done(s, st, "replace sources", e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < n; i++) {
		if (db_prep(s,
			    "INSERT INTO sources(scope, ref, title, url) VALUES(?, ?, ?, ?)"
			    " ON CONFLICT(scope, ref) DO UPDATE SET title = excluded.title,"
			    " url = excluded.url",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, v[i].scope, false);
		db_bind_text(st, 2, v[i].ref, false);
		db_bind_text(st, 3, v[i].src.title, false);
		db_bind_text(st, 4, v[i].src.url, false);
		if (db_step_done(s, st, "write source", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

int store_sources_list(struct store *s, const char *scope, const char *prefix,
		       struct store_source **out, size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (db_prep(s,
		    "SELECT ref, title, url FROM sources WHERE scope = ? AND substr(ref, 1, ?) = ?"
		    " ORDER BY ref",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, scope, false);
	sql_bind_int(st, 2, (int64_t)strlen(prefix));
	db_bind_text(st, 3, prefix, false);
	int rc, r = 0;
	while ((rc = sql_step(st)) == SQL_ROW) {
		struct store_source *x = db_grow((void **)out, n, sizeof *x);
		if (!x) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		str_copy(x->scope, sizeof x->scope, scope);
		db_col_copy(st, 0, x->ref, sizeof x->ref);
		db_col_copy(st, 1, x->src.title, sizeof x->src.title);
		db_col_copy(st, 2, x->src.url, sizeof x->src.url);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(s, e, "read sources");
	db_release(s, st);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

int store_announcements_replace(struct store *s, const char *owner, const struct announcement *v,
				size_t n, struct lerr *e)
{
	struct sql_stmt *st;
	char d[DATE_BUF_SIZE];
	if (db_delete_for(s, "DELETE FROM announcements WHERE scope = ?", owner, e) < 0)
		return LERR_STORE;
	for (size_t i = 0; i < n; i++) {
		if (db_prep(s,
			    "INSERT INTO announcements(scope, date, title, by_party, source_title,"
			    " source_url) VALUES(?, ?, ?, ?, ?, ?)",
			    &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, owner, false);
		db_bind_text(st, 2, date_format(v[i].date, d), false);
		db_bind_text(st, 3, v[i].title, false);
		db_bind_text(st, 4, v[i].by, false);
		db_bind_text(st, 5, v[i].src.title, false);
		db_bind_text(st, 6, v[i].src.url, false);
		if (db_step_done(s, st, "write announcement", e) < 0)
			return LERR_STORE;
	}
	return 0;
}

int store_announcements_list(struct store *s, const char *owner, struct announcement **out,
			     size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	*n = 0;
	if (db_prep(s,
		    "SELECT date, title, by_party, source_title, source_url FROM announcements"
		    " WHERE scope = ? ORDER BY date, id",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, owner, false);
	int rc, r = 0;
	while (r == 0 && (rc = sql_step(st)) == SQL_ROW) {
		struct announcement *a = db_grow((void **)out, n, sizeof *a);
		if (!a) {
			r = lerr_set(e, LERR_NOMEM, "out of memory");
			break;
		}
		if (date_parse(db_col_str(st, 0), &a->date, NULL) < 0)
			r = lerr_set(e, LERR_STORE, "store: announcement of %s: damaged date",
				     owner);
		db_col_copy(st, 1, a->title, sizeof a->title);
		db_col_copy(st, 2, a->by, sizeof a->by);
		db_col_copy(st, 3, a->src.title, sizeof a->src.title);
		db_col_copy(st, 4, a->src.url, sizeof a->src.url);
	}
	if (r == 0 && rc != SQL_DONE)
		r = db_fail(s, e, "read announcements");
	db_release(s, st);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}
