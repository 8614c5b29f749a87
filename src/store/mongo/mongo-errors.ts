import { MongoServerError } from 'mongodb';

/** Server error codes the stores react to (https://www.mongodb.com/docs/manual/reference/error-codes/). */
export const DUPLICATE_KEY = 11000;
export const NOT_IMPLEMENTED = 238;
export const INDEX_OPTIONS_CONFLICT = 85;
export const INDEX_KEY_SPECS_CONFLICT = 86;

/** Duplicate key on insert/upsert. FerretDB does not say which index; callers check by query. */
export function isDuplicateKey(error: unknown): boolean {
  if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return true;
  // bulk errors (insertMany) carry the code on their write errors
  const writeErrors = (error as { writeErrors?: unknown } | null)?.writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.length > 0 && list.every((w: { code?: number }) => w.code === DUPLICATE_KEY);
}

/** The server (e.g. FerretDB 1.x) parsed the request but does not implement a feature of it. */
export function isNotImplemented(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === NOT_IMPLEMENTED;
}

export function isCode(error: unknown, ...codes: number[]): boolean {
  return error instanceof MongoServerError && typeof error.code === 'number' && codes.includes(error.code);
}
