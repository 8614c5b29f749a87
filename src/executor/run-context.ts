import type { Plan, PlannedGroup, PlannedStep, Status } from '../pipeline/types.ts';
import type { ContainerHandle, Executor, RunScope, Workspace } from './executor.ts';
import type { EventSink, StepStatusEvent } from './events.ts';
import type { Masker } from './log/mask.ts';
import type { StepLog } from './log/step-log.ts';

/** What every group of one run shares. Built once by runJob; read-only afterwards. */
export interface RunContext {
  plan: Plan;
  runId: string;
  executor: Executor;
  onEvent: EventSink;
  /** aborted when the run is cancelled */
  signal: AbortSignal;
  masker: Masker;
  secrets: Record<string, string>;
  context: Record<string, string>;
  logCapBytes: number;
  /** limit of a step that sets no timeout of its own; undefined = none */
  defaultTimeoutMs: number | undefined;
  clock: () => Date;
}

/** The state of one group attempt: what it created (to remove) and what its steps produced. */
export interface AttemptState {
  scope: RunScope;
  workspace?: Workspace;
  /** by plan container number */
  containers: Map<number, ContainerHandle>;
  /** which step started each container, so clean-up problems land in that step's log */
  containerStep: Map<number, number>;
  /** outputs of the finished steps that have an id, for `{{ .steps.<id>.outputs.<key> }}` */
  outputs: Record<string, Record<string, string>>;
  logs: Map<number, StepLog>;
}

export interface Outcome {
  status: Status;
  message?: string;
}

export async function emitGroup(ctx: RunContext, group: PlannedGroup, attempt: number, outcome: Outcome): Promise<void> {
  await ctx.onEvent({
    type: 'group',
    runId: ctx.runId,
    group: group.name,
    attempt,
    status: outcome.status,
    at: ctx.clock(),
    ...(outcome.message !== undefined && { message: ctx.masker.maskText(outcome.message) }),
  });
}

export interface StepReport extends Outcome {
  exitCode?: number;
  outputs?: Record<string, string>;
}

export async function emitStep(
  ctx: RunContext,
  group: PlannedGroup,
  step: PlannedStep,
  attempt: number,
  report: StepReport,
): Promise<void> {
  const mask = (text: string): string => ctx.masker.maskText(text);
  const event: StepStatusEvent = {
    type: 'step',
    runId: ctx.runId,
    group: group.name,
    step: step.index,
    stepName: mask(step.name),
    attempt,
    status: report.status,
    at: ctx.clock(),
  };
  if (report.exitCode !== undefined) event.exitCode = report.exitCode;
  if (report.message !== undefined) event.message = mask(report.message);
  if (report.outputs !== undefined) {
    // keys too: `echo "key_$TOKEN=v" >> $PISTAGES_OUTPUT` must not store the token
    event.outputs = Object.fromEntries(Object.entries(report.outputs).map(([k, v]) => [mask(k), mask(v)]));
  }
  await ctx.onEvent(event);
}

/** A never-run group: every step `skipped`, then the group with `status`. */
export async function reportNotRun(ctx: RunContext, group: PlannedGroup, attempt: number, outcome: Outcome): Promise<void> {
  for (const step of group.steps) await emitStep(ctx, group, step, attempt, { status: 'skipped' });
  await emitGroup(ctx, group, attempt, outcome);
}

/** The user-facing reason of a cancellation. */
export function cancelMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  return why && !/^This operation was aborted$/.test(why) ? `run cancelled: ${why}` : 'run cancelled';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
