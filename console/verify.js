// verify.js - the log's proofs checked in the browser, trusting nothing the
// server says about them: a checkpoint (a C2SP signed note) against the
// verifier key the auditor gives, with WebCrypto's Ed25519; an inclusion
// proof (RFC 9162, 2.1.3.2) with SHA-256, from the entry's own bytes to
// the root of a checkpoint whose signature verified. docs/log.md.

const enc = new TextEncoder();

export function b64decode(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4) throw new Error('not base64');
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function b64encode(u8) {
  let s = '';
  for (const b of u8) s += String.fromCharCode(b);
  return btoa(s);
}

function concat(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));
}

function same(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

const hex = (u8) => [...u8].map((b) => b.toString(16).padStart(2, '0')).join('');

// key ID = the first four bytes of SHA-256(name || 0x0A || 0x01 || public key)
export async function keyId(name, pub) {
  return (await sha256(enc.encode(name), Uint8Array.of(0x0a, 0x01), pub)).slice(0, 4);
}

// parseVerifierKey(text): {name, pub, id} from the node's public key line
// ("liaison-public-key/v1 JPN ed25519=... x25519=...", keys/JPN.pub: its
// name is liaison/JPN) or a C2SP verifier key ("liaison/JPN+1a2b3c4d+AX...").
export async function parseVerifierKey(text) {
  const t = (text || '').trim();
  let name;
  let pub;
  let m = /^liaison-public-key\/v1 ([A-Z0-9_-]{1,16}) .*\bed25519=([A-Za-z0-9+/=]+)/.exec(t);
  if (m) {
    name = `liaison/${m[1]}`;
    pub = b64decode(m[2]);
  } else if ((m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(t))) {
    const raw = b64decode(m[3]);
    if (raw[0] !== 0x01) throw new Error('the verifier key is not an Ed25519 key (its type byte is not 0x01)');
    name = m[1];
    pub = raw.slice(1);
    if (hex(await keyId(name, pub)) !== m[2]) throw new Error("the verifier key's id does not match its name and key");
  } else {
    throw new Error('not a verifier key: paste the node\'s public key line (keys/PARTY.pub) or a name+id+key verifier key');
  }
  if (pub.length !== 32) throw new Error('the Ed25519 public key is not 32 bytes');
  return { name, pub, id: await keyId(name, pub) };
}

// verifyCheckpoint(note, key): {origin, size, root, rootB64} when a
// signature by the key verifies over the note's text; throws, saying why, else.
export async function verifyCheckpoint(note, key) {
  const cut = note.indexOf('\n\n');
  if (cut < 0) throw new Error('not a signed note: no blank line before the signatures');
  const text = note.slice(0, cut + 1);
  const sigs = note.slice(cut + 2).split('\n');
  if (sigs[sigs.length - 1] === '') sigs.pop();
  const ours = [];
  for (const line of sigs) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new Error(`not a signature line: ${line.slice(0, 80)}`);
    if (m[1] !== key.name) continue; // another key's (a witness's cosignature)
    const raw = b64decode(m[2]);
    if (raw.length !== 68) throw new Error('a signature is not 4 + 64 bytes');
    if (same(raw.slice(0, 4), key.id)) ours.push(raw.slice(4));
  }
  if (!ours.length) throw new Error(`no signature by ${key.name} with key ID ${hex(key.id)}: not signed by the key given`);
  const k = await crypto.subtle.importKey('raw', key.pub, { name: 'Ed25519' }, false, ['verify']);
  for (const sig of ours)
    if (!(await crypto.subtle.verify({ name: 'Ed25519' }, k, sig, enc.encode(text))))
      throw new Error(`the signature by ${key.name} does not verify: the note was changed or not signed by this key`);
  const lines = text.split('\n');
  if (lines.length < 4) throw new Error('a checkpoint has an origin, a size and a root');
  const [origin, sizeText, rootB64] = lines;
  if (origin !== key.name) throw new Error(`the checkpoint's origin ${origin} is not the key's name ${key.name}`);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new Error('the tree size is not a decimal number');
  const root = b64decode(rootB64);
  if (root.length !== 32) throw new Error('the root hash is not 32 bytes');
  return { origin, size: Number(sizeText), root, rootB64 };
}

