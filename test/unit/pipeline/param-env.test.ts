import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError, formatIssue } from '../../../src/pipeline/errors.ts';
import { paramEnv, paramEnvClashes, paramEnvName } from '../../../src/pipeline/param-env.ts';
import { parseJob } from '../../../src/pipeline/parse.ts';
import { buildPlan } from '../../../src/pipeline/plan.ts';
import type { Plan, PlannedStep } from '../../../src/pipeline/types.ts';
import { catalogOf, job } from './job-builders.ts';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    return e.issues.map(formatIssue);
  }
  assert.fail('expected a ValidationError');
}

function stepsOf(plan: Plan, group = 'main'): PlannedStep[] {
  return plan.groups.find((g) => g.name === group)!.steps;
}

/** the PISTAGES_PARAM_* variables a step of the plan gets (the same call the executor makes) */
function varsOf(plan: Plan, step: PlannedStep): Record<string, string> {
  return paramEnv(plan.params, step.params);
}

describe('parameter variable names', () => {
  it('upper-cases the name and replaces every character outside [A-Z0-9_] with _', () => {
    assert.equal(paramEnvName('ref'), 'PISTAGES_PARAM_REF');
    assert.equal(paramEnvName('git-ref'), 'PISTAGES_PARAM_GIT_REF');
    assert.equal(paramEnvName('node.version 2'), 'PISTAGES_PARAM_NODE_VERSION_2');
    assert.equal(paramEnvName('Ünïcode_ok9'), 'PISTAGES_PARAM__N_CODE_OK9');
    assert.equal(paramEnvName('1st'), 'PISTAGES_PARAM_1ST');
  });

  it('renders values as templates do and lets later layers win', () => {
    assert.deepEqual(paramEnv({ n: 3, flag: false, text: 'a b' }, { text: 'action', ref: 'main' }), {
      PISTAGES_PARAM_N: '3',
      PISTAGES_PARAM_FLAG: 'false',
      PISTAGES_PARAM_TEXT: 'action',
      PISTAGES_PARAM_REF: 'main',
    });
    assert.deepEqual(paramEnv({}, undefined), {});
  });

  it('finds names that give the same variable', () => {
    assert.deepEqual(paramEnvClashes(['git-ref', 'other', 'git_ref', 'GIT.REF']), [
      { variable: 'PISTAGES_PARAM_GIT_REF', first: 'git-ref', second: 'git_ref' },
      { variable: 'PISTAGES_PARAM_GIT_REF', first: 'git-ref', second: 'GIT.REF' },
    ]);
    assert.deepEqual(paramEnvClashes(['a', 'b']), []);
  });
});

describe('plans carry the parameters of each step', () => {
  const checkout = job('Checkout', { file: 'actions/checkout.yaml', image: 'git', run: 'git checkout "$PISTAGES_PARAM_REF"', with: { ref: 'main', depth: 1 } });
  const wrapper = job('Wrapper', { file: 'actions/wrapper.yaml', with: { who: 'w' }, uses: { main: [{ run: 'echo {{ .who }}' }, { dep: 'Checkout', with: { ref: '{{ .who }}-ref' } }] } });
  const actions = catalogOf(checkout, wrapper);

  it("a job's own step gets the job's parameters; a dep step also gets its action's, which win", () => {
    const plan = buildPlan(
      job('J', { image: 'busybox', with: { ref: 'job-ref', tag: 'v1' }, uses: { main: [{ run: 'echo {{ .tag }}' }, { dep: 'Checkout', with: { ref: 'feature/x' } }] } }),
      actions,
      { tag: 'v2' },
    );
    const [own, dep] = stepsOf(plan);
    assert.equal(own!.params, undefined, "the job's parameters are the plan's, not copied into each step");
    assert.deepEqual(varsOf(plan, own!), { PISTAGES_PARAM_REF: 'job-ref', PISTAGES_PARAM_TAG: 'v2' });
    assert.deepEqual(dep!.params, { ref: 'feature/x', depth: 1 });
    assert.deepEqual(varsOf(plan, dep!), { PISTAGES_PARAM_REF: 'feature/x', PISTAGES_PARAM_TAG: 'v2', PISTAGES_PARAM_DEPTH: '1' });
  });

  it('a step inlined from a composite action gets the parameters of the action that holds it', () => {
    const plan = buildPlan(job('J', { image: 'busybox', uses: { main: [{ dep: 'Wrapper', with: { who: 'me' } }] } }), actions);
    const [echo, inner] = stepsOf(plan);
    assert.deepEqual(echo!.params, { who: 'me' });
    assert.deepEqual(inner!.params, { ref: 'me-ref', depth: 1 });
    assert.deepEqual(inner!.actions, ['Wrapper', 'Checkout']);
  });

  it('leaves template syntax in a value as it is and keeps it out of the step env', () => {
    const value = '`touch /tmp/pwned` $(id) {{ .steps.a.outputs.b }}';
    const plan = buildPlan(job('J', { image: 'busybox', uses: { main: [{ dep: 'Checkout', with: { ref: value } }] } }), actions);
    const [step] = stepsOf(plan);
    assert.equal(varsOf(plan, step!).PISTAGES_PARAM_REF, value);
    assert.deepEqual(step!.env, {});
  });

  it('does not let a plan change the registered action it was built from', () => {
    const plan = buildPlan(job('J', { image: 'busybox', uses: { main: [{ dep: 'Checkout', with: { ref: 'x' } }] } }), actions);
    stepsOf(plan)[0]!.params!.ref = 'changed';
    assert.deepEqual(checkout.with, { ref: 'main', depth: 1 });
  });
});

