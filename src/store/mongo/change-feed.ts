import { MongoServerError, type Db, type Document } from 'mongodb';
import type { ChangeFeed, ChangeListener } from '../store.ts';
import type { StoreLog } from './store-log.ts';

/** The part of a driver ChangeStream the feed uses (tests give a scripted one). */
export interface ChangeStreamLike {
  /** the next change, or null after an empty wait; throws when the stream broke */
  tryNext(): Promise<Document | null>;
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  log: StoreLog;
  /** first wait before reopening a broken stream; doubles up to maxRetryMs (defaults 1 s, 60 s) */
  retryMs?: number;
  maxRetryMs?: number;
  /** the stream stays open this long after the last listener left, so reconnecting viewers reuse it (30 s) */
  idleMs?: number;
}

/**
 * Inserts into `logs` (projected to their runId) and changes of `runs` (their _id), in one
 * database-level change stream: what a live log view must react to, and nothing of the documents.
 */
export function watchRunChanges(db: Db, awaitMs: number): ChangeStreamLike {
  return db.watch(
    [
      { $match: { $or: [{ 'ns.coll': 'logs', operationType: 'insert' }, { 'ns.coll': 'runs', operationType: { $in: ['update', 'replace', 'delete'] } }] } },
      { $project: { operationType: 1, 'ns.coll': 1, 'documentKey._id': 1, 'fullDocument.runId': 1 } },
    ],
    { maxAwaitTimeMS: awaitMs },
  );
}

/**
 * Whether the server has change streams: opens the feed's stream and reads once. A replica set
 * answers; a standalone mongod and FerretDB 1.x answer an error (logged), and live views poll.
 */
export async function detectChangeStreams(db: Db, log: StoreLog): Promise<boolean> {
  const stream = watchRunChanges(db, 1);
  try {
    await stream.tryNext();
    return true;
  } catch (error) {
    if (!(error instanceof MongoServerError)) throw error;
    log('info', 'server has no change streams (a replica set has them); live log views poll the database', { feature: 'changeStreams', error: error.message });
    return false;
  } finally {
    await stream.close().catch(() => undefined);
  }
}

/** the run a projected change is about */
function runIdOf(change: Document): string | undefined {
  const id: unknown = change.ns?.coll === 'logs' ? change.fullDocument?.runId : change.documentKey?._id;
  return typeof id === 'string' ? id : undefined;
}

interface Session {
  stopped: boolean;
  stream: ChangeStreamLike | undefined;
  /** ends the wait before a retry */
  interrupt: (() => void) | undefined;
}

/**
 * Opens the change stream with the first listener and keeps it while anyone listens (plus idleMs).
 * A stream that breaks is closed, listeners are told (they poll), and it is reopened with backoff;
 * the first failure of a streak is logged, and the recovery. Never throws into its listeners' code.
 */
export class MongoChangeFeed implements ChangeFeed {
  readonly #options: Required<ChangeFeedOptions>;
  readonly #watch: () => ChangeStreamLike;
  readonly #listeners = new Set<ChangeListener>();
  #open = false;
  #closed = false;
  #session: Session | undefined;
  /** the current session's loop, so a new one starts after the old stream is closed */
  #loop: Promise<void> = Promise.resolve();
  #idle: NodeJS.Timeout | undefined;

  /** `watch` opens the stream (watchRunChanges in production) */
  constructor(watch: () => ChangeStreamLike, options: ChangeFeedOptions) {
    this.#watch = watch;
    this.#options = { retryMs: 1000, maxRetryMs: 60_000, idleMs: 30_000, ...options };
  }

  subscribe(listener: ChangeListener): () => void {
    if (this.#closed) {
      listener.state(false);
      return () => undefined;
    }
    this.#listeners.add(listener);
    clearTimeout(this.#idle);
    this.#idle = undefined;
    listener.state(this.#open);
    if (this.#session === undefined || this.#session.stopped) {
      const session: Session = { stopped: false, stream: undefined, interrupt: undefined };
      this.#session = session;
      this.#loop = this.#loop.then(() => this.#run(session));
    }
    return () => {
      if (!this.#listeners.delete(listener) || this.#listeners.size > 0 || this.#closed) return;
      this.#idle = setTimeout(() => this.#stop(), this.#options.idleMs);
      this.#idle.unref();
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idle);
    this.#stop();
    await this.#loop; // listeners hear the feed close
    this.#listeners.clear();
  }

  #stop(): void {
    const session = this.#session;
    if (session === undefined) return;
    session.stopped = true;
    session.interrupt?.();
    void session.stream?.close().catch(() => undefined);
  }

  async #run(session: Session): Promise<void> {
    let delay = this.#options.retryMs;
    let failing = false;
    while (!session.stopped) {
      try {
        session.stream = this.#watch();
        for (let first = true; !session.stopped; first = false) {
          const change = await session.stream.tryNext();
          if (first && !session.stopped) {
            if (failing) this.#options.log('info', 'change stream reopened; live log views follow it again', { feature: 'changeStreams' });
            [failing, delay] = [false, this.#options.retryMs];
            this.#setOpen(true);
          }
          const runId = change === null || session.stopped ? undefined : runIdOf(change);
          if (runId !== undefined) this.#tell((listener) => listener.changed(runId));
        }
      } catch (error) {
        if (session.stopped) break;
        this.#setOpen(false);
        if (!failing) {
          this.#options.log('warn', `change stream failed; live log views poll the database and the stream is reopened in ${delay} ms`, {
            feature: 'changeStreams',
            error: error instanceof Error ? error.message : String(error),
          });
        }
        failing = true;
      } finally {
        await session.stream?.close().catch(() => undefined);
        session.stream = undefined;
      }
      if (session.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        session.interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      session.interrupt = undefined;
      delay = Math.min(delay * 2, this.#options.maxRetryMs);
    }
    this.#setOpen(false);
  }

  #setOpen(open: boolean): void {
    if (this.#open === open) return;
    this.#open = open;
    this.#tell((listener) => listener.state(open));
  }

  #tell(call: (listener: ChangeListener) => void): void {
    for (const listener of [...this.#listeners]) {
      try {
        call(listener);
      } catch (error) {
        this.#options.log('warn', 'a change listener threw', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}

/**
 * The feed of `db` when the server has change streams (probed once), else undefined: live views
 * then poll. One stream per process, whatever the number of viewers; `awaitMs` is how long the
 * server holds an empty read (default 1 s; close() may wait that long).
 */
export async function openChangeFeed(db: Db, options: ChangeFeedOptions & { awaitMs?: number }): Promise<ChangeFeed | undefined> {
  if (!(await detectChangeStreams(db, options.log))) return undefined;
  const { awaitMs = 1000, ...rest } = options;
  return new MongoChangeFeed(() => watchRunChanges(db, awaitMs), rest);
}
