/* fuzz_keys.c - public key lines and secret key files on any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[KEY_FILE_MAX + 1];
	if (size > KEY_FILE_MAX)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct key_public p;
	struct lerr e = {0};
	if (key_public_parse(text, &p, &e) < 0 && e.msg[0] == '\0')
		abort();
	struct key_secret k;
	/* the passphrase is wrong or the file damaged: it must never open */
	if (key_secret_open(text, strlen(text), "fuzz", 4, &k, &e) == 0)
		key_secret_free(&k);
	return 0;
}
