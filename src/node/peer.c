/* peer.c - federation: peers, signed requests, witnessing, receiving (see peer.h; the outbox is
 * outbox.c). */
#include "peer.h"

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/text.h"
#include "../store/store.h"
#include "../crypto/fio.h"
#include "jfield.h"
#include "acts.h"
#include "encode.h"
#include "internal.h"
#include "log.h"

#define CTX_REQUEST "liaison-peer-request/v2"
#define CTX_RECEIPT "liaison-receipt/v1"

char *peer_request_text(const char *method, const char *path, const struct peer_request *rq)
{
	/* a consent that goes with the request: one more line, its digest */
	const char *fmt = CTX_REQUEST "\n%s %s\nfrom %s\nto %s\ntime %lld\nnonce %s\n"
				      "message %s %s %s\ndigest %s\nlength %llu\n%s%s%s";
	const char *c1 = rq->consent[0] ? "consent " : "", *c2 = rq->consent[0] ? "\n" : "";
	int n = snprintf(NULL, 0, fmt, method, path, rq->from, rq->to, (long long)rq->time,
			 rq->nonce, rq->msg[0] ? rq->msg : "-", rq->kind[0] ? rq->kind : "-",
			 rq->ref[0] ? rq->ref : "-", rq->digest, (unsigned long long)rq->length, c1,
			 rq->consent, c2);
	char *s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (s)
		snprintf(s, (size_t)n + 1, fmt, method, path, rq->from, rq->to, (long long)rq->time,
			 rq->nonce, rq->msg[0] ? rq->msg : "-", rq->kind[0] ? rq->kind : "-",
			 rq->ref[0] ? rq->ref : "-", rq->digest, (unsigned long long)rq->length, c1,
			 rq->consent, c2);
	return s;
}

char *peer_consent_value(const char *doc, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *v = malloc(n);
	return v ? sodium_bin2base64(v, n, (const unsigned char *)doc, len,
				     sodium_base64_VARIANT_ORIGINAL)
		 : NULL;
}

