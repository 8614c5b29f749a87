import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { isNotImplemented } from './mongo-errors.ts';
import type { StoreLog } from './store-log.ts';

/**
 * Features of MongoDB ≥ 6 the stores use that some compatible servers lack (FerretDB 1.x).
 * Detected once at open by asking the server (a NotImplemented answer means "missing"), never
 * guessed from version strings; every fallback is logged and documented in docs/mongodb.md.
 */
export interface StoreCapabilities {
  /**
   * concurrent updates of one document are atomic (each sees the previous one's result);
   * without it, every read-modify-write of a run or action takes a document lock (doc-lock.ts)
   */
  atomicUpdates: boolean;
  /** `arrayFilters` on updates; without it, run events use index paths guarded by the filter */
  arrayFilters: boolean;
  /** TTL indexes (`expireAfterSeconds`); without it, deliveries are purged by the store */
  ttlIndexes: boolean;
  /**
   * the server sorts and limits a find in its storage engine (with an index); without it, the
   * runs list reads a page through time windows (run-window-list.ts)
   */
  sortPushdown: boolean;
}

const PROBE_ID = '__pistages_capability_probe__';

/** Probes `arrayFilters` with an update that matches no document (harmless on any server). */
export async function detectArrayFilters(db: Db, log: StoreLog): Promise<boolean> {
  try {
    await db
      .collection<{ _id: string }>('migrations')
      .updateOne({ _id: PROBE_ID }, { $set: { 'probe.$[e].v': 1 } }, { arrayFilters: [{ 'e.k': 1 }] });
    return true;
  } catch (error) {
    if (!isNotImplemented(error)) throw error;
    log('info', 'server does not implement arrayFilters; run events fall back to index paths guarded by the update filter', {
      feature: 'arrayFilters',
      error: (error as Error).message,
    });
    return false;
  }
}

const PROBE_WRITERS = 32;

/**
 * Probes update atomicity: PROBE_WRITERS concurrent `$inc`s of one scratch document must all
 * count. FerretDB 1.x (SQLite backend) reads, changes and writes back whole documents without
 * isolation, so concurrent updates are lost; it is also recognised by `ferretdbVersion` 1.x in
 * buildInfo, since a probe that happens not to collide proves nothing.
 */
export async function detectAtomicUpdates(db: Db, log: StoreLog): Promise<boolean> {
  const scratch = db.collection<{ _id: string; n: number }>('migrations');
  const id = `__pistages_atomicity_probe_${randomUUID()}`;
  await scratch.insertOne({ _id: id, n: 0 });
  let counted: number;
  try {
    await Promise.all(Array.from({ length: PROBE_WRITERS }, () => scratch.updateOne({ _id: id }, { $inc: { n: 1 } })));
    counted = (await scratch.findOne({ _id: id }))?.n ?? 0;
  } finally {
    await scratch.deleteOne({ _id: id });
  }
  const info = await db.admin().command({ buildInfo: 1 });
  const ferretdb = typeof info.ferretdbVersion === 'string' ? info.ferretdbVersion : undefined;
  const atomic = counted === PROBE_WRITERS && !(ferretdb !== undefined && /^v?1\./.test(ferretdb));
  if (!atomic) {
    log('info', 'server loses concurrent updates of one document; runs and actions are changed under a lock document instead', {
      feature: 'atomicUpdates',
      probe: `${counted} of ${PROBE_WRITERS} concurrent increments kept`,
      ...(ferretdb !== undefined && { ferretdbVersion: ferretdb }),
    });
  }
  return atomic;
}

/**
 * Asks the server to explain a newest-first page of `runs`. FerretDB answers `sortPushdown: false`
 * (it reads every matching document and sorts them itself); MongoDB has no such field and serves
 * the sort and limit from the `{createdAt: -1, _id: -1}` index.
 */
export async function detectSortPushdown(db: Db, log: StoreLog): Promise<boolean> {
  let answer: Record<string, unknown>;
  try {
    answer = await db.command({ explain: { find: 'runs', filter: {}, sort: { createdAt: -1, _id: -1 }, limit: 1 }, verbosity: 'queryPlanner' });
  } catch (error) {
    if (!isNotImplemented(error)) throw error;
    answer = { sortPushdown: false };
  }
  const pushdown = answer.sortPushdown !== false && answer.limitPushdown !== false;
  if (!pushdown) {
    log('info', 'server does not sort or limit in its storage engine; the runs list reads a page through time windows of createdAt', {
      feature: 'sortPushdown',
    });
  }
  return pushdown;
}
