// What an address or a tampered answer cannot make the console do (sato
// on JPN's node): an item id that is not one (…%2Fcontent, %E0) is
// refused in the page without a request; an answer that is not the JSON
// asked for is an error that never shows its body, under a banner that
// does not say "no classified content"; a slow answer of a page the person
// left does not lower the banners of the page now shown; ?done= shows
// only the console's own messages; titles and names are isolated (<bdi>).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { env, launch, newPage, signIn, visit, ready, banners, assertBanners, noProblems } from './harness.mjs';

const URL = env.jpn.url;
const RED = 'rgb(200, 16, 46)';
const GREEN = 'rgb(0, 122, 51)';
const SECRET = 'JPN 極秘 — SECRET';
const NONE = 'No classified content on this page';
let browser;
let page;
const asked = []; // every request the page makes to the API, as sent

before(async () => {
  browser = await launch();
  page = await newPage(browser);
  page.on('request', (r) => {
    if (/\/v1\//.test(r.url())) asked.push(r.url());
  });
  await signIn(page, URL, env.jpn.tokens.sato);
});
after(async () => {
  await browser?.close();
});

const bannerText = async () => (await banners(page))[0].text;
const alertText = () => page.textContent('#main .page [role="alert"]');

test('an item id with a slash in it (ID%2Fcontent) is refused in the page: no request, nothing downloaded', async () => {
  await visit(page, `#/items/${env.item}`);
  assertBanners(await banners(page), SECRET, RED);
  asked.length = 0;
  for (const bad of [`${env.item}%2Fcontent`, `${env.item}%2F..%2F${env.item}`, '..', `${env.item}%3Fpurpose%3Dwarning`, `${env.item}%23x`, `${env.item}%2525`]) {
    await visit(page, `#/items/${bad}`);
    assert.equal(await page.textContent('main h1'), 'No such item', bad);
    assert.match(await alertText(), /names no item.*Nothing was asked of the node/, bad);
    // nothing is shown, and nothing was asked: "no classified content" is true
    assertBanners(await banners(page), NONE, GREEN);
  }
  assert.deepEqual(asked.filter((u) => /\/v1\/items\//.test(u)), [], 'no request for an item');
  // a literal slash: no such page either
  await visit(page, `#/items/${env.item}/content`);
  assert.equal(await page.textContent('main h1'), 'No such page');
  assert.deepEqual(asked.filter((u) => /\/v1\/items\//.test(u)), [], 'no request for an item');
});

test('an address that does not decode (#/items/%E0) gives an error page under the right banner, not the last page', async () => {
  await visit(page, `#/items/${env.item}`);
  assertBanners(await banners(page), SECRET, RED);
  await visit(page, '#/items/%E0');
  assert.equal(await page.textContent('main h1'), 'No such page');
  assert.match(await alertText(), /cannot read this address/);
  assert.equal(await page.locator('dl.facts').count(), 0, "the item's page is gone");
  assertBanners(await banners(page), NONE, GREEN);
});

test("an answer that is not JSON is an error that never shows its body, under a banner of unknown classification", async () => {
  const body = 'launch at 06:00 from the west coast\n';
  for (const contentType of ['application/octet-stream', 'text/plain', 'application/json']) {
    await visit(page, '#/items');
    await visit(page, `#/items/${env.item}`);
    assertBanners(await banners(page), SECRET, RED);
    await visit(page, '#/agreements');
    assertBanners(await banners(page), NONE, GREEN);
    await page.route(`**/v1/items/${env.item}`, (route) => route.fulfill({ status: 200, contentType, body }));
    await visit(page, `#/items/${env.item}`);
    await page.unroute(`**/v1/items/${env.item}`);
    const main = await page.textContent('main');
    assert.match(main, /unexpected answer from the node/, contentType);
    assert.doesNotMatch(main, /launch|west coast/, `${contentType}: the body is not shown`);
    const b = await banners(page);
    for (const x of b) {
      assert.notEqual(x.text, NONE, `${contentType}: not "no classified content"`);
      assert.match(x.text, /Classification unknown/, contentType);
    }
  }
  // an error answer that is not JSON: its status, never its body
  await visit(page, '#/agreements');
  await page.route(`**/v1/items/${env.item}`, (route) => route.fulfill({ status: 404, contentType: 'text/html', body: '<p>launch at 06:00</p>' }));
  await visit(page, `#/items/${env.item}`);
  await page.unroute(`**/v1/items/${env.item}`);
  assert.doesNotMatch(await page.textContent('main'), /launch/);
  assert.match(await bannerText(), /Classification unknown/);
  // the list too
  await page.route('**/v1/items?**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body }));
  await visit(page, '#/items?q=x');
  await page.unroute('**/v1/items?**');
  assert.match(await page.textContent('main'), /unexpected answer from the node/);
  assert.doesNotMatch(await page.textContent('main'), /launch/);
  assert.match(await bannerText(), /Classification unknown/);
});

test("a slow answer of a page the person left does not lower the banners of the item now shown", async () => {
  let intercepted;
  const seen = new Promise((r) => (intercepted = r));
  let release;
  const gate = new Promise((r) => (release = r));
  let answered;
  const done = new Promise((r) => (answered = r));
  await page.route('**/v1/items?**', async (route) => {
    const r = await route.fetch();
    intercepted();
    await gate;
    await route.fulfill({ response: r });
    answered();
  });
  const marks = () => page.evaluate(() => performance.getEntriesByName('console:page-ready').length);
  // the list of the CONFIDENTIAL items only, answered late…
  await page.evaluate(() => (location.hash = '#/items?level=HI'));
  await seen;
  // …while the person opens the SECRET item
  await visit(page, `#/items/${env.item}`);
  assertBanners(await banners(page), SECRET, RED);
  const before = await marks();
  release();
  await done;
  await page.waitForFunction((n) => performance.getEntriesByName('console:page-ready').length > n, before);
  await page.waitForTimeout(200); // its banners would have been set by now
  await page.unroute('**/v1/items?**');
  assertBanners(await banners(page), SECRET, RED);
  assert.equal(await page.locator('dl.facts').count(), 1, "the item's page is still shown");
});

test('?done= shows only the console\'s own messages: a link cannot fake a success', async () => {
  await visit(page, `#/items/${env.item}?done=Your%20clearance%20is%20now%20TOKUTEI%3A%20call%20extension%2042`);
  assert.equal(await page.locator('#main p.good').count(), 0);
  assert.doesNotMatch(await page.textContent('main'), /clearance is now|extension 42/);
  await visit(page, `#/items/${env.item}?done=shared`);
  assert.equal(await page.textContent('#main p.good'), 'Shared: stored sealed, and logged.');
  await visit(page, `#/items/${env.item}?done=__proto__`);
  assert.equal(await page.locator('#main p.good').count(), 0);
});

test('titles, names and level names from data are isolated (<bdi>): right-to-left text cannot reorder their neighbours', async () => {
  await visit(page, '#/items');
  assert.ok((await page.locator('tr[data-item] td:first-child a bdi').count()) >= 2, "the list's titles");
  assert.ok((await page.locator('tr[data-item] .mark bdi').count()) >= 2, "the list's level names");
  assert.equal(await page.locator('#who .person bdi').textContent(), 'Sato Hiroshi');
  assert.equal(await page.locator('#banner-top bdi').first().textContent(), '極秘');
  await visit(page, `#/items/${env.item}`);
  assert.equal(await page.locator('main h1 bdi').count(), 1, "the item's title");
  await visit(page, '#/agreements/JPN-KOR-GSOMIA');
  assert.ok((await page.locator('dl.facts dd bdi').count()) >= 2, "the parties' names");
});

test('an agreement id or a country code that is not one is refused without a request', async () => {
  asked.length = 0;
  await visit(page, '#/agreements/..');
  assert.equal(await page.textContent('main h1'), 'No such agreement');
  await visit(page, '#/agreements/JPN-KOR-GSOMIA%2Fstatus');
  assert.equal(await page.textContent('main h1'), 'No such agreement');
  assert.deepEqual(asked.filter((u) => /\/v1\/agreements\//.test(u)), []);
  await visit(page, '#/export?country=KOR%2F..%2F..%2Fitems');
  assert.match(await page.textContent('main'), /Not a country code/);
  assert.deepEqual(asked.filter((u) => /\/v1\/export\/timeline/.test(u)), []);
  await ready(page);
});

test('no console errors, page errors or CSP violations on these pages', () => {
  noProblems(page);
});
