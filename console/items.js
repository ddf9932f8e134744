// items.js - the analysts' pages: the items a person sees (paged and
// filtered), an item with both markings and the acts its person's roles
// allow (read, download, release, consent, reproduce, translate,
// downgrade, destroy, report), and sharing by upload with a label form
// that offers only the values the node's party declares.
import {
  api, h, show, field, choices, checked, select, table, errorView, download, busy,
  session, hasRole, mayChange, cached, query, iso, isId, pathId, ApiError,
} from './lib.js';
import { setBanners, bannersUnknown, party, colourOf, textColour } from './banner.js';
import { checkLogPage } from './verify.js';

const PAGE = 25;

// render(page, parts, params, slot, route): route, the page's number, sets the banners
export async function render(page, parts, params, slot, route) {
  if (page === 'share') return sharePage(slot, route);
  if (parts.length) return itemPage(parts[0], params, slot, route);
  return listPage(params, slot, route);
}

// What ?done= may say on an item's page (after an act of this page): a
// code from this list, never text from the address (a link could fake a
// success).
const DONE = {
  shared: 'Shared: stored sealed, and logged.',
  reproduced: "A reproduction, with the original's markings.",
  translated: "A translation, with the original's markings.",
  downgraded: 'Downgraded.',
  destroyed: 'Destroyed.',
};

// itemHref(id): the address of an item's page (null for an id the node would not give)
function itemHref(id, done) {
  return isId('item', id) ? `#/items/${id}${query({ done })}` : null;
}

// The node's party, and the parties it has agreements with.
export async function nodeParty() {
  return (await cached('/healthz')).party;
}
async function knownParties() {
  const own = await nodeParty();
  const set = new Set([own, session.person.party]);
  try {
    for (const a of (await cached('/v1/agreements')).agreements) if (a.parties.includes(own)) a.parties.forEach((p) => set.add(p));
  } catch {
    /* none visible */
  }
  return [...set];
}

async function levelName(code, lvl) {
  try {
    const l = (await party(code)).levels.find((x) => x.code === lvl);
    return l ? l.name : lvl;
  } catch {
    return lvl;
  }
}

// markChip(marking): "JPN 極秘" coloured as its level
async function markChip(m) {
  let lvl = { code: m.level, rank: 0 };
  try {
    lvl = (await party(m.party)).levels.find((x) => x.code === m.level) || lvl;
  } catch {
    /* unknown party: plain */
  }
  const name = lvl.name || m.level;
  const chip = h('span', { class: 'mark' }, `${m.party} `, iso(name), name !== m.level ? h('span', { class: 'code' }, ` (${m.level})`) : null);
  const bg = colourOf(lvl, null);
  chip.style.backgroundColor = bg;
  chip.style.color = textColour(bg);
  return chip;
}

// ---- the list ----

