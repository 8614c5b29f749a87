import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUCKET_LEVELS, bucketHolding, bucketOf, bucketSize, COARSE_LEVEL, LABEL_COUNT, runBucketLabels } from '../../../src/store/mongo/run-buckets.ts';
import { foldRunHeads, headKeys } from '../../../src/store/mongo/run-heads.ts';
import { chooseWindow, HEADROOM, SLACK } from '../../../src/store/mongo/run-window-choice.ts';
import { CLOCK_SKEW_MS, nextWindow } from '../../../src/store/mongo/run-window-list.ts';

const HOUR = 3_600_000;
const AT = Date.UTC(2025, 2, 4, 5, 6, 7, 89);

describe('run list buckets', () => {
  it('keeps the labels of migration 0008 (1 h … 3.7 years) first, then the finer ones of 0009', () => {
    const labels = runBucketLabels(new Date(AT));
    assert.equal(labels.length, LABEL_COUNT);
    // what 0008 stored: level 0 = 1 h, numbered from the epoch; family b shifted by half a bucket
    assert.deepEqual(labels.slice(0, 4), [`0a${Math.floor(AT / HOUR)}`, `0b${Math.floor((AT + HOUR / 2) / HOUR)}`, `1a${Math.floor(AT / (8 * HOUR))}`, `1b${Math.floor((AT + 4 * HOUR) / (8 * HOUR))}`]);
    assert.deepEqual(labels.slice(-4), [`f0a${Math.floor(AT / 56_250)}`, `f0b${Math.floor((AT + 28_125) / 56_250)}`, `f1a${Math.floor(AT / 450_000)}`, `f1b${Math.floor((AT + 225_000) / 450_000)}`]);
    assert.equal(bucketSize(COARSE_LEVEL), HOUR);
    assert.equal(new Set(labels).size, labels.length);
  });

  it('a bucket holds its instant, and bucketHolding covers at least half its length before it', () => {
    for (let level = 0; level < BUCKET_LEVELS; level++) {
      for (const family of ['a', 'b'] as const) {
        const bucket = bucketOf(level, family, AT);
        assert.ok(bucket.start <= AT && AT < bucket.end);
        assert.ok(runBucketLabels(new Date(AT)).includes(bucket.label));
      }
      const holding = bucketHolding(level, AT);
      assert.ok(AT - holding.start >= bucketSize(level) / 2);
    }
  });
});

describe('choosing the next window', () => {
  const end = AT;
  const perHour = (runs: number): number => runs / HOUR;
  const expected = (start: number, rate: number): number => (end - start) * rate;

  it('step: the largest window expected to hold at most what is still needed (× SLACK)', () => {
    const rate = perHour(70);
    const bucket = chooseWindow({ end, needed: 51, rate, minLevel: 0, mode: 'step' });
    assert.ok(expected(bucket.start, rate) <= 51 * SLACK);
    // the next larger candidate (any level, either family) would hold more than that
    const larger = [...Array(BUCKET_LEVELS).keys()].flatMap((l) => [bucketOf(l, 'a', end - 1), bucketOf(l, 'b', end - 1)]).filter((b) => b.start < bucket.start);
    assert.ok(larger.every((b) => expected(b.start, rate) > 51 * SLACK));
  });

  it('fill: the smallest window expected to hold what is needed × HEADROOM', () => {
    const rate = perHour(70);
    const bucket = chooseWindow({ end, needed: 51, rate, minLevel: 0, mode: 'fill' });
    assert.ok(expected(bucket.start, rate) >= 51 * HEADROOM);
    const smaller = [...Array(BUCKET_LEVELS).keys()].flatMap((l) => [bucketOf(l, 'a', end - 1), bucketOf(l, 'b', end - 1)]).filter((b) => b.start > bucket.start);
    assert.ok(smaller.every((b) => expected(b.start, rate) < 51 * HEADROOM));
  });

  it('counts only the time up to the newest run, uses no level under minLevel, and stops at since', () => {
    const rate = perHour(70);
    const newest = end - 20 * 60_000;
    const atNewest = chooseWindow({ end, needed: 51, rate, minLevel: 0, mode: 'step', newest });
    const plain = chooseWindow({ end, needed: 51, rate, minLevel: 0, mode: 'step' });
    assert.ok((newest - atNewest.start) * rate <= 51 * SLACK);
    assert.ok(atNewest.start <= plain.start, 'the empty 20 minutes after the newest run count for nothing');
    assert.ok(chooseWindow({ end, needed: 1, rate, minLevel: COARSE_LEVEL, mode: 'step' }).level >= COARSE_LEVEL);
    const since = end - 10 * 60_000;
    const bucket = chooseWindow({ end, needed: 51, rate: perHour(1), minLevel: 0, mode: 'step', since });
    assert.ok(bucket.start <= since && bucket.level <= 2, `a small window reaching since, got level ${bucket.level}`);
  });

  it('the smallest window when even that one holds too many, the largest when none holds enough', () => {
    assert.equal(chooseWindow({ end, needed: 1, rate: perHour(1e6), minLevel: 0, mode: 'step' }).level, 0);
    assert.equal(chooseWindow({ end, needed: 51, rate: 1e-15, minLevel: 0, mode: 'fill' }).level, BUCKET_LEVELS - 1);
  });
});