int peer_request_sign(const struct key_secret *k, const char *method, const char *path,
		      struct peer_request *rq, struct lerr *e)
{
	uint8_t nonce[16], sig[crypto_sign_BYTES];
	randombytes_buf(nonce, sizeof nonce);
	sodium_bin2base64(rq->nonce, sizeof rq->nonce, nonce, sizeof nonce,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *text = peer_request_text(method, path, rq);
	if (!text)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	crypto_sign_detached(sig, NULL, (const uint8_t *)text, strlen(text), k->sign_sk);
	free(text);
	sodium_bin2base64(rq->signature, sizeof rq->signature, sig, sizeof sig,
			  sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

bool peer_msg_id_ok(const char *id)
{
	size_t i = 0;
	for (; id[i]; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return i == MSG_ID_MAX - 1;
}

/* Whether s is 1 to max characters, each a letter, a digit or one of extra. */
static bool plain_word(const char *s, const char *extra, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

int peer_request_check_form(const struct peer_request *rq, struct lerr *e)
{
	static const char *const kinds[] = {"item",   "consent",    "note",
					    "report", "checkpoint", "key"};
	bool kind = false;
	if (party_code_check(rq->from, e) < 0)
		return lerr_prefix(e, "Liaison-From");
	if (party_code_check(rq->to, e) < 0)
		return lerr_prefix(e, "Liaison-To");
	if (!peer_msg_id_ok(rq->msg))
		return lerr_set(e, LERR_INVAL, "Liaison-Message: not a message id (32 hex digits)");
	/* every header the signed text carries is plain ASCII of a known form:
	 * nothing a peer chooses may make the evidence kept of it unreadable */
	if (strlen(rq->nonce) != 22 || !plain_word(rq->nonce, "-_", 22))
		return lerr_set(e, LERR_INVAL, "Liaison-Nonce: not 16 bytes in base64url");
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		kind |= strcmp(rq->kind, kinds[i]) == 0;
	if (!kind)
		return lerr_set(e, LERR_INVAL,
				"Liaison-Kind: not item, consent, note, report, checkpoint or key");
	if (!plain_word(rq->ref, "._/-", 127))
		return lerr_set(e, LERR_INVAL,
				"Liaison-Ref: not an id (letters, digits, '.', '_', '/', '-')");
	if (!plain_word(rq->digest, "+/=", 44))
		return lerr_set(e, LERR_INVAL, "Liaison-Digest: not a base64 SHA-256");
	return 0;
}

int peer_body_check(const struct peer_request *rq, const char *digest, uint64_t length,
		    struct lerr *e)
{
	size_t dl = strlen(rq->digest);
	if (length != rq->length)
		return lerr_set(e, LERR_AUTH, "the body is %llu bytes, not the %llu signed",
				(unsigned long long)length, (unsigned long long)rq->length);
	if (dl != strlen(digest) || sodium_memcmp(rq->digest, digest, dl) != 0)
		return lerr_set(e, LERR_AUTH, "the body is not the one signed (digest differs)");
	return 0;
}

/* A valid Ed25519 key no peer holds (from the seed 0, 1, ... 31): a request
 * from a party that is no peer is verified against it, so that it costs
 * what a peer's does, and then refused whatever the answer. */
static const uint8_t stranger_pk[crypto_sign_PUBLICKEYBYTES] = {
    0x03, 0xa1, 0x07, 0xbf, 0xf3, 0xce, 0x10, 0xbe, 0x1d, 0x70, 0xdd, 0x18, 0xe7, 0x4b, 0xc0, 0x99,
    0x67, 0xe4, 0xd6, 0x30, 0x9b, 0xa5, 0x0d, 0x5f, 0x1d, 0xdc, 0x86, 0x64, 0x12, 0x55, 0x31, 0xb8,
};

int node_peer_check(struct node *n, const char *method, const char *path,
		    const struct peer_request *rq, int64_t now, struct lerr *e)
{
	struct store_peer p;
	struct key_public pub;
	uint8_t sig[crypto_sign_BYTES];
	size_t sl = 0;
	if (strcmp(rq->to, n->party) != 0)
		return lerr_set(e, LERR_AUTH, "the request is addressed to %.32s, not to %s",
				rq->to, n->party);
	/* what needs no lookup first; then a party that is no peer, or has no
	 * key here, is answered as a bad signature is: an unsigned request
	 * must not list this node's peers (the operator reads which on stderr) */
	if (rq->time < now - PEER_SKEW || rq->time > now + PEER_SKEW)
		return lerr_set(e, LERR_AUTH,
				"a stale request: its time is %lld s from this node's (at most %d)",
				(long long)(rq->time - now), PEER_SKEW);
	if (sodium_base642bin(sig, sizeof sig, rq->signature, strlen(rq->signature), NULL, &sl,
			      NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    sl != sizeof sig)
		return lerr_set(e, LERR_AUTH, "the signature is not 64 bytes of base64");
	int r = store_peer_get(n->store, rq->from, &p, e);
	if (r == 0)
		r = node_public_key(n, rq->from, &pub, e);
	bool stranger = r == LERR_NOTFOUND;
	if (stranger) {
		fprintf(stderr, "liaison: a request said to be from %.32s refused: %s\n", rq->from,
			e->msg);
		memcpy(pub.sign_pk, stranger_pk, sizeof pub.sign_pk);
	} else if (r < 0)
		return r;
	char *text = peer_request_text(method, path, rq);
	if (!text)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	r = crypto_sign_verify_detached(sig, (const uint8_t *)text, strlen(text), pub.sign_pk);
	if (stranger) { /* the same work as a peer's, and refused whatever its answer */
		free(text);
		return lerr_set(e, LERR_AUTH, "bad signature: the request is not signed by %.32s",
				rq->from);
	}
	/* a key note is signed by the key it retires, which this node may have
	 * retired already (the note taken, its receipt lost): what it says is
	 * checked against the current key when it is taken */
	if (r != 0 && strcmp(rq->kind, "key") == 0 && strcmp(path, PEER_MESSAGES) == 0 &&
	    rq->length <= KEY_NOTE_MAX) {
		struct store_retired_key *ks;
		size_t nk;
		if (store_retired_keys(n->store, rq->from, &ks, &nk, e) < 0) {
			free(text);
			return LERR_STORE;
		}
		/* the one key its ref names (node_key_ref), verified once: the
		 * work does not tell how many keys the party retired */
		size_t i = 0;
		for (char ref[33]; i < nk; i++) {
			node_key_ref(&ks[i].pub, ref);
			if (strcmp(ref, rq->ref) == 0)
				break;
		}
		if (i < nk)
			r = crypto_sign_verify_detached(sig, (const uint8_t *)text, strlen(text),
							ks[i++].pub.sign_pk);
		date_t on;
		/* a key rotated lately; one compromised: refused for good, so that
		 * its sender stops (its note, if it came another way, is taken) */
		if (r == 0 && (strcmp(ks[i - 1].how, "rotated") != 0 ||
			       date_parse(ks[i - 1].retired_on, &on, NULL) < 0 ||
			       n->clock.today > on + NODE_ROTATED_GRACE_DAYS)) {
			int code =
			    strcmp(ks[i - 1].how, "compromised") == 0 ? LERR_REFUSED : LERR_AUTH;
			lerr_set(e, code,
				 "a key note signed with a key of %s retired on %s (%s): refused",
				 rq->from, ks[i - 1].retired_on, ks[i - 1].how);
			free(ks);
			free(text);
			return code;
		}
		free(ks);
	}
	free(text);
	if (r != 0)
		return lerr_set(e, LERR_AUTH, "bad signature: the request is not signed by %s",
				rq->from);
	/* a replay is refused at once; the nonce is spent once the body checks */
	if ((r = store_nonce_seen(n->store, rq->from, rq->nonce, e)) != 0)
		return r < 0 ? r
			     : lerr_set(e, LERR_AUTH,
					"a replayed request: %.32s used this nonce already",
					rq->from);
	return 0;
}

int node_peer_accept(struct node *n, const struct peer_request *rq, int64_t now, struct lerr *e)
{
	/* fresh still when its body is all in: a nonce is kept twice the window,
	 * so a replay trickled until the first's nonce is forgotten is too old */
	if (rq->time < now - PEER_SKEW)
		return lerr_set(e, LERR_AUTH,
				"the request is %lld s old by the time its body came (at most %d)",
				(long long)(now - rq->time), PEER_SKEW);
	int r = store_begin(n->store, e);
	if (r < 0)
		return r;
	if ((r = store_nonce_use(n->store, rq->from, rq->nonce, now, now - 2 * PEER_SKEW, e)) < 0) {
		store_rollback(n->store);
		return r == LERR_EXISTS ? LERR_AUTH : r;
	}
	return store_commit(n->store, e);
}

static void digest_b64(const uint8_t h[crypto_hash_sha256_BYTES], char out[DIGEST_B64_MAX])
{
	sodium_bin2base64(out, DIGEST_B64_MAX, h, crypto_hash_sha256_BYTES,
			  sodium_base64_VARIANT_ORIGINAL);
}

void peer_digest(const void *buf, size_t n, char out[DIGEST_B64_MAX])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, buf, n);
	digest_b64(h, out);
}

void peer_digest_final(crypto_hash_sha256_state *st, char out[DIGEST_B64_MAX])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(st, h);
	digest_b64(h, out);
}

int peer_file_digest(int fd, char out[DIGEST_B64_MAX], struct lerr *e)
{
	crypto_hash_sha256_state st;
	uint8_t buf[1 << 16];
	ssize_t got;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return lerr_set(e, LERR_IO, "digest: %s", strerror(errno));
	crypto_hash_sha256_init(&st);
	while ((got = fio_read_full(fd, buf, sizeof buf)) > 0)
		crypto_hash_sha256_update(&st, buf, (unsigned long long)got);
	if (got < 0)
		return lerr_set(e, LERR_IO, "digest: %s", strerror(errno));
	peer_digest_final(&st, out);
	return 0;
}

/* ---- peers ---- */

static bool url_ok(const char *url)
{
	size_t n = strlen(url);
	if (n >= PEER_URL_MAX)
		return false;
	const char *host = strncmp(url, "http://", 7) == 0    ? url + 7
			   : strncmp(url, "https://", 8) == 0 ? url + 8
							      : NULL;
	if (!host || !*host)
		return false;
	for (const char *c = host; *c; c++)
		if (*c <= ' ' || *c >= 0x7f || *c == '/' || *c == '?' || *c == '#' || *c == '@')
			return false;
	return true;
}

int peer_envelope_version(const struct store_peer *p)
{
	return p->envelope_version ? p->envelope_version : ENV_VERSION;
}

int node_envelope_version_for(struct node *n, const char *party, int *version, struct lerr *e)
{
	struct store_peer p;
	int r = store_peer_get(n->store, party, &p, e);
	*version = r == 0 ? peer_envelope_version(&p) : ENV_VERSION;
	return r == LERR_NOTFOUND ? 0 : r;
}

int node_peer_add(struct node *n, const char *party, const char *url, int envelope_version,
		  int *sealed, struct lerr *e)
{
	struct party p;
	struct key_public pub;
	struct store_peer sp = {.envelope_version = envelope_version}, had;
	if (envelope_version &&
	    (envelope_version < ENV_VERSION_MIN || envelope_version > ENV_VERSION))
		return lerr_set(e, LERR_INVAL, "--envelope-version: %d is not in %d..%d",
				envelope_version, ENV_VERSION_MIN, ENV_VERSION);
	if (!url_ok(url))
		return lerr_set(e, LERR_INVAL,
				"--url: %.300s is not http(s)://HOST[:PORT] (no path, no user)",
				url);
	if (strcmp(party, n->party) == 0)
		return lerr_set(e, LERR_INVAL, "%s is this node's own party", party);
	int r = store_party_get(n->store, party, &p, e);
	if (r == 0)
		r = node_public_key(n, party, &pub, e);
	if (r < 0)
		return r;
	str_copy(sp.party, sizeof sp.party, party);
	str_copy(sp.url, sizeof sp.url, url);
	date_format(n->clock.today, sp.added_on);
	if ((r = store_begin(n->store, e)) < 0)
		return r;
	/* a peer added again keeps its version unless one is given */
	if (!envelope_version && (r = store_peer_get(n->store, party, &had, e)) != LERR_NOTFOUND) {
		if (r < 0) {
			store_rollback(n->store);
			return r;
		}
		sp.envelope_version = had.envelope_version;
	}
	if (sealed)
		*sealed = peer_envelope_version(&sp);
	if ((r = store_peer_put(n->store, &sp, e)) < 0) {
		store_rollback(n->store);
		return r;
	}
	json_t *facts = json_pack("{s:s, s:s}", "peer", party, "url", url);
	if (facts && sp.envelope_version)
		json_object_set_new(facts, "envelope_version", json_integer(sp.envelope_version));
	return node_log_commit(n, "peer-add", facts, e);
}

int node_peer_remove(struct node *n, const char *party, struct lerr *e)
{
	int r = store_begin(n->store, e);
	if (r < 0)
		return r;
	if ((r = store_peer_remove(n->store, party, e)) < 0) {
		store_rollback(n->store);
		return r;
	}
	return node_log_commit(n, "peer-remove", json_pack("{s:s}", "peer", party), e);
}

/* ---- witnessing the peers' logs ---- */

int node_peer_witness(struct node *n, const char *party, const char *note,
		      const uint8_t (*proof)[MERKLE_HASH], size_t nproof, int64_t now, bool fresh,
		      uint64_t since, struct witness_report *rep, struct lerr *e)
{
	struct store_peer p;
	char origin[NOTE_ORIGIN_MAX];
	int r = store_peer_get(n->store, party, &p, e);
	if (r < 0)
		return r;
	node_log_origin(party, origin);
	size_t ol = strlen(origin);
	if (strncmp(note, origin, ol) != 0 || note[ol] != '\n')
		/* the peer's key signs its own log's alone: anyone can write
		 * this, so it says nothing of the peer (a witnessing error) */
		r = lerr_set(e, LERR_INVAL,
			     "%s's node answered with a checkpoint of another log (refused; no "
			     "alarm raised)",
			     party);
	else /* a log entry for the first checkpoint of each day (UTC) */
		r = node_log_witness_as(n, note, proof, nproof,
					!p.witnessed || p.witnessed_at / 86400 != now / 86400, rep,
					e);
	/* a smaller tree, or a proof that fails, says something of the peer
	 * only in an answer it signed for this request: an older one replayed,
	 * or a proof changed on the way, would raise the alarm for anyone on
	 * the path; by hand, whoever gave the proof (two roots for one size are
	 * the peer's own words) */
	struct lerr said = *e;
	const char *m = strncmp(said.msg, "ALARM: ", 7) == 0 ? said.msg + 7 : said.msg;
	if (r == LERR_AUTH && !fresh && !rep->fork && since == WITNESS_SINCE_ANY)
		r = lerr_set(e, LERR_INVAL,
			     "%s (refused; no alarm raised: by hand, only two roots %s signed for "
			     "one size prove its log rewritten)",
			     m, party);
	else if (r == LERR_AUTH && !fresh && !rep->fork)
		r = lerr_set(e, LERR_INVAL,
			     "%s's answer was not signed for this request (replayed or changed on "
			     "the way, or from a node of an older release): %s (no alarm raised)",
			     party, m);
	/* and checked against the checkpoint it was asked from: another
	 * witnessing may have kept a larger one meanwhile (an answer held on
	 * the path, or two at once) */
	const uint64_t kept = rep->had_previous ? rep->previous.size : 0;
	if (r == LERR_AUTH && !rep->fork && since != WITNESS_SINCE_ANY && kept != since)
		r = lerr_set(e, LERR_INVAL,
			     "the checkpoint of %s kept here moved from %llu to %llu while its "
			     "answer came: %s (no alarm raised; tried again)",
			     party, (unsigned long long)since, (unsigned long long)kept, m);
	/* the peer's row is read again under the write lock: an alarm raised or
	 * cleared meanwhile (another lane, an operator) is never written over */
	if (r == 0) {
		if ((r = store_begin(n->store, e)) == 0 &&
		    (r = store_peer_get(n->store, party, &p, e)) == 0) {
			p.witnessed = true;
			p.witnessed_size = rep->cp.size;
			p.witnessed_at = now;
			p.witness_error[0] = '\0';
			r = store_peer_status(n->store, &p, e);
		}
		if (r == 0)
			r = store_commit(n->store, e);
		else
			store_rollback(n->store);
		return r;
	}
	struct lerr why = *e;
	struct lerr se = {0};
	int s = store_begin(n->store, &se);
	if (s == 0 && (s = store_peer_get(n->store, party, &p, &se)) == 0) {
		if (r == LERR_AUTH) /* the alarm: kept until an operator clears it */
			str_copy(p.alarm, sizeof p.alarm, why.msg);
		str_copy(p.witness_error, sizeof p.witness_error, why.msg);
		s = store_peer_status(n->store, &p, &se);
	}
	if (s < 0)
		store_rollback(n->store);
	else if (s == 0)
		s = r == LERR_AUTH ? node_log_commit(n, "checkpoint-alarm",
						     json_pack("{s:s, s:s, s:s}", "peer", party,
							       "reason", why.msg, "note", note),
						     &se)
				   : store_commit(n->store, &se);
	if (s < 0)
		*e = se;
	return r;
}

int node_witness(struct node *n, const char *note, const uint8_t (*proof)[MERKLE_HASH],
		 size_t nproof, int64_t now, struct witness_report *rep, struct lerr *e)
{
	char party[PARTY_CODE_MAX] = "";
	struct store_peer p;
	struct lerr quiet = {0};
	size_t ol = strcspn(note, "\n");
	if (strncmp(note, "liaison/", 8) == 0 && ol - 8 < sizeof party) {
		memcpy(party, note + 8, ol - 8);
		party[ol - 8] = '\0';
	}
	if (!party[0] || party_code_check(party, NULL) < 0 ||
	    store_peer_get(n->store, party, &p, &quiet) < 0)
		return node_log_witness(n, note, proof, nproof, rep, e);
	/* by hand, only a checkpoint the peer signed may raise its alarm: anyone
	 * can write one that does not verify */
	struct checkpoint cp;
	struct lerr bad = {0};
	int r = node_checkpoint_check(n, party, note, true, &cp, &bad);
	if (r == LERR_AUTH || r == LERR_INVAL)
		return lerr_set(e, LERR_INVAL, "%s (refused; no alarm raised)", bad.msg);
	if (r < 0) {
		*e = bad;
		return r;
	}
	return node_peer_witness(n, party, note, proof, nproof, now, false, WITNESS_SINCE_ANY, rep,
				 e);
}

#define CTX_CHECKPOINT "liaison-checkpoint-answer/v1"

/* What a checkpoint answer's signature covers: canonical JSON of what it
 * says, and the party that asked and the nonce of its request (another
 * peer may send a nonce it saw on the path: its request is its own). */
static char *checkpoint_answer_text(const char *note, const char *asker, const char *nonce,
				    json_t *proof, json_int_t since, json_int_t size)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:O, s:I, s:I}", "asker", asker, "checkpoint", note,
			      "nonce", nonce, "proof", proof, "since", since, "size", size);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return s;
}

