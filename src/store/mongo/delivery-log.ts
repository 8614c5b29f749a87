import type { Db, Filter } from 'mongodb';
import type { DeliveryFilter, DeliveryLog, DeliveryOutcome, DeliveryRecord } from '../store.ts';
import { noLock, type DocLock } from './doc-lock.ts';
import { isDuplicateKey } from './mongo-errors.ts';

/**
 * DeliveryLog on `deliveries`, the collection DeliveryStore dedupes on: `_id` = the
 * X-GitHub-Delivery id, `at` = when it was received (the TTL index expires both together).
 * The payload is kept as text until the record expires, so a delivery accepted before a crash is
 * processed after the restart from what GitHub sent.
 */
interface DeliveryDoc {
  _id: string;
  at: Date;
  event?: string;
  action?: string;
  repo?: string;
  sha?: string;
  ref?: string;
  sender?: string;
  outcome?: DeliveryOutcome;
  reason?: string;
  runIds?: string[];
  processedAt?: Date;
  attempts?: number;
  /** held for processing (or waiting for a retry) until then */
  leaseUntil?: Date;
  payload?: string;
}

interface PendingRecord {
  doc: DeliveryDoc;
  done: (fresh: boolean) => void;
  fail: (error: unknown) => void;
}

export class MongoDeliveryLog implements DeliveryLog {
  readonly #deliveries;
  readonly #lock: DocLock;
  /** records waiting for the insert in flight to finish; they go together in the next one */
  #waiting: PendingRecord[] = [];
  #flushing = false;

  constructor(db: Db, options: { lock?: DocLock } = {}) {
    this.#deliveries = db.collection<DeliveryDoc>('deliveries');
    this.#lock = options.lock ?? noLock;
  }

  async record(delivery: Omit<DeliveryRecord, 'outcome' | 'runIds' | 'attempts' | 'processedAt' | 'reason'>, payload: string): Promise<boolean> {
    const { id, receivedAt, ...rest } = delivery;
    const doc: DeliveryDoc = { _id: id, at: receivedAt, outcome: 'received', runIds: [], attempts: 0, payload };
    for (const [key, value] of Object.entries(rest)) if (value !== undefined) (doc as unknown as Record<string, unknown>)[key] = value;
    return new Promise<boolean>((done, fail) => {
      this.#waiting.push({ doc, done, fail });
      if (!this.#flushing) void this.#flush();
    });
  }

  /**
   * Group commit: one insert at a time, each taking every record that arrived while the previous
   * one was in flight. A lone delivery is written at once; a burst costs one round trip per batch.
   */
  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, 500);
      try {
        await this.#deliveries.insertMany(batch.map((p) => p.doc), { ordered: false });
        for (const p of batch) p.done(true);
      } catch (error) {
        const duplicates = duplicateIndexes(error);
        if (duplicates === undefined) for (const p of batch) p.fail(error);
        else batch.forEach((p, index) => p.done(!duplicates.has(index)));
      }
    }
    this.#flushing = false;
  }

  async get(id: string): Promise<DeliveryRecord | null> {
    const doc = await this.#deliveries.findOne({ _id: id }, { projection: { payload: 0 } });
    return doc && toRecord(doc);
  }

  async payload(id: string): Promise<string | null> {
    const doc = await this.#deliveries.findOne({ _id: id }, { projection: { payload: 1 } });
    return doc?.payload ?? null;
  }

  async claim(id: string, now: Date, leaseMs: number): Promise<DeliveryRecord | null> {
    return this.#lock.run(`delivery:${id}`, async () => {
      const free = { _id: id, outcome: 'received' as const, $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lte: now } }] };
      const claimed = await this.#deliveries.updateOne(free, { $inc: { attempts: 1 }, $set: { leaseUntil: new Date(now.getTime() + leaseMs) } });
      return claimed.modifiedCount === 1 ? this.get(id) : null;
    });
  }

  async release(id: string, notBefore: Date): Promise<void> {
    await this.#lock.run(`delivery:${id}`, () => this.#deliveries.updateOne({ _id: id }, { $set: { leaseUntil: notBefore } }));
  }

  async addRuns(id: string, runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    await this.#lock.run(`delivery:${id}`, () => this.#deliveries.updateOne({ _id: id }, { $addToSet: { runIds: { $each: runIds } } }));
  }

  async finish(id: string, outcome: Exclude<DeliveryOutcome, 'received'>, reason: string, now: Date): Promise<void> {
    await this.#lock.run(`delivery:${id}`, () => this.#deliveries.updateOne({ _id: id }, { $set: { outcome, reason, processedAt: now }, $unset: { leaseUntil: '' } }));
  }

  async list(filter: DeliveryFilter, limit: number): Promise<DeliveryRecord[]> {
    const query: Filter<DeliveryDoc> = { outcome: { $exists: true } };
    if (filter.repo !== undefined) query.repo = filter.repo;
    if (filter.event !== undefined) query.event = filter.event;
    if (filter.outcome !== undefined) query.outcome = filter.outcome;
    const docs = await this.#deliveries.find(query, { projection: { payload: 0 } }).sort({ at: -1, _id: -1 }).limit(limit).toArray();
    return docs.map(toRecord);
  }
}

/** the batch positions refused as duplicate ids, or undefined when the insert failed otherwise */
function duplicateIndexes(error: unknown): Set<number> | undefined {
  if (!isDuplicateKey(error)) return undefined;
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as { index?: number }[];
  // a single-document batch may report the error without write errors
  if (list.length === 0) return new Set([0]);
  return new Set(list.map((w) => w.index ?? -1));
}

function toRecord(doc: DeliveryDoc): DeliveryRecord {
  const record: DeliveryRecord = {
    id: doc._id,
    event: doc.event ?? 'unknown',
    outcome: doc.outcome ?? 'received',
    runIds: doc.runIds ?? [],
    receivedAt: doc.at,
    attempts: doc.attempts ?? 0,
  };
  for (const key of ['action', 'repo', 'sha', 'ref', 'sender', 'reason', 'processedAt', 'leaseUntil'] as const) {
    const value = doc[key];
    if (value !== undefined && value !== null) (record as unknown as Record<string, unknown>)[key] = value;
  }
  return record;
}
