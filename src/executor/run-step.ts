import { renderStepOutputs } from '../pipeline/template.ts';
import type { PlannedGroup, PlannedStep } from '../pipeline/types.ts';
import type { ContainerHandle, ExecRequest } from './executor.ts';
import { ExecutorError } from './executor.ts';
import { createStepLog } from './log/step-log.ts';
import type { StepLog } from './log/step-log.ts';
import type { AttemptState, RunContext, StepReport } from './run-context.ts';
import { cancelMessage, emitStep, errorMessage } from './run-context.ts';
import { containerEnv, StepSetupError, stepEnv } from './step-env.ts';

/**
 * Runs one step of a group attempt: renders step outputs into its commands and env, starts its
 * container or reuses the group's, runs the commands in order, and reports the final status.
 * Never throws for a failing step (only when the event sink itself fails).
 */
export async function runStep(ctx: RunContext, group: PlannedGroup, att: AttemptState, step: PlannedStep): Promise<StepReport> {
  const attempt = att.scope.attempt;
  await emitStep(ctx, group, step, attempt, { status: 'running' });
  const log = createStepLog({
    runId: ctx.runId,
    group: group.name,
    step: step.index,
    attempt,
    onEvent: ctx.onEvent,
    masker: ctx.masker,
    capBytes: ctx.logCapBytes,
    clock: ctx.clock,
  });
  att.logs.set(step.index, log);
  const report = await execute(ctx, group, att, step, log);
  await log.close();
  if (report.message !== undefined) await log.system(report.message);
  if (report.status === 'success' && step.id !== undefined && report.outputs) att.outputs[step.id] = report.outputs;
  await emitStep(ctx, group, step, attempt, report);
  return report;
}

class StepTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`step timed out after ${formatDuration(timeoutMs)}; its commands were stopped (raise \`timeout\` on the step or job if it needs longer)`);
    this.name = 'StepTimeout';
  }
}

