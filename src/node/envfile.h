/*
 * envfile.h - sealing, opening and inspecting envelopes held in files or
 * streams: the use cases behind liaison seal, open and inspect.
 *
 * Output files appear whole or not at all: they are written under a
 * temporary name and renamed into place only when everything checked.
 */
#ifndef LIAISON_NODE_ENVFILE_H
#define LIAISON_NODE_ENVFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/label.h"
#include "../crypto/envelope.h"

#define ENVFILE_TO_MAX ENV_RECIPIENTS_MAX

/* Where bytes come from and go to: a path, or NULL for stdin / stdout. */
struct envfile_io {
	const char *in;
	const char *out;
	bool force; /* replace an existing output file */
	env_progress progress;
	void *arg;
	int version; /* sealing: the envelope format (0: the newest) */
};

/*
 * Seals io->in to io->out from the holder of `from` (a key that may still
 * be opening: keyfile_secret_start) to the parties whose public key files
 * are to[0..nto), with the label read from label_path (given a random item
 * id when it has none). *l gets the label sealed, *bytes the payload size.
 */
int envfile_seal(struct key_later *from, const char *const *to, size_t nto, const char *label_path,
		 uint32_t chunk, const struct envfile_io *io, struct label *l, uint64_t *bytes,
		 struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 4, 6, 7, 8)));

/* What opening or inspecting found. */
struct envfile_info {
	struct env_header h;
	struct label label;
	uint64_t bytes;	    /* payload bytes opened, or the plaintext size (inspect) */
	int64_t size;	    /* inspect: the plaintext size, -1 when unknown */
	enum env_check why; /* the check that failed, ENV_OK */
};

/*
 * Opens io->in with my keys, trusting `sender` as the sender, to io->out.
 * Nothing is left at io->out unless every check passes. *info is released
 * with envfile_info_free().
 */
int envfile_open(const struct key_secret *me, const char *sender_path, const struct envfile_io *io,
		 struct envfile_info *info, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/*
 * Reads an envelope's header without decrypting: sender, recipients,
 * label, sizes; with sender_path (not NULL), also checks the header's
 * signature and label against that sender.
 */
int envfile_inspect(const char *path, const char *sender_path, struct envfile_info *info,
		    struct lerr *e) __attribute__((warn_unused_result, nonnull(3)));

void envfile_info_free(struct envfile_info *info);

#endif
