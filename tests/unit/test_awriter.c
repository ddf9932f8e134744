/*
 * test_awriter.c - the writer that sealing and opening hand their output
 * to: everything submitted reaches the file in order, threaded or not; a
 * regular file gets it in writes of at most 64 KiB (the page cache's
 * folios, src/crypto/awriter.c), a pipe in one write a buffer; a failed
 * write is reported by aw_finish. The disk's writeback of an output is
 * started as it goes only when the output will be synced: a seal or an
 * open to a file that -o names, not to standard output.
 *
 * write(2) and sync_file_range(2) are wrapped here, for this program: the
 * wrappers count the calls on the descriptor watched (and the largest
 * write), then call the next definition (libc's, or a sanitizer's).
 */
#define _GNU_SOURCE
#include "crypto/awriter.h"
#include "envhelpers.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/envfile.h"
#include "node/keyfile.h"

#define ANY_FD (-2) /* watched: every descriptor */
static atomic_int watched = -1;
static atomic_size_t largest, writes, writebacks;

static bool counted(int fd)
{
	int w = atomic_load(&watched);
	return fd >= 0 && (fd == w || w == ANY_FD);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*next)(int, const void *, size_t);
	if (!next)
		*(void **)&next = dlsym(RTLD_NEXT, "write");
	if (counted(fd)) {
		atomic_fetch_add(&writes, 1);
		for (size_t l = atomic_load(&largest);
		     n > l && !atomic_compare_exchange_weak(&largest, &l, n);)
			;
	}
	return next(fd, buf, n);
}

int sync_file_range(int fd, off_t offset, off_t n, unsigned int flags)
{
	static int (*next)(int, off_t, off_t, unsigned int);
	if (!next)
		*(void **)&next = dlsym(RTLD_NEXT, "sync_file_range");
	if (counted(fd))
		atomic_fetch_add(&writebacks, 1);
	return next(fd, offset, n, flags);
}

static void watch(int fd)
{
	atomic_store(&watched, fd);
	atomic_store(&largest, 0);
	atomic_store(&writes, 0);
	atomic_store(&writebacks, 0);
}

/* Byte i of buffer b: a pattern a misplaced or repeated piece breaks. */
static uint8_t at(size_t b, size_t i)
{
	return (uint8_t)((i * 31 + i / 4093 + b * 7) % 253);
}

/* Buffers of these sizes, submitted in turn through AW_BUFFERS buffers:
 * more than one piece, pieces and a part, a single byte, one piece. */
static const size_t SIZES[] = {1048576 + 5, 3 * 65536 + 1, 1, 65536, 200000, 7};
#define NSIZES (sizeof SIZES / sizeof SIZES[0])

static size_t total(void)
{
	size_t t = 0;
	for (size_t b = 0; b < NSIZES; b++)
		t += SIZES[b];
	return t;
}

static void submit_all(int fd, bool threaded)
{
	struct awriter *w = aw_start(fd, SIZES[0], threaded, false); /* the largest */
	cr_assert_not_null(w);
	for (size_t b = 0; b < NSIZES; b++) {
		uint8_t *p = aw_take(w);
		cr_assert_not_null(p);
		for (size_t i = 0; i < SIZES[b]; i++)
			p[i] = at(b, i);
		aw_submit(w, p, SIZES[b]);
	}
	cr_assert_eq(aw_finish(w), 0, "%s", strerror(errno));
}

/* got (n bytes) is the buffers, in order. */
static void expect_all(const uint8_t *got, size_t n)
{
	cr_assert_eq(n, total());
	size_t off = 0;
	for (size_t b = 0; b < NSIZES; b++)
		for (size_t i = 0; i < SIZES[b]; i++, off++)
			if (got[off] != at(b, i))
				cr_assert_fail("byte %zu (buffer %zu, byte %zu): %u, not %u", off,
					       b, i, got[off], at(b, i));
}

