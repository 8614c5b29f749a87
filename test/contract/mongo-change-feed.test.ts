import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openMongoStores, type MongoStores } from '../../src/store/mongo/index.ts';
import { detectChangeStreams, openChangeFeed } from '../../src/store/mongo/change-feed.ts';
import type { StoreLog } from '../../src/store/mongo/store-log.ts';
import type { ChangeFeed } from '../../src/store/store.ts';
import { createLogHub } from '../../src/web/log-hub.ts';
import { startTestMongo, type TestMongo } from '../support/mongo.ts';
import { collectFollow } from '../support/log-follower.ts';
import { waitFor } from '../support/wait.ts';
import { newRun } from './store/fixtures.ts';

/**
 * The change feed on the test database. With change streams (a replica set at MONGODB_URI) the feed
 * tells log inserts and run updates, and a hub that never polls delivers through it; without them
 * (FerretDB 1.x, a standalone mongod) the probe says so and the hub delivers by polling.
 */

/** longer than any test may take: a line arriving on such a poll would time the test out */
const NEVER = 1e9;

const logLine = (runId: string, seq: number, line: string) => ({ type: 'log' as const, runId, group: 'build', step: 0, attempt: 1, seq, stream: 'stdout' as const, line, at: new Date() });

describe('MongoDB change feed', () => {
  let mongo: TestMongo;
  let stores: MongoStores;
  let supported: boolean;
  const logged: string[] = [];
  const log: StoreLog = (_level, message) => void logged.push(message);

  before(async () => {
    mongo = await startTestMongo();
    stores = await openMongoStores(mongo.client, mongo.dbName, { secretKey: randomBytes(32), log: () => undefined });
    supported = await detectChangeStreams(mongo.client.db(mongo.dbName), log);
    console.log(`# change streams on this server (${mongo.handler}): ${supported ? 'supported, the feed is exercised' : 'unsupported, the hub polls'}`);
  });
  after(async () => {
    await stores?.close();
    await mongo?.close();
  });

  it('the probe answers for the server: FerretDB 1.x has no change streams', async () => {
    if (mongo.handler !== 'external') assert.equal(supported, false, 'FerretDB 1.x answers $changeStream with an error');
    const feed = await openChangeFeed(mongo.client.db(mongo.dbName), { log, awaitMs: 100 });
    assert.equal(feed !== undefined, supported);
    await feed?.close();
    if (!supported) assert.ok(logged.some((m) => /no change streams/.test(m)), `the fallback is logged: ${JSON.stringify(logged)}`);
  });

  it('with change streams: log inserts and run changes are told, each as its run', async (t) => {
    if (!supported) {
      t.skip('the server has no change streams (set MONGODB_URI to a replica set to run this)');
      return;
    }
    const feed = (await openChangeFeed(mongo.client.db(mongo.dbName), { log, awaitMs: 100 })) as ChangeFeed;
    const changed: string[] = [];
    let open = false;
    const stop = feed.subscribe({ changed: (id) => void changed.push(id), state: (value) => void (open = value) });
    try {
      await waitFor('the feed to open', () => open, { timeoutMs: 20_000 });
      const logged = await stores.runs.create(newRun());
      const updated = await stores.runs.create(newRun());
      await stores.logs.append([logLine(logged.id, 0, 'hello')]);
      await stores.runs.finish(updated.id, 'success', 'done', new Date());
      await waitFor('both changes', () => changed.includes(logged.id) && changed.includes(updated.id), { timeoutMs: 20_000 });
    } finally {
      stop();
      await feed.close();
    }
  });

  it('a log hub delivers live lines and the end: through the feed where there is one, else by polling', async () => {
    const feed = await openChangeFeed(mongo.client.db(mongo.dbName), { log, awaitMs: 100 });
    // with a feed, the hub never polls after its first drain: only the feed can deliver
    const hub = createLogHub({ runs: stores.runs, logs: stores.logs, pollMs: feed ? NEVER : 20, feedPollMs: NEVER, ...(feed && { changes: feed }) });
    const run = await stores.runs.create(newRun());
    await stores.runs.apply({ type: 'run', runId: run.id, status: 'running', at: new Date() });
    await stores.logs.append([logLine(run.id, 0, 'before')]);
    const abort = new AbortController();
    const follower = collectFollow(hub.follow(run.id, {}, abort.signal));
    try {
      await waitFor('the line written before following', () => follower.got.texts.includes('before'), { timeoutMs: 20_000 });
      if (feed) {
        // the feed opens after the first drain; lines written from then on come through it
        await waitFor('the hub to hear the feed open', async () => {
          await stores.logs.append([logLine(run.id, follower.got.texts.length + 100, 'probe')]);
          return follower.got.texts.includes('probe');
        }, { timeoutMs: 20_000, intervalMs: 200 });
      }
      await stores.logs.append([logLine(run.id, 1000, 'live')]);
      await waitFor('a live line', () => follower.got.texts.includes('live'), { timeoutMs: 20_000 });
      await stores.logs.append([logLine(run.id, 1001, 'last')]);
      await stores.runs.finish(run.id, 'success', 'done', new Date());
      await follower.done;
      assert.equal(follower.got.texts.at(-1), 'last');
      assert.equal(follower.got.end?.status, 'success');
    } finally {
      abort.abort();
      hub.close();
      await feed?.close();
    }
  });
});
