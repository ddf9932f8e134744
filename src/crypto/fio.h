/*
 * fio.h - file I/O that does not lose data: whole reads and writes that
 * retry short transfers and EINTR, and files that appear atomically (a
 * temporary file in the same folder, synced, then renamed into place).
 */
#ifndef LIAISON_CRYPTO_FIO_H
#define LIAISON_CRYPTO_FIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/err.h"

/*
 * Reads up to n bytes, stopping early only at end of file. Returns the
 * count read (n unless at EOF) or -1 with errno set.
 */
ssize_t fio_read_full(int fd, void *buf, size_t n);

/* Writes all n bytes. Returns 0 or -1 with errno set. */
int fio_write_full(int fd, const void *buf, size_t n);

/* A file being written under a temporary name until fio_commit(). */
struct fio_out {
	int fd;
	char path[4096];
	char tmp[4096 + 32]; /* its temporary name; "" while it has none (O_TMPFILE) */
	bool nameless;	     /* made with O_TMPFILE: named only at fio_commit */
	bool std;	     /* path "-": standard output, written as it comes */
};

/* Whether path is "-": standard input or output, as the commands take it. */
bool fio_is_std(const char *path) __attribute__((nonnull));

/*
 * Opens path to read (standard input, a duplicate of it, for "-"); the fd,
 * or a LERR code with the message naming path.
 */
int fio_open_in(const char *path, struct lerr *e) __attribute__((nonnull(1)));

/*
 * Creates a temporary file (mode `mode`) beside `path`: without a name
 * (O_TMPFILE) where the file system allows it, so that a process killed
 * while writing (even SIGKILL) leaves nothing behind; else named
 * path.tmp-XXXXXX. Unless overwrite, refuses (LERR_EXISTS) when path exists.
 * Path "-" is standard output: no file, nothing to rename, and what was
 * written before a failure stays written. Returns 0 or a LERR code.
 */
int fio_begin(struct fio_out *o, const char *path, int mode, bool overwrite, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* Syncs the file and renames it to its path (and syncs the folder). */
int fio_commit(struct fio_out *o, struct lerr *e) __attribute__((warn_unused_result, nonnull(1)));

/* Removes the temporary file: nothing is left behind. */
void fio_abort(struct fio_out *o) __attribute__((nonnull));

/*
 * Writes a whole small file atomically (fio_begin + write + fio_commit).
 */
int fio_write_file(const char *path, const void *buf, size_t n, int mode, bool overwrite,
		   struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2)));

/*
 * Reads a whole small file (at most max bytes) into *out (free() it; a NUL
 * follows the data). Refuses symbolic links; "-" reads standard input.
 * Returns 0 or a LERR code.
 */
int fio_read_file(const char *path, size_t max, char **out, size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3, 4)));

/*
 * Copies everything read from `in` to `out` (neither synced nor closed);
 * *bytes grows by what was copied. Errors name from or to, whichever failed.
 */
int fio_copy(int in, int out, const char *from, const char *to, uint64_t *bytes, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(3, 4, 5)));

/*
 * A file without a name in folder dir, to write and read back (O_TMPFILE,
 * else a name removed at once): gone when closed, or when the process
 * dies. The fd, or a LERR code.
 */
int fio_scratch(const char *dir, struct lerr *e) __attribute__((nonnull(1)));

/*
 * Removes name, in the folder open as dirfd, and when it is a folder what
 * it holds, its folders to depth levels below it (0: name only if it is a
 * file or an empty folder), quietly, following no link: a link is removed
 * itself, never what it points to. fio_remove_tree does it for a path.
 */
void fio_remove_tree_at(int dirfd, const char *name, unsigned depth) __attribute__((nonnull));
void fio_remove_tree(const char *path, unsigned depth) __attribute__((nonnull));

#endif
