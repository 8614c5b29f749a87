import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LogLineEvent } from '../../../src/executor/events.ts';
import { InvalidInputError, type StoredLogLine } from '../../../src/store/store.ts';
import { TestClock, type MakeStores, type StoreFixture } from './fixtures.ts';

interface StreamKey {
  group: string;
  step: number;
  attempt: number;
}

const STREAMS: StreamKey[] = [
  { group: 'build', step: 0, attempt: 1 },
  { group: 'build', step: 1, attempt: 1 },
  { group: 'test', step: 0, attempt: 1 },
  { group: 'test', step: 0, attempt: 2 },
];

function lines(runId: string, key: StreamKey, from: number, count: number, at: Date): LogLineEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'log' as const,
    runId,
    ...key,
    seq: from + i,
    stream: (from + i) % 7 === 0 ? ('stderr' as const) : ('stdout' as const),
    line: `${key.group}/${key.step}#${key.attempt} line ${from + i} ✓ «ünïcode»`,
    at,
  }));
}

const keyOf = (l: { group: string; step: number; attempt: number }): string => `${l.group}/${l.step}#${l.attempt}`;

/** every stream's lines in seq order, no gaps, no repeats; cursors strictly increasing */
function assertOrdered(read: StoredLogLine[], expectedPerStream: Map<string, number>): void {
  const next = new Map<string, number>();
  for (const line of read) {
    const seq = next.get(keyOf(line)) ?? 0;
    assert.equal(line.seq, seq, `${keyOf(line)} in order`);
    assert.equal(line.line.endsWith(`line ${seq} ✓ «ünïcode»`), true);
    next.set(keyOf(line), seq + 1);
  }
  assert.deepEqual(next, expectedPerStream);
  for (let i = 1; i < read.length; i++) assert.ok(read[i - 1]!.cursor < read[i]!.cursor, 'cursors increase');
}

