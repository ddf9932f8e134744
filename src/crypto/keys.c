/* keys.c - party keys, public lines and sealed secret key files (see keys.h). */
#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUB_PREFIX   "liaison-public-key/v1 "
#define SEC_PREFIX   "liaison-secret-key/v1 "
#define SALT_BYTES   crypto_pwhash_SALTBYTES
#define NONCE_BYTES  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES    crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SECRET_BYTES (KEY_SIGN_SK + KEY_BOX_SK)
#define B64	     sodium_base64_VARIANT_ORIGINAL

int key_crypto_init(struct lerr *e)
{
	if (sodium_init() < 0)
		return lerr_set(e, LERR_INVAL, "libsodium cannot start");
	return 0;
}

static int alloc_secret(struct key_secret *k, const char *party, struct lerr *e)
{
	memset(k, 0, sizeof *k);
	if (key_crypto_init(e) < 0)
		return LERR_INVAL;
	if (party_code_check(party, e) < 0)
		return LERR_INVAL;
	str_copy(k->pub.party, sizeof k->pub.party, party);
	k->sign_sk = sodium_malloc(KEY_SIGN_SK);
	k->box_sk = sodium_malloc(KEY_BOX_SK);
	if (!k->sign_sk || !k->box_sk) {
		key_secret_free(k);
		return lerr_set(e, LERR_NOMEM, "out of guarded memory");
	}
	return 0;
}

int key_generate(const char *party, struct key_secret *k, struct lerr *e)
{
	int r = alloc_secret(k, party, e);
	if (r < 0)
		return r;
	crypto_sign_keypair(k->pub.sign_pk, k->sign_sk);
	crypto_box_keypair(k->pub.box_pk, k->box_sk);
	return 0;
}

int key_from_seeds(const char *party, const uint8_t sign_seed[32], const uint8_t box_seed[32],
		   struct key_secret *k, struct lerr *e)
{
	int r = alloc_secret(k, party, e);
	if (r < 0)
		return r;
	crypto_sign_seed_keypair(k->pub.sign_pk, k->sign_sk, sign_seed);
	crypto_box_seed_keypair(k->pub.box_pk, k->box_sk, box_seed);
	return 0;
}

void key_secret_free(struct key_secret *k)
{
	if (!k)
		return;
	sodium_free(k->sign_sk); /* wipes before freeing */
	sodium_free(k->box_sk);
	k->sign_sk = k->box_sk = NULL;
	for (size_t i = 0; i < k->nretired; i++)
		key_secret_free(&k->retired[i]);
	free(k->retired);
	k->retired = NULL;
	k->nretired = 0;
}

int key_public_equal(const struct key_public *a, const struct key_public *b)
{
	return strcmp(a->party, b->party) == 0 &&
	       sodium_memcmp(a->sign_pk, b->sign_pk, KEY_SIGN_PK) == 0 &&
	       sodium_memcmp(a->box_pk, b->box_pk, KEY_BOX_PK) == 0;
}

/* Base64 of n bytes into out (size m); false if it did not fit. */
static bool b64(char *out, size_t m, const uint8_t *in, size_t n)
{
	if (m < sodium_base64_ENCODED_LEN(n, B64))
		return false;
	sodium_bin2base64(out, m, in, n, B64);
	return true;
}

/* Decodes exactly len chars of base64 into exactly n bytes. */
static bool unb64(const char *s, size_t len, uint8_t *out, size_t n)
{
	size_t got;
	const char *end;
	return sodium_base642bin(out, n, s, len, NULL, &got, &end, B64) == 0 && got == n &&
	       end == s + len;
}

/*
 * Reads "NAME=BASE64" at *s, ending at a space, newline or NUL, into exactly
 * n bytes; advances *s past it.
 */
static bool field(const char **s, const char *name, uint8_t *out, size_t n)
{
	size_t nl = strlen(name);
	if (strncmp(*s, name, nl) != 0 || (*s)[nl] != '=')
		return false;
	const char *v = *s + nl + 1;
	size_t len = strcspn(v, " \n");
	if (!unb64(v, len, out, n))
		return false;
	*s = v + len;
	return true;
}

