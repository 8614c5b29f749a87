import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Db } from 'mongodb';
import type { RunFilter } from '../store.ts';
import { DUPLICATE_KEY } from './mongo-errors.ts';

/**
 * Where the runs of each list scope are, kept in `run_heads` on servers that cannot sort (FerretDB),
 * one document per scope: all runs (`*`) and each value of repo, job, branch and source
 * (`repo:acme/app`), with the newest and oldest `createdAt` and a count. A first page starts its
 * time windows at the scope's newest run instead of now (a repository idle for a month is not
 * searched for through a month of empty windows, then one window holding much of its history), and
 * sizes them by its rate. The run store writes them before it inserts the run, so `last` is never
 * older than a stored run's createdAt (up to lost concurrent updates on FerretDB, covered by the
 * list's clock-skew margin); `first` and `runs` are hints only (retention does not lower them).
 */
export interface RunHeadDoc {
  _id: string;
  first: Date;
  last: Date;
  runs: number;
}

export const HEAD_FIELDS = ['repo', 'job', 'branch', 'source'] as const;
type HeadField = (typeof HEAD_FIELDS)[number];
export type HeadScope = Partial<Record<HeadField, string>>;

/** what a scope's head says to the list: its newest run and matching runs per ms */
export interface ListHint {
  newest: number;
  rate: number;
}

/** a count over less than this is not a rate */
const MIN_RATE_SPAN_MS = 60_000;
const ALL = '*';

export function runHeads(db: Db): Collection<RunHeadDoc> {
  return db.collection<RunHeadDoc>('run_heads');
}

/** the heads a run moves: all runs, and each of its scope fields that is set */
export function headKeys(run: HeadScope): string[] {
  return [ALL, ...HEAD_FIELDS.filter((field) => run[field] !== undefined).map((field) => `${field}:${run[field]}`)];
}

/** the runs' heads, folded: what recordRunHeads writes */
export function foldRunHeads(runs: Iterable<HeadScope & { createdAt: Date }>): Map<string, Omit<RunHeadDoc, '_id'>> {
  const heads = new Map<string, Omit<RunHeadDoc, '_id'>>();
  for (const run of runs) {
    for (const key of headKeys(run)) {
      const head = heads.get(key);
      if (head === undefined) heads.set(key, { first: run.createdAt, last: run.createdAt, runs: 1 });
      else {
        if (run.createdAt < head.first) head.first = run.createdAt;
        if (run.createdAt > head.last) head.last = run.createdAt;
        head.runs++;
      }
    }
  }
  return heads;
}

/** FerretDB 1.24 stops answering for the database when one bulk write updates 50 existing documents */
const OPS_PER_BULK = 25;

/**
 * Moves the heads by `folded`: one upsert each, in bulk writes of OPS_PER_BULK. Two upserts of a head
 * that does not exist yet may both try to insert it; the one refused as a duplicate is sent again,
 * as an update.
 */
export async function recordRunHeads(heads: Collection<RunHeadDoc>, folded: Map<string, Omit<RunHeadDoc, '_id'>>): Promise<void> {
  const ops: AnyBulkWriteOperation<RunHeadDoc>[] = [...folded].map(([key, head]) => ({
    updateOne: { filter: { _id: key }, update: { $min: { first: head.first }, $max: { last: head.last }, $inc: { runs: head.runs } }, upsert: true },
  }));
  for (let from = 0; from < ops.length; from += OPS_PER_BULK) await writeOnce(heads, ops.slice(from, from + OPS_PER_BULK));
}

async function writeOnce(heads: Collection<RunHeadDoc>, ops: AnyBulkWriteOperation<RunHeadDoc>[]): Promise<void> {
  try {
    await heads.bulkWrite(ops, { ordered: false });
  } catch (error) {
    const failed = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
    if (failed.length === 0 || !failed.every((e) => e.code === DUPLICATE_KEY)) throw error;
    await heads.bulkWrite(failed.map((e) => ops[e.index]!), { ordered: false });
  }
}

/**
 * The hint for a list filtered by `filter`: from the heads of its scope fields (of all runs when it
 * has none), the earliest newest run and the lowest rate, since a match is in every one of them.
 * Undefined when a head is missing (no run of that scope, or only runs stored before heads existed).
 */
export async function readListHint(heads: Collection<RunHeadDoc>, filter: RunFilter): Promise<ListHint | undefined> {
  const keys = HEAD_FIELDS.filter((field) => filter[field] !== undefined).map((field) => `${field}:${filter[field]}`);
  // one lookup by _id each: FerretDB passes an equality down, never an `$in`
  const docs = await Promise.all((keys.length > 0 ? keys : [ALL]).map((key) => heads.findOne({ _id: key })));
  let hint: ListHint | undefined;
  for (const doc of docs) {
    if (doc === null) return undefined;
    const rate = doc.runs / Math.max(doc.last.getTime() - doc.first.getTime(), MIN_RATE_SPAN_MS);
    hint = { newest: Math.min(hint?.newest ?? Infinity, doc.last.getTime()), rate: Math.min(hint?.rate ?? Infinity, rate) };
  }
  return hint;
}
