import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError, formatIssue } from '../../../src/pipeline/errors.ts';
import { buildPlan } from '../../../src/pipeline/plan.ts';
import type { Plan } from '../../../src/pipeline/types.ts';
import { catalogOf, job } from './job-builders.ts';

const clone = job('Clone Repo', { file: 'actions/clone.yaml', image: 'alpine/git', run: 'git clone {{ .repo }}', with: { repo: 'r' } });
const node = job('Setup Node', { file: 'actions/node.yaml', image: 'node:20', run: 'npm ci', env: { NODE_ENV: 'test', WHO: 'action' } });
const actions = catalogOf(clone, node);

/** [image, container, startsContainer] of every step of group `name`. */
function containers(plan: Plan, name = 'main'): [string, number, boolean][] {
  const group = plan.groups.find((g) => g.name === name)!;
  return group.steps.map((s) => [s.image, s.container, s.startsContainer]);
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    return e.issues.map(formatIssue);
  }
  assert.fail('expected a ValidationError');
}

test('rule 1: a step with image starts a new container', () => {
  const plan = buildPlan(job('J', { uses: { main: [{ run: 'a', image: 'x' }, { run: 'b', image: 'y' }, { run: 'c' }] } }), actions);
  assert.deepEqual(containers(plan), [['x', 0, true], ['y', 1, true], ['y', 1, false]]);
});

test('rule 2: a dep without image after another step inherits that container; the action image is not used', () => {
  const plan = buildPlan(job('J', { uses: { main: [{ run: 'apk add make', image: 'alpine' }, { dep: 'Clone Repo' }, { dep: 'Setup Node' }] } }), actions);
  assert.deepEqual(containers(plan), [['alpine', 0, true], ['alpine', 0, false], ['alpine', 0, false]]);
  assert.deepEqual(plan.groups[0]!.steps[1]!.commands, ['git clone r']);
});

test("rule 3: the first step without image uses the dep action's image, else the job's", () => {
  const withDep = buildPlan(job('J', { image: 'ubuntu', uses: { main: [{ dep: 'Clone Repo' }, { run: 'ls' }] } }), actions);
  assert.deepEqual(containers(withDep), [['alpine/git', 0, true], ['alpine/git', 0, false]]);
  const withRun = buildPlan(job('J', { image: 'ubuntu', uses: { main: [{ run: 'ls' }, { dep: 'Clone Repo' }] } }), actions);
  assert.deepEqual(containers(withRun), [['ubuntu', 0, true], ['ubuntu', 0, false]]);
  const override = buildPlan(job('J', { uses: { main: [{ dep: 'Clone Repo', image: 'bitnami/git' }] } }), actions);
  assert.deepEqual(containers(override), [['bitnami/git', 0, true]]);
});

test('no image from anywhere is an error naming group and step', () => {
  const found = problems(() => buildPlan(job('J', { file: 'j.yaml', uses: { build: [{ run: 'make' }, { run: 'make test' }], ok: [{ run: 'x', image: 'a' }] } }), actions));
  assert.deepEqual(found, [
    "j.yaml:5:7: group 'build', step 'make': no image to run in; give the step 'image:', give the job a top-level 'image:', or use an action that has one",
  ]);
});

test('containers are numbered from 0 in each group; groups keep file order', () => {
  const plan = buildPlan(
    job('J', { image: 'base', uses: { z: [{ run: 'a' }, { run: 'b', image: 'i' }], a: [{ run: 'c' }, { dep: 'Setup Node', image: 'node:22' }, { run: 'd' }] } }),
    actions,
  );
  assert.deepEqual(plan.groups.map((g) => g.name), ['z', 'a']);
  assert.deepEqual(containers(plan, 'z'), [['base', 0, true], ['i', 1, true]]);
  assert.deepEqual(containers(plan, 'a'), [['base', 0, true], ['node:22', 1, true], ['node:22', 1, false]]);
  assert.deepEqual(plan.groups[1]!.steps.map((s) => s.index), [0, 1, 2]);
});

