/* test_merkle.c - RFC 9162 hashing: the RFC 6962 eight-leaf vectors,
 * inclusion and consistency proofs for every pair of sizes up to 64 checked
 * against a direct implementation, verified, and rejected when any hash,
 * index or size is changed. */
#include <sodium.h>

#include "helpers.h"
#include "log/merkle.h"

TestSuite(merkle, .fini = leak_check);

#define NMAX 64

/* An in-memory store of complete subtree hashes. */
static uint8_t tree[7][NMAX][MERKLE_HASH];
static bool have[7][NMAX];
static uint8_t leaves[NMAX][40];
static size_t leaf_len[NMAX];

static int get(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH], struct lerr *e)
{
	(void)ctx;
	if (level >= 7 || index >= NMAX || !have[level][index])
		return lerr_set(e, LERR_NOTFOUND, "no hash (%u, %llu)", level,
				(unsigned long long)index);
	memcpy(out, tree[level][index], MERKLE_HASH);
	return 0;
}

static const struct merkle_src src = {NULL, get};

static void append(size_t i)
{
	uint8_t leaf[MERKLE_HASH];
	struct merkle_node nodes[64];
	size_t n;
	struct lerr e = {0};
	merkle_leaf_hash(leaves[i], leaf_len[i], leaf);
	cr_assert_eq(merkle_append(&src, i, leaf, nodes, &n, &e), 0, "%s", e.msg);
	for (size_t k = 0; k < n; k++) {
		memcpy(tree[nodes[k].level][nodes[k].index], nodes[k].hash, MERKLE_HASH);
		have[nodes[k].level][nodes[k].index] = true;
	}
}

static void build(size_t count)
{
	memset(have, 0, sizeof have);
	for (size_t i = 0; i < count; i++)
		append(i);
}

/* ---- the RFC's definitions, straight from the leaves ---- */

static uint64_t split(uint64_t n)
{
	uint64_t k = 1;
	while (k * 2 < n)
		k *= 2;
	return k;
}

static void mth(size_t start, size_t end, uint8_t out[MERKLE_HASH])
{
	if (end == start) {
		crypto_hash_sha256(out, NULL, 0);
	} else if (end - start == 1) {
		merkle_leaf_hash(leaves[start], leaf_len[start], out);
	} else {
		uint8_t l[MERKLE_HASH], r[MERKLE_HASH];
		size_t k = split(end - start);
		mth(start, start + k, l);
		mth(start + k, end, r);
		merkle_node_hash(l, r, out);
	}
}

static void naive_path(size_t m, size_t start, size_t end, uint8_t (*p)[MERKLE_HASH], size_t *n)
{
	if (end - start <= 1)
		return;
	size_t k = split(end - start);
	if (m < start + k) {
		naive_path(m, start, start + k, p, n);
		mth(start + k, end, p[(*n)++]);
	} else {
		naive_path(m, start + k, end, p, n);
		mth(start, start + k, p[(*n)++]);
	}
}

static void naive_sub(size_t m, size_t start, size_t end, bool b, uint8_t (*p)[MERKLE_HASH],
		      size_t *n)
{
	if (m == end - start) {
		if (!b)
			mth(start, end, p[(*n)++]);
		return;
	}
	size_t k = split(end - start);
	if (m <= k) {
		naive_sub(m, start, start + k, b, p, n);
		mth(start + k, end, p[(*n)++]);
	} else {
		naive_sub(m - k, start + k, end, false, p, n);
		mth(start, start + k, p[(*n)++]);
	}
}

static void hex(const char *h, uint8_t *out, size_t n)
{
	cr_assert_eq(sodium_hex2bin(out, n, h, strlen(h), NULL, NULL, NULL), 0);
}

