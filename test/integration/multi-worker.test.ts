import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunRecord } from '../../src/store/store.ts';
import { killAll, spawnWorker, type WorkerProcess } from '../support/worker-processes.ts';
import { waitFor, waitForProgress } from '../support/wait.ts';
import { IMAGE, SECRET_KEY, startWorld, type World } from '../support/worker-world.ts';

/**
 * Real `pistages worker` processes (bin/pistages worker) on one
 * database and one Docker engine. The test process only submits runs and watches the store.
 * Waits fail when nothing progresses, not at a fixed deadline, so a loaded machine only slows them;
 * hundreds of runs are the bench's job (bench/scheduler.bench.ts).
 */
const RUNS = 40;
const FINISHED = ['success', 'failure', 'error', 'cancelled'];
let world: World;
const processes: WorkerProcess[] = [];

before(async () => {
  world = await startWorld();
});

after(async () => {
  await killAll(processes);
  await world.close();
});

function startWorkerProcess(): WorkerProcess {
  const p = spawnWorker({ uri: world.mongo.uri, dbName: world.mongo.dbName, secretKeyHex: SECRET_KEY.toString('hex') });
  processes.push(p);
  return p;
}

async function allRuns(): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await world.stores.runs.list({}, { limit: 500, ...(cursor !== undefined && { cursor }) });
    runs.push(...page.runs);
    cursor = page.next;
  } while (cursor !== undefined);
  return runs;
}

describe('several worker processes', () => {
  test(`${RUNS} runs over two workers: every run executes exactly once`, async (t) => {
    const workers = [startWorkerProcess(), startWorkerProcess()];
    const started = performance.now();
    const ids = await Promise.all(Array.from({ length: RUNS }, (_, i) =>
      world.submit(`name: trivial-${i}\nimage: ${IMAGE}\nrun: echo executed $PISTAGES_RUN_ID\n`)));
    try {
      const runs = world.mongo.client.db(world.mongo.dbName).collection('runs');
      await waitForProgress('every run to finish', () => runs.countDocuments({ status: { $in: FINISHED } }), (n) => n >= ids.length, { stallMs: 60_000, intervalMs: 500 });
    } catch (err) {
      t.diagnostic(workers.map((w) => w.output()).join('\n----\n'));
      throw err;
    }
    const seconds = (performance.now() - started) / 1000;
    const runs = (await allRuns()).filter((r) => ids.includes(r.id));
    assert.deepEqual(runs.filter((r) => r.status !== 'success').map((r) => `${r.id} ${r.status} ${r.message}`), []);
    assert.deepEqual(runs.filter((r) => r.starts !== 1).map((r) => `${r.id} started ${r.starts} times`), []);
    for (const id of ids) {
      const executed = (await world.stores.logs.read(id, {})).filter((l) => l.line === `executed ${id}`);
      assert.equal(executed.length, 1, `run ${id} printed its line ${executed.length} times`);
    }
    const byWorker = new Map<string, number>();
    for (const r of runs) byWorker.set(r.worker ?? '?', (byWorker.get(r.worker ?? '?') ?? 0) + 1);
    assert.equal(byWorker.size, 2, `both workers executed runs: ${JSON.stringify([...byWorker])}`);
    t.diagnostic(`${RUNS} runs in ${seconds.toFixed(1)} s (${(RUNS / seconds * 60).toFixed(0)} runs/min); per worker ${JSON.stringify([...byWorker.values()])}`);

    for (const w of workers) w.child.kill('SIGTERM');
    assert.deepEqual(await Promise.all(workers.map((w) => w.exited)), [0, 0], 'workers exit 0 on SIGTERM');
  });

  test('a worker killed mid-run: a new worker runs it again as attempt 2, leaving nothing behind', async () => {
    const first = startWorkerProcess();
    const id = await world.submit(`name: survivor\nimage: ${IMAGE}\nrun:\n  - echo attempt $PISTAGES_ATTEMPT\n  - '[ "$PISTAGES_ATTEMPT" -ge 2 ] || sleep 120'\n`);
    // bounded generously: a worker process starting on a loaded machine compiles its TypeScript first
    await waitFor('attempt 1 to be running', async () => (await world.stores.logs.read(id, {})).some((l) => l.line === 'attempt 1'), { timeoutMs: 180_000, intervalMs: 250 });
    const held = await world.stores.runs.get(id);
    assert.match(held?.worker ?? '', new RegExp(`-${first.pid}-`));
    first.child.kill('SIGKILL');
    await first.exited;
    assert.ok((await world.containersOf(id)).length > 0, 'the killed worker left its container behind');

    startWorkerProcess();
    const run = await world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled'], 180_000);
    assert.equal(run.status, 'success', run.message);
    assert.equal(run.starts, 2);
    assert.equal(run.groups[0]?.attempt, 2);
    assert.ok((await world.stores.logs.read(id, {})).some((l) => l.line === 'attempt 2'));
    assert.deepEqual(await world.containersOf(id), [], 'no orphan container');
    assert.deepEqual((await allRuns()).filter((r) => r.status === 'running').map((r) => r.id), [], 'no run stuck running');
  });
});
