import type { Db } from 'mongodb';
import { TERMINAL_STATUSES } from '../../pipeline/types.ts';

export interface RetentionOptions {
  db: Db;
  /** finished runs created longer ago than this lose their logs */
  retentionMs: number;
  /** also delete those runs (and their report state and credentials) */
  deleteRuns: boolean;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** runs read per query (default 1000): FerretDB reads the whole collection for each */
  batchSize?: number;
  /** between sweeps (default 1 h); the first sweep waits `firstDelayMs` (default 1 min) */
  intervalMs?: number;
  firstDelayMs?: number;
  now?: () => Date;
}

export interface RetentionResult {
  runs: number;
  logChunks: number;
  runsDeleted: number;
}

export interface Retention {
  /** one pass over everything past the cutoff, batch by batch */
  sweep(): Promise<RetentionResult>;
  /** stops the timer and lets a running batch finish */
  stop(): Promise<void>;
}

/** `retention`: where the last pass stopped, shared by every process on the database. */
interface CheckpointDoc {
  _id: 'runs';
  /** every finished run created before this has been swept */
  createdAt: Date;
}

/**
 * Deletes the logs (and with `deleteRuns` the runs) of finished runs created before now − retention,
 * oldest first, in batches, on a timer of its own so no request waits for it. A checkpoint makes each
 * pass start where the last one ended; runs still unfinished at the cutoff are skipped and kept.
 */
export function startRetention(options: RetentionOptions): Retention {
  const { db, log } = options;
  const batchSize = options.batchSize ?? 1000;
  const now = options.now ?? (() => new Date());
  const runs = db.collection<{ _id: string; createdAt: Date; status: string }>('runs');
  const checkpoints = db.collection<CheckpointDoc>('retention');
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();

  const sweepOnce = async (): Promise<RetentionResult> => {
    const result: RetentionResult = { runs: 0, logChunks: 0, runsDeleted: 0 };
    const cutoff = new Date(now().getTime() - options.retentionMs);
    const checkpoint = await checkpoints.findOne({ _id: 'runs' });
    let from = checkpoint?.createdAt ?? new Date(0);
    let seen = new Set<string>();
    while (!stopped) {
      const batch = await runs
        .find({ createdAt: { $gte: from, $lt: cutoff } }, { projection: { _id: 1, createdAt: 1, status: 1 } })
        .sort({ createdAt: 1, _id: 1 })
        .limit(batchSize)
        .toArray();
      // the next batch starts at this one's last timestamp, so its last runs come again: skip them
      const finished = batch.filter((run) => !seen.has(run._id) && (TERMINAL_STATUSES as readonly string[]).includes(run.status)).map((run) => run._id);
      for (const run of batch) seen.add(run._id);
      // one equality per run: FerretDB pushes `{runId: x}` down to its backend, but not `$in`
      for (const id of finished) {
        result.logChunks += (await db.collection('logs').deleteMany({ runId: id })).deletedCount;
        if (options.deleteRuns) {
          await db.collection<{ _id: string }>('reports').deleteOne({ _id: id });
          await db.collection<{ _id: string }>('run_credentials').deleteOne({ _id: id });
          result.runsDeleted += (await runs.deleteOne({ _id: id })).deletedCount;
        }
        result.runs++;
      }
      const last = batch.at(-1);
      if (batch.length < batchSize || last === undefined) {
        from = cutoff;
      } else if (last.createdAt.getTime() === from.getTime()) {
        // a whole batch created in one millisecond: move past it rather than loop on it
        from = new Date(from.getTime() + 1);
      } else {
        from = last.createdAt;
      }
      seen = new Set(batch.filter((run) => run.createdAt.getTime() === from.getTime()).map((run) => run._id));
      await checkpoints.updateOne({ _id: 'runs' }, { $set: { createdAt: from } }, { upsert: true });
      if (from.getTime() >= cutoff.getTime()) break;
    }
    if (result.runs > 0) log.info({ ...result, before: cutoff.toISOString() }, options.deleteRuns ? 'retention: deleted old runs and their logs' : 'retention: deleted the logs of old runs');
    return result;
  };

  const sweep = (): Promise<RetentionResult> => {
    const next = current.catch(() => undefined).then(sweepOnce);
    current = next;
    return next;
  };
  const scheduled = (): void => {
    sweep().catch((err: unknown) => log.warn({ err }, 'retention: a sweep failed; the next one starts where it stopped'));
  };
  const first = setTimeout(() => {
    scheduled();
    repeat.refresh();
  }, options.firstDelayMs ?? 60_000);
  const repeat = setInterval(scheduled, options.intervalMs ?? 3_600_000);
  first.unref();
  repeat.unref();
  return {
    sweep,
    stop: async () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(repeat);
      await current.catch(() => undefined);
    },
  };
}
