import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecutorError } from '../../../src/executor/executor.ts';
import type { RunEvent } from '../../../src/executor/events.ts';
import { runJob } from '../../../src/executor/run-job.ts';
import type { RunJobOptions } from '../../../src/executor/run-job.ts';
import type { Plan } from '../../../src/pipeline/types.ts';
import { FakeExecutor, createBarrier } from '../../support/fake-executor.ts';
import type { FakeExecutorOptions } from '../../support/fake-executor.ts';
import { groupStatuses, logLines, recordEvents, runProblems, sketchPlan, stepEvent, stepStatuses } from '../../support/run-harness.ts';

async function run(plan: Plan, fakeOptions: FakeExecutorOptions = {}, options: Partial<RunJobOptions> = {}) {
  const fake = new FakeExecutor(fakeOptions);
  const { events, onEvent } = recordEvents();
  const result = await runJob(plan, {
    runId: 'run-1',
    executor: fake,
    defaultRetry: 0,
    groupConcurrency: 4,
    secrets: {},
    logCapBytes: 1024 * 1024,
    context: { PISTAGES_REPO: 'acme/app', PISTAGES_SHA: 'abc123' },
    clock: () => new Date(0),
    ...options,
    // a test's own sink sees every event after the recorder
    onEvent: async (event) => {
      await onEvent(event);
      await options.onEvent?.(event);
    },
  });
  assert.deepEqual(runProblems(events, fake), [], 'run invariants');
  return { fake, events, result };
}

describe('runJob: steps and containers', () => {
  it('runs steps in order, sharing the container until a step names an image', async () => {
    const plan = sketchPlan({
      groups: { build: [{ run: 'one' }, { run: ['two', 'three'] }, { image: 'node:20', run: 'four' }, { run: 'five' }] },
    });
    const { fake, result, events } = await run(plan);
    assert.equal(result.status, 'success');
    assert.deepEqual(stepStatuses(events, 'build'), ['success', 'success', 'success', 'success']);
    assert.deepEqual(fake.execs().map((e) => e.command), ['one', 'two', 'three', 'four', 'five']);
    const [c0, c1] = fake.started();
    assert.deepEqual([c0?.image, c1?.image, fake.started().length], ['alpine:3', 'node:20', 2]);
    const byCommand = Object.fromEntries(fake.execs().map((e) => [e.command, e.container.id]));
    assert.equal(byCommand.one, byCommand.three);
    assert.equal(byCommand.four, byCommand.five);
    assert.notEqual(byCommand.one, byCommand.four);
    assert.equal(c0?.workspace.id, c1?.workspace.id, 'containers of a group share its workspace');
  });

  it('gives each group its own workspace', async () => {
    const { fake } = await run(sketchPlan({ groups: { a: [{ run: 'x' }], b: [{ run: 'y' }] } }));
    const [wa, wb] = fake.started().map((s) => s.workspace.id);
    assert.notEqual(wa, wb);
  });

  it('sets the PISTAGES_* variables, step env, trigger context and only the named secrets', async () => {
    const plan = sketchPlan({
      name: 'ci',
      secrets: ['TOKEN'],
      groups: { test: [{ name: 'unit tests', run: 'npm test', env: { CI: 'true', PISTAGES_SHA: 'forged' } }] },
    });
    const { fake } = await run(plan, {}, { secrets: { TOKEN: 'tok-123', OTHER: 'not-for-this-job' } });
    const env = fake.execs('npm test')[0]?.env;
    assert.deepEqual(env, {
      CI: 'true',
      TOKEN: 'tok-123',
      PISTAGES_REPO: 'acme/app',
      PISTAGES_SHA: 'abc123',
      PISTAGES_RUN_ID: 'run-1',
      PISTAGES_JOB: 'ci',
      PISTAGES_GROUP: 'test',
      PISTAGES_STEP: 'unit tests',
      PISTAGES_ATTEMPT: '1',
      PISTAGES_WORKSPACE: '/workspace',
    });
  });

  it('reports a secret the job needs but nobody provided as an error naming it', async () => {
    const { result, events } = await run(sketchPlan({ secrets: ['NPM_TOKEN'], groups: { a: [{ run: 'x' }] } }));
    assert.equal(result.status, 'error');
    assert.match(stepEvent(events, 'a', 0)?.message ?? '', /secret 'NPM_TOKEN'/);
  });
});