/* Whether answer o is `party`'s, signed for this node's request of that
 * nonce, from the size it asked from (asked), with its current key (a
 * node signs answers with its current key alone: api_keys_stale). */
static bool answer_fresh(struct node *n, const char *party, const char *nonce, uint64_t asked,
			 json_t *o)
{
	const char *note = NULL, *asker = NULL, *said = NULL, *sig = NULL;
	json_t *proof = NULL;
	json_int_t since = 0, size = 0;
	if (json_unpack(o, "{s:s, s:s, s:o, s:s, s:I, s:I, s:s}", "asker", &asker, "checkpoint",
			&note, "proof", &proof, "nonce", &said, "since", &since, "size", &size,
			"signature", &sig) != 0 ||
	    strcmp(asker, n->party) != 0 || strcmp(said, nonce) != 0 || since < 0 ||
	    (uint64_t)since != asked)
		return false;
	char *text = checkpoint_answer_text(note, asker, said, proof, since, size);
	struct key_public pub;
	struct lerr quiet = {0};
	bool ok = text && node_public_key(n, party, &pub, &quiet) == 0 &&
		  node_signed_check(&pub, CTX_CHECKPOINT, text, sig, party, &quiet) == 0;
	free(text);
	return ok;
}

int node_peer_witness_answer(struct node *n, const char *party, const char *nonce, uint64_t since,
			     const char *body, size_t len, int64_t now, struct witness_report *rep,
			     struct lerr *e)
{
	memset(rep, 0, sizeof *rep);
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL), *proof = NULL;
	const char *note = NULL;
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH];
	size_t np = 0;
	int r = 0;
	if (!o || json_unpack(o, "{s:s, s:o}", "checkpoint", &note, "proof", &proof) != 0)
		r = lerr_set(e, LERR_INVAL, "%s's node answered with no checkpoint", party);
	else if ((r = node_proof_decode(proof, "proof", path, &np, e)) < 0)
		lerr_prefix(e, "%s's answer", party);
	if (r == 0)
		r = node_peer_witness(n, party, note, (const uint8_t(*)[MERKLE_HASH])path, np, now,
				      answer_fresh(n, party, nonce, since, o), since, rep, e);
	else {
		struct lerr se = {0};
		if (node_peer_witness_failed(n, party, e->msg, &se) < 0)
			*e = se;
	}
	json_decref(o);
	return r;
}

