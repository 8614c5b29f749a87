/**
 * Just enough ustar for the engine's archive API: a one-directory archive to create the outputs
 * directory, and reading the single regular file `GET /containers/{id}/archive` returns.
 */

const BLOCK = 512;

/** An archive holding one directory entry `name/` owned by root with `mode`. */
export function directoryTar(name: string, mode: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  const put = (text: string, offset: number, length: number): void => {
    header.write(text.slice(0, length), offset, length, 'utf8');
  };
  const octal = (value: number, length: number): string => value.toString(8).padStart(length - 1, '0');
  put(`${name.replace(/\/+$/, '')}/`, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8); // uid
  put(octal(0, 8), 116, 8); // gid
  put(octal(0, 12), 124, 12); // size
  put(octal(Math.floor(Date.now() / 1000), 12), 136, 12);
  put('5', 156, 1); // directory
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${octal(sum, 7)}\0`, 148, 8);
  return Buffer.concat([header, Buffer.alloc(BLOCK * 2)]);
}

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
