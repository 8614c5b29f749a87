import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from 'mongodb';
import { FINE_BUCKETS_FLAG_ID, LIST_BUCKETS_FLAG_ID, listBucketsComplete, markListBucketsComplete } from './list-buckets-flag.ts';
import { LABEL_COUNT, runBucketLabels } from './run-buckets.ts';

export interface ListBucketsBackfillOptions {
  db: Db;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** runs read per query, then updated one by one (default 100) */
  batchSize?: number;
  /** pause between batches, so requests get the database (default 500 ms) */
  pauseMs?: number;
  /** wait before the first batch, so start-up does not compete with it (default 10 s) */
  startDelayMs?: number;
  /** wait after a failed batch before the next try (default 30 s) */
  retryMs?: number;
  /** log progress at most this often (default 1 min) */
  progressMs?: number;
  now?: () => Date;
}

export interface ListBucketsBackfillResult {
  /** runs this process labelled */
  filled: number;
  /** no run lacks `listBuckets` labels any more and the flags say so (false when stopped before) */
  complete: boolean;
}

export interface ListBucketsBackfill {
  /** settles when the backfill completed or was stopped; never rejects */
  finished: Promise<ListBucketsBackfillResult>;
  /** stops after the update in flight; resolves once it has stopped */
  stop(): Promise<void>;
}

type RunLabels = { _id: string; createdAt: Date; listBuckets?: string[] };

/** a run lacking labels: stored before 0008 (no `listBuckets`) or before 0009 (no finer labels) */
const UNLABELLED = { [`listBuckets.${LABEL_COUNT - 1}`]: { $exists: false } };

/**
 * Labels runs stored before `listBuckets` existed or before it had its finer labels (migrations 0008
 * and 0009 record that some may exist), in the server process, off the start-up path: a batch of
 * runs lacking labels is read with one query, each is updated by id (a bulk write or an `$in` update
 * costs more on FerretDB, see docs/mongodb.md), then it pauses. Runs filled already are skipped by
 * the query, so a restart resumes where it stopped, and several servers may run it at once. Once no
 * run lacks a label it sets the flags (list-buckets-flag.ts): the runs list reads time windows, then
 * finer ones.
 */
export function startListBucketsBackfill(options: ListBucketsBackfillOptions): ListBucketsBackfill {
  const { db, log } = options;
  const batchSize = options.batchSize ?? 100;
  const pauseMs = options.pauseMs ?? 500;
  const retryMs = options.retryMs ?? 30_000;
  const progressMs = options.progressMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  const runs = db.collection<RunLabels>('runs');
  const abort = new AbortController();
  const stopped = (): boolean => abort.signal.aborted;
  /** resolves false when stopped during the wait */
  const wait = (ms: number): Promise<boolean> =>
    sleep(ms, true, { signal: abort.signal, ref: false }).catch(() => false);

  const fillBatch = async (): Promise<number> => {
    const batch = await runs.find(UNLABELLED, { projection: { _id: 1, createdAt: 1 } }).limit(batchSize).toArray();
    let filled = 0;
    for (const run of batch) {
      if (stopped()) break;
      const result = await runs.updateOne({ _id: run._id, ...UNLABELLED }, { $set: { listBuckets: runBucketLabels(run.createdAt) } });
      filled += result.modifiedCount;
    }
    return batch.length === 0 ? -1 : filled;
  };

  const loop = async (): Promise<ListBucketsBackfillResult> => {
    let filled = 0;
    if (!(await wait(options.startDelayMs ?? 10_000))) return { filled, complete: false };
    const startedAt = Date.now();
    let loggedAt = startedAt;
    let announced = false;
    while (!stopped()) {
      try {
        if (!announced) {
          const coarse = await listBucketsComplete(db, LIST_BUCKETS_FLAG_ID);
          if (coarse && (await listBucketsComplete(db, FINE_BUCKETS_FLAG_ID))) return { filled, complete: true };
          const total = await runs.estimatedDocumentCount();
          log.info(
            { runs: total },
            coarse
              ? 'listBuckets backfill: adding the finer labels to runs stored before migration 0009; until it is done the runs list reads windows of 1 h or more'
              : 'listBuckets backfill: labelling runs stored before migration 0008; until it is done the runs list reads each page with one query',
          );
          announced = true;
        }
        const count = await fillBatch();
        if (count < 0) {
          await markListBucketsComplete(db, now(), filled, LIST_BUCKETS_FLAG_ID);
          await markListBucketsComplete(db, now(), filled, FINE_BUCKETS_FLAG_ID);
          log.info({ filled, ms: Date.now() - startedAt }, 'listBuckets backfill: done; the runs list reads time windows');
          return { filled, complete: true };
        }
        filled += count;
        if (Date.now() - loggedAt >= progressMs) {
          loggedAt = Date.now();
          log.info({ filled, ms: loggedAt - startedAt, msPerRun: Math.round((loggedAt - startedAt) / Math.max(filled, 1)) }, 'listBuckets backfill: in progress');
        }
        await wait(pauseMs);
      } catch (err) {
        if (stopped()) break;
        log.warn({ err, filled }, `listBuckets backfill: a batch failed; trying again in ${Math.round(retryMs / 1000)} s (runs done so far are kept)`);
        await wait(retryMs);
      }
    }
    return { filled, complete: false };
  };

  const finished = loop();
  return {
    finished,
    stop: async () => {
      abort.abort();
      await finished;
    },
  };
}
