// audit.js - the auditors' and federation pages: the log, a page at a
// time; a checkpoint's signature and an entry's inclusion proof verified
// here, in the browser, against a verifier key the auditor gives (kept in
// this browser's localStorage: it is public); peers' witnessing, their
// alarms, and the outbox.
import { api, h, show, field, table, errorView, busy, query } from './lib.js';
import { setBanners } from './banner.js';
import { decodeEntry, entrySummary } from './items.js';
import { b64decode, b64encode, parseVerifierKey, verifyCheckpoint, verifyInclusion, leafHash } from './verify.js';

const KEY = 'liaison.verifier-key';
const PAGE = 50;

export async function render(page, parts, params, slot) {
  if (page === 'peers') {
    await setBanners(null); // messages name items by id only
    return peersPage(slot);
  }
  return logPage(params, slot);
}

// The checkpoint this page verified: {size, root, origin}; null until one verifies.
let trusted = null;

async function logPage(params, slot) {
  const after = params.get('after');
  const page = await api('GET', `/v1/log/entries${query({ after, limit: PAGE })}`);
  const bytes = new Map(); // index -> the entry's bytes as served (their hash is computed here)

  const keyText = h('textarea', { name: 'key', rows: '2', spellcheck: 'false', class: 'mono' });
  keyText.value = localStorage.getItem(KEY) || '';
  const note = h('textarea', { name: 'checkpoint', rows: '6', spellcheck: 'false', class: 'mono note-text' });
  const cpOut = h('div', { 'aria-live': 'polite', class: 'cp-result' });
  const fetchCp = h('button', { type: 'button', class: 'secondary' }, 'Fetch a fresh checkpoint');
  const verifyCp = h('button', { type: 'submit' }, 'Verify the checkpoint');
  const form = h(
    'form',
    { class: 'panel verify', 'aria-labelledby': 'v-h' },
    h('h2', { id: 'v-h' }, 'Verify, in this browser'),
    h('p', null, "The node is not trusted for this: its signature is checked here with the key you give (from the node's operator: keys/PARTY.pub, or a peer's copy), and proofs are recomputed here from the entries' bytes."),
    field("The node's verifier key", keyText, 'liaison-public-key/v1 … line, or name+id+key. Kept in this browser.'),
    field('Checkpoint (a signed note)', note),
    h('p', null, fetchCp, ' ', verifyCp),
    cpOut,
  );
  fetchCp.addEventListener(
    'click',
    busy(fetchCp, async () => {
      try {
        const cp = await api('GET', '/v1/log/checkpoint');
        note.value = cp.note;
        trusted = null;
        show(cpOut, h('p', { role: 'status' }, `Fetched a checkpoint of size ${cp.size}: not yet verified.`));
      } catch (e) {
        if (e.status !== 401) show(cpOut, errorView(e));
      }
    }),
  );
  form.addEventListener(
    'submit',
    busy(verifyCp, async () => {
      trusted = null;
      try {
        const key = await parseVerifierKey(keyText.value);
        localStorage.setItem(KEY, keyText.value.trim());
        const cp = await verifyCheckpoint(note.value, key);
        trusted = cp;
        show(cpOut, h('p', { class: 'good', role: 'status', 'data-verified': 'true' }, `Signature verified: ${cp.origin}, a tree of ${cp.size} entries, root ${cp.rootB64}.`));
      } catch (e) {
        show(cpOut, h('p', { class: 'bad', role: 'alert', 'data-verified': 'false' }, `Refused: ${e.message}`));
      }
    }),
  );

  const rows = page.entries.map((e) => {
    const proofOut = h('span', { class: 'proof-result', 'aria-live': 'polite' });
    const prove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Prove entry ${e.index} is in the checkpoint's tree` }, 'Prove');
    prove.addEventListener('click', busy(prove, () => proveEntry(e, bytes, proofOut)));
    let kind = 'withheld';
    let date = '';
    let what = `an entry about an item beyond your clearance (leaf hash ${e.leaf_hash})`;
    if (!e.withheld) {
      bytes.set(e.index, b64decode(e.data));
      const j = decodeEntry(e.data) || {};
      kind = j.kind || '?';
      date = j.date || '';
      what = entrySummary(j);
      if (j.item) what = [h('a', { href: `#/items/${encodeURIComponent(j.item)}` }, j.item.slice(0, 12)), what ? ` ${what}` : ''];
    }
    return h('tr', { 'data-index': String(e.index) }, h('td', { class: 'num' }, String(e.index)), h('td', null, date), h('td', null, kind), h('td', null, what), h('td', null, prove, ' ', proofOut));
  });
  const pager = h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages of the log' },
    after ? h('a', { href: '#/log' }, 'First page') : null,
    page.next !== null && page.next !== undefined ? h('a', { href: `#/log${query({ after: page.next })}`, rel: 'next' }, 'Next page') : h('span', { class: 'muted' }, 'Last page'),
  );
  await setBanners(await labelled(page.entries));
  let alarms = null;
  try {
    const r = await fetch('/readyz', { cache: 'no-store' }).then((x) => x.json());
    if (r.alarms && r.alarms.length)
      alarms = h('div', { class: 'bad', role: 'alert' }, h('p', { class: 'verdict' }, "A peer's log raised an alarm"), h('ul', null, r.alarms.map((a) => h('li', null, `${a.party}: ${a.alarm}`))));
  } catch {
    /* the probe is not essential here */
  }
  show(
    slot,
    h('h1', null, 'The log'),
    h('p', null, `${page.size} entries; entries ${page.from} to ${page.to - 1} on this page.`),
    alarms,
    form,
    table('Entries', ['#', 'Date', 'Kind', 'What', 'Inclusion'], rows),
    pager,
  );
}

