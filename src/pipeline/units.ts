/**
 * Durations and memory sizes as written in job files.
 * Durations: `90s`, `10m`, `1h`, `1h30m`, `2m30s` (units h, m, s in this order, each at most once).
 * A bare number is rejected on purpose: seconds or minutes would be a guess.
 * Memory: `512m`, `512mb`, `1g`, `1.5gb`, `256k` (powers of 1024, as Docker reads them; the units of
 * PISTAGES_LOG_CAP) or a number of bytes.
 */

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const MEMORY = /^(\d+(?:\.\d+)?) ?(b|[kmg]b?)?$/i;

/** Longer limits would overflow Node's timers (about 24.8 days); a day is plenty for one CI step. */
export const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Docker refuses memory limits below 6 MiB; say so at validation time rather than at run time. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;
/** Docker's smallest CPU limit; the kernel refuses smaller quotas, and a tiny `cpus` would round to no limit. */
export const MIN_CPUS = 0.01;
/** A container runs init, the shell that keeps it alive and each step's shell before any command starts. */
export const MIN_PIDS = 4;
/** The kernel's PID_MAX_LIMIT; a larger `pids.max` makes the container fail to start. */
export const MAX_PIDS = 4_194_304;

/** Milliseconds, or undefined when `text` is not a duration. `0s` is a duration of 0 ms. */
export function parseDuration(text: string): number | undefined {
  const match = text === '' ? null : DURATION.exec(text);
  if (!match) return undefined;
  const [, h = '0', m = '0', s = '0'] = match;
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000;
}

const UNIT_BYTES: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** Bytes (rounded down to whole bytes), or undefined when `value` is not a size. */
export function parseMemorySize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = MEMORY.exec(value);
  if (!match) return undefined;
  const [, amount = '', unit = ''] = match;
  const bytes = Math.floor(Number(amount) * (UNIT_BYTES[unit.toLowerCase()] ?? 1));
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