test('nested composites: the innermost action image applies, and only while there is no container', () => {
  const inner = job('Inner', { file: 'inner.yaml', image: 'inner-img', uses: { main: [{ run: 'i1' }, { run: 'i2', image: 'own' }] } });
  const outer = job('Outer', { file: 'outer.yaml', image: 'outer-img', uses: { main: [{ dep: 'Inner' }, { dep: 'Clone Repo' }] } });
  const noImage = job('NoImage', { file: 'noimage.yaml', uses: { main: [{ run: 'n' }] } });
  const outer2 = job('Outer2', { file: 'outer2.yaml', image: 'outer2-img', uses: { main: [{ dep: 'NoImage' }] } });
  const catalog = catalogOf(clone, inner, outer, noImage, outer2);
  const first = buildPlan(job('J', { image: 'job-img', uses: { main: [{ dep: 'Outer' }] } }), catalog);
  assert.deepEqual(containers(first), [['inner-img', 0, true], ['own', 1, true], ['own', 1, false]]);
  const inherited = buildPlan(job('J', { uses: { main: [{ run: 'x', image: 'mine' }, { dep: 'Outer' }] } }), catalog);
  assert.deepEqual(containers(inherited), [['mine', 0, true], ['mine', 0, false], ['own', 1, true], ['own', 1, false]]);
  // the composite's own image is the fallback of steps that name none
  assert.deepEqual(containers(buildPlan(job('J', { image: 'job-img', uses: { main: [{ dep: 'Outer2' }] } }), catalog)), [['outer2-img', 0, true]]);
  // the caller's image on a composite dep starts the container of its first inlined step
  const forced = buildPlan(job('J', { uses: { main: [{ dep: 'Outer', image: 'forced' }] } }), catalog);
  assert.deepEqual(containers(forced), [['forced', 0, true], ['own', 1, true], ['own', 1, false]]);
  assert.deepEqual(forced.groups[0]!.steps.map((s) => s.actions), [['Outer', 'Inner'], ['Outer', 'Inner'], ['Outer', 'Clone Repo']]);
});

test('env is job → action → step, later wins, all rendered', () => {
  const plan = buildPlan(
    job('J', {
      image: 'x',
      with: { who: 'job' },
      env: { WHO: '{{ .who }}', JOB: '1' },
      uses: { main: [{ dep: 'Setup Node', env: { WHO: 'step-{{ who }}' } }, { dep: 'Setup Node' }, { run: 'r' }] },
    }),
    actions,
  );
  assert.deepEqual(plan.groups[0]!.steps.map((s) => s.env), [
    { WHO: 'step-job', JOB: '1', NODE_ENV: 'test' },
    { WHO: 'action', JOB: '1', NODE_ENV: 'test' },
    { WHO: 'job', JOB: '1' },
  ]);
});

test("timeout is the step's, else the action's, else the job's; resources overlay; retry and secrets pass through", () => {
  const slow = job('Slow', { file: 'slow.yaml', image: 'x', run: 'sleep 1', timeoutMs: 2_000, resources: { cpus: 1, pids: 50 } });
  const plan = buildPlan(
    job('J', {
      image: 'x',
      timeoutMs: 60_000,
      retry: 2,
      secrets: ['TOKEN'],
      resources: { memoryBytes: 512 * 1024 ** 2, cpus: 0.5 },
      uses: { main: [{ run: 'a', timeoutMs: 1_000, resources: { cpus: 4 } }, { dep: 'Slow' }, { run: 'c' }] },
    }),
    catalogOf(slow),
  );
  const steps = plan.groups[0]!.steps;
  assert.deepEqual(steps.map((s) => s.timeoutMs), [1_000, 2_000, 60_000]);
  assert.deepEqual(steps.map((s) => s.resources), [
    { memoryBytes: 512 * 1024 ** 2, cpus: 4 },
    { memoryBytes: 512 * 1024 ** 2, cpus: 1, pids: 50 },
    { memoryBytes: 512 * 1024 ** 2, cpus: 0.5 },
  ]);
  assert.equal(plan.retry, 2);
  assert.deepEqual(plan.secrets, ['TOKEN']);
  assert.equal(buildPlan(job('K', { image: 'x', run: 'a' }), actions).retry, undefined);
});

test('display names: step name, else action name, else the first command line trimmed', () => {
  const long = `echo ${'x'.repeat(100)}`;
  const plan = buildPlan(
    job('J', {
      image: 'x',
      with: { target: 'all' },
      uses: { main: [{ run: 'make', name: 'Build {{ .target }}' }, { dep: 'Clone Repo' }, { run: ['  cd src\n  make', 'ls'] }, { run: long }] },
    }),
    actions,
  );
  const names = plan.groups[0]!.steps.map((s) => s.name);
  assert.deepEqual(names.slice(0, 3), ['Build all', 'Clone Repo', 'cd src']);
  assert.equal(names[3]!.length, 60);
  assert.ok(names[3]!.startsWith('echo xxx') && names[3]!.endsWith('…'));
});

