/**
 * The seed's own mistake — a step key indented deeper than the key above it — must be reported at
 * the mis-indented key, for any key, any depth and any nesting, and never accepted with another meaning.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJob } from '../../../src/pipeline/parse.ts';
import { formatIssue } from '../../../src/pipeline/errors.ts';

const VALUES: Record<string, string> = {
  image: 'bitnami/git',
  with: '{repo: "git@github.com:o/r.git"}',
  env: '{A: b}',
  name: 'Clone',
  timeout: '10m',
  resources: '{cpus: 1}',
  id: 'clone',
};

describe('the seed example', () => {
  test('is rejected at the image line, column of the key, with the fix', () => {
    const text = 'name: Build Pistages\nuses:\n  main:\n    - dep: Clone Pistages\n        image: bitnami/git\n';
    const { job, issues } = parseJob(text, 'build.yaml');
    assert.equal(job, undefined);
    assert.deepEqual(issues.map(formatIssue), [
      'build.yaml:5:9: `image:` is indented deeper than `dep:` above it; keys of one step must start in the same column — align `image:` with `dep:`',
    ]);
  });

  test('once aligned, the same file is valid and means what the seed says', () => {
    const text = 'name: Build Pistages\nuses:\n  main:\n    - dep: Clone Pistages\n      image: bitnami/git\n';
    const { job, issues } = parseJob(text, 'build.yaml');
    assert.deepEqual(issues, []);
    assert.deepEqual(job?.groups[0]?.steps[0]?.dep, 'Clone Pistages');
    assert.deepEqual(job?.groups[0]?.steps[0]?.image, 'bitnami/git');
  });
});

describe('any step key, any depth', () => {
  for (const [key, value] of Object.entries(VALUES)) {
    for (const extra of [1, 2, 4]) {
      test(`\`${key}:\` ${extra} column(s) deeper than \`dep:\``, () => {
        const indent = ' '.repeat(6 + extra);
        const text = `name: Build\nuses:\n  main:\n    - dep: Clone Repo\n${indent}${key}: ${value}\n`;
        const { job, issues } = parseJob(text, 'j.yaml');
        assert.equal(job, undefined);
        assert.equal(issues.length, 1, issues.map(formatIssue).join('\n'));
        assert.deepEqual([issues[0]?.line, issues[0]?.col], [5, 7 + extra]);
        assert.match(issues[0]?.message ?? '', new RegExp(`^\`${key}:\` is indented deeper than \`dep:\` above it;.*align \`${key}:\` with \`dep:\``));
      });
    }
  }

  test('a key one column less deep than `dep:` is reported as less indented', () => {
    const { issues } = parseJob('name: B\nuses:\n  main:\n    - dep: A\n     image: x\n', 'j.yaml');
    assert.deepEqual(issues.map(formatIssue), [
      'j.yaml:5:6: `image:` is indented less than `dep:` above it; keys of one step must start in the same column — align `image:` with `dep:`',
    ]);
  });

  test('under a `run:` step, in a later step, and as the third key of a step', () => {
    const text = [
      'name: B',
      'uses:',
      '  main:',
      '    - run: make',
      '    - run: make test',
      '      image: golang',
      '        env: {A: b}',
      '',
    ].join('\n');
    const { issues } = parseJob(text, 'j.yaml');
    assert.deepEqual(issues.map(formatIssue), [
      'j.yaml:7:9: `env:` is indented deeper than `image:` above it; keys of one step must start in the same column — align `env:` with `image:`',
    ]);
  });

  test('at the top level and inside nested mappings', () => {
    const top = parseJob('name: B\n   image: x\nrun: make\n', 'j.yaml').issues.map(formatIssue);
    assert.deepEqual(top, [
      'j.yaml:2:4: `image:` is indented deeper than `name:` above it; top-level keys must start in the same column — align `image:` with `name:`',
    ]);
    const nested = parseJob('name: B\nrun: make\nresources:\n  cpus: 1\n    memory: 1g\n', 'j.yaml').issues.map(formatIssue);
    assert.deepEqual(nested, [
      'j.yaml:5:5: `memory:` is indented deeper than `cpus:` above it; keys of one mapping must start in the same column — align `memory:` with `cpus:`',
    ]);
  });

  test('never accepted as a different meaning: no dep is named "Clone Repo image: x"', () => {
    for (const glue of [': ', ':']) {
      const { job, issues } = parseJob(`name: B\nuses:\n  main:\n    - dep: Clone Repo\n        image${glue}x\n`, 'j.yaml');
      assert.equal(job, undefined);
      assert.equal(issues.length, 1);
      assert.deepEqual([issues[0]?.line, issues[0]?.col], [5, 9]);
    }
  });
});
