import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Collection, Db } from 'mongodb';
import { AgendaQueue } from '../../src/scheduler/agenda/agenda-queue.ts';
import type { RunHandler } from '../../src/scheduler/queue.ts';
import { silentLogger } from '../../src/worker/logger.ts';
import { startTestMongo, type TestMongo } from '../support/mongo.ts';
import { percentile, waitFor, waitForProgress } from '../support/wait.ts';

/**
 * The queue delivers at least once; exactly-once execution comes from a lease claimed before any
 * work. These tests use a minimal lease with RunStore.claim/heartbeat semantics on the same
 * database so they test the queue, not a store implementation.
 *
 * FerretDB 1.x (SQLite) applies updates as read-modify-write without isolation: two concurrent
 * findOneAndUpdate calls with the same filter can both "win", and concurrent updates of one
 * document lose each other's changes. Inserting a unique _id is atomic, so a start is claimed by
 * inserting `<run>#<start number>`; only one worker can create it.
 */
interface LeaseDoc {
  _id: string;
  holder: string | null;
  until: Date | null;
  done: boolean;
  starts: number;
}

class Leases {
  readonly claims: Collection<{ _id: string; worker: string }>;

  constructor(readonly coll: Collection<LeaseDoc>) {
    this.claims = coll.db.collection(`${coll.collectionName}_claims`);
  }

  async add(ids: string[]): Promise<void> {
    await this.coll.insertMany(ids.map((id) => ({ _id: id, holder: null, until: null, done: false, starts: 0 })));
  }

  async claim(id: string, worker: string, leaseMs: number): Promise<boolean> {
    const now = new Date();
    const doc = await this.coll.findOne({ _id: id });
    if (!doc || doc.done || (doc.holder !== null && doc.until !== null && doc.until >= now)) return false;
    try {
      await this.claims.insertOne({ _id: `${id}#${doc.starts + 1}`, worker });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false; // another worker took this start
      throw err;
    }
    await this.coll.updateOne({ _id: id }, { $set: { holder: worker, until: new Date(now.getTime() + leaseMs), starts: doc.starts + 1 } });
    return true;
  }

  async heartbeat(id: string, worker: string, leaseMs: number): Promise<boolean> {
    const result = await this.coll.updateOne({ _id: id, holder: worker, done: false }, { $set: { until: new Date(Date.now() + leaseMs) } });
    return result.matchedCount === 1;
  }

  async finish(id: string, worker: string): Promise<void> {
    await this.coll.updateOne({ _id: id, holder: worker }, { $set: { done: true, holder: null } });
  }
}

let mongo: TestMongo;
let db: Db;
let suite = 0;
const queues: AgendaQueue[] = [];

before(async () => {
  mongo = await startTestMongo();
  db = mongo.client.db(mongo.dbName);
});

after(async () => {
  await Promise.allSettled(queues.map((q) => q.stop({ drain: false })));
  await mongo.close();
});

async function openQueue(collection: string, name: string, options: { concurrency?: number; pollMs?: number; lockLifetimeMs?: number; touchLocks?: boolean } = {}): Promise<AgendaQueue> {
  const queue = await AgendaQueue.open({
    db,
    collection,
    name,
    concurrency: options.concurrency ?? 4,
    pollMs: options.pollMs ?? 200,
    // short: Agenda's lock watchdog sleeps lockLifetime/2 between checks, and that timer keeps the
    // test process alive after stop()
    lockLifetimeMs: options.lockLifetimeMs ?? 4000,
    ...(options.touchLocks !== undefined && { touchLocks: options.touchLocks }),
    log: silentLogger,
  });
  queues.push(queue);
  return queue;
}

const fresh = (): string => `queue_${++suite}`;
const queueEmpty = (collection: string) => async () => (await db.collection(collection).countDocuments()) === 0;

