/*
 * forge.c - a hostile peer's own software, for the CLI tests.
 *
 * liaison's commands check what they sign first (a label's originator must
 * be the sender, a consent must be a grant its node allowed...); a peer
 * running software of its own signs anything. This signs what the test
 * gives with KEY's party's keys, as such a peer would:
 *
 *   forge envelope KEY RECIPIENT.pub LABEL.json <in >out
 *       standard input sealed for RECIPIENT under the label as given;
 *   forge signed KEY CTX FIELD TEXT >out.json
 *       TEXT (JSON as the receiver rewrites it: compact, keys sorted)
 *       signed under the context CTX, printed as {FIELD: TEXT, "signature"}
 *       (a consent, a compromise report);
 *   forge peer KEY TO KIND REF BODY >headers
 *       the headers of a request to PEER_MESSAGES carrying BODY as a
 *       message of KIND naming REF, signed (curl sends them); of KIND
 *       checkpoint, a request to PEER_CHECKPOINT (a witness's); with
 *       FORGE_NONCE set, under that nonce (one seen on the path); with
 *       FORGE_MSG set, as the message of that id (a delivery again).
 *
 * The passphrase is LIAISON_PASSPHRASE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/envelope.h"
#include "crypto/fio.h"
#include "node/exchange.h"
#include "node/keyfile.h"
#include "node/label_json.h"
#include "node/peer.h"

static int envelope(const struct key_secret *k, char **argv, struct lerr *e)
{
	struct key_public to;
	struct label l;
	char *text = NULL, *canon = NULL;
	size_t n = 0, cn = 0;
	int r;
	if ((r = keyfile_public(argv[0], &to, e)) == 0 &&
	    (r = fio_read_file(argv[1], 65536, &text, &n, e)) == 0 &&
	    (r = label_parse(text, n, argv[1], &l, e)) == 0 &&
	    (r = label_canonical(&l, &canon, &cn, e)) == 0) {
		const struct env_seal_args a = {
		    .from = k, .to = &to, .nto = 1, .label = canon, .label_len = cn};
		r = envelope_seal(0, 1, &a, NULL, e);
	}
	free(text);
	free(canon);
	return r;
}

static int signed_json(const struct key_secret *k, char **argv, struct lerr *e)
{
	char *out = NULL;
	size_t n = 0;
	int r = node_signed_json(k, argv[0], argv[1], argv[2], &out, &n, e);
	if (r == 0)
		fwrite(out, 1, n, stdout);
	free(out);
	return r;
}

static int peer(const struct key_secret *k, char **argv, struct lerr *e)
{
	struct peer_request rq = {0};
	char *body = NULL;
	size_t n = 0;
	int r = fio_read_file(argv[3], 64u << 20, &body, &n, e);
	if (r == 0) {
		snprintf(rq.from, sizeof rq.from, "%s", k->pub.party);
		snprintf(rq.to, sizeof rq.to, "%s", argv[0]);
		rq.time = (int64_t)time(NULL);
		node_msg_id(rq.msg);
		if (getenv("FORGE_MSG"))
			snprintf(rq.msg, sizeof rq.msg, "%s", getenv("FORGE_MSG"));
		snprintf(rq.kind, sizeof rq.kind, "%s", argv[1]);
		snprintf(rq.ref, sizeof rq.ref, "%s", argv[2]);
		peer_digest(body, n, rq.digest);
		rq.length = n;
		const char *path =
		    strcmp(rq.kind, "checkpoint") == 0 ? PEER_CHECKPOINT : PEER_MESSAGES;
		r = peer_request_sign(k, "POST", path, &rq, e);
		const char *nonce = getenv("FORGE_NONCE");
		char *text = NULL;
		if (r == 0 && nonce) { /* one seen on the path: signed again under it */
			snprintf(rq.nonce, sizeof rq.nonce, "%s", nonce);
			if (!(text = peer_request_text("POST", path, &rq)))
				r = lerr_set(e, LERR_NOMEM, "out of memory");
		}
		if (text) {
			uint8_t sig[crypto_sign_BYTES];
			crypto_sign_detached(sig, NULL, (const uint8_t *)text, strlen(text),
					     k->sign_sk);
			sodium_bin2base64(rq.signature, sizeof rq.signature, sig, sizeof sig,
					  sodium_base64_VARIANT_ORIGINAL);
			free(text);
		}
	}
	free(body);
	if (r == 0)
		printf("%s: %s\n%s: %s\n%s: %lld\n%s: %s\n%s: %s\n%s: %s\n%s: %s\n%s: %s\n"
		       "%s: %llu\n%s: %s\n",
		       PEER_H_FROM, rq.from, PEER_H_TO, rq.to, PEER_H_TIME, (long long)rq.time,
		       PEER_H_NONCE, rq.nonce, PEER_H_MESSAGE, rq.msg, PEER_H_KIND, rq.kind,
		       PEER_H_REF, rq.ref, PEER_H_DIGEST, rq.digest, PEER_H_LENGTH,
		       (unsigned long long)rq.length, PEER_H_SIGNATURE, rq.signature);
	return r;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int nargs;
		int (*run)(const struct key_secret *, char **, struct lerr *);
	} forms[] = {{"envelope", 2, envelope}, {"signed", 3, signed_json}, {"peer", 4, peer}};
	const char *pass = getenv("LIAISON_PASSPHRASE");
	for (size_t i = 0; pass && argc >= 3 && i < sizeof forms / sizeof forms[0]; i++) {
		if (strcmp(argv[1], forms[i].name) != 0 || argc != 3 + forms[i].nargs)
			continue;
		struct lerr e = {0};
		struct key_secret k;
		int r = keyfile_secret(argv[2], pass, strlen(pass), &k, &e);
		if (r == 0) {
			r = forms[i].run(&k, argv + 3, &e);
			key_secret_free(&k);
		}
		if (r < 0)
			fprintf(stderr, "forge %s: %s\n", argv[1], e.msg);
		return r < 0 ? 1 : 0;
	}
	fprintf(stderr, "usage (LIAISON_PASSPHRASE set):\n"
			"  forge envelope KEY RECIPIENT.pub LABEL.json <in >out\n"
			"  forge signed KEY CTX FIELD TEXT\n"
			"  forge peer KEY TO KIND REF BODY\n");
	return 2;
}
