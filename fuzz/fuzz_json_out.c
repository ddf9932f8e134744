/* fuzz_json_out.c - the daemon's JSON writer against jansson's: any bytes
 * parsed by jansson (and, raw, as one string that may hold bad UTF-8) must
 * be written byte for byte as json_dumpb(JSON_COMPACT) writes them, and
 * refused exactly when jansson refuses, but for nesting deeper than
 * JSON_OUT_DEPTH, which json_out refuses (and jansson writes). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/json_out.h"

/* How deeply v nests (a scalar is 0). */
static int depth(const json_t *v)
{
	int d = 0;
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			int k = depth(json_array_get(v, i));
			d = k > d ? k : d;
		}
		return d + 1;
	}
	if (json_is_object(v)) {
		const char *key;
		json_t *m;
		json_object_foreach((json_t *)v, key, m)
		{
			int k = depth(m);
			d = k > d ? k : d;
		}
		return d + 1;
	}
	return 0;
}

static void same(const json_t *v)
{
	static char a[1 << 17], b[1 << 17];
	size_t nb = 0;
	char *out = json_out(v, b, sizeof b, &nb);
	if (depth(v) > JSON_OUT_DEPTH + 1) { /* json_out's own limit; jansson has none */
		if (out)
			abort();
		return;
	}
	size_t na = json_dumpb(v, a, sizeof a, JSON_COMPACT | JSON_ENCODE_ANY);
	if (na > sizeof a) { /* larger than the buffer: nothing to compare */
		if (out != b)
			free(out);
		return;
	}
	if ((na == 0) != (out == NULL))
		abort(); /* one refused, the other did not */
	if (out && (na != nb || memcmp(a, out, na) != 0))
		abort();
	if (out && out != b)
		free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (v)
		same(v);
	json_decref(v);
	/* the bytes as they are, as a string (not checked: both writers must
	 * refuse bad UTF-8) and as a key (checked: jansson writes a key with bad
	 * UTF-8 cut short where json_out refuses it, so no such key is compared) */
	json_t *s = json_stringn_nocheck((const char *)data, size);
	if (s) {
		same(s);
		json_t *o = json_object();
		char key[64];
		size_t k = size < sizeof key - 1 ? size : sizeof key - 1;
		memcpy(key, data, k);
		key[k] = '\0';
		if (json_object_set_new(o, key, s) == 0)
			same(o);
		json_decref(o);
	}
	return 0;
}