Test(merkle, rfc6962_eight_leaf_roots)
{
	static const char *const in[8] = {"",
					  "00",
					  "10",
					  "2021",
					  "3031",
					  "40414243",
					  "5051525354555657",
					  "606162636465666768696a6b6c6d6e6f"};
	static const char *const roots[9] = {
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
	memset(have, 0, sizeof have);
	for (size_t i = 0; i < 8; i++) {
		leaf_len[i] = strlen(in[i]) / 2;
		if (leaf_len[i])
			hex(in[i], leaves[i], leaf_len[i]);
	}
	struct lerr e = {0};
	for (size_t n = 0; n <= 8; n++) {
		if (n)
			append(n - 1);
		uint8_t want[MERKLE_HASH], got[MERKLE_HASH];
		hex(roots[n], want, sizeof want);
		cr_assert_eq(merkle_root(&src, n, got, &e), 0, "%s", e.msg);
		cr_assert(memcmp(got, want, MERKLE_HASH) == 0, "root of size %zu", n);
	}
}

static void random_leaves(void)
{
	for (size_t i = 0; i < NMAX; i++) {
		leaf_len[i] = (size_t)snprintf((char *)leaves[i], sizeof leaves[i],
					       "{\"seq\":%zu,\"kind\":\"test\"}", i);
	}
	build(NMAX);
}

Test(merkle, inclusion_proofs_for_every_pair_up_to_64)
{
	random_leaves();
	struct lerr e = {0};
	uint8_t roots[NMAX + 2][MERKLE_HASH];
	for (uint64_t s = 0; s <= NMAX; s++)
		cr_assert_eq(merkle_root(&src, s, roots[s], &e), 0);
	memset(roots[NMAX + 1], 0x55, MERKLE_HASH);
	/* a changed size is checked against the root of that size, as a checkpoint binds them */
	for (uint64_t size = 1; size <= NMAX; size++) {
		uint8_t root[MERKLE_HASH], want_root[MERKLE_HASH];
		cr_assert_eq(merkle_root(&src, size, root, &e), 0, "%s", e.msg);
		mth(0, size, want_root);
		cr_assert(memcmp(root, want_root, MERKLE_HASH) == 0);
		for (uint64_t i = 0; i < size; i++) {
			uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH],
			    want[MERKLE_PATH_MAX][MERKLE_HASH];
			uint8_t leaf[MERKLE_HASH];
			size_t n, wn = 0;
			cr_assert_eq(merkle_inclusion(&src, i, size, path, &n, &e), 0, "%s", e.msg);
			naive_path(i, 0, size, want, &wn);
			cr_assert_eq(n, wn);
			cr_assert(memcmp(path, want, n * MERKLE_HASH) == 0, "%llu in %llu",
				  (unsigned long long)i, (unsigned long long)size);
			merkle_leaf_hash(leaves[i], leaf_len[i], leaf);
			const uint8_t(*cp)[MERKLE_HASH] = (const uint8_t(*)[MERKLE_HASH])path;
			cr_assert(merkle_verify_inclusion(i, size, leaf, cp, n, root));
			/* any change is caught */
			cr_assert_not(merkle_verify_inclusion(i + 1, size, leaf, cp, n, root));
			if (i > 0)
				cr_assert_not(
				    merkle_verify_inclusion(i - 1, size, leaf, cp, n, root));
			cr_assert_not(
			    merkle_verify_inclusion(i, size + 1, leaf, cp, n, roots[size + 1]),
			    "%llu in %llu + 1", (unsigned long long)i, (unsigned long long)size);
			cr_assert_not(
			    merkle_verify_inclusion(i, size - 1, leaf, cp, n, roots[size - 1]));
			for (size_t k = 0; k < n; k++) {
				path[k][k % MERKLE_HASH] ^= 0x01;
				cr_assert_not(merkle_verify_inclusion(i, size, leaf, cp, n, root));
				path[k][k % MERKLE_HASH] ^= 0x01;
			}
			if (n)
				cr_assert_not(
				    merkle_verify_inclusion(i, size, leaf, cp, n - 1, root));
			leaf[3] ^= 0x80;
			cr_assert_not(merkle_verify_inclusion(i, size, leaf, cp, n, root));
			leaf[3] ^= 0x80;
			root[0] ^= 0x01;
			cr_assert_not(merkle_verify_inclusion(i, size, leaf, cp, n, root));
			root[0] ^= 0x01;
		}
	}
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH];
	size_t n;
	cr_assert_eq(merkle_inclusion(&src, 5, 5, path, &n, &e), LERR_INVAL);
}

Test(merkle, consistency_proofs_for_every_pair_up_to_64)
{
	random_leaves();
	struct lerr e = {0};
	uint8_t roots[NMAX + 1][MERKLE_HASH];
	for (uint64_t s = 0; s <= NMAX; s++)
		cr_assert_eq(merkle_root(&src, s, roots[s], &e), 0);
	for (uint64_t m = 0; m <= NMAX; m++)
		for (uint64_t size = m; size <= NMAX; size++) {
			uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH],
			    want[MERKLE_PATH_MAX][MERKLE_HASH];
			size_t n, wn = 0;
			cr_assert_eq(merkle_consistency(&src, m, size, path, &n, &e), 0, "%s",
				     e.msg);
			if (m > 0 && m < size)
				naive_sub(m, 0, size, true, want, &wn);
			cr_assert_eq(n, wn, "%llu -> %llu", (unsigned long long)m,
				     (unsigned long long)size);
			cr_assert(memcmp(path, want, n * MERKLE_HASH) == 0);
			const uint8_t(*cp)[MERKLE_HASH] = (const uint8_t(*)[MERKLE_HASH])path;
			cr_assert(merkle_verify_consistency(m, size, roots[m], roots[size], cp, n),
				  "%llu -> %llu", (unsigned long long)m, (unsigned long long)size);
			if (m == 0)
				continue;
			/* a changed hash, size or root is caught */
			for (size_t k = 0; k < n; k++) {
				path[k][(k * 7) % MERKLE_HASH] ^= 0x04;
				cr_assert_not(merkle_verify_consistency(m, size, roots[m],
									roots[size], cp, n),
					      "%llu -> %llu, hash %zu changed",
					      (unsigned long long)m, (unsigned long long)size, k);
				path[k][(k * 7) % MERKLE_HASH] ^= 0x04;
			}
			if (m < size) {
				cr_assert_not(merkle_verify_consistency(m, size, roots[m - 1],
									roots[size], cp, n));
				cr_assert_not(merkle_verify_consistency(m, size, roots[m],
									roots[size - 1], cp, n));
				cr_assert_not(merkle_verify_consistency(m + 1, size, roots[m + 1],
									roots[size], cp, n));
				if (size < NMAX)
					cr_assert_not(
					    merkle_verify_consistency(m, size + 1, roots[m],
								      roots[size + 1], cp, n),
					    "%llu -> %llu + 1", (unsigned long long)m,
					    (unsigned long long)size);
				cr_assert_not(merkle_verify_consistency(m, size, roots[m],
									roots[size], cp, n - 1));
			}
		}
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH];
	size_t n;
	cr_assert_eq(merkle_consistency(&src, 9, 8, path, &n, &e), LERR_INVAL);
}
