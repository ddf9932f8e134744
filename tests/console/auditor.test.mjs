// An auditor on JPN's node (mori): the log, a checkpoint's signature and
// an entry's inclusion proof verified in the browser against a key the
// auditor pastes, a tampered checkpoint, a wrong key and a tampered proof
// refused, and an item's history from the log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { env, launch, newPage, signIn, visit, shot, banners, assertBanners, axe, noProblems, sessionGet } from './harness.mjs';

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

test("a peer's alarm shows on the log page, from the auditor's route, not from /readyz", async () => {
  const alarm = page.locator('[role="alert"]', { hasText: "A peer's log raised an alarm" });
  await alarm.waitFor();
  assert.match(await alarm.textContent(), /USA: ALARM: liaison\/USA signed two different trees of 3 entries/);
  const ready = await page.evaluate(async () => (await fetch('/readyz')).text());
  assert.doesNotMatch(ready, /ALARM|USA/);
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
  // a key is kept only once a checkpoint verified with it
  assert.equal(await page.evaluate(() => localStorage.getItem('liaison.verifier-key')), env.jpn.keyline);
  await page.fill('textarea[name="key"]', env.jpn.keyline);
  assert.equal(await verifyCheckpoint(), 'true');
});

// tamper(edit): the log's page again, its /v1/log/entries answer edited on the way
async function tamper(edit) {
  await page.route('**/v1/log/entries?**', async (route) => {
    const r = await route.fetch();
    const p = await r.json();
    edit(p);
    await route.fulfill({ response: r, json: p });
  });
  await visit(page, '#/agreements');
  await visit(page, '#/log');
  await page.unroute('**/v1/log/entries?**');
}

test("a page of the log whose indices are not from..to-1, each once, in order, is refused, not shown", async () => {
  const forged = { index: 5, data: Buffer.from('FORGED').toString('base64') };
  const edits = {
    // the reviewer's: a fabricated row 5 inserted before the real one
    'a forged entry 5 inserted': (p) => p.entries.splice(5, 0, forged),
    'a forged entry 5 in place of 6': (p) => p.entries.splice(6, 1, forged),
    'a gap (no entry 7)': (p) => p.entries.splice(7, 1),
    'entry 5 with the bytes of entry 4': (p) => (p.entries[5].data = p.entries[4].data),
    'another first entry than asked': (p) => (p.from = 1, p.entries.shift()),
  };
  for (const [what, edit] of Object.entries(edits)) {
    await tamper(edit);
    const alert = await page.textContent('#main .page [role="alert"]');
    assert.match(alert, /Refused: the node's page of the log is not what was asked for/, what);
    assert.doesNotMatch(alert, /FORGED/, what);
    assert.equal(await page.locator('tr[data-index]').count(), 0, `${what}: no entry shown`);
    assert.match((await banners(page))[0].text, /Classification unknown/, what);
  }
  await visit(page, '#/agreements');
  await visit(page, '#/log');
  assert.ok((await page.locator('tr[data-index]').count()) >= 10);
  assertBanners(await banners(page), 'JPN 極秘 — SECRET', 'rgb(200, 16, 46)');
  // the proof of a row is from that row's own bytes
  await page.fill('textarea[name="checkpoint"]', '');
  await page.click('text=Fetch a fresh checkpoint');
  await page.waitForFunction(() => document.querySelector('textarea[name="checkpoint"]').value.startsWith('liaison/JPN\n'));
  assert.equal(await verifyCheckpoint(), 'true');
  const row = page.locator('tr[data-index="5"]');
  await row.locator('button').click();
  await row.locator('[data-proof]').waitFor();
  assert.equal(await row.locator('[data-proof]').getAttribute('data-proof'), 'verified');
});

// kept(): the checkpoint of JPN's log this browser verified last
const kept = async () => JSON.parse(await page.evaluate(() => localStorage.getItem('liaison.checkpoints')))['liaison/JPN'];
const keep = (c) => page.evaluate((x) => localStorage.setItem('liaison.checkpoints', JSON.stringify({ 'liaison/JPN': x })), c);

test('a checkpoint must extend the one this browser verified before: a fork or a rollback is refused', async () => {
  const note = await page.inputValue('textarea[name="checkpoint"]');
  const size = Number(note.split('\n')[1]);
  assert.deepEqual(await kept(), { size, root: note.split('\n')[2] }, 'the verified checkpoint is kept');
  // a checkpoint verified earlier at 3 entries (its true root): consistent, proved here
  const c = await sessionGet(page, '/v1/log/consistency?from=3');
  await keep({ size: 3, root: c.first_root });
  assert.equal(await verifyCheckpoint(), 'true');
  assert.match(await page.textContent('.cp-result [data-consistency]'), /Consistent with the checkpoint of 3 entries verified before/);
  assert.equal((await kept()).size, size, 'the larger tree is kept');
  // the same again: the same tree
  assert.equal(await verifyCheckpoint(), 'true');
  assert.match(await page.textContent('.cp-result [data-consistency]'), /The same tree/);
  // a fork: another tree of 3 entries was verified here before
  const other = Buffer.alloc(32, 0x11).toString('base64');
  await keep({ size: 3, root: other });
  assert.equal(await verifyCheckpoint(), 'false');
  assert.match(await page.textContent('.cp-result'), /Refused: this checkpoint \(\d+ entries\) is not consistent with the one verified before in this browser \(3 entries/);
  // another root at the same size
  await keep({ size, root: other });
  assert.equal(await verifyCheckpoint(), 'false');
  assert.match(await page.textContent('.cp-result'), /not consistent with the one verified before/);
  // a rollback: a larger tree was verified here before
  await keep({ size: size + 100, root: other });
  assert.equal(await verifyCheckpoint(), 'false');
  assert.match(await page.textContent('.cp-result'), new RegExp(`verified a checkpoint of ${size + 100} entries before: the log may have been rolled back`));
  // a proof then has no verified checkpoint to lead to
  const row = page.locator('tr[data-index="2"]');
  await row.locator('button').click();
  await page.waitForFunction(() => document.querySelector('tr[data-index="2"] [data-proof]')?.dataset.proof === 'refused');
  await keep({ size: 3, root: c.first_root });
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
