/* fuzz_peer.c - what a peer's node sends: request headers checked for form
 * and their signed text, and a receipt parsed and checked against a
 * message, on any bytes. No crash; nothing forged passes. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the bytes as the headers' values, NUL-separated */
	struct peer_request rq = {0};
	char *fields[] = {rq.from, rq.to, rq.nonce, rq.msg, rq.kind, rq.ref, rq.digest,
			  rq.signature};
	size_t lens[] = {sizeof rq.from,  sizeof rq.to,	 sizeof rq.nonce,  sizeof rq.msg,
			 sizeof rq.kind,  sizeof rq.ref, sizeof rq.digest, sizeof rq.signature};
	size_t at = 0;
	for (size_t f = 0; f < sizeof fields / sizeof *fields && at < size; f++) {
		size_t k = 0;
		while (at < size && data[at] != 0 && k + 1 < lens[f])
			fields[f][k++] = (char)data[at++];
		fields[f][k] = '\0';
		while (at < size && data[at] != 0)
			at++;
		at++;
	}
	struct lerr e = {0};
	if (peer_request_check_form(&rq, &e) == 0) {
		if (!peer_msg_id_ok(rq.msg))
			abort();
	} else if (e.msg[0] == '\0') {
		abort();
	}
	char *t = peer_request_text("POST", PEER_MESSAGES, &rq);
	if (!t)
		abort();
	/* a signature that was not made by this key never verifies */
	static uint8_t pk[32], sk[64];
	static int ready;
	if (!ready) {
		if (sodium_init() < 0)
			abort();
		uint8_t seed[32] = {7};
		crypto_sign_seed_keypair(pk, sk, seed);
		ready = 1;
	}
	uint8_t sig[64];
	size_t sl = 0;
	if (sodium_base642bin(sig, sizeof sig, rq.signature, strlen(rq.signature), NULL, &sl, NULL,
			      sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    sl == sizeof sig &&
	    crypto_sign_verify_detached(sig, (const uint8_t *)t, strlen(t), pk) == 0)
		abort();
	free(t);
	return 0;
}