describe('walking a page', () => {
  const query = { want: 51, minLevel: 0 };

  it('without a hint, starts with an 8 h bucket at the anchor, then grows while nothing is found', () => {
    const first = nextWindow(query, { anchor: AT, newest: AT, found: 0, before: undefined, previous: undefined, last: false });
    assert.equal(first.level, COARSE_LEVEL + 1);
    assert.ok(first.start <= AT && AT < first.end);
    const second = nextWindow(query, { anchor: AT, newest: AT, found: 0, before: first.start, previous: first, last: false });
    assert.ok(second.level > first.level && second.end > first.start - 1 && second.start < first.start);
  });

  it('with a hint, sizes the first window by the scope rate from its newest run', () => {
    const hint = { newest: AT - 30 * 24 * HOUR, rate: 70 / HOUR };
    const anchor = hint.newest + CLOCK_SKEW_MS;
    const first = nextWindow({ ...query, hint }, { anchor, newest: hint.newest, found: 0, before: undefined, previous: undefined, last: false });
    assert.ok(first.start <= anchor && anchor < first.end, 'it holds the anchor');
    assert.ok((hint.newest - first.start) * hint.rate <= 51 * SLACK, 'not many more runs than a page');
    assert.ok(first.level <= COARSE_LEVEL);
  });

  it('after matches, the rate seen so far sizes the next window; the last window must fill the page', () => {
    const seen = { anchor: AT, newest: AT, found: 40, before: AT - HOUR, previous: bucketOf(COARSE_LEVEL, 'a', AT), last: false };
    const step = nextWindow(query, seen);
    assert.ok((AT - HOUR - step.start) * (40 / HOUR) <= 11 * SLACK);
    const last = nextWindow(query, { ...seen, last: true });
    assert.ok((AT - HOUR - last.start) * (40 / HOUR) >= 11 * HEADROOM);
  });
});

describe('run heads', () => {
  it('a run moves the head of all runs and of each scope field it has', () => {
    assert.deepEqual(headKeys({ repo: 'acme/app', source: 'push' }), ['*', 'repo:acme/app', 'source:push']);
    const folded = foldRunHeads([
      { repo: 'acme/app', createdAt: new Date(3000) },
      { repo: 'acme/app', branch: 'main', createdAt: new Date(1000) },
      { repo: 'acme/lib', createdAt: new Date(2000) },
    ]);
    assert.deepEqual(folded.get('*'), { first: new Date(1000), last: new Date(3000), runs: 3 });
    assert.deepEqual(folded.get('repo:acme/app'), { first: new Date(1000), last: new Date(3000), runs: 2 });
    assert.deepEqual(folded.get('branch:main'), { first: new Date(1000), last: new Date(1000), runs: 1 });
    assert.equal(folded.size, 4);
  });
});
