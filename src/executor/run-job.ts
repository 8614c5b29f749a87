import type { Plan, PlannedGroup, Status } from '../pipeline/types.ts';
import { ExecutorError, type Executor, type RunResources } from './executor.ts';
import type { EventSink } from './events.ts';
import { createLimiter } from './limit.ts';
import { createMasker } from './log/mask.ts';
import type { Outcome, RunContext } from './run-context.ts';
import { cancelMessage, errorMessage, reportNotRun } from './run-context.ts';
import { runGroupAttempt } from './run-group.ts';

export interface RunJobOptions {
  runId: string;
  executor: Executor;
  onEvent: EventSink;
  /** aborting cancels the run: running commands are killed, containers removed, status `cancelled` */
  signal?: AbortSignal;
  /** retries of a failed group when the plan does not say */
  defaultRetry: number;
  /** most groups running at once */
  groupConcurrency: number;
  /** values of the plan's secrets by name: injected as env vars, masked in every log line and message */
  secrets: Record<string, string>;
  /** extra values to mask (e.g. tokens) that are not env vars */
  maskValues?: string[];
  /** bytes of log kept per step attempt; then one "log truncated" line and the rest is dropped */
  logCapBytes: number;
  /** limit of a step whose plan sets no timeout (PISTAGES_DEFAULT_TIMEOUT); undefined = no limit */
  defaultTimeoutMs?: number;
  /** PISTAGES_* context of the trigger (repo, sha, ref, ...); run-job adds the per-step ones */
  context: Record<string, string>;
  /** attempt number of the first attempt (a re-queued run after a crash starts later), default 1 */
  firstAttempt?: number;
  /** run only these groups (rerun of failed groups); others are reported `skipped` */
  onlyGroups?: string[];
  /** the time stamped on events; injected by tests, default `new Date()` */
  clock?: () => Date;
}

export interface GroupResult {
  name: string;
  status: Status;
  /** attempts this call made: 0 for a group that never started (skipped, or cancelled before it ran) */
  attempts: number;
  /** the attempt number of the last attempt made (or reported), for finding its logs */
  lastAttempt?: number;
}

export interface RunResult {
  status: Status;
  groups: GroupResult[];
  /** why, for a run that did not succeed, and what its clean-up left behind (also on the run's final event) */
  message?: string;
}

/**
 * Which outcomes runJob retries itself: a command that failed or ran out of time (flaky tests,
 * a slow mirror). `error` is not retried here: a missing image or a bad template fails the same
 * way again, and an engine failure is better retried by the scheduler on a healthy worker (it
 * can re-run just those groups with `onlyGroups` and a later `firstAttempt`). `cancelled` never is.
 */
const RETRIED: ReadonlySet<Status> = new Set<Status>(['failure', 'timed_out']);

/**
 * Runs `plan` on `options.executor` and reports progress through `options.onEvent`.
 * Groups run concurrently (at most `groupConcurrency`), steps of a group in order; each group
 * attempt gets a fresh workspace and fresh containers, all removed before the attempt reports.
 * What the groups share (the executor's prepareRun: a network of the run's own) is made once,
 * before the first group, and released after the last, whatever happened.
 * Resolves with the final statuses; rejects only if `onEvent` fails (after cleaning up) or the
 * options are invalid. The retry budget (`plan.retry ?? defaultRetry`) is per call.
 */
