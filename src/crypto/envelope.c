/*
 * envelope.c - sealing and opening envelopes (see envelope.h and
 * docs/envelope.md for the format).
 *
 * Framing of the payload: after the 24-byte stream header, every chunk but
 * the last is exactly chunk + 17 bytes (tag MESSAGE); the last is 81 to
 * chunk + 81 bytes (tag FINAL: up to `chunk` bytes of data, then the
 * 64-byte payload signature, then 17 bytes of overhead). Those two ranges
 * never let a reader mistake where the last chunk starts.
 */
#include "envelope.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awriter.h"
#include "fio.h"
#include "hasher.h"
#include "kept.h"
#include "pstream.h"

#define CTX_HEADER "liaison-envelope/v1 header"
/* The payload signature's context of each version (one this build does
 * not know has none that any signature could be made over). */
static const char *ctx_payload(int version)
{
	switch (version) {
	case 1:
		return "liaison-envelope/v1 payload";
	case 2:
		return "liaison-envelope/v2 payload";
	case 3:
		return "liaison-envelope/v3 payload";
	case 4:
		return "liaison-envelope/v4 payload";
	default:
		return "liaison-envelope/unknown version";
	}
}
#define FINAL_MIN (ENV_SIG + ENV_CHUNK_OVERHEAD) /* 81 */
/* Largest signed part: magic .. stanzas. */
#define SIGNED_MAX                                                                                 \
	(ENV_MAGIC_LEN + 2 + PARTY_CODE_MAX + KEY_SIGN_PK + 8 + ENV_HASH + 1 +                     \
	 ENV_RECIPIENTS_MAX * (1 + PARTY_CODE_MAX + KEY_BOX_PK + ENV_SEALED_KEY))

const char *envelope_check_name(enum env_check c)
{
	static const char *const names[] = {
	    [ENV_OK] = "ok",
	    [ENV_MALFORMED] = "malformed",
	    [ENV_TRUNCATED] = "truncated",
	    [ENV_NOT_FOR_YOU] = "not for you",
	    [ENV_WRONG_SENDER] = "wrong sender",
	    [ENV_BAD_SIGNATURE] = "bad signature",
	    [ENV_CHANGED_LABEL] = "changed label",
	    [ENV_CORRUPTED] = "corrupted chunk",
	    [ENV_BAD_PAYLOAD] = "bad payload signature",
	    [ENV_IO] = "i/o error",
	};
	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "unknown";
}