/* Reads a party code ending at a space or newline; advances *s. */
static int party_at(const char **s, char out[PARTY_CODE_MAX], struct lerr *e)
{
	size_t len = strcspn(*s, " \n");
	char code[PARTY_CODE_MAX + 8];
	if (len >= sizeof code)
		len = sizeof code - 1;
	memcpy(code, *s, len);
	code[len] = '\0';
	if (party_code_check(code, e) < 0)
		return LERR_INVAL;
	memcpy(out, code, len + 1);
	*s += len;
	return 0;
}

int key_public_format(const struct key_public *p, char *buf, size_t n, struct lerr *e)
{
	char s[64], b[64];
	if (!b64(s, sizeof s, p->sign_pk, KEY_SIGN_PK) || !b64(b, sizeof b, p->box_pk, KEY_BOX_PK))
		return lerr_set(e, LERR_LIMIT, "public key does not fit");
	int w = snprintf(buf, n, PUB_PREFIX "%s ed25519=%s x25519=%s\n", p->party, s, b);
	if (w < 0 || (size_t)w >= n)
		return lerr_set(e, LERR_LIMIT, "public key line does not fit");
	return 0;
}

int key_public_parse(const char *line, struct key_public *p, struct lerr *e)
{
	const char *s = line;
	memset(p, 0, sizeof *p);
	if (strncmp(s, PUB_PREFIX, strlen(PUB_PREFIX)) != 0)
		return lerr_set(e, LERR_INVAL,
				"not a liaison public key (it must start with \"%s\")", PUB_PREFIX);
	s += strlen(PUB_PREFIX);
	if (party_at(&s, p->party, e) < 0)
		return lerr_prefix(e, "public key");
	if (*s++ != ' ' || !field(&s, "ed25519", p->sign_pk, KEY_SIGN_PK))
		return lerr_set(e, LERR_INVAL,
				"public key of %s: ed25519= is missing or not 32 bytes of base64",
				p->party);
	if (*s++ != ' ' || !field(&s, "x25519", p->box_pk, KEY_BOX_PK))
		return lerr_set(e, LERR_INVAL,
				"public key of %s: x25519= is missing or not 32 bytes of base64",
				p->party);
	if (*s == '\n')
		s++;
	if (*s != '\0')
		return lerr_set(e, LERR_INVAL, "public key of %s: text after the keys", p->party);
	return 0;
}

/* The first three lines of a secret key file: what the seal authenticates. */
static int header_text(const struct key_public *p, const struct key_kdf *kdf,
		       const uint8_t salt[SALT_BYTES], char *buf, size_t n)
{
	char s64[64], sp[64], bp[64];
	if (!b64(s64, sizeof s64, salt, SALT_BYTES) ||
	    !b64(sp, sizeof sp, p->sign_pk, KEY_SIGN_PK) ||
	    !b64(bp, sizeof bp, p->box_pk, KEY_BOX_PK))
		return -1;
	int w = snprintf(buf, n,
			 SEC_PREFIX "%s\nargon2id ops=%llu mem=%zu salt=%s\n"
				    "ed25519=%s x25519=%s\n",
			 p->party, kdf->ops, kdf->mem, s64, sp, bp);
	return w < 0 || (size_t)w >= n ? -1 : w;
}

/* The key that seals the secret half, from the passphrase; in guarded memory. */
static uint8_t *derive(const char *pass, size_t len, const uint8_t salt[SALT_BYTES],
		       const struct key_kdf *kdf, struct lerr *e)
{
	uint8_t *key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	if (!key) {
		lerr_set(e, LERR_NOMEM, "out of guarded memory");
		return NULL;
	}
	if (crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, pass, len, salt,
			  kdf->ops, kdf->mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_free(key);
		lerr_set(e, LERR_NOMEM, "Argon2id needs %zu bytes of memory it could not get",
			 kdf->mem);
		return NULL;
	}
	return key;
}

