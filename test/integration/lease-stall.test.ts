import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Executor } from '../../src/executor/executor.ts';
import { IMAGE, startWorld, type World } from '../support/worker-world.ts';
import { waitFor } from '../support/wait.ts';

/**
 * A worker that missed its own lease (its event loop was blocked, say) while another worker took
 * the run must stop before its next write, not at its next heartbeat. One worker in this world,
 * so the run cannot go to another one. Real FerretDB (or MONGODB_URI), real Docker, network none.
 */
let world: World;

before(async () => {
  world = await startWorld();
});

after(async () => {
  await world.close();
});

describe('a worker that missed its lease', () => {
  test('writes nothing more and starts no further step once another worker has taken the run', async () => {
    // While the first step runs, the clock jumps past the lease (as when a blocked event loop
    // delays every timer) and another worker claims the run.
    const leaseMs = 10_000;
    let offsetMs = 0;
    let runId = '';
    const now = () => new Date(Date.now() + offsetMs);
    const stallAfterFirst = (inner: Executor): Executor => ({
      createWorkspace: (scope) => inner.createWorkspace(scope),
      removeWorkspace: (w) => inner.removeWorkspace(w),
      startContainer: (r, s) => inner.startContainer(r, s),
      exec: async (c, r, sink, s) => {
        const result = await inner.exec(c, r, sink, s);
        if (r.command === 'echo first step' && offsetMs === 0) {
          offsetMs = leaseMs + 1000;
          const taken = await world.stores.runs.claim(runId, 'w-new-owner', leaseMs, now());
          assert.ok(taken, 'the other worker could claim the lapsed run');
        }
        return result;
      },
      removeContainer: (c) => inner.removeContainer(c),
    });
    // the next heartbeat is 9 s away: the run would be over long before it
    const { worker, queue } = await world.startWorker({ workerId: 'w-stalled', wrapExecutor: stallAfterFirst, now, leaseMs, heartbeatMs: 9_000 });
    runId = await world.submit(`name: t\nimage: ${IMAGE}\nretry: 0\nuses:\n  main:\n    - run: echo first step\n    - run: echo DEPLOY START\n`, queue);
    await waitFor('the stalled worker to let go of the run', () => offsetMs > 0 && worker.running.length === 0, { timeoutMs: 30_000 });
    const run = await world.stores.runs.get(runId);
    assert.equal(run?.status, 'running', run?.message);
    assert.equal(run?.worker, 'w-new-owner');
    const steps = run?.groups[0]?.attempts[0]?.steps.map((step) => step.status);
    assert.ok(steps?.[1] !== 'success' && steps?.[1] !== 'running', `the second step did not start on the stalled worker: ${JSON.stringify(steps)}`);
    const lines = (await world.stores.logs.read(runId, {})).map((l) => l.line);
    assert.ok(!lines.includes('DEPLOY START'), lines.join('\n'));
    assert.deepEqual(await world.containersOf(runId), []);
    await world.stores.runs.finish(runId, 'cancelled', 'test over', new Date());
  });
});