export function logStoreContract(makeStores: MakeStores): void {
  describe('LogStore', () => {
    const clock = new TestClock();
    let fx: StoreFixture;
    const runId = 'run-with-10000-lines';
    const perStream = 2500;
    before(async () => {
      fx = await makeStores(clock.now);
      // four writers in parallel (parallel groups), each appending its stream in batches of 137
      await Promise.all(STREAMS.map(async (key) => {
        for (let from = 0; from < perStream; from += 137) {
          await fx.stores.logs.append(lines(runId, key, from, Math.min(137, perStream - from), clock.now()));
        }
      }));
    });
    after(() => fx.cleanup());

    it('reads 10,000 lines appended in batches back in order', async () => {
      const read = await fx.stores.logs.read(runId, {});
      assert.equal(read.length, 10_000);
      assertOrdered(read, new Map(STREAMS.map((k) => [keyOf(k), perStream])));
      const first = read.find((l) => l.group === 'test' && l.attempt === 2)!;
      assert.deepEqual({ ...first, cursor: '' }, { ...lines(runId, STREAMS[3]!, 0, 1, first.at)[0], cursor: '' });
      assert.equal(read.filter((l) => l.stream === 'stderr').length, STREAMS.length * Math.ceil(perStream / 7));
    });

    it('filters by group, step and attempt', async () => {
      const build = await fx.stores.logs.read(runId, { group: 'build' });
      assertOrdered(build, new Map([['build/0#1', perStream], ['build/1#1', perStream]]));
      const step1 = await fx.stores.logs.read(runId, { group: 'build', step: 1 });
      assertOrdered(step1, new Map([['build/1#1', perStream]]));
      const retry = await fx.stores.logs.read(runId, { group: 'test', step: 0, attempt: 2 });
      assertOrdered(retry, new Map([['test/0#2', perStream]]));
      assert.deepEqual(await fx.stores.logs.read(runId, { group: 'nope' }), []);
      assert.deepEqual(await fx.stores.logs.read('other-run', {}), []);
    });

    it('follows with `after` + `limit`: every line exactly once, in the same order as one read', async () => {
      const all = await fx.stores.logs.read(runId, {});
      const followed: StoredLogLine[] = [];
      let after: string | undefined;
      for (let page = 0; page < 200; page++) {
        const batch = await fx.stores.logs.read(runId, { limit: 1499, ...(after !== undefined && { after }) });
        if (batch.length === 0) break;
        assert.ok(batch.length <= 1499);
        followed.push(...batch);
        after = batch[batch.length - 1]!.cursor;
      }
      assert.deepEqual(followed, all);
      const filtered = await fx.stores.logs.read(runId, { group: 'test', attempt: 2, after: all[5000]!.cursor, limit: 10 });
      assert.ok(filtered.every((l) => l.group === 'test' && l.attempt === 2 && l.cursor > all[5000]!.cursor));
    });

    it('a follower at the end gets exactly the lines appended later', async () => {
      const key = { group: 'live', step: 0, attempt: 1 };
      await fx.stores.logs.append(lines(runId, key, 0, 3, clock.now()));
      const tail = (await fx.stores.logs.read(runId, {})).at(-1)!;
      assert.deepEqual(await fx.stores.logs.read(runId, { after: tail.cursor }), []);
      await fx.stores.logs.append(lines(runId, key, 3, 2, clock.advance(1000)));
      await fx.stores.logs.append(lines(runId, { ...key, step: 1 }, 0, 1, clock.advance(1000)));
      const fresh = await fx.stores.logs.read(runId, { after: tail.cursor });
      assert.deepEqual(fresh.map((l) => [l.step, l.seq]), [[0, 3], [0, 4], [1, 0]]);
    });

    it('an append retried after an ambiguous failure stores no duplicate lines', async () => {
      const id = 'retried-run';
      const batch = lines(id, STREAMS[0]!, 0, 700, clock.now());
      await fx.stores.logs.append(batch);
      await fx.stores.logs.append(batch);
      await Promise.all([fx.stores.logs.append(lines(id, STREAMS[0]!, 700, 10, clock.now())), fx.stores.logs.append(lines(id, STREAMS[1]!, 0, 10, clock.now()))]);
      const read = await fx.stores.logs.read(id, {});
      assertOrdered(read, new Map([['build/0#1', 710], ['build/1#1', 10]]));
    });

    it('keeps long lines and an empty append works', async () => {
      const id = 'long-lines';
      const big = 'x'.repeat(64 * 1024);
      const batch = lines(id, STREAMS[0]!, 0, 20, clock.now()).map((l) => ({ ...l, line: `${l.seq}:${big}` }));
      await fx.stores.logs.append(batch);
      await fx.stores.logs.append([]);
      const read = await fx.stores.logs.read(id, {});
      assert.deepEqual(read.map((l) => l.line), batch.map((l) => l.line));
    });

    it('reads the last N lines of one step attempt with `tail`', async () => {
      const tail = await fx.stores.logs.read(runId, { group: 'test', step: 0, attempt: 2, tail: 300 });
      assert.deepEqual(tail.map((l) => l.seq), Array.from({ length: 300 }, (_, i) => perStream - 300 + i));
      assert.ok(tail.every((l) => l.group === 'test' && l.attempt === 2));
      const all = await fx.stores.logs.read(runId, { group: 'build', step: 1, tail: 100_000 });
      assert.equal(all.length, perStream, 'a tail longer than the log is the whole log');
      await assert.rejects(fx.stores.logs.read(runId, { tail: 0 }), InvalidInputError);
    });

    it('rejects a malformed cursor or limit with InvalidInputError', async () => {
      await assert.rejects(fx.stores.logs.read(runId, { after: 'bogus' }), InvalidInputError);
      await assert.rejects(fx.stores.logs.read(runId, { limit: -1 }), InvalidInputError);
    });
  });
}