describe('runJob: parallel groups', () => {
  it('runs groups at the same time', async () => {
    const barrier = createBarrier(3);
    const plan = sketchPlan({ groups: { a: [{ run: 'meet' }], b: [{ run: 'meet' }], c: [{ run: 'meet' }] } });
    const { result } = await run(plan, { commands: { meet: { waitFor: barrier.arrive } } });
    assert.equal(result.status, 'success', 'all three commands were running at once');
  });

  it('runs at most groupConcurrency groups at once', async () => {
    const first = createBarrier(2);
    const second = createBarrier(2);
    const plan = sketchPlan({ groups: { a: [{ run: 'p1' }], b: [{ run: 'p1' }], c: [{ run: 'p2' }], d: [{ run: 'p2' }] } });
    const { fake, result } = await run(
      plan,
      { commands: { p1: { waitFor: first.arrive }, p2: { waitFor: second.arrive } } },
      { groupConcurrency: 2 },
    );
    assert.equal(result.status, 'success');
    assert.equal(fake.maxConcurrentExecs, 2);
  });
});

describe('runJob: failures', () => {
  it('skips the rest of a failed group, records the exit code, and lets other groups finish', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'ok' }, { run: 'bad' }, { run: 'never' }], b: [{ run: 'ok' }, { run: 'ok2' }] } });
    const { result, events, fake } = await run(plan, { commands: { bad: { exitCode: 3, output: ['boom\n'] } } });
    assert.equal(result.status, 'failure');
    assert.deepEqual(stepStatuses(events, 'a'), ['success', 'failure', 'skipped']);
    assert.deepEqual(stepStatuses(events, 'b'), ['success', 'success']);
    assert.equal(stepEvent(events, 'a', 1)?.exitCode, 3);
    assert.deepEqual(logLines(events, 'a', 1), ['boom', 'command exited with code 3: bad']);
    assert.equal(fake.execs('never').length, 0);
    assert.deepEqual(result.groups.map((g) => [g.name, g.status]), [['a', 'failure'], ['b', 'success']]);
  });

  it('stops a step at its timeout: timed_out, commands aborted', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'sleep', timeoutMs: 20 }, { run: 'after' }] } });
    const { result, events, fake } = await run(plan, { commands: { sleep: { hang: true } } });
    assert.equal(result.status, 'timed_out');
    assert.deepEqual(stepStatuses(events, 'a'), ['timed_out', 'skipped']);
    assert.match(stepEvent(events, 'a', 0)?.message ?? '', /timed out after 20ms/);
    assert.ok('rejected' in (fake.execs('sleep')[0]?.result ?? {}), 'the exec was aborted');
  });

  it('applies the default timeout to steps without one, and a step timeout wins over it', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'sleep' }], b: [{ run: 'sleep2', timeoutMs: 60_000 }, { run: 'ok' }] } });
    // b's step outlives a's default timeout: it is released only once a has timed out
    let release!: () => void;
    const aTimedOut = new Promise<void>((resolve) => (release = resolve));
    const { events } = await run(
      plan,
      { commands: { sleep: { hang: true }, sleep2: { waitFor: () => aTimedOut } } },
      {
        defaultTimeoutMs: 20,
        onEvent: (event: RunEvent) => {
          if (event.type === 'step' && event.group === 'a' && event.status === 'timed_out') release();
        },
      },
    );
    assert.deepEqual(stepStatuses(events, 'a'), ['timed_out']);
    assert.match(stepEvent(events, 'a', 0)?.message ?? '', /timed out after 20ms/);
    assert.deepEqual(stepStatuses(events, 'b'), ['success', 'success']);
  });

  it('turns a missing image into error with the executor message, and does not retry it', async () => {
    const plan = sketchPlan({ retry: 2, groups: { a: [{ image: 'nope:1', run: 'x' }, { run: 'y' }] } });
    const { result, events } = await run(plan, { missingImages: ['nope:1'] });
    assert.equal(result.status, 'error');
    assert.deepEqual(stepStatuses(events, 'a'), ['error', 'skipped']);
    assert.match(stepEvent(events, 'a', 0)?.message ?? '', /image nope:1 not found/);
    assert.deepEqual(groupStatuses(events, 'a'), ['error']);
  });

  it('turns an engine failure during exec into error', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'x' }] } });
    const { result, events } = await run(plan, { commands: { x: { throws: new ExecutorError('engine', 'Docker is not reachable') } } });
    assert.equal(result.status, 'error');
    assert.equal(stepEvent(events, 'a', 0)?.message, 'Docker is not reachable');
  });

  it('reports a workspace that cannot be created on the group', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'x' }] } });
    const { result, events } = await run(plan, { createWorkspace: () => new ExecutorError('engine', 'disk full') });
    assert.equal(result.status, 'error');
    assert.deepEqual(stepStatuses(events, 'a'), ['skipped']);
    const group = events.find((e) => e.type === 'group' && e.status === 'error');
    assert.match(group?.type === 'group' ? (group.message ?? '') : '', /workspace: disk full/);
  });
});