static int kdf_check(const struct key_kdf *kdf, struct lerr *e)
{
	if (kdf->ops < crypto_pwhash_OPSLIMIT_MIN || kdf->ops > KEY_KDF_OPS_MAX ||
	    kdf->mem < crypto_pwhash_MEMLIMIT_MIN || kdf->mem > KEY_KDF_MEM_MAX)
		return lerr_set(e, LERR_INVAL,
				"Argon2id parameters out of range (ops 1..%d, mem 8 KiB..1 GiB)",
				KEY_KDF_OPS_MAX);
	return 0;
}

int key_secret_seal(const struct key_secret *k, const char *pass, size_t len,
		    const struct key_kdf *kdf, char **out, size_t *n, struct lerr *e)
{
	*out = NULL;
	*n = 0;
	if (key_crypto_init(e) < 0 || kdf_check(kdf, e) < 0)
		return LERR_INVAL;
	uint8_t salt[SALT_BYTES], box[NONCE_BYTES + SECRET_BYTES + TAG_BYTES];
	char head[512], sealed[256];
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(box, NONCE_BYTES);
	int hl = header_text(&k->pub, kdf, salt, head, sizeof head);
	if (hl < 0)
		return lerr_set(e, LERR_LIMIT, "key file header does not fit");
	uint8_t *key = derive(pass, len, salt, kdf, e);
	uint8_t *plain = sodium_malloc(SECRET_BYTES);
	if (!key || !plain) {
		sodium_free(key);
		sodium_free(plain);
		return e && e->code ? e->code : LERR_NOMEM;
	}
	memcpy(plain, k->sign_sk, KEY_SIGN_SK);
	memcpy(plain + KEY_SIGN_SK, k->box_sk, KEY_BOX_SK);
	crypto_aead_xchacha20poly1305_ietf_encrypt(box + NONCE_BYTES, NULL, plain, SECRET_BYTES,
						   (const uint8_t *)head, (size_t)hl, NULL, box,
						   key);
	sodium_free(plain);
	sodium_free(key);
	if (!b64(sealed, sizeof sealed, box, sizeof box))
		return lerr_set(e, LERR_LIMIT, "key file does not fit");
	size_t total = (size_t)hl + strlen("sealed=") + strlen(sealed) + 2;
	char *text = malloc(total);
	if (!text)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	snprintf(text, total, "%ssealed=%s\n", head, sealed);
	*out = text;
	*n = strlen(text);
	return 0;
}

/* Parses "argon2id ops=N mem=N salt=B64\n" at *s. */
static bool kdf_line(const char **s, struct key_kdf *kdf, uint8_t salt[SALT_BYTES])
{
	char *end;
	if (strncmp(*s, "argon2id ops=", 13) != 0)
		return false;
	kdf->ops = strtoull(*s + 13, &end, 10);
	if (end == *s + 13 || strncmp(end, " mem=", 5) != 0)
		return false;
	const char *m = end + 5;
	kdf->mem = (size_t)strtoull(m, &end, 10);
	if (end == m || *end != ' ')
		return false;
	*s = end + 1;
	return field(s, "salt", salt, SALT_BYTES) && *(*s)++ == '\n';
}

/* Parses a secret key file's text: its public half, its Argon2id cost and salt, the
 * sealed secret (box), and *hl, the length of the lines bound to it. */
static int secret_text(const char *text, size_t n, struct key_public *pub, struct key_kdf *kdf,
		       uint8_t salt[SALT_BYTES],
		       uint8_t box[NONCE_BYTES + SECRET_BYTES + TAG_BYTES], size_t *hl,
		       struct lerr *e)
{
	const char *s = text;
	memset(pub, 0, sizeof *pub);
	if (strlen(text) != n || strncmp(s, SEC_PREFIX, strlen(SEC_PREFIX)) != 0)
		return lerr_set(e, LERR_INVAL, "not a liaison secret key file");
	s += strlen(SEC_PREFIX);
	if (party_at(&s, pub->party, e) < 0)
		return lerr_prefix(e, "secret key file");
	if (*s++ != '\n' || !kdf_line(&s, kdf, salt) || !field(&s, "ed25519", pub->sign_pk, 32) ||
	    *s++ != ' ' || !field(&s, "x25519", pub->box_pk, 32) || *s++ != '\n')
		return lerr_set(e, LERR_INVAL, "secret key file of %s: damaged header", pub->party);
	*hl = (size_t)(s - text);
	if (!field(&s, "sealed", box, NONCE_BYTES + SECRET_BYTES + TAG_BYTES) ||
	    strcmp(s, "\n") != 0)
		return lerr_set(e, LERR_INVAL, "secret key file of %s: damaged sealed part",
				pub->party);
	if (kdf_check(kdf, e) < 0)
		return lerr_prefix(e, "secret key file of %s", pub->party);
	return 0;
}

