/* spool.c - a temporary file sealed under a key held only in memory (spool.h). */
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "fio.h"
#include "spool.h"

#define SPOOL_CHUNK 65536u
#define SPOOL_CT    (SPOOL_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES)

struct spool {
	int fd;
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	uint8_t plain[SPOOL_CHUNK]; /* writing: the chunk being filled; reading: the one opened */
	uint8_t sealed[SPOOL_CT];
	size_t have; /* writing: bytes in plain; reading: bytes of plain not yet given */
	size_t off;  /* reading: where they start */
	uint64_t size;
	bool reading, ended; /* ended: the final chunk was read */
};

int spool_start(int fd, struct spool **out, struct lerr *e)
{
	uint8_t header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	*out = NULL;
	if (sodium_init() < 0)
		return lerr_set(e, LERR_NOMEM, "libsodium cannot start");
	struct spool *s = sodium_malloc(sizeof *s); /* guarded: it holds the key and plaintext */
	if (!s)
		return lerr_set(e, LERR_NOMEM, "out of guarded memory");
	memset(s, 0, sizeof *s);
	s->fd = fd;
	crypto_secretstream_xchacha20poly1305_keygen(s->key);
	crypto_secretstream_xchacha20poly1305_init_push(&s->st, header, s->key);
	if (fio_write_full(fd, header, sizeof header) != 0) {
		int err = errno;
		spool_free(s);
		return lerr_set(e, LERR_IO, "cannot write the spool: %s", strerror(err));
	}
	*out = s;
	return 0;
}

static int push(struct spool *s, unsigned char tag)
{
	unsigned long long len = 0;
	crypto_secretstream_xchacha20poly1305_push(&s->st, s->sealed, &len, s->plain, s->have, NULL,
						   0, tag);
	sodium_memzero(s->plain, s->have);
	s->have = 0;
	return fio_write_full(s->fd, s->sealed, (size_t)len);
}

int spool_write(struct spool *s, const void *data, size_t n)
{
	const uint8_t *p = data;
	if (s->reading) {
		errno = EINVAL;
		return -1;
	}
	while (n) {
		if (s->have == SPOOL_CHUNK &&
		    push(s, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) != 0)
			return -1;
		size_t k = SPOOL_CHUNK - s->have < n ? SPOOL_CHUNK - s->have : n;
		memcpy(s->plain + s->have, p, k);
		s->have += k;
		s->size += k;
		p += k;
		n -= k;
	}
	return 0;
}

int spool_finish(struct spool *s)
{
	uint8_t header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	if (s->reading || push(s, crypto_secretstream_xchacha20poly1305_TAG_FINAL) != 0 ||
	    lseek(s->fd, 0, SEEK_SET) != 0)
		return -1;
	ssize_t got = fio_read_full(s->fd, header, sizeof header);
	if (got != (ssize_t)sizeof header ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&s->st, header, s->key) != 0) {
		errno = got < 0 ? errno : EBADMSG;
		return -1;
	}
	s->reading = true;
	return 0;
}

uint64_t spool_size(const struct spool *s)
{
	return s->size;
}

/* Opens the next chunk into plain; -1 with errno at a bad or missing one. */
static int next_chunk(struct spool *s)
{
	ssize_t got = fio_read_full(s->fd, s->sealed, SPOOL_CT);
	if (got < 0)
		return -1;
	unsigned long long len = 0;
	unsigned char tag = 0;
	if (got < (ssize_t)crypto_secretstream_xchacha20poly1305_ABYTES ||
	    crypto_secretstream_xchacha20poly1305_pull(&s->st, s->plain, &len, &tag, s->sealed,
						       (unsigned long long)got, NULL, 0) != 0 ||
	    (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL && got < (ssize_t)SPOOL_CT)) {
		errno = EBADMSG; /* changed, or cut before its final chunk */
		return -1;
	}
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		uint8_t more;
		if (fio_read_full(s->fd, &more, 1) != 0) {
			errno = EBADMSG; /* bytes after the final chunk */
			return -1;
		}
		s->ended = true;
	}
	s->have = (size_t)len;
	s->off = 0;
	return 0;
}

ssize_t spool_read(void *arg, uint8_t *buf, size_t n)
{
	struct spool *s = arg;
	size_t done = 0;
	if (!s->reading) {
		errno = EINVAL;
		return -1;
	}
	while (done < n) {
		if (!s->have) {
			if (s->ended)
				break;
			if (next_chunk(s) != 0)
				return -1;
			continue;
		}
		size_t k = s->have < n - done ? s->have : n - done;
		memcpy(buf + done, s->plain + s->off, k);
		sodium_memzero(s->plain + s->off, k);
		s->off += k;
		s->have -= k;
		done += k;
	}
	return (ssize_t)done;
}

void spool_free(struct spool *s)
{
	if (s)
		sodium_free(s); /* wipes it all, the key and the plaintext */
}