// labelled(entries): the items whose labels (titles) the entries show, for
// the banners: each as the node holds it, else as its label marks it.
async function labelled(entries) {
  const seen = new Map();
  for (const e of entries) {
    const j = e.withheld ? null : decodeEntry(e.data);
    if (j && j.item && j.label && !seen.has(j.item)) seen.set(j.item, j.label);
  }
  return Promise.all(
    [...seen].map(([id, label]) =>
      api('GET', `/v1/items/${encodeURIComponent(id)}`).catch(() => {
        const m = { party: label.originator, level: label.level };
        return { id, label, marking: m, local_marking: m };
      }),
    ),
  );
}

// proveEntry: the entry's leaf hash from its own bytes, the server's path,
// recomputed to the root the verified checkpoint signed.
async function proveEntry(e, bytes, out) {
  const say = (ok, text) => show(out, h('span', { class: ok ? 'good' : 'bad', role: ok ? 'status' : 'alert', 'data-proof': ok ? 'verified' : 'refused' }, text));
  if (!trusted) return say(false, 'Verify a checkpoint first: a proof leads to the root it signed.');
  if (e.index >= trusted.size) return say(false, `Entry ${e.index} is beyond the checkpoint's ${trusted.size} entries: fetch a newer one.`);
  try {
    const p = await api('GET', `/v1/log/proof${query({ index: e.index, size: trusted.size })}`);
    const leaf = bytes.has(e.index) ? await leafHash(bytes.get(e.index)) : b64decode(e.leaf_hash);
    const path = p.proof.map(b64decode);
    if (await verifyInclusion(e.index, trusted.size, leaf, path, trusted.root))
      return say(true, `Included: entry ${e.index}${bytes.has(e.index) ? ` (leaf ${b64encode(leaf).slice(0, 12)}…, from its bytes)` : ' (its leaf hash as given: withheld)'} is in the tree the checkpoint signed.`);
    return say(false, `Refused: the proof does not lead from entry ${e.index} to the checkpoint's root.`);
  } catch (err) {
    if (err.status === 401) return undefined;
    return say(false, `Refused: ${err.message}`);
  }
}

async function peersPage(slot) {
  const [peers, outbox] = await Promise.all([api('GET', '/v1/peers'), api('GET', '/v1/outbox')]);
  const prow = peers.peers.map((p) =>
    h(
      'tr',
      { 'data-peer': p.party },
      h('td', null, p.party),
      h('td', { class: 'mono' }, p.url),
      h('td', null, p.witnessed_size !== undefined ? `${p.witnessed_size} entries at ${p.witnessed_at}` : 'not yet'),
      h('td', null, p.alarm ? h('strong', { class: 'bad-text' }, `ALARM: ${p.alarm}`) : p.witness_error ? `last try failed: ${p.witness_error}` : 'none'),
      h('td', null, `${p.outbox.queued} queued, ${p.outbox.delivered} delivered, ${p.outbox.refused} refused`),
    ),
  );
  const mrow = outbox.messages.map((m) =>
    h(
      'tr',
      null,
      h('td', { class: 'mono' }, m.id.slice(0, 12)),
      h('td', null, m.to),
      h('td', null, m.kind),
      h('td', { class: 'mono' }, m.withheld ? 'withheld' : m.ref || ''),
      h('td', null, m.created_on),
      h('td', null, m.state + (m.state === 'queued' && m.next_try ? `, next try ${m.next_try}` : '') + (m.last_error ? ` (${m.last_error})` : '')),
      h('td', { class: 'num' }, String(m.attempts)),
    ),
  );
  show(
    slot,
    h('h1', null, 'Peers'),
    peers.alarm ? h('div', { class: 'bad', role: 'alert' }, h('p', { class: 'verdict' }, "A peer's log raised an alarm: the node is not ready until it is cleared (liaison peer clear-alarm).")) : null,
    prow.length ? table("Peers and the witnessing of their logs", ['Party', 'Address', 'Witnessed', 'Alarm', 'Outbox'], prow) : h('p', null, 'No peers.'),
    h('h2', null, 'Outbox'),
    mrow.length ? table('Messages to peers, oldest first', ['Message', 'To', 'Kind', 'About', 'Created', 'State', 'Tries'], mrow) : h('p', null, 'No messages.'),
    outbox.next ? h('p', { class: 'muted' }, 'More messages: the first page only.') : null,
  );
}