int key_secret_kdf(const char *text, struct key_kdf *kdf, struct lerr *e)
{
	struct key_public pub;
	uint8_t salt[SALT_BYTES], box[NONCE_BYTES + SECRET_BYTES + TAG_BYTES];
	size_t hl;
	return secret_text(text, strlen(text), &pub, kdf, salt, box, &hl, e);
}

int key_secret_public(const char *text, size_t n, struct key_public *pub, struct lerr *e)
{
	struct key_kdf kdf;
	uint8_t salt[SALT_BYTES], box[NONCE_BYTES + SECRET_BYTES + TAG_BYTES];
	size_t hl;
	return secret_text(text, n, pub, &kdf, salt, box, &hl, e);
}

int key_secret_open(const char *text, size_t n, const char *pass, size_t len, struct key_secret *k,
		    struct lerr *e)
{
	struct key_public pub;
	struct key_kdf kdf;
	uint8_t salt[SALT_BYTES], box[NONCE_BYTES + SECRET_BYTES + TAG_BYTES];
	size_t hl;
	memset(k, 0, sizeof *k);
	int r = secret_text(text, n, &pub, &kdf, salt, box, &hl, e);
	if (r < 0)
		return r;
	if ((r = alloc_secret(k, pub.party, e)) < 0)
		return r;
	k->pub = pub;
	uint8_t *key = derive(pass, len, salt, &kdf, e);
	uint8_t *plain = sodium_malloc(SECRET_BYTES);
	r = !key || !plain ? LERR_NOMEM : 0;
	if (r == 0 && crypto_aead_xchacha20poly1305_ietf_decrypt(
			  plain, NULL, NULL, box + NONCE_BYTES, SECRET_BYTES + TAG_BYTES,
			  (const uint8_t *)text, hl, box, key) != 0)
		r = lerr_set(e, LERR_AUTH,
			     "secret key file of %s: wrong passphrase, or the file was changed",
			     pub.party);
	if (r == 0) {
		memcpy(k->sign_sk, plain, KEY_SIGN_SK);
		memcpy(k->box_sk, plain + KEY_SIGN_SK, KEY_BOX_SK);
		/* the public keys in the clear must be the secret keys' own */
		uint8_t sp[KEY_SIGN_PK], bp[KEY_BOX_PK];
		crypto_sign_ed25519_sk_to_pk(sp, k->sign_sk);
		crypto_scalarmult_base(bp, k->box_sk);
		if (sodium_memcmp(sp, pub.sign_pk, sizeof sp) != 0 ||
		    sodium_memcmp(bp, pub.box_pk, sizeof bp) != 0)
			r = lerr_set(e, LERR_AUTH, "secret key file of %s: keys do not match",
				     pub.party);
	}
	sodium_free(plain);
	sodium_free(key);
	if (r < 0) {
		if (r == LERR_NOMEM && e && !e->code)
			lerr_set(e, r, "out of guarded memory");
		key_secret_free(k);
	}
	return r;
}

void key_fingerprint(const struct key_public *p, char out[KEY_FINGERPRINT_MAX])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, p->sign_pk, sizeof p->sign_pk);
	crypto_hash_sha256_update(&st, p->box_pk, sizeof p->box_pk);
	crypto_hash_sha256_final(&st, h);
	memcpy(out, "SHA256:", 7);
	sodium_bin2base64(out + 7, KEY_FINGERPRINT_MAX - 7, h, sizeof h,
			  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}
