import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { createProcessLogger, readableLine } from '../../../src/cli/log-output.ts';

function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY?: boolean }).isTTY = isTTY;
  return { stream, text: () => text };
}

test('a terminal gets readable lines: time, level, message, fields', () => {
  const out = capture(true);
  const log = createProcessLogger({ logLevel: 'info', logFormat: 'auto' }, out.stream, { NO_COLOR: '1' });
  log.info({ runId: 'abc', note: 'two words' }, 'run started');
  assert.match(out.text(), /^\d\d:\d\d:\d\d info {2}run started runId=abc note="two words"\n$/);
});

test('not a terminal, or PISTAGES_LOG_FORMAT=json: JSON lines', () => {
  for (const [isTTY, logFormat] of [[false, 'auto'], [true, 'json']] as const) {
    const out = capture(isTTY);
    createProcessLogger({ logLevel: 'info', logFormat }, out.stream).warn({ runId: 'abc' }, 'slow');
    const record = JSON.parse(out.text()) as { level: number; msg: string; runId: string };
    assert.deepEqual([record.level, record.msg, record.runId], [40, 'slow', 'abc']);
  }
});

test('text forces readable lines even into a pipe; a line that is not JSON passes through', () => {
  const out = capture(false);
  createProcessLogger({ logLevel: 'info', logFormat: 'text' }, out.stream).error('boom');
  assert.match(out.text(), /^\d\d:\d\d:\d\d error boom\n$/);
  assert.equal(readableLine('plain', false), 'plain\n');
});
