/*
 * forge_envelope.c - a hostile peer's envelope, for tests/cli/hostile.bats.
 *
 * Seals standard input to standard output, signed by SENDER.key, for
 * RECIPIENT.pub, under whatever label LABEL.json says: `liaison seal`
 * refuses a label whose originator is not the sender; a peer running
 * software of its own does not. The passphrase is LIAISON_PASSPHRASE.
 *
 * usage: forge_envelope SENDER.key RECIPIENT.pub LABEL.json <in >out
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/envelope.h"
#include "crypto/fio.h"
#include "node/keyfile.h"
#include "node/label_json.h"

int main(int argc, char **argv)
{
	const char *pass = getenv("LIAISON_PASSPHRASE");
	if (argc != 4 || !pass) {
		fprintf(stderr, "usage: LIAISON_PASSPHRASE=... forge_envelope SENDER.key "
				"RECIPIENT.pub LABEL.json <in >out\n");
		return 2;
	}
	struct lerr e = {0};
	struct key_secret k;
	struct key_public to;
	struct label l;
	char *text = NULL, *canon = NULL;
	size_t n = 0, cn = 0;
	int r = keyfile_secret(argv[1], pass, strlen(pass), &k, &e);
	if (r < 0) {
		fprintf(stderr, "forge_envelope: %s\n", e.msg);
		return 1;
	}
	if ((r = keyfile_public(argv[2], &to, &e)) == 0 &&
	    (r = fio_read_file(argv[3], 65536, &text, &n, &e)) == 0 &&
	    (r = label_parse(text, n, argv[3], &l, &e)) == 0 &&
	    (r = label_canonical(&l, &canon, &cn, &e)) == 0) {
		const struct env_seal_args a = {
		    .from = &k, .to = &to, .nto = 1, .label = canon, .label_len = cn};
		r = envelope_seal(0, 1, &a, NULL, &e);
	}
	if (r < 0)
		fprintf(stderr, "forge_envelope: %s\n", e.msg);
	free(text);
	free(canon);
	key_secret_free(&k);
	return r < 0 ? 1 : 0;
}
