import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError, formatIssue } from '../../../src/pipeline/errors.ts';
import { buildPlan } from '../../../src/pipeline/plan.ts';
import { resolveJob } from '../../../src/pipeline/resolve-job.ts';
import type { JobFile } from '../../../src/pipeline/types.ts';
import { catalogOf, job } from './job-builders.ts';

const cloneRepo = job('Clone Repo', { file: 'actions/clone-repo.yaml', image: 'alpine/git', run: 'git clone {{ .repo }}' });
const cloneDefault = job('Clone Repo, Pistages if omitted', {
  file: 'actions/clone-default.yaml',
  image: 'alpine/git',
  run: 'git clone {{ .repo }}',
  with: { repo: 'git@github.com:projecteru2/pistages.git' },
});

/** The messages of the ValidationError `fn` throws, as `file:line:col: message`. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
    return e.issues.map(formatIssue);
  }
  assert.fail('expected a ValidationError');
}

test('a dep step gets the action defaults overlaid by its own with', () => {
  const build = job('Build', { uses: { main: [{ dep: cloneDefault.name }, { dep: cloneDefault.name, with: { repo: 'r2' } }] } });
  const steps = resolveJob(build, catalogOf(cloneDefault)).groups[0]!.steps;
  assert.deepEqual(steps.map((s) => s.commands), [['git clone git@github.com:projecteru2/pistages.git'], ['git clone r2']]);
  assert.deepEqual(steps[0]!.actions, ['Clone Repo, Pistages if omitted']);
  assert.equal(steps[0]!.name, 'Clone Repo, Pistages if omitted');
});

test("with values are templates rendered in the calling job's parameters first", () => {
  const build = job('Build', {
    with: { repo: 'git@github.com:anrs/aa.git', branch: 'dev' },
    uses: { main: [{ dep: cloneRepo.name, with: { repo: '{{ .repo }} -b {{ branch }}' } }] },
  });
  const resolved = resolveJob(build, catalogOf(cloneRepo), { branch: 'main' });
  assert.deepEqual(resolved.groups[0]!.steps[0]!.commands, ['git clone git@github.com:anrs/aa.git -b main']);
  assert.deepEqual(resolved.params, { repo: 'git@github.com:anrs/aa.git', branch: 'main' });
});

test('a parameter only referenced by the action (no default) is declared and can be passed', () => {
  const build = job('Build', { uses: { main: [{ dep: cloneRepo.name, with: { repo: 'x' } }] } });
  assert.deepEqual(resolveJob(build, catalogOf(cloneRepo)).groups[0]!.steps[0]!.commands, ['git clone x']);
});

test('passing an undeclared parameter is an error with a suggestion, at the step', () => {
  const build = job('Build', { file: 'build.yaml', uses: { main: [{ dep: cloneRepo.name, with: { rpo: 'x', repo: 'y' } }] } });
  assert.deepEqual(problems(() => resolveJob(build, catalogOf(cloneRepo))), [
    "build.yaml:5:7: Clone Repo has no parameter 'rpo'; did you mean 'repo'?",
  ]);
  const noParams = job('Hello', { image: 'alpine', run: 'echo hi' });
  const caller = job('Build', { file: 'build.yaml', uses: { main: [{ dep: 'Hello', with: { x: 1 } }] } });
  assert.deepEqual(problems(() => resolveJob(caller, catalogOf(noParams))), [
    "build.yaml:5:7: Hello has no parameter 'x'; it takes no parameters",
  ]);
});

test('a referenced parameter with no value names parameter, action and file', () => {
  const build = job('Build', { file: 'build.yaml', uses: { main: [{ dep: cloneRepo.name }] } });
  const [only, ...rest] = problems(() => resolveJob(build, catalogOf(cloneRepo)));
  assert.equal(rest.length, 0, 'reported once, not again when rendering');
  assert.match(only!, /^build\.yaml:5:7: parameter 'repo' of action 'Clone Repo' \(actions\/clone-repo\.yaml\) has no value; pass it/);
});

test("a job's own unknown or missing parameters are errors too", () => {
  const build = job('Build', { file: 'build.yaml', with: { repo: 'r' }, uses: { main: [{ run: 'make {{ .target }} {{ .repo }}', image: 'gcc' }] } });
  assert.deepEqual(problems(() => resolveJob(build, catalogOf(), { rpo: 'x' })), [
    "build.yaml:1:1: job 'Build' has no parameter 'rpo'; did you mean 'repo'?",
    "build.yaml:1:1: job 'Build' uses parameter 'target' but it has no value; give it a default under the job's 'with:' or pass it when running the job (--with target=...)",
  ]);
});

test('an unknown action lists the closest names', () => {
  const actions = catalogOf(cloneRepo, cloneDefault, job('Lint', { image: 'x', run: 'lint' }));
  const build = job('Build', { file: 'build.yaml', uses: { main: [{ dep: 'Clone Rep' }, { dep: 'Deploy' }] } });
  assert.deepEqual(problems(() => resolveJob(build, actions)), [
    "build.yaml:5:7: unknown action 'Clone Rep'; did you mean 'Clone Repo'?",
    "build.yaml:6:7: unknown action 'Deploy'; known actions: 'Clone Repo', 'Clone Repo, Pistages if omitted', 'Lint'; register it with `pistages actions register FILE`, or put its file in .pistages/actions/ (or pass --actions DIR)",
  ]);
  assert.match(problems(() => resolveJob(build, catalogOf()))[0]!, /no actions are known: register it with `pistages actions register FILE`/);
});

test('composite actions are inlined in place, recursively, with params flowing down', () => {
  const checkout = job('Checkout', {
    file: 'actions/checkout.yaml',
    with: { repo: 'default/repo' },
    env: { DEPTH: '1' },
    uses: { main: [{ dep: cloneRepo.name, with: { repo: '{{ .repo }}' } }, { run: 'cd repo && git log -1', env: { DEPTH: '2' } }] },
  });
  const ci = job('CI', {
    file: 'actions/ci.yaml',
    timeoutMs: 5_000,
    uses: { main: [{ dep: 'Checkout', with: { repo: '{{ .repo }}' } }, { run: 'make', timeoutMs: 9_000 }] },
    with: { repo: 'ci/repo' },
  });
  const build = job('Build', { env: { CI: 'true' }, uses: { main: [{ run: 'echo start', image: 'alpine' }, { dep: 'CI', env: { DEPTH: '9' } }] } });
  const steps = resolveJob(build, catalogOf(cloneRepo, checkout, ci)).groups[0]!.steps;
  assert.deepEqual(
    steps.map((s) => [s.name, s.commands, s.actions]),
    [
      ['echo start', ['echo start'], []],
      ['Clone Repo', ['git clone ci/repo'], ['CI', 'Checkout', 'Clone Repo']],
      ['cd repo && git log -1', ['cd repo && git log -1'], ['CI', 'Checkout']],
      ['make', ['make'], ['CI']],
    ],
  );
  // env: action → inner step → caller step (the caller wins); the job env is added by the plan
  assert.deepEqual(steps.map((s) => s.env), [{}, { DEPTH: '9' }, { DEPTH: '9' }, { DEPTH: '9' }]);
  // timeout: inner step's, else the action's
  assert.deepEqual(steps.map((s) => s.timeoutMs), [undefined, 5_000, 5_000, 9_000]);
  // rule-3 fallbacks, innermost first
  assert.deepEqual(steps[1]!.fallbackImages, ['alpine/git']);
});

test('a composite action with more than one group cannot be a dep', () => {
  const two = job('Two', { file: 'actions/two.yaml', uses: { a: [{ run: 'a' }], b: [{ run: 'b' }] } });
  const build = job('Build', { file: 'build.yaml', image: 'alpine', uses: { main: [{ dep: 'Two' }] } });
  assert.deepEqual(problems(() => resolveJob(build, catalogOf(two))), [
    "build.yaml:5:7: action 'Two' (actions/two.yaml) has 2 groups (a, b); 'dep' can only inline an action with one group: merge its groups or run it as a job of its own",
  ]);
});

test('a cycle is an error that prints it', () => {
  const a = job('A', { file: 'a.yaml', image: 'alpine', uses: { main: [{ dep: 'B' }] } });
  const b = job('B', { file: 'b.yaml', uses: { main: [{ run: 'echo b' }, { dep: 'A' }] } });
  const catalog = catalogOf(a, b);
  // planning the registered job A itself
  assert.deepEqual(problems(() => resolveJob(a, catalog)), [
    'b.yaml:6:7: dependency cycle: A → B → A; an action cannot use itself, directly or through other actions',
  ]);
  // a job that only uses the cycle
  const user = job('User', { file: 'user.yaml', image: 'alpine', uses: { main: [{ dep: 'A' }] } });
  assert.deepEqual(problems(() => resolveJob(user, catalog)), [
    'b.yaml:6:7: dependency cycle: A → B → A; an action cannot use itself, directly or through other actions',
  ]);
  const self = job('Self', { file: 'self.yaml', image: 'alpine', uses: { main: [{ dep: 'Self' }] } });
  assert.match(problems(() => resolveJob(self, catalogOf(self)))[0]!, /cycle: Self → Self/);
});

test('every problem of a job is reported together, each once', () => {
  const broken = job('Broken', { file: 'actions/broken.yaml', image: 'x', run: 'echo {{#loop}}{{/loop}}' });
  const build = job('Build', {
    file: 'build.yaml',
    image: 'alpine',
    uses: {
      a: [{ dep: 'Nope' }, { dep: cloneRepo.name, with: { rpo: 1 } }, { dep: 'Broken' }],
      b: [{ dep: 'Broken' }, { run: 'x', with: { a: 1 } }],
    },
  });
  const found = problems(() => resolveJob(build, catalogOf(cloneRepo, broken)));
  assert.deepEqual(found, [
    "build.yaml:5:7: unknown action 'Nope'; known actions: 'Broken', 'Clone Repo'; register it with `pistages actions register FILE`, or put its file in .pistages/actions/ (or pass --actions DIR)",
    "build.yaml:6:7: Clone Repo has no parameter 'rpo'; did you mean 'repo'?",
    "build.yaml:6:7: parameter 'repo' of action 'Clone Repo' (actions/clone-repo.yaml) has no value; pass it in this step's 'with:' or give it a default in the action's 'with:'",
    "actions/broken.yaml:4:7: run: '{{#loop}}' is a mustache section; only variable references like {{ .name }} are supported (in action 'Broken', actions/broken.yaml)",
    "build.yaml:10:7: 'with' passes parameters to a 'dep' action, but this step has 'run'; move the values to the job's 'with'",
  ]);
});

test('registered actions are never mutated, and plans share no objects with them', () => {
  const composite = job('Composite', {
    file: 'actions/composite.yaml',
    image: 'node:20',
    with: { repo: 'r' },
    env: { A: '{{ .repo }}' },
    resources: { cpus: 1 },
    uses: { main: [{ dep: cloneDefault.name, with: { repo: '{{ .repo }}' }, resources: { pids: 10 } }, { run: ['npm ci', 'npm test'] }] },
  });
  const actions = [cloneDefault, composite].map((a) => structuredClone(a));
  const before = structuredClone(actions);
  for (const a of actions) deepFreeze(a);
  const build = job('Build', { uses: { main: [{ dep: 'Composite', with: { repo: 'x' }, env: { B: '1' }, resources: { cpus: 2 } }] } });
  // frozen inputs: any write during resolution would throw (ES modules are strict)
  const resolved = resolveJob(build, catalogOf(...actions));
  assert.deepEqual(actions, before);
  assert.equal(resolved.groups[0]!.steps.length, 2);
  // a plan is the executor's to keep: writing to it must not reach the (here unfrozen) actions
  const unfrozen = [cloneDefault, composite].map((a) => structuredClone(a));
  for (const step of buildPlan(build, catalogOf(...unfrozen)).groups[0]!.steps) {
    step.commands.push('mutated');
    step.env.X = 'mutated';
    if (step.resources) step.resources.memoryBytes = 1;
    step.pos.line = -1;
    step.actions.push('mutated');
  }
  assert.deepEqual(unfrozen, before);
  const again = resolveJob(build, catalogOf(...actions));
  assert.deepEqual(actions, before);
  assert.deepEqual(again.groups[0]!.steps.map((s) => s.commands), [['git clone x'], ['npm ci', 'npm test']]);
  assert.deepEqual(again.groups[0]!.steps.map((s) => s.resources), [{ cpus: 2, pids: 10 }, { cpus: 2 }]);
});

function deepFreeze(value: unknown): void {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
}

export type { JobFile };
