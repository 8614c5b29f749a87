import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient, RunEnd } from '../client/api-client.ts';
import type { LogFilters, LogLine, RunDetail } from '../client/api-types.ts';
import type { LogLineEvent, StepStatusEvent } from '../executor/events.ts';
import type { Status } from '../pipeline/types.ts';
import { EXIT } from './exit-codes.ts';
import { RunPrinter } from './run-printer.ts';
import { RunWatch } from './run-watch.ts';

export interface FollowOptions {
  /** JSON lines (one event per line) instead of the terminal rendering */
  json: boolean;
  colour: boolean;
  filters: LogFilters;
  /** how often the run's statuses are read while following (default 500 ms) */
  pollMs?: number;
  /** aborting stops following (the run goes on on the server) and resolves with 130 */
  signal?: AbortSignal;
}

type Write = (text: string) => void | Promise<void>;

/**
 * Follows a server run and prints what `pistages run` prints for a local one: the queue position
 * while it waits, step start and status lines, log lines, and the summary table; resolves with the
 * same exit codes (0 success, 1 failed, 130 interrupted). Log lines come from the SSE stream, step
 * statuses from reading the run as it goes.
 */
export async function followRun(client: ApiClient, id: string, write: Write, options: FollowOptions): Promise<number> {
  const first = await client.getRun(id);
  const watch = new RunWatch(id);
  watch.update(first);
  const printer = new RunPrinter({ groups: first.groups.map((g) => ({ name: g.name, steps: g.steps })) }, write, options.colour);
  const wanted = (e: { group: string; step: number; attempt: number }): boolean =>
    (options.filters.group === undefined || e.group === options.filters.group) &&
    (options.filters.step === undefined || e.step === options.filters.step) &&
    (options.filters.attempt === undefined || e.attempt === options.filters.attempt);
  const print = async (event: StepStatusEvent | LogLineEvent | { type: 'queued'; ahead: number | string }): Promise<void> => {
    if (event.type !== 'queued' && !wanted(event)) return;
    if (options.json) return write(`${JSON.stringify(event)}\n`);
    if (event.type === 'queued') return write(`queued: waiting for a worker (${event.ahead} ahead)\n`);
    return printer.onEvent(event);
  };
  // output is written in one sequence, whichever of the stream and the poller produced it; events
  // are worked out when their turn comes, so the watch sees every earlier line before deciding
  let sequence: Promise<void> = Promise.resolve();
  const enqueue = (events: () => Parameters<typeof print>[0][]): Promise<void> => (sequence = sequence.then(async () => {
    for (const event of events()) await print(event);
  }));

  const queue = new QueuePosition(client, first);
  const waiting = await queue.notices(first);
  await enqueue(() => [...waiting, ...watch.changes({ end: false })]);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  const poller = (async () => {
    while (!stop.signal.aborted) {
      await sleep(options.pollMs ?? 500, undefined, { signal: stop.signal }).catch(() => undefined);
      if (stop.signal.aborted) return;
      let detail: RunDetail;
      let notices: Awaited<ReturnType<QueuePosition['notices']>>;
      try {
        detail = await client.getRun(id);
        notices = await queue.notices(detail);
      } catch {
        // a failed read is retried on the next tick; the log stream reports a server that is gone
        continue;
      }
      await enqueue(() => {
        watch.update(detail);
        return [...notices, ...watch.changes({ end: false })];
      });
    }
  })();

  let end: RunEnd;
  try {
    end = await client.followLogs(id, options.filters, (line: LogLine) => {
      const event: LogLineEvent = { type: 'log', runId: id, group: line.group, step: line.step, attempt: line.attempt, seq: line.seq, stream: line.stream, line: line.line, at: new Date(line.at) };
      sequence = sequence.then(async () => {
        // a line of a later step means the earlier ones ended: read the run if the last reading predates that
        if (watch.behind(line.group, line.step, line.attempt)) watch.update(await client.getRun(id));
      });
      void enqueue(() => [...watch.beforeLine(line.group, line.step, line.stepName, line.attempt, event.at), event]);
    }, stop.signal);
  } catch (error) {
    if (!stop.signal.aborted) throw error;
    await sequence;
    return EXIT.interrupted;
  } finally {
    stop.abort();
    options.signal?.removeEventListener('abort', onAbort);
    await poller;
  }
  const last = await client.getRun(id);
  await enqueue(() => {
    watch.update(last);
    return watch.changes({ end: true });
  });
  if (options.json) {
    await write(`${JSON.stringify({ type: 'end', runId: id, status: end.status, message: end.message })}\n`);
  } else {
    await write(printer.summary(end.status as Status, elapsed(last)));
    // the run's own message matters when no step says what went wrong (cancelled while queued, say)
    if (end.message && end.status !== 'success' && !printer.showsFailure) await write(`${end.message}\n`);
  }
  return end.status === 'success' ? EXIT.success : EXIT.failed;
}

function elapsed(run: RunDetail): number {
  if (run.startedAt === null) return 0;
  return new Date(run.finishedAt ?? Date.now()).getTime() - new Date(run.startedAt).getTime();
}

/** "N ahead" while a run is queued, said again only when N changes. */
class QueuePosition {
  private said: string | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly run: RunDetail,
  ) {}

  async notices(detail: RunDetail): Promise<{ type: 'queued'; ahead: number | string }[]> {
    if (detail.status !== 'queued') return [];
    const page = await this.client.listRuns({ status: 'queued', limit: 100 });
    const ahead = page.runs.filter((r) => r.createdAt < this.run.createdAt || (r.createdAt === this.run.createdAt && r.id < this.run.id)).length;
    const text = page.next !== null && ahead === page.runs.length ? `${ahead}+` : String(ahead);
    if (text === this.said) return [];
    this.said = text;
    return [{ type: 'queued', ahead: page.next === null ? ahead : text }];
  }
}
