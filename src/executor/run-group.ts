import type { PlannedGroup } from '../pipeline/types.ts';
import type { AttemptState, Outcome, RunContext } from './run-context.ts';
import { cancelMessage, emitGroup, emitStep, errorMessage } from './run-context.ts';
import { runStep } from './run-step.ts';
import { ExecutorError } from './executor.ts';

/**
 * One attempt of a group: a fresh workspace, the steps in order in fresh containers, then the
 * removal of everything the attempt created, whatever happened, before the group's final status.
 * Event order: group running → (step running → logs → step final)* → clean-up lines → group final.
 */
export async function runGroupAttempt(ctx: RunContext, group: PlannedGroup, attempt: number): Promise<Outcome> {
  const att: AttemptState = {
    scope: { runId: ctx.runId, job: ctx.plan.job, group: group.name, attempt },
    containers: new Map(),
    containerStep: new Map(),
    outputs: {},
    logs: new Map(),
  };
  await emitGroup(ctx, group, attempt, { status: 'running' });
  let outcome: Outcome;
  try {
    outcome = await runSteps(ctx, group, att);
  } catch (err) {
    // only a failing event sink gets here: still remove what we created, then rethrow its error
    // (a second sink failure while reporting clean-up problems must not hide the first)
    await cleanUp(ctx, att).catch(() => undefined);
    throw err;
  }
  const leftovers = await cleanUp(ctx, att);
  if (leftovers.length > 0) {
    // no step log to write to (no step ran): keep the problem visible on the group
    outcome = { ...outcome, message: [outcome.message, ...leftovers].filter(Boolean).join('; ') };
  }
  await emitGroup(ctx, group, attempt, outcome);
  return outcome;
}

async function runSteps(ctx: RunContext, group: PlannedGroup, att: AttemptState): Promise<Outcome> {
  const attempt = att.scope.attempt;
  let stopped: Outcome | undefined;
  if (ctx.signal.aborted) {
    stopped = { status: 'cancelled', message: cancelMessage(ctx.signal) };
  } else {
    try {
      att.workspace = await ctx.executor.createWorkspace(att.scope);
    } catch (err) {
      stopped = ctx.signal.aborted
        ? { status: 'cancelled', message: cancelMessage(ctx.signal) }
        : { status: 'error', message: `cannot create the group's workspace: ${describe(err)}` };
    }
  }
  for (const step of group.steps) {
    if (stopped === undefined && ctx.signal.aborted) stopped = { status: 'cancelled', message: cancelMessage(ctx.signal) };
    if (stopped !== undefined) {
      // steps after a stop never ran, whatever the reason: `skipped`
      await emitStep(ctx, group, step, attempt, { status: 'skipped' });
      continue;
    }
    const report = await runStep(ctx, group, att, step);
    if (report.status !== 'success') stopped = { status: report.status, message: groupMessage(step.name, report) };
  }
  return stopped ?? { status: 'success' };
}

function groupMessage(stepName: string, report: Outcome & { exitCode?: number }): string {
  switch (report.status) {
    case 'failure':
      return `step "${stepName}" failed with exit code ${report.exitCode ?? '?'}`;
    case 'cancelled':
      return report.message ?? 'run cancelled';
    default:
      return `step "${stepName}": ${report.message ?? report.status}`;
  }
}

function describe(err: unknown): string {
  return err instanceof ExecutorError ? err.message : `unexpected error: ${errorMessage(err)}`;
}

/**
 * Removes every container (newest first) and the workspace of the attempt. A failed removal does
 * not stop the others; it is reported as a system line in the log of the step that started the
 * container (or the last step that ran). Returns the problems that had no step log to go to.
 */
async function cleanUp(ctx: RunContext, att: AttemptState): Promise<string[]> {
  const problems: { step: number | undefined; line: string }[] = [];
  const lastStep = [...att.logs.keys()].pop();
  for (const [number, container] of [...att.containers].reverse()) {
    try {
      await ctx.executor.removeContainer(container);
    } catch (err) {
      problems.push({
        step: att.containerStep.get(number) ?? lastStep,
        line: `clean-up: could not remove container ${container.id} (${container.image}): ${errorMessage(err)}; it may need removing by hand`,
      });
    }
  }
  att.containers.clear();
  if (att.workspace) {
    const workspace = att.workspace;
    att.workspace = undefined;
    try {
      await ctx.executor.removeWorkspace(workspace);
    } catch (err) {
      problems.push({
        step: lastStep,
        line: `clean-up: could not remove workspace ${workspace.id}: ${errorMessage(err)}; it may need removing by hand`,
      });
    }
  }
  const unplaced: string[] = [];
  for (const problem of problems) {
    const log = problem.step === undefined ? undefined : att.logs.get(problem.step);
    if (log) await log.system(problem.line);
    else unplaced.push(problem.line);
  }
  return unplaced;
}
