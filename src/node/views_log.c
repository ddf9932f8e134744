/* views_log.c - the answers about the transparency log (see views.h). */
#include "views.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "../store/store.h"
#include "encode.h"
#include "items.h"
#include "log.h"
#include "internal.h"
#include "peer.h"

#define B64_HASH sodium_base64_ENCODED_LEN(MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL)

static json_t *hash_json(const uint8_t h[MERKLE_HASH])
{
	char b[B64_HASH];
	return json_string(
	    sodium_bin2base64(b, sizeof b, h, MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL));
}

static json_t *path_json(uint8_t path[][MERKLE_HASH], size_t np)
{
	json_t *a = json_array();
	for (size_t i = 0; i < np; i++)
		json_array_append_new(a, hash_json(path[i]));
	return a;
}

/* Whether who (NULL: the operator) sees item id: no item is no. */
bool views_sees_item(struct node *n, const struct person *who, const char *id)
{
	struct store_item it;
	struct label l;
	if (!id || node_item_get_as(n, who, id, &it, &l, NULL) < 0)
		return false;
	store_item_free(&it);
	return true;
}

/*
 * Whether who sees a log entry: an entry about an item (its "item", a
 * decision's item, the original of a copy, the item a message to a peer
 * carried) only when they see the item.
 */
static bool entry_visible(struct node *n, const struct person *who, const char *data, size_t len)
{
	if (!who)
		return true;
	json_t *v = json_loadb(data, len, 0, NULL);
	const char *kind = json_string_value(json_object_get(v, "kind")),
		   *mkind = json_string_value(json_object_get(v, "message_kind"));
	bool copy =
	    kind && (strcmp(kind, "item-reproduce") == 0 || strcmp(kind, "item-translate") == 0);
	const char *ids[4] = {
	    json_string_value(json_object_get(v, "item")),
	    json_string_value(json_object_get(json_object_get(v, "decision"), "item")),
	    copy ? json_string_value(json_object_get(v, "from")) : NULL,
	    mkind && strcmp(mkind, "note") != 0 ? json_string_value(json_object_get(v, "ref"))
						: NULL};
	bool ok = v != NULL;
	for (size_t i = 0; ok && i < sizeof ids / sizeof ids[0]; i++)
		ok = !ids[i] || views_sees_item(n, who, ids[i]);
	json_decref(v);
	return ok;
}

int view_log_entries(struct node *n, const struct person *who, uint64_t from, uint64_t to,
		     uint64_t max, json_t **out, struct lerr *e)
{
	uint64_t size;
	*out = NULL;
	int r = node_log_size(n, &size, e);
	if (r < 0)
		return r;
	if (to == UINT64_MAX)
		to = size;
	if (to > size || from > to) {
		lerr_set(
		    e, LERR_INVAL, "entries %llu to %llu are not within the log's %llu entries",
		    (unsigned long long)from, (unsigned long long)to, (unsigned long long)size);
		return lerr_field(e, to > size ? "to" : "from");
	}
	const uint64_t asked = to;
	if (to - from > max)
		to = from + max;
	json_t *list = json_array();
	for (uint64_t i = from; r == 0 && i < to; i++) {
		char *data;
		size_t len;
		if ((r = node_log_entry(n, i, &data, &len, e)) < 0)
			break;
		if (!entry_visible(n, who, data, len)) { /* its leaf hash, for proofs */
			uint8_t leaf[MERKLE_HASH];
			merkle_leaf_hash(data, len, leaf);
			json_array_append_new(list, json_pack("{s:I, s:b, s:o}", "index",
							      (json_int_t)i, "withheld", 1,
							      "leaf_hash", hash_json(leaf)));
			free(data);
			continue;
		}
		size_t bl = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
		char *enc = malloc(bl);
		if (!enc)
			r = lerr_set(e, LERR_NOMEM, "out of memory");
		else {
			sodium_bin2base64(enc, bl, (const uint8_t *)data, len,
					  sodium_base64_VARIANT_ORIGINAL);
			json_array_append_new(
			    list, json_pack("{s:I, s:s}", "index", (json_int_t)i, "data", enc));
		}
		free(enc);
		free(data);
	}
	if (r < 0) {
		json_decref(list);
		return r;
	}
	/* where the next page starts: the index to give as after, or null */
	json_t *next = to < asked ? json_integer((json_int_t)(to - 1)) : json_null();
	*out = json_pack("{s:I, s:I, s:I, s:o, s:o}", "size", (json_int_t)size, "from",
			 (json_int_t)from, "to", (json_int_t)to, "entries", list, "next", next);
	return *out ? 0 : views_nomem(NULL, e);
}