/* Both below read the peer's row under the write lock: an alarm raised, or
 * a witnessing kept, between a read before it and the write would be
 * written over (an alarm lost; a cleared alarm logged that was not the one
 * cleared). */
int node_peer_witness_failed(struct node *n, const char *party, const char *why, struct lerr *e)
{
	struct store_peer p;
	int r = store_begin(n->store, e);
	if (r < 0)
		return r;
	if ((r = store_peer_get(n->store, party, &p, e)) < 0) {
		store_rollback(n->store);
		return r;
	}
	str_copy(p.witness_error, sizeof p.witness_error, why);
	if ((r = store_peer_status(n->store, &p, e)) < 0) {
		store_rollback(n->store);
		return r;
	}
	return store_commit(n->store, e);
}

int node_peer_clear_alarm(struct node *n, const char *party, struct lerr *e)
{
	struct store_peer p;
	int r = store_begin(n->store, e);
	if (r < 0)
		return r;
	if ((r = store_peer_get(n->store, party, &p, e)) < 0 ||
	    (!p.alarm[0] && (r = lerr_set(e, LERR_NOTFOUND, "%s has no alarm", party)) < 0)) {
		store_rollback(n->store);
		return r;
	}
	json_t *facts = json_pack("{s:s, s:s}", "peer", party, "alarm", p.alarm);
	p.alarm[0] = '\0';
	if ((r = store_peer_status(n->store, &p, e)) < 0) {
		json_decref(facts);
		store_rollback(n->store);
		return r;
	}
	return node_log_commit(n, "peer-alarm-cleared", facts, e);
}