export async function leafHash(entryBytes) {
  return sha256(Uint8Array.of(0x00), entryBytes);
}

// verifyInclusion(index, size, leaf, path, root): RFC 9162, 2.1.3.2
export async function verifyInclusion(index, size, leaf, path, root) {
  if (!(index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (p.length !== 32 || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(0x01), p, r);
      if (fn % 2 === 0)
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
    } else {
      r = await sha256(Uint8Array.of(0x01), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(r, root);
}

// verifyConsistency(first, second, firstRoot, secondRoot, proof): RFC 9162,
// 2.1.4.2: the tree of `second` entries with secondRoot extends the tree of
// `first` entries with firstRoot (both roots the verifier's own, never the
// server's). first 0 is consistent with anything; equal sizes need equal
// roots and no proof.
export async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 0 && first <= second)) return false;
  if (first === 0) return proof.length === 0;
  if (first === second) return proof.length === 0 && same(firstRoot, secondRoot);
  if (!proof.length || proof.some((p) => p.length !== 32)) return false;
  const path = isPow2(first) ? [firstRoot, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await sha256(Uint8Array.of(0x01), c, fr);
      sr = await sha256(Uint8Array.of(0x01), c, sr);
      if (fn % 2 === 0)
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
    } else {
      sr = await sha256(Uint8Array.of(0x01), sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(fr, firstRoot) && same(sr, secondRoot);
}

function isPow2(n) {
  let x = n;
  while (x > 1 && x % 2 === 0) x /= 2;
  return x === 1;
}

// checkLogPage(page, from, limit): a page of GET /v1/log/entries asked from
// entry `from` (after: from - 1) with `limit`, checked before anything of it
// is shown or proved: its from is the one asked, to within the log's size
// and the limit, its entries exactly from..to-1, each once, in order, each
// either bytes (base64; a log entry is JSON whose seq is its index) or
// withheld with a 32-byte leaf hash; next is to - 1 when more follow, else
// null. Each entry comes back with its own bytes and what they say:
// {index, withheld, bytes, leaf, json}. Throws, saying what is wrong.
export function checkLogPage(page, from, limit) {
  const count = (x) => Number.isSafeInteger(x) && x >= 0;
  const bad = (why) => new Error(`Refused: the node's page of the log is not what was asked for (${why}). Nothing of it is shown.`);
  if (!page || typeof page !== 'object' || !Array.isArray(page.entries)) throw bad('no list of entries');
  const { size, to } = page;
  if (!count(size) || !count(page.from) || !count(to)) throw bad('its size, from and to are not whole numbers');
  if (page.from !== from) throw bad(`it starts at entry ${page.from}, not at ${from}`);
  if (to < from || to > size || to - from > limit) throw bad(`entries ${from} to ${to - 1} are not within the log's ${size} and ${limit} a page`);
  if (page.entries.length !== to - from) throw bad(`${page.entries.length} entries for entries ${from} to ${to - 1}`);
  const next = page.next === undefined ? null : page.next;
  if (to < size ? next !== to - 1 : next !== null) throw bad('its next page is not where this one ends');
  return {
    size,
    from,
    to,
    next,
    entries: page.entries.map((e, k) => {
      const index = from + k;
      if (!e || typeof e !== 'object' || e.index !== index)
        throw bad(`its entry ${k + 1} says index ${e && typeof e === 'object' ? String(e.index) : '?'}, not ${index}: the indices must be ${from} to ${to - 1}, each once, in order`);
      if (e.withheld === true) {
        let leaf;
        try {
          leaf = b64decode(e.leaf_hash);
        } catch {
          leaf = null;
        }
        if (!leaf || leaf.length !== 32) throw bad(`withheld entry ${index} has no 32-byte leaf hash`);
        return { index, withheld: true, bytes: null, leaf, json: null };
      }
      let bytes;
      let json;
      try {
        bytes = b64decode(e.data);
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch {
        throw bad(`entry ${index}'s bytes are not a log entry`);
      }
      if (!json || typeof json !== 'object' || json.seq !== index) throw bad(`entry ${index}'s bytes say it is entry ${json && typeof json === 'object' ? String(json.seq) : '?'}`);
      return { index, withheld: false, bytes, leaf: null, json };
    }),
  };
}
