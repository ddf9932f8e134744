// A registrar on JPN's node (ito): the agreements, the timeline picture
// and its counterfactual (the picture without one event), an event
// recorded after its dry run showed what it would do, export control.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { env, launch, newPage, signIn, visit, shot, banners, assertBanners, axe, noProblems, sessionGet } from './harness.mjs';

const URL = env.jpn.url;
const GREEN = 'rgb(0, 122, 51)';
let browser;
let page;

before(async () => {
  browser = await launch();
  page = await newPage(browser);
});
after(async () => {
  await browser?.close();
});

test('a registrar lands on the agreements, each with its state', async () => {
  await signIn(page, URL, env.jpn.tokens.ito);
  assert.equal(new globalThis.URL(page.url()).hash, '#/agreements');
  const row = page.locator('tr[data-agreement="JPN-KOR-GSOMIA"]');
  assert.match(await row.textContent(), /in force, term 7 ends at the start of 2023-11-23 \(notice by KOR given 2019-08-23: withdrawn\)/);
  assertBanners(await banners(page), 'No classified content on this page', GREEN);
  await shot(page, 'agreements');
  assert.deepEqual(await axe(page), [], 'axe: the agreements page');
});

// the picture the page shows (fetched with the session's CSRF value, shown
// from its bytes), and those bytes as the daemon gives them
async function picture() {
  await page.waitForFunction(() => {
    const i = document.querySelector('.timeline img');
    return i.dataset.shown === i.dataset.src && i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0;
  });
  const src = await page.getAttribute('.timeline img', 'data-src');
  const csrf = await page.evaluate(() => localStorage.getItem('liaison-csrf'));
  const href = new globalThis.URL(src, URL).href;
  assert.equal((await page.context().request.get(href)).status(), 403, 'the cookie alone gets nothing');
  const r = await page.context().request.get(href, { headers: { 'X-CSRF-Token': csrf } });
  assert.equal(r.status(), 200);
  assert.match(r.headers()['content-type'], /^image\/svg\+xml/);
  return { src, body: await r.text() };
}

test('the timeline picture, and the counterfactual: without the suspension the agreement ends in 2019', async () => {
  await visit(page, '#/agreements/JPN-KOR-GSOMIA');
  const before = await picture();
  assert.match(before.src, /\/v1\/agreements\/JPN-KOR-GSOMIA\/timeline\.svg$/);
  assert.equal(await page.locator('tr[data-event]').count(), 5);
  await shot(page, 'agreement');
  assert.deepEqual(await axe(page), [], 'axe: the agreement page');
  await page.selectOption('select[name="without"]', '4');
  await page.waitForFunction(() => /without=4/.test(document.querySelector('.timeline img').dataset.src));
  const without = await picture();
  assert.match(without.src, /timeline\.svg\?without=4$/);
  assert.notEqual(without.body, before.body, 'the picture differs');
  await page.waitForSelector('text=terminated since 2019-11-23');
  assert.match(await page.getAttribute('.timeline img', 'alt'), /as if event #4 had not happened/);
  await shot(page, 'agreement-without');
  await page.selectOption('select[name="without"]', '');
  await page.waitForFunction(() => !/without=/.test(document.querySelector('.timeline img').dataset.shown));
});

test("recording an event: the dry run's consequence first, nothing stored until confirmed", async () => {
  const form = page.locator('form.record');
  await form.locator('input[name="date"]').fill('2023-06-01');
  await form.locator('select[name="kind"]').selectOption('notice');
  await form.locator('select[name="by"]').selectOption('KOR');
  await form.locator('button', { hasText: 'See what it would do' }).click();
  const said = form.locator('.consequence');
  await said.waitFor();
  assert.match(await said.textContent(), /2023-11-23/);
  const stored = async () => (await sessionGet(page, '/v1/agreements/JPN-KOR-GSOMIA')).events.length;
  assert.equal(await stored(), 5, 'a dry run stores nothing');
  await shot(page, 'record-event');
  await form.locator('button.confirm').click();
  await form.locator('p.good').waitFor();
  assert.match(await form.locator('p.good').textContent(), /Recorded as event #6/);
  assert.equal(await stored(), 6);
});

test('export control: a country\'s groups over time, and an answer for an entry, a destination and a date', async () => {
  await visit(page, '#/export?country=KOR');
  const changes = await page.locator('table', { hasText: 'Changes, in date order' }).textContent();
  assert.match(changes, /2019-08-28.*from group A to B/);
  await page.selectOption('select[name="entry"]', 'RESIST');
  await page.fill('input[name="to"]', 'KOR');
  await page.fill('input[name="at"]', '2019-07-10');
  await page.click('text=Check');
  const ans = page.locator('[data-allowed]');
  await ans.waitFor();
  assert.equal(await ans.getAttribute('data-allowed'), 'false');
  assert.match(await ans.textContent(), /individual-required/);
  assertBanners(await banners(page), 'No classified content on this page', GREEN);
  await shot(page, 'export', false);
  assert.deepEqual(await axe(page), [], 'axe: the export page');
});

test('no console errors, page errors or CSP violations on the registrar\'s pages', () => {
  noProblems(page);
});
