/* log.c - the node's transparency log (see log.h). */
#include "log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "encode.h"

void node_log_origin(const char *party, char out[NOTE_ORIGIN_MAX])
{
	snprintf(out, NOTE_ORIGIN_MAX, "liaison/%s", party);
}

static int src_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH],
		   struct lerr *e)
{
	return store_log_hash_get(ctx, level, index, out, e);
}

static struct merkle_src source(struct store *s)
{
	return (struct merkle_src){s, src_get};
}

int node_log_append_to(struct store *s, const char *party, const struct node_clock *clock,
		       const char *kind, json_t *body, uint64_t *seq, struct lerr *e)
{
	uint64_t index;
	char day[DATE_BUF_SIZE];
	int r = !body			       ? lerr_set(e, LERR_NOMEM, "out of memory")
		: node_clock_act(clock, e) < 0 ? LERR_USAGE
					       : store_log_size(s, &index, e);
	if (r < 0) {
		json_decref(body);
		return r;
	}
	json_object_set_new(body, "seq", json_integer((json_int_t)index));
	json_object_set_new(body, "date", json_string(date_format(clock->today, day)));
	json_object_set_new(body, "party", json_string(party));
	json_object_set_new(body, "kind", json_string(kind));
	if (clock->simulated)
		json_object_set_new(body, "clock", json_string("LIAISON_NOW"));
	char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(body);
	if (!text)
		return lerr_set(e, LERR_NOMEM, "log: cannot encode the entry");
	size_t len = strlen(text);
	uint8_t leaf[MERKLE_HASH];
	struct merkle_node nodes[64];
	size_t nn;
	merkle_leaf_hash(text, len, leaf);
	const struct merkle_src src = source(s);
	r = store_log_entry_add(s, index, text, len, e);
	free(text);
	if (r == 0)
		r = merkle_append(&src, index, leaf, nodes, &nn, e);
	for (size_t i = 0; r == 0 && i < nn; i++)
		r = store_log_hash_put(s, nodes[i].level, nodes[i].index, nodes[i].hash, e);
	if (r == 0 && seq)
		*seq = index;
	return r < 0 ? lerr_prefix(e, "log") : 0;
}

void node_log_who(const struct node *n, json_t *body)
{
	if (body && n->operator)
		json_object_set_new(body, "entered_by", json_string("operator"));
	else if (body && n->token[0])
		json_object_set_new(body, "by_token", json_string(n->token));
}

int node_log_append(struct node *n, const char *kind, json_t *body, uint64_t *seq, struct lerr *e)
{
	node_log_who(n, body);
	return node_log_append_to(n->store, n->party, &n->clock, kind, body, seq, e);
}

int node_log_commit(struct node *n, const char *kind, json_t *body, struct lerr *e)
{
	int r = 0;
	if (n->receiving && n->receiving_act && strcmp(kind, n->receiving_act) == 0) {
		/* the act a peer's message carried: the message in the inbox with it,
		 * under the ref it came with, which must name what it carried (the
		 * node's receipt repeats the ref, signed) */
		const char *subject =
		    n->receiving_subject
			? json_string_value(json_object_get(body, n->receiving_subject))
			: n->receiving->ref;
		if (!subject || strcmp(subject, n->receiving->ref) != 0)
			r = lerr_set(e, LERR_INVAL,
				     "message %s names %.64s, not the %s it carries (%.64s)",
				     n->receiving->id, n->receiving->ref, n->receiving_subject,
				     subject ? subject : "none");
		if (r == 0 && body)
			json_object_set_new(body, "message", json_string(n->receiving->id));
		if (r == 0)
			r = store_inbox_add(n->store, n->receiving, e);
	}
	if (r < 0)
		json_decref(body);
	else
		r = node_log_append(n, kind, body, NULL, e);
	if (r < 0) {
		store_rollback(n->store);
		return r;
	}
	return store_commit(n->store, e);
}

int node_log_record(struct node *n, const char *kind, json_t *body, struct lerr *e)
{
	if (n->batch && !n->receiving && !store_in_transaction(n->store))
		return node_log_batched(n, kind, body, e);
	int r = store_begin(n->store, e);
	if (r < 0) {
		json_decref(body);
		return r;
	}
	return node_log_commit(n, kind, body, e);
}

