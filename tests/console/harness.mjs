// harness.mjs - what the console's browser tests share: the nodes run.sh
// prepared (CONSOLE_ENV), Debian's Chromium driven by Playwright, and on
// every page: console errors, uncaught errors and CSP violations
// collected, an axe-core scan, a screenshot.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODULES = join(ROOT, 'tools', 'console-test', 'node_modules');
const { chromium } = await import(join(MODULES, 'playwright-core', 'index.mjs'));
const AXE = readFileSync(join(MODULES, 'axe-core', 'axe.min.js'), 'utf8');

export const env = JSON.parse(readFileSync(process.env.CONSOLE_ENV, 'utf8'));

// Playwright launches Chromium with --no-sandbox by default (chromiumSandbox:
// false), so it runs as root too.
export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
}

// A page that records what must not happen: uncaught errors, console
// errors, CSP violations. A browser's "Failed to load resource" note for
// an API answer the page expects and shows (401 at the sign-in, a 403
// DENY) is a network note, not a script's error: it is kept apart, and
// any for the console's own files still counts.
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'en-GB', viewport: { width: 1200, height: 900 }, ...opts });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.problems = [];
  page.apiNotes = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const url = (m.location() && m.location().url) || '';
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) && /\/v1\//.test(url)) {
      page.apiNotes.push(`${m.text()} ${url}`);
      return;
    }
    page.problems.push(`console.${m.type()}: ${m.text()} ${url}`);
  });
  await context.exposeBinding('__cspViolation', (_src, what) => page.problems.push(`CSP violation: ${what}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return page;
}

// ready(page): the page for the current address is rendered (app.js marks it)
export async function ready(page) {
  await page.waitForFunction(() => {
    const p = document.querySelector('#main .page');
    return p && p.dataset.ready === '1' && p.dataset.route === location.hash;
  });
}

// sessionGet(page, path): the JSON of GET path as the page's session asks
// it: its cookie and the CSRF value the page keeps (the cookie alone gets 403)
export async function sessionGet(page, path) {
  return page.evaluate(async (p) => (await fetch(p, { headers: { 'X-CSRF-Token': localStorage.getItem('liaison-csrf') } })).json(), path);
}

export async function signIn(page, url, token) {
  await page.goto(url);
  await page.waitForSelector('#signin-form button:not([disabled])');
  await page.fill('#token', token);
  await page.click('#signin-form button');
  await ready(page);
}

// goto(page, hash): another page of the console, rendered
export async function visit(page, hash) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.waitForFunction((h) => location.hash === h, hash);
  await ready(page);
}

export async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: join(env.shots, `${name}.png`), fullPage });
}

// banners(page): both banners' text and colours
export async function banners(page) {
  return page.evaluate(() =>
    ['banner-top', 'banner-bottom'].map((id) => {
      const el = document.getElementById(id);
      const cs = getComputedStyle(el);
      return { text: el.textContent, bg: cs.backgroundColor, fg: cs.color, where: el.closest('footer') ? 'footer' : 'top' };
    }),
  );
}

export function assertBanners(b, text, bg) {
  assert.equal(b.length, 2);
  for (const x of b) {
    assert.equal(x.text, text, `the ${x.where} banner says ${x.text}`);
    assert.equal(x.bg, bg, `the ${x.where} banner's colour`);
  }
  assert.equal(b[1].where, 'footer');
}

// axe(page): the serious and critical violations axe-core finds. Its
// source is evaluated through the DevTools protocol, which the page's CSP
// does not govern (an inline <script> would be refused, as it should be):
// no CSP is bypassed for the page itself.
export async function axe(page) {
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ['violations'] });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  return r.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function noProblems(page) {
  assert.deepEqual(page.problems, [], 'no console errors, page errors or CSP violations');
}