int node_peer_alarms(struct node *n, json_t **out, struct lerr *e)
{
	struct store_peer *ps = NULL;
	size_t np = 0;
	*out = NULL;
	int r = store_peer_list(n->store, &ps, &np, e);
	if (r < 0)
		return r;
	json_t *a = json_array();
	for (size_t i = 0; a && i < np; i++)
		if (ps[i].alarm[0])
			json_array_append_new(
			    a, json_pack("{s:s, s:s}", "party", ps[i].party, "alarm", ps[i].alarm));
	free(ps);
	if (!a)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	*out = a;
	return 0;
}

int node_peer_checkpoint(struct node *n, const struct key_secret *k, uint64_t since,
			 const char *asker, const char *nonce, json_t **out, struct lerr *e)
{
	struct checkpoint cp;
	char note[NOTE_MAX];
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH];
	size_t np = 0;
	*out = NULL;
	int r = node_log_checkpoint(n, k, &cp, note, e);
	if (r < 0)
		return r;
	/* since > size: the peer saw a larger tree than this log now holds; it
	 * gets the checkpoint (no proof can exist) and raises its alarm */
	if (since > 0 && since < cp.size &&
	    (r = node_log_consistency(n, since, cp.size, path, &np, e)) < 0)
		return r;
	json_t *proof = json_array();
	for (size_t i = 0; proof && i < np; i++) {
		char b64[sodium_base64_ENCODED_LEN(MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL)];
		sodium_bin2base64(b64, sizeof b64, path[i], MERKLE_HASH,
				  sodium_base64_VARIANT_ORIGINAL);
		json_array_append_new(proof, json_string(b64));
	}
	char *text = proof ? checkpoint_answer_text(note, asker, nonce, proof, (json_int_t)since,
						    (json_int_t)cp.size)
			   : NULL;
	char sig[NODE_SIG_B64];
	r = text ? node_sign_b64(k, CTX_CHECKPOINT, text, sig, e)
		 : lerr_set(e, LERR_NOMEM, "out of memory");
	free(text);
	if (r == 0)
		*out = json_pack("{s:s, s:I, s:I, s:o, s:s, s:s, s:s}", "checkpoint", note, "size",
				 (json_int_t)cp.size, "since", (json_int_t)since, "proof", proof,
				 "asker", asker, "nonce", nonce, "signature", sig);
	else
		json_decref(proof);
	return r < 0 ? r : *out ? 0 : lerr_set(e, LERR_NOMEM, "out of memory");
}