int node_log_size(struct node *n, uint64_t *size, struct lerr *e)
{
	return store_log_size(n->store, size, e);
}

int node_log_entry(struct node *n, uint64_t index, char **data, size_t *len, struct lerr *e)
{
	return store_log_entry_get(n->store, index, data, len, e);
}

/* size must be at most the log's; LERR_INVAL naming both otherwise. */
static int within(struct node *n, uint64_t size, struct lerr *e)
{
	uint64_t have;
	int r = store_log_size(n->store, &have, e);
	if (r == 0 && size > have)
		r = lerr_set(e, LERR_INVAL, "the log has %llu entries, not %llu",
			     (unsigned long long)have, (unsigned long long)size);
	return r;
}

int node_log_root(struct node *n, uint64_t size, uint8_t root[MERKLE_HASH], struct lerr *e)
{
	const struct merkle_src src = source(n->store);
	int r = within(n, size, e);
	return r < 0 ? r : merkle_root(&src, size, root, e);
}

int node_log_prove(struct node *n, uint64_t index, uint64_t size,
		   uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], size_t *np, struct lerr *e)
{
	const struct merkle_src src = source(n->store);
	*np = 0;
	int r = within(n, size, e);
	return r < 0 ? r : merkle_inclusion(&src, index, size, path, np, e);
}

int node_log_consistency(struct node *n, uint64_t first, uint64_t second,
			 uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], size_t *np, struct lerr *e)
{
	const struct merkle_src src = source(n->store);
	*np = 0;
	int r = within(n, second, e);
	return r < 0 ? r : merkle_consistency(&src, first, second, path, np, e);
}

int node_log_checkpoint(struct node *n, const struct key_secret *k, struct checkpoint *cp,
			char note[NOTE_MAX], struct lerr *e)
{
	char day[DATE_BUF_SIZE];
	memset(cp, 0, sizeof *cp);
	node_log_origin(n->party, cp->origin);
	/* it is kept with the day: the node's own, not LIAISON_NOW's elsewhere */
	int r = node_clock_act(&n->clock, e);
	if (r < 0)
		return r;
	/* signed once per size: the one kept, while the log has not grown (a
	 * peer asking again and again costs a read, never the write lock) */
	char *kept = NULL;
	uint64_t size;
	struct lerr quiet = {0};
	uint8_t root[MERKLE_HASH];
	const struct merkle_src src = source(n->store);
	if (store_log_size(n->store, &size, &quiet) == 0 &&
	    store_witness_latest(n->store, cp->origin, &kept, &quiet) == 0 &&
	    checkpoint_verify(kept, strlen(kept), cp->origin, k->pub.sign_pk, cp, &quiet) == 0 &&
	    cp->size == size && merkle_root(&src, size, root, &quiet) == 0 &&
	    sodium_memcmp(root, cp->root, MERKLE_HASH) == 0 && str_copy(note, NOTE_MAX, kept)) {
		free(kept);
		return 0;
	}
	free(kept);
	memset(cp, 0, sizeof *cp);
	node_log_origin(n->party, cp->origin);
	/* the write lock: no entry lands between the size and the root */
	r = store_begin(n->store, e);
	if (r < 0)
		return r;
	if ((r = store_log_size(n->store, &cp->size, e)) == 0 &&
	    (r = merkle_root(&src, cp->size, cp->root, e)) == 0 &&
	    (r = checkpoint_sign(cp, k->sign_sk, k->pub.sign_pk, note, e)) == 0 &&
	    (r = store_witness_put(n->store, cp->origin, cp->size, note,
				   date_format(n->clock.today, day), e)) == 0)
		return store_commit(n->store, e);
	store_rollback(n->store);
	return r;
}

