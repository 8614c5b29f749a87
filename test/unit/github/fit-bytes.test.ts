import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { byteLength, fitBytes, lastBytes } from '../../../src/github/fit-bytes.ts';

test('text that fits is returned unchanged, note and all', () => {
  assert.equal(fitBytes('héllo', 6, ' [cut]'), 'héllo');
  assert.equal(fitBytes('', 0, '…'), '');
});

test('a cut counts bytes, not characters, and never splits a code point', () => {
  // 'é' is 2 bytes, '測' 3, '🚀' 4 (a surrogate pair in JavaScript)
  assert.equal(fitBytes('aéb', 3, ''), 'aé');
  assert.equal(fitBytes('aéb', 2, ''), 'a');
  assert.equal(fitBytes('測試測試', 10, '…'), '測試…');
  assert.equal(fitBytes('🚀🚀', 7, ''), '🚀');
  assert.equal(fitBytes('🚀🚀', 3, ''), '');
  assert.equal(fitBytes('abcdef', 5, '…'), 'ab…', 'the note (3 bytes) counts too');
});

test('a note longer than the room is itself cut', () => {
  assert.equal(fitBytes('abcdef', 2, '[cut here]'), '[c');
});

test('lastBytes keeps the end, starting at a code point', () => {
  assert.equal(lastBytes('abc', 5), 'abc');
  assert.equal(lastBytes('aéb', 2), 'b');
  assert.equal(lastBytes('aéb', 3), 'éb');
  assert.equal(lastBytes('x🚀', 3), '');
  assert.equal(lastBytes('x🚀', 4), '🚀');
});

test('property: within the limit, a prefix of the text followed by the note, valid UTF-8', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme', maxLength: 5 }), fc.nat(400), (text, note, max) => {
      const out = fitBytes(text, max, note);
      assert.ok(byteLength(out) <= Math.max(max, 0));
      assert.ok(!out.includes('\uFFFD') || text.includes('\uFFFD') || note.includes('\uFFFD'));
      if (byteLength(text) <= max) assert.equal(out, text);
      else if (byteLength(note) <= max) {
        assert.ok(out.endsWith(note));
        assert.ok(text.startsWith(out.slice(0, out.length - note.length)));
      }
    }),
  );
});

test('property: lastBytes is a suffix within the limit', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.nat(200), (text, max) => {
      const out = lastBytes(text, max);
      assert.ok(byteLength(out) <= max || out === text);
      assert.ok(text.endsWith(out));
    }),
  );
});
