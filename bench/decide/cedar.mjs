// cedar.mjs - the same read requests as bench_decide.c, decided by Cedar
// (@cedar-policy/cedar-wasm, preparsePolicySet once, then
// statefulIsAuthorized), warm, for as long as liaison took for its million
// or 3 s, whichever is longer.
// Every request both engines decided must agree; a difference fails.
//
// usage: node cedar.mjs REQUESTS.json LIAISON_SECONDS LIAISON_COUNT
import { createRequire } from 'module';
import { readFileSync } from 'fs';
const require = createRequire(process.env.CEDAR_MODULES + '/');
const cedar = require('@cedar-policy/cedar-wasm/nodejs');

const policy = `
// The pact's rules for reading an item (docs/decisions.md), as liaison applies them.
permit(principal, action == Action::"read", resource)
when {
  // R-ROLE
  principal.roles.containsAny(["analyst", "originator", "security-officer"]) &&
  // R-CLEARANCE: valid on the day, at or above the mapped level
  principal.cleared && context.date >= principal.from && context.date <= principal.to &&
  ((principal.party == "JPN" && resource has requiredJPN && principal.rank >= resource.requiredJPN) ||
   (principal.party == "KOR" && resource has requiredKOR && principal.rank >= resource.requiredKOR)) &&
  // R-NTK
  (resource.ntk == "" || principal.ntk.contains(resource.ntk)) &&
  // R-RELEASABLE
  (resource.originator == principal.party || resource.releasable.contains(principal.party)) &&
  // R-RECEIVED and R-CONTINUING, for foreign items
  (resource.originator == principal.party ||
   (context.receivedInForce && (context.inForce || (context.terminated && !resource.revocable)))) &&
  // R-PURPOSE
  (resource.purposes.isEmpty() || resource.purposes.contains(context.purpose))
};`;

const [file, liaisonSeconds, liaisonCount, liaisonBrief] = process.argv.slice(2);
const data = JSON.parse(readFileSync(file, 'utf8'));
const parsed = cedar.preparsePolicySet('pact', { staticPolicies: policy });
if (parsed.type !== 'success') {
  console.error(JSON.stringify(parsed.errors));
  process.exit(2);
}
const people = data.people.map((p, k) => ({ uid: { type: 'Person', id: 'p' + k }, attrs: p, parents: [] }));
const items = data.items.map((i, k) => ({ uid: { type: 'Item', id: 'i' + k }, attrs: i, parents: [] }));
const action = { type: 'Action', id: 'read' };
// Cedar is timed warm and for at least 3 s: V8 compiles its WebAssembly in
// tiers, so a run as short as liaison's (under a second) would time the
// compiler too and flatter the ratio. The first WARM requests, also
// checked, are not timed.
const WARM = 1000;
const budget = Math.max(Number(liaisonSeconds), 3) * 1e3;
let n = 0, permits = 0, seen = 0;
let t0 = performance.now();
for (const [p, i, date, purpose, inThen, inNow, terminated, expect] of data.requests) {
  if (seen++ === WARM) {
    t0 = performance.now();
    n = 0;
    permits = 0;
  }
  const ans = cedar.statefulIsAuthorized({
    principal: people[p].uid, action, resource: items[i].uid,
    context: { date, purpose, receivedInForce: !!inThen, inForce: !!inNow, terminated: !!terminated },
    preparsedPolicySetId: 'pact', entities: [people[p], items[i]],
  });
  if (ans.type !== 'success') {
    console.error('cedar failed on request', n, JSON.stringify(ans.errors));
    process.exit(2);
  }
  const allow = ans.response.decision === 'allow';
  if (allow !== !!expect) {
    console.error(`request ${n} (person p${p}, item i${i}, day ${date}, ${purpose}): liaison says ` +
                  `${expect ? 'PERMIT' : 'DENY'}, Cedar says ${allow ? 'allow' : 'deny'}`);
    process.exit(1);
  }
  permits += allow;
  n++;
  if ((n & 255) === 0 && performance.now() - t0 >= budget) break;
}
const secs = (performance.now() - t0) / 1e3;
const ours = Number(liaisonCount) / Number(liaisonSeconds), theirs = n / secs;
const version = JSON.parse(readFileSync(process.env.CEDAR_MODULES + '/@cedar-policy/cedar-wasm/package.json', 'utf8')).version;
console.log(`cedar-wasm ${version}: ` +
            `${n} decisions in ${secs.toFixed(3)} s: ${theirs.toFixed(0)} decisions/s (${permits} allow), ` +
            `all agreeing with liaison`);
console.log(`ratio: liaison decides ${(ours / theirs).toFixed(0)}x as many per second as Cedar`);
if (liaisonBrief)
  console.log(`ratio, outcomes only (Cedar's answer is one too): liaison decides ` +
              `${(Number(liaisonCount) / Number(liaisonBrief) / theirs).toFixed(0)}x as many per second as Cedar`);