/* Entry i must be canonical JSON whose seq is i. */
static int check_entry(uint64_t i, const char *data, size_t len, struct lerr *e)
{
	json_error_t je;
	json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return lerr_set(e, LERR_AUTH, "log entry %llu is not JSON: %s",
				(unsigned long long)i, je.text);
	char *again = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *seq = json_object_get(v, "seq");
	int r = 0;
	if (!again || strlen(again) != len || memcmp(again, data, len) != 0)
		r = lerr_set(e, LERR_AUTH, "log entry %llu is not in canonical form",
			     (unsigned long long)i);
	else if (!json_is_integer(seq) || json_integer_value(seq) != (json_int_t)i)
		r = lerr_set(e, LERR_AUTH, "log entry %llu says it is entry %lld",
			     (unsigned long long)i, (long long)json_integer_value(seq));
	free(again);
	json_decref(v);
	return r;
}

/*
 * Recomputes the tree from the entries with a frontier (the last complete
 * subtree of each level) and compares every hash the store holds.
 */
/* Whether the log of `size` entries holds the tree of checkpoint note
 * (signed by this node: its origin and key), which is put in cp. One it
 * kept is checked by any key it retired; one given, as a peer's would be
 * (node_checkpoint_check, capped). */
static int holds(struct node *n, uint64_t size, const char *note, const char *what, bool given,
		 struct checkpoint *cp, struct lerr *e)
{
	uint8_t root[MERKLE_HASH];
	int r = node_checkpoint_check(n, n->party, note, given, cp, e);
	if (r < 0)
		return lerr_prefix(e, "%s", what);
	if (r == 0 && cp->size > size)
		r = lerr_set(e, LERR_AUTH,
			     "%s is of %llu entries; the log has %llu: it was cut short", what,
			     (unsigned long long)cp->size, (unsigned long long)size);
	else if (r == 0 && (r = node_log_root(n, cp->size, root, e)) == 0 &&
		 sodium_memcmp(root, cp->root, MERKLE_HASH) != 0)
		r = lerr_set(e, LERR_AUTH,
			     "the log no longer has the root of %s at size %llu: it was rewritten",
			     what, (unsigned long long)cp->size);
	return r;
}

int node_log_verify(struct node *n, struct log_report *rep, struct lerr *e)
{
	return node_log_verify_against(n, NULL, rep, e);
}

int node_log_verify_against(struct node *n, const char *given, struct log_report *rep,
			    struct lerr *e)
{
	memset(rep, 0, sizeof *rep);
	uint64_t size;
	int r = store_log_size(n->store, &size, e);
	uint8_t frontier[64][MERKLE_HASH], h[MERKLE_HASH], stored[MERKLE_HASH];
	for (uint64_t i = 0; r == 0 && i < size; i++) {
		char *data;
		size_t len;
		if ((r = store_log_entry_get(n->store, i, &data, &len, e)) < 0)
			break;
		r = check_entry(i, data, len, e);
		merkle_leaf_hash(data, len, h);
		free(data);
		unsigned level = 0;
		for (uint64_t j = i;; j >>= 1, level++) {
			if (r == 0 &&
			    (r = store_log_hash_get(n->store, level, j, stored, e)) == 0 &&
			    sodium_memcmp(stored, h, MERKLE_HASH) != 0)
				r = lerr_set(
				    e, LERR_AUTH,
				    "log entry %llu does not match the tree: the stored "
				    "hash (%u, %llu) differs from the one its entries give",
				    (unsigned long long)i, level, (unsigned long long)j);
			rep->hashes += r == 0;
			if (r < 0 || !(j & 1)) {
				memcpy(frontier[level], h, MERKLE_HASH);
				break;
			}
			merkle_node_hash(frontier[level], h, h);
		}
		rep->entries += r == 0;
	}
	if (r < 0)
		return r;
	char origin[NOTE_ORIGIN_MAX], *note = NULL;
	node_log_origin(n->party, origin);
	r = store_witness_latest(n->store, origin, &note, e);
	if (r == 0) {
		r = holds(n, size, note, "the latest checkpoint kept", false, &rep->latest, e);
		rep->checkpoint = r == 0;
	} else if (r == LERR_NOTFOUND) /* none signed yet, or removed */
		r = 0;
	free(note);
	if (r == 0 && given) {
		r = holds(n, size, given, "the checkpoint given", true, &rep->given, e);
		rep->external = r == 0;
	}
	return r;
}

