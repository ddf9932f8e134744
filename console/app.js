// app.js - the console's shell: sign-in and sign-out, the session's end,
// the navigation each person's roles allow, and the pages by address
// (#/items, #/items/ID, #/share, #/agreements, #/agreements/ID, #/export,
// #/log, #/peers), each a module loaded when first needed.
import { api, h, iso, session, hasRole, whenSessionEnds, show, errorView, forget, lastActivity, BadAddress, keepCsrf, keptCsrf } from './lib.js';
import { setBanners, bannersUnknown, newRoute, isCurrent } from './banner.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let signinSection = document.querySelector('section.signin');

// The pages: address, title, who sees it in the navigation, the module,
// how many parts of the address may follow (#/items/ID: 1), and whether
// it may show classified content (an error there leaves its
// classification unknown, never "no classified content").
const PAGES = [
  { path: 'items', title: 'Items', roles: null, mod: './items.js', sub: 1, classified: true },
  { path: 'share', title: 'Share', roles: ['analyst', 'originator'], mod: './items.js', write: true, sub: 0 },
  { path: 'agreements', title: 'Agreements', roles: null, mod: './agreements.js', sub: 1 },
  { path: 'export', title: 'Export control', roles: null, mod: './agreements.js', sub: 0 },
  { path: 'log', title: 'Log', roles: ['auditor'], mod: './audit.js', sub: 0, classified: true },
  { path: 'peers', title: 'Peers', roles: ['security-officer', 'registrar'], mod: './audit.js', sub: 0 },
  { path: 'reports', title: 'Reports', roles: ['security-officer', 'auditor'], mod: './audit.js', sub: 0, classified: true },
];

function allowed(p) {
  return (!p.roles || hasRole(...p.roles)) && !(p.write && session.readOnly);
}

// Where a person lands: the page of their first role's work.
function home() {
  if (hasRole('analyst', 'originator', 'security-officer')) return '#/items';
  if (hasRole('registrar')) return '#/agreements';
  if (hasRole('auditor')) return '#/log';
  return '#/agreements';
}

function signinForm(message) {
  document.title = 'Sign in — liaison';
  nav.replaceChildren();
  who.replaceChildren();
  signinSection = signinSection || buildSignin();
  const form = signinSection.querySelector('form');
  const note = form.querySelector('.signin-message');
  note.textContent = message || '';
  note.hidden = !message;
  show(main, signinSection);
  setBanners(null, newRoute()); // and any page still loading sets none
  form.querySelector('input').focus();
}

function buildSignin() {
  const token = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const go = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { id: 'signin-form', method: 'post', action: '/v1/session' },
    h('p', { class: 'signin-message', role: 'alert', hidden: true }),
    h('label', { for: 'token' }, 'Token'),
    token,
    go,
  );
  wireSignin(form);
  return h('section', { class: 'signin', 'aria-labelledby': 'signin-h' }, h('h1', { id: 'signin-h' }, 'Sign in'), form);
}

