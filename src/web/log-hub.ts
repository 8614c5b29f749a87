import { TERMINAL_STATUSES, type Status } from '../pipeline/types.ts';
import type { ChangeFeed, ChangeListener, LogQuery, LogStore, RunStore, StoredLogLine } from '../store/store.ts';

/**
 * One tail per followed run, shared by every live client of that run (API `?follow=1` streams and
 * run pages alike), after Woodpecker's log multiplexer: the database is read once per poll per run,
 * whatever the number of viewers. A tail reads the run's log from its start and keeps the lines while
 * anyone follows, so a client joining late (or resuming after a cursor) is served from memory.
 * The run's status is read *before* each drain, so every line written before the run finished is
 * delivered before the end. With a change feed (a MongoDB change stream), a tail drains as soon as
 * its run changes and polls only as a safety net (feedPollMs, 10 × pollMs); while the feed
 * is missing or broken, it polls every pollMs.
 */

/** how much slower tails poll while the change feed is open */
export const FEED_POLL_FACTOR = 10;

export interface RunEnd {
  status: Status;
  message: string | undefined;
}

export interface FollowUpdate {
  lines: StoredLogLine[];
  /** set once, with the last lines: the run finished (or disappeared: status error) */
  end?: RunEnd;
}

export interface LogHubDeps {
  runs: Pick<RunStore, 'get'>;
  logs: Pick<LogStore, 'read'>;
  pollMs: number;
  /** process-wide notice of run changes; without it tails only poll */
  changes?: ChangeFeed;
  /** the safety-net poll while the feed is open; default FEED_POLL_FACTOR × pollMs */
  feedPollMs?: number;
  /** how long a tail of a finished run stays in memory after its last client left */
  lingerMs?: number;
  onError?: (error: unknown, runId: string) => void;
}


interface Tail {
  lines: StoredLogLine[];
  end: RunEnd | undefined;
  /** the first drain is done: every line written before the tail started is in `lines` */
  drained: boolean;
  error: unknown;
  clients: number;
  /** the run changed since the current drain began: drain again without waiting */
  changed: boolean;
  waiters: Set<() => void>;
  wake: (() => void) | undefined;
  linger: NodeJS.Timeout | undefined;
}

export interface LogHub {
  /**
   * The lines of `runId` matching `query`'s group/step/attempt after `query.after` (a cursor seen
   * before), then live lines as they are written, then the end. Ends early when `signal` aborts.
   */
  follow(runId: string, query: LogQuery, signal: AbortSignal): AsyncGenerator<FollowUpdate>;
  /** runs with a tail in memory (for tests and metrics) */
  tails(): number;
  close(): void;
}

