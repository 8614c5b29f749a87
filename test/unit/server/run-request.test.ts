import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError } from '../../../src/server/http-error.ts';
import { parseRunRequest } from '../../../src/server/run-request.ts';

const YAML = 'name: X\nimage: alpine\nrun: "true"\n';

test('YAML body with query parameters', () => {
  assert.deepEqual(parseRunRequest(YAML, false, { 'with.who': 'me', file: 'x.yaml', repo: 'acme/api', ref: 'refs/heads/dev' }), {
    yaml: YAML,
    file: 'x.yaml',
    params: { who: 'me' },
    trigger: { repo: 'acme/api', ref: 'refs/heads/dev', branch: 'dev' },
    actions: [],
  });
  assert.equal(parseRunRequest(YAML, false, {}).file, 'job.yaml');
});

test('JSON body keeps scalar types of with values', () => {
  const request = parseRunRequest({ yaml: YAML, with: { n: 3, ok: true, s: 'x' }, sha: 'abc' }, true, {});
  assert.deepEqual(request.params, { n: 3, ok: true, s: 'x' });
  assert.deepEqual(request.trigger, { sha: 'abc' });
});

test('JSON actions: a list of {file, yaml}; anything else is a 400 naming the shape', () => {
  const actions = [{ file: 'clone.yaml', yaml: 'name: Clone\nrun: git clone x\n' }];
  assert.deepEqual(parseRunRequest({ yaml: YAML, actions }, true, {}).actions, actions);
  for (const bad of [{}, [{ file: 'a.yaml' }], [{ file: 'a.yaml', yaml: 'x', extra: 1 }], ['x']]) {
    assert.throws(() => parseRunRequest({ yaml: YAML, actions: bad }, true, {}), /'actions' must be a list of/);
  }
  assert.throws(() => parseRunRequest({ yaml: YAML, actions: [{ file: 'a\u0000.yaml', yaml: 'x' }] }, true, {}), /'actions' file names/);
});

test('every wrong JSON field is named in one 400', () => {
  assert.throws(
    () => parseRunRequest({ yaml: 1, with: { a: null }, file: 2, branch: false, extra: 'x' }, true, {}),
    (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 400);
      const problems = error.details?.problems as string[];
      assert.equal(problems.length, 5);
      assert.match(error.message, /'extra'.*'yaml' must be a string.*'file' must be a string.*'with\.a'.*'branch'/);
      return true;
    },
  );
  assert.throws(() => parseRunRequest('text', true, {}), /JSON object/);
  assert.throws(() => parseRunRequest({ yaml: YAML }, true, { 'with.a': 'b' }), /unknown query parameter/);
  assert.throws(() => parseRunRequest(YAML, false, { repo: 'no-slash' }), /owner\/name/);
});