/* The party an origin "liaison/PARTY" names. */
static int origin_party(const char *origin, char party[PARTY_CODE_MAX], struct lerr *e)
{
	if (strncmp(origin, "liaison/", 8) != 0 || !str_copy(party, PARTY_CODE_MAX, origin + 8) ||
	    party_code_check(party, NULL) < 0)
		return lerr_set(e, LERR_INVAL, "checkpoint origin %.64s is not liaison/PARTY",
				origin);
	return 0;
}

static int parse_checkpoint(struct node *n, const char *note, bool capped, struct checkpoint *cp,
			    struct lerr *e)
{
	/* the origin line names the key to check it with */
	char origin[NOTE_ORIGIN_MAX] = "", party[PARTY_CODE_MAX];
	const char *nl = strchr(note, '\n');
	if (!nl || (size_t)(nl - note) >= sizeof origin)
		return lerr_set(e, LERR_INVAL, "checkpoint line 1: no origin");
	memcpy(origin, note, (size_t)(nl - note));
	int r = origin_party(origin, party, e);
	if (r == 0)
		r = node_checkpoint_check(n, party, note, capped, cp, e);
	return r;
}

int node_log_witness(struct node *n, const char *note, const uint8_t (*proof)[MERKLE_HASH],
		     size_t nproof, struct witness_report *rep, struct lerr *e)
{
	return node_log_witness_as(n, note, proof, nproof, true, rep, e);
}

/* Whether checkpoint c extends p (both verified, of one origin). */
static int extends(const struct checkpoint *p, const struct checkpoint *c,
		   const uint8_t (*proof)[MERKLE_HASH], size_t nproof, struct lerr *e)
{
	if (c->size < p->size)
		return lerr_set(e, LERR_AUTH,
				"ALARM: %s signed a tree of %llu entries after one of %llu: a log "
				"never shrinks",
				c->origin, (unsigned long long)c->size,
				(unsigned long long)p->size);
	if (c->size == p->size && sodium_memcmp(c->root, p->root, MERKLE_HASH) != 0)
		return lerr_set(e, LERR_AUTH,
				"ALARM: %s signed two different trees of %llu entries: its log was "
				"rewritten",
				c->origin, (unsigned long long)c->size);
	if (c->size > p->size && p->size > 0) {
		/* none, or an empty one (from a size between 0 and this one a
		 * proof has a hash at least): nothing proven either way */
		if (!proof || nproof == 0)
			return lerr_set(e, LERR_INVAL,
					"a consistency proof from %llu to %llu is needed (liaison "
					"log consistency --from %llu --to %llu on %s's node)",
					(unsigned long long)p->size, (unsigned long long)c->size,
					(unsigned long long)p->size, (unsigned long long)c->size,
					c->origin + 8);
		if (!merkle_verify_consistency(p->size, c->size, p->root, c->root, proof, nproof))
			return lerr_set(e, LERR_AUTH,
					"ALARM: %s's tree of %llu entries is not an extension of "
					"the one of %llu it signed before",
					c->origin, (unsigned long long)c->size,
					(unsigned long long)p->size);
	}
	return 0;
}

/*
 * A checkpoint c smaller than the latest kept (latest), which extends()
 * refused with r: compared with the one of c's size kept here. The same
 * root: LERR_INVAL, nothing new; another: a fork (*fork, LERR_AUTH); none
 * kept of that size: r as it was (a shrink).
 */
static int older(struct node *n, const struct checkpoint *c, const struct checkpoint *latest,
		 bool *fork, int r, struct lerr *e)
{
	char *kept = NULL;
	struct checkpoint at;
	struct lerr quiet = {0};
	int k = store_witness_at(n->store, c->origin, c->size, &kept, &quiet);
	if (k == 0)
		k = parse_checkpoint(n, kept, false, &at, &quiet);
	free(kept);
	if (k == LERR_NOTFOUND)
		return r;
	if (k < 0) {
		*e = quiet;
		return k;
	}
	if (sodium_memcmp(at.root, c->root, MERKLE_HASH) == 0)
		return lerr_set(
		    e, LERR_INVAL,
		    "%s's tree of %llu entries was witnessed here before (the latest is "
		    "of %llu): nothing new (no alarm raised)",
		    c->origin, (unsigned long long)c->size, (unsigned long long)latest->size);
	*fork = true;
	return lerr_set(e, LERR_AUTH,
			"ALARM: %s signed two different trees of %llu entries: its log was "
			"rewritten",
			c->origin, (unsigned long long)c->size);
}

