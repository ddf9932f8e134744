// The session and its defences: the policy every console answer carries,
// CSRF (a change with the cookie but without the header is 403), a session
// ended elsewhere sending the page back to the sign-in form, sign-out
// (the old cookie then 401), a security officer's peers and outbox, and a
// person of KOR on KOR's node, whose banner shows both markings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { env, launch, newPage, ready, signIn, visit, shot, banners, assertBanners, axe, noProblems, sessionGet } from './harness.mjs';

const URL = env.jpn.url;
let browser;
let page;

before(async () => {
  browser = await launch();
  page = await newPage(browser);
});
after(async () => {
  await browser?.close();
});

test('every console answer carries the strict Content-Security-Policy', async () => {
  for (const path of ['/', '/console/app.js', '/console/app.css', '/console/favicon.svg']) {
    const r = await fetch(URL + path);
    const csp = r.headers.get('content-security-policy') || '';
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'self'/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
  }
});

test('CSRF: a change with the session cookie but without X-CSRF-Token is 403', async () => {
  await signIn(page, URL, env.jpn.tokens.suzuki);
  assert.equal(new globalThis.URL(page.url()).hash, '#/items');
  const r = await page.evaluate(async (item) => {
    const x = await fetch(`/v1/items/${item}/report-compromise`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ details: 'forged' }),
    });
    return { status: x.status, body: await x.json() };
  }, env.item);
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'csrf');
});

test("a security officer's peers: KOR witnessed, the outbox", async () => {
  await visit(page, '#/peers');
  const row = page.locator('tr[data-peer="KOR"]');
  // the daemon witnesses its peers every 2 s: look again until it has
  for (let i = 0; i < 20 && !/entries at/.test(await row.textContent()); i++) {
    await page.waitForTimeout(500);
    await visit(page, '#/items');
    await visit(page, '#/peers');
  }
  assert.match(await row.textContent(), /\d+ entries at 20/);
  await shot(page, 'peers');
  assert.deepEqual(await axe(page), [], 'axe: the peers page');
});

test("a security officer's compromise reports: the alarm, the details, acknowledged with a note", async () => {
  await visit(page, '#/reports');
  const row = page.locator('tr[data-report]');
  assert.equal(await row.count(), 1);
  assert.match(await page.textContent('[role="alert"]'), /1 compromise report not acknowledged/);
  assert.match(await row.textContent(), /park \(KOR\).*OPEN/);
  // the reported item's level on the banners
  assertBanners(await banners(page), 'JPN 極秘 — SECRET', 'rgb(200, 16, 46)');
  await row.locator('button:has-text("Details")').click();
  await row.locator('text=laptop lost in Busan').waitFor();
  assert.deepEqual(await axe(page), [], 'axe: the reports page');
  await shot(page, 'reports');
  // an empty note is not sent (required); then a note of what was done
  await row.locator('button:has-text("Acknowledge")').click();
  assert.equal(await page.locator('[role="alert"]').count(), 1);
  await row.locator('input[name="note"]').fill('laptop wiped remotely; holders told');
  await row.locator('button:has-text("Acknowledge")').click();
  await page.waitForSelector('tr[data-report] :text("Acknowledged by suzuki")');
  assert.match(await page.locator('tr[data-report]').textContent(), /Acknowledged by suzuki on 2023-06-01: laptop wiped remotely; holders told/);
  assert.equal(await page.locator('[role="alert"]').count(), 0);
  const list = await sessionGet(page, '/v1/reports');
  assert.equal(list.open, 0);
});

test('a session ended elsewhere: the next request shows the sign-in form with a message', async () => {
  const other = await page.context().newPage();
  await other.goto(URL);
  await other.waitForSelector('.page[data-ready="1"]'); // the same session, reloaded
  await other.click('#signout');
  await other.waitForSelector('#signin-form');
  await other.close();
  await page.click('nav a[data-page="items"]');
  await page.waitForSelector('.signin-message:not([hidden])');
  assert.match(await page.textContent('.signin-message'), /Your session has ended/);
  assertBanners(await banners(page), 'No classified content on this page', 'rgb(0, 122, 51)');
});

