import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSse } from '../../../src/client/sse.ts';

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function all(...parts: string[]) {
  const out = [];
  for await (const event of readSse(chunks(...parts))) out.push(event);
  return out;
}

test('events split across chunks, comments, multi-line data, CRLF', async () => {
  assert.deepEqual(await all('id: 1\nevent: li', 'ne\ndata: {"a":1}\n\n: keepalive\n\n', 'data: x\r', '\ndata: y\r\n\r\n'), [
    { event: 'line', data: '{"a":1}', id: '1' },
    { event: 'message', data: 'x\ny' },
  ]);
});

test('an unfinished event at the end of the stream is dropped', async () => {
  assert.deepEqual(await all('event: end\ndata: {}\n'), []);
});
