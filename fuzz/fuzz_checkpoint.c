/* fuzz_checkpoint.c - signed checkpoints on any bytes: parse and verify
 * against a fixed key, and merkle proof verification on the parsed root. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pk[32], sk[64];
	static int ready;
	if (!ready) {
		uint8_t seed[32] = {1};
		if (sodium_init() < 0)
			abort();
		crypto_sign_seed_keypair(pk, sk, seed);
		ready = 1;
	}
	struct checkpoint cp;
	struct lerr e = {0};
	int r = checkpoint_verify((const char *)data, size, "liaison/JPN", pk, &cp, &e);
	if (r < 0 && e.msg[0] == '\0')
		abort(); /* every refusal says why */
	if (r == 0) {
		/* only a note this key signed verifies: sign it again and compare */
		char again[NOTE_MAX];
		if (checkpoint_sign(&cp, sk, pk, again, &e) < 0)
			abort();
	}
	/* proofs read from the same bytes never crash the verifiers */
	size_t n = size / MERKLE_HASH;
	if (n > MERKLE_PATH_MAX)
		n = MERKLE_PATH_MAX;
	uint8_t root[MERKLE_HASH] = {0};
	(void)merkle_verify_inclusion(size, size * 3 + 1, root, (const uint8_t(*)[MERKLE_HASH])data,
				      n, root);
	(void)merkle_verify_consistency(size / 2, size, root, root,
					(const uint8_t(*)[MERKLE_HASH])data, n);
	return 0;
}
