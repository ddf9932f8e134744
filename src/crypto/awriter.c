/* awriter.c - a writer thread fed through a small ring of buffers (see awriter.h). */
#define _GNU_SOURCE /* sync_file_range */
#include "awriter.h"

#include <errno.h>
#include <sodium.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "fio.h"

#define AW_WRITEBACK_BYTES (8 << 20)

/*
 * A regular file is written in pieces of at most this size, age's chunk.
 * Measured on this project's VM (Linux 6.18, ext4; its balloon reports
 * free blocks of 128 KiB and more to the host): 256 MiB written to the
 * page cache took 0.05-0.74 s in writes of 1 MiB, 0.12-0.45 s of 128 KiB,
 * 0.06-0.24 s of 64 KiB, 0.07-0.14 s of 32 KiB (8-10 runs each); liaison's
 * seal of 256 MiB to a file on disk 0.17-0.58 s with 1 MiB writes, 0.19-
 * 0.21 s in six runs of seven with 32 KiB (docs/performance.md, round
 * fifteen). Why, we suppose: the kernel caches a file in folios of about
 * a write's size, a large one taken from the large free blocks, which the
 * host may have taken back, so that each page filled costs a fault on the
 * host. A pipe's or a socket's writes keep the buffer's size.
 */
#define AW_PIECE (64 << 10)

struct awriter {
	int fd;
	bool writeback;	      /* a regular file to be synced: start its writeback batch by batch */
	size_t piece;	      /* the most one write(2) is given */
	off_t offset, synced; /* written so far; handed to writeback so far */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *bufs[AW_BUFFERS];
	size_t lens[AW_BUFFERS];
	size_t used[AW_BUFFERS]; /* the most of each buffer ever filled */
	bool queued[AW_BUFFERS]; /* filled, waiting for the writer */
	bool taken[AW_BUFFERS];	 /* with the caller */
	size_t next_write;	 /* the ring: buffers are written in order */
	size_t next_take;
	bool done;
	bool threaded;
	int err; /* errno of the first failed write, 0 */
};

/* Writes buffer i (the lock not held): 0 or an errno. */
static int write_one(struct awriter *w, size_t i)
{
	for (size_t put = 0, n; put < w->lens[i]; put += n) {
		n = w->lens[i] - put < w->piece ? w->lens[i] - put : w->piece;
		if (fio_write_full(w->fd, w->bufs[i] + put, n) != 0)
			return errno ? errno : EIO;
	}
	if (w->writeback) {
		/*
		 * Large outputs: start writing each batch to disk now, so
		 * that the final fsync waits less. Small ones need not.
		 */
		w->offset += (off_t)w->lens[i];
		if (w->offset - w->synced >= AW_WRITEBACK_BYTES) {
			if (sync_file_range(w->fd, w->synced, w->offset - w->synced,
					    SYNC_FILE_RANGE_WRITE) != 0)
				w->writeback = false;
			w->synced = w->offset;
		}
	}
	return 0;
}

static void *writer(void *arg)
{
	struct awriter *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->queued[w->next_write] && !w->done)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->queued[w->next_write])
			break; /* done, nothing left */
		size_t i = w->next_write;
		pthread_mutex_unlock(&w->mu);
		int err = write_one(w, i);
		pthread_mutex_lock(&w->mu);
		if (err && !w->err)
			w->err = err;
		w->queued[i] = false;
		w->next_write = (i + 1) % AW_BUFFERS;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct awriter *aw_start(int fd, size_t size, bool threaded, bool writeback)
{
	struct awriter *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->fd = fd;
	struct stat sb;
	bool regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	w->writeback = writeback && regular;
	w->piece = regular ? AW_PIECE : SIZE_MAX;
	w->offset = w->synced = w->writeback ? lseek(fd, 0, SEEK_CUR) : 0;
	if (w->offset < 0)
		w->writeback = false;
	for (size_t i = 0; i < AW_BUFFERS; i++)
		if (!(w->bufs[i] = malloc(size)))
			goto fail;
	w->threaded = threaded;
	if (!threaded)
		return w;
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&w->cv, NULL) != 0) {
		pthread_mutex_destroy(&w->mu);
		goto fail;
	}
	if (pthread_create(&w->thread, NULL, writer, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		goto fail;
	}
	return w;
fail:
	for (size_t i = 0; i < AW_BUFFERS; i++)
		free(w->bufs[i]);
	free(w);
	return NULL;
}

uint8_t *aw_take(struct awriter *w)
{
	if (!w->threaded) { /* every buffer is free again once submitted */
		size_t i = w->next_take;
		w->next_take = (i + 1) % AW_BUFFERS;
		return w->err ? NULL : w->bufs[i];
	}
	pthread_mutex_lock(&w->mu);
	size_t i = w->next_take;
	while ((w->queued[i] || w->taken[i]) && !w->err)
		pthread_cond_wait(&w->cv, &w->mu);
	uint8_t *b = NULL;
	if (!w->err) {
		w->taken[i] = true;
		w->next_take = (i + 1) % AW_BUFFERS;
		b = w->bufs[i];
	}
	pthread_mutex_unlock(&w->mu);
	return b;
}

void aw_submit(struct awriter *w, uint8_t *buf, size_t len)
{
	if (!w->threaded) {
		for (size_t i = 0; i < AW_BUFFERS; i++)
			if (w->bufs[i] == buf) {
				w->lens[i] = len;
				if (len > w->used[i])
					w->used[i] = len;
				int err = w->err ? 0 : write_one(w, i);
				if (err)
					w->err = err;
			}
		return;
	}
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < AW_BUFFERS; i++)
		if (w->bufs[i] == buf) {
			w->taken[i] = false;
			w->queued[i] = true;
			w->lens[i] = len;
			if (len > w->used[i])
				w->used[i] = len;
		}
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int aw_finish(struct awriter *w)
{
	if (w->threaded) {
		pthread_mutex_lock(&w->mu);
		w->done = true;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
	}
	int err = w->err;
	for (size_t i = 0; i < AW_BUFFERS; i++) {
		sodium_memzero(w->bufs[i], w->used[i]); /* they held plaintext */
		free(w->bufs[i]);
	}
	free(w);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
