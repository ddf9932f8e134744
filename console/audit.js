// audit.js - the auditors' and federation pages: the log, a page at a
// time; a checkpoint's signature and an entry's inclusion proof verified
// here, in the browser, against a verifier key the auditor gives (kept in
// this browser's localStorage: it is public); peers' witnessing, their
// alarms, and the outbox; the compromise reports peers sent, acknowledged
// by a security officer.
import { api, h, iso, show, field, table, errorView, busy, query, isId, pathId, BadAddress, mayChange } from './lib.js';
import { setBanners, bannersUnknown } from './banner.js';
import { entrySummary } from './items.js';
import { b64decode, b64encode, parseVerifierKey, verifyCheckpoint, verifyInclusion, verifyConsistency, leafHash, checkLogPage } from './verify.js';

const KEY = 'liaison.verifier-key';
const SEEN = 'liaison.checkpoints'; // {origin: {size, root}}: the last checkpoint verified here, per log
const PAGE = 50;

export async function render(page, parts, params, slot, route) {
  if (page === 'peers') {
    await setBanners(null, route); // messages name items by id only
    return peersPage(slot);
  }
  if (page === 'reports') return reportsPage(slot, route);
  return logPage(params, slot, route);
}

// The checkpoint this page verified: {size, root, origin}; null until one verifies.
let trusted = null;

// The checkpoint of each log this browser verified last, kept in
// localStorage (public data): a later one must extend it (a consistency
// proof), so a log rolled back or forked between visits is refused.
function seen(origin) {
  try {
    const all = JSON.parse(localStorage.getItem(SEEN) || '{}');
    const c = all && all[origin];
    if (!c || !Number.isSafeInteger(c.size) || c.size < 0) return null;
    const root = b64decode(c.root);
    return root.length === 32 ? { size: c.size, root, rootB64: c.root } : null;
  } catch {
    return null;
  }
}
function remember(cp) {
  let all = {};
  try {
    all = JSON.parse(localStorage.getItem(SEEN) || '{}') || {};
  } catch {
    /* start again */
  }
  all[cp.origin] = { size: cp.size, root: cp.rootB64 };
  localStorage.setItem(SEEN, JSON.stringify(all));
}

// consistent(cp): checks the verified checkpoint cp against the last one
// verified here for its log: the smaller tree must be a prefix of the
// larger (RFC 9162 2.1.4.2, from the two verified roots; the node gives
// only the proof). Returns a sentence for the page; throws when it is not.
async function consistent(cp) {
  const old = seen(cp.origin);
  if (!old) return 'No earlier checkpoint of this log was verified in this browser: it is kept to check the next one against.';
  const [a, b] = old.size <= cp.size ? [old, cp] : [cp, old];
  let proof = [];
  if (a.size > 0 && a.size < b.size) {
    let p;
    try {
      p = await api('GET', `/v1/log/consistency${query({ from: a.size, to: b.size })}`);
    } catch (e) {
      if (e.status === 401) throw e;
      throw new Error(
        `the node gives no proof that a tree of ${b.size} entries extends the one of ${a.size} (${e.message}); this browser verified a checkpoint of ${old.size} entries before: the log may have been rolled back`,
      );
    }
    if (!p || !Array.isArray(p.proof)) throw new Error('the node gave no consistency proof');
    proof = p.proof.map(b64decode);
  }
  if (!(await verifyConsistency(a.size, b.size, a.root, b.root, proof)))
    throw new Error(
      `this checkpoint (${cp.size} entries) is not consistent with the one verified before in this browser (${old.size} entries, root ${old.rootB64}): the log was rewritten, rolled back or forked`,
    );
  return old.size === cp.size
    ? `The same tree as the checkpoint verified before in this browser.`
    : `Consistent with the checkpoint of ${old.size} entries verified before in this browser (proved here).`;
}