describe('runJob: retries', () => {
  it('re-runs a failed group from its first step in fresh containers and a fresh workspace', async () => {
    const plan = sketchPlan({ retry: 1, groups: { a: [{ run: 'setup' }, { run: 'flaky' }] } });
    const { result, events, fake } = await run(plan, { commands: { flaky: [{ exitCode: 1 }, { exitCode: 0 }] } });
    assert.equal(result.status, 'success');
    assert.deepEqual(result.groups, [{ name: 'a', status: 'success', attempts: 2, lastAttempt: 2 }]);
    assert.deepEqual(stepStatuses(events, 'a', 1), ['success', 'failure']);
    assert.deepEqual(stepStatuses(events, 'a', 2), ['success', 'success']);
    const [first, second] = fake.execs('setup');
    assert.notEqual(first?.container.id, second?.container.id);
    const workspaces = fake.started().map((s) => s.workspace.id);
    assert.notEqual(workspaces[0], workspaces[1]);
    assert.deepEqual(fake.execs('flaky').map((e) => e.env.PISTAGES_ATTEMPT), ['1', '2']);
    assert.deepEqual(groupStatuses(events, 'a'), ['failure', 'success']);
  });

  it('makes at most retry + 1 attempts, numbered from firstAttempt', async () => {
    const plan = sketchPlan({ retry: 2, groups: { a: [{ run: 'bad' }] } });
    const { result, events } = await run(plan, { commands: { bad: { exitCode: 1 } } }, { firstAttempt: 3 });
    assert.equal(result.status, 'failure');
    assert.deepEqual(result.groups, [{ name: 'a', status: 'failure', attempts: 3, lastAttempt: 5 }]);
    const attempts = events.flatMap((e) => (e.type === 'group' && e.status === 'running' ? [e.attempt] : []));
    assert.deepEqual(attempts, [3, 4, 5]);
  });

  it('uses defaultRetry when the plan does not say, and retries timed-out groups', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'slow', timeoutMs: 10 }] } });
    const { result, events } = await run(plan, { commands: { slow: [{ hang: true }, {}] } }, { defaultRetry: 1 });
    assert.equal(result.status, 'success');
    assert.deepEqual(groupStatuses(events, 'a'), ['timed_out', 'success']);
  });
});

describe('runJob: cancellation', () => {
  it('aborts running commands, removes everything and reports cancelled', async () => {
    const controller = new AbortController();
    const plan = sketchPlan({
      groups: { a: [{ run: 'long' }, { run: 'next' }], b: [{ run: 'long' }], c: [{ run: 'queued' }] },
    });
    const fake = new FakeExecutor({ commands: { long: { hang: true } } });
    const { events, onEvent } = recordEvents();
    const running = runJob(plan, {
      runId: 'r', executor: fake, onEvent, defaultRetry: 3, groupConcurrency: 2, secrets: {},
      logCapBytes: 1000, context: {}, signal: controller.signal,
    });
    await fake.execStarted('long');
    await waitUntil(() => fake.execs('long').length === 2);
    controller.abort(new Error('cancelled by alice'));
    const result = await running;
    assert.deepEqual(runProblems(events, fake), []);
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(stepStatuses(events, 'a'), ['cancelled', 'skipped']);
    assert.deepEqual(stepStatuses(events, 'b'), ['cancelled']);
    assert.deepEqual(stepStatuses(events, 'c'), ['skipped']);
    assert.deepEqual(result.groups.map((g) => [g.name, g.status, g.attempts]), [['a', 'cancelled', 1], ['b', 'cancelled', 1], ['c', 'cancelled', 0]]);
    assert.equal(fake.execs('queued').length, 0);
    const final = events.at(-1);
    assert.equal(final?.type === 'run' ? final.message : undefined, 'run cancelled: cancelled by alice');
  });

  it('cancels a container start in progress and still removes the workspace', async () => {
    const controller = new AbortController();
    const fake = new FakeExecutor({ startContainer: () => ({ hang: true }) });
    const { events, onEvent } = recordEvents();
    const running = runJob(sketchPlan({ groups: { a: [{ run: 'x' }] } }), {
      runId: 'r', executor: fake, onEvent, defaultRetry: 0, groupConcurrency: 1, secrets: {},
      logCapBytes: 1000, context: {}, signal: controller.signal,
    });
    await waitUntil(() => fake.started().length === 1);
    controller.abort();
    const result = await running;
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(runProblems(events, fake), []);
    assert.equal(fake.live().workspaces.length, 0);
  });
});

