// The banners' colours without a browser: a level's configured colour
// first, else the usual one by common name, else by rank; text black or
// white, whichever contrasts more (console/banner.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourOf, textColour } from '../../console/banner.js';

test('a level colour: configured, else by common name, else by rank', () => {
  assert.equal(colourOf({ rank: 2, colour: '#123ABC' }, 'SECRET'), '#123abc');
  assert.equal(colourOf({ rank: 2, colour: 'red' }, 'SECRET'), '#c8102e', 'a colour not #RRGGBB is ignored');
  assert.equal(colourOf({ rank: 1 }, 'CONFIDENTIAL'), '#0033a0');
  assert.equal(colourOf({ rank: 3 }, 'Top Secret'), '#ff8c00');
  assert.equal(colourOf({ rank: 2 }, null), '#c8102e');
  assert.equal(colourOf({ rank: 7 }, null), '#ff8c00');
  assert.equal(colourOf({ rank: 0 }, null), '#007a33');
});

test('the text on a banner: white on red, blue and green; black on orange and yellow', () => {
  for (const bg of ['#c8102e', '#0033a0', '#007a33']) assert.equal(textColour(bg), '#ffffff', bg);
  for (const bg of ['#ff8c00', '#fce83a']) assert.equal(textColour(bg), '#000000', bg);
});
