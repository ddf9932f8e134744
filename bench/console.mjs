// bench/console.mjs LIAISON - the web console's first page, in Debian's
// Chromium on loopback (make bench):
//  - the bytes it transfers until the sign-in form is usable (headers
//    included, as Chromium counts them), and the whole console's files;
//    the budget: under 150 KB;
//  - the time to usable: from navigation to the sign-in button enabled
//    (the form works), and from clicking it to the items page rendered;
//    median of RUNS fresh contexts (no cache);
//  - its named peer, in the same run: the same files served as static
//    files by python3's http.server with the daemon's own security headers
//    (bench/static_peer.py; the time to the form), and the budget of 300 ms
//    for usable. Cross-Origin-Opener-Policy: same-origin makes Chromium
//    start a new renderer process for a fresh tab's first page of the
//    origin: the time is shown cold (that first page) and warm (the tab
//    already on the origin), and the peer without the headers for scale.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, mkdirSync, copyFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const L = resolve(process.argv[2] || join(ROOT, 'build', 'liaison'));
const RUNS = Number(process.env.RUNS || 9);
const BUDGET_BYTES = 150 * 1024;
const BUDGET_MS = 300;
const MODULES = join(ROOT, 'tools', 'console-test', 'node_modules');
if (!existsSync(join(MODULES, 'playwright-core')))
  execFileSync('npm', ['ci', '--prefix', join(ROOT, 'tools', 'console-test'), '--no-audit', '--no-fund'], { stdio: 'inherit' });
const { chromium } = await import(join(MODULES, 'playwright-core', 'index.mjs'));