int node_log_witness_as(struct node *n, const char *note, const uint8_t (*proof)[MERKLE_HASH],
			size_t nproof, bool logged, struct witness_report *rep, struct lerr *e)
{
	memset(rep, 0, sizeof *rep);
	char *kept = NULL, day[DATE_BUF_SIZE];
	int r = parse_checkpoint(n, note, true, &rep->cp, e);
	if (r == LERR_AUTH) { /* no key of the party signed it: anyone can write that */
		struct lerr why = *e;
		r = lerr_set(e, LERR_INVAL, "%s (refused; no alarm raised)", why.msg);
	}
	if (r < 0)
		return r;
	/* under the write lock: the checkpoint checked against is the latest kept,
	 * never one a caller names, and none is kept between the check and this one */
	if ((r = store_begin(n->store, e)) < 0)
		return r;
	r = store_witness_latest(n->store, rep->cp.origin, &kept, e);
	if (r == LERR_NOTFOUND)
		r = 0;
	else if (r == 0 && (r = parse_checkpoint(n, kept, false, &rep->previous, e)) < 0)
		lerr_prefix(e, "the checkpoint kept before");
	rep->had_previous = r == 0 && kept;
	free(kept);
	if (r == 0 && rep->had_previous)
		r = extends(&rep->previous, &rep->cp, proof, nproof, e);
	/* evidence in the two signed notes alone, whatever brought the second */
	rep->fork = r == LERR_AUTH && rep->had_previous && rep->cp.size == rep->previous.size;
	/* a smaller tree than the latest kept: against the one of its size
	 * kept here, if any (every one is): the same again is nothing new,
	 * another root for it a fork */
	if (r == LERR_AUTH && rep->had_previous && rep->cp.size < rep->previous.size)
		r = older(n, &rep->cp, &rep->previous, &rep->fork, r, e);
	if (r < 0) {
		store_rollback(n->store);
		return r;
	}
	const struct checkpoint *c = &rep->cp;
	json_t *body = logged ? json_pack("{s:s, s:I, s:s}", "origin", c->origin, "size",
					  (json_int_t)c->size, "note", note)
			      : NULL;
	if ((r = store_witness_put(n->store, c->origin, c->size, note,
				   date_format(n->clock.today, day), e)) < 0) {
		json_decref(body);
		store_rollback(n->store);
		return r;
	}
	r = logged ? node_log_commit(n, "checkpoint-witnessed", body, e)
		   : store_commit(n->store, e);
	if (r == 0)
		rep->stored = true;
	return r;
}

int node_log_witnessed_size(struct node *n, const char *origin, uint64_t *size, struct lerr *e)
{
	char *kept = NULL;
	struct checkpoint cp;
	*size = 0;
	int r = store_witness_latest(n->store, origin, &kept, e);
	if (r == LERR_NOTFOUND)
		return 0;
	if (r == 0 && (r = parse_checkpoint(n, kept, false, &cp, e)) == 0)
		*size = cp.size;
	free(kept);
	return r;
}

int node_proof_decode(const json_t *v, const char *name, uint8_t (*path)[MERKLE_HASH], size_t *n,
		      struct lerr *e)
{
	*n = 0;
	if (!json_is_array(v) || json_array_size(v) > MERKLE_PATH_MAX) {
		lerr_set(e, LERR_INVAL, "%s: an array of at most %d base64 hashes", name,
			 MERKLE_PATH_MAX);
		return lerr_field(e, name);
	}
	size_t i;
	json_t *h;
	json_array_foreach (v, i, h) {
		const char *s = json_string_value(h);
		size_t got = 0;
		if (!s ||
		    sodium_base642bin(path[i], MERKLE_HASH, s, json_string_length(h), NULL, &got,
				      NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    got != MERKLE_HASH) {
			lerr_set(e, LERR_INVAL, "%s[%zu]: not a base64 SHA-256 hash", name, i);
			return lerr_field(e, name);
		}
	}
	*n = json_array_size(v);
	return 0;
}
