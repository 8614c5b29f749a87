import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunEvent } from '../../src/executor/events.ts';
import { waitFor } from '../support/wait.ts';
import { killAll, spawnWorker, type WorkerProcess } from '../support/worker-processes.ts';
import { IMAGE, SECRET_KEY, startWorld, type World } from '../support/worker-world.ts';

/**
 * A worker that died mid-run (SIGKILL, power loss) is played by a claim nobody renews, with the
 * events and the line it had stored: the worker that recovers the run must close that attempt,
 * keep its output and say what happened, whether the run starts again or was cancelled meanwhile.
 */
let world: World;
const processes: WorkerProcess[] = [];

before(async () => {
  world = await startWorld();
});

after(async () => {
  await killAll(processes);
  await world.close();
});

const job = `name: crashy\nimage: ${IMAGE}\nretry: 0\nuses:\n  main:\n    - run: echo one $PISTAGES_ATTEMPT\n    - run: echo two\n`;

/** Stores what a worker had written when it died: the run, group and first step running, one line. */
async function diedMidStep(id: string): Promise<void> {
  const { runs, logs } = world.stores;
  const claimed = await runs.claim(id, 'dead-worker', 300, new Date());
  assert.ok(claimed, 'the dying worker claims the run');
  const at = new Date();
  const events: RunEvent[] = [
    { type: 'run', runId: id, status: 'running', at },
    { type: 'group', runId: id, group: 'main', attempt: 1, status: 'running', at },
    { type: 'step', runId: id, group: 'main', step: 0, stepName: 'echo one $PISTAGES_ATTEMPT', attempt: 1, status: 'running', at },
  ];
  for (const event of events) await runs.apply(event);
  await logs.append([{ type: 'log', runId: id, group: 'main', step: 0, attempt: 1, seq: 0, stream: 'stdout', line: 'before the kill', at }]);
}

describe('bookkeeping after a worker died', { timeout: 120_000 }, () => {
  test('the dead attempt is closed as error, its line kept and followed by why; attempt 2 runs', async () => {
    const id = await world.submit(job);
    await diedMidStep(id);
    const { worker } = await world.startWorker({ workerId: 'w-recover' });
    const run = await world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled'], 60_000);
    await worker.stop({ graceMs: 0 });
    assert.equal(run.status, 'success', run.message);
    assert.equal(run.starts, 2);
    const [dead, second] = run.groups[0]?.attempts ?? [];
    assert.equal(dead?.attempt, 1);
    assert.equal(dead?.status, 'error');
    assert.match(dead?.message ?? '', /worker running this attempt stopped before it finished/);
    assert.ok(dead?.finishedAt, 'the dead attempt has an end');
    assert.deepEqual(dead?.steps.map((s) => s.status), ['error', 'skipped']);
    assert.equal(second?.status, 'success');
    assert.equal(run.groups[0]?.status, 'success');
    const lines = await world.stores.logs.read(id, { group: 'main', step: 0, attempt: 1 });
    assert.deepEqual(lines.map((l) => [l.seq, l.stream, l.line.slice(0, 31)]), [
      [0, 'stdout', 'before the kill'],
      [1, 'system', 'the worker running this attempt'],
    ]);
    assert.ok((await world.stores.logs.read(id, { attempt: 2 })).some((l) => l.line === 'one 2'));
  });

  test('cancelled while its worker was dead: the run says so, not "cancelled before it started"', async () => {
    const id = await world.submit(job);
    await diedMidStep(id);
    const requested = await world.stores.runs.requestCancel(id);
    assert.equal(requested?.status, 'running', 'a running run only gets cancelRequested');
    const { worker } = await world.startWorker({ workerId: 'w-recover-cancelled' });
    const run = await world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled'], 60_000);
    await worker.stop({ graceMs: 0 });
    assert.equal(run.status, 'cancelled');
    assert.doesNotMatch(run.message ?? '', /before it started/);
    assert.match(run.message ?? '', /not started again/);
    const attempts = run.groups[0]?.attempts ?? [];
    assert.deepEqual(attempts.map((a) => [a.attempt, a.status]), [[1, 'cancelled']]);
    assert.deepEqual(attempts[0]?.steps.map((s) => s.status), ['cancelled', 'skipped']);
    assert.deepEqual(await world.containersOf(id), []);
  });

  test('a run whose workers keep dying is given up after the most starts, with its attempts closed', async () => {
    const id = await world.submit(job);
    await diedMidStep(id);
    // a second worker takes it over once the first lease is out, and dies as well
    const later = new Date(Date.now() + 1000);
    assert.ok(await world.stores.runs.claim(id, 'dead-worker-2', 300, later), 'the second dying worker claims the run');
    const { worker } = await world.startWorker({ workerId: 'w-gives-up', maxStarts: 2 });
    const run = await world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled'], 60_000);
    await worker.stop({ graceMs: 0 });
    assert.equal(run.status, 'error');
    assert.equal(run.starts, 3);
    assert.match(run.message ?? '', /gave up after 2 starts/);
    assert.deepEqual(run.groups[0]?.attempts.map((a) => [a.attempt, a.status]), [[1, 'error']]);
    assert.equal((await world.stores.logs.read(id, { attempt: 2 })).length, 0, 'nothing ran a third time');
  });

  test('a real worker process SIGKILLed mid-step: its attempt is closed, its output kept, the run done by the next', async () => {
    const killed = spawnWorker({ uri: world.mongo.uri, dbName: world.mongo.dbName, secretKeyHex: SECRET_KEY.toString('hex') });
    processes.push(killed);
    const id = await world.submit(`name: killed\nimage: ${IMAGE}\nretry: 0\nuses:\n  main:\n    - run: echo printed by $PISTAGES_ATTEMPT; [ "$PISTAGES_ATTEMPT" -ge 2 ] || sleep 120\n    - run: echo after\n`);
    await waitFor('attempt 1 to print its line', async () => (await world.stores.logs.read(id, { attempt: 1 })).some((l) => l.line === 'printed by 1'), { timeoutMs: 60_000 });
    killed.child.kill('SIGKILL');
    await killed.exited;
    const { worker } = await world.startWorker({ workerId: 'w-after-sigkill' });
    const run = await world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled'], 60_000).catch(async (err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify(await world.stores.runs.get(id), null, 1)}`);
    });
    await worker.stop({ graceMs: 0 });
    assert.equal(run.status, 'success', run.message);
    assert.deepEqual(run.groups[0]?.attempts.map((a) => [a.attempt, a.status, a.steps.map((s) => s.status).join(',')]), [
      [1, 'error', 'error,skipped'],
      [2, 'success', 'success,success'],
    ]);
    const first = await world.stores.logs.read(id, { attempt: 1, step: 0 });
    assert.deepEqual(first.map((l) => [l.seq, l.stream]), [[0, 'stdout'], [1, 'system']], JSON.stringify(first));
    assert.deepEqual(await world.containersOf(id), []);
  });
});