const tmp = mkdtempSync(join(tmpdir(), 'liaison-bench-console.'));
const kids = [];
function stop() {
  for (const k of kids.splice(0)) k.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', () => kids.length && stop());
process.on('SIGINT', () => process.exit(130));

const envs = { ...process.env, LIAISON_PASSPHRASE: 'bench passphrase', LIAISON_NOW: '2023-06-01', LIAISON_HOME: join(tmp, 'jpn') };
const cli = (...a) => execFileSync(L, a, { env: envs, cwd: tmp, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();

// listen(cmd, args, pattern): a server started, and the port it prints
function listen(cmd, args, pattern, opts) {
  return new Promise((ok, fail) => {
    const k = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    kids.push(k);
    let seen = '';
    const look = (b) => {
      seen += b.toString();
      const m = pattern.exec(seen);
      if (m) ok(Number(m[1]));
    };
    k.stdout.on('data', look);
    k.stderr.on('data', look);
    k.on('exit', (c) => fail(new Error(`${cmd} exited ${c}: ${seen.slice(0, 400)}`)));
  });
}

// a node of JPN with the example, 25 items shared over HTTP (a full first page of the list)
cli('init', '--replay', '--party', 'JPN');
cli('config', 'apply', join(ROOT, 'examples', 'gsomia-2019.json'));
const token = cli('person', 'token', 'sato');
const port = await listen(L, ['serve', '--listen', '127.0.0.1:0'], /node on http:\/\/127\.0\.0\.1:(\d+)/, { env: envs, cwd: tmp });
const url = `http://127.0.0.1:${port}/`;
for (let i = 0; i < 25; i++) {
  const q = new URLSearchParams({ level: i % 2 ? 'HI' : 'GOKUHI', title: `報告 ${i}`, releasable: 'KOR', purpose: 'warning' });
  const r = await fetch(`${url}v1/items?${q}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: 'report\n' });
  if (r.status !== 201) throw new Error(`share: ${r.status} ${await r.text()}`);
}

// the peer: the same files, static, from python3's http.server, with the
// security headers the daemon sends (read from its answer), and without
const www = join(tmp, 'www');
mkdirSync(join(www, 'console'), { recursive: true });
const files = readdirSync(join(ROOT, 'console'));
for (const f of files) copyFileSync(join(ROOT, 'console', f), join(www, 'console', f));
copyFileSync(join(ROOT, 'console', 'index.html'), join(www, 'index.html'));
const SECURITY = ['content-security-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'cache-control'];
const ourHead = (await fetch(url)).headers;
const headers = SECURITY.filter((h) => ourHead.get(h)).map((h) => `${h}: ${ourHead.get(h)}`);
const peerScript = join(ROOT, 'bench', 'static_peer.py');
const pyUrl = `http://127.0.0.1:${await listen('python3', [peerScript, '0', www, ...headers], /port (\d+)/, {})}/`;
const bareUrl = `http://127.0.0.1:${await listen('python3', [peerScript, '0', www], /port (\d+)/, {})}/`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });

// one fresh context: bytes and times; warm: the tab on the origin already
// (its /healthz, with the same headers), so no new process is started
async function once(base, signIn, warm = false) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (warm) await page.goto(`${base}healthz`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    requests++;
  });
  const t0 = performance.now();
  await page.goto(base, { waitUntil: 'commit' });
  await page.waitForSelector('#signin-form button:not([disabled])', { timeout: 10000 });
  const wall = performance.now() - t0;
  await page.waitForLoadState('load');
  const mark = (name) => page.evaluate((n) => performance.getEntriesByName(n).at(-1).startTime, name);
  const form = await mark('console:usable'); // from the navigation's start
  const firstBytes = bytes;
  const firstRequests = requests;
  let items = null;
  if (signIn) {
    await page.fill('#token', token);
    await page.click('#signin-form button');
    await page.waitForSelector('.page[data-ready="1"] tr[data-item]', { timeout: 10000 });
    items = (await mark('console:page-ready')) - (await mark('console:signin'));
  }
  await context.close();
  return { form, wall, items, bytes: firstBytes, requests: firstRequests };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

await once(url, true); // warm the daemon and the browser
const ours = [];
const peer = [];
const oursWarm = [];
const peerWarm = [];
const bare = [];
for (let i = 0; i < RUNS; i++) {
  ours.push(await once(url, true));
  peer.push(await once(pyUrl, false));
  oursWarm.push(await once(url, false, true));
  peerWarm.push(await once(pyUrl, false, true));
  bare.push(await once(bareUrl, false));
}
await browser.close();

// the whole console as served: every file's bytes on the wire, headers included
let whole = 0;
for (const f of ['', ...files.map((f) => `console/${f}`)]) {
  const r = await fetch(url + f);
  const body = Buffer.from(await r.arrayBuffer());
  let head = `HTTP/1.1 ${r.status} ${r.statusText}\r\n`;
  r.headers.forEach((v, k) => (head += `${k}: ${v}\r\n`));
  whole += body.length + head.length + 2;
}

const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (x) => `${(x / 1024).toFixed(1)} KB`;
const form = median(ours.map((x) => x.form));
const items = median(ours.map((x) => x.items));
const pyForm = median(peer.map((x) => x.form));
const warm = median(oursWarm.map((x) => x.form));
const pyWarm = median(peerWarm.map((x) => x.form));
const first = median(ours.map((x) => x.bytes));
console.log(`console bench: Chromium ${browser.version?.() || ''} on loopback, median of ${RUNS} fresh contexts (cache disabled)`);
console.log(`  first page (sign-in) transferred   ${kb(first)} in ${median(ours.map((x) => x.requests))} requests  (budget 150 KB: ${(first / BUDGET_BYTES).toFixed(2)}x)`);
console.log(`  the whole console's files          ${kb(whole)} (${files.length + 1} answers)  (budget 150 KB: ${(whole / BUDGET_BYTES).toFixed(2)}x)`);
console.log(`  sign-in form usable (page's clock), warm: the tab on the origin already`);
console.log(`    liaison                          ${ms(warm)}  (budget 300 ms: ${(warm / BUDGET_MS).toFixed(2)}x)`);
console.log(`    peer: static, the same headers   ${ms(pyWarm)}  (liaison / peer: ${(warm / pyWarm).toFixed(2)}x)`);
console.log(`  cold: a fresh tab's first page of the origin (COOP: a new renderer process)`);
console.log(`    liaison                          ${ms(form)}`);
console.log(`    peer: static, the same headers   ${ms(pyForm)}  (liaison / peer: ${(form / pyForm).toFixed(2)}x)`);
console.log(`    peer: static, no headers         ${ms(median(bare.map((x) => x.form)))}`);
console.log(`    with a new tab's start (wall)    ${ms(median(ours.map((x) => x.wall)))}, peer ${ms(median(peer.map((x) => x.wall)))}`);
console.log(`  sign-in to 25 items rendered       ${ms(items)}  (budget 300 ms: ${(items / BUDGET_MS).toFixed(2)}x)`);
const bad = first >= BUDGET_BYTES || whole >= BUDGET_BYTES || warm >= BUDGET_MS || items >= BUDGET_MS;
if (bad) console.log('  OVER BUDGET');
stop();
process.exit(bad ? 1 : 0);
