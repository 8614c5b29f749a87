import type { Collection, Filter } from 'mongodb';
import { BUCKET_LEVELS, bucketHolding, COARSE_LEVEL, type RunBucket } from './run-buckets.ts';
import type { RunDoc } from './run-document.ts';
import type { ListHint } from './run-heads.ts';
import { chooseWindow } from './run-window-choice.ts';

/** at most this many bucket queries, then one query for the rest: ≤ MAX_WINDOWS + 1 per page */
export const MAX_WINDOWS = 4;
/** without a hint, the first window of a first page is an 8 h bucket (1 h buckets rarely fill a page) */
const FIRST_LEVEL = COARSE_LEVEL + 1;
/** a first page also shows runs stamped this far ahead of this server's clock (another host's) */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** from this many matches on, the rate seen so far sizes the next window rather than the hint */
const SEEN_ENOUGH = 5;
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
  /** from the scope's head (run-heads.ts): where its newest run is and how often it matches */
  hint?: ListHint;
  /** the finest bucket level every run is labelled with (COARSE_LEVEL until the 0009 backfill is done) */
  minLevel: number;
}

/**
 * One page of runs, newest first, read through time windows: each window is one bucket label of
 * `listBuckets` (run-buckets.ts) holding the time just before what was read already, sorted by the
 * server on that small set. A first page with a hint starts at the scope's newest run (+ the clock
 * skew margin, which also covers heads lost to concurrent updates). Windows are sized by the rate
 * seen so far, or the hint's: while more may follow, the largest expected not to hold many more runs
 * than needed (FerretDB decodes every run a query returns); a window that found nothing makes the
 * next one larger; after MAX_WINDOWS one last query reads everything older. Windows never overlap
 * in time (each also has `createdAt < the previous window's start`), so the concatenation is in
 * page order.
 */
export async function listByWindows(runs: Collection<RunDoc>, query: WindowListQuery): Promise<RunDoc[]> {
  const docs: RunDoc[] = [];
  const newest = query.hint === undefined ? query.anchor : Math.min(query.anchor, query.hint.newest);
  const anchor = Math.min(query.anchor, newest + CLOCK_SKEW_MS);
  let before: number | undefined;
  let previous: RunBucket | undefined;
  for (let window = 0; window < MAX_WINDOWS; window++) {
    const bucket = nextWindow(query, { anchor, newest, found: docs.length, before, previous, last: window === MAX_WINDOWS - 1 });
    const filter = withConditions({ ...query.equal, listBuckets: bucket.label }, query.and, before);
    docs.push(...(await runs.find(filter).sort(NEWEST_FIRST).limit(query.want - docs.length).toArray()));
    before = bucket.start;
    previous = bucket;
    if (docs.length >= query.want || (query.since !== undefined && query.since.getTime() >= before)) return docs;
  }
  const rest = withConditions({ ...query.equal }, query.and, before);
  docs.push(...(await runs.find(rest).sort(NEWEST_FIRST).limit(query.want - docs.length).toArray()));
  return docs;
}

interface WalkState {
  /** where this page's first window ends */
  anchor: number;
  /** no match is expected after this instant */
  newest: number;
  found: number;
  /** start of the windows read so far; undefined before the first */
  before: number | undefined;
  previous: RunBucket | undefined;
  /** the last window before the query for the rest */
  last: boolean;
}

/** the window to read next (see listByWindows); exported for tests */
export function nextWindow(query: Pick<WindowListQuery, 'want' | 'since' | 'hint' | 'minLevel'>, walk: WalkState): RunBucket {
  const end = walk.before ?? walk.anchor + 1;
  const needed = query.want - walk.found;
  const since = query.since?.getTime();
  const common = { end, needed, newest: walk.newest, ...(since !== undefined && { since }) };
  const seen = Math.max(walk.newest - end, 1);
  if (walk.found >= SEEN_ENOUGH || (walk.found > 0 && query.hint === undefined)) {
    return chooseWindow({ ...common, rate: walk.found / seen, minLevel: query.minLevel, mode: walk.last ? 'fill' : 'step' });
  }
  if (query.hint !== undefined && (walk.previous === undefined || walk.found > 0)) {
    return chooseWindow({ ...common, rate: query.hint.rate, minLevel: query.minLevel, mode: walk.last ? 'fill' : 'step' });
  }
  if (walk.previous === undefined) return bucketHolding(Math.max(FIRST_LEVEL, query.minLevel), walk.anchor);
  // nothing found yet: as if one run had been, in a larger window
  const grown = Math.min(walk.previous.level + 1, BUCKET_LEVELS - 1);
  return chooseWindow({ ...common, rate: 1 / seen, minLevel: grown, mode: 'fill' });
}

function withConditions(filter: Filter<RunDoc>, and: Filter<RunDoc>[], before: number | undefined): Filter<RunDoc> {
  const all = before === undefined ? and : [...and, { createdAt: { $lt: new Date(before) } }];
  return all.length > 0 ? { ...filter, $and: all } : filter;
}