static void file_case(bool threaded)
{
	int fd = tmp_with("", 0);
	watch(fd);
	submit_all(fd, threaded);
	atomic_store(&watched, -1);
	cr_assert_leq(atomic_load(&largest), (size_t)65536,
		      "a write of %zu bytes to a regular file", atomic_load(&largest));
	cr_assert_geq(atomic_load(&writes), total() / 65536, "%zu writes", atomic_load(&writes));
	size_t n = total();
	uint8_t *got = malloc(n + 1);
	cr_assert_not_null(got);
	cr_assert_eq(pread(fd, got, n + 1, 0), (ssize_t)n);
	expect_all(got, n);
	free(got);
	close(fd);
}

Test(awriter, a_regular_file_gets_every_buffer_in_order_in_pieces_threaded, .fini = leak_check)
{
	file_case(true);
}

Test(awriter, a_regular_file_gets_every_buffer_in_order_in_pieces_unthreaded, .fini = leak_check)
{
	file_case(false);
}

struct drain {
	int fd;
	uint8_t *buf;
	size_t n;
};

static void *drain(void *arg)
{
	struct drain *d = arg;
	ssize_t r;
	while ((r = read(d->fd, d->buf + d->n, total() + 1 - d->n)) > 0)
		d->n += (size_t)r;
	return NULL;
}

Test(awriter, a_pipe_gets_each_buffer_in_one_write, .fini = leak_check)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	struct drain d = {.fd = p[0], .buf = malloc(total() + 1)};
	cr_assert_not_null(d.buf);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, drain, &d), 0);
	watch(p[1]);
	submit_all(p[1], true);
	atomic_store(&watched, -1);
	close(p[1]);
	pthread_join(t, NULL);
	close(p[0]);
	cr_assert_eq(atomic_load(&largest), SIZES[0], "the largest write: %zu bytes",
		     atomic_load(&largest));
	cr_assert_eq(atomic_load(&writes), NSIZES);
	expect_all(d.buf, d.n);
	free(d.buf);
}

Test(awriter, a_failed_write_is_reported_and_later_buffers_are_refused, .fini = leak_check)
{
	int ends[2];
	cr_assert_eq(pipe(ends), 0);
	close(ends[0]); /* a write now fails with EPIPE */
	signal(SIGPIPE, SIG_IGN);
	int fd = ends[1];
	struct awriter *w = aw_start(fd, 4096, false, false);
	cr_assert_not_null(w);
	uint8_t *p = aw_take(w);
	cr_assert_not_null(p);
	memset(p, 1, 4096);
	aw_submit(w, p, 4096);
	cr_assert_null(aw_take(w), "a buffer after a failed write");
	errno = 0;
	cr_assert_eq(aw_finish(w), -1);
	cr_assert_eq(errno, EPIPE, "%s", strerror(errno));
	close(fd);
}

/* 9 MiB and 3 bytes: more than one start of writeback's worth (8 MiB) */
#define WB (9u * 1048576u + 3u)

static size_t writebacks_of_writer(bool writeback, bool threaded)
{
	int fd = tmp_with("", 0);
	watch(fd);
	struct awriter *w = aw_start(fd, 1 << 20, threaded, writeback);
	cr_assert_not_null(w);
	for (size_t put = 0; put < WB; put += 1 << 20) {
		uint8_t *p = aw_take(w);
		cr_assert_not_null(p);
		size_t n = WB - put < (1u << 20) ? WB - put : 1u << 20;
		memset(p, 5, n);
		aw_submit(w, p, n);
	}
	cr_assert_eq(aw_finish(w), 0);
	atomic_store(&watched, -1);
	cr_assert_eq(lseek(fd, 0, SEEK_END), (off_t)WB);
	close(fd);
	return atomic_load(&writebacks);
}

Test(awriter, writeback_is_started_as_it_goes_only_when_asked, .fini = leak_check)
{
	cr_assert_geq(writebacks_of_writer(true, true), 1);
	cr_assert_geq(writebacks_of_writer(true, false), 1);
	cr_assert_eq(writebacks_of_writer(false, true), 0);
	cr_assert_eq(writebacks_of_writer(false, false), 0);
}

static uint8_t *plain9(void)
{
	uint8_t *p = malloc(WB);
	cr_assert_not_null(p);
	for (size_t i = 0; i < WB; i++)
		p[i] = at(1, i);
	return p;
}