json_t *encode_peer_status(const struct store_peer *p)
{
	json_t *o = encode_peer(p);
	if (!o)
		return NULL;
	if (p->witnessed) {
		json_object_set_new(o, "witnessed_size",
				    json_integer((json_int_t)p->witnessed_size));
		encode_instant(o, "witnessed_at", p->witnessed_at);
	}
	if (p->witness_error[0])
		json_object_set_new(o, "witness_error", json_string(p->witness_error));
	json_object_set_new(o, "alarm", p->alarm[0] ? json_string(p->alarm) : json_null());
	return o;
}

/* ---- receiving ---- */

static int receipt_for(const struct key_secret *k, const struct peer_request *rq,
		       const char *received, const char *result, char **out, size_t *len,
		       struct lerr *e)
{
	char *text = peer_receipt_text(rq, received, result);
	if (!text)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	int r = node_signed_json(k, CTX_RECEIPT, "receipt", text, out, len, e);
	free(text);
	return r;
}

#define NOTE_MAX 4096

/*
 * Refusals logged, per peer: at most REFUSALS_LOGGED a minute each (the
 * rest are answered all the same, and counted on standard error), so that
 * a peer cannot grow the permanent log without bound with notes it knows
 * will be refused. The daemon's whole process shares it.
 */
#define REFUSALS_LOGGED 10
static pthread_mutex_t refusals_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char peer[PARTY_CODE_MAX];
	time_t minute;
	unsigned n;
} refusals[16];

static bool refusal_logged(const char *peer)
{
	time_t minute = time(NULL) / 60;
	bool ok;
	pthread_mutex_lock(&refusals_mu);
	size_t k = 0;
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		if (strcmp(refusals[i].peer, peer) == 0) {
			k = i;
			break;
		}
		if (refusals[i].minute < refusals[k].minute)
			k = i; /* the slot used longest ago */
	}
	if (strcmp(refusals[k].peer, peer) != 0 || refusals[k].minute != minute) {
		str_copy(refusals[k].peer, sizeof refusals[k].peer, peer);
		refusals[k].minute = minute;
		refusals[k].n = 0;
	}
	ok = refusals[k].n++ < REFUSALS_LOGGED;
	pthread_mutex_unlock(&refusals_mu);
	return ok;
}

/* Logs a peer's note refused (note-refused: the peer, the message, the
 * note, the reason), in its own transaction; the message is not taken. */
static void log_refused_note(struct node *n, const struct peer_request *rq, const char *note,
			     const struct lerr *why)
{
	struct lerr e = {0};
	if (!refusal_logged(rq->from)) {
		char shown[2 * LERR_MSG_MAX]; /* the reason may quote the note's words */
		fprintf(stderr,
			"liaison: %s's note refused, not logged (more than %d a minute): %s\n",
			rq->from, REFUSALS_LOGGED, text_escape(why->msg, shown, sizeof shown));
		return;
	}
	const struct store_msg *receiving = n->receiving;
	n->receiving = NULL; /* not taken: a delivery again is refused again */
	char shown[2 * LERR_MSG_MAX];
	fprintf(stderr, "liaison: %s's note refused (logged as note-refused): %s\n", rq->from,
		text_escape(why->msg, shown, sizeof shown)); /* the registrar may have to act */
	if (store_begin(n->store, &e) == 0 &&
	    node_log_commit(n, "note-refused",
			    json_pack("{s:s, s:s, s:s, s:s}", "peer", rq->from, "message", rq->msg,
				      "note", note, "reason", why->msg),
			    &e) < 0)
		fprintf(stderr, "liaison: a refused note could not be logged: %s\n", e.msg);
	n->receiving = receiving;
}