async function listPage(params, slot, route) {
  const own = await nodeParty();
  const scheme = await party(own);
  const parties = await knownParties();
  const f = Object.fromEntries(['level', 'originator', 'from', 'to', 'ntk', 'q'].map((k) => [k, params.get(k) || '']));
  const form = h(
    'form',
    { class: 'panel filters', role: 'search', 'aria-label': 'Filter the items' },
    h(
      'div',
      { class: 'row' },
      field('Title contains', h('input', { name: 'q', type: 'search', value: f.q })),
      field('Level', select('level', [['', 'any'], ...scheme.levels.map((l) => [l.code, `${own} ${l.name}`])], f.level)),
      field('Originator', select('originator', [['', 'any'], ...parties.map((p) => [p, p])], f.originator)),
      field('Need to know', select('ntk', [['', 'any'], ...(scheme.ntk_groups || []).map((g) => [g, g])], f.ntk)),
      field('Stored from', h('input', { name: 'from', type: 'date', value: f.from })),
      field('Stored to', h('input', { name: 'to', type: 'date', value: f.to })),
      h('button', { type: 'submit' }, 'Filter'),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = {};
    for (const k of Object.keys(f)) q[k] = form.elements[k].value.trim();
    location.hash = `#/items${query(q)}`;
  });
  const args = { limit: PAGE, after: params.get('after') };
  for (const [k, v] of Object.entries(f)) if (v) args[k] = v;
  const heading = h('h1', null, 'Items');
  let list;
  try {
    list = await api('GET', `/v1/items${query(args)}`);
  } catch (e) {
    if (e.status !== 401) bannersUnknown(route); // items were asked for: their level is not known
    return show(slot, heading, form, errorView(e));
  }
  if (!list || !Array.isArray(list.items)) {
    bannersUnknown(route);
    return show(slot, heading, form, errorView(new Error('An unexpected answer from the node: not a list of items.')));
  }
  const banner = setBanners(list.items, route);
  const rows = await Promise.all(
    list.items.map(async (i) =>
      h(
        'tr',
        { 'data-item': i.id },
        h('td', null, itemHref(i.id) ? h('a', { href: itemHref(i.id) }, iso(i.label.title)) : iso(i.label.title)),
        h('td', null, await markChip(i.local_marking), i.foreign ? [' ', await markChip(i.marking)] : null),
        h('td', null, i.label.originator),
        h('td', null, i.label.ntk || '—'),
        h('td', null, i.stored_on),
        h('td', { class: 'num' }, String(i.size)),
      ),
    ),
  );
  const next = list.next
    ? h('a', { href: `#/items${query({ ...f, after: list.next })}`, rel: 'next' }, 'Next page')
    : h('span', { class: 'muted' }, 'Last page');
  const first = params.get('after') ? h('a', { href: `#/items${query(f)}` }, 'First page') : null;
  await banner;
  show(
    slot,
    heading,
    form,
    list.items.length
      ? table(`Items you may see (${list.items.length} on this page)`, ['Title', 'Marking', 'Originator', 'Need to know', 'Stored', 'Bytes'], rows)
      : h('p', null, 'No items to show.'),
    h('nav', { class: 'pager', 'aria-label': 'Pages of items' }, first, next),
  );
}

// ---- one item ----

async function itemPage(id, params, slot, route) {
  const item = await api('GET', `/v1/items/${pathId('item', id)}`);
  // the answer must be the item asked for (else: an unexpected answer, not shown)
  if (!item || item.id !== id || !item.label || !item.local_marking || !item.marking)
    throw new ApiError(200, { code: 'unexpected', message: 'An unexpected answer from the node: not the item asked for. Nothing of it is shown.' });
  const banner = setBanners([item], route);
  const L = item.label;
  const own = await nodeParty();
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', null, `Marking here (${item.local_marking.party})`),
    h('dd', null, await markChip(item.local_marking)),
    h('dt', null, `Originator's marking (${item.marking.party})`),
    h('dd', null, await markChip(item.marking)),
    h('dt', null, 'Originator'),
    h('dd', null, L.originator),
    h('dt', null, 'Releasable to'),
    h('dd', null, L.releasable_to.length ? L.releasable_to.join(', ') : 'no one else'),
    h('dt', null, 'Need to know'),
    h('dd', null, L.ntk || 'no group'),
    h('dt', null, 'Purposes'),
    h('dd', null, L.purposes ? L.purposes.join(', ') : 'any'),
    h('dt', null, 'Caveats'),
    h('dd', null, L.caveats && L.caveats.length ? L.caveats.join('; ') : 'none'),
    L.export_entry ? [h('dt', null, 'Export entry'), h('dd', null, L.export_entry)] : null,
    L.agreement ? [h('dt', null, 'Released under'), h('dd', null, L.agreement)] : null,
    L.revocable ? [h('dt', null, 'Revocable'), h('dd', null, 'unreadable once the agreement ends')] : null,
    h('dt', null, 'Stored'),
    h('dd', null, item.stored_on + (item.foreign ? `, received ${item.received} from ${item.sender}` : '')),
    h('dt', null, 'Size'),
    h('dd', null, `${item.size} bytes`),
    item.destroyed_on ? [h('dt', null, 'Destroyed'), h('dd', null, item.destroyed_on)] : null,
    h('dt', null, 'Id'),
    h('dd', { class: 'mono' }, item.id),
  );
  const done = params.get('done');
  const flash = done && Object.hasOwn(DONE, done) ? h('p', { class: 'good', role: 'status' }, DONE[done]) : null;
  const acts = item.destroyed_on ? [] : await actions(item, own);
  const hist = hasRole('auditor') ? await history(item.id) : null;
  await banner;
  show(
    slot,
    h('p', null, h('a', { href: '#/items' }, '← Items')),
    h('h1', null, iso(L.title)),
    flash,
    facts,
    acts.length ? [h('h2', null, 'What you may do'), h('div', { class: 'actions' }, acts)] : null,
    hist,
  );
}

