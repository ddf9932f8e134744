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

/* Reads and unseals a secret key file; errors name the file. */
int keyfile_secret(const char *path, const char *pass, size_t len, struct key_secret *k,
		   struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 4)));

#endif
