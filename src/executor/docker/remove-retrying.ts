import { setTimeout as delay } from 'node:timers/promises';
import { statusOf } from './engine-errors.ts';

/** tries in all, the last after a pause of 350 ms (50 ms more each time) */
const ATTEMPTS = 8;

/**
 * Removes an engine object with `remove`, done when it is gone (404 counts). While `inUse(err)`
 * says the engine still counts it as used (transient right after its containers were removed), it
 * says so through `onRetry` and tries again after a growing pause; any other error, or the last
 * attempt's, is thrown as it is, for the caller to describe.
 */
export async function removeRetrying(remove: () => Promise<unknown>, inUse: (err: unknown) => boolean, onRetry: () => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await remove();
      return;
    } catch (err) {
      if (statusOf(err) === 404) return;
      if (!inUse(err) || attempt === ATTEMPTS) throw err;
      onRetry();
      await delay(50 * attempt);
    }
  }
}
