import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runJob } from '../../../src/executor/run-job.ts';
import type { RunJobOptions } from '../../../src/executor/run-job.ts';
import type { Plan } from '../../../src/pipeline/types.ts';
import { FakeExecutor } from '../../support/fake-executor.ts';
import type { FakeExecutorOptions } from '../../support/fake-executor.ts';
import { logLines, recordEvents, runProblems, sketchPlan, stepStatuses, testRunOptions } from '../../support/run-harness.ts';

/** Which steps run as a one-shot container's own process (Executor.createOneShot) and which as execs. */

async function run(plan: Plan, fakeOptions: FakeExecutorOptions = {}, options: Partial<RunJobOptions> = {}) {
  const fake = new FakeExecutor({ oneShot: true, ...fakeOptions });
  const { events, onEvent } = recordEvents();
  const result = await runJob(plan, testRunOptions(fake, onEvent, { context: { PISTAGES_REPO: 'acme/app' }, ...options }));
  assert.deepEqual(runProblems(events, fake), [], 'run invariants');
  assert.deepEqual(fake.violations, []);
  return { fake, events, result };
}

/** command → whether it ran one-shot */
function modes(fake: FakeExecutor): Record<string, boolean> {
  return Object.fromEntries(fake.execs().map((call) => [call.command, call.oneShot === true]));
}

describe('runJob: one-shot containers', () => {
  it('runs a one-command step as its container\'s own process when no later step uses the container', async () => {
    const plan = sketchPlan({
      groups: {
        build: [{ run: 'setup' }, { run: 'inherits' }, { image: 'node:20', run: 'alone' }, { image: 'node:20', run: ['two', 'commands'] }],
        lint: [{ run: 'lint' }],
      },
    });
    const { fake, result } = await run(plan);
    assert.equal(result.status, 'success');
    assert.deepEqual(modes(fake), { setup: false, inherits: false, alone: true, two: false, commands: false, lint: true });
    assert.equal(fake.live().containers.length, 0, 'one-shot containers are removed with the group');
  });

  it('keeps a step whose environment holds a secret on the exec path (a container\'s own env shows in docker inspect)', async () => {
    const plan = sketchPlan({ secrets: ['TOKEN'], groups: { deploy: [{ run: 'deploy' }] } });
    const { fake } = await run(plan, {}, { secrets: { TOKEN: 'secret-value-1234' } });
    assert.deepEqual(modes(fake), { deploy: false });
    const [started] = fake.started();
    assert.equal(started?.env.TOKEN, undefined);
    assert.equal(fake.execs()[0]?.env.TOKEN, 'secret-value-1234');
  });

  it('keeps a step on the exec path when a run credential is in its environment', async () => {
    const plan = sketchPlan({ groups: { clone: [{ run: 'git clone' }] } });
    const { fake } = await run(plan, {}, { context: { PISTAGES_GIT_TOKEN: 'credential-value-5678' }, maskValues: ['credential-value-5678'] });
    assert.deepEqual(modes(fake), { 'git clone': false });
  });

  it('gives a one-shot command the same environment, output, outputs and exit code as an exec', async () => {
    const plan = sketchPlan({
      groups: { a: [{ id: 'first', image: 'alpine:3', run: 'produce' }, { image: 'alpine:3', run: 'echo {{ .steps.first.outputs.version }}', env: { MODE: 'fast' } }] },
    });
    const commands = { produce: { output: ['made\n'], outputs: { version: '1.2.3' } }, 'echo 1.2.3': { exitCode: 3 } };
    const { fake, events, result } = await run(plan, { commands });
    assert.equal(result.status, 'failure');
    assert.deepEqual(stepStatuses(events, 'a'), ['success', 'failure']);
    assert.deepEqual(modes(fake), { produce: true, 'echo 1.2.3': true });
    const second = fake.execs('echo 1.2.3')[0];
    assert.equal(second?.env.MODE, 'fast');
    assert.equal(second?.env.PISTAGES_STEP, 'echo {{ .steps.first.outputs.version }}');
    assert.ok(logLines(events, 'a', 0).includes('made'));
  });

  it('uses execs only when the executor has no one-shot containers', async () => {
    const { fake } = await run(sketchPlan({ groups: { a: [{ run: 'x' }] } }), { oneShot: false });
    assert.deepEqual(modes(fake), { x: false });
  });
});
