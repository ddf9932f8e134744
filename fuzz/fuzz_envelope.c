/*
 * fuzz_envelope.c - opening any bytes as an envelope, with fixed keys: the
 * header parser, the label parser, the chunk framing. No crash, no leak,
 * and every refusal says which check failed. Inputs that start with a
 * real envelope's header (the corpus) reach the payload code.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/envelope.h"
#include "crypto/fio.h"
#include "node/label_json.h"

static int fd_with(const uint8_t *data, size_t size)
{
	FILE *f = tmpfile();
	if (!f)
		abort();
	int fd = dup(fileno(f));
	fclose(f);
	if (fio_write_full(fd, data, size) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct key_secret jpn, kor;
	static int ready;
	if (!ready) {
		uint8_t s[32];
		memset(s, 1, 32);
		uint8_t b[32];
		memset(b, 101, 32);
		if (key_from_seeds("JPN", s, b, &jpn, NULL) < 0)
			abort();
		memset(s, 2, 32);
		memset(b, 102, 32);
		if (key_from_seeds("KOR", s, b, &kor, NULL) < 0)
			abort();
		ready = 1;
	}
	int in = fd_with(data, size), out = fd_with((const uint8_t *)"", 0);
	struct env_header h;
	enum env_check why = ENV_OK;
	struct lerr e = {0};
	int r = envelope_read_header(in, &h, &why, &e);
	if (r == 0) {
		struct label l;
		(void)label_parse_canonical(h.label, h.label_len, &l, NULL);
		r = envelope_open_payload(in, out, &h, &kor, &jpn.pub, NULL, NULL, false, NULL, &why, &e);
		envelope_header_free(&h);
	}
	if (r < 0 && (why == ENV_OK || e.msg[0] == '\0'))
		abort(); /* a refusal must say which check failed */
	close(in);
	close(out);
	return 0;
}
