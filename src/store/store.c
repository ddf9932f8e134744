/* store.c - the store interface: picks a backend and forwards to it. */
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_open(const char *where, bool create, struct store **out, struct lerr *e)
{
	return store_sql_open(where, create, out, e);
}

bool store_is_url(const char *where)
{
	return strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0;
}

void store_location_shown(const char *where, char *out, size_t n)
{
	const char *scheme = strstr(where, "://"), *at = strchr(where, '@');
	const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	if (scheme && at && colon && colon < at)
		snprintf(out, n, "%.*s:***%s", (int)(colon - where), where, at);
	else
		snprintf(out, n, "%s", where);
}

int store_open_scratch(struct store **out, struct lerr *e)
{
	return store_sql_open(":memory:", true, out, e);
}

void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

int store_schema_version(struct store *s)
{
	return s->ops->schema_version(s);
}
int store_begin(struct store *s, struct lerr *e)
{
	return s->ops->begin(s, e);
}
int store_commit(struct store *s, struct lerr *e)
{
	return s->ops->commit(s, e);
}
void store_rollback(struct store *s)
{
	s->ops->rollback(s);
}

int store_read_begin(struct store *s, struct lerr *e)
{
	return s->ops->read_begin(s, e);
}

void store_read_end(struct store *s)
{
	s->ops->read_end(s);
}

int store_meta_get(struct store *s, const char *key, char *val, size_t n, struct lerr *e)
{
	return s->ops->meta_get(s, key, val, n, e);
}

int store_meta_set(struct store *s, const char *key, const char *val, struct lerr *e)
{
	return s->ops->meta_set(s, key, val, e);
}

int store_party_put(struct store *s, const struct party *p, struct lerr *e)
{
	return s->ops->party_put(s, p, e);
}

int store_party_get(struct store *s, const char *code, struct party *p, struct lerr *e)
{
	return s->ops->party_get(s, code, p, e);
}

int store_party_list(struct store *s, struct party **out, size_t *n, struct lerr *e)
{
	return s->ops->party_list(s, out, n, e);
}

int store_agreement_put(struct store *s, const struct agreement *a, struct lerr *e)
{
	return s->ops->agreement_put(s, a, e);
}

int store_agreement_get(struct store *s, const char *id, struct agreement *a, struct lerr *e)
{
	return s->ops->agreement_get(s, id, a, e);
}

int store_agreement_ids(struct store *s, char (**out)[AGR_ID_MAX], size_t *n, struct lerr *e)
{
	return s->ops->agreement_ids(s, out, n, e);
}

int store_event_add(struct store *s, const char *id, const struct agr_event *ev,
		    const struct store_event_info *info, int64_t *seq, struct lerr *e)
{
	return s->ops->event_add(s, id, ev, info, seq, e);
}

int store_person_put(struct store *s, const struct person *p, struct lerr *e)
{
	return s->ops->person_put(s, p, e);
}

int store_person_get(struct store *s, const char *id, struct person *p, struct lerr *e)
{
	return s->ops->person_get(s, id, p, e);
}

int store_person_ids(struct store *s, char (**out)[PERSON_ID_MAX], size_t *n, struct lerr *e)
{
	return s->ops->person_ids(s, out, n, e);
}

int store_party_key_put(struct store *s, const struct key_public *p, const char *on, struct lerr *e)
{
	return s->ops->party_key_put(s, p, on, e);
}

int store_party_key_get(struct store *s, const char *party, struct key_public *p, struct lerr *e)
{
	return s->ops->party_key_get(s, party, p, e);
}

int store_item_add(struct store *s, const struct store_item *it, struct lerr *e)
{
	return s->ops->item_add(s, it, e);
}

int store_item_get(struct store *s, const char *id, struct store_item *it, struct lerr *e)
{
	return s->ops->item_get(s, id, it, e);
}

void store_item_free(struct store_item *it)
{
	if (it) {
		free(it->label);
		it->label = NULL;
	}
}

int store_item_ids(struct store *s, const char *after, size_t limit, char (**out)[LABEL_WORD_MAX],
		   size_t *n, struct lerr *e)
{
	return s->ops->item_ids(s, after, limit, out, n, e);
}

int store_release_add(struct store *s, const char *item, const char *to, const char *by,
		      const char *date, struct lerr *e)
{
	return s->ops->release_add(s, item, to, by, date, e);
}

int store_consent_put(struct store *s, const char *item, const char *to, const char *by,
		      const char *date, const char *evidence, struct lerr *e)
{
	return s->ops->consent_put(s, item, to, by, date, evidence, e);
}

int store_consent_has(struct store *s, const char *item, const char *to, struct lerr *e)
{
	return s->ops->consent_has(s, item, to, e);
}

int store_item_destroy(struct store *s, const char *id, const char *date, struct lerr *e)
{
	return s->ops->item_destroy(s, id, date, e);
}

int store_item_relabel(struct store *s, const struct store_item *it, struct lerr *e)
{
	return s->ops->item_relabel(s, it, e);
}

int store_export_regime_put(struct store *s, const struct export_regime *r, const char *on,
			    struct lerr *e)
{
	return s->ops->export_regime_put(s, r, on, e);
}

int store_export_regime_get(struct store *s, const char *party, struct export_regime *r,
			    struct lerr *e)
{
	return s->ops->export_regime_get(s, party, r, e);
}

int store_export_licence_add(struct store *s, const char *party, const struct export_licence *l,
			     const char *source, const char *on, struct lerr *e)
{
	return s->ops->export_licence_add(s, party, l, source, on, e);
}

int store_sources_replace(struct store *s, const char *scope, const char *prefix,
			  const struct store_source *v, size_t n, struct lerr *e)
{
	return s->ops->sources_replace(s, scope, prefix, v, n, e);
}

