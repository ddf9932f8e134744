// app.js - the console's shell: sign-in and sign-out, the session's end,
// the navigation each person's roles allow, and the pages by address
// (#/items, #/items/ID, #/share, #/agreements, #/agreements/ID, #/export,
// #/log, #/peers), each a module loaded when first needed.
import { api, h, session, hasRole, whenSessionEnds, show, errorView, forget, lastActivity } from './lib.js';
import { setBanners } from './banner.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let signinSection = document.querySelector('section.signin');

// The pages: address, title, who sees it in the navigation, the module.
const PAGES = [
  { path: 'items', title: 'Items', roles: null, mod: './items.js' },
  { path: 'share', title: 'Share', roles: ['analyst', 'originator'], mod: './items.js', write: true },
  { path: 'agreements', title: 'Agreements', roles: null, mod: './agreements.js' },
  { path: 'export', title: 'Export control', roles: null, mod: './agreements.js' },
  { path: 'log', title: 'Log', roles: ['auditor'], mod: './audit.js' },
  { path: 'peers', title: 'Peers', roles: ['security-officer', 'registrar'], mod: './audit.js' },
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
  setBanners(null);
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
  session.csrf = s.csrf;
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
  session.csrf = null;
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
    h('span', { class: 'person' }, `${p.name} (${p.id}, ${p.party})`),
    h('span', { class: 'roles' }, p.roles.join(', ') + (session.readOnly ? ' · read-only' : '')),
    out,
  );
}

async function route() {
  if (!session.person) return signinForm();
  const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const [pathPart, qs] = hash.split('?');
  const parts = pathPart.split('/').map(decodeURIComponent);
  const page = PAGES.find((p) => p.path === parts[0]);
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
    const mod = await import(page.mod);
    await mod.render(page.path, parts.slice(1), new URLSearchParams(qs || ''), slot);
  } catch (e) {
    if (e.status === 401) return;
    setBanners(null);
    show(slot, h('h1', null, page.title), errorView(e));
  } finally {
    slot.removeAttribute('aria-busy');
    slot.dataset.ready = '1';
    performance.mark('console:page-ready');
  }
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
    started(await api('GET', '/v1/session', { signingIn: true }));
    if (!location.hash.startsWith('#/') || location.hash === '#/signin') location.replace(home());
    else route();
  } catch {
    signinForm();
  }
}
start();
