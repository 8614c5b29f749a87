import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `condition` until it returns a truthy value (which is returned) or `timeoutMs` passes
 * (then throws with `what`). A bounded wait on an observable condition, not a sleep.
 */
export async function waitFor<T>(what: string, condition: () => T | Promise<T>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await delay(options.intervalMs ?? 20);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * Waits until `done(value)` holds for the value `measure` returns, for as long as that value keeps
 * changing: fails only when it stayed the same for `stallMs` (nothing progressed), so a busy machine
 * slows the test down instead of failing it. For long waits on many things (runs finished, say).
 */
export async function waitForProgress<T>(
  what: string,
  measure: () => Promise<T>,
  done: (value: T) => boolean,
  options: { stallMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const stallMs = options.stallMs ?? 60_000;
  let last: string | undefined;
  let changedAt = Date.now();
  for (;;) {
    const value = await measure();
    if (done(value)) return value;
    const seen = JSON.stringify(value);
    if (seen !== last) {
      last = seen;
      changedAt = Date.now();
    } else if (Date.now() - changedAt > stallMs) {
      throw new Error(`no progress for ${stallMs} ms waiting for ${what} (stuck at ${seen})`);
    }
    await delay(options.intervalMs ?? 250);
  }
}
