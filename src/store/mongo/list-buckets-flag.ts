import type { Db } from 'mongodb';

/**
 * Whether every run has `listBuckets` (run-buckets.ts), kept as one document in `migrations`:
 * `{_id: 'backfill-runs-list-buckets', state: 'pending' | 'done'}`. Migration 0008 writes it
 * `pending` when the database already holds runs; the server's backfill (list-buckets-backfill.ts)
 * sets it `done` once no run lacks the field. No document means done: a new database, or one whose
 * runs were labelled by an earlier 0008 that filled them at start-up.
 */
export const LIST_BUCKETS_FLAG_ID = 'backfill-runs-list-buckets';

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

export async function listBucketsComplete(db: Db): Promise<boolean> {
  const doc = await flags(db).findOne({ _id: LIST_BUCKETS_FLAG_ID });
  return doc?.state !== 'pending';
}

/** what migration 0008 does: a backfill is needed where runs exist already; returns at once */
export async function recordListBucketsBackfill(db: Db, now: Date): Promise<void> {
  const anyRun = await db.collection<{ _id: string }>('runs').findOne({}, { projection: { _id: 1 } });
  if (anyRun === null) return;
  await flags(db).updateOne(
    { _id: LIST_BUCKETS_FLAG_ID },
    { $setOnInsert: { state: 'pending', description: 'runs: fill listBuckets of runs stored before 0008', since: now } },
    { upsert: true },
  );
}

export async function markListBucketsComplete(db: Db, now: Date, filled: number): Promise<void> {
  await flags(db).updateOne({ _id: LIST_BUCKETS_FLAG_ID }, { $set: { state: 'done', doneAt: now, filled } });
}

/**
 * The flag as one store sees it: read at open, then at most every `recheckMs` while pending (one
 * lookup by id in the small `migrations` collection); once done it stays done without reading.
 */
export class ListBucketsFlag {
  readonly #db: Db;
  readonly #recheckMs: number;
  readonly #clock: () => number;
  #complete = false;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<boolean> | undefined;

  constructor(db: Db, options: { recheckMs?: number; clock?: () => number } = {}) {
    this.#db = db;
    this.#recheckMs = options.recheckMs ?? FLAG_RECHECK_MS;
    this.#clock = options.clock ?? Date.now;
  }

  isComplete(): Promise<boolean> {
    if (this.#complete) return Promise.resolve(true);
    if (this.#clock() - this.#checkedAt < this.#recheckMs) return Promise.resolve(false);
    this.#reading ??= listBucketsComplete(this.#db)
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
