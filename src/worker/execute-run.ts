import type { RunEvent, RunStatusEvent } from '../executor/events.ts';
import { beyondCapacity } from '../executor/capacity.ts';
import type { Executor } from '../executor/executor.ts';
import { createMasker } from '../executor/log/mask.ts';
import type { runJob as RunJob } from '../executor/run-job.ts';
import { TERMINAL_STATUSES } from '../pipeline/types.ts';
import type { RunQueue } from '../scheduler/queue.ts';
import { secretRepo } from '../store/secret-names.ts';
import { NotFoundError, type LogStore, type RunCredentialStore, type RunRecord, type RunStore, type SecretStore } from '../store/store.ts';
import { watchEngine } from './engine-watch.ts';
import { EventWriter } from './event-writer.ts';
import type { WorkerLogger } from './logger.ts';
import { closeStaleAttempts } from './stale-attempts.ts';
import { diskFullMessage, isDiskFull, retryDatabaseWrite } from './store-retry.ts';

/** how long the worker keeps trying a run's status and log writes while the database is unreachable */
const STORE_RETRY_MS = 60_000;

/** Why a run was stopped from outside run-job. */
export type StopReason = 'cancel' | 'shutdown' | 'lease-lost';

/** The abort handle of one running run; the first reason wins. */
export class RunControl {
  readonly controller = new AbortController();
  #reason: StopReason | undefined;
  #leaseHeld: () => boolean | Promise<boolean> = () => true;

  /** `held` says whether this worker still holds the run's lease (see Heartbeat.held); a loss stops the run. */
  watchLease(held: () => boolean | Promise<boolean>): void {
    this.#leaseHeld = held;
  }

  /** false when the run must not go on here: its lease was lost (a promise only while that is checked). */
  leaseHeld(): boolean | Promise<boolean> {
    return this.#reason !== 'lease-lost' && this.#leaseHeld();
  }

  get reason(): StopReason | undefined {
    return this.#reason;
  }

  stop(reason: StopReason, message: string): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.controller.abort(message);
  }
}

export interface ExecuteRunDeps {
  runs: RunStore;
  logs: LogStore;
  secrets: SecretStore;
  /** short-lived values stored with the run (the checkout token): given to steps as variables, masked */
  credentials?: Pick<RunCredentialStore, 'get'>;
  queue: Pick<RunQueue, 'enqueue'>;
  executor: Executor;
  runJob: typeof RunJob;
  reapRun: (runId: string) => Promise<void>;
  workerId: string;
  defaultRetry: number;
  groupConcurrency: number;
  logCapBytes: number;
  /** limit of steps whose job sets no timeout (PISTAGES_DEFAULT_TIMEOUT) */
  defaultTimeoutMs?: number;
  /** starts of one run (crash recoveries and engine retries together) before it is given up as `error` */
  maxStarts: number;
  /** first engine-retry delay; doubled per start, capped at engineRetryMaxMs */
  engineRetryBaseMs: number;
  engineRetryMaxMs: number;
  log: WorkerLogger;
  now: () => Date;
}

/**
 * Runs a run this worker has just claimed, to a final status or back into the queue:
 * leftovers of an earlier start are removed, secrets resolved, the plan run with run-job, and its
 * events written to the stores. The final `run` event is rewritten when the run must go again:
 * - the worker is shutting down → `queued` and re-enqueued at once;
 * - the container engine failed → `queued` and re-enqueued with exponential backoff, until
 *   `maxStarts` starts have been used, then `error`;
 * - the lease was lost → nothing more is written at all: another worker owns the run now.
 */
