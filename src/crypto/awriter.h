/*
 * awriter.h - writes in a second thread, so that sealing and opening
 * overlap their cryptography with the kernel's copying.
 *
 * The caller takes a free buffer, fills it, and submits it; a writer thread
 * writes buffers in order. AW_BUFFERS buffers of the size given circulate,
 * so memory stays fixed however much is written. A regular file gets
 * writes of at most 64 KiB, a pipe or a socket one write a buffer.
 */
#ifndef LIAISON_CRYPTO_AWRITER_H
#define LIAISON_CRYPTO_AWRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AW_BUFFERS 3

struct awriter;

/* Starts a writer to fd with buffers of size bytes. Returns NULL when out of memory.
 * threaded false: no thread; each buffer is written as it is submitted (a small
 * output, where starting a thread costs more than it saves). writeback: fd will
 * be synced when written (a regular file's): its writeback is started batch by
 * batch, so that the sync waits less; else it is left to the kernel, as any
 * writer's. */
struct awriter *aw_start(int fd, size_t size, bool threaded, bool writeback);

/* A free buffer to fill (waits for one); NULL when a write already failed. */
uint8_t *aw_take(struct awriter *w);

/* Queues the first len bytes of buf (from aw_take) for writing. */
void aw_submit(struct awriter *w, uint8_t *buf, size_t len);

/*
 * Waits for every queued write, stops the thread, wipes and frees the
 * buffers and w. Returns 0, or
 * -1 with errno set to the first write's error.
 */
int aw_finish(struct awriter *w);

#endif