function purposeSelect(item, scheme) {
  const ps = item.label.purposes || (scheme && scheme.purposes) || [];
  return select('purpose', [['', 'no purpose stated'], ...ps.map((p) => [p, p])], ps.length === 1 ? ps[0] : '');
}

// panel(title, form controls, submit text, act(form, out)): an action's form and its answer
function panel(title, controls, submit, act, cls) {
  const out = h('div', { class: 'result', 'aria-live': 'polite' });
  const go = h('button', { type: 'submit' }, submit);
  const form = h('form', { class: `panel ${cls || ''}`, 'aria-label': title }, h('h3', null, title), controls, go, out);
  form.addEventListener(
    'submit',
    busy(go, async () => {
      out.replaceChildren();
      try {
        await act(form, out);
      } catch (e) {
        if (e.status !== 401) out.replaceChildren(errorView(e));
      }
    }),
  );
  return form;
}

async function actions(item, own) {
  const L = item.label;
  const id = pathId('item', item.id);
  const here = session.person.party === own;
  const mine = L.originator === own;
  const scheme = await party(own).catch(() => null);
  const out = [];
  if (hasRole('analyst', 'originator', 'security-officer')) {
    out.push(
      panel('Read or download', field('Purpose', purposeSelect(item, scheme)), 'Read', async (form, res) => {
        const dl = form.dataset.download === '1';
        form.dataset.download = '';
        const r = await api('GET', `/v1/items/${id}/content${query({ purpose: form.elements.purpose.value })}`, { raw: true });
        const blob = await r.blob();
        if (dl) {
          download(blob, `${item.id}.bin`);
          res.replaceChildren(h('p', { class: 'good', role: 'status' }, `Downloaded ${blob.size} bytes (the download is logged).`));
          return;
        }
        let shown;
        try {
          shown = new TextDecoder('utf-8', { fatal: true }).decode(await blob.arrayBuffer());
        } catch {
          shown = null;
        }
        res.replaceChildren(
          shown === null
            ? h('p', { role: 'status' }, `${blob.size} bytes that are not text: download them instead.`)
            : h('pre', { class: 'content', tabindex: '0', 'aria-label': 'The item\'s content' }, shown),
        );
      }, 'read'),
    );
    // a second submit button on the same form: download instead of showing
    const form = out[out.length - 1];
    const dl = h('button', { type: 'submit', class: 'secondary', name: 'download' }, 'Download');
    dl.addEventListener('click', () => (form.dataset.download = '1'));
    form.querySelector('button').after(' ', dl);
  }
  const others = L.releasable_to.filter((p) => p !== own);
  if (here && mayChange('originator', 'security-officer') && others.length) {
    out.push(
      panel(
        'Release to a party',
        [field('To', select('to', others.map((p) => [p, p]))), h('div', { class: 'choice' }, h('input', { type: 'checkbox', name: 'send', id: `send-${item.id}` }), h('label', { for: `send-${item.id}` }, "Send it to the party's node (outbox)"))],
        'Release',
        async (form, res) => {
          const to = form.elements.to.value;
          if (form.elements.send.checked) {
            await api('POST', `/v1/items/${id}/release`, { json: { to, send: true } });
            res.replaceChildren(h('p', { class: 'good', role: 'status' }, `Released to ${to}: queued in the outbox.`));
          } else {
            const r = await api('POST', `/v1/items/${id}/release`, { json: { to }, raw: true });
            download(await r.blob(), `${item.id}-to-${to}.lsn`);
            res.replaceChildren(h('p', { class: 'good', role: 'status' }, `Released to ${to}: the envelope is downloaded.`));
          }
        },
        'release',
      ),
    );
  }
  if (here && mine && mayChange('originator')) {
    const parties = (await knownParties()).filter((p) => p !== own);
    out.push(
      panel(
        'Consent to a further release',
        [
          field('To (a third party: its code)', h('input', { name: 'to', required: true, pattern: '[A-Z]{2,8}', list: `third-${item.id}`, autocapitalize: 'characters' })),
          h('datalist', { id: `third-${item.id}` }, parties.filter((p) => !others.includes(p)).map((p) => h('option', { value: p }))),
          field('Holder (the party that passes it on)', select('holder', others.map((p) => [p, p]))),
          h('div', { class: 'choice' }, h('input', { type: 'checkbox', name: 'send', id: `csend-${item.id}` }), h('label', { for: `csend-${item.id}` }, "Send it to the holder's node (else download the signed consent)")),
        ],
        'Consent',
        async (form, res) => {
          const body = { to: form.elements.to.value, holder: form.elements.holder.value };
          if (form.elements.send.checked) body.send = body.holder;
          const c = await api('POST', `/v1/items/${id}/consents`, { json: body });
          if (!body.send) download(new Blob([JSON.stringify(c, null, 1)], { type: 'application/json' }), `consent-${item.id}-${body.to}.json`);
          res.replaceChildren(h('p', { class: 'good', role: 'status' }, `Consent to ${body.to} signed${body.send ? ` and queued for ${body.send}` : ''}.`));
        },
        'consent',
      ),
    );
  }
  if (here && mayChange('analyst', 'originator')) {
    out.push(
      panel('Reproduce', field('Purpose', purposeSelect(item, scheme)), 'Reproduce', async (form) => {
        const purpose = form.elements.purpose.value;
        const copy = await api('POST', `/v1/items/${id}/reproduce`, { json: purpose ? { purpose } : {} });
        location.hash = itemHref(copy.id, 'reproduced') || '#/items';
      }, 'reproduce'),
    );
    const file = h('input', { type: 'file', name: 'file', required: true });
    out.push(
      panel('Translate', [field('The translation (a file)', file), field('Purpose', purposeSelect(item, scheme))], 'Translate', async (form) => {
        const copy = await api('POST', `/v1/items/${id}/translate${query({ purpose: form.elements.purpose.value })}`, { body: file.files[0] });
        location.hash = itemHref(copy.id, 'translated') || '#/items';
      }, 'translate'),
    );
  }
  if (here && mine && mayChange('originator') && scheme) {
    const cur = scheme.levels.find((l) => l.code === L.level);
    const lower = scheme.levels.filter((l) => cur && l.rank < cur.rank);
    if (lower.length)
      out.push(
        panel('Downgrade', field('New level', select('level', lower.map((l) => [l.code, `${own} ${l.name}`]))), 'Downgrade', async (form) => {
          await api('POST', `/v1/items/${id}/downgrade`, { json: { level: form.elements.level.value } });
          location.hash = `#/items/${id}${query({ done: 'downgraded', t: Date.now() })}`;
        }, 'downgrade'),
      );
  }
  if (here && mayChange('security-officer')) {
    out.push(
      panel(
        'Report a compromise',
        [field('What happened', h('textarea', { name: 'details', required: true })), item.foreign ? h('div', { class: 'choice' }, h('input', { type: 'checkbox', name: 'send', id: `rsend-${item.id}` }), h('label', { for: `rsend-${item.id}` }, "Send it to the originator's node")) : null],
        'Report',
        async (form, res) => {
          const send = !!(form.elements.send && form.elements.send.checked);
          const r = await api('POST', `/v1/items/${id}/report-compromise`, { json: { details: form.elements.details.value, ...(send ? { send } : {}) } });
          if (!send) download(new Blob([JSON.stringify(r, null, 1)], { type: 'application/json' }), `report-${item.id}.json`);
          res.replaceChildren(h('p', { class: 'good', role: 'status' }, send ? 'Report queued for the originator.' : 'Report signed and downloaded.'));
        },
        'report',
      ),
      panel(
        'Destroy',
        h('div', { class: 'choice' }, h('input', { type: 'checkbox', name: 'sure', id: `sure-${item.id}`, required: true }), h('label', { for: `sure-${item.id}` }, 'Destroy this copy for good')),
        'Destroy',
        async () => {
          await api('POST', `/v1/items/${id}/destroy`);
          location.hash = `#/items/${id}${query({ done: 'destroyed' })}`;
        },
        'destroy',
      ),
    );
  }
  return out;
}

