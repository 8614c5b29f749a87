import { InvalidInputError } from '../store.ts';

/**
 * The opaque page cursor of `runs.list`: the (createdAt, id) of the last run of the page, which is
 * the sort key (newest first). Keyset pagination: stable while new runs arrive, index-backed.
 */
export interface RunCursor {
  createdAt: Date;
  id: string;
}

export function encodeRunCursor(cursor: RunCursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}.${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeRunCursor(text: string): RunCursor {
  const decoded = Buffer.from(text, 'base64url').toString('utf8');
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(decoded);
  if (!match?.[1] || !match[2]) {
    throw new InvalidInputError('page cursor is not valid: pass the `next` value of the previous page unchanged');
  }
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}
