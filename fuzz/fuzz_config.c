/* fuzz_config.c - the configuration parser, then a check against a scratch
 * store, on any bytes: no crash, no leak, a message on every refusal. */
#include <stdint.h>
#include <stdlib.h>

#include "node/node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct lerr e = {0};
	if (config_parse((const char *)data, size, "fuzz.json", &c, &e) < 0) {
		if (e.msg[0] == '\0')
			abort();
		return 0;
	}
	struct config_summary sum;
	if (node_config_apply(NULL, NULL, &c, "fuzz.json", true, &sum, &e) < 0 && e.msg[0] == '\0')
		abort();
	config_free(&c);
	return 0;
}