// The log's entries about the item (auditors): decoded in the browser,
// each page checked as the log's page is (checkLogPage).
async function history(id) {
  const rows = [];
  let after;
  try {
    for (let pages = 0; pages < 20; pages++) {
      const from = after === undefined ? 0 : after + 1;
      const page = checkLogPage(await api('GET', `/v1/log/entries${query({ after, limit: 1000 })}`), from, 1000);
      for (const e of page.entries) {
        const j = e.json;
        if (j && (j.item === id || j.from === id)) rows.push(h('tr', null, h('td', { class: 'num' }, String(e.index)), h('td', null, j.date), h('td', null, j.kind), h('td', null, entrySummary(j))));
      }
      if (page.next === null) break;
      after = page.next;
    }
  } catch (e) {
    return [h('h2', null, 'History'), errorView(e)];
  }
  return [h('h2', null, 'History'), rows.length ? table('Entries of the log about this item', ['Entry', 'Date', 'Kind', 'What'], rows) : h('p', null, 'No entry of the log names it.')];
}

// entrySummary(j): what an entry says, as parts of a line (a title isolated)
export function entrySummary(j) {
  const bits = [];
  if (j.by) bits.push(`by ${j.by}`);
  if (j.decision && j.decision.decision) bits.push(`${j.decision.decision} ${j.decision.action} by ${j.decision.person}`);
  if (j.to) bits.push(`to ${j.to}`);
  if (j.purpose) bits.push(`purpose ${j.purpose}`);
  if (j.label && j.label.title) bits.push(['“', iso(j.label.title), '”']);
  if (j.agreement) bits.push(j.agreement);
  if (j.event) bits.push(`${j.event.kind} ${j.event.date}${j.event.by ? ` by ${j.event.by}` : ''}`);
  if (j.peer) bits.push(`peer ${j.peer}`);
  if (j.person && typeof j.person === 'object') bits.push(`person ${j.person.id}`);
  else if (j.person) bits.push(`person ${j.person}`);
  if (j.by_token) bits.push(`token ${j.by_token}`);
  if (j.entered_by) bits.push(`entered by the ${j.entered_by}`);
  return bits.flatMap((b, k) => (k ? [', ', b] : [b]));
}