export async function executeRun(deps: ExecuteRunDeps, run: RunRecord, control: RunControl): Promise<void> {
  const { runs, log, now } = deps;
  if (run.starts > 1) {
    // the previous start died with the run unfinished: its containers may still be there
    await deps.reapRun(run.id).catch((err: unknown) => log.warn({ err, runId: run.id }, 'worker: could not remove leftovers of an earlier start'));
    const why = run.cancelRequested
      ? 'the worker running this attempt stopped before it finished, and the run was cancelled meanwhile'
      : 'the worker running this attempt stopped before it finished (its lease ran out); the run starts again as a new attempt';
    await closeStaleAttempts({ runs, logs: deps.logs }, run, { status: run.cancelRequested ? 'cancelled' : 'error', why, at: now() });
  }
  if (run.cancelRequested) {
    const ran = run.groups.some((g) => g.attempts.length > 0);
    await runs.finish(run.id, 'cancelled', ran ? 'run cancelled while it waited to start again; it was not started again' : 'run cancelled before it started', now());
    return;
  }
  if (run.starts > deps.maxStarts) {
    // a run whose workers keep dying (it may be what kills them) must not loop for ever
    await runs.finish(run.id, 'error', `gave up after ${deps.maxStarts} starts: the worker running it stopped before it finished each time`, now());
    return;
  }
  const refused = await beyondEngine(deps, run);
  if (refused !== undefined) {
    // the engine would refuse the same limits on every start: end the run before any step runs
    await runs.finish(run.id, 'error', `the job "${run.plan.job}" cannot start: ${refused}`, now());
    return;
  }
  let secrets: Record<string, string> = {};
  if (run.plan.secrets.length > 0) {
    try {
      secrets = await deps.secrets.resolve(run.plan.secrets, secretRepo(run));
    } catch (err) {
      // the same failure would repeat on any worker: end the run and say what to fix
      const why = err instanceof Error ? err.message : String(err);
      const message = err instanceof NotFoundError
        ? `the job "${run.plan.job}" cannot start: ${why}; then run it again`
        : `the job "${run.plan.job}" cannot start: its secrets could not be read (${why})`;
      await runs.finish(run.id, 'error', message, now());
      return;
    }
  }

  let credentials: Record<string, string> = {};
  try {
    credentials = (await deps.credentials?.get(run.id, now())) ?? {};
  } catch (err) {
    // without the token a checkout of a private repository fails and says so; the run still goes
    log.warn({ err, runId: run.id }, 'worker: could not read the run\'s credentials (is PISTAGES_SECRET_KEY the same as the server\'s?)');
  }

  const engine = watchEngine(deps.executor);
  // once stopping, the steps and groups left are stored in one write, however many there are
  // a database restart mid-run delays the run's writes instead of failing the run
  const masker = createMasker([...Object.values(secrets), ...Object.values(credentials)]);
  const writer = new EventWriter({ runs, logs: deps.logs, batching: () => control.controller.signal.aborted, retryForMs: STORE_RETRY_MS, mask: (text) => masker.maskText(text) });
  let requeueDelayMs: number | undefined;
  // once the final status is stored the run is no longer held (a heartbeat then reports it lost)
  let finalWritten = false;
  const onEvent = async (event: RunEvent): Promise<void> => {
    // checked before every write: a worker that missed its own heartbeat must not race a new owner
    const held = control.leaseHeld();
    if (held !== true && !(await held)) return;
    if (event.type === 'run' && TERMINAL_STATUSES.includes(event.status)) {
      const final = finalEvent(deps, run, event, control.reason, engine.engineFailure);
      requeueDelayMs = final.requeueDelayMs;
      await writer.write(final.event);
      finalWritten = true;
      return;
    }
    await writer.write(event);
  };

  try {
    await deps.runJob(run.plan, {
      runId: run.id,
      executor: engine.executor,
      onEvent,
      signal: control.controller.signal,
      defaultRetry: deps.defaultRetry,
      groupConcurrency: deps.groupConcurrency,
      secrets,
      maskValues: Object.values(credentials),
      logCapBytes: deps.logCapBytes,
      ...(deps.defaultTimeoutMs !== undefined && { defaultTimeoutMs: deps.defaultTimeoutMs }),
      context: { ...credentials, ...triggerContext(run) },
      firstAttempt: nextAttempt(run),
      ...(run.onlyGroups !== undefined && { onlyGroups: run.onlyGroups }),
      clock: now,
    });
    if (!finalWritten) {
      writer.discard(); // the lease was lost before the end: the run is another worker's now
      return;
    }
    await writer.close();
  } catch (err) {
    writer.discard();
    if (control.reason === 'lease-lost' && !finalWritten) return;
    // a store write failed or the plan was unusable: say so on the run rather than leave it `running`
    log.error({ err, runId: run.id }, 'worker: run failed outside its steps');
    // an error's text may quote what a step printed: masked like everything else stored
    const message = masker.maskText(isDiskFull(err) ? diskFullMessage(err) : `internal error while running the job: ${err instanceof Error ? err.message : String(err)}`);
    // the database may be restarting, or need a moment of space, to take this last write
    await retryDatabaseWrite(() => runs.finish(run.id, 'error', message, now()), STORE_RETRY_MS, { diskFull: 'retry' });
    return;
  }
  if (requeueDelayMs !== undefined) await deps.queue.enqueue(run.id, { delayMs: requeueDelayMs });
}