/* A party's note of an agreement event (the body in file): recorded, with
 * the note and the signed request as evidence, if the sender is a party to
 * the agreement that speaks for itself and the lifecycle allows it. */
static int receive_note(struct node *n, const struct peer_request *rq, const char *file,
			struct lerr *e)
{
	struct jdoc d;
	int r = jdoc_read(file, NOTE_MAX, &d, e);
	if (r < 0)
		return r;
	const char *id, *date, *kind, *by;
	struct agr_event ev = {0};
	if (!d.root ||
	    json_unpack_ex(d.root, &d.je, JSON_STRICT, "{s:s, s:s, s:s, s:s}", "agreement", &id,
			   "date", &date, "kind", &kind, "by", &by) != 0)
		r = lerr_set(e, LERR_INVAL, "not a note of an agreement event: %s", d.je.text);
	else if (date_parse(date, &ev.date, e) < 0)
		r = lerr_prefix(e, "note: date");
	else if (agr_event_kind_parse(kind, &ev.kind, e) < 0)
		r = lerr_prefix(e, "note: kind");
	else if (strcmp(by, rq->from) != 0)
		r = lerr_set(e, LERR_REFUSED,
			     "a note speaks for its sender: it names %.32s, and %s sent it", by,
			     rq->from);
	struct agreement *a = r == 0 ? malloc(sizeof *a) : NULL;
	if (r == 0 && !a)
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	/* one answer whether the agreement is held without the sender or not
	 * held at all: a note must not tell a peer the agreements this node
	 * holds with others */
	bool party = false;
	if (r == 0 && store_agreement_get(n->store, id, a, NULL) == 0)
		for (size_t i = 0; i < a->nparties; i++)
			party |= strcmp(a->parties[i], rq->from) == 0;
	if (r == 0 && !party)
		r = lerr_set(e, LERR_REFUSED,
			     "%s is not a party to an agreement %.64s on this node: its note is "
			     "refused",
			     rq->from, id);
	char *req = r == 0 ? peer_request_text("POST", PEER_MESSAGES, rq) : NULL;
	if (r == 0 && !req)
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	if (r == 0) {
		str_copy(ev.by, sizeof ev.by, by);
		struct event_how how = {.source = "note",
					.evidence =
					    json_pack("{s:s, s:s, s:s}", "note", d.text, "request",
						      req, "signature", rq->signature)};
		size_t number;
		r = node_agreement_record_as(n, id, &ev, &how, a, &number, e);
		if (r < 0)
			lerr_prefix(e, "%s's note of %s %s on %s", rq->from, kind, id, date);
	}
	if (r == LERR_REFUSED) /* a party's word refused: on the record, with why */
		log_refused_note(n, rq, d.text, e);
	free(req);
	free(a);
	jdoc_free(&d);
	return r;
}

/* A peer's key rotation (the note in file): node_key_note_take. */
static int receive_key(struct node *n, const struct peer_request *rq, const char *file,
		       struct lerr *e)
{
	struct jdoc d;
	struct node_rotation res;
	int r = jdoc_read(file, KEY_NOTE_MAX, &d, e);
	if (r < 0)
		return r;
	r = node_key_note_take(n, rq->from, d.text, d.len, &res, e);
	jdoc_free(&d);
	return r;
}

/* Whether a message in the inbox is the one rq delivers again: the same sender, content,
 * kind and ref (the receipt for it repeats them, signed). */
static bool same_message(const struct store_msg *had, const struct peer_request *rq)
{
	return strcmp(had->peer, rq->from) == 0 && strcmp(had->digest, rq->digest) == 0 &&
	       strcmp(had->kind, rq->kind) == 0 && strcmp(had->ref, rq->ref) == 0;
}

