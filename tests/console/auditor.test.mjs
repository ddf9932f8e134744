// An auditor on JPN's node (mori): the log, a checkpoint's signature and
// an entry's inclusion proof verified in the browser against a key the
// auditor pastes, a tampered checkpoint, a wrong key and a tampered proof
// refused, and an item's history from the log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { env, launch, newPage, signIn, visit, shot, banners, assertBanners, axe, noProblems } from './harness.mjs';

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

const verdict = () => page.getAttribute('.cp-result [data-verified]', 'data-verified');

async function verifyCheckpoint() {
  await page.click('button:has-text("Verify the checkpoint")');
  await page.waitForSelector('.cp-result [data-verified]');
  return verdict();
}

test('an auditor lands on the log', async () => {
  await signIn(page, URL, env.jpn.tokens.mori);
  assert.equal(new globalThis.URL(page.url()).hash, '#/log');
  assert.ok((await page.locator('tr[data-index]').count()) >= 10);
  assert.match(await page.textContent('tr[data-index="0"]'), /node-init/);
  // the page shows the shared items' titles: its banners say their level
  assertBanners(await banners(page), 'JPN 極秘 — SECRET', 'rgb(200, 16, 46)');
});

test("a checkpoint's signature verified in the browser with the key the auditor gives", async () => {
  await page.fill('textarea[name="key"]', env.jpn.keyline);
  await page.click('text=Fetch a fresh checkpoint');
  await page.waitForFunction(() => document.querySelector('textarea[name="checkpoint"]').value.startsWith('liaison/JPN\n'));
  assert.equal(await verifyCheckpoint(), 'true');
  assert.match(await page.textContent('.cp-result'), /Signature verified: liaison\/JPN, a tree of \d+ entries/);
  // the key is kept in this browser (public data)
  assert.equal(await page.evaluate(() => localStorage.getItem('liaison.verifier-key')), env.jpn.keyline);
});

test("an entry's inclusion proof verified in the browser against the verified checkpoint", async () => {
  const row = page.locator('tr[data-index="3"]');
  await row.locator('button').click();
  await row.locator('[data-proof]').waitFor();
  assert.equal(await row.locator('[data-proof]').getAttribute('data-proof'), 'verified');
  assert.match(await row.textContent(), /Included: entry 3/);
  await shot(page, 'log');
  assert.deepEqual(await axe(page), [], 'axe: the log page');
});

test('a tampered proof is refused', async () => {
  await page.route('**/v1/log/proof?**', async (route) => {
    const r = await route.fetch();
    const p = await r.json();
    const h = Buffer.from(p.proof[0], 'base64');
    h[0] ^= 1;
    p.proof[0] = h.toString('base64');
    await route.fulfill({ response: r, json: p });
  });
  const row = page.locator('tr[data-index="5"]');
  await row.locator('button').click();
  await row.locator('[data-proof]').waitFor();
  assert.equal(await row.locator('[data-proof]').getAttribute('data-proof'), 'refused');
  assert.match(await row.textContent(), /Refused: the proof does not lead/);
  await page.unroute('**/v1/log/proof?**');
  await row.locator('button').click();
  await page.waitForFunction(() => document.querySelector('tr[data-index="5"] [data-proof]').dataset.proof === 'verified');
});

test('a tampered checkpoint and a wrong key are refused', async () => {
  const good = await page.inputValue('textarea[name="checkpoint"]');
  const lines = good.split('\n');
  lines[1] = String(Number(lines[1]) + 1); // another size, the same signature
  await page.fill('textarea[name="checkpoint"]', lines.join('\n'));
  assert.equal(await verifyCheckpoint(), 'false');
  assert.match(await page.textContent('.cp-result'), /Refused: the signature by liaison\/JPN does not verify/);
  await shot(page, 'log-refused');
  // a proof now has no verified checkpoint to lead to
  const row = page.locator('tr[data-index="2"]');
  await row.locator('button').click();
  await row.locator('[data-proof]').waitFor();
  assert.equal(await row.locator('[data-proof]').getAttribute('data-proof'), 'refused');
  // KOR's key for JPN's checkpoint: not signed by the key given
  await page.fill('textarea[name="checkpoint"]', good);
  await page.fill('textarea[name="key"]', env.kor.keyline);
  assert.equal(await verifyCheckpoint(), 'false');
  assert.match(await page.textContent('.cp-result'), /no signature by liaison\/KOR/);
  await page.fill('textarea[name="key"]', env.jpn.keyline);
  assert.equal(await verifyCheckpoint(), 'true');
});

test("an item's page shows its history from the log to an auditor", async () => {
  await visit(page, `#/items/${env.item}`);
  const hist = await page.locator('table', { hasText: 'Entries of the log about this item' }).textContent();
  assert.match(hist, /item-share/);
  assert.match(hist, /item-release/);
});

test("no console errors, page errors or CSP violations on the auditor's pages", () => {
  noProblems(page);
});
