/*
 * merkle.h - the RFC 9162 Merkle tree: hashes, tree heads, inclusion and
 * consistency proofs and their verifiers. SHA-256 from libsodium.
 *
 *   leaf  = SHA-256(0x00 || entry)
 *   node  = SHA-256(0x01 || left || right)
 *   MTH({}) = SHA-256("")
 *
 * The tree is read through a source of complete subtree hashes: (level,
 * index) is MTH(D[index * 2^level, (index + 1) * 2^level)), the hash of an
 * aligned, complete subtree. A store that keeps every such hash as leaves
 * are appended (merkle_append says which) answers any tree head or proof
 * with O(log n) lookups, whatever the size: nothing is recomputed from the
 * leaves. Pure: no I/O but through the source.
 */
#ifndef LIAISON_LOG_MERKLE_H
#define LIAISON_LOG_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

#define MERKLE_HASH	32
#define MERKLE_PATH_MAX 64 /* no proof in a tree below 2^63 leaves is longer */

struct merkle_src {
	void *ctx;
	/* The hash of complete subtree (level, index); 0 or a negative LERR code. */
	int (*get)(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH],
		   struct lerr *e);
};

/* One complete subtree hash to store. */
struct merkle_node {
	unsigned level;
	uint64_t index;
	uint8_t hash[MERKLE_HASH];
};

void merkle_leaf_hash(const void *entry, size_t len, uint8_t out[MERKLE_HASH]);
void merkle_node_hash(const uint8_t left[MERKLE_HASH], const uint8_t right[MERKLE_HASH],
		      uint8_t out[MERKLE_HASH]);

/*
 * The complete subtree hashes that appending leaf `index` (whose leaf hash
 * is `leaf`) to a tree of `index` leaves creates: out[0] is (0, index), then
 * one per level it completes. At most 64. Reads left siblings from src.
 */
int merkle_append(const struct merkle_src *src, uint64_t index, const uint8_t leaf[MERKLE_HASH],
		  struct merkle_node out[64], size_t *n, struct lerr *e)
    __attribute__((nonnull(1, 3, 4, 5)));

/* The tree head of the first `size` leaves. */
int merkle_root(const struct merkle_src *src, uint64_t size, uint8_t out[MERKLE_HASH],
		struct lerr *e) __attribute__((nonnull(1, 3)));

/*
 * The inclusion proof of leaf `index` in the tree of `size` leaves (RFC
 * 9162 2.1.3.1), leaf side first; *n hashes in path.
 */
int merkle_inclusion(const struct merkle_src *src, uint64_t index, uint64_t size,
		     uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], size_t *n, struct lerr *e)
    __attribute__((nonnull(1, 4, 5)));

/* The consistency proof from size `first` to size `second` (RFC 9162 2.1.4.1). */
int merkle_consistency(const struct merkle_src *src, uint64_t first, uint64_t second,
		       uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH], size_t *n, struct lerr *e)
    __attribute__((nonnull(1, 4, 5)));

/* RFC 9162 2.1.3.2: does path prove leaf hash `leaf` at index in the tree with `root`? */
bool merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[MERKLE_HASH],
			     const uint8_t (*path)[MERKLE_HASH], size_t n,
			     const uint8_t root[MERKLE_HASH]);

/*
 * RFC 9162 2.1.4.2: does path prove that the tree of `second` leaves with
 * root2 extends the tree of `first` leaves with root1? Equal sizes need an
 * empty path and equal roots; first 0 is consistent with anything.
 */
bool merkle_verify_consistency(uint64_t first, uint64_t second, const uint8_t root1[MERKLE_HASH],
			       const uint8_t root2[MERKLE_HASH], const uint8_t (*path)[MERKLE_HASH],
			       size_t n);

#endif
