import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCatalog } from '../../../src/pipeline/catalog.ts';
import { formatIssue } from '../../../src/pipeline/errors.ts';
import { job } from './job-builders.ts';

test('looks actions up by exact name and lists names in input order', () => {
  const a = job('Clone Repo, Pistages if omitted', { image: 'alpine/git', run: 'git clone {{ .repo }}' });
  const b = job('Build', { image: 'gcc', run: 'make' });
  const { catalog, issues } = createCatalog([a, b]);
  assert.deepEqual(issues, []);
  assert.deepEqual(catalog.names(), ['Clone Repo, Pistages if omitted', 'Build']);
  assert.deepEqual(catalog.get('Build'), b);
  assert.equal(catalog.get('build'), undefined);
  assert.equal(catalog.get('toString'), undefined);
});

test('a duplicate name is an error naming both files; the first stays usable', () => {
  const first = job('Clone Repo', { file: 'actions/clone.yaml', image: 'a', run: 'one' });
  const second = job('Clone Repo', { file: 'other.yaml', image: 'b', run: 'two' });
  const { catalog, issues } = createCatalog([first, second]);
  assert.deepEqual(issues.map(formatIssue), ["other.yaml:1:1: action 'Clone Repo' is also defined in actions/clone.yaml:1:1; rename one"]);
  assert.equal(catalog.get('Clone Repo')!.file, 'actions/clone.yaml');
});

test('entries are frozen copies: neither callers nor runs can change a registered action', () => {
  const original = job('A', { image: 'x', run: 'echo', with: { p: 1 } });
  const { catalog } = createCatalog([original]);
  const stored = catalog.get('A')!;
  assert.notEqual(stored, original);
  assert.throws(() => {
    (stored.with as Record<string, unknown>).p = 2;
  }, TypeError);
  assert.throws(() => stored.groups[0]!.steps[0]!.run!.push('rm -rf /'), TypeError);
  original.with.p = 3;
  assert.equal(catalog.get('A')!.with.p, 1);
});
