/**
 * Time buckets of a run's `createdAt`, stored in the run as `listBuckets` (a list of labels) so that
 * a server that cannot sort or limit in its storage engine (FerretDB 1.x) can still read one page of
 * the newest runs without reading them all: an equality on one label is passed down to PostgreSQL,
 * where a `createdAt` range is not. Level k buckets are BUCKET_BASE_MS × 8^k long (56.25 s … ~3.7
 * years), in two families, `a` aligned to the epoch and `b` shifted by half a bucket, so that before
 * any instant there is a bucket of each level that covers at least half its length.
 *
 * Levels from COARSE_LEVEL (1 h) up are labelled `<level − 2><family><index>` (`0a493380` is an hour),
 * as since migration 0008; the two finer levels (`f0a…` 56.25 s, `f1a…` 7.5 min) since migration
 * 0009, and are used only once every run has them (list-buckets-flag.ts).
 */
export const BUCKET_BASE_MS = 56_250;
export const BUCKET_FACTOR = 8;
export const BUCKET_LEVELS = 8;
/** the finest level every labelled run has (1 h); finer ones need the 0009 labels */
export const COARSE_LEVEL = 2;
/** runs labelled since migration 0009 have this many labels; older ones fewer */
export const LABEL_COUNT = 2 * BUCKET_LEVELS;

/** a bucket: its stored label and the time span [start, end) it covers */
export interface RunBucket {
  label: string;
  level: number;
  start: number;
  end: number;
}

export function bucketSize(level: number): number {
  return BUCKET_BASE_MS * BUCKET_FACTOR ** level;
}

/** the bucket of `level` and `family` that holds the instant `time` */
export function bucketOf(level: number, family: 'a' | 'b', time: number): RunBucket {
  const size = bucketSize(level);
  const shift = family === 'a' ? 0 : size / 2;
  const index = Math.floor((time + shift) / size);
  const start = index * size - shift;
  const name = level >= COARSE_LEVEL ? `${level - COARSE_LEVEL}` : `f${level}`;
  return { label: `${name}${family}${index}`, level, start, end: start + size };
}

/** every label of a run created at `createdAt` (what `listBuckets` holds): coarse levels first */
export function runBucketLabels(createdAt: Date): string[] {
  const time = createdAt.getTime();
  const labels: string[] = [];
  const levels = [...Array(BUCKET_LEVELS).keys()];
  for (const level of [...levels.slice(COARSE_LEVEL), ...levels.slice(0, COARSE_LEVEL)]) {
    labels.push(bucketOf(level, 'a', time).label, bucketOf(level, 'b', time).label);
  }
  return labels;
}

/**
 * The bucket of `level` that holds the instant `time` and starts earliest (of the two families), so
 * that it covers [start, time] with start ≤ time − half its length.
 */
export function bucketHolding(level: number, time: number): RunBucket {
  const a = bucketOf(level, 'a', time);
  const b = bucketOf(level, 'b', time);
  return a.start <= b.start ? a : b;
}