test("another's session planted in the cookie (as a service on another port of the host can): the page asks for a sign-in, and shows nothing of it", async () => {
  await signIn(page, URL, env.jpn.tokens.sato);
  const r = await fetch(`${URL}/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: env.jpn.tokens.mori }) });
  assert.equal(r.status, 201);
  const [name, value] = r.headers.get('set-cookie').split(';')[0].split('=');
  await page.context().addCookies([{ name, value, url: URL }]);
  // the next request, in the page (an item opened) and at a reload
  await visit(page, `#/items/${env.item}`).catch(() => {});
  await page.waitForSelector('.signin-message:not([hidden])');
  assert.match(await page.textContent('.signin-message'), /Your session has ended/);
  await page.reload();
  await page.waitForSelector('#signin-form');
  assert.equal(await page.locator('#signout').count(), 0);
  assert.doesNotMatch(await page.textContent('body'), /mori|Mori/);
});

test('a tab whose session ended leaves alone the value another tab has signed in with since', async () => {
  await signIn(page, URL, env.jpn.tokens.sato);
  const other = await page.context().newPage();
  await other.goto(URL);
  await ready(other); // the same session, from the kept value
  await page.click('#signout');
  await page.waitForSelector('#signin-form');
  await signIn(page, URL, env.jpn.tokens.sato);
  const kept = await page.evaluate(() => localStorage.getItem('liaison-csrf'));
  assert.ok(kept);
  await visit(other, `#/items/${env.item}`).catch(() => {}); // its session ended at the sign-out
  await other.waitForSelector('.signin-message:not([hidden])');
  assert.equal(await page.evaluate(() => localStorage.getItem('liaison-csrf')), kept);
  await page.reload();
  await ready(page);
  assert.equal(await page.locator('#signout').count(), 1);
  // the other tab signs in again: the browser's session before it ends
  // (one browser, one session), none is left open unused
  const cookie = (await page.context().cookies()).find((c) => c.name.startsWith('liaison_session'));
  const before = () => fetch(`${URL}/v1/me`, { headers: { Cookie: `${cookie.name}=${cookie.value}`, 'X-CSRF-Token': kept } });
  assert.equal((await before()).status, 200);
  await other.fill('#token', env.jpn.tokens.sato);
  await other.click('#signin-form button');
  await ready(other);
  assert.equal((await before()).status, 401);
  await other.close();
  await page.reload(); // this tab now finds the other's session, and signs the browser out
  await ready(page);
  await page.click('#signout');
  await page.waitForSelector('#signin-form');
});

test('sign-out: back to the form, and the old cookie is refused (401)', async () => {
  await signIn(page, URL, env.jpn.tokens.sato);
  const jar = await page.context().cookies();
  const cookie = jar.find((c) => c.name.startsWith('liaison_session'));
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', JSON.stringify(jar));
  // the page keeps the CSRF value in its origin's storage; the cookie alone gets nothing
  const csrf = await page.evaluate(() => localStorage.getItem('liaison-csrf'));
  assert.ok(csrf && csrf.length >= 40);
  const me = (c, headers = { 'X-CSRF-Token': csrf }) => fetch(`${URL}/v1/me`, { headers: { Cookie: `${c.name}=${c.value}`, ...headers } });
  assert.equal((await me(cookie)).status, 200);
  assert.equal((await me(cookie, {})).status, 403);
  await page.click('#signout');
  await page.waitForSelector('.signin-message:not([hidden])');
  assert.match(await page.textContent('.signin-message'), /You are signed out/);
  assert.equal((await me(cookie)).status, 401);
  assert.equal(await page.evaluate(() => localStorage.getItem('liaison-csrf')), null, 'forgotten at sign-out');
  assert.equal((await page.context().cookies()).filter((c) => c.name === cookie.name).length, 0);
});

test("KOR's node: kim sees JPN's item under both markings, KOR 군사II급비밀 / JPN 極秘 — SECRET", async () => {
  await signIn(page, env.kor.url, env.kor.tokens.kim);
  assertBanners(await banners(page), 'KOR 군사II급비밀 / JPN 極秘 — SECRET', 'rgb(200, 16, 46)');
  await visit(page, `#/items/${env.item}`);
  const facts = await page.textContent('dl.facts');
  assert.match(facts, /KOR 군사II급비밀 \(II\)/);
  assert.match(facts, /JPN 極秘 \(GOKUHI\)/);
  assertBanners(await banners(page), 'KOR 군사II급비밀 / JPN 極秘 — SECRET', 'rgb(200, 16, 46)');
  await shot(page, 'item-foreign');
  assert.deepEqual(await axe(page), [], 'axe: a foreign item');
  // kim is an analyst of KOR on KOR's node: reads, reproduces, translates; no release (not an originator)
  const acts = await page.$$eval('.actions form h3', (hs) => hs.map((x) => x.textContent));
  assert.deepEqual(acts, ['Read or download', 'Reproduce', 'Translate']);
});

test('no console errors, page errors or CSP violations in these sessions', () => {
  noProblems(page);
});
