import type { Db } from 'mongodb';
import type { DeliveryStore } from '../store.ts';
import { INDEX_KEY_SPECS_CONFLICT, INDEX_OPTIONS_CONFLICT, isCode, isDuplicateKey, isNotImplemented } from './mongo-errors.ts';
import type { StoreLog } from './store-log.ts';
import { noLock, type DocLock } from './doc-lock.ts';

/**
 * Webhook delivery ids seen in the last `ttlMs` (GitHub redelivers; we must not run a push twice).
 * One document per id (`_id` = delivery id, so the unique index is `_id`), `at` = first seen.
 * Expiry: a TTL index on `at` where the server has TTL indexes; otherwise (FerretDB 1.x) this
 * store deletes expired ids itself, at most once per `purgeEveryMs`, during remember().
 * Either way remember() treats an id older than ttlMs as new, so the answer never depends on when
 * the TTL monitor last ran.
 */
interface DeliveryDoc {
  _id: string;
  at: Date;
}

export const DEFAULT_DELIVERY_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const PURGE_EVERY_MS = 60 * 60 * 1000;
const TTL_INDEX = 'at_ttl';

/** Creates or adjusts the TTL index; false when the server has no TTL indexes (fallback logged). */
export async function ensureDeliveryTtl(db: Db, ttlMs: number, log: StoreLog): Promise<boolean> {
  const deliveries = db.collection<DeliveryDoc>('deliveries');
  const expireAfterSeconds = Math.max(1, Math.round(ttlMs / 1000));
  try {
    await deliveries.createIndex({ at: 1 }, { name: TTL_INDEX, expireAfterSeconds });
    return true;
  } catch (error) {
    if (isNotImplemented(error)) {
      log('info', 'server does not implement TTL indexes; expired webhook deliveries are purged by the store instead', {
        feature: 'expireAfterSeconds',
        purgeEveryMs: PURGE_EVERY_MS,
        error: (error as Error).message,
      });
      await deliveries.createIndex({ at: 1 }, { name: TTL_INDEX });
      return false;
    }
    if (!isCode(error, INDEX_OPTIONS_CONFLICT, INDEX_KEY_SPECS_CONFLICT)) throw error;
    // the period changed since the index was made (deliveryTtlMs option)
    await db.command({ collMod: 'deliveries', index: { name: TTL_INDEX, expireAfterSeconds } });
    log('info', 'changed the TTL of webhook deliveries', { expireAfterSeconds });
    return true;
  }
}

export class MongoDeliveryStore implements DeliveryStore {
  readonly #deliveries;
  readonly #ttlMs: number;
  readonly #purge: boolean;
  readonly #lock: DocLock;
  #lastPurge = 0;

  /**
   * `purge`: delete expired ids here because the server has no TTL index;
   * `lock`: serialises the refresh of an expired id where updates are not atomic
   */
  constructor(db: Db, options: { ttlMs: number; purge: boolean; lock?: DocLock }) {
    this.#deliveries = db.collection<DeliveryDoc>('deliveries');
    this.#ttlMs = options.ttlMs;
    this.#purge = options.purge;
    this.#lock = options.lock ?? noLock;
  }

  async remember(id: string, now: Date): Promise<boolean> {
    const cutoff = new Date(now.getTime() - this.#ttlMs);
    if (this.#purge && now.getTime() - this.#lastPurge >= PURGE_EVERY_MS) {
      this.#lastPurge = now.getTime();
      await this.#deliveries.deleteMany({ at: { $lt: cutoff } });
    }
    try {
      await this.#deliveries.insertOne({ _id: id, at: now });
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // seen before: new again only if that was longer ago than the TTL (and we win the refresh)
    const refreshed = await this.#lock.run(`delivery:${id}`, () =>
      this.#deliveries.updateOne({ _id: id, at: { $lt: cutoff } }, { $set: { at: now } }),
    );
    return refreshed.modifiedCount === 1;
  }
}
