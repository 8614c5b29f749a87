import type { Db } from 'mongodb';

/**
 * Whether every run has `listBuckets` (run-buckets.ts), kept as one document in `migrations`:
 * `{_id: 'backfill-runs-list-buckets', state: 'pending' | 'done'}`. Migration 0008 writes it
 * `pending` when the database already holds runs; the server's backfill (list-buckets-backfill.ts)
 * sets it `done` once no run lacks the field. No document means done: a new database, or one whose
 * runs were labelled by an earlier 0008 that filled them at start-up. Likewise FINE_BUCKETS_FLAG_ID
 * (migration 0009): whether every run has the finer labels (under 1 h) too.
 */
export const LIST_BUCKETS_FLAG_ID = 'backfill-runs-list-buckets';
export const FINE_BUCKETS_FLAG_ID = 'backfill-runs-list-buckets-fine';
export type ListBucketsFlagId = typeof LIST_BUCKETS_FLAG_ID | typeof FINE_BUCKETS_FLAG_ID;
const DESCRIPTIONS: Record<ListBucketsFlagId, string> = {
  [LIST_BUCKETS_FLAG_ID]: 'runs: fill listBuckets of runs stored before 0008',
  [FINE_BUCKETS_FLAG_ID]: 'runs: add the finer listBuckets labels to runs stored before 0009',
};

export interface ListBucketsFlagDoc {
  _id: string;
  state: 'pending' | 'done';
  description: string;
  since: Date;
  doneAt?: Date;
  /** runs labelled by the backfill that set it done (others may have run in other servers) */
  filled?: number;
}

/** how often a store whose backfill is pending reads the flag again */
export const FLAG_RECHECK_MS = 10_000;

function flags(db: Db) {
  return db.collection<ListBucketsFlagDoc>('migrations');
}

export async function listBucketsComplete(db: Db, id: ListBucketsFlagId = LIST_BUCKETS_FLAG_ID): Promise<boolean> {
  const doc = await flags(db).findOne({ _id: id });
  return doc?.state !== 'pending';
}

/** what migrations 0008 and 0009 do: a backfill is needed where runs exist already; returns at once */
export async function recordListBucketsBackfill(db: Db, now: Date, id: ListBucketsFlagId = LIST_BUCKETS_FLAG_ID): Promise<void> {
  const anyRun = await db.collection<{ _id: string }>('runs').findOne({}, { projection: { _id: 1 } });
  if (anyRun === null) return;
  await flags(db).updateOne(
    { _id: id },
    { $setOnInsert: { state: 'pending', description: DESCRIPTIONS[id], since: now } },
    { upsert: true },
  );
}

export async function markListBucketsComplete(db: Db, now: Date, filled: number, id: ListBucketsFlagId = LIST_BUCKETS_FLAG_ID): Promise<void> {
  await flags(db).updateOne({ _id: id, state: 'pending' }, { $set: { state: 'done', doneAt: now, filled } });
}

/**
 * The flag as one store sees it: read at open, then at most every `recheckMs` while pending (one
 * lookup by id in the small `migrations` collection); once done it stays done without reading.
 */
export class ListBucketsFlag {
  readonly #db: Db;
  readonly #id: ListBucketsFlagId;
  readonly #recheckMs: number;
  readonly #clock: () => number;
  #complete = false;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<boolean> | undefined;

  constructor(db: Db, options: { id?: ListBucketsFlagId; recheckMs?: number; clock?: () => number } = {}) {
    this.#db = db;
    this.#id = options.id ?? LIST_BUCKETS_FLAG_ID;
    this.#recheckMs = options.recheckMs ?? FLAG_RECHECK_MS;
    this.#clock = options.clock ?? Date.now;
  }

  isComplete(): Promise<boolean> {
    if (this.#complete) return Promise.resolve(true);
    if (this.#clock() - this.#checkedAt < this.#recheckMs) return Promise.resolve(false);
    this.#reading ??= listBucketsComplete(this.#db, this.#id)
      .then((complete) => {
        this.#complete = complete;
        this.#checkedAt = this.#clock();
        return complete;
      })
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }
}