export function createLogHub(deps: LogHubDeps): LogHub {
  const tails = new Map<string, Tail>();
  let closed = false;
  const feedPollMs = deps.feedPollMs ?? deps.pollMs * FEED_POLL_FACTOR;
  const feed = { open: false, polling: 0, unsubscribe: undefined as (() => void) | undefined };

  const wakeAll = (): void => {
    for (const tail of tails.values()) {
      tail.changed = true;
      tail.wake?.();
    }
  };
  // a drain after the feed opened catches what the feed never saw; a feed that broke leaves the slow poll
  const listener: ChangeListener = {
    changed: (runId: string) => {
      const tail = tails.get(runId);
      if (tail === undefined) return;
      tail.changed = true;
      tail.wake?.();
    },
    state: (open: boolean) => {
      feed.open = open;
      wakeAll();
    },
  };
  /** the feed is listened to while any tail polls */
  const pollingStarted = (): void => {
    feed.polling += 1;
    if (feed.polling === 1 && deps.changes !== undefined) feed.unsubscribe = deps.changes.subscribe(listener);
  };
  const pollingStopped = (): void => {
    feed.polling -= 1;
    if (feed.polling > 0) return;
    feed.unsubscribe?.();
    [feed.unsubscribe, feed.open] = [undefined, false];
  };

  const notify = (tail: Tail): void => {
    for (const waiter of tail.waiters) waiter();
    tail.waiters.clear();
  };

  const poll = async (runId: string, tail: Tail): Promise<void> => {
    pollingStarted();
    try {
      while (!closed && tail.clients > 0 && tail.end === undefined) {
        tail.changed = false;
        const run = await deps.runs.get(runId);
        const end = run === null ? { status: 'error' as Status, message: 'the run no longer exists' } : TERMINAL_STATUSES.includes(run.status) ? { status: run.status, message: run.message } : undefined;
        // one query per poll, without a limit: on FerretDB every query of a run's log costs about as
        // much as reading all of it (the sort is not pushed down), so pages would make a long log quadratic
        const after = tail.lines.at(-1)?.cursor;
        const fresh = await deps.logs.read(runId, after === undefined ? {} : { after });
        for (const line of fresh) tail.lines.push(line);
        if (fresh.length > 0) notify(tail);
        if (!tail.drained) {
          tail.drained = true;
          notify(tail);
        }
        if (end !== undefined) {
          tail.end = end;
          notify(tail);
          return;
        }
        if (tail.changed) continue;
        await new Promise<void>((resolve) => {
          // setTimeout turns a delay past 2^31-1 ms into 1 ms
          const timer = setTimeout(resolve, Math.min(feed.open ? feedPollMs : deps.pollMs, 2 ** 31 - 1));
          tail.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        tail.wake = undefined;
      }
    } catch (error) {
      tail.error = error;
      deps.onError?.(error, runId);
      notify(tail);
    } finally {
      pollingStopped();
    }
  };

  const acquire = (runId: string): Tail => {
    let tail = tails.get(runId);
    if (tail === undefined || tail.error !== undefined) {
      tail = { lines: [], end: undefined, drained: false, error: undefined, clients: 0, changed: false, waiters: new Set(), wake: undefined, linger: undefined };
      tails.set(runId, tail);
    }
    clearTimeout(tail.linger);
    tail.clients += 1;
    if (tail.clients === 1 && tail.end === undefined) {
      const started = tail;
      void poll(runId, started);
    }
    return tail;
  };

  const release = (runId: string, tail: Tail): void => {
    tail.clients -= 1;
    if (tail.clients > 0) return;
    tail.wake?.();
    if (tail.end === undefined || tail.error !== undefined) {
      if (tails.get(runId) === tail) tails.delete(runId);
      return;
    }
    tail.linger = setTimeout(() => {
      if (tail.clients === 0 && tails.get(runId) === tail) tails.delete(runId);
    }, deps.lingerMs ?? 30_000);
    tail.linger.unref();
  };

  const matches = (query: LogQuery) => (line: StoredLogLine): boolean =>
    (query.group === undefined || line.group === query.group) && (query.step === undefined || line.step === query.step) && (query.attempt === undefined || line.attempt === query.attempt);

  async function* follow(runId: string, query: LogQuery, signal: AbortSignal): AsyncGenerator<FollowUpdate> {
    const tail = acquire(runId);
    const wanted = matches(query);
    try {
      let index = 0;
      let seeking = query.after !== undefined;
      while (!signal.aborted && !closed) {
        if (tail.error !== undefined) throw tail.error;
        if (seeking) {
          const found = tail.lines.findIndex((line) => line.cursor === query.after);
          if (found >= 0) [index, seeking] = [found + 1, false];
          else if (tail.drained) seeking = false; // a cursor of no line of this run: from the start
        }
        const end = tail.end;
        const available = tail.lines.length;
        if (!seeking && (index < available || end !== undefined)) {
          const lines = tail.lines.slice(index, available).filter(wanted);
          index = available;
          if (end !== undefined && index === tail.lines.length) {
            yield { lines, end };
            return;
          }
          if (lines.length > 0) yield { lines };
          continue;
        }
        await new Promise<void>((resolve) => {
          const done = (): void => {
            signal.removeEventListener('abort', done);
            resolve();
          };
          tail.waiters.add(done);
          signal.addEventListener('abort', done, { once: true });
        });
      }
    } finally {
      release(runId, tail);
    }
  }

  return {
    follow,
    tails: () => tails.size,
    close: () => {
      closed = true;
      feed.unsubscribe?.();
      feed.unsubscribe = undefined;
      for (const tail of tails.values()) {
        clearTimeout(tail.linger);
        tail.wake?.();
        notify(tail);
      }
      tails.clear();
    },
  };
}
