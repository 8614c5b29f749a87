/**
 * Every example of the user's seed description (shared/seed/pistages-seed.md), written as valid YAML
 * under examples/seed/, plans to exactly what the seed says happens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCatalog } from '../../../src/pipeline/catalog.ts';
import { formatIssue } from '../../../src/pipeline/errors.ts';
import { parseJob } from '../../../src/pipeline/parse.ts';
import { buildPlan } from '../../../src/pipeline/plan.ts';
import type { JobFile, Plan } from '../../../src/pipeline/types.ts';

const SEED = join(import.meta.dirname, '../../../examples/seed');
const PISTAGES = 'git@github.com:projecteru2/pistages.git';

function load(path: string): JobFile {
  const { job, issues } = parseJob(readFileSync(join(SEED, path), 'utf8'), path);
  assert.deepEqual(issues.map(formatIssue), []);
  assert.ok(job);
  return job;
}

const actionFiles = readdirSync(join(SEED, 'actions')).filter((f) => f.endsWith('.yaml')).sort();
const registered = createCatalog(actionFiles.map((f) => load(`actions/${f}`)));

/** The CLI's `plan --json` view of a plan: what the seed talks about. */
function shape(plan: Plan) {
  return plan.groups.map((g) => ({
    group: g.name,
    steps: g.steps.map((s) => ({ name: s.name, image: s.image, container: s.container, commands: s.commands })),
  }));
}

test('the seed actions register under their exact names, commas included', () => {
  assert.deepEqual(registered.issues, []);
  assert.deepEqual(registered.catalog.names().sort(), ['Clone Pistages', 'Clone Repo', 'Clone Repo, Pistages if omitted']);
});

test('"任务文件": Clone Pistages run as a job clones pistages in alpine/git', () => {
  const plan = buildPlan(load('actions/clone-pistages.yaml'), registered.catalog);
  assert.deepEqual(shape(plan), [
    { group: 'main', steps: [{ name: `git clone ${PISTAGES}`, image: 'alpine/git', container: 0, commands: [`git clone ${PISTAGES}`] }] },
  ]);
});

test('"依赖": dep Clone Pistages with image bitnami/git runs the clone in bitnami/git', () => {
  const plan = buildPlan(load('build-pistages.yaml'), registered.catalog);
  assert.deepEqual(shape(plan), [
    { group: 'main', steps: [{ name: 'Clone Pistages', image: 'bitnami/git', container: 0, commands: [`git clone ${PISTAGES}`] }] },
  ]);
});

test('"参数化": with.repo replaces {{ .repo }} in Clone Repo', () => {
  // The seed's prose says this runs `git clone git@github.com:projecteru2/pistages.git`, but the example
  // passes `repo: git@github.com:anrs/aa.git`. That sentence is a copy-paste slip: the passed value is
  // what a parameter is for, so the correct plan clones anrs/aa.
  const plan = buildPlan(load('build-pistages-with-repo.yaml'), registered.catalog);
  assert.deepEqual(shape(plan), [
    { group: 'main', steps: [{ name: 'Clone Repo', image: 'bitnami/git', container: 0, commands: ['git clone git@github.com:anrs/aa.git'] }] },
  ]);
});

test('"参数化": Clone Repo without a repo is an error naming the parameter, action and file', () => {
  const job = load('build-pistages-with-repo.yaml');
  const noRepo: JobFile = { ...job, groups: [{ ...job.groups[0]!, steps: [{ ...job.groups[0]!.steps[0]!, with: {} }] }] };
  assert.throws(() => buildPlan(noRepo, registered.catalog), /parameter 'repo' of action 'Clone Repo' \(actions\/clone-repo\.yaml\) has no value/);
});

test('"默认参数": the default repo makes it equivalent to the first Build Pistages', () => {
  const withDefault = shape(buildPlan(load('build-pistages-default.yaml'), registered.catalog));
  const original = shape(buildPlan(load('build-pistages.yaml'), registered.catalog));
  assert.deepEqual(withDefault[0]!.steps.map(({ image, container, commands }) => ({ image, container, commands })), original[0]!.steps.map(({ image, container, commands }) => ({ image, container, commands })));
  assert.deepEqual(withDefault[0]!.steps[0]!.commands, [`git clone ${PISTAGES}`]);
});

test('"上下文继承": without image the dep runs in the action\'s own image, alpine/git', () => {
  const plan = buildPlan(load('build-pistages-action-image.yaml'), registered.catalog);
  assert.deepEqual(shape(plan), [
    { group: 'main', steps: [{ name: 'Clone Repo, Pistages if omitted', image: 'alpine/git', container: 0, commands: [`git clone ${PISTAGES}`] }] },
  ]);
});

test('"分组并行": two groups, each one container; make inherits the clone\'s container', () => {
  const plan = buildPlan(load('build-and-lint.yaml'), registered.catalog);
  const group = (name: string, make: string) => ({
    group: name,
    steps: [
      { name: 'Clone Repo, Pistages if omitted', image: 'alpine/git', container: 0, commands: [`git clone ${PISTAGES}`] },
      { name: make, image: 'alpine/git', container: 0, commands: [make] },
    ],
  });
  assert.deepEqual(shape(plan), [group('make', 'make build'), group('lint', 'make lint')]);
  assert.deepEqual(plan.groups.map((g) => g.steps.map((s) => s.startsContainer)), [[true, false], [true, false]]);
});

test("the seed's own indentation (image: deeper than dep:) is an error pointing at that line, never a different job", () => {
  const verbatim = ['name: Build Pistages', 'uses:', '  main:', '    - dep: Clone Pistages', '        image: bitnami/git', ''].join('\n');
  const { job, issues } = parseJob(verbatim, 'seed.yaml');
  assert.equal(job, undefined);
  assert.equal(issues[0]?.line, 5);
  assert.match(issues[0]!.message, /align/);
});
