/**
 * Every file in test/fixtures/invalid/ must be rejected with exactly the `file:line:col: message`
 * lines of its sibling `.expected` file (the `pistages validate` output for that file).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseJob } from '../../../src/pipeline/parse.ts';
import { formatIssue } from '../../../src/pipeline/errors.ts';

const dir = new URL('../../fixtures/invalid/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

describe('invalid job files', () => {
  test('there are at least 45 fixtures and each has an .expected file', () => {
    assert.ok(fixtures.length >= 45, `only ${fixtures.length} fixtures`);
    const expected = new Set(readdirSync(dir).filter((name) => name.endsWith('.expected')));
    for (const name of fixtures) assert.ok(expected.has(name.replace(/\.yaml$/, '.expected')), `${name} has no .expected`);
  });

  for (const name of fixtures) {
    test(name, () => {
      const text = readFileSync(new URL(name, dir), 'utf8');
      const expected = readFileSync(new URL(name.replace(/\.yaml$/, '.expected'), dir), 'utf8').trimEnd().split('\n');
      const { job, issues } = parseJob(text, name);

      assert.equal(job, undefined, 'an invalid file must not produce a job');
      assert.deepEqual(issues.map(formatIssue), expected);
      const lineCount = text.split('\n').length;
      for (const issue of issues) {
        assert.ok(issue.line >= 1 && issue.line <= lineCount, `line ${issue.line} outside the file`);
        assert.ok(issue.col >= 1, `col ${issue.col}`);
      }
    });
  }
});

test('YAML nested thousands of levels deep is refused with a message about depth, not the parser\'s stack', () => {
  const text = `name: Deep\nimage: x\nwith: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\nrun: echo\n`;
  const { job, issues } = parseJob(text, 'deep.yaml');
  assert.equal(job, undefined);
  assert.ok(issues.some((i) => /nests lists or maps thousands of levels deep/.test(i.message)), issues.map(formatIssue).join('\n'));
  assert.ok(issues.every((i) => !/call stack/i.test(i.message)));
});
