import { once } from 'node:events';
import type { Response } from 'express';

/** Writes with backpressure: waits for `drain` when the socket is full; false when the client went away meanwhile. */
export async function writeChunk(res: Response, chunk: string, signal?: AbortSignal): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(chunk)) return true;
  try {
    await once(res, 'drain', signal ? { signal } : {});
    return !res.destroyed;
  } catch {
    return false;
  }
}
