import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecutorError, type Executor } from '../../../src/executor/executor.ts';
import type { RunEvent } from '../../../src/executor/events.ts';
import { runJob, type RunJobOptions } from '../../../src/executor/run-job.ts';
import type { Plan } from '../../../src/pipeline/types.ts';
import { FakeExecutor, type FakeCall, type FakeExecutorOptions } from '../../support/fake-executor.ts';
import { groupStatuses, recordEvents, runProblems, sketchPlan, stepStatuses, testRunOptions } from '../../support/run-harness.ts';
import { waitFor } from '../../support/wait.ts';

/** What the groups of a run share (the executor's prepareRun / releaseRun: a network of the run's own). */

function start(plan: Plan, fakeOptions: FakeExecutorOptions = {}, options: Partial<RunJobOptions> = {}) {
  const fake = new FakeExecutor(fakeOptions);
  const { events, onEvent } = recordEvents();
  const running = runJob(plan, testRunOptions(fake, onEvent, options));
  return { fake, events, running };
}

const ops = (calls: FakeCall[]): string[] => calls.map((c) => c.op);
const finalMessage = (events: RunEvent[]): string | undefined => {
  const last = events.at(-1);
  return last?.type === 'run' ? last.message : undefined;
};

describe('runJob: run-level resources', () => {
  it('prepares once per call, before any workspace, and releases after every group cleaned up', async () => {
    const plan = sketchPlan({ name: 'Build', groups: { a: [{ run: 'flaky' }], b: [{ run: 'ok' }] } });
    const { fake, events, running } = start(plan, { commands: { flaky: [{ exitCode: 1 }, { exitCode: 0 }] } }, { defaultRetry: 1, firstAttempt: 3 });
    const result = await running;
    assert.equal(result.status, 'success');
    assert.deepEqual(groupStatuses(events, 'a'), ['failure', 'success'], 'the retry ran');
    assert.deepEqual(runProblems(events, fake), []);
    assert.deepEqual(fake.preparedRuns(), [{ runId: 'run-1', job: 'Build', attempt: 3 }], 'one prepare, retries included');
    const calls = ops(fake.calls);
    assert.equal(calls[0], 'prepareRun');
    assert.equal(calls.at(-1), 'releaseRun');
    assert.equal(calls.filter((op) => op === 'releaseRun').length, 1);
  });

  it('reports every selected group as error when the run cannot be prepared, and starts nothing', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'x' }, { run: 'y' }], b: [{ run: 'z' }] } });
    const failure = new ExecutorError('engine', 'cannot create network pistages-run-1-a1-net-1234: no free address range');
    const { fake, events, running } = start(plan, { prepareRun: () => ({ throws: failure }) }, { onlyGroups: ['a'] });
    const result = await running;
    assert.equal(result.status, 'error');
    assert.deepEqual(runProblems(events, fake), []);
    assert.deepEqual(stepStatuses(events, 'a'), ['skipped', 'skipped']);
    assert.deepEqual(groupStatuses(events, 'a'), ['error']);
    assert.deepEqual(groupStatuses(events, 'b'), ['skipped'], 'a group not selected stays skipped');
    const group = events.find((e) => e.type === 'group' && e.group === 'a' && e.status === 'error');
    assert.equal(group?.type === 'group' ? group.message : undefined, `cannot prepare the run: ${failure.message}`);
    assert.deepEqual(ops(fake.calls), ['prepareRun'], 'no workspace, no container, nothing to release');
  });

  it('prepares nothing for a run cancelled before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    const { fake, events, running } = start(sketchPlan({ groups: { a: [{ run: 'x' }] } }), {}, { signal: controller.signal });
    const result = await running;
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(runProblems(events, fake), []);
    assert.deepEqual(fake.calls, []);
  });

  it('reports cancelled, not error, when the run is cancelled while it is being prepared', async () => {
    const controller = new AbortController();
    const { fake, events, running } = start(sketchPlan({ groups: { a: [{ run: 'x' }] } }), { prepareRun: () => ({ hang: true }) }, { signal: controller.signal });
    await waitFor('prepareRun called', () => fake.preparedRuns().length === 1, { timeoutMs: 2000, intervalMs: 1 });
    controller.abort(new Error('cancelled by bob'));
    const result = await running;
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(groupStatuses(events, 'a'), ['cancelled']);
    assert.equal(finalMessage(events), 'run cancelled: cancelled by bob');
    assert.deepEqual(runProblems(events, fake), []);
  });

  it('releases a cancelled run once its groups have removed their containers', async () => {
    const controller = new AbortController();
    const { fake, events, running } = start(sketchPlan({ groups: { a: [{ run: 'long' }], b: [{ run: 'long' }] } }), { commands: { long: { hang: true } } }, { signal: controller.signal });
    await waitFor('both commands running', () => fake.execs('long').length === 2, { timeoutMs: 2000, intervalMs: 1 });
    controller.abort();
    const result = await running;
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(runProblems(events, fake), [], 'released, and not while a container of the run was left');
    assert.equal(ops(fake.calls).at(-1), 'releaseRun');
  });

  it('keeps the status when the release fails, and says what was left', async () => {
    const { fake, events, running } = start(sketchPlan({ groups: { a: [{ run: 'x' }] } }), {
      releaseRunError: (r) => new ExecutorError('engine', `cannot remove network ${r.network ?? '?'}: engine busy`),
    });
    const result = await running;
    assert.equal(result.status, 'success');
    assert.match(result.message ?? '', /^clean-up: cannot remove network net-\d+: engine busy; the sweep of leftovers removes it later$/);
    assert.equal(finalMessage(events), result.message);
    assert.deepEqual(runProblems(events, fake), []);
  });

  it('adds a failed release to the message of a run that failed', async () => {
    const { events, running } = start(sketchPlan({ groups: { a: [{ run: 'x' }] } }), {
      commands: { x: { exitCode: 2 } },
      releaseRunError: () => new ExecutorError('engine', 'cannot remove network n: engine busy'),
    });
    const result = await running;
    assert.equal(result.status, 'failure');
    assert.equal(result.message, 'not every group succeeded: a (failure); clean-up: cannot remove network n: engine busy; the sweep of leftovers removes it later');
    assert.equal(finalMessage(events), result.message);
  });

  it('releases before passing on a failure of the event sink', async () => {
    const sinkError = new Error('database down');
    const { fake, running } = start(sketchPlan({ groups: { a: [{ run: 'x' }] } }), {}, {
      onEvent: (e: RunEvent) => {
        if (e.type === 'step' && e.status === 'success') throw sinkError;
      },
    });
    await assert.rejects(running, sinkError);
    assert.deepEqual(fake.liveRuns(), []);
    assert.deepEqual(fake.live(), { containers: [], workspaces: [] });
  });

  it('runs on an executor without run-level resources', async () => {
    const fake = new FakeExecutor();
    const plain: Executor = {
      createWorkspace: (scope) => fake.createWorkspace(scope),
      removeWorkspace: (workspace) => fake.removeWorkspace(workspace),
      startContainer: (request, signal) => fake.startContainer(request, signal),
      exec: (container, request, sink, signal) => fake.exec(container, request, sink, signal),
      removeContainer: (container) => fake.removeContainer(container),
    };
    await fake.prepareRun({ runId: 'run-1', job: 'job', attempt: 1 }, new AbortController().signal); // the fake insists on it
    const { events, onEvent } = recordEvents();
    const result = await runJob(sketchPlan({ groups: { a: [{ run: 'x' }] } }), {
      runId: 'run-1', executor: plain, onEvent, defaultRetry: 0, groupConcurrency: 1, secrets: {}, logCapBytes: 1000, context: {},
    });
    assert.equal(result.status, 'success');
    assert.deepEqual(stepStatuses(events, 'a'), ['success']);
    assert.deepEqual(fake.violations, []);
    assert.deepEqual(ops(fake.calls).filter((op) => op.endsWith('Run')), ['prepareRun'], 'run-job called neither');
  });
});
