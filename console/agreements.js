// agreements.js - the registrars' pages: the agreements and their states,
// an agreement's timeline picture with the counterfactual (the picture
// without any one event), its events, recording one after seeing what it
// would do (a dry run), and export control (a country's groups over time,
// and an answer for an entry, a destination and a date).
import { api, h, iso, show, field, select, table, errorView, busy, mayChange, cached, query, isId, pathId } from './lib.js';
import { setBanners } from './banner.js';

// the timeline picture shown last (an object URL: one at a time is kept)
let picture = null;

export async function render(page, parts, params, slot, route) {
  await setBanners(null, route); // agreements and export control carry no item
  if (page === 'export') return exportPage(params, slot);
  if (parts.length) return agreementPage(parts[0], slot);
  return listPage(slot);
}

const KINDS = ['signed', 'in-force', 'amended', 'notice', 'notice-suspended', 'notice-resumed', 'notice-withdrawn'];

// stateText(s): a state in words
export function stateText(s) {
  let t;
  if (s.state === 'in-force') t = `in force${s.term ? `, term ${s.term.number} ends at the start of ${s.term.ends}` : ''}`;
  else if (s.state === 'in-force-under-notice') t = `in force under notice, ends at the start of ${s.ends}`;
  else if (s.state === 'terminated') t = `terminated since ${s.since}`;
  else t = 'not in force';
  if (s.notice) t += ` (notice by ${s.notice.by} given ${s.notice.given}: ${s.notice.status})`;
  return t;
}

function stateCell(s) {
  return h('span', { class: `state ${s.state}` }, stateText(s));
}

async function listPage(slot) {
  const list = await api('GET', '/v1/agreements');
  const rows = list.agreements.map((a) =>
    h(
      'tr',
      { 'data-agreement': a.id },
      h('td', null, isId('agreement', a.id) ? h('a', { href: `#/agreements/${a.id}` }, a.id) : a.id),
      h('td', null, iso(a.title)),
      h('td', null, a.parties.join(', ')),
      h('td', null, stateCell(a.status)),
    ),
  );
  show(
    slot,
    h('h1', null, 'Agreements'),
    h('p', null, `States on ${list.date} (the node's today).`),
    rows.length ? table('Agreements on file', ['Id', 'Title', 'Parties', 'State'], rows) : h('p', null, 'No agreement on file.'),
  );
}

function eventLabel(ev) {
  return `#${ev.number} ${ev.date} ${ev.kind}${ev.by ? ` by ${ev.by}` : ''}`;
}