// ---- share ----

async function sharePage(slot, route) {
  await setBanners(null, route);
  const own = await nodeParty();
  const scheme = await party(own);
  const parties = (await knownParties()).filter((p) => p !== own);
  let entries = [];
  try {
    entries = (await cached(`/v1/export/regime${query({ from: own })}`)).entries || [];
  } catch {
    /* no regime on file: no entry to offer */
  }
  const file = h('input', { type: 'file', name: 'file', required: true });
  const out = h('div', { 'aria-live': 'polite' });
  const go = h('button', { type: 'submit' }, 'Share');
  const form = h(
    'form',
    { class: 'panel share', 'aria-labelledby': 'share-h' },
    field('The report (a file)', file),
    field('Title', h('input', { name: 'title', required: true, maxlength: '200' })),
    field('Level', select('level', [['', 'choose a level'], ...scheme.levels.map((l) => [l.code, `${own} ${l.name} (${l.code})`])]), 'Levels of your party\'s scheme'),
    choices('Releasable to', 'releasable', parties),
    field('Need to know', select('ntk', [['', 'no group'], ...(scheme.ntk_groups || []).map((g) => [g, g])])),
    choices('Purposes (none: any purpose)', 'purpose', scheme.purposes || []),
    field('Caveats, one a line', h('textarea', { name: 'caveat', rows: '2' })),
    entries.length ? field('Export-control entry', select('export_entry', [['', 'none'], ...entries.map((e) => [e.code, `${e.code}: ${e.name}`])])) : null,
    h('div', { class: 'choice' }, h('input', { type: 'checkbox', name: 'revocable', id: 'revocable' }), h('label', { for: 'revocable' }, 'Revocable: unreadable once the agreement ends')),
    h('p', null, go),
    out,
  );
  form.elements.level.required = true;
  form.addEventListener(
    'submit',
    busy(go, async () => {
      out.replaceChildren();
      const el = form.elements;
      const args = {
        level: el.level.value,
        title: el.title.value,
        releasable: checked(form, 'releasable'),
        ntk: el.ntk.value,
        purpose: checked(form, 'purpose'),
        caveat: el.caveat.value.split('\n').map((s) => s.trim()).filter(Boolean),
        export_entry: el.export_entry ? el.export_entry.value : '',
        revocable: el.revocable.checked ? 'true' : '',
      };
      try {
        const item = await api('POST', `/v1/items${query(args)}`, { body: file.files[0] });
        location.hash = itemHref(item.id, 'shared') || '#/items';
      } catch (e) {
        if (e.status !== 401) out.replaceChildren(errorView(e));
      }
    }),
  );
  show(slot, h('h1', { id: 'share-h' }, 'Share a report'), h('p', null, `The label offers only what ${own} declares: its levels, the parties it has agreements with, its need-to-know groups and purposes.`), form);
}
