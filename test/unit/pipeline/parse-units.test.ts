/** Durations, memory sizes and "did you mean" suggestions, the small helpers parseJob relies on. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseMemorySize } from '../../../src/pipeline/units.ts';
import { closest, didYouMean, editDistance } from '../../../src/pipeline/suggest.ts';

describe('parseDuration', () => {
  test('accepts h, m, s in that order, each at most once', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1h30m15s'), 5_415_000);
    assert.equal(parseDuration('0s'), 0);
  });
  test('rejects bare numbers, other units, wrong order, spaces and empty text', () => {
    for (const text of ['90', '5x', '1d', '250ms', '30m1h', '1h 30m', '', 'm', '1.5h', '-1s']) {
      assert.equal(parseDuration(text), undefined, text);
    }
  });
});

describe('parseMemorySize', () => {
  test('reads k, m, g as powers of 1024, in either case, with fractions, and plain bytes', () => {
    assert.equal(parseMemorySize('256k'), 256 * 1024);
    assert.equal(parseMemorySize('512M'), 512 * 1024 ** 2);
    assert.equal(parseMemorySize('1.5g'), 1.5 * 1024 ** 3);
    assert.equal(parseMemorySize('4096'), 4096);
    assert.equal(parseMemorySize(4096), 4096);
  });
  test('takes the units PISTAGES_LOG_CAP takes: b, kb, mb, gb, a space before the unit', () => {
    assert.equal(parseMemorySize('512mb'), 512 * 1024 ** 2);
    assert.equal(parseMemorySize('1GB'), 1024 ** 3);
    assert.equal(parseMemorySize('100kb'), 100 * 1024);
    assert.equal(parseMemorySize('7000000b'), 7_000_000);
    assert.equal(parseMemorySize('512 m'), 512 * 1024 ** 2);
  });
  test('rejects words, other units, negatives and fractional byte counts', () => {
    for (const value of ['lots', '1t', '1tb', '512  m', '1bb', '-1m', '', 1.5, -1]) {
      assert.equal(parseMemorySize(value), undefined, String(value));
    }
  });
});

describe('suggestions', () => {
  test('editDistance counts a swap of neighbours as one edit', () => {
    assert.equal(editDistance('imgae', 'image'), 1);
    assert.equal(editDistance('rpo', 'repo'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
  test('closest finds plausible typos, case-insensitively, and nothing for unrelated words', () => {
    assert.equal(closest('imgae', ['name', 'image', 'run']), 'image');
    assert.equal(closest('Image', ['name', 'image']), 'image');
    assert.equal(closest('wiht', ['with', 'env']), 'with');
    assert.equal(closest('cache', ['name', 'image', 'run', 'with']), undefined);
    assert.equal(closest('x', []), undefined);
  });
  test('didYouMean suggests one name, else lists the candidates, else says nothing', () => {
    assert.equal(didYouMean('rpo', ['repo', 'branch']), "did you mean 'repo'?");
    assert.equal(didYouMean('zzz', ['repo', 'branch']), "expected one of 'repo', 'branch'");
    assert.equal(didYouMean('zzz', []), '');
    const many = Array.from({ length: 12 }, (_, i) => `name${i}`);
    assert.match(didYouMean('qqqqqqqq', many), /^expected one of ('name\d+', ){7}'name\d+', … \(4 more\)$/);
  });
});