async function agreementPage(id, slot) {
  const enc = pathId('agreement', id);
  const [a, now] = await Promise.all([api('GET', `/v1/agreements/${enc}`), api('GET', `/v1/agreements/${enc}/status`)]);
  const codes = a.parties.map((p) => p.code);

  // the timeline: the picture (an <img>, never inlined) and the same changes as a table
  const img = h('img', { alt: '', width: '960', height: '300' });
  const changes = h('div', { 'aria-live': 'polite' });
  const without = select('without', [['', 'every event, as recorded'], ...a.events.map((e) => [String(e.number), `without ${eventLabel(e)}`])]);
  // fetched with the session's CSRF value, as every request (a cookie
  // alone gets nothing), and shown from its bytes
  async function drawPicture(path) {
    try {
      const url = URL.createObjectURL(await (await api('GET', path, { raw: true })).blob());
      if (img.dataset.src !== path) return URL.revokeObjectURL(url); // another was asked since
      if (picture) URL.revokeObjectURL(picture); // this page's last, or another agreement's
      picture = url;
      img.src = url;
      img.dataset.shown = path;
    } catch {
      /* the table below says the same, or why not */
    }
  }
  async function draw() {
    const w = without.value;
    const path = `/v1/agreements/${enc}/timeline.svg${query({ without: w })}`;
    img.dataset.src = path;
    drawPicture(path);
    img.alt = `Timeline of ${a.id}${w ? `, as if event #${w} had not happened` : ''}: its states over the years, events marked (the table below says the same)`;
    img.dataset.without = w;
    try {
      const t = await api('GET', `/v1/agreements/${enc}/timeline${query({ without: w })}`);
      const rows = t.changes.map((c) => h('tr', null, h('td', null, c.date), h('td', null, stateCell(c))));
      show(
        changes,
        table(`Changes of state${w ? ` without event #${w}` : ''}`, ['From', 'State'], rows),
        t.without && (t.changes[t.changes.length - 1].ignored || []).length
          ? h('p', null, 'Events that then have no effect: ', t.changes[t.changes.length - 1].ignored.map((e) => `${eventLabel(e)} (${e.reason})`).join('; '))
          : null,
      );
    } catch (e) {
      show(changes, errorView(e));
    }
  }
  without.addEventListener('change', draw);
  await draw();

  const events = a.events.map((e) =>
    h(
      'tr',
      { 'data-event': String(e.number) },
      h('td', { class: 'num' }, String(e.number)),
      h('td', null, e.date),
      h('td', null, e.kind),
      h('td', null, e.by || 'joint'),
      h('td', null, e.awaiting ? `awaiting ${e.awaiting}` : ''),
      h('td', null, e.source ? iso(e.source.title) : ''),
    ),
  );
  const eq = a.equivalence.map((row) =>
    h('tr', null, h('th', { scope: 'row' }, row.common), codes.map((c) => h('td', null, (row[c] || []).map((l) => levelName(a, c, l)).join(', ') || '—'))),
  );
  show(
    slot,
    h('p', null, h('a', { href: '#/agreements' }, '← Agreements')),
    h('h1', null, a.id),
    h('p', null, iso(a.title)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Parties'),
      h('dd', null, a.parties.map((p, k) => [k ? ', ' : '', `${p.code} (`, iso(p.name), ')'])),
      h('dt', null, 'Terms'),
      h('dd', null, `${a.term_years} year(s), renewed for ${a.renewal_years}; notice ${a.notice_days} days before a term's last day`),
      h('dt', null, `Today (${a.today})`),
      h('dd', { class: 'now' }, stateCell(now)),
    ),
    h('h2', { id: 'tl-h' }, 'Timeline'),
    h('section', { class: 'timeline', 'aria-labelledby': 'tl-h' }, field('Counterfactual: see the timeline', without), img, changes),
    h('h2', null, 'Events'),
    table('Events in applying order', ['#', 'Date', 'Kind', 'By', '', 'Source'], events),
    mayChange('registrar') ? recordForm(a, codes) : null,
    a.announcements.length
      ? [h('h2', null, 'Announcements (they change no state)'), h('ul', null, a.announcements.map((x) => h('li', null, `${x.date}${x.by ? ` ${x.by}` : ''}: `, iso(x.title))))]
      : null,
    h('h2', null, 'Equivalence'),
    table('Levels of each party by common name', ['Common', ...codes], eq),
  );
}

function levelName(a, code, lvl) {
  const p = a.parties.find((x) => x.code === code);
  const l = p && p.levels.find((x) => x.code === lvl);
  return l ? `${l.name} (${lvl})` : lvl;
}

// Recording an event: its consequence first (a dry run), then confirm.
function recordForm(a, codes) {
  const enc = pathId('agreement', a.id);
  const date = h('input', { type: 'date', name: 'date', required: true, max: a.today, value: a.today });
  const kind = select('kind', KINDS.map((k) => [k, k]), 'notice');
  const by = select('by', [['', 'joint (no party)'], ...codes.map((c) => [c, c])], codes[codes.length - 1]);
  const preview = h('button', { type: 'submit' }, 'See what it would do');
  const confirm = h('button', { type: 'button', hidden: true, class: 'confirm' }, 'Confirm and record');
  const out = h('div', { 'aria-live': 'polite', class: 'consequence-box' });
  const form = h(
    'form',
    { class: 'panel record', 'aria-labelledby': 'rec-h' },
    h('h2', { id: 'rec-h' }, 'Record an event'),
    h('div', { class: 'row' }, field('Date', date), field('Kind', kind), field('By', by)),
    h('p', null, preview, ' ', confirm),
    out,
  );
  const body = () => {
    const b = { date: date.value, kind: kind.value };
    if (by.value) b.by = by.value;
    return b;
  };
  let checkedBody = null;
  for (const c of [date, kind, by])
    c.addEventListener('change', () => {
      confirm.hidden = true;
      checkedBody = null;
    });
  form.addEventListener(
    'submit',
    busy(preview, async () => {
      confirm.hidden = true;
      try {
        const b = body();
        const r = await api('POST', `/v1/agreements/${enc}/events${query({ dry_run: true })}`, { json: b });
        checkedBody = JSON.stringify(b);
        show(
          out,
          h('p', { class: 'consequence', role: 'status' }, r.consequence || `The agreement would then be ${stateText(r.status)}.`),
          h('p', null, `Today it would be ${stateText(r.status)}. Nothing is recorded until you confirm.`),
        );
        confirm.hidden = false;
        confirm.focus();
      } catch (e) {
        if (e.status !== 401) show(out, errorView(e));
      }
    }),
  );
  confirm.addEventListener(
    'click',
    busy(confirm, async () => {
      const b = body();
      if (JSON.stringify(b) !== checkedBody) return;
      try {
        const r = await api('POST', `/v1/agreements/${enc}/events`, { json: b });
        confirm.hidden = true;
        show(out, h('p', { class: 'good', role: 'status' }, `Recorded as event #${r.event.number}. ${r.consequence || ''}`));
        const here = location.hash;
        setTimeout(() => location.hash === here && window.dispatchEvent(new HashChangeEvent('hashchange')), 1500);
      } catch (e) {
        if (e.status !== 401) show(out, errorView(e));
      }
    }),
  );
  return form;
}

// ---- export control ----

async function exportPage(params, slot) {
  const own = (await cached('/healthz')).party;
  let regime = null;
  try {
    regime = await cached(`/v1/export/regime${query({ from: own })}`);
  } catch {
    /* no regime on file */
  }
  const countries = regime ? [...new Set(regime.groups.map((g) => g.country))].sort() : [];
  const country = params.get('country') || countries[0] || '';
  const pick = h('input', { name: 'country', value: country, list: 'countries', required: true, size: '6', pattern: '[A-Za-z]{3}', autocapitalize: 'characters' });
  const list = h('datalist', { id: 'countries' }, countries.map((c) => h('option', { value: c })));
  const show1 = h('form', { class: 'panel', 'aria-label': "A country's groups over time" }, h('div', { class: 'row' }, field('Country (ISO code)', pick), h('button', { type: 'submit' }, 'Show')));
  show1.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#/export${query({ country: pick.value.trim().toUpperCase() })}`;
  });
  let timeline = null;
  if (country && !isId('country', country)) {
    timeline = h('div', { role: 'alert', class: 'error' }, h('p', null, 'Not a country code: an ISO 3166-1 alpha-3 code is three capital letters (KOR, JPN). Nothing was asked of the node.'));
  } else if (country) {
    try {
      const t = await api('GET', `/v1/export/timeline/${country}${query({ from: own })}`);
      const rows = t.changes.map((c) => h('tr', null, h('td', null, c.date), h('td', null, c.kind), h('td', null, changeText(c))));
      timeline = [
        h('h2', null, iso(t.country_name), ` (${t.country}) in ${t.party}'s regime`),
        h('p', null, `Before the first change: group ${t.initial.group}.`),
        table('Changes, in date order', ['Date', 'Kind', 'What'], rows),
      ];
    } catch (e) {
      timeline = errorView(e);
    }
  }
  const entries = regime ? regime.entries : [];
  const entry = select('entry', [['', 'no entry (not list-controlled)'], ...entries.map((e) => [e.code, `${e.code}: ${e.name}`])]);
  const to = h('input', { name: 'to', value: country, list: 'countries', required: true, size: '6' });
  const at = h('input', { type: 'date', name: 'at' });
  const out = h('div', { 'aria-live': 'polite' });
  const go = h('button', { type: 'submit' }, 'Check');
  const check = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'chk-h' },
    h('h2', { id: 'chk-h' }, 'May it go?'),
    h('div', { class: 'row' }, field('Entry', entry), field('Destination', to), field('Date (empty: today)', at), go),
    out,
  );
  check.addEventListener(
    'submit',
    busy(go, async () => {
      try {
        const r = await api('GET', `/v1/export/check${query({ entry: entry.value, to: to.value.trim().toUpperCase(), at: at.value, from: own })}`);
        show(
          out,
          h(
            'div',
            { class: r.allowed ? 'good' : 'bad', role: 'status', 'data-allowed': String(r.allowed) },
            h('p', { class: 'verdict' }, `${r.allowed ? 'Allowed' : 'Not allowed'}: ${r.decision} (${r.entry || 'no entry'} to ${r.country_name}, ${r.date})`),
            h('p', null, `Group ${r.group} (${r.group_name})${r.group_since ? ` since ${r.group_since}` : ''}.`),
            r.licence ? h('p', null, `Licence ${r.licence.id} (${r.licence.kind}), ${r.licence.from} to ${r.licence.to || 'open-ended'}.`) : null,
            r.special_measure ? h('p', null, `Special measure from ${r.special_measure.from}: ${r.special_measure.entries.join(', ')} need an individual licence.`) : null,
            r.reasons.length ? h('ul', null, r.reasons.map((x) => h('li', null, x))) : null,
          ),
        );
      } catch (e) {
        if (e.status !== 401) show(out, errorView(e));
      }
    }),
  );
  show(slot, h('h1', null, 'Export control'), h('p', null, `${own}'s export regime.`), list, check, show1, timeline);
}

function changeText(c) {
  if (c.kind === 'group') return `from group ${c.from} to ${c.to} (${c.to_name})`;
  if (c.kind === 'entry') return `${c.entry}: ${c.from} → ${c.to} (group ${c.group}${c.licence ? `, licence ${c.licence}` : ''})`;
  if (c.kind === 'announcement') return [c.by ? `${c.by}: ` : '', iso(c.title)];
  if (c.kind === 'licence') return `licence ${c.licence.id} (${c.licence.kind}, ${c.licence.entry}) begins`;
  return JSON.stringify(c);
}
