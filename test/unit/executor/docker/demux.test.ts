import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demux } from '../../../../src/executor/docker/demux.ts';

function frame(type: 1 | 2, payload: string): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(Buffer.byteLength(payload), 4);
  return Buffer.concat([header, Buffer.from(payload)]);
}

async function* chunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(data: Buffer, size: number): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  for await (const [stream, piece] of demux(chunks(data, size))) out[stream] += piece.toString();
  return out;
}

describe('demux', () => {
  const data = Buffer.concat([frame(1, 'hello '), frame(2, 'oops\n'), frame(1, 'world\n'), frame(2, ''), frame(1, 'x'.repeat(1000))]);

  it('separates stdout and stderr whatever the chunking', async () => {
    for (const size of [1, 3, 8, 9, 64, data.length]) {
      assert.deepEqual(await collect(data, size), { stdout: `hello world\n${'x'.repeat(1000)}`, stderr: 'oops\n' }, `chunk size ${size}`);
    }
  });

  it('passes a large frame on in pieces instead of buffering it', async () => {
    const pieces: number[] = [];
    for await (const [, piece] of demux(chunks(frame(1, 'y'.repeat(100_000)), 16_384))) pieces.push(piece.length);
    assert.ok(pieces.length > 1);
    assert.equal(pieces.reduce((a, b) => a + b, 0), 100_000);
  });

  it('pulls the next chunk only when the consumer asks (backpressure)', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 10; i++) {
        pulled++;
        yield frame(1, `line ${i}\n`);
      }
    }
    const iterator = demux(source());
    await iterator.next();
    assert.equal(pulled, 1);
    await iterator.return(undefined);
  });

  it('rejects a stream cut in the middle of a frame or with an unknown stream type', async () => {
    await assert.rejects(collect(frame(1, 'abcdef').subarray(0, 10), 4), /middle of a frame/);
    await assert.rejects(collect(Buffer.from('not a docker stream'), 64), /unexpected stream type/);
  });
});