async function logPage(params, slot, route) {
  const afterText = params.get('after');
  const after = afterText === null ? undefined : /^(0|[1-9][0-9]*)$/.test(afterText) ? Number(afterText) : NaN;
  if (after !== undefined && !Number.isSafeInteger(after))
    throw new BadAddress('No such page of the log', 'This address names no page of the log. Nothing was asked of the node.');
  const from = after === undefined ? 0 : after + 1;
  // the page is checked whole before anything of it is shown: each row
  // then carries its own bytes, for its summary and for its proof
  const page = checkLogPage(await api('GET', `/v1/log/entries${query({ after, limit: PAGE })}`), from, PAGE);

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
    field("The node's verifier key", keyText, 'liaison-public-key/v1 … line, or name+id+key. Kept in this browser once a checkpoint verifies with it.'),
    field('Checkpoint (a signed note)', note),
    h('p', null, fetchCp, ' ', verifyCp),
    cpOut,
  );
  fetchCp.addEventListener(
    'click',
    busy(fetchCp, async () => {
      try {
        const cp = await api('GET', '/v1/log/checkpoint');
        if (!cp || typeof cp.note !== 'string') throw new Error('An unexpected answer from the node: no checkpoint.');
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
      show(cpOut, h('p', { role: 'status' }, 'Verifying…')); // no verdict until this one's
      try {
        const key = await parseVerifierKey(keyText.value);
        const cp = await verifyCheckpoint(note.value, key);
        // the key is kept only once a checkpoint verified with it
        localStorage.setItem(KEY, keyText.value.trim());
        const said = await consistent(cp);
        const old = seen(cp.origin);
        if (!old || old.size <= cp.size) remember(cp); // the larger tree is kept
        trusted = cp;
        show(
          cpOut,
          h('p', { class: 'good', role: 'status', 'data-verified': 'true' }, `Signature verified: ${cp.origin}, a tree of ${cp.size} entries, root ${cp.rootB64}.`),
          h('p', { class: 'consistency', 'data-consistency': 'true' }, said),
        );
      } catch (e) {
        if (e.status === 401) return;
        show(cpOut, h('p', { class: 'bad', role: 'alert', 'data-verified': 'false' }, `Refused: ${e.message}`));
      }
    }),
  );

  const rows = page.entries.map((e) => {
    const proofOut = h('span', { class: 'proof-result', 'aria-live': 'polite' });
    const prove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Prove entry ${e.index} is in the checkpoint's tree` }, 'Prove');
    prove.addEventListener('click', busy(prove, () => proveEntry(e, proofOut)));
    let kind = 'withheld';
    let date = '';
    let what = `an entry about an item beyond your clearance (leaf hash ${b64encode(e.leaf || new Uint8Array())})`;
    if (!e.withheld) {
      const j = e.json;
      kind = typeof j.kind === 'string' ? j.kind : '?';
      date = typeof j.date === 'string' ? j.date : '';
      what = entrySummary(j);
      if (typeof j.item === 'string')
        what = [isId('item', j.item) ? h('a', { href: `#/items/${j.item}` }, j.item.slice(0, 16)) : j.item.slice(0, 16), what.length ? ' ' : '', what];
    }
    return h('tr', { 'data-index': String(e.index) }, h('td', { class: 'num' }, String(e.index)), h('td', null, date), h('td', null, kind), h('td', null, what), h('td', null, prove, ' ', proofOut));
  });
  const pager = h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages of the log' },
    after !== undefined ? h('a', { href: '#/log' }, 'First page') : null,
    page.next !== null ? h('a', { href: `#/log${query({ after: page.next })}`, rel: 'next' }, 'Next page') : h('span', { class: 'muted' }, 'Last page'),
  );
  await setBanners(await labelled(page.entries), route);
  let alarms = null;
  try {
    const r = await api('GET', '/v1/log/alarms'); // an auditor's: /readyz, anyone's, does not say them
    if (r && Array.isArray(r.alarms) && r.alarms.length)
      alarms = h('div', { class: 'bad', role: 'alert' }, h('p', { class: 'verdict' }, "A peer's log raised an alarm"), h('ul', null, r.alarms.map((a) => h('li', null, `${a.party}: `, iso(a.alarm)))));
  } catch (err) {
    // never silent: an alarm not read is not an alarm absent
    alarms = h('p', { class: 'bad', role: 'alert' }, `Peers' alarms could not be read: ${err.message}`);
  }
  show(
    slot,
    h('h1', null, 'The log'),
    h('p', null, `${page.size} entries; ${page.to > page.from ? `entries ${page.from} to ${page.to - 1}` : 'no entries'} on this page.`),
    alarms,
    form,
    table('Entries', ['#', 'Date', 'Kind', 'What', 'Inclusion'], rows),
    pager,
  );
}

// labelled(entries): the items whose labels (titles) the entries show, for
// the banners: each as the node holds it, else as its label marks it.
async function labelled(entries) {
  const seenItems = new Map();
  for (const e of entries) {
    const j = e.json;
    if (j && typeof j.item === 'string' && j.label && typeof j.label === 'object' && !seenItems.has(j.item)) seenItems.set(j.item, j.label);
  }
  return Promise.all(
    [...seenItems].map(async ([id, label]) => {
      const m = { party: label.originator, level: label.level };
      const asLabelled = { id, label, marking: m, local_marking: m };
      try {
        const it = await api('GET', `/v1/items/${pathId('item', id)}`);
        return it && it.id === id && it.local_marking ? it : asLabelled;
      } catch {
        return asLabelled;
      }
    }),
  );
}