/* fd (from its start) holds the payload sealed, opened. */
static void opened_is_plain(int fd)
{
	size_t n;
	uint8_t *got = slurp(fd, &n), *want = plain9();
	cr_assert_eq(n, (size_t)WB);
	cr_assert(memcmp(got, want, WB) == 0, "the plaintext opened");
	free(got);
	free(want);
}

/* The writebacks started while sealing WB bytes to a regular file. */
static size_t writebacks_of_seal(const struct key_secret *jpn, const struct key_public *kor,
				 bool unsynced)
{
	uint8_t *p = plain9();
	int in = tmp_with(p, WB), out = tmp_with("", 0);
	free(p);
	const struct env_seal_args a = {.from = jpn,
					.to = kor,
					.nto = 1,
					.label = LABEL,
					.label_len = strlen(LABEL),
					.unsynced = unsynced};
	struct lerr e = {0};
	watch(out);
	cr_assert_eq(envelope_seal(in, out, &a, NULL, &e), 0, "%s", e.msg);
	atomic_store(&watched, -1);
	close(in);
	close(out);
	return atomic_load(&writebacks);
}

/* The writebacks started while opening env (len bytes) to a regular file;
 * the plaintext is checked. */
static size_t writebacks_of_open(const uint8_t *env, size_t len, const struct key_secret *kor,
				 const struct key_public *jpn, bool synced)
{
	int in = tmp_with(env, len), out = tmp_with("", 0);
	struct env_header h;
	enum env_check why;
	struct lerr e = {0};
	cr_assert_eq(envelope_read_header(in, &h, &why, &e), 0, "%s", e.msg);
	watch(out);
	uint64_t bytes = 0;
	cr_assert_eq(
	    envelope_open_payload(in, out, &h, kor, jpn, NULL, NULL, synced, &bytes, &why, &e), 0,
	    "%s", e.msg);
	atomic_store(&watched, -1);
	size_t n = atomic_load(&writebacks);
	envelope_header_free(&h);
	opened_is_plain(out);
	close(in);
	close(out);
	return n;
}

Test(awriter, a_seal_or_an_open_starts_writeback_only_for_an_output_it_will_sync,
     .fini = leak_check)
{
	struct key_secret jpn = seeded("JPN", 1), kor = seeded("KOR", 2);
	cr_assert_geq(writebacks_of_seal(&jpn, &kor.pub, false), 1, "a seal to -o's file");
	cr_assert_eq(writebacks_of_seal(&jpn, &kor.pub, true), 0, "a seal to standard output");
	uint8_t *p = plain9();
	size_t len;
	uint8_t *env = seal_mem(&jpn, &kor.pub, 1, LABEL, p, WB, 0, &len);
	free(p);
	cr_assert_geq(writebacks_of_open(env, len, &kor, &jpn.pub, true), 1,
		      "an open to -o's file");
	cr_assert_eq(writebacks_of_open(env, len, &kor, &jpn.pub, false), 0,
		     "an open to standard output, a pipe or a socket");
	free(env);
	key_secret_free(&jpn);
	key_secret_free(&kor);
}

/* The commands' files: JPN's and KOR's keys in a new folder, and a
 * payload of WB bytes and a label there. */
struct files {
	char dir[64], path[6][128];
};
enum { JPN_KEY, JPN_PUB, KOR_KEY, KOR_PUB, PLAIN, LABEL_FILE };

static void files_make(struct files *f)
{
	static const struct key_kdf quick = {.ops = 1, .mem = 1 << 16}; /* tests only */
	strcpy(f->dir, "/tmp/liaison-awriter-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	static const char *const names[] = {"JPN.key", "JPN.pub", "KOR.key",
					    "KOR.pub", "plain",	  "label.json"};
	for (size_t i = 0; i < 6; i++)
		snprintf(f->path[i], sizeof f->path[i], "%s/%s", f->dir, names[i]);
	struct lerr e = {0};
	cr_assert_eq(keyfile_generate(f->dir, "JPN", "pw", 2, &quick, false, NULL, 0, &e), 0, "%s",
		     e.msg);
	cr_assert_eq(keyfile_generate(f->dir, "KOR", "pw", 2, &quick, false, NULL, 0, &e), 0, "%s",
		     e.msg);
	uint8_t *p = plain9();
	cr_assert_eq(fio_write_file(f->path[PLAIN], p, WB, 0600, false, &e), 0, "%s", e.msg);
	free(p);
	static const char label[] = "{\"level\": \"GOKUHI\", \"originator\": \"JPN\", "
				    "\"releasable_to\": [\"KOR\"], \"title\": \"test item\"}";
	cr_assert_eq(fio_write_file(f->path[LABEL_FILE], label, strlen(label), 0600, false, &e), 0,
		     "%s", e.msg);
}

