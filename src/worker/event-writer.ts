import type { GroupStatusEvent, LogLineEvent, RunEvent, StepStatusEvent } from '../executor/events.ts';
import { TERMINAL_STATUSES } from '../pipeline/types.ts';
import type { LogStore, RunStore } from '../store/store.ts';
import { retryDatabaseWrite } from './store-retry.ts';

/** status writes a run may have queued before write() waits for the store */
const MAX_UNAWAITED_WRITES = 8;

export interface EventWriterOptions {
  runs: Pick<RunStore, 'apply' | 'applyBatch'>;
  logs: Pick<LogStore, 'append'>;
  /**
   * While this says true (the run is stopping), group and step statuses are gathered and stored
   * in one write before the run's next status (or at flush/close), however many steps remain.
   */
  batching?: () => boolean;
  /** flush when this many lines are buffered (default 500) */
  maxLines?: number;
  /** flush when the buffered lines hold this many bytes of text (default 256 KiB) */
  maxBytes?: number;
  /** flush lines at least this often while a run is quiet (default 250 ms) */
  flushMs?: number;
  /**
   * How long a write failing with a database error (the server restarting, a lost connection) is
   * tried again, backing off, before it counts as failed (default 0: not retried). The stores'
   * writes are idempotent, so a write that did land before its answer was lost is harmless.
   */
  retryForMs?: number;
  /**
   * Masks the run's secrets in the text of status events (messages, step names, outputs and their
   * keys) before they are stored. run-job masks what it reports; this also covers what the worker
   * adds on the way (an engine failure's message). Log lines arrive masked (StepLog) and are kept.
   */
  mask?: (text: string) => string;
}

// a full disk is not waited out: more output would only fill it further (see store-retry.ts)
const withRetry = (work: () => Promise<void>, retryForMs: number): Promise<void> => retryDatabaseWrite(work, retryForMs, { diskFull: 'fail' });

function maskStatus<E extends Exclude<RunEvent, LogLineEvent>>(event: E, mask: (text: string) => string): E {
  const masked: E = { ...event };
  if (masked.message !== undefined) masked.message = mask(masked.message);
  if (masked.type === 'step') {
    masked.stepName = mask(masked.stepName);
    if (masked.outputs !== undefined) masked.outputs = Object.fromEntries(Object.entries(masked.outputs).map(([k, v]) => [mask(k), mask(v)]));
  }
  return masked;
}

/**
 * Writes one run's events to the stores: status events straight to RunStore.apply, log lines in
 * batches to LogStore.append. Order is kept: buffered lines are stored before any later status
 * event, so a step (and the run) is only reported finished once its output is stored.
 * Backpressure: write() resolves only after a flush it triggered, so a fast producer waits for
 * the database instead of growing the buffer. Status events are queued on the same ordered chain
 * but not awaited while few writes are pending, so a store round trip does not sit between a
 * step's "running" and its container start; close() waits for all of them. A failed write
 * rejects the next write() and close(). Log lines do not wait for earlier status writes (a slow
 * status write never holds back output a crash would lose), but a status waits for every line
 * before it.
 */
export class EventWriter {
  readonly #runs: Pick<RunStore, 'apply' | 'applyBatch'>;
  readonly #logs: Pick<LogStore, 'append'>;
  readonly #maxLines: number;
  readonly #maxBytes: number;
  readonly #timer: NodeJS.Timeout;
  readonly #batching: () => boolean;
  readonly #retryForMs: number;
  readonly #mask: ((text: string) => string) | undefined;
  #buffer: LogLineEvent[] = [];
  #batch: (GroupStatusEvent | StepStatusEvent)[] = [];
  #bufferedBytes = 0;
  /** status writes, one at a time, in call order, each after the log appends queued before it */
  #tail: Promise<void> = Promise.resolve();
  /** log appends, one at a time, in call order */
  #logTail: Promise<void> = Promise.resolve();
  #failure: unknown;
  #closed = false;
  /** store writes queued and not yet done */
  #pending = 0;

  constructor(options: EventWriterOptions) {
    this.#runs = options.runs;
    this.#logs = options.logs;
    this.#maxLines = options.maxLines ?? 500;
    this.#maxBytes = options.maxBytes ?? 256 * 1024;
    this.#batching = options.batching ?? (() => false);
    this.#retryForMs = options.retryForMs ?? 0;
    this.#mask = options.mask;
    this.#timer = setInterval(() => {
      this.#takeBuffer()?.catch(() => {}); // kept in #failure, reported by the next write/close
    }, options.flushMs ?? 250);
    this.#timer.unref();
  }

  async write(original: RunEvent): Promise<void> {
    if (this.#closed) throw new Error('event writer is closed');
    if (this.#failure !== undefined) throw this.#failure;
    const event = this.#mask === undefined || original.type === 'log' ? original : maskStatus(original, this.#mask);
    if (event.type === 'log') {
      this.#buffer.push(event);
      this.#bufferedBytes += Buffer.byteLength(event.line);
      if (this.#buffer.length >= this.#maxLines || this.#bufferedBytes >= this.#maxBytes) await this.#takeBuffer();
      return;
    }
    if (event.type !== 'run' && this.#batching()) {
      this.#batch.push(event);
      return;
    }
    this.#takeBuffer();
    this.#takeBatch();
    const written = this.#enqueue(() => this.#runs.apply(event));
    // a run's final status is awaited: the caller hands the run over once it is stored
    if (this.#pending > MAX_UNAWAITED_WRITES || (event.type === 'run' && TERMINAL_STATUSES.includes(event.status))) await written;
    else written.catch(() => {}); // kept in #failure, reported by the next write/close
  }

  /** Stores the buffered lines and statuses; resolves when they (and everything written before) are stored. */
  flush(): Promise<void> {
    this.#takeBuffer();
    this.#takeBatch();
    return this.#enqueue(async () => {});
  }

  /** Flushes and stops the timer; rejects with the first store failure, if any. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      clearInterval(this.#timer);
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Drops anything buffered without storing it (the run is no longer ours). */
  discard(): void {
    this.#buffer = [];
    this.#batch = [];
    this.#bufferedBytes = 0;
    this.#closed = true;
    clearInterval(this.#timer);
  }

  /** Queues the buffered lines for storing; the promise says when they are stored. */
  #takeBuffer(): Promise<void> | undefined {
    if (this.#buffer.length === 0) return undefined;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#bufferedBytes = 0;
    const appended = this.#enqueue(() => this.#logs.append(batch), 'log');
    appended.catch(() => {}); // kept in #failure, reported by the next write/close
    return appended;
  }

  #takeBatch(): void {
    if (this.#batch.length === 0) return;
    const events = this.#batch;
    this.#batch = [];
    const runId = events[0]?.runId as string;
    void this.#enqueue(() => this.#runs.applyBatch(runId, events)).catch(() => {});
  }

  #enqueue(work: () => Promise<void>, kind: 'status' | 'log' = 'status'): Promise<void> {
    this.#pending++;
    const after = kind === 'log' ? this.#logTail : Promise.all([this.#tail, this.#logTail]);
    const next = after.then(async () => {
      try {
        if (this.#failure !== undefined) throw this.#failure;
        await withRetry(work, this.#retryForMs);
      } catch (err) {
        this.#failure ??= err;
        throw err;
      } finally {
        this.#pending--;
      }
    });
    if (kind === 'log') this.#logTail = next.catch(() => {});
    else this.#tail = next.catch(() => {});
    return next;
  }
}