test('job params: with defaults overlaid by given params; an unknown one is an error with a suggestion', () => {
  const build = job('Build', { file: 'b.yaml', image: 'x', with: { target: 'all' }, uses: { main: [{ run: 'make {{ .target }}' }] } });
  const plan = buildPlan(build, actions, { target: 'test' });
  assert.deepEqual(plan.params, { target: 'test' });
  assert.deepEqual(plan.groups[0]!.steps[0]!.commands, ['make test']);
  assert.deepEqual(problems(() => buildPlan(build, actions, { targte: 'x' })), ["b.yaml:1:1: job 'Build' has no parameter 'targte'; did you mean 'target'?"]);
});

test('step outputs stay in commands and env; they must name an earlier step of the group', () => {
  const plan = buildPlan(
    job('J', {
      image: 'x',
      uses: { main: [{ id: 'build', run: 'echo tag=v1 >> $PISTAGES_OUTPUT' }, { run: 'docker push {{ .steps.build.outputs.tag }}', env: { T: '{{ steps.build.outputs.tag }}' } }] },
    }),
    actions,
  );
  assert.deepEqual(plan.groups[0]!.steps[1]!.commands, ['docker push {{ .steps.build.outputs.tag }}']);
  assert.deepEqual(plan.groups[0]!.steps[1]!.env, { T: '{{ .steps.build.outputs.tag }}' });
  assert.equal(plan.groups[0]!.steps[0]!.id, 'build');
  const found = problems(() =>
    buildPlan(
      job('J', {
        file: 'j.yaml',
        image: 'x',
        uses: {
          a: [{ run: 'use {{ .steps.later.outputs.k }}' }, { id: 'later', run: 'x' }, { run: 'y', image: 'img:{{ .steps.later.outputs.v }}' }],
          b: [{ run: 'use {{ .steps.later.outputs.k }}' }],
        },
      }),
      actions,
    ),
  );
  assert.deepEqual(found, [
    "j.yaml:5:7: step 'use {{ .steps.later.outputs.k }}' uses outputs of step 'later', but no earlier step of group 'a' has 'id: later'; give the producing step that id, or move this step after it",
    "j.yaml:7:7: image: 'img:{{ .steps.later.outputs.v }}' uses a step output, but images are chosen before the group runs; use a fixed image or a parameter",
    "j.yaml:9:7: step 'use {{ .steps.later.outputs.k }}' uses outputs of step 'later', but no earlier step of group 'b' has 'id: later'; give the producing step that id, or move this step after it",
  ]);
});

test('a step output passed through a dep with value reaches the action command intact', () => {
  const plan = buildPlan(
    job('J', { image: 'x', uses: { main: [{ id: 'pick', run: 'echo repo=a >> $PISTAGES_OUTPUT' }, { dep: 'Clone Repo', with: { repo: '{{ .steps.pick.outputs.repo }}' } }] } }),
    actions,
  );
  assert.deepEqual(plan.groups[0]!.steps[1]!.commands, ['git clone {{ .steps.pick.outputs.repo }}']);
});

test('every problem of the job is thrown together: expansion and container rules', () => {
  const found = problems(() =>
    buildPlan(job('J', { file: 'j.yaml', uses: { a: [{ dep: 'Clone Rep' }, { run: 'x' }], b: [{ run: 'make' }] } }), actions),
  );
  // the unknown dep does not also cause "no image" noise for its group
  assert.deepEqual(found, [
    "j.yaml:5:7: unknown action 'Clone Rep'; did you mean 'Clone Repo'?",
    "j.yaml:8:7: group 'b', step 'make': no image to run in; give the step 'image:', give the job a top-level 'image:', or use an action that has one",
  ]);
});

test('planning is deterministic and leaves its inputs alone', () => {
  const build = job('J', { image: 'x', with: { a: '1' }, uses: { g1: [{ dep: 'Clone Repo' }, { run: 'r {{ a }}' }], g2: [{ dep: 'Setup Node' }] } });
  const before = structuredClone(build);
  const first = buildPlan(build, actions);
  const second = buildPlan(build, actions);
  assert.deepEqual(first, second);
  assert.deepEqual(build, before);
  assert.equal(JSON.stringify(first), JSON.stringify(second));
});
