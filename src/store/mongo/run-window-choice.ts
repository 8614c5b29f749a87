import { BUCKET_LEVELS, bucketOf, type RunBucket } from './run-buckets.ts';

/** a window that must fill the page is chosen to hold this many times the runs still needed */
export const HEADROOM = 1.25;
/** a window that others may follow is chosen to hold at most this many times the runs still needed */
export const SLACK = 1.25;

export interface WindowNeed {
  /** the window ends here (exclusive): it is a bucket holding the instant end − 1 */
  end: number;
  /** matching runs still needed */
  needed: number;
  /** matching runs per ms expected before `end` (> 0) */
  rate: number;
  /** no run is expected after this instant (the scope's newest run) */
  newest?: number;
  /** the finest bucket level to use */
  minLevel: number;
  /**
   * `fill`: the smallest window expected to hold needed × HEADROOM runs (the last window, or when the
   * rate is a guess); `step`: the largest expected to hold at most needed × SLACK, since reading
   * too many runs costs more on FerretDB (it decodes each) than one more small query
   */
  mode: 'fill' | 'step';
  /** the page ends here: a window reaching it is the last one needed */
  since?: number;
}

/**
 * The next window of a page read newest first: of the buckets of every level from `minLevel` and of
 * both families holding end − 1, the one that best matches what is still needed at `rate` (see
 * `mode`); when a fitting one reaches `since`, the smallest of those. Pure.
 */
export function chooseWindow(need: WindowNeed): RunBucket {
  const top = Math.min(need.end, need.newest ?? need.end);
  const candidates: RunBucket[] = [];
  for (let level = Math.min(need.minLevel, BUCKET_LEVELS - 1); level < BUCKET_LEVELS; level++) {
    candidates.push(bucketOf(level, 'a', need.end - 1), bucketOf(level, 'b', need.end - 1));
  }
  candidates.sort((x, y) => y.start - x.start); // smallest span first
  const expected = (bucket: RunBucket): number => need.rate * Math.max(0, top - bucket.start);
  const reaches = (bucket: RunBucket): boolean => need.since !== undefined && bucket.start <= need.since;
  if (need.mode === 'fill') {
    return candidates.find((b) => expected(b) >= need.needed * HEADROOM || reaches(b)) ?? candidates[candidates.length - 1]!;
  }
  const fitting = candidates.filter((b) => expected(b) <= need.needed * SLACK);
  if (fitting.length === 0) return candidates[0]!;
  return fitting.find(reaches) ?? fitting[fitting.length - 1]!;
}