describe('AgendaQueue', () => {
  test('a queued run reaches the handler once, and its queue entry is gone afterwards', async () => {
    const name = fresh();
    const queue = await openQueue(name, 'w1');
    const calls: string[] = [];
    await queue.start(async (runId) => {
      calls.push(runId);
    });
    await queue.enqueue('run-1');
    await waitFor('the handler to be called', () => calls.length > 0);
    await waitFor('the queue entry to be removed', queueEmpty(name));
    assert.deepEqual(calls, ['run-1']);
  });

  test('two workers on one database: 120 runs, each executed exactly once', async () => {
    const name = fresh();
    const leases = new Leases(db.collection<LeaseDoc>(`${name}_leases`));
    const ids = Array.from({ length: 120 }, (_, i) => `run-${i}`);
    await leases.add(ids);
    const executions = new Map<string, number>();
    const deliveries = { w1: 0, w2: 0 };
    const handlerFor = (worker: 'w1' | 'w2'): RunHandler => async (runId) => {
      deliveries[worker]++;
      if (!(await leases.claim(runId, worker, 5000))) return;
      executions.set(runId, (executions.get(runId) ?? 0) + 1);
      await delay(5); // a little work, so both workers get a share
      await leases.finish(runId, worker);
    };
    const q1 = await openQueue(name, 'w1', { concurrency: 3 });
    const q2 = await openQueue(name, 'w2', { concurrency: 3 });
    await q1.start(handlerFor('w1'));
    await q2.start(handlerFor('w2'));
    await Promise.all(ids.map((id, i) => (i % 2 === 0 ? q1 : q2).enqueue(id)));

    await waitForProgress('every run to finish', () => leases.coll.countDocuments({ done: true }), (n) => n === ids.length, { stallMs: 30_000 });
    await waitForProgress('the queue to empty', () => db.collection(name).countDocuments(), (n) => n === 0, { stallMs: 30_000 });
    assert.equal(executions.size, ids.length);
    assert.deepEqual([...executions.values()].filter((n) => n !== 1), [], 'no run executed twice');
    assert.ok(deliveries.w1 > 0 && deliveries.w2 > 0, `both workers took runs (w1 ${deliveries.w1}, w2 ${deliveries.w2})`);
  });

  test('a run outliving the lock lifetime is redelivered but not executed twice (the lease holds)', async () => {
    const name = fresh();
    const leases = new Leases(db.collection<LeaseDoc>(`${name}_leases`));
    await leases.add(['long']);
    let executions = 0;
    let deliveries = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handlerFor = (worker: string): RunHandler => async (runId) => {
      deliveries++;
      // lease 3 s renewed every 250 ms: generous, so a loaded machine does not let it lapse
      if (!(await leases.claim(runId, worker, 3000))) return;
      executions++;
      const beat = setInterval(() => void leases.heartbeat(runId, worker, 3000), 250);
      try {
        await released;
      } finally {
        clearInterval(beat);
      }
      await leases.finish(runId, worker);
    };
    // lock lifetime 1 s and no touches: Agenda itself would hand the job out again after 1 s
    const q1 = await openQueue(name, 'w1', { lockLifetimeMs: 1000, touchLocks: false, pollMs: 100 });
    const q2 = await openQueue(name, 'w2', { lockLifetimeMs: 1000, touchLocks: false, pollMs: 100 });
    await q1.start(handlerFor('w1'));
    await q2.start(handlerFor('w2'));
    await q1.enqueue('long');
    await waitFor('Agenda to deliver the run again after its lock expired', () => deliveries >= 2, { timeoutMs: 60_000 });
    release();
    await waitFor('the run to finish', async () => (await leases.coll.countDocuments({ done: true })) === 1);
    assert.equal(executions, 1);
    assert.equal((await leases.coll.findOne({ _id: 'long' }))?.starts, 1);
  });

  test('a run enqueued in-process starts without waiting for a poll', async (t) => {
    const name = fresh();
    const pollMs = 5000;
    const queue = await openQueue(name, 'w1', { pollMs });
    const started = new Map<string, number>();
    await queue.start(async (runId) => {
      started.set(runId, performance.now());
    });
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const id = `fast-${i}`;
      const at = performance.now();
      await queue.enqueue(id);
      // bounded well below the poll interval: only the in-process notification can make it
      const startedAt = await waitFor(`run ${id} to start`, () => started.get(id), { timeoutMs: pollMs - 1000, intervalMs: 1 });
      latencies.push(startedAt - at);
    }
    latencies.sort((a, b) => a - b);
    t.diagnostic(`enqueue → handler latency over 20 runs: p50 ${percentile(latencies, 50).toFixed(1)} ms, max ${percentile(latencies, 100).toFixed(1)} ms (poll interval ${pollMs} ms)`);
  });

  test('stop without drain aborts running handlers and waits for them; enqueue still works after stop', async () => {
    const name = fresh();
    const queue = await openQueue(name, 'w1');
    let aborted = false;
    let running = false;
    await queue.start(async (_runId, ctx) => {
      running = true;
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      aborted = true;
    });
    await queue.enqueue('stopped');
    await waitFor('the handler to run', () => running);
    await queue.stop({ drain: false });
    assert.equal(aborted, true, 'stop returned only after the handler saw the abort and returned');

    await queue.enqueue('later');
    const other = await openQueue(name, 'w2');
    const seen: string[] = [];
    await other.start(async (runId) => {
      seen.push(runId);
    });
    await waitFor('another queue to take the run enqueued after stop', () => seen.includes('later'));
  });

  test('stop with drain lets a running handler finish', async () => {
    const name = fresh();
    const queue = await openQueue(name, 'w1');
    let finished = false;
    let running = false;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await queue.start(async (_runId, ctx) => {
      running = true;
      await released;
      finished = !ctx.signal.aborted;
    });
    await queue.enqueue('drained');
    await waitFor('the handler to run', () => running);
    const stopping = queue.stop({ drain: true });
    release();
    await stopping;
    assert.equal(finished, true);
  });
});
