import { lstatSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { padding, tarEnd, tarHeader, type TarEntry } from '../executor/docker/tar-write.ts';

/** Files up to this size are read whole; larger ones are streamed in chunks of this size. */
const WHOLE_FILE_BYTES = 256 * 1024;
/** The archive is handed over in pieces of about this size. */
const BATCH_BYTES = 1024 * 1024;

/**
 * A tar stream of `paths` (relative to `root`, `/`-separated, folders ending in `/`), produced as
 * the consumer reads it. Regular files keep their permission bits, symlinks their target; owners
 * are root. A path that vanished since it was listed is left out; a large file that changes size
 * while it is read is cut or zero-padded to the size it had when packing began, so the stream
 * stays valid.
 *
 * Small files are read synchronously into ~1 MiB batches: for a tree of many small files that
 * costs a third of the CPU of asynchronous reads, and each batch blocks the event loop ~1 ms.
 */
export async function* packTree(root: string, paths: string[]): AsyncGenerator<Buffer> {
  let batch: Buffer[] = [];
  let batched = 0;
  const add = (piece: Buffer): void => {
    batch.push(piece);
    batched += piece.length;
  };
  const flush = (): Buffer => {
    const out = Buffer.concat(batch, batched);
    batch = [];
    batched = 0;
    return out;
  };
  for (const path of paths) {
    const full = join(root, path);
    const stat = statOrGone(full);
    if (stat === undefined) continue;
    const base = { name: path, mode: stat.mode & 0o7777, mtime: stat.mtime };
    if (stat.isSymbolicLink()) {
      add(tarHeader({ ...base, type: 'symlink', linkname: readlinkSync(full) }));
    } else if (stat.isDirectory()) {
      // a git submodule is listed as a folder: only the walked tree's explicit folder entries are kept
      if (path.endsWith('/')) add(tarHeader({ ...base, type: 'directory' }));
    } else if (stat.isFile() && stat.size <= WHOLE_FILE_BYTES) {
      const content = readOrGone(full);
      if (content !== undefined) {
        add(tarHeader({ ...base, type: 'file', size: content.length }));
        add(content);
        add(padding(content.length));
      }
    } else if (stat.isFile()) {
      const entry: TarEntry = { ...base, type: 'file', size: stat.size };
      add(tarHeader(entry));
      yield flush();
      yield* readChunks(full, stat.size);
      add(padding(stat.size));
    }
    if (batched >= BATCH_BYTES) yield flush();
  }
  add(tarEnd());
  yield flush();
}

function statOrGone(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function readOrGone(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function* readChunks(path: string, size: number): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    let done = 0;
    while (done < size) {
      const want = Math.min(WHOLE_FILE_BYTES, size - done);
      const { bytesRead, buffer } = await file.read(Buffer.alloc(want), 0, want, done);
      if (bytesRead === 0) break;
      done += bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
    if (done < size) yield Buffer.alloc(size - done);
  } finally {
    await file.close();
  }
}
