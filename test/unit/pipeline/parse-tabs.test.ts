import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJob } from '../../../src/pipeline/parse.ts';

const TAB = 'this line is indented with a tab; YAML allows only spaces for indentation — replace the tab with spaces';
const report = (text: string): string[] => parseJob(text, 'j.yaml').issues.map((i) => `${i.line}:${i.col}: ${i.message}`);

describe('a tab in indentation gets the tab message, and only that', () => {
  it('a step indented with a tab (YAML reads a nested key)', () => {
    assert.deepEqual(report('name: T\nuses:\n  main:\n\t- run: echo hi\n'), [`4:2: ${TAB}`]);
  });
  it('a step key indented with spaces then a tab (YAML reads a duplicate key)', () => {
    assert.deepEqual(report('name: T\nimage: a\nuses:\n  main:\n    - run: echo a\n\t  name: x\n'), [`6:4: ${TAB}`]);
  });
  it('one message per tabbed line, and no other', () => {
    assert.deepEqual(report('name: T\nimage: a\nenv:\n  A: b\n\tB: c\n\tC: d\nrun: echo\n'), [`5:2: ${TAB}`, `6:2: ${TAB}`]);
  });
  it('a tab inside a block scalar is text, not indentation', () => {
    const parsed = parseJob('name: T\nimage: a\nrun: |\n  make\n  \techo tabbed\n', 'j.yaml');
    assert.deepEqual(parsed.issues, []);
    assert.equal(parsed.job?.groups[0]?.steps[0]?.run?.[0], 'make\n\techo tabbed\n');
  });
});
