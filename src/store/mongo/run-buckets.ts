/**
 * Time buckets of a run's `createdAt`, stored in the run as `listBuckets` (a list of labels) so that
 * a server that cannot sort or limit in its storage engine (FerretDB 1.x) can still read one page of
 * the newest runs without reading them all: an equality on one label is passed down to PostgreSQL,
 * where a `createdAt` range is not. Level k buckets are BUCKET_BASE_MS × 8^k long (1 h … ~3.7 years),
 * in two families, `a` aligned to the epoch and `b` shifted by half a bucket, so that before any
 * instant there is a bucket of each level that covers at least half its length.
 */
export const BUCKET_BASE_MS = 3_600_000;
export const BUCKET_FACTOR = 8;
export const BUCKET_LEVELS = 6;

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

function bucketOf(level: number, family: 'a' | 'b', time: number): RunBucket {
  const size = bucketSize(level);
  const shift = family === 'a' ? 0 : size / 2;
  const index = Math.floor((time + shift) / size);
  const start = index * size - shift;
  return { label: `${level}${family}${index}`, level, start, end: start + size };
}

/** every label of a run created at `createdAt` (what `listBuckets` holds) */
export function runBucketLabels(createdAt: Date): string[] {
  const time = createdAt.getTime();
  const labels: string[] = [];
  for (let level = 0; level < BUCKET_LEVELS; level++) {
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