// proveEntry(e, out): the row's leaf hash from its own bytes (a withheld
// entry: its leaf hash as given), the server's path, recomputed to the
// root the verified checkpoint signed.
async function proveEntry(e, out) {
  const say = (ok, text) => show(out, h('span', { class: ok ? 'good' : 'bad', role: ok ? 'status' : 'alert', 'data-proof': ok ? 'verified' : 'refused' }, text));
  if (!trusted) return say(false, 'Verify a checkpoint first: a proof leads to the root it signed.');
  const cp = trusted;
  if (e.index >= cp.size) return say(false, `Entry ${e.index} is beyond the checkpoint's ${cp.size} entries: fetch a newer one.`);
  try {
    const p = await api('GET', `/v1/log/proof${query({ index: e.index, size: cp.size })}`);
    if (!p || !Array.isArray(p.proof)) throw new Error('the node gave no inclusion proof');
    const leaf = e.withheld ? e.leaf : await leafHash(e.bytes);
    const path = p.proof.map(b64decode);
    if (await verifyInclusion(e.index, cp.size, leaf, path, cp.root))
      return say(true, `Included: entry ${e.index}${e.withheld ? ' (its leaf hash as given: withheld)' : ` (leaf ${b64encode(leaf).slice(0, 12)}…, from its bytes)`} is in the tree the checkpoint signed.`);
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
    peers.alarm ? h('div', { class: 'bad', role: 'alert' }, h('p', { class: 'verdict' }, "A peer's log raised an alarm: it stands until a security officer who understood it clears it (liaison peer clear-alarm); the node stays ready.")) : null,
    prow.length ? table("Peers and the witnessing of their logs", ['Party', 'Address', 'Witnessed', 'Alarm', 'Outbox'], prow) : h('p', null, 'No peers.'),
    h('h2', null, 'Outbox'),
    mrow.length ? table('Messages to peers, oldest first', ['Message', 'To', 'Kind', 'About', 'Created', 'State', 'Tries'], mrow) : h('p', null, 'No messages.'),
    outbox.next ? h('p', { class: 'muted' }, 'More messages: the first page only.') : null,
  );
}

// The compromise reports peers sent about this party's items, newest first.
// Their details are the reporting party's words about a classified item:
// shown only when asked for, and the banners are the reported items'
// (unknown when one cannot be read). A security officer acknowledges an
// open report with a note of what was done.
async function reportsPage(slot, route) {
  const list = await api('GET', '/v1/reports');
  const reports = Array.isArray(list.reports) ? list.reports.filter((r) => r && isId('report', r.id) && isId('item', r.item)) : [];
  const ids = [...new Set(reports.map((r) => r.item))];
  let unknown = false;
  const items = (
    await Promise.all(
      ids.map(async (id) => {
        try {
          const it = await api('GET', `/v1/items/${pathId('item', id)}`);
          if (it && it.id === id && it.local_marking) return it;
        } catch {
          /* not one this person sees: the banners cannot say */
        }
        unknown = true;
        return null;
      }),
    )
  ).filter(Boolean);
  if (unknown) bannersUnknown(route);
  else await setBanners(items, route);
  const officer = mayChange('security-officer'); // not with a read-only token
  const rows = reports.map((r) => {
    const out = h('div', { class: 'report-out', 'aria-live': 'polite' });
    const details = h('button', { type: 'button', class: 'secondary' }, 'Details');
    details.addEventListener(
      'click',
      busy(details, async () => {
        try {
          const one = await api('GET', `/v1/reports/${pathId('report', r.id)}`);
          const rep = one && one.document && one.document.compromise_report;
          show(out, h('p', null, 'Details: ', iso(rep && typeof rep.details === 'string' ? rep.details : '(none)')), h('p', { class: 'mono' }, `SHA-256 ${one.sha256}`));
        } catch (e) {
          show(out, errorView(e));
        }
      }),
    );
    let state;
    if (r.acknowledged) state = h('span', null, 'Acknowledged by ', iso(r.acknowledged.by), ` on ${r.acknowledged.on}: `, iso(r.acknowledged.note));
    else if (officer) {
      const note = h('input', { type: 'text', maxlength: '511', required: true, name: 'note' });
      const go = h('button', { type: 'submit' }, 'Acknowledge');
      const form = h('form', { class: 'ack', 'aria-label': `Acknowledge report ${r.id.slice(0, 16)}` }, h('strong', { class: 'bad-text' }, 'OPEN'), field('What was done', note), go);
      form.addEventListener(
        'submit',
        busy(go, async () => {
          try {
            await api('POST', `/v1/reports/${pathId('report', r.id)}/acknowledge`, { json: { note: note.value } });
            await reportsPage(slot, route);
          } catch (e) {
            show(out, errorView(e));
          }
        }),
      );
      state = form;
    } else state = h('strong', { class: 'bad-text' }, 'OPEN');
    return h(
      'tr',
      { 'data-report': r.id },
      h('td', { class: 'mono' }, r.id.slice(0, 16)),
      h('td', null, h('a', { href: `#/items/${r.item}` }, r.item.slice(0, 16))),
      h('td', null, iso(r.by), ` (${r.from})`),
      h('td', null, r.reported_on),
      h('td', null, r.received_on),
      h('td', null, state, ' ', details, out),
    );
  });
  show(
    slot,
    h('h1', null, 'Compromise reports'),
    list.open > 0
      ? h('div', { class: 'bad', role: 'alert' }, h('p', { class: 'verdict' }, `${list.open} compromise report${list.open === 1 ? '' : 's'} not acknowledged: the node's alarm stands until a security officer acknowledges ${list.open === 1 ? 'it' : 'them'}.`))
      : null,
    rows.length ? table('Reports from peers, newest first', ['Report', 'Item', 'Reported by', 'Reported', 'Received', 'State'], rows) : h('p', null, 'No compromise reports.'),
    list.next ? h('p', { class: 'muted' }, 'More reports: the first page only.') : null,
  );
}