/* Sets *why and e; returns the LERR code that goes with the check. */
static int fail(enum env_check *why, enum env_check c, struct lerr *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(enum env_check *why, enum env_check c, struct lerr *e, const char *fmt, ...)
{
	char msg[LERR_MSG_MAX - 32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	*why = c;
	int code = c == ENV_IO ? LERR_IO : c == ENV_MALFORMED ? LERR_INVAL : LERR_AUTH;
	return lerr_set(e, code, "%s: %s", envelope_check_name(c), msg);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Ed25519 over context || NUL || msg (m1 then m2), detached. */
static void sign2(uint8_t sig[ENV_SIG], const char *ctx, const uint8_t *m1, size_t n1,
		  const uint8_t *m2, size_t n2, const uint8_t *sk)
{
	size_t cl = strlen(ctx) + 1, n = cl + n1 + n2;
	uint8_t *buf = malloc(n);
	if (!buf) {
		memset(sig, 0, ENV_SIG); /* a zero signature never verifies */
		return;
	}
	memcpy(buf, ctx, cl);
	memcpy(buf + cl, m1, n1);
	if (n2)
		memcpy(buf + cl + n1, m2, n2);
	crypto_sign_detached(sig, NULL, buf, n, sk);
	free(buf);
}

/*
 * Signatures this thread verified, remembered: a daemon sending the same
 * item again checks the same two signatures over the same bytes each time.
 * An entry is a BLAKE2b-256, under a random key of the thread's own, of the
 * public key, the signature and the whole signed message: Ed25519's answer
 * is a function of exactly those, so a remembered success is the answer it
 * would give again, and nobody outside knows the key to aim a collision at
 * an entry. Failures are not remembered.
 */
#define VERIFIED_SLOTS 64
static _Thread_local struct {
	bool keyed;
	uint8_t key[crypto_generichash_KEYBYTES];
	uint8_t seen[VERIFIED_SLOTS][32];
	unsigned used, next;
} verified;

static bool verify2(const uint8_t sig[ENV_SIG], const char *ctx, const uint8_t *m1, size_t n1,
		    const uint8_t *m2, size_t n2, const uint8_t *pk)
{
	size_t cl = strlen(ctx) + 1, n = cl + n1 + n2;
	uint8_t *buf = malloc(n);
	if (!buf)
		return false;
	memcpy(buf, ctx, cl);
	memcpy(buf + cl, m1, n1);
	if (n2)
		memcpy(buf + cl + n1, m2, n2);
	if (!verified.keyed) {
		randombytes_buf(verified.key, sizeof verified.key);
		verified.keyed = true;
	}
	uint8_t id[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, verified.key, sizeof verified.key, sizeof id);
	crypto_generichash_update(&st, pk, KEY_SIGN_PK);
	crypto_generichash_update(&st, sig, ENV_SIG);
	crypto_generichash_update(&st, buf, n);
	crypto_generichash_final(&st, id, sizeof id);
	bool ok = false;
	for (unsigned i = 0; !ok && i < verified.used; i++)
		ok = memcmp(verified.seen[i], id, sizeof id) == 0;
	if (!ok && (ok = crypto_sign_verify_detached(sig, buf, n, pk) == 0)) {
		memcpy(verified.seen[verified.next], id, sizeof id);
		verified.next = (verified.next + 1) % VERIFIED_SLOTS;
		verified.used += verified.used < VERIFIED_SLOTS;
	}
	free(buf);
	return ok;
}

/*
 * The payload key: BLAKE2b-256 keyed by the file key over a context and a
 * hash of the header: from version 4, the hash of the header without its
 * signature (key_hash), so that the payload can be sealed while the
 * sender's key is still being unlocked; before, the whole header's.
 */
static void payload_key(uint8_t out[ENV_FILE_KEY], const uint8_t file_key[ENV_FILE_KEY],
			int version, const uint8_t key_hash[ENV_HASH],
			const uint8_t header_hash[ENV_HASH])
{
	static const char v1[] = "liaison-envelope/v1 payload key",
			  v4[] = "liaison-envelope/v4 payload key";
	crypto_generichash_state st;
	crypto_generichash_init(&st, file_key, ENV_FILE_KEY, ENV_FILE_KEY);
	if (version >= 4) {
		crypto_generichash_update(&st, (const uint8_t *)v4, sizeof v4);
		crypto_generichash_update(&st, key_hash, ENV_HASH);
	} else {
		crypto_generichash_update(&st, (const uint8_t *)v1, sizeof v1);
		crypto_generichash_update(&st, header_hash, ENV_HASH);
	}
	crypto_generichash_final(&st, out, ENV_FILE_KEY);
}

/* H(signed || [signature ||] label): header_hash with the signature, key_hash without. */
static void hash_header(uint8_t out[ENV_HASH], const uint8_t *signed_part, size_t n,
			const uint8_t *sig, const char *label, size_t label_len)
{
	crypto_generichash_state hs;
	crypto_generichash_init(&hs, NULL, 0, ENV_HASH);
	crypto_generichash_update(&hs, signed_part, n);
	if (sig)
		crypto_generichash_update(&hs, sig, ENV_SIG);
	crypto_generichash_update(&hs, (const uint8_t *)label, label_len);
	crypto_generichash_final(&hs, out, ENV_HASH);
}

/* ---- sealing ---- */

/* Builds the signed part of the header into buf; returns its length or 0. */
static size_t build_signed(uint8_t *buf, const struct env_seal_args *a,
			   const struct key_public *from, int version, uint32_t chunk,
			   const uint8_t *file_key)
{
	uint8_t *p = buf;
	size_t sl = strlen(from->party);
	memcpy(p, ENV_MAGIC, ENV_MAGIC_LEN);
	p += ENV_MAGIC_LEN;
	*p++ = (uint8_t)version;
	*p++ = (uint8_t)sl;
	memcpy(p, from->party, sl);
	p += sl;
	memcpy(p, from->sign_pk, KEY_SIGN_PK);
	p += KEY_SIGN_PK;
	put32(p, chunk);
	put32(p + 4, (uint32_t)a->label_len);
	p += 8;
	crypto_generichash(p, ENV_HASH, (const uint8_t *)a->label, a->label_len, NULL, 0);
	p += ENV_HASH;
	*p++ = (uint8_t)a->nto;
	for (size_t i = 0; i < a->nto; i++) {
		size_t pl = strlen(a->to[i].party);
		*p++ = (uint8_t)pl;
		memcpy(p, a->to[i].party, pl);
		p += pl;
		memcpy(p, a->to[i].box_pk, KEY_BOX_PK);
		p += KEY_BOX_PK;
		if (crypto_box_seal(p, file_key, ENV_FILE_KEY, a->to[i].box_pk) != 0)
			return 0;
		p += ENV_SEALED_KEY;
	}
	return (size_t)(p - buf);
}

static int seal_args_check(const struct env_seal_args *a, uint32_t chunk, struct lerr *e)
{
	if (a->nto < 1 || a->nto > ENV_RECIPIENTS_MAX)
		return lerr_set(e, LERR_INVAL, "an envelope has 1 to %d recipients",
				ENV_RECIPIENTS_MAX);
	if (a->label_len < 2 || a->label_len > ENV_LABEL_MAX)
		return lerr_set(e, LERR_INVAL, "a label has 2 to %u bytes", ENV_LABEL_MAX);
	if (chunk < ENV_CHUNK_MIN || chunk > ENV_CHUNK_MAX)
		return lerr_set(e, LERR_INVAL, "chunk size %u is not in %u..%u", chunk,
				ENV_CHUNK_MIN, ENV_CHUNK_MAX);
	if (a->version && (a->version < ENV_VERSION_MIN || a->version > ENV_VERSION))
		return lerr_set(e, LERR_INVAL, "envelope version %d is not in %d..%d", a->version,
				ENV_VERSION_MIN, ENV_VERSION);
	if (!a->from == !a->later || (a->from && !a->from->sign_sk))
		return lerr_set(e, LERR_INVAL, "no signing key");
	for (size_t i = 0; i < a->nto; i++)
		for (size_t j = 0; j < i; j++)
			if (sodium_memcmp(a->to[i].box_pk, a->to[j].box_pk, KEY_BOX_PK) == 0)
				return lerr_set(e, LERR_INVAL, "recipient %s is named twice",
						a->to[i].party);
	return 0;
}

/* Chunks per batch: reads and writes move about BATCH_BYTES at a time. */
#define BATCH_BYTES (1u << 20)

static size_t batch_chunks(uint32_t chunk)
{
	return chunk >= BATCH_BYTES ? 1 : BATCH_BYTES / chunk;
}

#define SEAL_BUFFERS 3 /* plaintext buffers: one read, one hashed, one spare */
/* The most plaintext sealed before the sender's key must have opened (the
 * default Argon2id takes ~30 ms: about half of this, on the build machine). */
#define AHEAD_MAX (64u << 20)

/* The state of an envelope being sealed. */
struct sealing {
	int in, out;
	const struct env_seal_args *a;
	int version;
	uint32_t chunk;
	size_t batch;
	struct pstream *ps;
	struct chash ph;
	struct hasher *hs;
	const struct key_public *sender; /* the sender's key as the header names it */
	const struct key_secret *from;	 /* the sender's key, once open (a->later) */
	uint8_t *head;			 /* the header's signed part, then its signature */
	size_t signed_len;
	bool header_signed;
	uint8_t header_hash[ENV_HASH];
	off_t base; /* where the envelope starts in out when its header is written last, else -1 */
	uint8_t *bufs[SEAL_BUFFERS];	/* plaintext: (batch + 1) chunks and a signature */
	uint64_t tickets[SEAL_BUFFERS]; /* the hasher's last range in each */
	size_t high;			/* the most of a buffer ever filled */
	uint64_t total;
	const char *failed; /* what failed, the output cut short before the final chunk */
};

/*
 * The sender's key, and with it the header's signature and hash, once the
 * key is open: 0, or 1 while it is not and wait is false, or the LERR code
 * the key failed to open with.
 */
static int sign_header(struct sealing *s, bool wait, struct lerr *e)
{
	if (s->header_signed)
		return 0;
	/* sealed ahead far enough: the key is waited for (a wrong passphrase
	 * then costs at most that much reading and writing) */
	wait = wait || s->total >= AHEAD_MAX;
	int r = s->from ? 0 : s->a->later->get(s->a->later, wait, &s->from, e);
	if (r != 0)
		return r;
	/* the header already names the key its public half gave */
	if (strcmp(s->from->pub.party, s->sender->party) != 0 ||
	    sodium_memcmp(s->from->pub.sign_pk, s->sender->sign_pk, KEY_SIGN_PK) != 0)
		return lerr_set(e, LERR_AUTH,
				"the secret key that opened is not the one its file names for %s",
				s->sender->party);
	sign2(s->head + s->signed_len, CTX_HEADER, s->head, s->signed_len, NULL, 0,
	      s->from->sign_sk);
	hash_header(s->header_hash, s->head, s->signed_len, s->head + s->signed_len, s->a->label,
		    s->a->label_len);
	s->header_signed = true;
	return 0;
}

/* Writes n bytes at `at`, or where fd stands (at -1): 0 or -1 with errno. */
static int put_at(int fd, const uint8_t *p, size_t n, off_t at)
{
	if (at < 0)
		return fio_write_full(fd, p, n);
	while (n) {
		ssize_t w = pwrite(fd, p, n, at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		at += w;
	}
	return 0;
}

/* Writes the header (signed part, signature, label) at `at`, or where out stands (-1). */
static int write_header(struct sealing *s, off_t at, struct lerr *e)
{
	size_t n = s->signed_len + ENV_SIG;
	if (put_at(s->out, s->head, n, at) != 0 ||
	    put_at(s->out, (const uint8_t *)s->a->label, s->a->label_len,
		   at < 0 ? at : at + (off_t)n) != 0)
		return lerr_set(e, LERR_IO, "cannot write the envelope: %s", strerror(errno));
	return 0;
}

/*
 * Encrypts the batch of `have` bytes in buf into ob: every whole chunk but
 * the last (kept for the next batch), or, at end of input, all of it, the
 * last chunk (possibly empty) FINAL and signed. The hasher hashes the same
 * bytes meanwhile. Returns the bytes written to ob.
 */
static size_t seal_batch(struct sealing *s, size_t k, size_t have, uint8_t *ob, bool eof,
			 size_t batch)
{
	const uint32_t C = s->chunk;
	uint8_t *buf = s->bufs[k];
	size_t nfull = eof ? (have ? (have - 1) / C : 0) : batch, olen = 0;
	if (nfull)
		s->tickets[k] = hs_submit(s->hs, buf, nfull * C);
	for (size_t i = 0; i < nfull; i++) {
		if (!ps_push(s->ps, ob + olen, buf + i * C, C, PS_TAG_MESSAGE)) {
			s->failed = "the cipher failed"; /* no final chunk: visibly cut short */
			return olen;
		}
		olen += C + ENV_CHUNK_OVERHEAD;
	}
	s->total += nfull * C;
	if (!eof)
		return olen;
	uint8_t *last = buf + nfull * C, ph[ENV_HASH];
	size_t rest = have - nfull * C;
	hs_finish(s->hs); /* everything before the last chunk is hashed */
	s->hs = NULL;
	chash_update(&s->ph, last, rest);
	if (!chash_final(&s->ph, ph, NULL)) {
		s->failed = "the content hash failed"; /* no final chunk: visibly cut short */
		return olen;
	}
	sign2(last + rest, ctx_payload(s->version), s->header_hash, ENV_HASH, ph, ENV_HASH,
	      s->from->sign_sk);
	if (!ps_push(s->ps, ob + olen, last, rest + ENV_SIG, PS_TAG_FINAL)) {
		s->failed = "the cipher failed";
		return olen;
	}
	s->total += rest;
	return olen + rest + ENV_SIG + ENV_CHUNK_OVERHEAD;
}

/*
 * The payload, in batches, through three threads: this one reads and
 * encrypts, a hasher hashes the plaintext, a writer writes. The last chunk
 * read moves on to the next batch until the input ends, so that it can be
 * the FINAL one. Sealing ahead of the sender's key, each batch asks
 * whether it opened (or failed: the seal stops there), and the last waits
 * for it: the payload signature covers the signed header. Until it opens,
 * batches are of one chunk: Argon2id holds 8 MiB (by default) meanwhile,
 * and the pages of the buffers that only a full batch touches would add
 * theirs (docs/performance.md: a seal's peak memory).
 */
static int seal_batches(struct sealing *s, struct awriter *w, struct lerr *e)
{
	const uint32_t C = s->chunk;
	size_t have = 0;
	for (size_t k = 0;; k = (k + 1) % SEAL_BUFFERS) {
		int r = sign_header(s, false, e);
		if (r < 0)
			return r;
		const size_t batch = r == 0 ? s->batch : 1, cap = (batch + 1) * C;
		const struct env_source *src = s->a->source;
		ssize_t got = src ? src->read(src->arg, s->bufs[k] + have, cap - have)
				  : fio_read_full(s->in, s->bufs[k] + have, cap - have);
		if (got < 0)
			return lerr_set(e, LERR_IO, "cannot read the input: %s", strerror(errno));
		bool eof = (size_t)got < cap - have;
		have += (size_t)got;
		if (have > s->high)
			s->high = have;
		if (eof && (r = sign_header(s, true, e)) < 0)
			return r;
		uint8_t *ob = aw_take(w);
		if (!ob)
			return 0; /* the writer failed: aw_finish says why */
		aw_submit(w, ob, seal_batch(s, k, have, ob, eof, batch));
		if (s->failed)
			return lerr_set(e, LERR_NOMEM, "%s", s->failed);
		if (s->a->progress)
			s->a->progress(s->a->arg, s->total);
		if (eof)
			return 0;
		size_t next = (k + 1) % SEAL_BUFFERS;
		hs_wait(s->hs, s->tickets[next]); /* the hasher is done with it */
		memcpy(s->bufs[next], s->bufs[k] + batch * C, C);
		have = C;
	}
}

static int seal_payload(struct sealing *s, struct lerr *e)
{
	const uint32_t C = s->chunk;
	int r = 0;
	for (size_t k = 0; k < SEAL_BUFFERS; k++)
		if (!(s->bufs[k] = malloc((s->batch + 1) * C + ENV_SIG)))
			r = LERR_NOMEM;
	bool hashing = r == 0 && chash_init(&s->ph, s->version, false);
	s->hs = hashing ? hs_start(&s->ph, true) : NULL;
	struct awriter *w =
	    s->hs ? aw_start(s->out, s->batch * (C + ENV_CHUNK_OVERHEAD) + C + FINAL_MIN, true,
			     !s->a->unsynced)
		  : NULL;
	if (!w)
		r = lerr_set(e, LERR_NOMEM, "%s",
			     r		? "out of memory"
			     : !hashing ? "cannot start the content hash"
			     : !s->hs	? "cannot start a thread"
					: "out of memory");
	else {
		r = seal_batches(s, w, e);
		if (aw_finish(w) != 0 && r == 0)
			r = lerr_set(e, LERR_IO, "cannot write the envelope: %s", strerror(errno));
	}
	if (s->hs)
		hs_finish(s->hs);
	if (hashing)
		chash_drop(&s->ph); /* when the last batch did not finish it */
	for (size_t k = 0; k < SEAL_BUFFERS; k++) {
		if (s->bufs[k])
			sodium_memzero(s->bufs[k], s->high + ENV_SIG); /* they held plaintext */
		free(s->bufs[k]);
	}
	return r;
}

/*
 * Where the envelope would start in out if its header can be written last:
 * out is a regular file, written at its end and not appended to (so that
 * the header's room can be left and filled, and a failure cut off). -1
 * otherwise (a pipe, a terminal, a socket).
 */
static off_t room_for_header(int out, size_t header_len)
{
	struct stat sb;
	int fl = fcntl(out, F_GETFL);
	off_t at = lseek(out, 0, SEEK_CUR);
	if (fl < 0 || (fl & O_APPEND) || fstat(out, &sb) != 0 || !S_ISREG(sb.st_mode) || at < 0 ||
	    sb.st_size > at || lseek(out, at + (off_t)header_len, SEEK_SET) < 0)
		return -1;
	return at;
}

/*
 * Seals in this order: the signed part of the header (which needs only the
 * sender's public key), the payload key from it (version 4), then the
 * header's signature and the payload. With the sender's key still opening
 * (a->later) and a version 4 envelope to a file, the payload goes first,
 * after room left for the header, which is written last: Argon2id's time
 * overlaps the stream's. Anything else writes in the file's order, the
 * sender's key waited for first.
 */
int envelope_seal(int in, int out, const struct env_seal_args *a, uint64_t *bytes, struct lerr *e)
{
	uint32_t chunk = a->chunk ? a->chunk : ENV_CHUNK_DEFAULT;
	int version = a->version ? a->version : ENV_VERSION;
	if (bytes)
		*bytes = 0;
	if (key_crypto_init(e) < 0 || seal_args_check(a, chunk, e) < 0)
		return LERR_INVAL;
	uint8_t *file_key = kept_take(KEPT_KEYS, 2 * ENV_FILE_KEY),
		*pk = file_key ? file_key + ENV_FILE_KEY : NULL;
	uint8_t key_hash[ENV_HASH], sh[ENV_STREAM_HEADER];
	struct sealing s = {.in = in,
			    .out = out,
			    .a = a,
			    .version = version,
			    .chunk = chunk,
			    .batch = batch_chunks(chunk),
			    .ps = ps_new(version),
			    .sender = a->from ? &a->from->pub : &a->later->pub,
			    .from = a->from,
			    .head = malloc(SIGNED_MAX + ENV_SIG),
			    .base = -1};
	int r = !file_key || !pk || !s.ps || !s.head
		    ? lerr_set(e, LERR_NOMEM, "out of guarded memory")
		    : 0;
	if (r == 0) {
		crypto_secretstream_xchacha20poly1305_keygen(file_key);
		s.signed_len = build_signed(s.head, a, s.sender, version, chunk, file_key);
		if (s.signed_len == 0)
			r = lerr_set(e, LERR_INVAL,
				     "cannot seal the file key to a recipient's key");
	}
	if (r == 0) {
		hash_header(key_hash, s.head, s.signed_len, NULL, a->label, a->label_len);
		if (!a->from && version >= 4)
			s.base = room_for_header(out, s.signed_len + ENV_SIG + a->label_len);
		if (s.base < 0 && (r = sign_header(&s, true, e)) == 0)
			r = write_header(&s, -1, e);
	}
	if (r == 0) {
		payload_key(pk, file_key, version, key_hash, s.header_hash);
		if (!ps_init_push(s.ps, sh, pk))
			r = lerr_set(e, LERR_NOMEM, "cannot start the cipher");
		else if (fio_write_full(out, sh, sizeof sh) != 0)
			r = lerr_set(e, LERR_IO, "cannot write the envelope: %s", strerror(errno));
	}
	if (r == 0)
		r = seal_payload(&s, e);
	if (r == 0 && s.base >= 0)
		r = write_header(&s, s.base, e);
	if (r < 0 && s.base >= 0 &&
	    (ftruncate(out, s.base) != 0 || lseek(out, s.base, SEEK_SET) < 0))
		lerr_prefix(e,
			    "the output could not be cut back (%s): it holds the start of an "
			    "envelope that will not open",
			    strerror(errno));
	if (bytes)
		*bytes = s.total;
	kept_give(KEPT_KEYS, file_key); /* wiped, pk with it */
	ps_free(s.ps);
	free(s.head);
	return r;
}

/* ---- reading the header ---- */

struct reader {
	int fd;
	uint8_t *raw; /* the signed part, as read */
	size_t len;
};

/* Reads exactly n bytes into out (and the raw copy); false at EOF or error. */
static int take(struct reader *rd, void *out, size_t n, enum env_check *why, struct lerr *e)
{
	if (rd->len + n > SIGNED_MAX)
		return fail(why, ENV_MALFORMED, e, "header larger than any envelope's");
	ssize_t got = fio_read_full(rd->fd, rd->raw + rd->len, n);
	if (got < 0)
		return fail(why, ENV_IO, e, "cannot read: %s", strerror(errno));
	if ((size_t)got < n)
		return fail(why, ENV_TRUNCATED, e, "the header ends after %zu bytes",
			    rd->len + (size_t)got);
	if (out)
		memcpy(out, rd->raw + rd->len, n);
	rd->len += n;
	return 0;
}

/* Reads a length byte and a party code. */
static int take_party(struct reader *rd, char out[PARTY_CODE_MAX], const char *what,
		      enum env_check *why, struct lerr *e)
{
	uint8_t n;
	if (take(rd, &n, 1, why, e) < 0)
		return LERR_INVAL;
	if (n < 2 || n >= PARTY_CODE_MAX)
		return fail(why, ENV_MALFORMED, e, "%s: party code of %u bytes", what, n);
	if (take(rd, out, n, why, e) < 0)
		return LERR_INVAL;
	out[n] = '\0';
	if (party_code_check(out, NULL) < 0)
		return fail(why, ENV_MALFORMED, e, "%s: \"%s\" is not a party code", what, out);
	return 0;
}

static int read_fields(struct reader *rd, struct env_header *h, enum env_check *why, struct lerr *e)
{
	uint8_t magic[ENV_MAGIC_LEN], version, n32[4], count;
	if (take(rd, magic, ENV_MAGIC_LEN, why, e) < 0)
		return LERR_INVAL;
	if (memcmp(magic, ENV_MAGIC, ENV_MAGIC_LEN) != 0)
		return fail(why, ENV_MALFORMED, e, "not a liaison envelope (no %s at its start)",
			    ENV_MAGIC);
	if (take(rd, &version, 1, why, e) < 0)
		return LERR_INVAL;
	if (version < ENV_VERSION_MIN || version > ENV_VERSION)
		return fail(why, ENV_MALFORMED, e,
			    "envelope version %u is not supported (only %d to %d)", version,
			    ENV_VERSION_MIN, ENV_VERSION);
	h->version = version;
	if (take_party(rd, h->sender, "sender", why, e) < 0 ||
	    take(rd, h->sender_pk, KEY_SIGN_PK, why, e) < 0 || take(rd, n32, 4, why, e) < 0)
		return LERR_INVAL;
	h->chunk = get32(n32);
	if (h->chunk < ENV_CHUNK_MIN || h->chunk > ENV_CHUNK_MAX)
		return fail(why, ENV_MALFORMED, e, "chunk size %u is not in %u..%u", h->chunk,
			    ENV_CHUNK_MIN, ENV_CHUNK_MAX);
	if (take(rd, n32, 4, why, e) < 0)
		return LERR_INVAL;
	h->label_len = get32(n32);
	if (h->label_len < 2 || h->label_len > ENV_LABEL_MAX)
		return fail(why, ENV_MALFORMED, e, "label of %u bytes", h->label_len);
	if (take(rd, h->label_hash, ENV_HASH, why, e) < 0 || take(rd, &count, 1, why, e) < 0)
		return LERR_INVAL;
	if (count < 1 || count > ENV_RECIPIENTS_MAX)
		return fail(why, ENV_MALFORMED, e, "%u recipients (1..%d)", count,
			    ENV_RECIPIENTS_MAX);
	for (size_t i = 0; i < count; i++) {
		struct env_stanza *s = &h->stanzas[i];
		if (take_party(rd, s->party, "recipient", why, e) < 0 ||
		    take(rd, s->box_pk, KEY_BOX_PK, why, e) < 0 ||
		    take(rd, s->sealed, ENV_SEALED_KEY, why, e) < 0)
			return LERR_INVAL;
		h->nstanzas++;
	}
	return 0;
}

/* Reads exactly n bytes of the header's `what`; a short read is a truncation. */
static int read_exact(int fd, void *buf, size_t n, const char *what, enum env_check *why,
		      struct lerr *e)
{
	ssize_t got = fio_read_full(fd, buf, n);
	if (got < 0)
		return fail(why, ENV_IO, e, "cannot read: %s", strerror(errno));
	if ((size_t)got < n)
		return fail(why, ENV_TRUNCATED, e, "the header ends inside %s", what);
	return 0;
}

int envelope_read_header(int in, struct env_header *h, enum env_check *why, struct lerr *e)
{
	memset(h, 0, sizeof *h);
	*why = ENV_OK;
	struct reader rd = {.fd = in, .raw = malloc(SIGNED_MAX)};
	h->label = malloc(ENV_LABEL_MAX + 1);
	if (!rd.raw || !h->label) {
		free(rd.raw);
		envelope_header_free(h);
		return fail(why, ENV_IO, e, "out of memory");
	}
	h->raw = rd.raw;
	int r = read_fields(&rd, h, why, e);
	h->signed_len = rd.len;
	if (r == 0)
		r = read_exact(in, h->sig, ENV_SIG, "its signature", why, e);
	if (r == 0)
		r = read_exact(in, h->label, h->label_len, "its label", why, e);
	if (r < 0) {
		envelope_header_free(h);
		return r;
	}
	h->label[h->label_len] = '\0';
	h->header_len = h->signed_len + ENV_SIG + h->label_len;
	hash_header(h->header_hash, h->raw, h->signed_len, h->sig, h->label, h->label_len);
	hash_header(h->key_hash, h->raw, h->signed_len, NULL, h->label, h->label_len);
	return 0;
}

void envelope_header_free(struct env_header *h)
{
	if (!h)
		return;
	free(h->label);
	free(h->raw);
	h->label = NULL;
	h->raw = NULL;
}

int envelope_verify_header(const struct env_header *h, const struct key_public *sender,
			   enum env_check *why, struct lerr *e)
{
	*why = ENV_OK;
	if (key_crypto_init(e) < 0)
		return LERR_INVAL;
	if (strcmp(h->sender, sender->party) != 0)
		return fail(why, ENV_WRONG_SENDER, e, "sealed by %s, not by %s", h->sender,
			    sender->party);
	if (sodium_memcmp(h->sender_pk, sender->sign_pk, KEY_SIGN_PK) != 0)
		return fail(why, ENV_WRONG_SENDER, e,
			    "signed with a key of %s that is not the one you trust for %s",
			    h->sender, sender->party);
	if (!verify2(h->sig, CTX_HEADER, h->raw, h->signed_len, NULL, 0, sender->sign_pk))
		return fail(why, ENV_BAD_SIGNATURE, e,
			    "the header is not what %s signed (changed after sealing)",
			    sender->party);
	uint8_t lh[ENV_HASH];
	crypto_generichash(lh, ENV_HASH, (const uint8_t *)h->label, h->label_len, NULL, 0);
	if (sodium_memcmp(lh, h->label_hash, ENV_HASH) != 0)
		return fail(why, ENV_CHANGED_LABEL, e, "the label is not the one %s signed",
			    sender->party);
	return 0;
}

int64_t envelope_plain_size(const struct env_header *h, uint64_t total)
{
	if (total < h->header_len + ENV_STREAM_HEADER + FINAL_MIN)
		return -1;
	uint64_t rest = total - h->header_len - ENV_STREAM_HEADER;
	uint64_t full = h->chunk + ENV_CHUNK_OVERHEAD;
	uint64_t k = rest >= FINAL_MIN + full ? (rest - FINAL_MIN) / full : 0;
	uint64_t last = rest - k * full;
	if (last < FINAL_MIN || last > h->chunk + FINAL_MIN)
		return -1;
	return (int64_t)(k * h->chunk + last - FINAL_MIN);
}

/* ---- opening ---- */

/* Finds my stanza and opens the file key into fk. */
static int file_key_for(const struct env_header *h, const struct key_secret *me, uint8_t *fk,
			enum env_check *why, struct lerr *e)
{
	/* my key, or one I retired: the stanza names the key it is sealed to */
	for (size_t j = 0; j <= me->nretired; j++) {
		const struct key_secret *k = j ? &me->retired[j - 1] : me;
		for (size_t i = 0; i < h->nstanzas; i++) {
			const struct env_stanza *s = &h->stanzas[i];
			if (sodium_memcmp(s->box_pk, k->pub.box_pk, KEY_BOX_PK) != 0)
				continue;
			if (crypto_box_seal_open(fk, s->sealed, ENV_SEALED_KEY, k->pub.box_pk,
						 k->box_sk) != 0)
				return fail(why, ENV_CORRUPTED, e,
					    "the file key sealed to %s is damaged", s->party);
			return 0;
		}
	}
	char list[ENV_RECIPIENTS_MAX * PARTY_CODE_MAX + 8] = "";
	size_t len = 0;
	for (size_t i = 0; i < h->nstanzas && len < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
					h->stanzas[i].party);
	return fail(why, ENV_NOT_FOR_YOU, e, "sealed to %s; not to the key of %s", list,
		    me->pub.party);
}

/* The state of a payload being opened. */
struct opening {
	int in;
	const struct env_header *h;
	const struct key_public *sender;
	struct pstream *ps;
	struct chash ph;
	struct hasher *hs;	      /* hashes the plaintext in its own thread */
	uint64_t tickets[AW_BUFFERS]; /* its last range in each output buffer */
	uint8_t *buf;		      /* ciphertext read ahead */
	size_t have, cap;
	uint64_t chunks, bytes, batches;
	env_progress progress;
	void *arg;
	bool synced;	 /* out is synced after: start its writeback as it goes */
	uint8_t *sha256; /* the plaintext's SHA-256, when asked for */
};

/* Decrypts `len` bytes at ct as the next chunk into plain. */
static int pull(struct opening *o, const uint8_t *ct, size_t len, uint8_t *plain, bool last,
		uint8_t *tag, size_t *mlen, enum env_check *why, struct lerr *e)
{
	o->chunks++;
	enum ps_result pr = ps_pull(o->ps, plain, mlen, tag, ct, len);
	if (pr == PS_OK)
		return 0;
	if (pr == PS_FAILED) /* this host's cipher, not the envelope: never a verdict on it */
		return fail(why, ENV_IO, e,
			    "chunk %llu: the cipher failed (out of memory, or "
			    "a libcrypto without ChaCha20-Poly1305)",
			    (unsigned long long)o->chunks);
	if (last)
		return fail(why, ENV_CORRUPTED, e,
			    "chunk %llu, the last, does not authenticate: the envelope is "
			    "truncated or was changed",
			    (unsigned long long)o->chunks);
	return fail(why, ENV_CORRUPTED, e, "chunk %llu does not authenticate",
		    (unsigned long long)o->chunks);
}

/*
 * The last chunk, at ct: its data goes to plain; the payload signature
 * after it must cover the header and everything decrypted. *n gets the
 * data's length.
 */
static int final_chunk(struct opening *o, const uint8_t *ct, size_t len, uint8_t *plain, size_t *n,
		       enum env_check *why, struct lerr *e)
{
	uint8_t tag;
	size_t mlen;
	int r = pull(o, ct, len, plain, true, &tag, &mlen, why, e);
	if (r < 0)
		return r;
	if (tag != PS_TAG_FINAL)
		return fail(why, ENV_TRUNCATED, e,
			    "the envelope ends after chunk %llu, not at its final chunk",
			    (unsigned long long)o->chunks);
	if (mlen < ENV_SIG)
		return fail(why, ENV_CORRUPTED, e, "the final chunk has no payload signature");
	*n = mlen - ENV_SIG;
	uint8_t ph[ENV_HASH];
	hs_finish(o->hs); /* everything before the last chunk is hashed */
	o->hs = NULL;
	chash_update(&o->ph, plain, *n);
	if (!chash_final(&o->ph, ph, o->sha256))
		return fail(why, ENV_IO, e, "the content hash failed");
	if (!verify2(plain + *n, ctx_payload(o->h->version), o->h->header_hash, ENV_HASH, ph,
		     ENV_HASH, o->sender->sign_pk))
		return fail(why, ENV_BAD_PAYLOAD, e, "the content is not what %s sealed",
			    o->sender->party);
	return 0;
}

/*
 * Decrypts the buffered chunks that cannot be the last into ob; at end of
 * input, the last one too (*done set). Returns 0 or a LERR code; *olen is
 * the plaintext put in ob.
 */
static int open_batch(struct opening *o, size_t k, uint8_t *ob, size_t *olen, bool eof, bool *done,
		      enum env_check *why, struct lerr *e)
{
	const size_t full = o->h->chunk + ENV_CHUNK_OVERHEAD;
	size_t off = 0;
	*olen = 0;
	/* more than a final chunk can hold remains: the first is not the last */
	while (o->have - off >= full + FINAL_MIN) {
		uint8_t tag;
		size_t mlen;
		int r = pull(o, o->buf + off, full, ob + *olen, false, &tag, &mlen, why, e);
		if (r < 0)
			return r;
		if (tag != PS_TAG_MESSAGE)
			return fail(why, ENV_CORRUPTED, e,
				    "chunk %llu is marked final, but more follows",
				    (unsigned long long)o->chunks);
		*olen += mlen;
		off += full;
	}
	if (*olen)
		o->tickets[k] = hs_submit(o->hs, ob, *olen);
	if (eof) {
		size_t rest = o->have - off, n = 0;
		if (rest < FINAL_MIN || rest > o->h->chunk + FINAL_MIN)
			return fail(why, ENV_TRUNCATED, e, "the envelope ends inside chunk %llu",
				    (unsigned long long)o->chunks + 1);
		int r = final_chunk(o, o->buf + off, rest, ob + *olen, &n, why, e);
		if (r < 0)
			return r;
		*olen += n;
		*done = true;
		return 0;
	}
	memmove(o->buf, o->buf + off, o->have - off);
	o->have -= off;
	return 0;
}

/*
 * The bytes left to read in a regular file in, when fewer than max; else
 * max (a pipe, or a larger file).
 */
static size_t left_within(int in, size_t max)
{
	struct stat sb;
	off_t at;
	if (fstat(in, &sb) != 0 || !S_ISREG(sb.st_mode) || (at = lseek(in, 0, SEEK_CUR)) < 0 ||
	    sb.st_size < at || (uint64_t)(sb.st_size - at) >= max)
		return max;
	return (size_t)(sb.st_size - at);
}

static int open_chunks(struct opening *o, int out, enum env_check *why, struct lerr *e)
{
	const size_t full = o->h->chunk + ENV_CHUNK_OVERHEAD, batch = batch_chunks(o->h->chunk);
	const size_t most = (batch + 1) * full + o->h->chunk + FINAL_MIN;
	/* a payload in one batch (a file that ends within it; a download's,
	 * often) is opened in this thread alone, in buffers of its size: a
	 * second and a third thread would cost more than they save. One more
	 * byte of room lets the first read see the end. */
	size_t left = left_within(o->in, most);
	bool small = left < most;
	o->cap = small ? left + 1 : most;
	o->buf = malloc(o->cap);
	/* a batch decrypts at most cap / full chunks, the last with its
	 * signature; the output's writeback is started as it goes only when it
	 * will be synced (standard output's, started, made an open of 256 MiB
	 * to a file on disk take 0.17-0.79 s, not 0.16-0.17, nine runs each:
	 * docs/performance.md, round fifteen) */
	struct awriter *w =
	    o->buf ? aw_start(out, (o->cap / full + 1) * o->h->chunk + ENV_SIG, !small, o->synced)
		   : NULL;
	if (!w) {
		free(o->buf);
		return fail(why, ENV_IO, e, "out of memory");
	}
	bool hashing = chash_init(&o->ph, o->h->version, o->sha256 != NULL);
	o->hs = hashing ? hs_start(&o->ph, !small) : NULL;
	int r = o->hs	  ? 0
		: hashing ? fail(why, ENV_IO, e, "cannot start a thread")
			  : fail(why, ENV_IO, e, "cannot start the content hash");
	for (bool eof = false, done = r < 0; !done;) {
		ssize_t got = fio_read_full(o->in, o->buf + o->have, o->cap - o->have);
		if (got < 0) {
			r = fail(why, ENV_IO, e, "cannot read: %s", strerror(errno));
			break;
		}
		/* a small payload is the file as it was seen: one read (if it grew
		 * meanwhile, its last chunk does not check) */
		eof = small || (size_t)got < o->cap - o->have;
		o->have += (size_t)got;
		uint8_t *ob = aw_take(w); /* buffers come in ring order */
		if (!ob)
			break; /* the writer failed: aw_finish says why */
		size_t k = o->batches++ % AW_BUFFERS, olen = 0;
		hs_wait(o->hs, o->tickets[k]); /* the hasher is done with it */
		r = open_batch(o, k, ob, &olen, eof, &done, why, e);
		aw_submit(w, ob, r == 0 ? olen : 0);
		if (r < 0)
			break;
		o->bytes += olen;
		if (o->progress)
			o->progress(o->arg, o->bytes);
	}
	if (o->hs) /* before the writer frees the buffers it may still be hashing */
		hs_finish(o->hs);
	if (hashing)
		chash_drop(&o->ph); /* when the final chunk did not finish it */
	if (aw_finish(w) != 0 && r == 0)
		r = fail(why, ENV_IO, e, "cannot write: %s", strerror(errno));
	free(o->buf);
	return r;
}

static int open_payload(int in, int out, const struct env_header *h, const struct key_secret *me,
			const struct key_public *sender, env_progress progress, void *arg,
			bool synced, uint64_t *bytes, uint8_t *sha256, enum env_check *why,
			struct lerr *e)
{
	if (bytes)
		*bytes = 0;
	int r = envelope_verify_header(h, sender, why, e);
	if (r < 0)
		return r;
	uint8_t sha[ENV_HASH];
	struct opening o = {.in = in,
			    .h = h,
			    .sender = sender,
			    .progress = progress,
			    .arg = arg,
			    .synced = synced,
			    .sha256 = sha256 ? sha : NULL};
	o.ps = ps_new(h->version);
	uint8_t *fk = kept_take(KEPT_KEYS, 2 * ENV_FILE_KEY), *pk = fk ? fk + ENV_FILE_KEY : NULL;
	uint8_t sh[ENV_STREAM_HEADER];
	if (!o.ps || !fk || !pk)
		r = fail(why, ENV_IO, e, "out of guarded memory");
	if (r == 0)
		r = file_key_for(h, me, fk, why, e);
	if (r == 0) {
		ssize_t got = fio_read_full(in, sh, sizeof sh);
		if (got < 0)
			r = fail(why, ENV_IO, e, "cannot read: %s", strerror(errno));
		else if ((size_t)got < sizeof sh)
			r = fail(why, ENV_TRUNCATED, e, "the envelope ends before its payload");
	}
	if (r == 0) {
		payload_key(pk, fk, h->version, h->key_hash, h->header_hash);
		enum ps_result pr = ps_init_pull(o.ps, sh, pk);
		if (pr == PS_FAILED)
			r = fail(why, ENV_IO, e,
				 "the cipher cannot start (out of memory, or a libcrypto "
				 "without ChaCha20-Poly1305)");
		else if (pr != PS_OK)
			r = fail(why, ENV_CORRUPTED, e, "the payload's stream header is damaged");
	}
	if (r == 0)
		r = open_chunks(&o, out, why, e);
	if (bytes)
		*bytes = o.bytes;
	ps_free(o.ps);
	kept_give(KEPT_KEYS, fk); /* wiped, pk with it */
	if (r == 0 && sha256)
		memcpy(sha256, sha, sizeof sha); /* only of a payload that opened */
	return r;
}

int envelope_open_payload(int in, int out, const struct env_header *h, const struct key_secret *me,
			  const struct key_public *sender, env_progress progress, void *arg,
			  bool synced, uint64_t *bytes, enum env_check *why, struct lerr *e)
{
	return open_payload(in, out, h, me, sender, progress, arg, synced, bytes, NULL, why, e);
}

int envelope_open_sha256(int in, int out, const struct env_header *h, const struct key_secret *me,
			 const struct key_public *sender, uint8_t sha256[ENV_HASH],
			 enum env_check *why, struct lerr *e)
{
	return open_payload(in, out, h, me, sender, NULL, NULL, false, NULL, sha256, why, e);
}