int node_peer_receive(struct node *n, const struct key_secret *k, const struct peer_request *rq,
		      const char *file, const char *consent, size_t consent_len, char **receipt,
		      size_t *len, struct lerr *e)
{
	struct store_msg m = {0}, had;
	*receipt = NULL;
	*len = 0;
	int r = store_inbox_get(n->store, rq->from, rq->msg, &had, e);
	if (r == 0) { /* received before: acknowledged again, not taken twice */
		if (!same_message(&had, rq))
			return lerr_set(e, LERR_EXISTS,
					"message %s was received before with other content",
					rq->msg);
		return receipt_for(k, rq, had.done_on, "duplicate", receipt, len, e);
	}
	if (r != LERR_NOTFOUND)
		return r;
	str_copy(m.id, sizeof m.id, rq->msg);
	str_copy(m.peer, sizeof m.peer, rq->from);
	str_copy(m.kind, sizeof m.kind, rq->kind);
	str_copy(m.ref, sizeof m.ref, rq->ref);
	str_copy(m.digest, sizeof m.digest, rq->digest);
	date_format(n->clock.today, m.done_on);
	n->receiving = &m;
	const char *result = "stored";
	if (strcmp(rq->kind, "item") == 0) {
		struct store_item it;
		struct label l;
		n->receiving_act = "item-import";
		n->receiving_subject = "item";
		r = node_item_import_from(n, file, consent, consent_len, k, rq->from, &it, &l, e);
		if (r == 0) {
			store_item_free(&it);
		} else if (r == LERR_EXISTS) {
			/* stored by an earlier delivery whose inbox row was lost: the
			 * same envelope, byte for byte (its blob's name is the hash
			 * of its bytes), of the item the message names, from the
			 * same sender, is the same message again; anything else is
			 * refused as the import said */
			struct store_item old;
			char blob[STORE_BLOB_NAME];
			if (strcmp(l.item, rq->ref) == 0 &&
			    store_item_get(n->store, l.item, &old, NULL) == 0) {
				bool same = old.foreign && strcmp(old.sender, rq->from) == 0 &&
					    node_blob_name_of(file, blob, NULL) == 0 &&
					    strcmp(old.blob, blob) == 0;
				store_item_free(&old);
				if (same) {
					n->receiving = NULL;
					r = store_inbox_add(n->store, &m, e);
					result = "duplicate";
				}
			}
		}
	} else if (strcmp(rq->kind, "consent") == 0) {
		struct consent_info ci;
		n->receiving_act = "consent-import";
		n->receiving_subject = "item";
		r = node_consent_import(n, file, rq->from, &ci, e);
	} else if (strcmp(rq->kind, "report") == 0) {
		n->receiving_act = "compromise-report-received";
		n->receiving_subject = "item";
		r = node_report_receive(n, rq->from, rq->msg, file, e);
	} else if (strcmp(rq->kind, "note") == 0) {
		n->receiving_act = "agreement-event";
		n->receiving_subject = "agreement";
		r = receive_note(n, rq, file, e);
	} else if (strcmp(rq->kind, "key") == 0) {
		n->receiving_act = "party-key-rotated";
		n->receiving_subject = NULL;		      /* node_key_note_take checks it */
		if ((r = receive_key(n, rq, file, e)) == 1) { /* taken before, another way */
			n->receiving = NULL;
			r = store_inbox_add(n->store, &m, e);
			result = "duplicate";
		}
	} else {
		r = lerr_set(e, LERR_INVAL, "message kind %.16s is not one this node takes",
			     rq->kind);
	}
	n->receiving = NULL;
	n->receiving_act = NULL;
	n->receiving_subject = NULL;
	if (r < 0 && store_inbox_get(n->store, rq->from, rq->msg, &had, NULL) == 0 &&
	    same_message(&had, rq)) {
		/* the same message, taken meanwhile by another delivery of it */
		r = 0;
		result = "duplicate";
		str_copy(m.done_on, sizeof m.done_on, had.done_on);
	}
	if (r < 0)
		return r;
	return receipt_for(k, rq, m.done_on, result, receipt, len, e);
}

bool node_peer_refusal_final(int code)
{
	return code == LERR_INVAL || code == LERR_AUTH || code == LERR_REFUSED ||
	       code == LERR_EXISTS || code == LERR_LIMIT || code == LERR_FORBIDDEN ||
	       code == LERR_DENIED;
}

int node_peer_refusal(struct node *n, const struct key_secret *k, const struct peer_request *rq,
		      char **out, size_t *len)
{
	char day[DATE_BUF_SIZE];
	int r = receipt_for(k, rq, date_format(n->clock.today, day), "refused", out, len, NULL);
	if (r < 0) {
		*out = NULL;
		*len = 0;
	}
	return r;
}

/* ---- views ---- */

json_t *encode_peer(const struct store_peer *p)
{
	return json_pack("{s:s, s:s, s:s, s:i}", "party", p->party, "url", p->url, "added_on",
			 p->added_on, "envelope_version", peer_envelope_version(p));
}

const char *msg_state_name(enum msg_state s)
{
	static const char *const names[] = {
	    [MSG_QUEUED] = "queued", [MSG_DELIVERED] = "delivered", [MSG_REFUSED] = "refused"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

json_t *encode_msg(const struct store_msg *m)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", m->id, "to",
			      m->peer, "kind", m->kind, "ref", m->ref, "digest", m->digest,
			      "created_on", m->created_on, "state", msg_state_name(m->state),
			      "attempts", (json_int_t)m->attempts);
	if (!o)
		return NULL;
	if (m->state == MSG_QUEUED)
		encode_instant(o, "next_try", m->next_try);
	if (m->done_on[0])
		json_object_set_new(o, m->state == MSG_DELIVERED ? "delivered_on" : "refused_on",
				    json_string(m->done_on));
	if (m->last_error[0])
		json_object_set_new(o, "last_error", json_string(m->last_error));
	if (m->receipt) {
		json_t *rc = json_loads(m->receipt, 0, NULL);
		if (rc)
			json_object_set_new(o, "receipt", rc);
	}
	return o;
}
