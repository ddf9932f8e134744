/* fio.c - whole reads and writes, atomic files (see fio.h). */
#define _GNU_SOURCE /* O_TMPFILE */
#include "fio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/scheme.h"

ssize_t fio_read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int fio_write_full(int fd, const void *buf, size_t n)
{
	size_t put = 0;
	while (put < n) {
		ssize_t r = write(fd, (const char *)buf + put, n - put);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		put += (size_t)r;
	}
	return 0;
}

bool fio_is_std(const char *path)
{
	return strcmp(path, "-") == 0;
}

int fio_open_in(const char *path, struct lerr *e)
{
	int fd = fio_is_std(path) ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
				  : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lerr_set(e, errno == ENOENT ? LERR_NOTFOUND : LERR_IO, "%s: cannot open: %s",
				fio_is_std(path) ? "standard input" : path, strerror(errno));
	return fd;
}

int fio_begin(struct fio_out *o, const char *path, int mode, bool overwrite, struct lerr *e)
{
	struct stat sb;
	o->fd = -1;
	o->tmp[0] = '\0';
	o->nameless = false;
	o->std = fio_is_std(path);
	if (!str_copy(o->path, sizeof o->path, o->std ? "standard output" : path))
		return lerr_set(e, LERR_LIMIT, "%.64s...: path too long", path);
	if (o->std) {
		if ((o->fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0)
			return lerr_set(e, LERR_IO, "standard output: %s", strerror(errno));
		return 0;
	}
	if (!overwrite && lstat(path, &sb) == 0)
		return lerr_set(e, LERR_EXISTS, "%s already exists (--force replaces it)", path);
	int w = snprintf(o->tmp, sizeof o->tmp, "%s.tmp-XXXXXX", path);
	if (w < 0 || (size_t)w >= sizeof o->tmp)
		return lerr_set(e, LERR_LIMIT, "%.64s...: path too long", path);
	/* nameless until committed, when the kernel can link it from /proc */
	char dir[4096];
	o->nameless = false;
	if (str_copy(dir, sizeof dir, path) && access("/proc/self/fd", X_OK) == 0 &&
	    (o->fd = open(dirname(dir), O_TMPFILE | O_RDWR | O_CLOEXEC, (mode_t)mode)) >= 0) {
		o->nameless = true;
		o->tmp[0] = '\0';
		if (fchmod(o->fd, (mode_t)mode) == 0)
			return 0;
		int err = errno;
		fio_abort(o);
		return lerr_set(e, LERR_IO, "%s: cannot set mode: %s", path, strerror(err));
	}
	snprintf(o->tmp, sizeof o->tmp, "%s.tmp-XXXXXX", path);
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0) {
		int err = errno;
		o->tmp[0] = '\0';
		return lerr_set(e, LERR_IO, "%s: cannot create: %s", path, strerror(err));
	}
	if (fchmod(o->fd, (mode_t)mode) != 0) {
		int err = errno;
		fio_abort(o);
		return lerr_set(e, LERR_IO, "%s: cannot set mode: %s", path, strerror(err));
	}
	return 0;
}

/* fsync the folder holding path, so that the rename itself is durable. */
static void sync_dir(const char *path)
{
	char copy[4096];
	if (!str_copy(copy, sizeof copy, path))
		return;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int fio_commit(struct fio_out *o, struct lerr *e)
{
	if (o->std) { /* a pipe or a terminal: nothing to sync or name */
		int r = close(o->fd);
		o->fd = -1;
		return r == 0 ? 0 : lerr_set(e, LERR_IO, "standard output: %s", strerror(errno));
	}
	if (fsync(o->fd) != 0) {
		int err = errno;
		fio_abort(o);
		return lerr_set(e, LERR_IO, "%s: cannot write: %s", o->path, strerror(err));
	}
	if (o->nameless) { /* a name now, for the rename below (a fresh one each try) */
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
		static _Atomic unsigned named;
		int err = EEXIST;
		for (unsigned i = 0; i < 16 && err == EEXIST; i++) {
			snprintf(o->tmp, sizeof o->tmp, "%s.tmp-%ld-%u", o->path, (long)getpid(),
				 named++);
			err = linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW) == 0
				  ? 0
				  : errno;
		}
		if (err) {
			o->tmp[0] = '\0';
			fio_abort(o);
			return lerr_set(e, LERR_IO, "%s: cannot name it: %s", o->path,
					strerror(err));
		}
	}
	if (close(o->fd) != 0) {
		int err = errno;
		o->fd = -1;
		fio_abort(o);
		return lerr_set(e, LERR_IO, "%s: cannot write: %s", o->path, strerror(err));
	}
	o->fd = -1;
	if (rename(o->tmp, o->path) != 0) {
		int err = errno;
		fio_abort(o);
		return lerr_set(e, LERR_IO, "%s: cannot rename into place: %s", o->path,
				strerror(err));
	}
	o->tmp[0] = '\0';
	sync_dir(o->path);
	return 0;
}

