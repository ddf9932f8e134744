/* note.c - signed checkpoints (see note.h). */
#include "note.h"

#include "../core/text.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define EM_DASH	 "\xe2\x80\x94"
#define SIG_TYPE 0x01

uint32_t note_key_id(const char *name, const uint8_t pk[32])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	const uint8_t sep[2] = {0x0a, SIG_TYPE};
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, sep, sizeof sep);
	crypto_hash_sha256_update(&st, pk, 32);
	crypto_hash_sha256_final(&st, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static int origin_check(const char *o, struct lerr *e)
{
	if (!o[0])
		return lerr_set(e, LERR_INVAL, "origin: empty");
	for (const unsigned char *p = (const unsigned char *)o; *p; p++)
		if (*p <= 0x20 || *p == '+' || *p == 0x7f)
			return lerr_set(e, LERR_INVAL,
					"origin: \"%.64s\" holds a space, a plus or a control "
					"character",
					o);
	return 0;
}

int checkpoint_sign(const struct checkpoint *cp, const uint8_t sk[64], const uint8_t pk[32],
		    char out[NOTE_MAX], struct lerr *e)
{
	if (origin_check(cp->origin, e) < 0)
		return LERR_INVAL;
	char root[sodium_base64_ENCODED_LEN(MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(root, sizeof root, cp->root, MERKLE_HASH, sodium_base64_VARIANT_ORIGINAL);
	int body = snprintf(out, NOTE_MAX, "%s\n%" PRIu64 "\n%s\n", cp->origin, cp->size, root);
	if (body < 0 || body >= NOTE_MAX - 200)
		return lerr_set(e, LERR_LIMIT, "checkpoint: origin too long");
	uint8_t sig[4 + crypto_sign_BYTES];
	uint32_t id = note_key_id(cp->origin, pk);
	sig[0] = (uint8_t)(id >> 24);
	sig[1] = (uint8_t)(id >> 16);
	sig[2] = (uint8_t)(id >> 8);
	sig[3] = (uint8_t)id;
	crypto_sign_detached(sig + 4, NULL, (const uint8_t *)out, (unsigned long long)body, sk);
	char b64[sodium_base64_ENCODED_LEN(sizeof sig, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
	int all = snprintf(out + body, (size_t)(NOTE_MAX - body), "\n" EM_DASH " %s %s\n",
			   cp->origin, b64);
	if (all < 0 || all >= NOTE_MAX - body)
		return lerr_set(e, LERR_LIMIT, "checkpoint: too long");
	return 0;
}

/* The next line of text[*pos..len) (without its newline) into line; false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n,
		      bool *newline)
{
	if (*pos >= len)
		return false;
	const char *start = text + *pos, *nl = memchr(start, '\n', len - *pos);
	*line = start;
	*n = nl ? (size_t)(nl - start) : len - *pos;
	*newline = nl != NULL;
	*pos += *n + (nl ? 1 : 0);
	return true;
}

static int bad(struct lerr *e, int line, const char *what)
{
	return lerr_set(e, LERR_INVAL, "checkpoint line %d: %s", line, what);
}

/* Line 1, 2 or 3 of a checkpoint's note (n bytes at line): its origin, tree
 * size or root hash, into cp. */
static int body_line(struct checkpoint *cp, int lineno, const char *line, size_t n, struct lerr *e)
{
	if (lineno == 1) {
		if (n >= sizeof cp->origin)
			return bad(e, 1, "origin too long");
		memcpy(cp->origin, line, n);
		if (origin_check(cp->origin, e) < 0)
			return lerr_prefix(e, "checkpoint line 1");
	} else if (lineno == 2) {
		uint64_t v = 0;
		if (n == 0 || n > 20 || (line[0] == '0' && n > 1))
			return bad(e, 2, "tree size must be a decimal number, no leading zero");
		for (size_t i = 0; i < n; i++) {
			if (line[i] < '0' || line[i] > '9' || v > (UINT64_MAX - 9) / 10)
				return bad(e, 2, "tree size must be a decimal number");
			v = v * 10 + (uint64_t)(line[i] - '0');
		}
		cp->size = v;
	} else {
		size_t got = 0;
		if (sodium_base642bin(cp->root, sizeof cp->root, line, n, NULL, &got, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    got != MERKLE_HASH)
			return bad(e, 3, "root hash must be 32 bytes in base64");
	}
	return 0;
}

int checkpoint_verify(const char *text, size_t len, const char *name, const uint8_t pk[32],
		      struct checkpoint *cp, struct lerr *e)
{
	memset(cp, 0, sizeof *cp);
	if (len >= NOTE_MAX)
		return lerr_set(e, LERR_LIMIT, "checkpoint: longer than %d bytes", NOTE_MAX - 1);
	/* UTF-8 (a signature line starts with U+2014), nothing a terminal or a
	 * line reader would act on (text_is_control) but the newlines */
	for (size_t i = 0, k; i < len; i += k) {
		k = utf8_seq_len((const unsigned char *)text + i, len - i);
		if (!k)
			return lerr_set(e, LERR_INVAL,
					"checkpoint: a byte that is not UTF-8 at %zu", i);
		if (text[i] != '\n' && text_is_control((const unsigned char *)text + i, k))
			return lerr_set(e, LERR_INVAL, "checkpoint: control character at byte %zu",
					i);
	}
	size_t pos = 0, n;
	const char *line;
	bool nl;
	/* the note text: origin, size, root, extension lines, up to the blank line */
	int lineno = 0;
	size_t body_len = 0;
	bool blank = false;
	while (next_line(text, len, &pos, &line, &n, &nl)) {
		lineno++;
		if (!nl)
			return bad(e, lineno, "no newline at the end");
		if (n == 0) {
			blank = true;
			break;
		}
		body_len = pos;
		int r = lineno <= 3 ? body_line(cp, lineno, line, n, e) : 0;
		if (r < 0)
			return r;
	}
	if (!blank || lineno < 4)
		return lerr_set(e, LERR_INVAL,
				"checkpoint: needs origin, size and root lines, a blank line and "
				"a signature");
	uint32_t want = note_key_id(name, pk);
	bool signed_by = false;
	size_t nsig = 0;
	while (next_line(text, len, &pos, &line, &n, &nl)) {
		lineno++;
		if (!nl)
			return bad(e, lineno, "no newline at the end");
		if (++nsig > 16)
			return bad(e, lineno, "more than 16 signatures");
		const size_t dl = sizeof EM_DASH - 1;
		if (n < dl + 2 || memcmp(line, EM_DASH " ", dl + 1) != 0)
			return bad(e, lineno,
				   "a signature line starts with an em dash and a space");
		const char *kn = line + dl + 1, *sp = memchr(kn, ' ', n - dl - 1);
		if (!sp || sp == kn)
			return bad(e, lineno, "a signature line is: em dash, key name, signature");
		size_t knl = (size_t)(sp - kn), sl = n - dl - 1 - knl - 1;
		uint8_t sig[4 + crypto_sign_BYTES + 1];
		size_t got = 0;
		if (sodium_base642bin(sig, sizeof sig, sp + 1, sl, NULL, &got, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    got < 5)
			return bad(e, lineno, "the signature is not base64 of a key ID and more");
		uint32_t id = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 |
			      (uint32_t)sig[2] << 8 | sig[3];
		if (knl != strlen(name) || memcmp(kn, name, knl) != 0 || id != want)
			continue; /* another key's: ignored, as the spec says */
		if (got != 4 + crypto_sign_BYTES ||
		    crypto_sign_verify_detached(sig + 4, (const uint8_t *)text,
						(unsigned long long)body_len, pk) != 0)
			return lerr_set(e, LERR_AUTH,
					"checkpoint: the signature of %s does not verify", name);
		signed_by = true;
	}
	if (!nsig)
		return lerr_set(e, LERR_INVAL, "checkpoint: no signature line");
	if (!signed_by)
		return lerr_set(e, LERR_AUTH, "checkpoint: not signed by %s's key", name);
	return 0;
}
