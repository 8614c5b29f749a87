import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOutputs } from '../../../../src/executor/docker/outputs.ts';

describe('parseOutputs', () => {
  it('reads key=value lines; later lines win; blank lines and CRLF are fine', () => {
    const parsed = parseOutputs('version=1.2\r\n\nurl=https://x/?a=b\nversion=1.3\n   \nempty=\n');
    assert.deepEqual(parsed, { outputs: { version: '1.3', url: 'https://x/?a=b', empty: '' }, problems: [] });
  });

  it('reports malformed lines with their number and keeps the good ones', () => {
    const parsed = parseOutputs('ok=1\njust text\n=nokey\nbad key=2\n');
    assert.deepEqual(parsed.outputs, { ok: '1' });
    assert.equal(parsed.problems.length, 3);
    assert.match(parsed.problems[0] ?? '', /^line 2 of \$PISTAGES_OUTPUT .*"just text"/);
    assert.match(parsed.problems[2] ?? '', /^line 4 /);
  });

  it('treats __proto__ as an ordinary key', () => {
    const { outputs } = parseOutputs('__proto__=x\n');
    assert.equal(Object.getPrototypeOf(outputs), Object.prototype);
    assert.equal(outputs['__proto__'], 'x');
  });
});
