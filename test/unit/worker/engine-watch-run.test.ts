import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExecutorError } from '../../../src/executor/executor.ts';
import { watchEngine } from '../../../src/worker/engine-watch.ts';
import { FakeExecutor } from '../../support/fake-executor.ts';

const run = { runId: 'r', job: 'j', attempt: 1 };
const signal = new AbortController().signal;

describe('watchEngine: run-level resources', () => {
  test('passes prepareRun and releaseRun through, so a watched executor still gives each run its network', async () => {
    const inner = new FakeExecutor();
    const { executor } = watchEngine(inner);
    assert.ok(executor.prepareRun && executor.releaseRun);
    const resources = await executor.prepareRun(run, signal);
    assert.deepEqual(inner.liveRuns(), [resources.network]);
    await executor.releaseRun(resources);
    assert.deepEqual(inner.liveRuns(), []);
  });

  test('an engine failure while preparing the run is the engine\'s; a failed release is not', async () => {
    const prepared = watchEngine(new FakeExecutor({ prepareRun: () => ({ throws: new ExecutorError('engine', 'cannot create network n: engine down') }) }));
    await assert.rejects(prepared.executor.prepareRun?.(run, signal) ?? Promise.resolve(), /engine down/);
    assert.equal(prepared.engineFailure, 'cannot create network n: engine down');

    const released = watchEngine(new FakeExecutor({ releaseRunError: () => new ExecutorError('engine', 'cannot remove network n: busy') }));
    const resources = await released.executor.prepareRun?.(run, signal);
    assert.ok(resources);
    await assert.rejects(released.executor.releaseRun?.(resources) ?? Promise.resolve(), /busy/);
    assert.equal(released.engineFailure, undefined);
  });

  test('an executor without them stays without them', () => {
    const { executor } = watchEngine({
      createWorkspace: () => Promise.resolve({ id: 'w' }),
      removeWorkspace: () => Promise.resolve(),
      startContainer: () => Promise.reject(new Error('unused')),
      exec: () => Promise.reject(new Error('unused')),
      removeContainer: () => Promise.resolve(),
    });
    assert.equal(executor.prepareRun, undefined);
    assert.equal(executor.releaseRun, undefined);
  });
});
