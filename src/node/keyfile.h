/*
 * keyfile.h - party keys in files: PARTY.key (secret, sealed with a
 * passphrase, mode 0600) and PARTY.pub (one line to share).
 */
#ifndef LIAISON_NODE_KEYFILE_H
#define LIAISON_NODE_KEYFILE_H

#include <stdbool.h>

#include "../crypto/keys.h"

/*
 * Makes new keys for party and writes DIR/PARTY.key and DIR/PARTY.pub,
 * atomically, refusing to replace either unless force. pub_path (if not
 * NULL, of size n) receives the public file's path.
 */
int keyfile_generate(const char *dir, const char *party, const char *pass, size_t len,
		     const struct key_kdf *kdf, bool force, char *pub_path, size_t n,
		     struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 5)));

/* Reads a public key file; errors name the file. */
int keyfile_public(const char *path, struct key_public *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* Seals the secret key file at path, which opens with `old`, anew under
 * `pass` at kdf's cost (NULL: the file's own), replacing it atomically,
 * owned as it was; errors name the file. */
int keyfile_reseal(const char *path, const char *old, size_t oldlen, const char *pass, size_t len,
		   const struct key_kdf *kdf, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 4)));

/*
 * Reads a secret key file and unseals it in a thread of its own: the key's
 * public half at once (from the file, checked when it opens), its secret
 * half from get (crypto/keys.h) when Argon2id is done; errors name the
 * file. NULL when the file cannot be read or parsed (e says why).
 */
struct key_later *keyfile_secret_start(const char *path, const char *pass, size_t len,
				       struct lerr *e) __attribute__((nonnull(1, 2)));

/* Waits for the thread, then wipes and frees the key (l may be NULL). */
void keyfile_secret_end(struct key_later *l);

/* Reads and unseals a secret key file; errors name the file. */
int keyfile_secret(const char *path, const char *pass, size_t len, struct key_secret *k,
		   struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 4)));

#endif
