import { ObjectId, type Db, type Filter } from 'mongodb';
import type { GroupStatusEvent, RunEvent, StepStatusEvent } from '../../executor/events.ts';
import type { Status } from '../../pipeline/types.ts';
import { InvalidInputError, NotFoundError, type NewRun, type Page, type RunFilter, type RunPage, type RunRecord, type RunStore } from '../store.ts';
import { noLock, type DocLock } from './doc-lock.ts';
import { createApplyEvent, type ApplyEvent } from './run-apply.ts';
import { applyEventBatch } from './run-batch.ts';
import { decodeRunCursor, encodeRunCursor } from './run-cursor.ts';
import { COARSE_LEVEL } from './run-buckets.ts';
import { foldRunHeads, readListHint, recordRunHeads, runHeads } from './run-heads.ts';
import { CLOCK_SKEW_MS, listByWindows } from './run-window-list.ts';
import { newRunDoc, toRunRecord, type RunDoc } from './run-document.ts';
import { isTerminal } from './run-updates.ts';

export interface MongoRunStoreOptions {
  now: () => Date;
  /** from capability detection: address array elements with arrayFilters or guarded index paths */
  arrayFilters: boolean;
  /** from capability detection: the server sorts and limits with an index; default true */
  sortPushdown?: boolean;
  /** serialises every change of one run where the server's updates are not atomic; default none */
  lock?: DocLock;
  /**
   * whether every run has `listBuckets` (list-buckets-flag.ts); until then a server without sort
   * pushdown lists with one query too; default: always
   */
  listBucketsComplete?: () => Promise<boolean>;
  /** whether every run has the finer `listBuckets` labels of migration 0009; default: always */
  fineBucketsComplete?: () => Promise<boolean>;
}

/** Most runs one page returns, whatever the caller asks. */
export const MAX_PAGE = 500;

/**
 * RunStore on the `runs` collection. Ids are ObjectId hex strings (time-ordered). Leases: a run
 * is held by the worker named in `worker` until `leaseUntil`; every transition of the lease is
 * one conditional findOneAndUpdate/updateOne, which is what makes a run execute once at a time.
 */
export class MongoRunStore implements RunStore {
  readonly #runs;
  readonly #heads;
  readonly #now: () => Date;
  readonly #apply: ApplyEvent;
  readonly #lock: DocLock;
  readonly #sortPushdown: boolean;
  readonly #bucketsComplete: () => Promise<boolean>;
  readonly #fineComplete: () => Promise<boolean>;

  constructor(db: Db, options: MongoRunStoreOptions) {
    this.#runs = db.collection<RunDoc>('runs');
    this.#heads = runHeads(db);
    this.#now = options.now;
    this.#sortPushdown = options.sortPushdown ?? true;
    this.#apply = createApplyEvent(this.#runs, options.arrayFilters);
    this.#lock = options.lock ?? noLock;
    this.#bucketsComplete = options.listBucketsComplete ?? (() => Promise.resolve(true));
    this.#fineComplete = options.fineBucketsComplete ?? (() => Promise.resolve(true));
  }

