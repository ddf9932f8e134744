// The console's log verifiers without a browser (console/verify.js):
// consistency proofs (RFC 9162 2.1.4.2) checked against a direct
// implementation of the definitions for every pair of sizes up to 33, and
// refused when a hash, a size or a root changes; a page of the log's
// entries refused unless its indices are exactly from..to-1, each once,
// in order, and each entry's bytes say its index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { verifyConsistency, verifyInclusion, leafHash, checkLogPage } from '../../console/verify.js';

const sha = (...parts) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest());
const leaf = (i) => sha([0], Buffer.from(`entry ${i}`));
const node = (l, r) => sha([1], l, r);
const split = (n) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
function mth(d) {
  if (d.length === 0) return sha([]);
  if (d.length === 1) return d[0];
  const k = split(d.length);
  return node(mth(d.slice(0, k)), mth(d.slice(k)));
}
function subproof(m, d, b) {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  const k = split(n);
  if (m <= k) return [...subproof(m, d.slice(0, k), b), mth(d.slice(k))];
  return [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}
function path(m, d) {
  const n = d.length;
  if (n === 1) return [];
  const k = split(n);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

test('consistency proofs: every pair of sizes up to 33 verifies; a changed hash, size or root is refused', async () => {
  const leaves = Array.from({ length: 34 }, (_, i) => leaf(i));
  for (let n = 1; n <= 33; n++) {
    const d = leaves.slice(0, n);
    const rn = mth(d);
    for (let m = 1; m <= n; m++) {
      const rm = mth(d.slice(0, m));
      const p = m === n ? [] : subproof(m, d, true);
      assert.ok(await verifyConsistency(m, n, rm, rn, p), `${m} to ${n}`);
      const other = sha(Buffer.from('another root'));
      assert.ok(!(await verifyConsistency(m, n, other, rn, p)), `${m} to ${n}, another first root`);
      assert.ok(!(await verifyConsistency(m, n, rm, other, p)), `${m} to ${n}, another second root`);
      for (let j = 0; j < p.length; j++) {
        const q = p.map((x) => Uint8Array.from(x));
        q[j][0] ^= 1;
        assert.ok(!(await verifyConsistency(m, n, rm, rn, q)), `${m} to ${n}, hash ${j} changed`);
      }
      if (m < n) {
        const rn1 = mth(leaves.slice(0, n + 1));
        assert.ok(!(await verifyConsistency(m, n + 1, rm, rn1, p)), `${m} to ${n}: not to ${n + 1} (with its root)`);
        if (m > 1) assert.ok(!(await verifyConsistency(m - 1, n, mth(d.slice(0, m - 1)), rn, p)), `${m} to ${n}: not from ${m - 1} (with its root)`);
        assert.ok(!(await verifyConsistency(m, n, rm, rn, [])), `${m} to ${n}: an empty proof`);
      }
    }
  }
});

test('inclusion proofs from the same tree verify (the reference implementation agrees)', async () => {
  const d = Array.from({ length: 13 }, (_, i) => leaf(i));
  for (let i = 0; i < d.length; i++) assert.ok(await verifyInclusion(i, d.length, d[i], path(i, d), mth(d)), `entry ${i}`);
  const bytes = new TextEncoder().encode('{"seq":0}');
  assert.deepEqual(await leafHash(bytes), sha([0], bytes));
});

const b64 = (s) => Buffer.from(s).toString('base64');
const entry = (i) => ({ index: i, data: b64(JSON.stringify({ kind: 'x', seq: i })) });
const pageOf = (from, to, size, edit = (x) => x) => ({
  size,
  from,
  to,
  entries: edit(Array.from({ length: to - from }, (_, k) => entry(from + k))),
  next: to < size ? to - 1 : null,
});

test('a page of the log: entries from..to-1, each once, in order, each with its own bytes', () => {
  const p = checkLogPage(pageOf(0, 5, 9), 0, 5);
  assert.deepEqual(p.entries.map((e) => e.index), [0, 1, 2, 3, 4]);
  assert.equal(p.entries[3].json.seq, 3);
  assert.equal(new TextDecoder().decode(p.entries[3].bytes), '{"kind":"x","seq":3}');
  assert.equal(p.next, 4);
  const w = checkLogPage(pageOf(5, 9, 9, (es) => (es[1] = { index: 6, withheld: true, leaf_hash: Buffer.alloc(32, 7).toString('base64') }, es)), 5, 50);
  assert.equal(w.entries[1].withheld, true);
  assert.equal(w.entries[1].leaf.length, 32);
  assert.equal(w.next, null);
});

test('a page of the log refused: an index inserted twice, a gap, out of order, another start, bytes of another entry', () => {
  const refused = (p, from, limit, why) => assert.throws(() => checkLogPage(p, from, limit), /Refused/, why);
  // the reviewer's tamper: a forged row 5 inserted before the real one
  refused(pageOf(0, 10, 20, (es) => (es.splice(5, 0, { index: 5, data: b64('FORGED') }), es.pop(), es)), 0, 50, 'a duplicate');
  refused(pageOf(0, 10, 20, (es) => (es.splice(5, 0, { index: 5, data: b64('FORGED') }), es)), 0, 50, 'a row too many');
  refused(pageOf(0, 10, 20, (es) => (es.splice(7, 1), es)), 0, 50, 'a gap');
  refused(pageOf(0, 10, 20, (es) => ([es[2], es[3]] = [es[3], es[2]], es)), 0, 50, 'out of order');
  refused(pageOf(0, 10, 20, (es) => (es[4] = { index: 4.5, data: es[4].data }, es)), 0, 50, 'not a whole number');
  refused(pageOf(0, 10, 20, (es) => (es[4] = { index: '4', data: es[4].data }, es)), 0, 50, 'a string');
  refused(pageOf(0, 10, 20, (es) => (es[4] = { index: 4, data: es[5].data }, es)), 0, 50, "another entry's bytes");
  refused(pageOf(0, 10, 20, (es) => (es[4] = { index: 4, withheld: true, leaf_hash: 'AAAA' }, es)), 0, 50, 'a short leaf hash');
  refused(pageOf(3, 10, 20), 0, 50, 'another start than asked');
  refused(pageOf(0, 60, 80), 0, 50, 'more than the limit');
  refused(pageOf(0, 10, 8), 0, 50, 'beyond the size');
  refused({ ...pageOf(0, 10, 20), next: null }, 0, 50, 'no next page before the end');
  refused({ ...pageOf(0, 10, 10), next: 9 }, 0, 50, 'a next page after the end');
  refused({ ...pageOf(0, 10, 20), to: 11 }, 0, 50, 'to says more than the entries');
});