export async function runJob(plan: Plan, options: RunJobOptions): Promise<RunResult> {
  const unknown = (options.onlyGroups ?? []).filter((name) => !plan.groups.some((g) => g.name === name));
  if (unknown.length > 0) {
    throw new Error(`onlyGroups names groups the job "${plan.job}" does not have: ${unknown.join(', ')}`);
  }
  const limit = createLimiter(options.groupConcurrency);
  const clock = options.clock ?? (() => new Date());
  const ctx: RunContext = {
    plan,
    runId: options.runId,
    executor: options.executor,
    onEvent: options.onEvent,
    signal: options.signal ?? new AbortController().signal,
    masker: createMasker([...Object.values(options.secrets), ...(options.maskValues ?? [])]),
    secrets: options.secrets,
    context: options.context,
    logCapBytes: options.logCapBytes,
    defaultTimeoutMs: options.defaultTimeoutMs,
    clock,
  };
  const firstAttempt = options.firstAttempt ?? 1;
  const retries = plan.retry ?? options.defaultRetry;
  const selected = (group: PlannedGroup): boolean => options.onlyGroups === undefined || options.onlyGroups.includes(group.name);

  await options.onEvent({ type: 'run', runId: options.runId, status: 'running', at: clock() });
  const shared = await prepareRun(ctx, firstAttempt);
  const settled = await Promise.allSettled(
    plan.groups.map(async (group): Promise<GroupResult> => {
      if (!selected(group)) {
        await reportNotRun(ctx, group, firstAttempt, { status: 'skipped', message: 'not selected for this run' });
        return { name: group.name, status: 'skipped', attempts: 0, lastAttempt: firstAttempt };
      }
      if (shared.failure) {
        await reportNotRun(ctx, group, firstAttempt, shared.failure);
        return { name: group.name, status: shared.failure.status, attempts: 0, lastAttempt: firstAttempt };
      }
      return limit(() => runGroup(ctx, group, firstAttempt, retries));
    }),
  );
  // every group has finished (and cleaned up) before the run's resources go
  const leftover = await releaseRun(ctx, shared.resources);
  // ... and before a sink failure is passed on
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const groups = settled.map((s) => (s as PromiseFulfilledResult<GroupResult>).value);
  const final = runOutcome(groups, ctx.signal);
  const joined = [final.message, leftover].filter((m) => m !== undefined).join('; ');
  const message = joined === '' ? undefined : ctx.masker.maskText(joined);
  await options.onEvent({ type: 'run', runId: options.runId, status: final.status, at: clock(), ...(message !== undefined && { message }) });
  return { status: final.status, groups, ...(message !== undefined && { message }) };
}

/**
 * The executor's run-level resources, or why the run cannot have them: then every selected group
 * is reported with that outcome (`error`, or `cancelled` when the run was cancelled meanwhile).
 */
async function prepareRun(ctx: RunContext, attempt: number): Promise<{ resources?: RunResources; failure?: Outcome }> {
  if (ctx.executor.prepareRun === undefined || ctx.signal.aborted) return {};
  try {
    return { resources: await ctx.executor.prepareRun({ runId: ctx.runId, job: ctx.plan.job, attempt }, ctx.signal) };
  } catch (err) {
    if (ctx.signal.aborted) return { failure: { status: 'cancelled', message: cancelMessage(ctx.signal) } };
    const why = err instanceof ExecutorError ? err.message : `unexpected error: ${errorMessage(err)}`;
    return { failure: { status: 'error', message: `cannot prepare the run: ${why}` } };
  }
}

/** Releases the run's resources; a failure does not change the run's status, it is returned as a clean-up note. */
async function releaseRun(ctx: RunContext, resources: RunResources | undefined): Promise<string | undefined> {
  if (resources === undefined || ctx.executor.releaseRun === undefined) return undefined;
  try {
    await ctx.executor.releaseRun(resources);
    return undefined;
  } catch (err) {
    return `clean-up: ${errorMessage(err)}; the sweep of leftovers removes it later`;
  }
}

/** A group's attempts: the first, then a retry while the outcome is retryable and budget remains. */
async function runGroup(ctx: RunContext, group: PlannedGroup, firstAttempt: number, retries: number): Promise<GroupResult> {
  if (ctx.signal.aborted) {
    // cancelled while waiting for a slot: it never ran
    await reportNotRun(ctx, group, firstAttempt, { status: 'cancelled', message: cancelMessage(ctx.signal) });
    return { name: group.name, status: 'cancelled', attempts: 0, lastAttempt: firstAttempt };
  }
  for (let made = 1; ; made++) {
    const attempt = firstAttempt + made - 1;
    const outcome: Outcome = await runGroupAttempt(ctx, group, attempt);
    if (!RETRIED.has(outcome.status) || made > retries || ctx.signal.aborted) {
      return { name: group.name, status: outcome.status, attempts: made, lastAttempt: attempt };
    }
  }
}

/**
 * The run's status: `cancelled` if any group was cancelled, else the first of failure, timed_out,
 * error that a group has (a failing command is what the author must act on first), else success;
 * `skipped` when no group ran at all.
 */
function runOutcome(groups: GroupResult[], signal: AbortSignal): Outcome {
  const ran = groups.filter((g) => g.status !== 'skipped');
  if (ran.length === 0) return { status: 'skipped', message: 'no group was selected to run' };
  if (ran.some((g) => g.status === 'cancelled')) return { status: 'cancelled', message: cancelMessage(signal) };
  const status = (['failure', 'timed_out', 'error'] as const).find((s) => ran.some((g) => g.status === s));
  if (status === undefined) return { status: 'success' };
  const bad = ran.filter((g) => g.status !== 'success').map((g) => `${g.name} (${g.status})`);
  return { status, message: `not every group succeeded: ${bad.join(', ')}` };
}