async function execute(ctx: RunContext, group: PlannedGroup, att: AttemptState, step: PlannedStep, log: StepLog): Promise<StepReport> {
  const timeout = new AbortController();
  const signal = AbortSignal.any([ctx.signal, timeout.signal]);
  let timer: NodeJS.Timeout | undefined;
  // why the step stopped early, if it did: cancellation wins over a timeout that fired meanwhile
  const interrupted = (): StepReport | undefined => {
    if (ctx.signal.aborted) return { status: 'cancelled', message: cancelMessage(ctx.signal) };
    if (timeout.signal.aborted) return { status: 'timed_out', message: errorMessage(timeout.signal.reason) };
    return undefined;
  };
  try {
    const { commands, env } = prepare(ctx, att, step);
    // secrets only ever reach the exec of each command, never the container's own environment
    const createEnv = containerEnv(env, ctx.plan.secrets, ctx.masker.values);
    const oneShot = runsOneShot(ctx, group, step, commands, Object.keys(createEnv).length === Object.keys(env).length);
    const container = await containerFor(ctx, att, step, createEnv, log, oneShot ? { command: commands[0] as string, env } : undefined);
    const ms = step.timeoutMs ?? ctx.defaultTimeoutMs;
    if (ms !== undefined) {
      // the limit covers the step's commands, not the image pull or container start before them
      timer = setTimeout(() => timeout.abort(new StepTimeout(ms)), ms);
    }
    const outputs: Record<string, string> = {};
    for (const command of commands) {
      const early = interrupted();
      if (early) return early;
      const result =
        oneShot && ctx.executor.runOneShot
          ? await ctx.executor.runOneShot(container, log.sink, signal)
          : await ctx.executor.exec(container, { command, env }, log.sink, signal);
      Object.assign(outputs, result.outputs);
      if (result.exitCode !== 0) {
        // a command killed by the abort may still report an exit code; the abort is the real reason
        const reason = interrupted();
        if (reason) return reason;
        await log.system(`command exited with code ${result.exitCode}: ${firstLine(command)}`);
        return { status: 'failure', exitCode: result.exitCode, outputs };
      }
    }
    return interrupted() ?? { status: 'success', exitCode: 0, outputs };
  } catch (err) {
    const reason = interrupted();
    if (reason) return reason;
    // `error`, never retried: a refused limit or malformed outputs would fail the same way again
    if (err instanceof ExecutorError || err instanceof StepSetupError) return { status: 'error', message: err.message };
    return { status: 'error', message: `unexpected error: ${errorMessage(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The step's commands and environment with step outputs rendered in, just before it runs. */
function prepare(ctx: RunContext, att: AttemptState, step: PlannedStep): { commands: string[]; env: Record<string, string> } {
  const render = (text: string, what: string): string => {
    try {
      return renderStepOutputs(text, att.outputs);
    } catch (err) {
      throw new StepSetupError(`cannot render ${what} of step "${step.name}": ${errorMessage(err)}`);
    }
  };
  const commands = step.commands.map((command, i) => render(command, `command ${i + 1}`));
  const renderedEnv = Object.fromEntries(Object.entries(step.env).map(([key, value]) => [key, render(value, `env ${key}`)]));
  const env = stepEnv(ctx.plan, step, renderedEnv, ctx.secrets, ctx.context, {
    runId: ctx.runId,
    job: ctx.plan.job,
    group: att.scope.group,
    attempt: att.scope.attempt,
  });
  return { commands, env };
}

/**
 * Whether the step runs as its container's own process (Executor.createOneShot): it starts a
 * container that no later step of the group uses, has one command, and no secret in its environment
 * (`noSecrets`: a container's own environment shows in `docker inspect`). Saves the keep-alive shell,
 * an exec and a kill per container; the step behaves the same either way.
 */
function runsOneShot(ctx: RunContext, group: PlannedGroup, step: PlannedStep, commands: string[], noSecrets: boolean): boolean {
  return (
    ctx.executor.createOneShot !== undefined &&
    ctx.executor.runOneShot !== undefined &&
    step.startsContainer &&
    commands.length === 1 &&
    noSecrets &&
    !group.steps.some((later) => later.index > step.index && later.container === step.container)
  );
}

async function containerFor(
  ctx: RunContext,
  att: AttemptState,
  step: PlannedStep,
  /** without secrets: a container's create-time environment is visible to `docker inspect` */
  env: Record<string, string>,
  log: StepLog,
  /** the command of a one-shot container (see runsOneShot) */
  oneShot?: ExecRequest,
): Promise<ContainerHandle> {
  if (!step.startsContainer) {
    const existing = att.containers.get(step.container);
    if (existing) return existing;
    throw new StepSetupError(`step "${step.name}" runs in container ${step.container} of its group, which no earlier step started`);
  }
  if (!att.workspace) throw new StepSetupError(`step "${step.name}" has no workspace`);
  if (att.containers.has(step.container)) {
    throw new StepSetupError(`step "${step.name}" starts container ${step.container} of its group, which is already running`);
  }
  // pull progress becomes system lines of the step, in order, before whatever the start ends with
  let pullLines: Promise<void> = Promise.resolve();
  const onPull = (line: string): void => {
    pullLines = pullLines.then(() => log.system(line));
  };
  let handle: ContainerHandle;
  const request = {
    scope: att.scope,
    container: step.container,
    image: step.image,
    env,
    ...(step.resources !== undefined && { resources: step.resources }),
    workspace: att.workspace,
    onPull,
  };
  try {
    handle =
      oneShot && ctx.executor.createOneShot
        ? await ctx.executor.createOneShot(request, oneShot, ctx.signal)
        : await ctx.executor.startContainer(request, ctx.signal);
  } finally {
    await pullLines;
  }
  att.containers.set(step.container, handle);
  att.containerStep.set(step.container, step.index);
  return handle;
}

function firstLine(command: string): string {
  const line = command.trim().split('\n')[0] ?? '';
  return line.length > 120 || command.trim().includes('\n') ? `${line.slice(0, 120)} …` : line;
}

/** `90s`, `10m`, `1h30m`, `250ms`: how users write durations */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const parts: string[] = [];
  if (s >= 3600) parts.push(`${Math.floor(s / 3600)}h`);
  if (s % 3600 >= 60) parts.push(`${Math.floor((s % 3600) / 60)}m`);
  if (s % 60 > 0) parts.push(`${s % 60}s`);
  return parts.join('');
}
