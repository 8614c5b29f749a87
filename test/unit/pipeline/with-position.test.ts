import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCatalog } from '../../../src/pipeline/catalog.ts';
import { compile } from '../../../src/runs/compile.ts';
import { parseJob } from '../../../src/pipeline/parse.ts';

test("an unknown parameter in a step's with: points at that key, not at the dep: line", () => {
  const action = parseJob('name: Clone\nimage: alpine\nwith:\n  repo: x\nrun: git clone {{ .repo }}\n', 'clone.yaml').job;
  assert.ok(action);
  const text = 'name: J\nuses:\n  g:\n    - dep: Clone\n      with:\n        repo: y\n        rpo: z\n';
  const result = compile(text, 'j.yaml', createCatalog([action]).catalog, {});
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.issues.map((i) => `${i.file}:${i.line}:${i.col}: ${i.message}`), [
    "j.yaml:7:9: Clone has no parameter 'rpo'; did you mean 'repo'?",
  ]);
});
