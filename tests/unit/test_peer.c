/* test_peer.c - requests between nodes: the signed text, byte for byte;
 * every field covered by the signature; message ids; digests; backoff. */
#include <sodium.h>
#include <stddef.h>

#include "helpers.h"
#include "node/peer.h"

TestSuite(peer, .fini = leak_check);

static struct peer_request request(void)
{
	struct peer_request rq = {.time = 1764412345, .length = 8};
	strcpy(rq.from, "JPN");
	strcpy(rq.to, "KOR");
	strcpy(rq.msg, "96ddbfa9f662052f514833d2d2785a92");
	strcpy(rq.kind, "item");
	strcpy(rq.ref, "82394492378336b8ed93697b");
	peer_digest("envelope", 8, rq.digest);
	return rq;
}

Test(peer, the_signed_text)
{
	struct peer_request rq = request();
	strcpy(rq.nonce, "3q2-7wAAAAAAAAAAAAAAAA");
	char *t = peer_request_text("POST", "/v1/peer/messages", &rq);
	cr_assert_not_null(t);
	char want[512];
	snprintf(want, sizeof want,
		 "liaison-peer-request/v2\nPOST /v1/peer/messages\nfrom JPN\nto KOR\n"
		 "time 1764412345\nnonce 3q2-7wAAAAAAAAAAAAAAAA\n"
		 "message 96ddbfa9f662052f514833d2d2785a92 item 82394492378336b8ed93697b\n"
		 "digest %s\nlength 8\n",
		 rq.digest);
	cr_assert_str_eq(t, want);
	free(t);
	/* no message: dashes */
	struct peer_request bare = rq;
	bare.msg[0] = bare.kind[0] = bare.ref[0] = '\0';
	t = peer_request_text("POST", "/v1/peer/checkpoint", &bare);
	cr_assert(strstr(t, "\nmessage - - -\n") != NULL, "%s", t);
	free(t);
}