describe('runJob: outputs, logs and clean-up', () => {
  it('renders outputs of earlier steps into later commands and env', async () => {
    const plan = sketchPlan({
      groups: {
        a: [
          { id: 'version', run: 'compute' },
          { run: 'echo {{ .steps.version.outputs.tag }}', env: { TAG: 'v{{ .steps.version.outputs.tag }}' } },
        ],
      },
    });
    const { fake, events } = await run(plan, { commands: { compute: { outputs: { tag: '1.2.3' } } } });
    const second = fake.execs().at(-1);
    assert.equal(second?.command, 'echo 1.2.3');
    assert.equal(second?.env.TAG, 'v1.2.3');
    assert.deepEqual(stepEvent(events, 'a', 0)?.outputs, { tag: '1.2.3' });
  });

  it('makes a reference to an output nobody wrote an error that says what is missing', async () => {
    const plan = sketchPlan({ groups: { a: [{ id: 'v', run: 'compute' }, { run: 'echo {{ .steps.v.outputs.nope }}' }] } });
    const { result, events, fake } = await run(plan, { commands: { compute: { outputs: { tag: '1' } } } });
    assert.equal(result.status, 'error');
    assert.match(stepEvent(events, 'a', 1)?.message ?? '', /cannot render command 1 of step .*wrote no output 'nope'/);
    assert.equal(fake.execs().length, 1);
  });

  it('masks secrets in log lines, messages and outputs', async () => {
    const plan = sketchPlan({ secrets: ['TOKEN'], groups: { a: [{ id: 's', run: 'leak' }, { run: 'fail' }] } });
    const { events } = await run(
      plan,
      {
        commands: {
          leak: { output: ['token=sec', 'ret-value\n'], outputs: { t: 'secret-value' } },
          fail: { throws: new ExecutorError('engine', 'auth with secret-value failed') },
        },
      },
      { secrets: { TOKEN: 'secret-value' } },
    );
    assert.deepEqual(logLines(events, 'a', 0, 1, 'stdout'), ['token=***']);
    assert.deepEqual(stepEvent(events, 'a', 0)?.outputs, { t: '***' });
    assert.equal(stepEvent(events, 'a', 1)?.message, 'auth with *** failed');
    assert.ok(!JSON.stringify(events).includes('secret-value'));
  });

  it('caps the log of a step attempt', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'spam' }] } });
    const output = Array.from({ length: 100 }, (_, i) => `line ${i}\n`);
    const { events } = await run(plan, { commands: { spam: { output } } }, { logCapBytes: 30 });
    const lines = logLines(events, 'a', 0);
    assert.deepEqual(lines, ['line 0', 'line 1', 'line 2', 'line 3', "log truncated: 30 bytes limit reached; the rest of this step's output was dropped"]);
  });

  it('keeps removing after a removal fails, and says so in the log', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'x' }, { image: 'node:20', run: 'y' }] } });
    const { events, result, fake } = await run(plan, {
      removeContainerError: (c) => (c.image === 'alpine:3' ? new Error('device busy') : undefined),
    });
    assert.equal(result.status, 'success');
    assert.equal(fake.calls.filter((c) => c.op === 'removeContainer').length, 2);
    assert.equal(fake.calls.filter((c) => c.op === 'removeWorkspace').length, 1);
    assert.match(logLines(events, 'a', 0, 1, 'system').join('\n'), /could not remove container ct-\d+ \(alpine:3\): device busy/);
  });

  it('cleans up and rejects when the event sink fails', async () => {
    const fake = new FakeExecutor();
    const sinkError = new Error('database down');
    const promise = runJob(sketchPlan({ groups: { a: [{ run: 'x' }], b: [{ run: 'y' }] } }), {
      runId: 'r', executor: fake, defaultRetry: 0, groupConcurrency: 2, secrets: {}, logCapBytes: 100, context: {},
      onEvent: (e: RunEvent) => {
        if (e.type === 'step' && e.group === 'a' && e.status === 'success') throw sinkError;
      },
    });
    await assert.rejects(promise, sinkError);
    assert.deepEqual(fake.live(), { containers: [], workspaces: [] });
    assert.equal(fake.execs('y').length, 1, 'the other group still ran to completion');
  });
});

describe('runJob: onlyGroups', () => {
  it('runs only the named groups and reports the others skipped', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'x' }], b: [{ run: 'y' }, { run: 'z' }] } });
    const { result, events, fake } = await run(plan, {}, { onlyGroups: ['a'], firstAttempt: 2 });
    assert.equal(result.status, 'success');
    assert.deepEqual(result.groups.map((g) => [g.name, g.status, g.attempts]), [['a', 'success', 1], ['b', 'skipped', 0]]);
    assert.deepEqual(stepStatuses(events, 'b', 2), ['skipped', 'skipped']);
    assert.deepEqual(fake.execs().map((e) => e.command), ['x']);
  });

  it('rejects names of groups the job does not have', async () => {
    const plan = sketchPlan({ groups: { a: [{ run: 'x' }] } });
    await assert.rejects(run(plan, {}, { onlyGroups: ['A'] }), /does not have: A/);
  });
});

/** Polls a condition on the fake's state; bounded, so a broken run fails instead of hanging. */
async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