static void files_drop(struct files *f, const char *const *more, size_t nmore)
{
	for (size_t i = 0; i < 6; i++)
		unlink(f->path[i]);
	for (size_t i = 0; i < nmore; i++)
		unlink(more[i]);
	rmdir(f->dir);
}

/* Runs f(arg) with standard output on a new temporary file, counting the
 * writebacks started on any descriptor; the file is left at *out. */
static size_t writebacks_on_stdout(void (*fn)(void *), void *arg, int *out)
{
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	*out = tmp_with("", 0);
	cr_assert_geq(saved, 0);
	cr_assert_eq(dup2(*out, STDOUT_FILENO), STDOUT_FILENO);
	watch(ANY_FD);
	fn(arg);
	atomic_store(&watched, -1);
	cr_assert_eq(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	return atomic_load(&writebacks);
}

struct cmd {
	struct files *f;
	const char *in, *out; /* NULL: standard input, output */
};

static void seal_cmd(void *arg)
{
	struct cmd *c = arg;
	struct lerr e = {0};
	struct key_later *k = keyfile_secret_start(c->f->path[JPN_KEY], "pw", 2, &e);
	cr_assert_not_null(k, "%s", e.msg);
	const char *to[] = {c->f->path[KOR_PUB]};
	struct envfile_io io = {.in = c->in, .out = c->out};
	struct label l;
	uint64_t bytes = 0;
	cr_assert_eq(envfile_seal(k, to, 1, c->f->path[LABEL_FILE], 0, &io, &l, &bytes, &e), 0,
		     "%s", e.msg);
	keyfile_secret_end(k);
	cr_assert_eq(bytes, (uint64_t)WB);
}

static void open_cmd(void *arg)
{
	struct cmd *c = arg;
	struct lerr e = {0};
	struct key_secret k;
	cr_assert_eq(keyfile_secret(c->f->path[KOR_KEY], "pw", 2, &k, &e), 0, "%s", e.msg);
	struct envfile_io io = {.in = c->in, .out = c->out};
	struct envfile_info info;
	cr_assert_eq(envfile_open(&k, c->f->path[JPN_PUB], &io, &info, &e), 0, "%s", e.msg);
	envfile_info_free(&info);
	key_secret_free(&k);
}

Test(awriter, seal_and_open_with_o_start_writeback_and_to_standard_output_do_not,
     .fini = leak_check)
{
	struct files f;
	files_make(&f);
	char env[160], out[160];
	snprintf(env, sizeof env, "%s/env.lsn", f.dir);
	snprintf(out, sizeof out, "%s/out.bin", f.dir);

	struct cmd c = {&f, f.path[PLAIN], env};
	int o;
	cr_assert_geq(writebacks_on_stdout(seal_cmd, &c, &o), 1, "seal -o FILE");
	close(o);
	c.out = NULL;
	cr_assert_eq(writebacks_on_stdout(seal_cmd, &c, &o), 0, "seal to standard output");
	close(o);

	c = (struct cmd){&f, env, out};
	cr_assert_geq(writebacks_on_stdout(open_cmd, &c, &o), 1, "open -o FILE");
	close(o);
	int fd = open(out, O_RDONLY);
	cr_assert_geq(fd, 0);
	opened_is_plain(fd);
	close(fd);
	c.out = NULL;
	cr_assert_eq(writebacks_on_stdout(open_cmd, &c, &o), 0, "open to standard output");
	opened_is_plain(o);
	close(o);
	const char *more[] = {env, out};
	files_drop(&f, more, 2);
}
