// banner.js - the classification banners at the top and bottom of every
// page: the highest level the page shows, in the holder's scheme and the
// originator's, with its common name from the agreements' equivalence
// ("JPN 極秘 / KOR 군사II급비밀 — SECRET"), coloured per level.
import { cached, isId } from './lib.js';

// The usual colours by common name, else by rank (1 confidential, 2 secret, 3+ top secret).
const BY_NAME = {
  UNCLASSIFIED: '#007a33',
  CONFIDENTIAL: '#0033a0',
  SECRET: '#c8102e',
  'TOP SECRET': '#ff8c00',
};
const BY_RANK = ['#007a33', '#0033a0', '#c8102e', '#ff8c00'];
const NONE = '#007a33';

export function party(code) {
  if (!isId('party', code)) return Promise.reject(new Error('not a party code'));
  return cached(`/v1/parties/${code}`);
}

function agreements() {
  return cached('/v1/agreements').then((a) => a.agreements, () => []);
}

async function level(code, lvl) {
  try {
    const p = await party(code);
    return p.levels.find((l) => l.code === lvl) || { code: lvl, name: lvl, rank: 0 };
  } catch {
    return { code: lvl, name: lvl, rank: 0 };
  }
}

// The common name of a party's level: its row in the equivalence of the
// agreement named (else any agreement of the party's holding it).
async function common(code, lvl, agreementId) {
  const all = await agreements();
  const pick = all.filter((a) => a.id === agreementId).concat(all.filter((a) => a.id !== agreementId));
  for (const a of pick)
    for (const row of a.equivalence || []) if ((row[code] || []).includes(lvl)) return row.common;
  return null;
}

// luminance and contrast (WCAG 2): the text colour, black or white, that reads best
function lum(hex) {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const l = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}
export function textColour(bg) {
  const L = lum(bg);
  return (1.05) / (L + 0.05) >= (L + 0.05) / 0.05 ? '#ffffff' : '#000000';
}

export function colourOf(lvl, name) {
  if (typeof lvl.colour === 'string' && /^#[0-9a-fA-F]{6}$/.test(lvl.colour)) return lvl.colour.toLowerCase();
  if (name && BY_NAME[name.toUpperCase()]) return BY_NAME[name.toUpperCase()];
  return BY_RANK[Math.min(Math.max(lvl.rank || 0, 0), 3)];
}

// classify(items): the banner of a page showing these items
// {parts, text, colour, rank}: the highest by the holder's rank; its
// markings in the holder's scheme then each originator's that differs
// (parts: the text in pieces, each level name apart, to be isolated).
export async function classify(items) {
  const live = (items || []).filter((i) => i && i.local_marking);
  if (!live.length) return { text: NONE_TEXT, parts: [NONE_TEXT], colour: NONE, rank: 0 };
  const ranked = await Promise.all(
    live.map(async (i) => ({ i, l: await level(i.local_marking.party, i.local_marking.level) })),
  );
  const top = Math.max(...ranked.map((x) => x.l.rank || 0));
  const tops = ranked.filter((x) => (x.l.rank || 0) === top);
  const first = tops[0];
  const marks = [];
  const seen = new Set();
  const mark = async (m) => {
    const key = `${m.party} ${m.level}`;
    if (seen.has(key)) return;
    seen.add(key);
    marks.push([`${m.party} `, { name: String((await level(m.party, m.level)).name) }]);
  };
  for (const x of tops) await mark(x.i.local_marking);
  for (const x of tops) await mark(x.i.marking);
  const name = await common(first.i.local_marking.party, first.i.local_marking.level, first.i.label && first.i.label.agreement);
  const parts = [];
  marks.forEach((m, k) => parts.push(...(k ? [' / '] : []), ...m));
  if (name) parts.push(' — ', { name: String(name) });
  return {
    text: parts.map((p) => (typeof p === 'string' ? p : p.name)).join(''),
    parts,
    colour: colourOf(first.l, name),
    rank: top,
  };
}

const NONE_TEXT = 'No classified content on this page';
export const UNKNOWN_TEXT = 'Classification unknown: the page could not say what it shows';
const UNKNOWN = '#1a1a1a';

// Routes: each page the console shows is a route with its number; only the
// current route may set the banners. A slow answer of a page the person
// has left cannot lower the banners of the page now shown.
let current = 0;
let latest = 0;
let calls = 0;

// newRoute(): a new page begins; the number its banners must be set with
export function newRoute() {
  return ++current;
}
export function isCurrent(route) {
  return route === current;
}

function paint(b) {
  for (const id of ['banner-top', 'banner-bottom']) {
    const el = document.getElementById(id);
    // a level's name may come from a peer: each in its own <bdi>, so
    // right-to-left text cannot reorder the rest of the banner
    el.replaceChildren(
      ...b.parts.map((p) => {
        if (typeof p === 'string') return document.createTextNode(p);
        const x = document.createElement('bdi');
        x.textContent = p.name;
        return x;
      }),
    );
    el.style.backgroundColor = b.colour;
    el.style.color = textColour(b.colour);
    el.dataset.rank = String(b.rank);
  }
}

// setBanners(items, route): both banners of the page, for these items
// (none: unclassified), when the route is still the current one and no
// later call of the same route came first; else nothing (null).
export async function setBanners(items, route) {
  if (route !== current) return null;
  const call = ++calls;
  latest = call;
  const b = await classify(items);
  if (route !== current || call !== latest) return null;
  paint(b);
  return b;
}

// bannersUnknown(route): a page that asked for something classified and
// could not show it (an error, an unexpected answer) says so, rather than
// "no classified content".
export function bannersUnknown(route) {
  if (route !== current) return null;
  latest = ++calls;
  const b = { text: UNKNOWN_TEXT, parts: [UNKNOWN_TEXT], colour: UNKNOWN, rank: 'unknown' };
  paint(b);
  return b;
}
