/* test_spool.c - an upload's spool: what is read back is what was written,
 * the file never holds it in clear, and a changed or cut file is refused;
 * and a file written atomically has no name until it is committed. */
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/fio.h"
#include "crypto/spool.h"
#include "helpers.h"

TestSuite(spool, .fini = leak_check);

/* A spool of n bytes of `fill` on a fresh temporary file (fd returned). */
static struct spool *written(size_t n, uint8_t fill, size_t piece, int *fd)
{
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	*fd = dup(fileno(f));
	fclose(f);
	struct spool *s;
	struct lerr e = {0};
	cr_assert_eq(spool_start(*fd, &s, &e), 0, "%s", e.msg);
	uint8_t *buf = malloc(piece ? piece : 1);
	memset(buf, fill, piece ? piece : 1);
	for (size_t done = 0; done < n;) {
		size_t k = n - done < piece ? n - done : piece;
		cr_assert_eq(spool_write(s, buf, k), 0);
		done += k;
	}
	free(buf);
	cr_assert_eq(spool_size(s), n);
	return s;
}

/* Reads the whole spool in reads of `piece` bytes; returns the count, or -1 (errno). */
static ssize_t read_all(struct spool *s, size_t piece, uint8_t fill)
{
	uint8_t *buf = malloc(piece);
	ssize_t total = 0, got;
	while ((got = spool_read(s, buf, piece)) > 0) {
		for (ssize_t i = 0; i < got; i++)
			cr_assert_eq(buf[i], fill, "byte %zd", total + i);
		total += got;
		if ((size_t)got < piece)
			break;
	}
	free(buf);
	return got < 0 ? -1 : total;
}

Test(spool, reads_back_what_was_written)
{
	const size_t sizes[] = {0, 1, 65535, 65536, 65537, 3 * 65536, 200001};
	const size_t pieces[] = {1, 7, 4096, 65536, 100000};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		for (size_t j = 0; j < sizeof pieces / sizeof pieces[0]; j++) {
			if (sizes[i] > 70000 && pieces[j] < 4096)
				continue; /* slow, and nothing more to learn */
			int fd;
			struct spool *s = written(sizes[i], 0x5a, pieces[j], &fd);
			cr_assert_eq(spool_finish(s), 0);
			cr_assert_eq(read_all(s, pieces[(j + 2) % 5], 0x5a), (ssize_t)sizes[i],
				     "size %zu", sizes[i]);
			spool_free(s);
			close(fd);
		}
}

Test(spool, the_file_holds_no_plaintext)
{
	int fd;
	struct spool *s = written(100000, 'A', 999, &fd);
	cr_assert_eq(spool_finish(s), 0);
	uint8_t buf[4096];
	ssize_t got;
	size_t run = 0, longest = 0;
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	while ((got = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < got; i++) {
			run = buf[i] == 'A' ? run + 1 : 0;
			longest = run > longest ? run : longest;
		}
	cr_assert_lt(longest, 8, "a run of %zu plaintext bytes in the file", longest);
	spool_free(s);
	close(fd);
}

/* The spool's file changed at `at` (a byte flipped), cut to `cut` bytes
 * (when not 0), or with bytes added (`add`): reading fails with EBADMSG. */
static void refused(size_t n, off_t at, off_t cut, bool add)
{
	int fd;
	struct spool *s = written(n, 0x11, 65536, &fd);
	cr_assert_eq(spool_finish(s), 0);
	if (at >= 0) {
		uint8_t b;
		cr_assert_eq(pread(fd, &b, 1, at), 1);
		b ^= 1;
		cr_assert_eq(pwrite(fd, &b, 1, at), 1);
	}
	if (cut)
		cr_assert_eq(ftruncate(fd, cut), 0);
	if (add) {
		off_t end = lseek(fd, 0, SEEK_END);
		cr_assert_eq(pwrite(fd, "x", 1, end), 1);
	}
	errno = 0;
	cr_assert_eq(read_all(s, 8192, 0x11), -1, "read back at=%lld cut=%lld add=%d",
		     (long long)at, (long long)cut, add);
	cr_assert_eq(errno, EBADMSG);
	spool_free(s);
	close(fd);
}

Test(spool, a_changed_or_cut_file_is_refused)
{
	const off_t chunk = 65536 + crypto_secretstream_xchacha20poly1305_ABYTES;
	const off_t header = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
	refused(150000, header + 10, 0, false);		   /* a byte of the first chunk */
	refused(150000, header + 2 * chunk + 5, 0, false); /* of the final one */
	refused(150000, -1, header + 2 * chunk, false);	   /* the final chunk gone */
	refused(150000, -1, header + chunk + 100, false);  /* cut inside a chunk */
	refused(150000, -1, 0, true);			   /* a byte after the end */
	refused(0, -1, header, false);			   /* even an empty one has its end */
}

/* The number of entries in folder dir (., .. aside). */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* A file written atomically has no name until it is committed: a process
 * killed while it writes (an item opened with -o, say) leaves nothing. */
Test(spool, an_atomic_file_is_nameless_until_committed)
{
	char dir[] = "/tmp/liaison-fio-XXXXXX", path[64];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out.bin", dir);
	struct fio_out o;
	struct lerr e = {0};
	cr_assert_eq(fio_begin(&o, path, 0600, false, &e), 0, "%s", e.msg);
	cr_assert_eq(fio_write_full(o.fd, "plaintext", 9), 0);
	/* where the file system has no O_TMPFILE (overlayfs before Linux 6.6), a
	 * named temporary file is the fallback */
	cr_assert_eq(entries(dir), o.nameless ? 0 : 1, "a name while writing");
	cr_assert_eq(fio_commit(&o, &e), 0, "%s", e.msg);
	cr_assert_eq(entries(dir), 1);
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_size, 9);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	/* replaced in place, and an aborted one leaves nothing */
	cr_assert_eq(fio_begin(&o, path, 0600, true, &e), 0, "%s", e.msg);
	cr_assert_eq(fio_write_full(o.fd, "x", 1), 0);
	cr_assert_eq(fio_commit(&o, &e), 0, "%s", e.msg);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_size, 1);
	cr_assert_eq(fio_begin(&o, path, 0600, true, &e), 0, "%s", e.msg);
	fio_abort(&o);
	cr_assert_eq(entries(dir), 1);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(rmdir(dir), 0);
}
