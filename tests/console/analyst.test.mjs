// An analyst on JPN's node (sato: originator and analyst, cleared for
// 特定秘密): sign-in, the items and their banners, a share through the
// form, a DENY shown with its reason first, a read and a download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { env, launch, newPage, signIn, visit, ready, shot, banners, assertBanners, axe, noProblems } from './harness.mjs';

const URL = env.jpn.url;
const RED = 'rgb(200, 16, 46)'; // SECRET
let browser;
let page;
let shared;

before(async () => {
  browser = await launch();
  page = await newPage(browser);
});
after(async () => {
  await browser?.close();
});

test('sign-in: a bad token is refused on the form, a good one lands on the items', async () => {
  await page.goto(URL);
  await page.waitForSelector('#signin-form button:not([disabled])');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assertBanners(await banners(page), 'No classified content on this page', 'rgb(0, 122, 51)');
  await shot(page, 'signin');
  assert.deepEqual(await axe(page), [], 'axe: the sign-in page');
  await page.fill('#token', 'lsn_nottherealtoken');
  await page.click('#signin-form button');
  await page.waitForSelector('.signin-message:not([hidden])');
  assert.match(await page.textContent('.signin-message'), /Sign-in refused/);
  assert.equal(await page.inputValue('#token'), '', 'the field is cleared');
  await signIn(page, URL, env.jpn.tokens.sato);
  assert.equal(new globalThis.URL(page.url()).hash, '#/items');
  assert.match(await page.textContent('#who'), /Sato Hiroshi \(sato, JPN\)/);
  const nav = await page.$$eval('#nav a', (as) => as.map((a) => a.textContent));
  assert.deepEqual(nav, ['Items', 'Share', 'Agreements', 'Export control']);
  // the token is kept nowhere by the page
  const kept = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href + document.cookie);
  assert.doesNotMatch(kept, /lsn_/);
});

test('items: the list, its banners at the highest level shown (JPN 極秘 — SECRET)', async () => {
  const rows = await page.$$('tr[data-item]');
  assert.equal(rows.length, 2);
  assert.ok(await page.getByText('弾道ミサイル発射 / 탄도미사일 발사 (Missile launch)').isVisible());
  assertBanners(await banners(page), 'JPN 極秘 — SECRET', RED);
  await shot(page, 'items');
  assert.deepEqual(await axe(page), [], 'axe: the items page');
});

test('filters: title text and level; the banners follow what the page shows (JPN 秘 — CONFIDENTIAL)', async () => {
  await page.fill('input[name="q"]', 'naval');
  await page.selectOption('form.filters select[name="level"]', 'HI');
  await page.click('form.filters button[type="submit"]');
  await page.waitForFunction(() => /q=naval/.test(location.hash));
  await ready(page);
  assert.equal(await page.locator('tr[data-item]').count(), 1);
  assert.match(await page.textContent('tr[data-item]'), /Naval exercise schedule/);
  assertBanners(await banners(page), 'JPN 秘 — CONFIDENTIAL', 'rgb(0, 51, 160)');
  await page.fill('input[name="q"]', '');
  await page.selectOption('form.filters select[name="level"]', '');
  await page.selectOption('form.filters select[name="ntk"]', 'MISSILE-WARNING');
  await page.click('form.filters button[type="submit"]');
  await page.waitForFunction(() => /ntk=MISSILE-WARNING/.test(location.hash) && !/q=/.test(location.hash));
  await ready(page);
  assert.equal(await page.locator('tr[data-item]').count(), 1);
  assert.match(await page.textContent('tr[data-item]'), /Missile launch/);
});

test('share: an upload through the label form, which offers only valid values', async () => {
  await visit(page, '#/share');
  const levels = await page.$$eval('select[name="level"] option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(levels, ['HI', 'GOKUHI', 'TOKUTEI']);
  const releasable = await page.$$eval('input[name="releasable"]', (is) => is.map((i) => i.value));
  assert.deepEqual(releasable, ['KOR']);
  assertBanners(await banners(page), 'No classified content on this page', 'rgb(0, 122, 51)');
  await page.setInputFiles('input[type="file"]', { name: 'warning.txt', mimeType: 'text/plain', buffer: Buffer.from('two launches at 05:40, 極秘\n') });
  await page.fill('input[name="title"]', '発射警報 — 발사 경보');
  await page.selectOption('select[name="level"]', 'GOKUHI');
  await page.check('input[name="releasable"][value="KOR"]');
  await page.selectOption('select[name="ntk"]', 'MISSILE-WARNING');
  await page.check('input[name="purpose"][value="warning"]');
  await shot(page, 'share');
  assert.deepEqual(await axe(page), [], 'axe: the share page');
  await page.click('form.share button[type="submit"]');
  await page.waitForFunction(() => /^#\/items\/JPN-[0-9a-f]{24}/.test(location.hash));
  await ready(page);
  shared = decodeURIComponent(new globalThis.URL(page.url()).hash.split('/')[2].split('?')[0]);
  assert.equal(await page.textContent('main h1'), '発射警報 — 발사 경보');
  assert.match(await page.textContent('p.good'), /Shared/);
  assertBanners(await banners(page), 'JPN 極秘 — SECRET', RED);
  const facts = await page.textContent('dl.facts');
  assert.match(facts, /JPN 極秘/);
  assert.match(facts, /KOR/);
  assert.match(facts, /MISSILE-WARNING/);
});

test('a DENY shows the failing rule first, in words, with its article and what would change it', async () => {
  const form = page.locator('form.read');
  await form.locator('select[name="purpose"]').selectOption('');
  await form.locator('button', { hasText: 'Read' }).click();
  const deny = form.locator('.decision.deny');
  await deny.waitFor();
  const first = deny.locator('li.rule').first();
  assert.match(await first.textContent(), /^Fails: Purpose \(R-PURPOSE, Art\. 5\)/);
  assert.match(await first.locator('.hint').textContent(), /To change it: .*warning/);
  assert.match(await deny.locator('.verdict').textContent(), /^DENY: sato may not download/);
  assert.equal(await deny.locator('ul.failed li').count(), 1, 'only the failed rule is listed before the others');
  await shot(page, 'deny');
});

test('a read with a purpose the item allows shows the text; a download saves the same bytes', async () => {
  const form = page.locator('form.read');
  await form.locator('select[name="purpose"]').selectOption('warning');
  await form.locator('button', { hasText: 'Read' }).click();
  await form.locator('pre.content').waitFor();
  assert.equal(await form.locator('pre.content').textContent(), 'two launches at 05:40, 極秘\n');
  await shot(page, 'item');
  assert.deepEqual(await axe(page), [], 'axe: the item page');
  const [dl] = await Promise.all([page.waitForEvent('download'), form.locator('button', { hasText: 'Download' }).click()]);
  assert.equal(dl.suggestedFilename(), `${shared}.bin`);
  assert.equal(await readFile(await dl.path(), 'utf8'), 'two launches at 05:40, 極秘\n');
});

test('the item page offers only the acts the roles allow', async () => {
  const acts = await page.$$eval('.actions form h3', (hs) => hs.map((x) => x.textContent));
  if (!acts.length) console.log(await page.textContent('main'), page.problems, page.apiNotes);
  // sato is an originator and analyst: no destroy or report (a security officer's)
  assert.deepEqual(acts, ['Read or download', 'Release to a party', 'Consent to a further release', 'Reproduce', 'Translate', 'Downgrade']);
});

test('no console errors, page errors or CSP violations on any page visited', async () => {
  await visit(page, '#/agreements');
  await visit(page, '#/export');
  await ready(page);
  noProblems(page);
});