  /** every change of an existing run goes through here (see DocLock) */
  #locked<T>(id: string, change: () => Promise<T>): Promise<T> {
    return this.#lock.run(`run:${id}`, change);
  }

  async create(run: NewRun): Promise<RunRecord> {
    const doc = newRunDoc(new ObjectId().toHexString(), run, this.#now());
    // heads first: a stored run is never newer than its scopes' heads say (run-heads.ts)
    if (!this.#sortPushdown) await recordRunHeads(this.#heads, foldRunHeads([doc]));
    await this.#runs.insertOne(doc);
    return toRunRecord(doc);
  }

  async get(id: string): Promise<RunRecord | null> {
    const doc = await this.#runs.findOne({ _id: id });
    return doc && toRunRecord(doc);
  }

  /**
   * Newest first (createdAt, then id); `since` keeps runs created at or after it. One indexed query
   * where the server sorts and limits; elsewhere a few queries over time windows (run-window-list.ts)
   * placed and sized by the scope's head (run-heads.ts), except for `sha` and `idPrefix`, which match
   * a handful of runs that one query finds at once, and while runs stored before `listBuckets`
   * existed still lack it (the backfill is not done).
   */
  async list(filter: RunFilter, page: Page): Promise<RunPage> {
    if (!Number.isInteger(page.limit) || page.limit < 1) {
      throw new InvalidInputError(`page limit must be a positive integer, got ${page.limit}`);
    }
    const limit = Math.min(page.limit, MAX_PAGE);
    const equal: Record<string, string> = {};
    for (const key of ['repo', 'job', 'status', 'sha', 'branch', 'source'] as const) {
      const value = filter[key];
      if (value !== undefined) equal[key] = value;
    }
    const and: Filter<RunDoc>[] = [];
    if (filter.since !== undefined) and.push({ createdAt: { $gte: filter.since } });
    // ids are lowercase hex: every id starting with the prefix sorts between it and the prefix + 'g'
    if (filter.idPrefix !== undefined) and.push({ _id: { $gte: filter.idPrefix, $lt: `${filter.idPrefix}g` } });
    const after = page.cursor === undefined ? undefined : decodeRunCursor(page.cursor);
    if (after !== undefined) {
      and.push({ $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }] });
    }
    const oneQuery = this.#sortPushdown || filter.sha !== undefined || filter.idPrefix !== undefined || !(await this.#bucketsComplete());
    const docs = oneQuery
      ? await this.#runs.find(and.length > 0 ? { ...equal, $and: and } : (equal as Filter<RunDoc>)).sort({ createdAt: -1, _id: -1 }).limit(limit + 1).toArray()
      : await this.#listByWindows(filter, equal, and, limit + 1, after?.createdAt);
    const runs = docs.slice(0, limit).map(toRunRecord);
    const last = runs[runs.length - 1];
    return docs.length > limit && last ? { runs, next: encodeRunCursor({ createdAt: last.createdAt, id: last.id }) } : { runs };
  }

  async #listByWindows(filter: RunFilter, equal: Filter<RunDoc>, and: Filter<RunDoc>[], want: number, after: Date | undefined): Promise<RunDoc[]> {
    const [hint, fine] = await Promise.all([readListHint(this.#heads, filter), this.#fineComplete()]);
    return listByWindows(this.#runs, {
      equal,
      and,
      want,
      anchor: after?.getTime() ?? this.#now().getTime() + CLOCK_SKEW_MS,
      ...(filter.since !== undefined && { since: filter.since }),
      ...(hint !== undefined && { hint }),
      minLevel: fine ? 0 : COARSE_LEVEL,
    });
  }

  async apply(event: RunEvent): Promise<void> {
    if (event.type === 'log') return;
    await this.#locked(event.runId, () => this.#apply(event));
  }

  async applyBatch(runId: string, events: (GroupStatusEvent | StepStatusEvent)[]): Promise<void> {
    if (events.length === 0) return;
    await this.#locked(runId, () => applyEventBatch(this.#runs, runId, events));
  }

  /** Queued, or running with no live lease → running, held by `worker`; `starts` counts takes. */
  async claim(id: string, worker: string, leaseMs: number, now: Date): Promise<RunRecord | null> {
    const doc = await this.#locked(id, () => this.#runs.findOneAndUpdate(
      {
        _id: id,
        status: { $in: ['queued', 'running'] },
        $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lt: now } }],
      },
      {
        $set: { status: 'running', worker, leaseUntil: new Date(now.getTime() + leaseMs) },
        $min: { startedAt: now },
        $inc: { starts: 1 },
      },
      { returnDocument: 'after' },
    ));
    return doc && toRunRecord(doc);
  }

  async heartbeat(id: string, worker: string, leaseMs: number, now: Date): Promise<boolean> {
    const result = await this.#locked(id, () =>
      this.#runs.updateOne({ _id: id, worker, status: 'running' }, { $set: { leaseUntil: new Date(now.getTime() + leaseMs) } }),
    );
    return result.matchedCount === 1;
  }

  async expired(now: Date): Promise<string[]> {
    const docs = await this.#runs
      .find({ status: 'running', leaseUntil: { $lt: now } }, { projection: { _id: 1 } })
      .sort({ leaseUntil: 1 })
      .toArray();
    return docs.map((doc) => doc._id);
  }

  /**
   * A queued run (no worker holds it) is cancelled at once; a running one gets `cancelRequested`
   * for its worker to act on; a finished one is returned unchanged.
   */
  requestCancel(id: string): Promise<RunRecord | null> {
    return this.#locked(id, () => this.#requestCancel(id));
  }

  async #requestCancel(id: string): Promise<RunRecord | null> {
    // a run handed back to the queue (shutdown, engine failure) has run steps already
    const waits: [Filter<RunDoc>, string][] = [
      [{ starts: { $gt: 0 } }, 'run cancelled while it waited to start again'],
      [{}, 'run cancelled before it started'],
    ];
    for (const [started, message] of waits) {
      const queued = await this.#runs.findOneAndUpdate(
        { _id: id, status: 'queued', ...started },
        { $set: { status: 'cancelled', cancelRequested: true, finishedAt: this.#now(), message } },
        { returnDocument: 'after' },
      );
      if (queued) return toRunRecord(queued);
    }
    const running = await this.#runs.findOneAndUpdate(
      { _id: id, status: 'running' },
      { $set: { cancelRequested: true } },
      { returnDocument: 'after' },
    );
    return running ? toRunRecord(running) : this.get(id);
  }

  /** Ends a queued/running run with a terminal status; no effect on a run that already ended. */
  async finish(id: string, status: Status, message: string, now: Date): Promise<void> {
    if (!isTerminal(status)) throw new InvalidInputError(`finish needs a final status, got "${status}"`);
    const result = await this.#locked(id, () =>
      this.#runs.updateOne(
        { _id: id, status: { $in: ['queued', 'running'] } },
        { $set: { status, message, finishedAt: now }, $unset: { leaseUntil: '' } },
      ),
    );
    if (result.matchedCount === 0 && (await this.#runs.countDocuments({ _id: id }, { limit: 1 })) === 0) {
      throw new NotFoundError(`run ${id} does not exist`);
    }
  }
}
