import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJob } from '../../../src/pipeline/parse.ts';
import { compile, layerCatalogs } from '../../../src/runs/compile.ts';

const action = (name: string, word: string) => {
  const { job } = parseJob(`name: ${name}\nimage: busybox\nrun: echo ${word}\n`, `${word}.yaml`);
  assert.ok(job);
  return job;
};

test('layered catalogs: the first layer wins by name; duplicates within a layer are issues', () => {
  const { catalog, issues } = layerCatalogs([[action('Greet', 'local')], [action('Greet', 'shared'), action('Wave', 'shared')]]);
  assert.deepEqual(issues, []);
  assert.deepEqual(catalog.names().sort(), ['Greet', 'Wave']);
  const result = compile('name: J\nuses:\n  main:\n    - dep: Greet\n    - dep: Wave\n', 'j.yaml', catalog, {});
  assert.ok(result.ok);
  assert.deepEqual(result.plan.groups[0]?.steps.map((s) => s.commands), [['echo local'], ['echo shared']]);
  const dup = layerCatalogs([[action('Greet', 'a'), action('Greet', 'b')]]);
  assert.equal(dup.issues.length, 1);
  assert.match(dup.issues[0]?.message ?? '', /also defined in a.yaml/);
});

test('compile returns every issue instead of throwing', () => {
  const result = compile('name: J\nuses:\n  main:\n    - dep: Nope\n', 'j.yaml', layerCatalogs([]).catalog, {});
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.issues[0]?.message ?? '', /Nope/);
  const empty = compile('', 'e.yaml', layerCatalogs([]).catalog, {});
  assert.equal(empty.ok, false);
});
