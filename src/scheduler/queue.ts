/**
 * The queue of runs waiting for a worker. It only carries run ids: the run itself lives in the
 * RunStore, and a handler must claim it there (the queue may deliver a run more than once, e.g.
 * when a lock expires, so delivery is at-least-once and the RunStore lease makes it exactly-once).
 */

export interface EnqueueOptions {
  /** start no earlier than this many ms from now (backoff after an infrastructure error) */
  delayMs?: number;
}

export interface HandlerContext {
  /** aborted when the queue stops without draining: the handler should give the run back quickly */
  signal: AbortSignal;
}

export type RunHandler = (runId: string, ctx: HandlerContext) => Promise<void>;

export interface RunQueue {
  /** Makes `runId` available to workers. Safe to call from a process that never starts handling. */
  enqueue(runId: string, options?: EnqueueOptions): Promise<void>;
  /** Starts delivering runs to `handler` (at most the queue's concurrency at once). Once only. */
  start(handler: RunHandler): Promise<void>;
  /**
   * Stops taking new runs, then waits until every running handler has returned.
   * `drain: true` lets running handlers finish on their own; `drain: false` aborts their
   * `ctx.signal` first. enqueue keeps working afterwards (a stopping worker may re-queue runs).
   */
  stop(options: { drain: boolean }): Promise<void>;
}
