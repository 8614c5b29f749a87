import type { OutputStream } from '../executor.ts';

/**
 * Splits the engine's multiplexed exec stream (8-byte header: stream type, 3 zero bytes, big-endian
 * payload length; then the payload) into stdout/stderr pieces.
 *
 * Pulls from `source` only when the consumer asks for the next piece, so awaiting a slow sink
 * between pieces pauses the socket (backpressure). Payloads are passed on as they arrive, not
 * gathered per frame, so memory stays at about one socket chunk whatever the frame size.
 */
export async function* demux(source: AsyncIterable<Buffer>): AsyncGenerator<[OutputStream, Buffer]> {
  let header = Buffer.alloc(0);
  let stream: OutputStream = 'stdout';
  let remaining = 0; // payload bytes of the current frame still to come

  for await (let chunk of source) {
    while (chunk.length > 0) {
      if (remaining > 0) {
        const piece = chunk.subarray(0, remaining);
        remaining -= piece.length;
        chunk = chunk.subarray(piece.length);
        yield [stream, piece];
        continue;
      }
      const need = 8 - header.length;
      header = Buffer.concat([header, chunk.subarray(0, need)]);
      chunk = chunk.subarray(need);
      if (header.length < 8) break;
      const type = header[0];
      if (type !== 1 && type !== 2) throw new Error(`unexpected stream type ${String(type)} in the engine's exec output`);
      stream = type === 2 ? 'stderr' : 'stdout';
      remaining = header.readUInt32BE(4);
      header = Buffer.alloc(0);
    }
  }
  if (header.length > 0 || remaining > 0) throw new Error('the engine closed the exec output in the middle of a frame');
}