describe('parameter names that clash', () => {
  it("is an error naming both of the job's parameters and the variable", () => {
    const found = problems(() => buildPlan(job('J', { image: 'busybox', with: { 'git-ref': 'a', git_ref: 'b' }, run: 'true' }), catalogOf()));
    assert.deepEqual(found, ["j.yaml:1:1: parameters 'git-ref' and 'git_ref' of job 'J' both become the environment variable PISTAGES_PARAM_GIT_REF; rename one of them"]);
  });

  it("is an error at the dep step naming the action's file", () => {
    const clashing = job('Clash', { file: 'actions/clash.yaml', image: 'busybox', run: 'echo {{ .Ref }}', with: { ref: 'a', Ref: 'b' } });
    const found = problems(() => buildPlan(job('J', { uses: { main: [{ dep: 'Clash' }, { dep: 'Clash' }] } }), catalogOf(clashing)));
    assert.deepEqual(found, [
      "j.yaml:5:7: parameters 'ref' and 'Ref' of action 'Clash' (actions/clash.yaml) both become the environment variable PISTAGES_PARAM_REF; rename one of them",
      "j.yaml:6:7: parameters 'ref' and 'Ref' of action 'Clash' (actions/clash.yaml) both become the environment variable PISTAGES_PARAM_REF; rename one of them",
    ]);
  });

  it('is no error between the job and an action: the action wins for its steps', () => {
    const action = job('A', { file: 'a.yaml', image: 'busybox', run: 'true', with: { git_ref: 'action' } });
    const plan = buildPlan(job('J', { with: { 'git-ref': 'job' }, uses: { main: [{ dep: 'A' }] } }), catalogOf(action));
    assert.equal(varsOf(plan, stepsOf(plan)[0]!).PISTAGES_PARAM_GIT_REF, 'action');
  });

  it('reports a value with a NUL character, which no environment variable can hold', () => {
    const found = problems(() => buildPlan(job('J', { image: 'busybox', with: { x: 'a\0b' }, run: 'true' }), catalogOf()));
    assert.match(found.join('\n'), /parameter 'x' of job 'J' holds a NUL character.*PISTAGES_PARAM_X/);
  });
});

describe('job files cannot set parameter variables through env', () => {
  it('reserves PISTAGES_PARAM_* like every PISTAGES_* name', () => {
    const parsed = parseJob('name: J\nimage: busybox\nenv:\n  PISTAGES_PARAM_REF: forged\nrun: "true"\n', 'job.yaml');
    assert.match(parsed.issues.map(formatIssue).join('\n'), /job\.yaml:4:3: .*PISTAGES_PARAM_REF.*reserved/);
  });
});
