import type { Collection, Filter } from 'mongodb';
import { BUCKET_LEVELS, bucketHolding } from './run-buckets.ts';
import type { RunDoc } from './run-document.ts';

/** at most this many bucket queries, then one query for the rest: ≤ MAX_WINDOWS + 1 per page */
export const MAX_WINDOWS = 4;
/** the first window of a first page is the 8 h bucket level (1 h buckets rarely fill a page) */
const FIRST_LEVEL = 1;
/** a first page also shows runs stamped this far ahead of this server's clock (another host's) */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** ask for a window this much longer than the match rate seen so far says is needed */
const HEADROOM = 1.25;
const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

export interface WindowListQuery {
  /** equalities: the part of the filter the server evaluates in its storage engine */
  equal: Filter<RunDoc>;
  /** conditions it evaluates itself, on the runs the equalities selected (since, cursor) */
  and: Filter<RunDoc>[];
  /** runs to return: the page size + 1 (the extra one says that there is a next page) */
  want: number;
  /** the instant the page starts at: the cursor's createdAt, or now + CLOCK_SKEW_MS */
  anchor: number;
  since?: Date;
}

/**
 * One page of runs, newest first, read through time windows: each window is one bucket label of
 * `listBuckets` (run-buckets.ts) holding the time just before what was read already, sorted by the
 * server on that small set; windows grow with the match rate seen so far until the page is full,
 * and after MAX_WINDOWS one last query reads everything older. Windows never overlap in time (each
 * also has `createdAt < the previous window's start`), so the concatenation is in page order.
 */
export async function listByWindows(runs: Collection<RunDoc>, query: WindowListQuery): Promise<RunDoc[]> {
  const docs: RunDoc[] = [];
  let before: number | undefined;
  let level = FIRST_LEVEL;
  for (let window = 0; window < MAX_WINDOWS; window++) {
    const bucket = bucketHolding(level, before === undefined ? query.anchor : before - 1);
    const filter = withConditions({ ...query.equal, listBuckets: bucket.label }, query.and, before);
    docs.push(...(await runs.find(filter).sort(NEWEST_FIRST).limit(query.want - docs.length).toArray()));
    before = bucket.start;
    if (docs.length >= query.want || (query.since !== undefined && query.since.getTime() >= before)) return docs;
    level = nextLevel(level, docs.length, query, before);
  }
  const rest = withConditions({ ...query.equal }, query.and, before);
  docs.push(...(await runs.find(rest).sort(NEWEST_FIRST).limit(query.want - docs.length).toArray()));
  return docs;
}

function withConditions(filter: Filter<RunDoc>, and: Filter<RunDoc>[], before: number | undefined): Filter<RunDoc> {
  const all = before === undefined ? and : [...and, { createdAt: { $lt: new Date(before) } }];
  return all.length > 0 ? { ...filter, $and: all } : filter;
}

/**
 * The smallest level whose next window is expected to fill the page at the rate seen over
 * [before, anchor), or to reach `since`; a window that found nothing makes the next one larger.
 */
export function nextLevel(level: number, found: number, query: Pick<WindowListQuery, 'want' | 'anchor' | 'since'>, before: number): number {
  const seen = Math.max(query.anchor - before, 1);
  const needed = ((query.want - found) * seen * HEADROOM) / Math.max(found, 1);
  const lowest = found === 0 ? level + 1 : level;
  for (let next = Math.min(lowest, BUCKET_LEVELS - 1); next < BUCKET_LEVELS; next++) {
    const start = bucketHolding(next, before - 1).start;
    if (before - start >= needed || (query.since !== undefined && start <= query.since.getTime())) return next;
  }
  return BUCKET_LEVELS - 1;
}
