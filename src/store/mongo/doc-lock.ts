import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { isDuplicateKey } from './mongo-errors.ts';

/**
 * Mutual exclusion for read-modify-write sequences on one document, for servers whose updates
 * are not atomic (FerretDB 1.x loses concurrent updates of one document; see capabilities.ts).
 * On servers with atomic updates the stores use `noLock` and rely on conditional updates alone.
 *
 * `InsertLock` uses the one operation such servers do make atomic: an insert into a unique index.
 * Holding = a `locks` document `{_id: key, owner, until}`; released by deleting it. A holder that
 * died leaves a document whose `until` passes; it is then removed by the next waiter.
 * Within one process, callers for the same key queue in memory first, so only one of them polls.
 */
export interface DocLock {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export const noLock: DocLock = { run: (_key, fn) => fn() };

export class LockTimeoutError extends Error {
  constructor(key: string, waitMs: number) {
    super(`could not lock ${key} within ${waitMs} ms; another process holds it (see the locks collection)`);
    this.name = 'LockTimeoutError';
  }
}

interface LockDoc {
  _id: string;
  owner: string;
  until: Date;
}

export interface InsertLockOptions {
  /** a holder is presumed dead this long after taking the lock (wall clock), default 30 s */
  ttlMs?: number;
  /** how long to wait for the lock before failing, default 30 s */
  waitMs?: number;
}

export class InsertLock implements DocLock {
  readonly #locks;
  readonly #ttlMs: number;
  readonly #waitMs: number;
  readonly #local = new Map<string, Promise<void>>();

  constructor(db: Db, options: InsertLockOptions = {}) {
    this.#locks = db.collection<LockDoc>('locks');
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#waitMs = options.waitMs ?? 30_000;
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#local.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => mine);
    this.#local.set(key, tail);
    await previous;
    try {
      const owner = await this.#acquire(key);
      try {
        return await fn();
      } finally {
        await this.#locks.deleteOne({ _id: key, owner });
      }
    } finally {
      done();
      if (this.#local.get(key) === tail) this.#local.delete(key);
    }
  }

  async #acquire(key: string): Promise<string> {
    const owner = randomUUID();
    const started = Date.now();
    for (let round = 0; ; round++) {
      try {
        await this.#locks.insertOne({ _id: key, owner, until: new Date(Date.now() + this.#ttlMs) });
        return owner;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      if (round % 20 === 19) {
        const held = await this.#locks.findOne({ _id: key });
        if (held && held.until.getTime() < Date.now()) await this.#locks.deleteOne({ _id: key, owner: held.owner });
      }
      if (Date.now() - started > this.#waitMs) throw new LockTimeoutError(key, this.#waitMs);
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * Math.min(50, 2 * round)));
    }
  }
}
