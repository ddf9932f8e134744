/*
 * keys.h - a party's keys: an Ed25519 key that signs and an X25519 key that
 * receives file keys (libsodium).
 *
 * Public keys travel as one line of text (KEY_PUB_LINE_MAX bytes at most):
 *
 *     liaison-public-key/v1 JPN ed25519=BASE64 x25519=BASE64
 *
 * Secret keys live in memory from sodium_malloc() (guarded, wiped when
 * freed) and at rest in a file whose secret half is sealed with
 * XChaCha20-Poly1305 under a key from Argon2id over a passphrase; see
 * docs/envelope.md for the file's exact form.
 */
#ifndef LIAISON_CRYPTO_KEYS_H
#define LIAISON_CRYPTO_KEYS_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"
#include "../core/scheme.h"

#define KEY_SIGN_PK	    crypto_sign_PUBLICKEYBYTES /* 32 */
#define KEY_SIGN_SK	    crypto_sign_SECRETKEYBYTES /* 64 */
#define KEY_BOX_PK	    crypto_box_PUBLICKEYBYTES  /* 32 */
#define KEY_BOX_SK	    crypto_box_SECRETKEYBYTES  /* 32 */
#define KEY_PUB_LINE_MAX    160
#define KEY_FINGERPRINT_MAX 56 /* "SHA256:" and 43 base64 characters */
#define KEY_FILE_MAX	    1024
#define KEY_PASS_MAX	    1024
#define KEY_KDF_MEM_DEFAULT (8u << 20) /* 8 MiB: seal/open stay under 16 MiB */
#define KEY_KDF_OPS_DEFAULT 16
#define KEY_KDF_MEM_MAX	    (1u << 30)
#define KEY_KDF_OPS_MAX	    64

/* A party's public keys. */
struct key_public {
	char party[PARTY_CODE_MAX];
	uint8_t sign_pk[KEY_SIGN_PK];
	uint8_t box_pk[KEY_BOX_PK];
};

/* A party's secret keys: public half inline, secret half in guarded memory.
 * A node's keys also carry the pairs it retired (in the order they retired), kept to open
 * envelopes sealed to them; they sign nothing new. */
struct key_secret {
	struct key_public pub;
	uint8_t *sign_sk;	    /* KEY_SIGN_SK bytes, sodium_malloc */
	uint8_t *box_sk;	    /* KEY_BOX_SK bytes, sodium_malloc */
	struct key_secret *retired; /* nretired of them (malloc), each freed with these */
	size_t nretired;
};

/*
 * A secret key still being unsealed (Argon2id takes tens of milliseconds),
 * so that work that needs only its public half can start meanwhile
 * (keyfile_secret_start, node/keyfile.h; envelope_seal, envelope.h).
 * get gives 0 and *k once the key is open, 1 while it is not and wait is
 * false, or the LERR code it failed with (e says why, each time asked).
 */
struct key_later {
	struct key_public pub; /* as the key file states it: checked when it opens */
	int (*get)(struct key_later *l, bool wait, const struct key_secret **k, struct lerr *e);
};

/* Argon2id parameters of a key file. */
struct key_kdf {
	unsigned long long ops;
	size_t mem;
};

/* Initialises libsodium; every function below calls it. Returns 0 or LERR_INVAL. */
int key_crypto_init(struct lerr *e);

/* New random keys for party. *k is released with key_secret_free(). */
int key_generate(const char *party, struct key_secret *k, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* The same, from two 32-byte seeds (for test vectors only). */
int key_from_seeds(const char *party, const uint8_t sign_seed[32], const uint8_t box_seed[32],
		   struct key_secret *k, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/* Wipes and frees the secret halves, the retired pairs' too; k may be half made. */
void key_secret_free(struct key_secret *k);

/* "SHA256:" and the unpadded base64 of SHA-256 over both public keys: what
 * two operators read to each other to compare a party's keys. */
void key_fingerprint(const struct key_public *p, char out[KEY_FINGERPRINT_MAX])
    __attribute__((nonnull));

/* Writes the public line (with its newline and NUL) into buf. */
int key_public_format(const struct key_public *p, char *buf, size_t n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/*
 * Parses a public line (a trailing newline is allowed). Errors say what is
 * wrong: the prefix, the party code, a key's base64 or length.
 */
int key_public_parse(const char *line, struct key_public *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/*
 * The secret key file's text for k, sealed with passphrase pass (of len
 * bytes) under kdf. *out (free() it) holds *n bytes.
 */
int key_secret_seal(const struct key_secret *k, const char *pass, size_t len,
		    const struct key_kdf *kdf, char **out, size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 4, 5, 6)));

/* The Argon2id cost a secret key file's text was sealed with. */
int key_secret_kdf(const char *text, struct key_kdf *kdf, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* The public half a secret key file's text states (unchecked until it opens). */
int key_secret_public(const char *text, size_t n, struct key_public *pub, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3)));

/*
 * Opens a secret key file's text with its passphrase. A wrong passphrase
 * and a changed file both give LERR_AUTH, saying so.
 */
int key_secret_open(const char *text, size_t n, const char *pass, size_t len, struct key_secret *k,
		    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 3, 5)));

/* Equal public keys (constant time). */
int key_public_equal(const struct key_public *a, const struct key_public *b)
    __attribute__((nonnull));

#endif
