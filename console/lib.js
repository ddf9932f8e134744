// lib.js - what every page of the console shares: building the DOM from
// data (never HTML from data: every name and title may come from a peer
// government), the API with the session's CSRF value, and the answers a
// page shows (errors, a DENY rule by rule).

// h(tag, attrs, ...children): an element. attrs: class, text, for, on*
// (listeners), anything else as an attribute; children: nodes or strings
// (text), arrays flattened, null and false left out.
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'for') el.htmlFor = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, kids);
  return el;
}

function add(el, kids) {
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    if (Array.isArray(k)) add(el, k);
    else el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
}

// The session: the person, the CSRF value its requests carry, when it ends.
export const session = { person: null, csrf: null, readOnly: false, idle: 1800, expires: null };

// The CSRF value, kept in this origin's storage: a reload and another tab
// of the console find it there, and nothing on another port of the same
// host does (its cookie goes there too: cookies know no ports; the daemon
// answers nothing to the cookie alone). Only the sign-in's answer has it.
const CSRF_KEY = 'liaison-csrf';
export function keepCsrf(value) {
  const mine = session.csrf;
  session.csrf = value || null;
  try {
    if (value) localStorage.setItem(CSRF_KEY, value);
    // forgotten only if it is still this page's: another tab may have
    // signed in since, and kept its own
    else if (mine && localStorage.getItem(CSRF_KEY) === mine) localStorage.removeItem(CSRF_KEY);
  } catch {
    /* no storage: this page alone holds it */
  }
}
export function keptCsrf() {
  try {
    return localStorage.getItem(CSRF_KEY);
  } catch {
    return null;
  }
}

export function hasRole(...roles) {
  return !!session.person && roles.some((r) => session.person.roles.includes(r));
}

// mayChange(...roles): the person has one of the roles and the token may change things
export function mayChange(...roles) {
  return !session.readOnly && hasRole(...roles);
}

export class ApiError extends Error {
  constructor(status, err) {
    super(typeof err.message === 'string' && err.message ? err.message : `HTTP ${status}`);
    this.status = status;
    this.code = typeof err.code === 'string' ? err.code : 'http';
    this.field = typeof err.field === 'string' ? err.field : undefined;
    this.decision = err.decision && typeof err.decision === 'object' && Array.isArray(err.decision.rules) ? err.decision : undefined;
  }
}

// The formats of the ids that name something in the API's paths, as the
// node checks them (src/core: label_id_check, agreement_id_check,
// party_code_check, person_id_check; countries are ISO 3166-1 alpha-3).
// An id from the address or from an answer that is not one of them is
// never put in a path: no '/', '%', '?', '#' or dot segment can turn a
// request into another (/v1/items/ID%2Fcontent would be a download).
export const ID = {
  item: /^[A-Za-z0-9_-]{1,63}$/,
  agreement: /^(?!\.\.?$)[A-Za-z0-9._-]{1,63}$/,
  party: /^[A-Z]{2,8}$/,
  country: /^[A-Z]{3}$/,
  person: /^(?!\.\.?$)[a-z0-9._-]{1,63}$/,
  report: /^(?:[A-Z]{2,8}-)?[0-9a-f]{32}$/, // a party and its message's id (older: the id alone)
};

// isId(kind, x): x is a string in the format of that kind of id
export function isId(kind, x) {
  return typeof x === 'string' && ID[kind].test(x);
}

// A page the address asks for and the console refuses without asking the
// node (an id not in its format, an address it cannot read).
export class BadAddress extends Error {
  constructor(title, message) {
    super(message);
    this.title = title;
    this.local = true;
  }
}

// pathId(kind, id): the id for a path of the API, or BadAddress ("No such item")
export function pathId(kind, id) {
  if (!isId(kind, id))
    throw new BadAddress(`No such ${kind}`, `This address names no ${kind}: it is not an id this node gives. Nothing was asked of the node.`);
  return encodeURIComponent(id);
}

// iso(text): data shown inline with other text (a title, a name, a level's
// name from a peer), isolated in a <bdi> so that right-to-left text or
// U+200E/U+200F/U+061C in it cannot reorder the text around it
export function iso(text) {
  return h('bdi', null, text === null || text === undefined ? '' : String(text));
}

// isJson(response): its Content-Type is application/json (parameters aside)
function isJson(r) {
  return (r.headers.get('Content-Type') || '').split(';')[0].trim().toLowerCase() === 'application/json';
}

// jsonOf(response): its JSON, whatever its status; an error, never
// quoting the body, when it is not JSON
export async function jsonOf(r) {
  if (!isJson(r)) throw unexpected(r.status);
  try {
    return await r.json();
  } catch {
    throw unexpected(r.status);
  }
}

// An answer the console did not expect (not JSON, or JSON it cannot read):
// an error that never shows the body (it could be an item's content).
function unexpected(status) {
  return new ApiError(status, { code: 'unexpected', message: `An unexpected answer from the node (HTTP ${status}, not the JSON the page asked for): nothing of it is shown.` });
}

// Told when a request finds the session gone (401): app.js shows the sign-in form.
let onSessionEnded = () => {};
export function whenSessionEnds(fn) {
  onSessionEnded = fn;
}

// query({a: 1, b: [x, y]}): "?a=1&b=x&b=y" (lists repeated, empty values left out)
export function query(args) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(args || {}))
    for (const x of Array.isArray(v) ? v : [v])
      if (x !== undefined && x !== null && x !== '') q.append(k, String(x));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// api(method, path, {json, body, type, raw}): the answer's JSON (or the
