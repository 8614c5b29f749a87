/** Just enough ustar to read the single regular file `GET /containers/{id}/archive` returns. */

const BLOCK = 512;

export class OutputTooLargeError extends Error {}

/**
 * Contents of the first file in a tar stream, refusing files over `maxBytes` before reading them.
 * Stops consuming the source once the file is read.
 */
export async function readFirstFile(source: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let size: number | undefined;
  for await (const chunk of source) {
    buffered = Buffer.concat([buffered, chunk]);
    if (size === undefined && buffered.length >= BLOCK) {
      size = parseInt(buffered.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
      if (size > maxBytes) throw new OutputTooLargeError(`${size} bytes`);
    }
    if (size !== undefined && buffered.length >= BLOCK + size) break;
  }
  if (size === undefined) return Buffer.alloc(0);
  return buffered.subarray(BLOCK, BLOCK + size);
}
