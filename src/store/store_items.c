/* store_items.c - items, their releases and consents. */
#include "store_int.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Binds what a relabel changes (label, levels, blob, size) at i to i + 4. */
static void bind_marked(struct sql_stmt *st, int i, const struct store_item *it)
{
	db_bind_text(st, i, it->label, false);
	db_bind_text(st, i + 1, it->level, false);
	db_bind_text(st, i + 2, it->local_level, false);
	db_bind_text(st, i + 3, it->blob, false);
	sql_bind_int(st, i + 4, it->size);
}

int store_item_add(struct store *s, const struct store_item *it, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(
		s,
		"INSERT INTO items(id, label, level, local_level, blob, size, originator,"
		" foreign_item, received, sender, stored_on, shared_by, seq)"
		" SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(max(seq), 0) + 1 FROM items"
		" WHERE true ON CONFLICT DO NOTHING",
		&st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, it->id, false);
	bind_marked(st, 2, it);
	db_bind_text(st, 7, it->originator, false);
	sql_bind_int(st, 8, it->foreign);
	db_bind_text(st, 9, it->received, true);
	db_bind_text(st, 10, it->sender, true);
	db_bind_text(st, 11, it->stored_on, false);
	db_bind_text(st, 12, it->shared_by, true);
	return db_step_change(s, st, "write item", e, LERR_EXISTS, "item %s is already stored",
			      it->id);
}

int store_item_get(struct store *s, const char *id, struct store_item *it, struct lerr *e)
{
	struct sql_stmt *st;
	memset(it, 0, sizeof *it);
	if (db_prep(
		s,
		"SELECT id, label, originator, level, local_level, foreign_item, received,"
		" sender, blob, size, stored_on, destroyed_on, shared_by FROM items WHERE id = ?",
		&st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, id, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		db_col_copy(st, 0, it->id, sizeof it->id);
		const char *l = sql_text(st, 1);
		it->label = l ? strdup(l) : NULL;
		if (!it->label)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
		db_col_copy(st, 2, it->originator, sizeof it->originator);
		db_col_copy(st, 3, it->level, sizeof it->level);
		db_col_copy(st, 4, it->local_level, sizeof it->local_level);
		it->foreign = (int)sql_int(st, 5) != 0;
		db_col_copy(st, 6, it->received, sizeof it->received);
		db_col_copy(st, 7, it->sender, sizeof it->sender);
		db_col_copy(st, 8, it->blob, sizeof it->blob);
		it->size = sql_int(st, 9);
		db_col_copy(st, 10, it->stored_on, sizeof it->stored_on);
		db_col_copy(st, 11, it->destroyed_on, sizeof it->destroyed_on);
		db_col_copy(st, 12, it->shared_by, sizeof it->shared_by);
	}
	r = db_read_end(s, st, rc, r, "read item", e, "unknown item %.80s", id);
	if (r < 0)
		store_item_free(it);
	return r;
}

int store_item_ids(struct store *s, const char *after, size_t limit, char (**out)[LABEL_WORD_MAX],
		   size_t *n, struct lerr *e)
{
	struct sql_stmt *st;
	int64_t from = 0;
	*out = NULL;
	*n = 0;
	if (after) {
		if (db_prep(s, "SELECT seq FROM items WHERE id = ?", &st, e) < 0)
			return LERR_STORE;
		db_bind_text(st, 1, after, false);
		int rc = sql_step(st);
		if (rc == SQL_ROW)
			from = sql_int(st, 0);
		db_release(s, st);
		if (rc == SQL_DONE)
			return lerr_set(e, LERR_NOTFOUND, "after: no item %.64s", after);
		if (rc != SQL_ROW)
			return db_fail(s, e, "list items");
	}
	if (db_prep(s, "SELECT id FROM items WHERE seq > ? ORDER BY seq LIMIT ?", &st, e) < 0)
		return LERR_STORE;
	sql_bind_int(st, 1, from);
	sql_bind_int(st, 2, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	return db_collect(s, st, LABEL_WORD_MAX, (void **)out, n, "list items", e);
}

int store_item_relabel(struct store *s, const struct store_item *it, const char *was_blob,
		       struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "UPDATE items SET label = ?, level = ?, local_level = ?, blob = ?, size = ?"
		    " WHERE id = ? AND blob = ? AND destroyed_on IS NULL",
		    &st, e) < 0)
		return LERR_STORE;
	bind_marked(st, 1, it);
	db_bind_text(st, 6, it->id, false);
	db_bind_text(st, 7, was_blob, false);
	return db_step_change(s, st, "relabel item", e, LERR_EXISTS,
			      "item %s changed while it was resealed (destroyed, or downgraded "
			      "meanwhile): nothing done",
			      it->id);
}

