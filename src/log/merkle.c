/* merkle.c - RFC 9162 Merkle tree hashing and proofs (see merkle.h). */
#include "merkle.h"

#include <sodium.h>
#include <string.h>

void merkle_leaf_hash(const void *entry, size_t len, uint8_t out[MERKLE_HASH])
{
	static const uint8_t prefix = 0x00;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, entry, len);
	crypto_hash_sha256_final(&st, out);
}

void merkle_node_hash(const uint8_t left[MERKLE_HASH], const uint8_t right[MERKLE_HASH],
		      uint8_t out[MERKLE_HASH])
{
	uint8_t buf[1 + 2 * MERKLE_HASH];
	buf[0] = 0x01;
	memcpy(buf + 1, left, MERKLE_HASH);
	memcpy(buf + 1 + MERKLE_HASH, right, MERKLE_HASH);
	crypto_hash_sha256(out, buf, sizeof buf);
}

/* The largest power of two below w (w >= 2). */
static uint64_t split(uint64_t w)
{
	return (uint64_t)1 << (63 - __builtin_clzll(w - 1));
}

/* MTH(D[start, end)), start aligned as RFC 9162's recursion leaves it. */
static int range(const struct merkle_src *s, uint64_t start, uint64_t end, uint8_t out[MERKLE_HASH],
		 struct lerr *e)
{
	uint64_t w = end - start;
	if ((w & (w - 1)) == 0) {
		unsigned level = (unsigned)__builtin_ctzll(w);
		if (start & (w - 1))
			return lerr_set(e, LERR_INVAL, "merkle: range %llu+%llu is not aligned",
					(unsigned long long)start, (unsigned long long)w);
		return s->get(s->ctx, level, start >> level, out, e);
	}
	uint8_t l[MERKLE_HASH], r[MERKLE_HASH];
	uint64_t k = split(w);
	int res = range(s, start, start + k, l, e);
	if (res == 0)
		res = range(s, start + k, end, r, e);
	if (res == 0)
		merkle_node_hash(l, r, out);
	return res;
}

int merkle_append(const struct merkle_src *src, uint64_t index, const uint8_t leaf[MERKLE_HASH],
		  struct merkle_node out[64], size_t *n, struct lerr *e)
{
	uint8_t h[MERKLE_HASH], left[MERKLE_HASH];
	memcpy(h, leaf, MERKLE_HASH);
	out[0].level = 0;
	out[0].index = index;
	memcpy(out[0].hash, h, MERKLE_HASH);
	*n = 1;
	unsigned level = 0;
	for (uint64_t i = index; i & 1; i >>= 1) {
		int r = src->get(src->ctx, level, i - 1, left, e);
		if (r < 0)
			return r;
		merkle_node_hash(left, h, h);
		level++;
		out[*n].level = level;
		out[*n].index = i >> 1;
		memcpy(out[*n].hash, h, MERKLE_HASH);
		(*n)++;
	}
	return 0;
}

int merkle_root(const struct merkle_src *src, uint64_t size, uint8_t out[MERKLE_HASH],
		struct lerr *e)
{
	if (size == 0) {
		crypto_hash_sha256(out, NULL, 0);
		return 0;
	}
	return range(src, 0, size, out, e);
}

struct proof {
	const struct merkle_src *src;
	uint8_t (*path)[MERKLE_HASH];
	size_t n;
	struct lerr *e;
};

static int add(struct proof *p, uint64_t start, uint64_t end)
{
	if (p->n == MERKLE_PATH_MAX)
		return lerr_set(p->e, LERR_LIMIT, "merkle: proof longer than %d", MERKLE_PATH_MAX);
	return range(p->src, start, end, p->path[p->n++], p->e);
}

/* PATH(m, D[start, end)) */
static int path(struct proof *p, uint64_t m, uint64_t start, uint64_t end)
{
	if (end - start == 1)
		return 0;
	uint64_t k = split(end - start);
	if (m < start + k) {
		int r = path(p, m, start, start + k);
		return r < 0 ? r : add(p, start + k, end);
	}
	int r = path(p, m, start + k, end);
	return r < 0 ? r : add(p, start, start + k);
}

/* SUBPROOF(m, D[start, end), b), m counted from start */
static int subproof(struct proof *p, uint64_t m, uint64_t start, uint64_t end, bool b)
{
	uint64_t n = end - start;
	if (m == n)
		return b ? 0 : add(p, start, end);
	uint64_t k = split(n);
	if (m <= k) {
		int r = subproof(p, m, start, start + k, b);
		return r < 0 ? r : add(p, start + k, end);
	}
	int r = subproof(p, m - k, start + k, end, false);
	return r < 0 ? r : add(p, start, start + k);
}

int merkle_inclusion(const struct merkle_src *src, uint64_t index, uint64_t size,
		     uint8_t out[MERKLE_PATH_MAX][MERKLE_HASH], size_t *n, struct lerr *e)
{
	*n = 0;
	if (index >= size)
		return lerr_set(e, LERR_INVAL, "index %llu is not in a tree of %llu entries",
				(unsigned long long)index, (unsigned long long)size);
	struct proof p = {src, out, 0, e};
	int r = path(&p, index, 0, size);
	*n = r == 0 ? p.n : 0;
	return r;
}

int merkle_consistency(const struct merkle_src *src, uint64_t first, uint64_t second,
		       uint8_t out[MERKLE_PATH_MAX][MERKLE_HASH], size_t *n, struct lerr *e)
{
	*n = 0;
	if (first > second)
		return lerr_set(e, LERR_INVAL, "size %llu is larger than size %llu",
				(unsigned long long)first, (unsigned long long)second);
	if (first == 0 || first == second)
		return 0;
	struct proof p = {src, out, 0, e};
	int r = subproof(&p, first, 0, second, true);
	*n = r == 0 ? p.n : 0;
	return r;
}

bool merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[MERKLE_HASH],
			     const uint8_t (*path_)[MERKLE_HASH], size_t n,
			     const uint8_t root[MERKLE_HASH])
{
	if (index >= size)
		return false;
	uint64_t fn = index, sn = size - 1;
	uint8_t r[MERKLE_HASH];
	memcpy(r, leaf, MERKLE_HASH);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(path_[i], r, r);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			merkle_node_hash(r, path_[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, MERKLE_HASH) == 0;
}

bool merkle_verify_consistency(uint64_t first, uint64_t second, const uint8_t root1[MERKLE_HASH],
			       const uint8_t root2[MERKLE_HASH],
			       const uint8_t (*path_)[MERKLE_HASH], size_t n)
{
	if (first > second)
		return false;
	if (first == second)
		return n == 0 && sodium_memcmp(root1, root2, MERKLE_HASH) == 0;
	if (first == 0)
		return n == 0;
	if (n == 0)
		return false;
	/* a power-of-two first is its own first proof node */
	size_t i = 0;
	const uint8_t *c0 = path_[0];
	if ((first & (first - 1)) == 0)
		c0 = root1;
	else
		i = 1;
	uint64_t fn = first - 1, sn = second - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	uint8_t fr[MERKLE_HASH], sr[MERKLE_HASH];
	memcpy(fr, c0, MERKLE_HASH);
	memcpy(sr, c0, MERKLE_HASH);
	for (; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(path_[i], fr, fr);
			merkle_node_hash(path_[i], sr, sr);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			merkle_node_hash(sr, path_[i], sr);
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(fr, root1, MERKLE_HASH) == 0 &&
	       sodium_memcmp(sr, root2, MERKLE_HASH) == 0;
}
