import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMasker } from '../../../src/executor/log/mask.ts';
import { formatLogLine, sseEvent, toLogLineView } from '../../../src/server/log-format.ts';
import { maskDeep } from '../../../src/server/secret-mask.ts';

const at = new Date('2024-05-01T00:00:00Z');

test('text lines are [group/step#attempt] line, masked', () => {
  const view = toLogLineView(
    { type: 'log', runId: 'r', group: 'build', step: 1, attempt: 2, seq: 0, stream: 'stdout', line: 'key=s3cret!', at, cursor: 'c1' },
    'Clone Repo',
    createMasker(['s3cret!']),
  );
  assert.equal(formatLogLine(view), '[build/Clone Repo#2] key=***\n');
});

test('SSE events put JSON data on one line and strip newlines from ids', () => {
  assert.equal(sseEvent('line', { line: 'a\nb' }, 'c\n1'), 'id: c1\nevent: line\ndata: {"line":"a\\nb"}\n\n');
  assert.equal(sseEvent('end', { status: 'success' }), 'event: end\ndata: {"status":"success"}\n\n');
});

test('maskDeep masks every string, keeps dates and numbers', () => {
  const masker = createMasker(['topsecret']);
  const value = { message: 'x topsecret y', nested: [{ outputs: { topsecret: 'topsecret' } }], n: 1, at };
  assert.deepEqual(maskDeep(value, masker), { message: 'x *** y', nested: [{ outputs: { '***': '***' } }], n: 1, at });
  assert.equal(maskDeep(value, createMasker([])), value, 'no secrets: the same object');
});