// The sign-in form: the token goes once, in a POST body, and is then
// cleared from the field; the page keeps only the session's CSRF value.
function wireSignin(form) {
  if (form.dataset.wired) return;
  form.dataset.wired = '1';
  const input = form.querySelector('input');
  const button = form.querySelector('button');
  const note = form.querySelector('.signin-message');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    const t = input.value.trim();
    input.value = '';
    try {
      performance.mark('console:signin');
      started(await api('POST', '/v1/session', { json: { token: t }, signingIn: true }));
      if (!location.hash.startsWith('#/') || location.hash === '#/signin') location.hash = home();
      else route();
    } catch (e) {
      note.textContent = e.status === 401 ? `Sign-in refused: ${e.message}` : `Sign-in failed: ${e.message}`;
      note.hidden = false;
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  button.disabled = false;
  performance.mark('console:usable'); // the form works (bench/console.mjs)
}

let timer = null;
function started(s) {
  forget();
  session.person = s.person;
  if (s.csrf) keepCsrf(s.csrf); // at sign-in; a reload found it kept
  session.readOnly = !!s.read_only;
  session.idle = s.idle_seconds || 1800;
  session.expires = Date.parse(s.expires);
  clearTimeout(timer);
  watch();
  chrome();
}

// Looks at the session when it could have ended (idle, or its whole life).
function watch() {
  const due = Math.min(lastActivity + session.idle * 1000, session.expires || Infinity) - Date.now();
  timer = setTimeout(async () => {
    if (!session.person) return;
    if (Date.now() < Math.min(lastActivity + session.idle * 1000, session.expires)) return watch();
    try {
      await api('GET', '/v1/session');
      watch();
    } catch {
      /* whenSessionEnds shows the form */
    }
  }, Math.max(due + 1000, 5000));
}

function ended(message) {
  session.person = null;
  keepCsrf(null);
  clearTimeout(timer);
  forget();
  signinForm(message);
}

whenSessionEnds(() => ended('Your session has ended (30 minutes without use, or 12 hours). Sign in again.'));

// The header: the node's person, the pages their roles allow, sign-out.
function chrome() {
  const p = session.person;
  nav.replaceChildren(
    h('ul', null, PAGES.filter(allowed).map((pg) => h('li', null, h('a', { href: `#/${pg.path}`, 'data-page': pg.path }, pg.title)))),
  );
  const out = h('button', { type: 'button', id: 'signout' }, 'Sign out');
  out.addEventListener('click', async () => {
    out.disabled = true;
    try {
      await api('POST', '/v1/session/end');
    } catch {
      /* gone already: signed out either way */
    }
    ended('You are signed out.');
    history.replaceState(null, '', '#/signin');
  });
  who.replaceChildren(
    h('span', { class: 'person' }, iso(p.name), ` (${p.id}, ${p.party})`),
    h('span', { class: 'roles' }, p.roles.join(', ') + (session.readOnly ? ' · read-only' : '')),
    out,
  );
}

// decodeParts(list): the address's parts, decoded; a part that does not decode
// (#/items/%E0) is an address the console cannot read
function decodeParts(list) {
  return list.map((x) => {
    try {
      return decodeURIComponent(x);
    } catch {
      throw new BadAddress('No such page', 'The console cannot read this address. Nothing was asked of the node.');
    }
  });
}

async function route() {
  if (!session.person) return signinForm();
  const gen = newRoute(); // from now on, only this page sets the banners
  const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const [pathPart, qs] = hash.split('?');
  const raw = pathPart.split('/');
  const page = PAGES.find((p) => p.path === raw[0]);
  if (!page) {
    location.replace(home());
    return;
  }
  for (const a of nav.querySelectorAll('a'))
    if (a.dataset.page === page.path) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  document.title = `${page.title} — liaison`;
  const slot = h('div', { class: 'page', 'data-page': page.path, 'data-route': location.hash, 'aria-busy': 'true' });
  show(main, slot);
  try {
    const parts = decodeParts(raw.slice(1));
    if (parts.length > page.sub) throw new BadAddress('No such page', 'The console has no page at this address. Nothing was asked of the node.');
    const mod = await import(page.mod);
    await mod.render(page.path, parts, new URLSearchParams(qs || ''), slot, gen);
  } catch (e) {
    if (e.status === 401 || !isCurrent(gen)) return;
    if (e instanceof BadAddress) {
      // nothing was asked of the node, nothing is shown
      setBanners(null, gen);
      show(slot, h('h1', null, e.title), h('div', { role: 'alert', class: 'error', 'data-refused': 'address' }, h('p', null, e.message)));
    } else {
      if (page.classified) bannersUnknown(gen);
      else setBanners(null, gen);
      show(slot, h('h1', null, page.title), errorView(e));
    }
  } finally {
    slot.removeAttribute('aria-busy');
    slot.dataset.ready = '1';
    performance.mark('console:page-ready');
  }
  if (!isCurrent(gen)) return;
  const h1 = main.querySelector('h1');
  if (h1 && document.activeElement === document.body) {
    h1.tabIndex = -1;
    h1.focus({ preventScroll: true });
  }
}

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#/')) route();
});

// At start: a live session (a reload) goes on; else the sign-in form.
async function start() {
  wireSignin(document.getElementById('signin-form'));
  try {
    session.csrf = keptCsrf();
    if (!session.csrf) throw new Error('not signed in here');
    started(await api('GET', '/v1/session', { signingIn: true }));
    if (!location.hash.startsWith('#/') || location.hash === '#/signin') location.replace(home());
    else route();
  } catch {
    signinForm();
  }
}
start();