int store_sources_list(struct store *s, const char *scope, const char *prefix,
		       struct store_source **out, size_t *n, struct lerr *e)
{
	return s->ops->sources_list(s, scope, prefix, out, n, e);
}

int store_announcements_replace(struct store *s, const char *owner, const struct announcement *v,
				size_t n, struct lerr *e)
{
	return s->ops->announcements_replace(s, owner, v, n, e);
}

int store_announcements_list(struct store *s, const char *owner, struct announcement **out,
			     size_t *n, struct lerr *e)
{
	return s->ops->announcements_list(s, owner, out, n, e);
}

int store_log_size(struct store *s, uint64_t *n, struct lerr *e)
{
	return s->ops->log_size(s, n, e);
}

int store_log_entry_add(struct store *s, uint64_t index, const void *data, size_t len,
			struct lerr *e)
{
	return s->ops->log_entry_add(s, index, data, len, e);
}

int store_log_entry_get(struct store *s, uint64_t index, char **data, size_t *len, struct lerr *e)
{
	return s->ops->log_entry_get(s, index, data, len, e);
}

int store_log_hash_put(struct store *s, unsigned level, uint64_t index, const uint8_t hash[32],
		       struct lerr *e)
{
	return s->ops->log_hash_put(s, level, index, hash, e);
}

int store_log_hash_get(struct store *s, unsigned level, uint64_t index, uint8_t hash[32],
		       struct lerr *e)
{
	return s->ops->log_hash_get(s, level, index, hash, e);
}

int store_witness_put(struct store *s, const char *origin, uint64_t size, const char *note,
		      const char *on, struct lerr *e)
{
	return s->ops->witness_put(s, origin, size, note, on, e);
}

int store_witness_latest(struct store *s, const char *origin, char **note, struct lerr *e)
{
	return s->ops->witness_latest(s, origin, note, e);
}

int store_token_put(struct store *s, const struct store_token *t, const uint8_t hash[32],
		    struct lerr *e)
{
	return s->ops->token_put(s, t, hash, e);
}

int store_token_find(struct store *s, const uint8_t hash[32], struct store_token *t, struct lerr *e)
{
	return s->ops->token_find(s, hash, t, e);
}

int store_token_list(struct store *s, const char *person, struct store_token **out, size_t *n,
		     struct lerr *e)
{
	return s->ops->token_list(s, person, out, n, e);
}

int store_token_revoke(struct store *s, const char *id, const char *on, struct lerr *e)
{
	return s->ops->token_revoke(s, id, on, e);
}

int store_token_used(struct store *s, const char *id, const char *on, struct lerr *e)
{
	return s->ops->token_used(s, id, on, e);
}

int store_generation(struct store *s, uint64_t *gen, struct lerr *e)
{
	return s->ops->generation(s, gen, e);
}

int store_peer_put(struct store *s, const struct store_peer *p, struct lerr *e)
{
	return s->ops->peer_put(s, p, e);
}

int store_peer_get(struct store *s, const char *party, struct store_peer *p, struct lerr *e)
{
	return s->ops->peer_get(s, party, p, e);
}

int store_peer_list(struct store *s, struct store_peer **out, size_t *n, struct lerr *e)
{
	return s->ops->peer_list(s, out, n, e);
}

int store_peer_remove(struct store *s, const char *party, struct lerr *e)
{
	return s->ops->peer_remove(s, party, e);
}

int store_peer_status(struct store *s, const struct store_peer *p, struct lerr *e)
{
	return s->ops->peer_status(s, p, e);
}

void store_msg_free(struct store_msg *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].body);
		free(m[i].receipt);
		m[i].body = m[i].receipt = NULL;
	}
}

int store_outbox_add(struct store *s, const struct store_msg *m, struct lerr *e)
{
	return s->ops->outbox_add(s, m, e);
}

int store_outbox_due(struct store *s, const char *peer, int64_t now, size_t max,
		     struct store_msg **out, size_t *n, struct lerr *e)
{
	return s->ops->outbox_due(s, peer, now, max, out, n, e);
}

int store_outbox_list(struct store *s, struct store_msg **out, size_t *n, struct lerr *e)
{
	return s->ops->outbox_list(s, out, n, e);
}

int store_copy(struct store *src, struct store *dst, uint64_t *rows, struct lerr *e)
{
	if (src->ops != dst->ops)
		return lerr_set(e, LERR_INVAL, "store: cannot copy between these stores");
	return src->ops->copy(src, dst, rows, e);
}

int store_outbox_claim(struct store *s, const char *id, int64_t due, struct lerr *e)
{
	return s->ops->outbox_claim(s, id, due, e);
}

void store_outbox_unclaim(struct store *s, const char *id)
{
	s->ops->outbox_unclaim(s, id);
}

int store_outbox_update(struct store *s, const struct store_msg *m, struct lerr *e)
{
	return s->ops->outbox_update(s, m, e);
}

int store_inbox_add(struct store *s, const struct store_msg *m, struct lerr *e)
{
	return s->ops->inbox_add(s, m, e);
}

int store_inbox_get(struct store *s, const char *id, struct store_msg *m, struct lerr *e)
{
	return s->ops->inbox_get(s, id, m, e);
}

int store_nonce_seen(struct store *s, const char *party, const char *nonce, struct lerr *e)
{
	return s->ops->nonce_seen(s, party, nonce, e);
}

int store_nonce_use(struct store *s, const char *party, const char *nonce, int64_t at,
		    int64_t forget_before, struct lerr *e)
{
	return s->ops->nonce_use(s, party, nonce, at, forget_before, e);
}

int store_item_unknown(struct lerr *e, const char *id)
{
	return lerr_set(e, LERR_NOTFOUND, "unknown item %.80s", id);
}
