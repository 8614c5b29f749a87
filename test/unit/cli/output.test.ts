import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { streamOutput } from '../../../src/cli/output.ts';

/** A sink that holds each write until the test lets it through. */
function slowSink(): { stream: Writable; next: () => void; received: string[] } {
  const received: string[] = [];
  const waiting: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark: 8,
    write(chunk: Buffer, _enc, done) {
      received.push(chunk.toString());
      waiting.push(() => done());
    },
  });
  return { stream, next: () => waiting.shift()?.(), received };
}

describe('streamOutput', () => {
  it('waits for the reader once its buffer is full, and goes on after it drained', async () => {
    const sink = slowSink();
    const out = streamOutput(sink.stream, () => assert.fail('not broken'));
    assert.equal(out.write('1234'), undefined, 'room left: no wait');
    const full = out.write('56789');
    assert.ok(full instanceof Promise, 'buffer full: the caller must wait');
    let drained = false;
    void full.then(() => (drained = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(drained, false);
    sink.next();
    sink.next();
    await full;
    assert.deepEqual(sink.received, ['1234', '56789']);
  });

  it('a broken stream (EPIPE) wakes a waiting writer, calls onBroken once, and drops later writes', async () => {
    const sink = slowSink();
    const reasons: string[] = [];
    const out = streamOutput(sink.stream, (err) => reasons.push((err as NodeJS.ErrnoException).code ?? err.message));
    const waiting = out.write('123456789');
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    sink.stream.destroy(epipe);
    await waiting;
    assert.equal(out.broken, true);
    assert.equal(out.write('more'), undefined);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(reasons, ['EPIPE']);
    assert.deepEqual(sink.received, ['123456789']);
  });
});