interface FinalDecision {
  event: RunStatusEvent;
  requeueDelayMs?: number;
}

function finalEvent(deps: ExecuteRunDeps, run: RunRecord, event: RunStatusEvent, reason: StopReason | undefined, engineFailure: string | undefined): FinalDecision {
  if (reason === 'shutdown' && event.status === 'cancelled') {
    return { event: { ...event, status: 'queued', message: `worker ${deps.workerId} stopped before the run finished; it will start again` }, requeueDelayMs: 0 };
  }
  if (event.status !== 'error' || engineFailure === undefined || reason !== undefined) return { event };
  if (run.starts >= deps.maxStarts) {
    return { event: { ...event, message: `${engineFailure} (gave up after ${run.starts} starts)` } };
  }
  const delayMs = Math.min(deps.engineRetryBaseMs * 2 ** (run.starts - 1), deps.engineRetryMaxMs);
  const message = `${engineFailure}; retrying in ${Math.round(delayMs / 1000)} s (start ${run.starts} of at most ${deps.maxStarts})`;
  deps.log.warn({ runId: run.id, delayMs, starts: run.starts }, 'worker: container engine failed; run re-queued');
  return { event: { ...event, status: 'queued', message }, requeueDelayMs: delayMs };
}

/** A limit the engine would refuse (see beyondCapacity); an engine that cannot say is no reason not to start. */
async function beyondEngine(deps: ExecuteRunDeps, run: RunRecord): Promise<string | undefined> {
  if (deps.executor.capacity === undefined) return undefined;
  try {
    return beyondCapacity(run.plan, await deps.executor.capacity());
  } catch (err) {
    deps.log.warn({ err, runId: run.id }, "worker: could not read the engine's capacity; the run starts unchecked");
    return undefined;
  }
}

/** A run started again continues the attempt numbering: its first attempt follows the latest one. */
export function nextAttempt(run: RunRecord): number {
  return Math.max(0, ...run.groups.map((g) => g.attempt)) + 1;
}

/** PISTAGES_* values of the trigger; run-job adds the per-step ones. */
export function triggerContext(run: RunRecord): Record<string, string> {
  const context: Record<string, string> = { PISTAGES_EVENT: run.event ?? run.source };
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') context[name] = value;
  };
  add('PISTAGES_REPO', run.repo);
  add('PISTAGES_CLONE_URL', run.cloneUrl);
  add('PISTAGES_SHA', run.sha);
  add('PISTAGES_REF', run.ref);
  add('PISTAGES_BRANCH', run.branch);
  add('PISTAGES_PULL_REQUEST', run.pullRequest === undefined ? undefined : String(run.pullRequest));
  add('PISTAGES_SENDER', run.sender);
  if (run.fork === true) context.PISTAGES_FORK = 'true';
  return context;
}