static bool verifies(const struct peer_request *rq, const char *method, const char *path,
		     const uint8_t pk[32])
{
	uint8_t sig[64];
	size_t sl = 0;
	if (sodium_base642bin(sig, sizeof sig, rq->signature, strlen(rq->signature), NULL, &sl,
			      NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    sl != sizeof sig)
		return false;
	char *t = peer_request_text(method, path, rq);
	bool ok = crypto_sign_verify_detached(sig, (const uint8_t *)t, strlen(t), pk) == 0;
	free(t);
	return ok;
}

Test(peer, every_field_is_signed)
{
	cr_assert_geq(sodium_init(), 0);
	uint8_t pk[32];
	struct key_secret k = {0};
	k.sign_sk = sodium_malloc(64);
	crypto_sign_keypair(pk, k.sign_sk);
	struct peer_request rq = request();
	struct lerr e = {0};
	cr_assert_eq(peer_request_sign(&k, "POST", PEER_MESSAGES, &rq, &e), 0);
	cr_assert_eq(strlen(rq.nonce), 22, "16 random bytes, base64url");
	cr_assert(verifies(&rq, "POST", PEER_MESSAGES, pk));
	cr_assert(!verifies(&rq, "GET", PEER_MESSAGES, pk));
	cr_assert(!verifies(&rq, "POST", PEER_CHECKPOINT, pk));
	for (int f = 0; f < 9; f++) {
		struct peer_request x = rq;
		switch (f) {
		case 0:
			strcpy(x.from, "USA");
			break;
		case 1:
			strcpy(x.to, "JPN");
			break;
		case 2:
			x.time++;
			break;
		case 3:
			x.nonce[0] = x.nonce[0] == 'A' ? 'B' : 'A';
			break;
		case 4:
			x.msg[0] = x.msg[0] == '0' ? '1' : '0';
			break;
		case 5:
			strcpy(x.kind, "consent");
			break;
		case 6:
			strcpy(x.ref, "another");
			break;
		case 7:
			x.length++;
			break;
		default:
			peer_digest("envelopE", 8, x.digest);
		}
		cr_assert(!verifies(&x, "POST", PEER_MESSAGES, pk), "field %d is not signed", f);
	}
	struct peer_request again = request();
	cr_assert_eq(peer_request_sign(&k, "POST", PEER_MESSAGES, &again, &e), 0);
	cr_assert_str_neq(again.nonce, rq.nonce, "a fresh nonce each time");
	sodium_free(k.sign_sk);
}

Test(peer, message_ids_and_forms)
{
	cr_assert(peer_msg_id_ok("96ddbfa9f662052f514833d2d2785a92"));
	cr_assert(!peer_msg_id_ok("96DDBFA9F662052F514833D2D2785A92"));
	cr_assert(!peer_msg_id_ok("96ddbfa9f662052f514833d2d2785a9"));
	cr_assert(!peer_msg_id_ok("96ddbfa9f662052f514833d2d2785a921"));
	cr_assert(!peer_msg_id_ok("../../../../tmp/evil"));
	cr_assert(!peer_msg_id_ok(""));
	char id[MSG_ID_MAX];
	node_msg_id(id);
	cr_assert(peer_msg_id_ok(id), "%s", id);
	struct peer_request rq = request();
	struct lerr e = {0};
	strcpy(rq.nonce, "3q2-7wAAAAAAAAAAAAAAAA");
	cr_assert_eq(peer_request_check_form(&rq, &e), 0, "%s", e.msg);
	/* every signed header is plain ASCII of its form: the evidence kept of a
	 * request is always readable (a byte not UTF-8 once let a note skip a check) */
	const struct {
		size_t off, size;
		const char *value, *header;
	} bad[] = {
	    {offsetof(struct peer_request, nonce), sizeof rq.nonce, "3q2-7wAAAAAAAAAAAAAAA\xff",
	     "Liaison-Nonce"},
	    {offsetof(struct peer_request, nonce), sizeof rq.nonce, "short", "Liaison-Nonce"},
	    {offsetof(struct peer_request, ref), sizeof rq.ref, "x\xff", "Liaison-Ref"},
	    {offsetof(struct peer_request, ref), sizeof rq.ref, "a b", "Liaison-Ref"},
	    {offsetof(struct peer_request, kind), sizeof rq.kind, "letter", "Liaison-Kind"},
	    {offsetof(struct peer_request, digest), sizeof rq.digest, "ab\ncd", "Liaison-Digest"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct peer_request x = rq;
		snprintf((char *)&x + bad[i].off, bad[i].size, "%s", bad[i].value);
		cr_assert_eq(peer_request_check_form(&x, &e), LERR_INVAL, "%s", bad[i].value);
		cr_assert(strstr(e.msg, bad[i].header) != NULL, "%s", e.msg);
	}
	strcpy(rq.from, "j/n");
	cr_assert_eq(peer_request_check_form(&rq, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "Liaison-From") != NULL, "%s", e.msg);
	rq = request();
	strcpy(rq.msg, "../x");
	cr_assert_eq(peer_request_check_form(&rq, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "Liaison-Message") != NULL, "%s", e.msg);
}

Test(peer, digests_and_backoff)
{
	char d[DIGEST_B64_MAX];
	peer_digest("", 0, d);
	cr_assert_str_eq(d, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	const int64_t want[] = {1, 1, 2, 4, 8, 16, 32, 60, 60};
	for (int64_t a = 0; a < 9; a++)
		cr_assert_eq(peer_backoff(a, 60), want[a], "attempt %lld", (long long)a);
}

Test(peer, the_body_is_the_one_signed)
{
	struct peer_request rq = request(); /* "envelope", 8 bytes */
	struct lerr e = {0};
	char d[DIGEST_B64_MAX];
	peer_digest("envelope", 8, d);
	cr_assert_eq(peer_body_check(&rq, d, 8, &e), 0, "%s", e.msg);
	cr_assert_eq(peer_body_check(&rq, d, 9, &e), LERR_AUTH);
	cr_assert(strstr(e.msg, "9 bytes, not the 8 signed") != NULL, "%s", e.msg);
	peer_digest("envelopE", 8, d);
	cr_assert_eq(peer_body_check(&rq, d, 8, &e), LERR_AUTH);
	cr_assert(strstr(e.msg, "digest differs") != NULL, "%s", e.msg);
}
