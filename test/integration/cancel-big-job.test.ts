import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.ts';
import { reapOrphans } from '../../src/executor/docker/reaper.ts';
import type { GroupStatusEvent, RunEvent, StepStatusEvent } from '../../src/executor/events.ts';
import { runJob } from '../../src/executor/run-job.ts';
import { MAX_GROUPS } from '../../src/pipeline/limits.ts';
import { TERMINAL_STATUSES } from '../../src/pipeline/types.ts';
import { AgendaQueue } from '../../src/scheduler/agenda/agenda-queue.ts';
import { forwardRunStore, type RunRecord, type RunStore } from '../../src/store/store.ts';
import { silentLogger } from '../../src/worker/logger.ts';
import { Worker } from '../../src/worker/worker.ts';
import { waitFor } from '../support/wait.ts';
import { IMAGE, startWorld, type World } from '../support/worker-world.ts';

/**
 * A job as big as the limits allow (256 groups, 768 steps), stopped while its first groups run:
 * cancel and shutdown store the steps and groups left in one write, so they finish within a
 * shutdown grace on a database where each write is slow (FerretDB with document locks).
 */
let world: World;
const workers: Worker[] = [];

before(async () => {
  world = await startWorld();
});

after(async () => {
  await Promise.allSettled(workers.map((w) => w.stop({ graceMs: 0 })));
  await world.close();
});

const STEPS_PER_GROUP = 3;
const bigJob = (): string => {
  const groups = Array.from({ length: MAX_GROUPS }, (_, g) => `  g${g}:\n    - run: sleep 600\n    - run: echo b\n    - run: echo c\n`);
  return `name: big\nimage: ${IMAGE}\nretry: 0\nuses:\n${groups.join('')}`;
};

/** The run store, counting status writes (one event or one batch each) from the moment `counting` is set. */
function countingRuns(store: RunStore) {
  const counter = { counting: false, writes: 0 };
  const count = (): void => {
    if (counter.counting) counter.writes++;
  };
  const runs: RunStore = {
    ...forwardRunStore(store),
    apply: async (event) => {
      if (event.type !== 'log') count();
      await store.apply(event);
    },
    applyBatch: async (runId, events) => {
      count();
      await store.applyBatch(runId, events);
    },
  };
  return { runs, counter };
}

async function startCountingWorker(workerId: string): Promise<{ worker: Worker; queue: AgendaQueue; counter: { counting: boolean; writes: number } }> {
  const { runs, counter } = countingRuns(world.stores.runs);
  const queue = await AgendaQueue.open({ db: world.mongo.client.db(world.mongo.dbName), name: workerId, concurrency: 1, pollMs: 200, lockLifetimeMs: 4000, log: silentLogger });
  const worker = new Worker({
    runs,
    logs: world.stores.logs,
    secrets: world.stores.secrets,
    queue,
    executor: new DockerExecutor({ docker: world.docker, network: 'none', pullPolicy: 'never' }),
    runJob,
    reapRun: (runId) => reapOrphans(world.docker, async (id) => id !== runId).then(() => undefined),
    workerId,
    leaseMs: 10_000,
    heartbeatMs: 300,
    concurrency: 1,
    defaultRetry: 0,
    logCapBytes: 1024 * 1024,
    groupConcurrency: 2,
    log: silentLogger,
  });
  await worker.start();
  workers.push(worker);
  return { worker, queue, counter };
}

async function whenTwoGroupsSleep(id: string): Promise<void> {
  await waitFor('two groups to run their first step', async () => {
    const run = await world.stores.runs.get(id);
    return (run?.groups.filter((g) => g.attempts[0]?.steps[0]?.status === 'running').length ?? 0) === 2;
  }, { timeoutMs: 60_000, intervalMs: 100 });
}

/** Every attempt, step and group of the run has a final status; returns the statuses seen. */
function finalStatuses(run: RunRecord): Set<string> {
  const seen = new Set<string>();
  assert.equal(run.groups.length, MAX_GROUPS);
  for (const group of run.groups) {
    assert.equal(group.attempts.length, 1, `group ${group.name} has one attempt`);
    const attempt = group.attempts[0];
    assert.ok(attempt && TERMINAL_STATUSES.includes(attempt.status), `group ${group.name}: attempt ${attempt?.status}`);
    assert.equal(attempt.steps.length, STEPS_PER_GROUP, `group ${group.name} reports all its steps`);
    for (const step of attempt.steps) {
      assert.ok(TERMINAL_STATUSES.includes(step.status), `${group.name}/${step.name} is ${step.status}`);
      seen.add(`${step.index}:${step.status}`);
    }
  }
  return seen;
}

