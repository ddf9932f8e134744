/*
 * backend.h - what a store backend provides (private to store/).
 *
 * A backend's handle begins with struct store, whose ops point at the
 * backend's functions; store.c forwards each public call to them.
 */
#ifndef LIAISON_STORE_BACKEND_H
#define LIAISON_STORE_BACKEND_H

#include "store.h"

struct store_ops {
	void (*close)(struct store *s);
	int (*schema_version)(struct store *s);
	int (*begin)(struct store *s, struct lerr *e);
	int (*commit)(struct store *s, struct lerr *e);
	void (*rollback)(struct store *s);
	int (*read_begin)(struct store *s, struct lerr *e);
	void (*read_end)(struct store *s);
	int (*meta_get)(struct store *s, const char *key, char *val, size_t n, struct lerr *e);
	int (*meta_set)(struct store *s, const char *key, const char *val, struct lerr *e);
	int (*party_put)(struct store *s, const struct party *p, struct lerr *e);
	int (*party_get)(struct store *s, const char *code, struct party *p, struct lerr *e);
	int (*party_list)(struct store *s, struct party **out, size_t *n, struct lerr *e);
	int (*agreement_put)(struct store *s, const struct agreement *a, struct lerr *e);
	int (*agreement_get)(struct store *s, const char *id, struct agreement *a, struct lerr *e);
	int (*agreement_ids)(struct store *s, char (**out)[AGR_ID_MAX], size_t *n, struct lerr *e);
	int (*event_add)(struct store *s, const char *id, const struct agr_event *ev,
			 const struct store_event_info *info, int64_t *seq, struct lerr *e);
	int (*person_put)(struct store *s, const struct person *p, struct lerr *e);
	int (*person_get)(struct store *s, const char *id, struct person *p, struct lerr *e);
	int (*person_ids)(struct store *s, char (**out)[PERSON_ID_MAX], size_t *n, struct lerr *e);
	int (*party_key_put)(struct store *s, const struct key_public *p, const char *on,
			     struct lerr *e);
	int (*party_key_get)(struct store *s, const char *party, struct key_public *p,
			     struct lerr *e);
	int (*item_add)(struct store *s, const struct store_item *it, struct lerr *e);
	int (*item_get)(struct store *s, const char *id, struct store_item *it, struct lerr *e);
	int (*item_ids)(struct store *s, const char *after, size_t limit,
			char (**out)[LABEL_WORD_MAX], size_t *n, struct lerr *e);
	int (*item_relabel)(struct store *s, const struct store_item *it, struct lerr *e);
	int (*item_destroy)(struct store *s, const char *id, const char *date, struct lerr *e);
	int (*release_add)(struct store *s, const char *item, const char *to, const char *by,
			   const char *date, struct lerr *e);
	int (*consent_put)(struct store *s, const char *item, const char *to, const char *by,
			   const char *date, const char *evidence, struct lerr *e);
	int (*consent_has)(struct store *s, const char *item, const char *to, struct lerr *e);
	int (*export_regime_put)(struct store *s, const struct export_regime *r, const char *on,
				 struct lerr *e);
	int (*export_regime_get)(struct store *s, const char *party, struct export_regime *r,
				 struct lerr *e);
	int (*export_licence_add)(struct store *s, const char *party,
				  const struct export_licence *l, const char *source,
				  const char *on, struct lerr *e);
	int (*sources_replace)(struct store *s, const char *scope, const char *prefix,
			       const struct store_source *v, size_t n, struct lerr *e);
	int (*sources_list)(struct store *s, const char *scope, const char *prefix,
			    struct store_source **out, size_t *n, struct lerr *e);
	int (*announcements_replace)(struct store *s, const char *owner,
				     const struct announcement *v, size_t n, struct lerr *e);
	int (*announcements_list)(struct store *s, const char *owner, struct announcement **out,
				  size_t *n, struct lerr *e);
	int (*log_size)(struct store *s, uint64_t *n, struct lerr *e);
	int (*log_entry_add)(struct store *s, uint64_t index, const void *data, size_t len,
			     struct lerr *e);
	int (*log_entry_get)(struct store *s, uint64_t index, char **data, size_t *len,
			     struct lerr *e);
	int (*log_hash_put)(struct store *s, unsigned level, uint64_t index, const uint8_t hash[32],
			    struct lerr *e);
	int (*log_hash_get)(struct store *s, unsigned level, uint64_t index, uint8_t hash[32],
			    struct lerr *e);
	int (*witness_put)(struct store *s, const char *origin, uint64_t size, const char *note,
			   const char *on, struct lerr *e);
	int (*witness_latest)(struct store *s, const char *origin, char **note, struct lerr *e);
	int (*token_put)(struct store *s, const struct store_token *t, const uint8_t hash[32],
			 struct lerr *e);
	int (*token_find)(struct store *s, const uint8_t hash[32], struct store_token *t,
			  struct lerr *e);
	int (*token_list)(struct store *s, const char *person, struct store_token **out, size_t *n,
			  struct lerr *e);
	int (*token_revoke)(struct store *s, const char *id, const char *on, struct lerr *e);
	int (*token_used)(struct store *s, const char *id, const char *on, struct lerr *e);
	int (*generation)(struct store *s, uint64_t *gen, struct lerr *e);
	int (*peer_put)(struct store *s, const struct store_peer *p, struct lerr *e);
	int (*peer_get)(struct store *s, const char *party, struct store_peer *p, struct lerr *e);
	int (*peer_list)(struct store *s, struct store_peer **out, size_t *n, struct lerr *e);
	int (*peer_remove)(struct store *s, const char *party, struct lerr *e);
	int (*peer_status)(struct store *s, const struct store_peer *p, struct lerr *e);
	int (*outbox_add)(struct store *s, const struct store_msg *m, struct lerr *e);
	int (*outbox_due)(struct store *s, const char *peer, int64_t now, size_t max,
			  struct store_msg **out, size_t *n, struct lerr *e);
	int (*outbox_list)(struct store *s, struct store_msg **out, size_t *n, struct lerr *e);
	int (*outbox_update)(struct store *s, const struct store_msg *m, struct lerr *e);
	int (*outbox_claim)(struct store *s, const char *id, int64_t due, struct lerr *e);
	void (*outbox_unclaim)(struct store *s, const char *id);
	int (*copy)(struct store *src, struct store *dst, uint64_t *rows, struct lerr *e);
	int (*inbox_add)(struct store *s, const struct store_msg *m, struct lerr *e);
	int (*inbox_get)(struct store *s, const char *id, struct store_msg *m, struct lerr *e);
	int (*nonce_seen)(struct store *s, const char *party, const char *nonce, struct lerr *e);
	int (*nonce_use)(struct store *s, const char *party, const char *nonce, int64_t at,
			 int64_t forget_before, struct lerr *e);
};

struct store {
	const struct store_ops *ops;
};

/* The store over SQL (store_sql.c): a SQLite file or a postgresql:// URL. */
int store_sql_open(const char *where, bool create, struct store **out, struct lerr *e);

#endif
