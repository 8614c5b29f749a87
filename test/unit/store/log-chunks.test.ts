import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogLineEvent } from '../../../src/executor/events.ts';
import { decodeLogCursor, encodeLogCursor, toChunks } from '../../../src/store/mongo/log-chunks.ts';
import { InvalidInputError } from '../../../src/store/store.ts';

const at = new Date('2025-01-01T00:00:00Z');
const line = (group: string, step: number, seq: number, text = `l${seq}`): LogLineEvent => ({ type: 'log', runId: 'r', group, step, attempt: 1, seq, stream: 'stdout', line: text, at });

describe('log chunks', () => {
  it('groups lines by stream key, sorts them by seq and cuts at maxLines', () => {
    const lines = [line('b', 0, 1), line('a', 0, 0), line('b', 0, 0), ...[2, 3, 4, 5, 6].map((s) => line('b', 0, s)), line('a', 1, 0)];
    const chunks = toChunks(lines, { maxLines: 3, maxBytes: 1_000 });
    assert.deepEqual(chunks.map((c) => [c.group, c.step, c.firstSeq, c.lastSeq, c.lines.map((l) => l.seq)]), [
      ['b', 0, 0, 2, [0, 1, 2]],
      ['b', 0, 3, 5, [3, 4, 5]],
      ['b', 0, 6, 6, [6]],
      ['a', 0, 0, 0, [0]],
      ['a', 1, 0, 0, [0]],
    ]);
  });

  it('cuts at maxBytes of UTF-8 text; an oversized line gets a chunk of its own', () => {
    const lines = [line('g', 0, 0, 'é'.repeat(3)), line('g', 0, 1, 'abcd'), line('g', 0, 2, 'x'.repeat(50)), line('g', 0, 3, 'y')];
    const chunks = toChunks(lines, { maxLines: 100, maxBytes: 10 });
    assert.deepEqual(chunks.map((c) => [c.lines.map((l) => l.seq), c.bytes]), [[[0, 1], 10], [[2], 50], [[3], 1]]);
  });

  it('is deterministic, so a retried append produces the same chunks', () => {
    const lines = Array.from({ length: 1234 }, (_, i) => line('g', 0, i));
    assert.deepEqual(toChunks(lines), toChunks([...lines].reverse()));
    assert.deepEqual(toChunks(lines).map((c) => c.lines.length), [500, 500, 234]);
  });

  it('cursors round-trip and order as plain strings', () => {
    const positions = [{ tick: 0, index: 0 }, { tick: 0, index: 12 }, { tick: 0, index: 499 }, { tick: 9, index: 0 }, { tick: 10, index: 3 }, { tick: 123456, index: 0 }];
    const cursors = positions.map(encodeLogCursor);
    assert.deepEqual(cursors.map(decodeLogCursor), positions);
    assert.deepEqual([...cursors].sort(), cursors);
  });

  it('rejects malformed cursors with InvalidInputError', () => {
    for (const bad of ['', '12', '0000000001-1', 'x000000001-00001', '0000000001-00001 ']) {
      assert.throws(() => decodeLogCursor(bad), InvalidInputError, bad);
    }
  });
});