int view_log_proof(struct node *n, uint64_t index, uint64_t size, json_t **out, struct lerr *e)
{
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], root[MERKLE_HASH], leaf[MERKLE_HASH];
	size_t np;
	char *data = NULL;
	size_t len;
	uint64_t have;
	*out = NULL;
	int r = node_log_size(n, &have, e);
	if (r < 0)
		return r;
	if (size == UINT64_MAX)
		size = have;
	if ((r = node_log_prove(n, index, size, path, &np, e)) == LERR_INVAL)
		return lerr_field(e, size > have ? "size" : "index");
	if (r < 0 || (r = node_log_root(n, size, root, e)) < 0 ||
	    (r = node_log_entry(n, index, &data, &len, e)) < 0)
		return r;
	merkle_leaf_hash(data, len, leaf);
	free(data);
	*out = json_pack("{s:I, s:I, s:o, s:o, s:o}", "index", (json_int_t)index, "size",
			 (json_int_t)size, "leaf_hash", hash_json(leaf), "root", hash_json(root),
			 "proof", path_json(path, np));
	return *out ? 0 : views_nomem(NULL, e);
}

int view_log_consistency(struct node *n, uint64_t from, uint64_t to, json_t **out, struct lerr *e)
{
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], r1[MERKLE_HASH], r2[MERKLE_HASH];
	size_t np;
	uint64_t have;
	*out = NULL;
	int r = node_log_size(n, &have, e);
	if (r < 0)
		return r;
	if (to == UINT64_MAX)
		to = have;
	if ((r = node_log_consistency(n, from, to, path, &np, e)) == LERR_INVAL)
		return lerr_field(e, to > have ? "to" : "from");
	if (r < 0 || (r = node_log_root(n, from, r1, e)) < 0 ||
	    (r = node_log_root(n, to, r2, e)) < 0)
		return r;
	*out = json_pack("{s:I, s:I, s:o, s:o, s:o}", "from", (json_int_t)from, "to",
			 (json_int_t)to, "first_root", hash_json(r1), "second_root", hash_json(r2),
			 "proof", path_json(path, np));
	return *out ? 0 : views_nomem(NULL, e);
}

int view_log_checkpoint(struct node *n, const struct key_secret *k, json_t **out, struct lerr *e)
{
	struct checkpoint cp;
	char note[NOTE_MAX];
	*out = NULL;
	int r = node_log_checkpoint(n, k, &cp, note, e);
	if (r < 0)
		return r;
	*out = json_pack("{s:s, s:I, s:o, s:s}", "origin", cp.origin, "size", (json_int_t)cp.size,
			 "root", hash_json(cp.root), "note", note);
	return *out ? 0 : views_nomem(NULL, e);
}

static json_t *checkpoint_json(const struct checkpoint *cp)
{
	return json_pack("{s:s, s:I, s:o}", "origin", cp->origin, "size", (json_int_t)cp->size,
			 "root", hash_json(cp->root));
}

int view_log_verify(struct node *n, const char *given, json_t **out, struct lerr *e)
{
	struct log_report rep;
	struct lerr why = {0};
	char msg[LERR_MSG_MAX];
	*out = NULL;
	if (node_log_verify_against(n, given, &rep, &why) < 0)
		*out = json_pack("{s:b, s:s}", "ok", 0, "problem",
				 utf8_scrub(why.msg, msg, sizeof msg));
	else
		*out = json_pack("{s:b, s:I, s:I, s:o, s:o}", "ok", 1, "entries",
				 (json_int_t)rep.entries, "hashes", (json_int_t)rep.hashes,
				 "checkpoint",
				 rep.checkpoint ? checkpoint_json(&rep.latest) : json_null(),
				 "given", rep.external ? checkpoint_json(&rep.given) : json_null());
	return *out ? 0 : views_nomem(NULL, e);
}

int view_log_alarms(struct node *n, json_t **out, struct lerr *e)
{
	json_t *a = NULL;
	int r = node_peer_alarms(n, &a, e);
	if (r < 0)
		return r;
	if (!(*out = json_pack("{s:o}", "alarms", a)))
		return lerr_set(e, LERR_NOMEM, "out of memory");
	return 0;
}
