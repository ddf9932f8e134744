/*
 * tokens.c - people's bearer tokens for the HTTP API (see node.h).
 *
 * A token is "lsn_" and 32 random bytes in unpadded base64url: 256 bits, so
 * a plain SHA-256 of it is what the store keeps (no passphrase stretching is
 * needed for a secret that cannot be guessed); the token itself is shown
 * once, when issued, and never stored, logged or printed again.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../store/store.h"
#include "internal.h"
#include "log.h"
#include "node.h"

#define TOKEN_PREFIX "lsn_"

static void token_hash(const char *token, uint8_t h[32])
{
	crypto_hash_sha256(h, (const uint8_t *)token, strlen(token));
}

int node_token_issue(struct node *n, const struct token_request *rq, struct store_token *t,
		     char token[NODE_TOKEN_MAX], struct lerr *e)
{
	struct person p;
	uint8_t raw[32], id[8], h[32];
	char d1[DATE_BUF_SIZE], d2[DATE_BUF_SIZE];
	memset(t, 0, sizeof *t);
	date_t today = n->clock.today, last = rq->expires ? rq->expires : today + NODE_TOKEN_DAYS;
	if (last < today || last - today > NODE_TOKEN_DAYS_MAX) {
		lerr_set(e, LERR_INVAL, "expires: %s is not from today (%s) to %d days on",
			 date_format(last, d1), date_format(today, d2), NODE_TOKEN_DAYS_MAX);
		return lerr_field(e, "expires");
	}
	int r = node_person_get(n, rq->person, &p, e);
	if (r < 0)
		return r;
	date_format(last, t->expires_on);
	t->read_only = rq->read_only;
	randombytes_buf(raw, sizeof raw);
	randombytes_buf(id, sizeof id);
	memcpy(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX);
	sodium_bin2base64(token + strlen(TOKEN_PREFIX), NODE_TOKEN_MAX - strlen(TOKEN_PREFIX), raw,
			  sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	sodium_bin2hex(t->id, sizeof t->id, id, sizeof id);
	str_copy(t->person, sizeof t->person, p.id);
	date_format(n->clock.today, t->issued_on);
	token_hash(token, h);
	if ((r = store_begin(n->store, e)) < 0)
		goto out;
	if ((r = store_token_put(n->store, t, h, e)) < 0) {
		store_rollback(n->store);
		goto out;
	}
	r = node_log_commit(n, "token-issue",
			    json_pack("{s:s, s:s, s:s, s:b}", "person", p.id, "token", t->id,
				      "expires_on", t->expires_on, "read_only", t->read_only),
			    e);
out:
	if (r < 0)
		sodium_memzero(token, NODE_TOKEN_MAX);
	return r;
}

int node_token_digest(const char *token, uint8_t h[NODE_TOKEN_DIGEST], struct lerr *e)
{
	if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 || strlen(token) > 128)
		return lerr_set(e, LERR_AUTH, "not a liaison token");
	token_hash(token, h);
	return 0;
}

int node_token_check(struct node *n, const char *token, struct person *p, struct store_token *t,
		     struct lerr *e)
{
	uint8_t h[NODE_TOKEN_DIGEST];
	int r = node_token_digest(token, h, e);
	return r < 0 ? r : node_token_check_digest(n, h, p, t, e);
}

/* Whether t's last valid day is behind (dates as text compare as days do). */
static bool expired(const struct node *n, const struct store_token *t)
{
	char today[DATE_BUF_SIZE];
	return t->expires_on[0] && strcmp(date_format(n->clock.today, today), t->expires_on) > 0;
}

int node_token_check_digest(struct node *n, const uint8_t h[NODE_TOKEN_DIGEST], struct person *p,
			    struct store_token *t, struct lerr *e)
{
	int r = node_cached_token(n, h, t, NULL);
	if (r == LERR_NOTFOUND || (r == 0 && t->revoked_on[0]))
		return lerr_set(e, LERR_AUTH, "unknown or revoked token");
	if (r < 0)
		return lerr_set(e, LERR_STORE, "store: cannot check the token");
	if (expired(n, t))
		return lerr_set(e, LERR_AUTH, "the token expired after %s", t->expires_on);
	if ((r = node_person_get(n, t->person, p, e)) == LERR_NOTFOUND)
		return lerr_set(e, LERR_AUTH, "the token's person is gone");
	/* not the token's fault: the store did not answer (try again) */
	if (r < 0)
		return lerr_set(e, LERR_STORE, "store: cannot check the token's person");
	return 0;
}

int node_token_in_force(struct node *n, struct lerr *e)
{
	struct store_token t;
	if (!n->token[0])
		return 0;
	int r = store_token_get(n->store, n->token, &t, e);
	if (r == LERR_NOTFOUND || (r == 0 && t.revoked_on[0]))
		return lerr_set(e, LERR_FORBIDDEN, "token %s was revoked meanwhile", n->token);
	if (r == 0 && expired(n, &t))
		return lerr_set(e, LERR_FORBIDDEN, "the token expired after %s", t.expires_on);
	return r;
}

int node_token_seen(struct node *n, const char *token, struct person *p, struct store_token *t)
{
	uint8_t h[NODE_TOKEN_DIGEST];
	if (node_token_digest(token, h, NULL) < 0 || node_cache_peek_token(n, h, t, p) < 0 ||
	    t->revoked_on[0] || expired(n, t))
		return LERR_NOTFOUND;
	return 0;
}

int node_token_touch(struct node *n, const struct store_token *t, struct lerr *e)
{
	char today[DATE_BUF_SIZE];
	if (strcmp(t->last_used, date_format(n->clock.today, today)) == 0)
		return 0;
	int r = store_begin(n->store, e);
	if (r < 0)
		return r;
	if ((r = store_token_used(n->store, t->id, today, e)) < 0) {
		store_rollback(n->store);
		return r;
	}
	return store_commit(n->store, e);
}

int node_token_list(struct node *n, const char *person, struct store_token **out, size_t *count,
		    struct lerr *e)
{
	struct person p;
	int r = node_person_get(n, person, &p, e);
	return r < 0 ? r : store_token_list(n->store, person, out, count, e);
}

int node_token_revoke(struct node *n, const char *id, struct lerr *e)
{
	char day[DATE_BUF_SIZE];
	int r = store_begin(n->store, e);
	if (r < 0)
		return r;
	if ((r = store_token_revoke(n->store, id, date_format(n->clock.today, day), e)) < 0) {
		store_rollback(n->store);
		return r;
	}
	return node_log_commit(n, "token-revoke", json_pack("{s:s}", "token", id), e);
}