int store_item_destroy(struct store *s, const char *id, const char *date, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "UPDATE items SET destroyed_on = ? WHERE id = ? AND destroyed_on IS NULL",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, date, false);
	db_bind_text(st, 2, id, false);
	return db_step_change(s, st, "destroy item", e, LERR_NOTFOUND, "no item %s to destroy", id);
}

int store_release_add(struct store *s, const char *item, const char *to, const char *by,
		      const char *date, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s, "INSERT INTO releases(item, to_party, by_person, date) VALUES(?, ?, ?, ?)",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, item, false);
	db_bind_text(st, 2, to, false);
	db_bind_text(st, 3, by, false);
	db_bind_text(st, 4, date, false);
	return db_step_done(s, st, "write release", e);
}

int store_consent_put(struct store *s, const char *item, const char *to, const char *by,
		      const char *date, const char *evidence, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "INSERT INTO consents(item, to_party, granted_by, date, evidence)"
		    " VALUES(?, ?, ?, ?, ?) ON CONFLICT(item, to_party) DO UPDATE SET"
		    " granted_by = excluded.granted_by, date = excluded.date,"
		    " evidence = excluded.evidence",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, item, false);
	db_bind_text(st, 2, to, false);
	db_bind_text(st, 3, by, false);
	db_bind_text(st, 4, date, false);
	db_bind_text(st, 5, evidence, false);
	return db_step_done(s, st, "write consent", e);
}

/* Whether sql (item = ?, to_party = ?) finds a row: 1, 0, or LERR_STORE. */
int store_consent_has(struct store *s, const char *item, const char *to, struct lerr *e)
{
	return db_has_row(s, "SELECT 1 FROM consents WHERE item = ? AND to_party = ?", item, to,
			  "read consent", e);
}

int store_consent_evidence(struct store *s, const char *item, const char *to, char **out,
			   struct lerr *e)
{
	struct sql_stmt *st;
	*out = NULL;
	if (db_prep(s, "SELECT evidence FROM consents WHERE item = ? AND to_party = ?", &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, item, false);
	db_bind_text(st, 2, to, false);
	int rc = sql_step(st), r = 0;
	if (rc == SQL_ROW) {
		const char *t = sql_text(st, 0);
		if (!t || !(*out = strdup(t)))
			r = lerr_set(e, LERR_NOMEM, "out of memory");
	}
	return db_read_end(s, st, rc, r, "read consent", e, "no consent for item %.64s to %s", item,
			   to);
}

int store_release_by(struct store *s, const char *item, const char *to, char *by, struct lerr *e)
{
	struct sql_stmt *st;
	if (db_prep(s,
		    "SELECT by_person FROM releases WHERE item = ? AND to_party = ?"
		    " ORDER BY id DESC LIMIT 1",
		    &st, e) < 0)
		return LERR_STORE;
	db_bind_text(st, 1, item, false);
	db_bind_text(st, 2, to, false);
	int rc = sql_step(st);
	if (rc == SQL_ROW)
		db_col_copy(st, 0, by, PERSON_ID_MAX);
	return db_read_end(s, st, rc, 0, "read release", e, "item %.80s was never released to %s",
			   item, to);
}

int store_release_has(struct store *s, const char *item, const char *to, struct lerr *e)
{
	return db_has_row(s, "SELECT 1 FROM releases WHERE item = ? AND to_party = ? LIMIT 1", item,
			  to, "read release", e);
}
