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

export class MongoDeliveryLog implements DeliveryLog {
  readonly #deliveries;
  readonly #lock: DocLock;

  constructor(db: Db, options: { lock?: DocLock } = {}) {
    this.#deliveries = db.collection<DeliveryDoc>('deliveries');
    this.#lock = options.lock ?? noLock;
  }

  async record(delivery: Omit<DeliveryRecord, 'outcome' | 'runIds' | 'attempts' | 'processedAt' | 'reason'>, payload: string): Promise<boolean> {
    const { id, receivedAt, ...rest } = delivery;
    const doc: DeliveryDoc = { _id: id, at: receivedAt, outcome: 'received', runIds: [], attempts: 0, payload };
    for (const [key, value] of Object.entries(rest)) if (value !== undefined) (doc as unknown as Record<string, unknown>)[key] = value;
    try {
      await this.#deliveries.insertOne(doc);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
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

function toRecord(doc: DeliveryDoc): DeliveryRecord {
  const record: DeliveryRecord = {
    id: doc._id,
    event: doc.event ?? 'unknown',
    outcome: doc.outcome ?? 'received',
    runIds: doc.runIds ?? [],
    receivedAt: doc.at,
    attempts: doc.attempts ?? 0,
  };
  for (const key of ['action', 'repo', 'sha', 'ref', 'sender', 'reason', 'processedAt'] as const) {
    const value = doc[key];
    if (value !== undefined && value !== null) (record as unknown as Record<string, unknown>)[key] = value;
  }
  return record;
}