void fio_abort(struct fio_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp[0])
		(void)unlink(o->tmp);
	o->tmp[0] = '\0';
}

int fio_write_file(const char *path, const void *buf, size_t n, int mode, bool overwrite,
		   struct lerr *e)
{
	struct fio_out o;
	int r = fio_begin(&o, path, mode, overwrite, e);
	if (r < 0)
		return r;
	if (fio_write_full(o.fd, buf, n) != 0) {
		int err = errno;
		fio_abort(&o);
		return lerr_set(e, LERR_IO, "%s: cannot write: %s", path, strerror(err));
	}
	return fio_commit(&o, e);
}

int fio_read_file(const char *path, size_t max, char **out, size_t *n, struct lerr *e)
{
	*out = NULL;
	*n = 0;
	int fd = fio_is_std(path) ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
				  : open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fio_is_std(path))
		path = "standard input";
	if (fd < 0)
		return lerr_set(e, errno == ENOENT ? LERR_NOTFOUND : LERR_IO, "%s: cannot open: %s",
				path, strerror(errno));
	char *buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return lerr_set(e, LERR_NOMEM, "out of memory");
	}
	ssize_t got = fio_read_full(fd, buf, max + 1);
	int err = errno;
	close(fd);
	if (got < 0) {
		free(buf);
		return lerr_set(e, LERR_IO, "%s: cannot read: %s", path, strerror(err));
	}
	if ((size_t)got > max) {
		free(buf);
		return lerr_set(e, LERR_LIMIT, "%s: larger than %zu bytes", path, max);
	}
	buf[got] = '\0';
	*out = buf;
	*n = (size_t)got;
	return 0;
}

int fio_copy(int in, int out, const char *from, const char *to, uint64_t *bytes, struct lerr *e)
{
	uint8_t buf[1 << 16];
	ssize_t got;
	while ((got = fio_read_full(in, buf, sizeof buf)) > 0) {
		if (fio_write_full(out, buf, (size_t)got) != 0)
			return lerr_set(e, LERR_IO, "%s: %s", to, strerror(errno));
		*bytes += (uint64_t)got;
	}
	return got < 0 ? lerr_set(e, LERR_IO, "%s: %s", from, strerror(errno)) : 0;
}

void fio_remove_tree_at(int dirfd, const char *name, unsigned depth)
{
	int fd = depth ? openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (fd < 0) { /* a file, a link, or a folder as deep as it goes: its name only */
		if (unlinkat(dirfd, name, 0) != 0)
			(void)unlinkat(dirfd, name, AT_REMOVEDIR);
		return;
	}
	DIR *d = fdopendir(fd);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			fio_remove_tree_at(fd, de->d_name, depth - 1);
	if (d)
		closedir(d); /* closes fd */
	else
		close(fd);
	(void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

int fio_scratch(const char *dir, struct lerr *e)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	char path[4096];
	if (snprintf(path, sizeof path, "%s/scratch-XXXXXX", dir) >= (int)sizeof path)
		return lerr_set(e, LERR_LIMIT, "%.64s...: path too long", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return lerr_set(e, LERR_IO, "%s: cannot make a scratch file: %s", dir,
				strerror(errno));
	(void)unlink(path);
	return fd;
}

void fio_remove_tree(const char *path, unsigned depth)
{
	char parent[4096];
	const char *slash = strrchr(path, '/');
	if (!str_copy(parent, sizeof parent, slash ? path : "."))
		return;
	if (slash)
		parent[slash == path ? 1 : slash - path] = '\0';
	int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fio_remove_tree_at(fd, slash ? slash + 1 : path, depth);
		close(fd);
	}
}
