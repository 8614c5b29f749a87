/**
 * How the worker treats the database's failures while it writes a run: a server restarting or a
 * lost connection is waited out (the stores' writes are idempotent, so a write that landed before
 * its answer was lost is harmless); a full disk is named, since waiting does not free space.
 */

/** the driver's errors (MongoNetworkError, MongoServerError, ...), not bugs of ours */
export const isDatabaseError = (err: unknown): boolean => err instanceof Error && /^Mongo/.test(err.name);

/** The database refused a write because its disk is full (PostgreSQL's SQLSTATE 53100 through FerretDB, ENOSPC). */
export function isDiskFull(err: unknown): boolean {
  return err instanceof Error && /No space left on device|SQLSTATE 53100|\bENOSPC\b|disk is full/i.test(err.message);
}

/**
 * Runs `work`, trying again with backoff (100 ms doubling to 2 s) while it fails with a database
 * error, for at most `retryForMs`. With `diskFull: 'fail'` a full disk fails at once: a writer
 * that would only add more should stop, while a final status is worth waiting for.
 */
export async function retryDatabaseWrite(work: () => Promise<unknown>, retryForMs: number, options: { diskFull: 'retry' | 'fail' }): Promise<void> {
  const until = Date.now() + retryForMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      await work();
      return;
    } catch (err) {
      if (!isDatabaseError(err) || (options.diskFull === 'fail' && isDiskFull(err)) || Date.now() + wait > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** The message of a run whose output could not be stored because the database's disk is full. */
export function diskFullMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // FerretDB prefixes PostgreSQL's message with its call stack: keep what PostgreSQL said
  const cause = /(?:ERROR|FATAL|PANIC):\s*([^\n]*)/.exec(text)?.[1] ?? text.split('\n')[0];
  return `the database's disk is full, so the run's output could not be stored (${cause}); free space where the database keeps its data (PISTAGES_DATA_DIR for the embedded database), then run it again`;
}
