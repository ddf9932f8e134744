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
