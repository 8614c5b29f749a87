import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LogLineEvent } from '../../src/executor/events.ts';
import { openMongoStores, type MongoStores } from '../../src/store/mongo/index.ts';
import { startRetention } from '../../src/store/mongo/retention.ts';
import { newRun, TestClock } from '../contract/store/fixtures.ts';
import { startTestMongo, type TestMongo } from '../support/mongo.ts';

/**
 * Retention on a real database: runs written through the stores, swept with a clock 90 days on.
 * Only finished runs older than the cutoff lose their logs (and, when asked, themselves).
 */
const DAY = 24 * 3600_000;
const quiet = { info: () => undefined, warn: () => undefined };

describe('retention of old runs', () => {
  let mongo: TestMongo;
  before(async () => {
    mongo = await startTestMongo();
  });
  after(async () => {
    await mongo?.close();
  });

  const setUp = async (dbName: string) => {
    const clock = new TestClock();
    const stores: MongoStores = await openMongoStores(mongo.client, dbName, { secretKey: randomBytes(32), log: () => undefined, now: clock.now });
    const line = (runId: string, seq: number): LogLineEvent => ({ type: 'log', runId, group: 'build', step: 0, attempt: 1, seq, stream: 'stdout', line: `line ${seq}`, at: clock.now() });
    const make = async (finished: boolean): Promise<string> => {
      const run = await stores.runs.create(newRun());
      await stores.logs.append([line(run.id, 0), line(run.id, 1)]);
      if (finished) await stores.runs.finish(run.id, 'success', 'done', clock.now());
      clock.advance(1000);
      return run.id;
    };
    const old = [];
    for (let i = 0; i < 7; i++) old.push(await make(true));
    const oldUnfinished = await make(false);
    clock.advance(DAY);
    const cutoff = clock.now();
    const recent = await make(true);
    const hasLogs = async (runId: string): Promise<boolean> => (await stores.logs.read(runId, {})).length > 0;
    return { stores, old, oldUnfinished, recent, hasLogs, now: () => new Date(cutoff.getTime() + 90 * DAY) };
  };

  it('deletes the logs of finished runs past the cutoff, in batches, and keeps the runs', async () => {
    const { stores, old, oldUnfinished, recent, hasLogs, now } = await setUp(`${mongo.dbName}_keep`);
    const retention = startRetention({ db: mongo.client.db(`${mongo.dbName}_keep`), retentionMs: 90 * DAY, deleteRuns: false, log: quiet, batchSize: 3, now });
    try {
      for (const id of [...old, oldUnfinished, recent]) assert.ok(await hasLogs(id), 'seeded with logs');
      const result = await retention.sweep();
      assert.deepEqual(result, { runs: 7, logChunks: 7, runsDeleted: 0 });
      for (const id of old) {
        assert.equal(await hasLogs(id), false, `logs of ${id} deleted`);
        assert.equal((await stores.runs.get(id))?.status, 'success', 'the run stays');
      }
      assert.ok(await hasLogs(oldUnfinished), 'an unfinished run keeps its logs');
      assert.ok(await hasLogs(recent), 'a run after the cutoff keeps its logs');
      assert.deepEqual(await retention.sweep(), { runs: 0, logChunks: 0, runsDeleted: 0 }, 'the next pass starts where this one ended');
    } finally {
      await retention.stop();
      await stores.close();
    }
  });

  it('with deleteRuns, deletes those runs too', async () => {
    const { stores, old, recent, now } = await setUp(`${mongo.dbName}_delete`);
    const retention = startRetention({ db: mongo.client.db(`${mongo.dbName}_delete`), retentionMs: 90 * DAY, deleteRuns: true, log: quiet, batchSize: 4, now });
    try {
      assert.deepEqual(await retention.sweep(), { runs: 7, logChunks: 7, runsDeleted: 7 });
      for (const id of old) assert.equal(await stores.runs.get(id), null);
      assert.ok(await stores.runs.get(recent));
    } finally {
      await retention.stop();
      await stores.close();
    }
  });
});
