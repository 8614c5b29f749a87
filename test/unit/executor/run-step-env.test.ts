import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runJob, type RunJobOptions } from '../../../src/executor/run-job.ts';
import { containerEnv } from '../../../src/executor/step-env.ts';
import type { Plan } from '../../../src/pipeline/types.ts';
import { FakeExecutor } from '../../support/fake-executor.ts';
import { recordEvents, runProblems, sketchPlan } from '../../support/run-harness.ts';

const TOKEN = 'npm-secret-value-123';
const GIT_TOKEN = 'checkout-credential-456';

async function run(plan: Plan, options: Partial<RunJobOptions> = {}) {
  const fake = new FakeExecutor();
  const { events, onEvent } = recordEvents();
  const result = await runJob(plan, {
    runId: 'run-1',
    executor: fake,
    onEvent,
    defaultRetry: 0,
    groupConcurrency: 2,
    secrets: { NPM_TOKEN: TOKEN },
    // as the worker passes them: the run's credentials come with the trigger context and are masked
    maskValues: [GIT_TOKEN],
    context: { PISTAGES_GIT_TOKEN: GIT_TOKEN, PISTAGES_REPO: 'acme/app', PISTAGES_SHA: 'abc123' },
    logCapBytes: 1024 * 1024,
    clock: () => new Date(0),
    ...options,
  });
  assert.deepEqual(runProblems(events, fake), [], 'run invariants');
  return { fake, result };
}

describe('secrets reach the exec of each command, never the container', () => {
  const plan = sketchPlan({
    secrets: ['NPM_TOKEN'],
    groups: {
      build: [
        { run: 'one', env: { CI: 'true', COPY: `prefix-${TOKEN}` } },
        { run: 'two' },
        { image: 'node:20', run: 'three' },
      ],
    },
  });

  it('every exec gets the secrets and the credentials', async () => {
    const { fake, result } = await run(plan);
    assert.equal(result.status, 'success');
    for (const command of ['one', 'two', 'three']) {
      const env = fake.execs(command)[0]?.env;
      assert.equal(env?.NPM_TOKEN, TOKEN, `${command} sees the secret`);
      assert.equal(env?.PISTAGES_GIT_TOKEN, GIT_TOKEN, `${command} sees the checkout token`);
    }
  });

  it('no container is created with a secret value, under any name', async () => {
    const { fake } = await run(plan);
    const started = fake.started();
    assert.equal(started.length, 2);
    for (const request of started) {
      const text = JSON.stringify(request);
      assert.ok(!text.includes(TOKEN), `no secret in ${text}`);
      assert.ok(!text.includes(GIT_TOKEN), `no credential in ${text}`);
      assert.equal(request.env.PISTAGES_REPO, 'acme/app', 'ordinary variables stay');
      assert.equal(request.env.PISTAGES_WORKSPACE, '/workspace');
    }
    assert.equal(started[0]?.env.CI, 'true');
    assert.ok(!('COPY' in started[0]!.env), 'a variable holding a secret value is left out too');
  });
});

describe('containerEnv', () => {
  it('drops the named secrets and every value that contains a masked value', () => {
    const env = { A: 'plain', S: 'ab', T: 'x-long-secret-y', PISTAGES_SHA: 'abc' };
    assert.deepEqual(containerEnv(env, ['S'], ['long-secret']), { A: 'plain', PISTAGES_SHA: 'abc' });
    assert.deepEqual(containerEnv(env, [], []), env);
  });
});

describe('parameters as PISTAGES_PARAM_* variables', () => {
  it("gives each exec the job's and the step's action parameters verbatim, after the step env", async () => {
    const plan = sketchPlan({ groups: { main: [{ run: 'job step' }, { run: 'action step' }] } });
    plan.params = { ref: 'job-ref', tag: 'v1' };
    const [jobStep, actionStep] = plan.groups[0]!.steps;
    actionStep!.actions = ['Checkout'];
    actionStep!.params = { ref: '$(touch /tmp/x) {{ .steps.a.outputs.b }}' };
    jobStep!.env = { PISTAGES_PARAM_TAG: 'forged' };
    const { fake, result } = await run(plan, { secrets: {} });
    assert.equal(result.status, 'success');
    const first = fake.execs('job step')[0]!.env;
    assert.equal(first.PISTAGES_PARAM_REF, 'job-ref');
    assert.equal(first.PISTAGES_PARAM_TAG, 'v1', 'the parameter wins over an env entry of the same name');
    const second = fake.execs('action step')[0]!.env;
    assert.equal(second.PISTAGES_PARAM_REF, '$(touch /tmp/x) {{ .steps.a.outputs.b }}', 'not rendered as a template');
    assert.equal(second.PISTAGES_PARAM_TAG, 'v1');
  });
});
