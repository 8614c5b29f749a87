import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExecutorError, type Executor } from '../../../src/executor/executor.ts';
import { watchEngine } from '../../../src/worker/engine-watch.ts';

const scope = { runId: 'r', job: 'j', group: 'g', attempt: 1 };
const container = { id: 'c1', image: 'alpine:3' };
const signal = new AbortController().signal;

/** An executor whose every call fails with `error`. */
function failing(error: unknown): Executor {
  const fail = () => Promise.reject(error);
  return { createWorkspace: fail, removeWorkspace: fail, startContainer: fail, exec: fail, removeContainer: fail };
}

describe('watchEngine: which failures make a run an infrastructure fault', () => {
  test('an engine failure while running the job is remembered, and the error passes through unchanged', async () => {
    const error = new ExecutorError('engine', 'cannot run a command: the Docker engine is unreachable');
    const watch = watchEngine(failing(error));
    await assert.rejects(watch.executor.exec(container, { command: 'true', env: {} }, () => {}, signal), (err) => err === error);
    assert.equal(watch.engineFailure, 'cannot run a command: the Docker engine is unreachable');
  });

  test("the job's own errors, image errors and failed clean-ups are not the engine's", async () => {
    for (const error of [new ExecutorError('job', 'line 1 of $PISTAGES_OUTPUT is not key=value'), new ExecutorError('image', 'no such image')]) {
      const watch = watchEngine(failing(error));
      await assert.rejects(watch.executor.exec(container, { command: 'true', env: {} }, () => {}, signal));
      await assert.rejects(watch.executor.startContainer({ scope, container: 0, image: 'x', env: {}, workspace: { id: 'w' } }, signal));
      assert.equal(watch.engineFailure, undefined, error.kind);
    }
    const watch = watchEngine(failing(new ExecutorError('engine', 'cannot remove container c1: engine busy')));
    await assert.rejects(watch.executor.removeContainer(container));
    await assert.rejects(watch.executor.removeWorkspace({ id: 'w' }));
    assert.equal(watch.engineFailure, undefined);
    await assert.rejects(watch.executor.createWorkspace(scope));
    assert.equal(watch.engineFailure, 'cannot remove container c1: engine busy', 'the same failure at create counts');
  });
});