describe('stopping a job of 256 groups', { timeout: 240_000 }, () => {
  test('cancel: the running steps are cancelled, the rest skipped in one write, the containers removed', async () => {
    const { worker, queue, counter } = await startCountingWorker('w-cancel-big');
    const id = await world.submit(bigJob(), queue);
    await whenTwoGroupsSleep(id);
    counter.counting = true;
    await world.stores.runs.requestCancel(id);
    assert.equal(worker.cancel(id), true);
    const run = await world.waitForStatus(id, ['cancelled', 'success', 'failure', 'error', 'queued'], 60_000);
    assert.equal(run.status, 'cancelled', run.message);
    const seen = finalStatuses(run);
    assert.ok(seen.has('0:cancelled') && seen.has('0:skipped') && seen.has('2:skipped'), [...seen].join(' '));
    assert.equal(run.groups.filter((g) => g.status === 'cancelled').length, MAX_GROUPS);
    // the two cancelled groups may each be written before the stop is seen; the rest is one write
    assert.ok(counter.writes <= 4, `${counter.writes} status writes after the cancel`);
    await waitFor('the containers to be removed', async () => (await world.containersOf(id)).length === 0, { timeoutMs: 30_000 });
  });

  test('shutdown: the run is handed back queued, every attempt closed, within the grace', async () => {
    const { worker, queue, counter } = await startCountingWorker('w-shutdown-big');
    const id = await world.submit(bigJob(), queue);
    await whenTwoGroupsSleep(id);
    counter.counting = true;
    await worker.stop({ graceMs: 200 });
    const run = await world.stores.runs.get(id);
    assert.ok(run);
    assert.equal(run.status, 'queued', run.message);
    finalStatuses(run);
    assert.ok(counter.writes <= 4, `${counter.writes} status writes after the grace`);
    assert.deepEqual(await world.containersOf(id), []);

    const cancelled = await world.stores.runs.requestCancel(id);
    assert.equal(cancelled?.status, 'cancelled');
    assert.equal(cancelled?.message, 'run cancelled while it waited to start again', 'a run that ran steps never says it was cancelled before it started');
  });
});

describe('RunStore.applyBatch', () => {
  test('stores exactly what applying the same events one by one stores', async () => {
    const yaml = `name: pair\nimage: ${IMAGE}\nuses:\n  a:\n    - run: echo 1\n    - run: echo 2\n  b:\n    - run: echo 3\n`;
    // stored but never queued: no worker may write to these runs while the test does
    const unqueued = { enqueue: async () => undefined } as unknown as AgendaQueue;
    const [one, batch] = [await world.submit(yaml, unqueued), await world.submit(yaml, unqueued)];
    const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const events = (runId: string): (GroupStatusEvent | StepStatusEvent)[] => [
      { type: 'group', runId, group: 'a', attempt: 1, status: 'running', at: at(1) },
      { type: 'step', runId, group: 'a', step: 0, stepName: 'echo 1', attempt: 1, status: 'running', at: at(2) },
      { type: 'step', runId, group: 'a', step: 0, stepName: 'echo 1', attempt: 1, status: 'cancelled', at: at(3), message: 'run cancelled', exitCode: 137 },
      { type: 'step', runId, group: 'a', step: 1, stepName: 'echo 2', attempt: 1, status: 'skipped', at: at(3) },
      { type: 'group', runId, group: 'a', attempt: 1, status: 'cancelled', at: at(4), message: 'run cancelled' },
      { type: 'step', runId, group: 'b', step: 0, stepName: 'echo 3', attempt: 2, status: 'skipped', at: at(5) },
      { type: 'group', runId, group: 'b', attempt: 2, status: 'cancelled', at: at(5), message: 'run cancelled' },
    ];
    const [first, ...rest] = events(one);
    for (const event of [first, ...rest] as RunEvent[]) await world.stores.runs.apply(event);
    const [firstOfBatch, ...restOfBatch] = events(batch);
    await world.stores.runs.apply(firstOfBatch as RunEvent); // the batch extends a group attempt that exists
    await world.stores.runs.applyBatch(batch, restOfBatch);
    const groups = async (id: string) => (await world.stores.runs.get(id))?.groups;
    assert.deepEqual(await groups(batch), await groups(one));
    assert.equal((await groups(batch))?.[1]?.attempts[0]?.steps[0]?.status, 'skipped');
    await assert.rejects(world.stores.runs.applyBatch('0'.repeat(24), restOfBatch), /holds an event of run|does not exist/);
  });
});
