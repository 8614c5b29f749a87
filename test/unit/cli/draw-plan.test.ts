import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawPlan } from '../../../src/cli/draw-plan.ts';
import { createCatalog } from '../../../src/pipeline/catalog.ts';
import { compile } from '../../../src/runs/compile.ts';

test('a block-scalar run is drawn as one script under one $, without an empty $ line', () => {
  const result = compile('name: B\nimage: alpine\nrun: |\n  echo a\n  echo b\n', 'b.yaml', createCatalog([]).catalog, {});
  assert.ok(result.ok);
  const lines = drawPlan(result.plan, false).split('\n');
  const first = lines.findIndex((l) => l.includes('$ echo a'));
  assert.deepEqual(lines.slice(first, first + 3), ['  │      $ echo a', '  │        echo b', '  └']);
  assert.equal(lines.filter((l) => l.includes('$')).length, 1);
});

test('a list of commands keeps one $ per command', () => {
  const result = compile('name: L\nimage: alpine\nrun:\n  - make\n  - make test\n', 'l.yaml', createCatalog([]).catalog, {});
  assert.ok(result.ok);
  assert.deepEqual(drawPlan(result.plan, false).split('\n').filter((l) => l.includes('$')), ['  │      $ make', '  │      $ make test']);
});
