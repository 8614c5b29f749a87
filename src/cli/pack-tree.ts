import { lstat, open, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { padding, tarEnd, tarHeader, type TarEntry } from '../executor/docker/tar-write.ts';

/** Files up to this size are read whole, several at once; larger ones are streamed in chunks of it. */
const WHOLE_FILE_BYTES = 256 * 1024;
/** Files read ahead of the consumer: keeps the disk busy without holding more than ~8 MiB. */
const READ_AHEAD = 32;

type Packed = Buffer[] | { header: Buffer; path: string; size: number };

/**
 * A tar stream of `paths` (relative to `root`, `/`-separated, folders ending in `/`), produced as
 * the consumer reads it. Regular files keep their permission bits, symlinks their target; owners
 * are root. A path that vanished since it was listed is left out; a file that changes size while
 * it is read is cut or zero-padded to the size it had when packing began, so the stream stays valid.
 */
export async function* packTree(root: string, paths: string[]): AsyncGenerator<Buffer> {
  const pending: Promise<Packed | undefined>[] = [];
  let next = 0;
  const fill = (): void => {
    while (pending.length < READ_AHEAD && next < paths.length) {
      const packed = pack(root, paths[next++] as string);
      packed.catch(() => undefined); // awaited in order below; this only keeps an early failure from counting as unhandled
      pending.push(packed);
    }
  };
  fill();
  while (pending.length > 0) {
    const packed = await (pending.shift() as Promise<Packed | undefined>);
    fill();
    if (packed === undefined) continue;
    if (Array.isArray(packed)) {
      yield* packed;
      continue;
    }
    yield packed.header;
    yield* readChunks(packed.path, packed.size);
    yield padding(packed.size);
  }
  yield tarEnd();
}

async function pack(root: string, path: string): Promise<Packed | undefined> {
  const full = join(root, path);
  let stat;
  try {
    stat = await lstat(full);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const base = { mode: stat.mode & 0o7777, mtime: stat.mtime };
  if (stat.isSymbolicLink()) {
    return [tarHeader({ ...base, name: path, type: 'symlink', linkname: await readlink(full) })];
  }
  if (stat.isDirectory()) {
    // a git submodule is listed as a folder; only an explicit folder entry (walked tree) is kept
    return path.endsWith('/') ? [tarHeader({ ...base, name: path, type: 'directory' })] : undefined;
  }
  if (!stat.isFile()) return undefined;
  const entry: TarEntry = { ...base, name: path, type: 'file', size: stat.size };
  if (stat.size > WHOLE_FILE_BYTES) return { header: tarHeader(entry), path: full, size: stat.size };
  let content: Buffer;
  try {
    content = await readFile(full);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return [tarHeader({ ...entry, size: content.length }), content, padding(content.length)];
}

async function* readChunks(path: string, size: number): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    let done = 0;
    while (done < size) {
      const { bytesRead, buffer } = await file.read(Buffer.alloc(Math.min(WHOLE_FILE_BYTES, size - done)), 0, Math.min(WHOLE_FILE_BYTES, size - done), done);
      if (bytesRead === 0) break;
      done += bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
    if (done < size) yield Buffer.alloc(size - done);
  } finally {
    await file.close();
  }
}