// Response itself with raw); throws ApiError for an error answer. A 401
// ends the session in the page.
export async function api(method, path, opts = {}) {
  const headers = {};
  let body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = opts.type || 'application/octet-stream';
    body = opts.body;
  }
  // on every request: the daemon answers a session's cookie only with it;
  // a sign-in sends the value kept, if any, so that the browser's earlier
  // session ends (one browser, one session)
  const csrf = session.csrf || (opts.signingIn ? keptCsrf() : null);
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const r = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  touch();
  if (r.ok) {
    if (opts.raw) return r;
    if (r.status === 204) return null;
    // only JSON is parsed: a parser's error would quote the body (an
    // item's content, if a request was turned into a download)
    return jsonOf(r);
  }
  let err = { message: `HTTP ${r.status}` };
  if (isJson(r))
    try {
      const j = await r.json();
      if (j && j.error && typeof j.error === 'object') err = j.error;
    } catch {
      /* not JSON: keep the status, never the body */
    }
  const e = new ApiError(r.status, err);
  // 401: the session ended; 403 csrf: the cookie is not the session this
  // page signed in to (another service of the host set one in its place)
  const gone = r.status === 401 || (r.status === 403 && err.code === 'csrf');
  if (gone && session.person && !opts.signingIn) onSessionEnded(e);
  return Promise.reject(e);
}

// The last request's time, for the idle timer in app.js.
export let lastActivity = Date.now();
function touch() {
  lastActivity = Date.now();
}

// Cached answers that do not change while a page is open.
const cache = new Map();
export function cached(path) {
  if (!cache.has(path)) cache.set(path, api('GET', path).catch((e) => (cache.delete(path), Promise.reject(e))));
  return cache.get(path);
}
export function forget() {
  cache.clear();
}

// The rules' names in words, for a DENY (docs/decisions.md).
const RULE_NAMES = {
  'R-ROLE': 'Role',
  'R-CLEARANCE': 'Clearance',
  'R-NTK': 'Need to know',
  'R-RELEASABLE': 'Releasability',
  'R-RECEIVED': 'Received under an agreement in force',
  'R-CONTINUING': 'Protection after the agreement',
  'R-PURPOSE': 'Purpose',
  'R-THIRD-PARTY': "Third party: the originator's consent",
  'R-IN-FORCE': 'Agreement in force',
  'R-EXPORT': 'Export control',
  'R-DOWNGRADE': 'Downgrade by the originator',
  'R-MARKING': 'Markings kept',
};

export function article(clause) {
  return /^[0-9]/.test(clause) ? `Art. ${clause}` : clause;
}

// A decision, the failed rules first (each in words, its article, what would change it).
export function decisionView(d) {
  const failed = d.rules.filter((r) => !r.ok);
  const passed = d.rules.filter((r) => r.ok);
  const rule = (r) =>
    h(
      'li',
      { class: r.ok ? 'rule ok' : 'rule no' },
      h('strong', null, `${r.ok ? 'Passes' : 'Fails'}: ${RULE_NAMES[r.id] || r.id}`),
      ` (${r.id}, ${article(r.clause)})`,
      h('div', { class: 'detail' }, r.detail),
      r.hint ? h('div', { class: 'hint' }, h('strong', null, 'To change it: '), r.hint) : null,
    );
  return h(
    'div',
    { class: `decision ${d.decision === 'PERMIT' ? 'permit' : 'deny'}`, 'data-decision': d.decision },
    h('p', { class: 'verdict' }, `${d.decision}: ${d.person} may ${d.decision === 'PERMIT' ? '' : 'not '}${d.action} this item on ${d.date}`),
    failed.length ? h('ul', { class: 'rules failed', 'aria-label': 'Rules that fail' }, failed.map(rule)) : null,
    passed.length
      ? h('details', null, h('summary', null, `${passed.length} rules that pass`), h('ul', { class: 'rules' }, passed.map(rule)))
      : null,
  );
}

// An error answer as the page shows it: a DENY rule by rule, else the message.
export function errorView(e) {
  if (e instanceof ApiError && e.decision) return h('div', { role: 'alert', class: 'error' }, decisionView(e.decision));
  const what = e instanceof ApiError ? `${e.message}${e.field ? ` (field: ${e.field})` : ''}` : String(e.message || e);
  return h('div', { role: 'alert', class: 'error' }, h('p', null, what));
}

// show(slot, node): replaces the slot's content
export function show(slot, ...nodes) {
  slot.replaceChildren();
  add(slot, nodes);
}

// field(label, control): a labelled control (the control gets an id when it has none)
let ids = 0;
export function field(label, control, note) {
  if (!control.id) control.id = `f${++ids}`;
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, note ? h('small', null, note) : null);
}

// choice(name, values, {multiple, labels}): a fieldset of checkboxes or radios
export function choices(legend, name, values, opts = {}) {
  return h(
    'fieldset',
    { class: 'choices' },
    h('legend', null, legend),
    values.length
      ? values.map((v) => {
          const id = `f${++ids}`;
          return h(
            'span',
            { class: 'choice' },
            h('input', { type: opts.radio ? 'radio' : 'checkbox', name, value: v, id, checked: opts.checked === v }),
            h('label', { for: id }, opts.labels ? opts.labels(v) : v),
          );
        })
      : h('span', { class: 'muted' }, 'none declared'),
  );
}

export function checked(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

export function select(name, options, value) {
  // options: [[value, text]...]
  return h('select', { name }, options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)));
}

export function table(caption, heads, rows) {
  return h(
    'table',
    null,
    h('caption', null, caption),
    h('thead', null, h('tr', null, heads.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows),
  );
}

// download(blob, name): saves a blob the page holds as a file
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function busy(button, fn) {
  return async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    try {
      await fn(ev);
    } finally {
      button.disabled = false;
    }
  };
}
