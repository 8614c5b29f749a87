/**
 * parseJob never throws and never returns both a job and issues, whatever the text: users see an
 * error with a position, not a crash. Inputs are random text and valid files with random edits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJob } from '../../../src/pipeline/parse.ts';

const VALID = [
  'name: Build',
  'image: alpine',
  'uses:',
  '  main:',
  '    - dep: Clone Repo',
  '      with:',
  '        repo: "git@github.com:o/r.git"',
  '    - run: [make, make test]',
  '      timeout: 10m',
  '  lint:',
  '    - run: make lint',
  'on:',
  '  push:',
  '    branches: [main]',
  '',
].join('\n');

function checkResult(text: string): void {
  const { job, issues } = parseJob(text, 'f.yaml');
  assert.ok((job === undefined) !== (issues.length === 0), 'exactly one of job / issues');
  const lines = text.split('\n').length;
  for (const issue of issues) {
    assert.ok(issue.line >= 1 && issue.line <= lines && issue.col >= 1, JSON.stringify(issue));
    assert.ok(issue.message.length > 10);
  }
}

test('random text', () => {
  const token = fc.constantFrom('a', 'b', ':', ' ', '  ', '-', '\n', '\t', '"', "'", '[', ']', '{', '}', '#', '&', '*', '|', '>', 'name', 'run', 'uses');
  const yamlish = fc.array(token, { maxLength: 80 }).map((tokens) => tokens.join(''));
  fc.assert(fc.property(yamlish, (text) => checkResult(text)), { numRuns: 400 });
});

test('valid files with a line re-indented, deleted or duplicated', () => {
  const lines = VALID.split('\n');
  const edit = fc.record({
    line: fc.nat({ max: lines.length - 1 }),
    kind: fc.constantFrom('indent', 'dedent', 'delete', 'duplicate'),
    by: fc.integer({ min: 1, max: 4 }),
  });
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
      const copy = [...lines];
      for (const { line, kind, by } of edits) {
        const text = copy[line] ?? '';
        if (kind === 'indent') copy[line] = ' '.repeat(by) + text;
        if (kind === 'dedent') copy[line] = text.replace(new RegExp(`^ {0,${by}}`), '');
        if (kind === 'delete') copy.splice(line, 1);
        if (kind === 'duplicate') copy.splice(line, 0, text);
      }
      checkResult(copy.join('\n'));
    }),
    { numRuns: 400 },
  );
});
