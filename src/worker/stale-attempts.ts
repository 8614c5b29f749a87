import type { GroupStatusEvent, LogLineEvent, StepStatusEvent } from '../executor/events.ts';
import { TERMINAL_STATUSES, type Status } from '../pipeline/types.ts';
import type { LogStore, RunRecord, RunStore } from '../store/store.ts';

type ElementEvent = GroupStatusEvent | StepStatusEvent;

/**
 * Closes the attempts an earlier start of `run` left open because its worker died (SIGKILL, power
 * loss): in one write, a step that was running gets `status` with `why`, the steps after it
 * `skipped`, and the attempt `status`; the interrupted step's log ends with a system line saying
 * so. Called by the worker that claimed the run next, after it removed the old containers.
 */
export async function closeStaleAttempts(
  stores: { runs: Pick<RunStore, 'applyBatch'>; logs: Pick<LogStore, 'read' | 'append'> },
  run: RunRecord,
  closing: { status: Status; why: string; at: Date },
): Promise<void> {
  const events = staleAttemptEvents(run, closing.status, closing.why, closing.at);
  if (events.length === 0) return;
  const lines: LogLineEvent[] = [];
  for (const event of events) {
    if (event.type !== 'step' || event.status === 'skipped') continue;
    const last = await stores.logs.read(run.id, { group: event.group, step: event.step, attempt: event.attempt, tail: 1 });
    lines.push({
      type: 'log',
      runId: run.id,
      group: event.group,
      step: event.step,
      attempt: event.attempt,
      seq: (last[0]?.seq ?? -1) + 1,
      stream: 'system',
      line: closing.why,
      at: closing.at,
    });
  }
  if (lines.length > 0) await stores.logs.append(lines);
  await stores.runs.applyBatch(run.id, events);
}

/** The events that close every unfinished attempt of `run` (none when every attempt has ended). */
export function staleAttemptEvents(run: RunRecord, status: Status, why: string, at: Date): ElementEvent[] {
  const ended = (s: Status): boolean => TERMINAL_STATUSES.includes(s);
  const events: ElementEvent[] = [];
  for (const group of run.groups) {
    const planned = run.plan.groups.find((g) => g.name === group.name)?.steps ?? [];
    for (const attempt of group.attempts) {
      if (ended(attempt.status)) continue;
      const base = { runId: run.id, group: group.name, attempt: attempt.attempt, at };
      const indexes = [...new Set([...planned.map((s) => s.index), ...attempt.steps.map((s) => s.index)])].sort((a, b) => a - b);
      for (const index of indexes) {
        const stored = attempt.steps.find((s) => s.index === index);
        if (stored !== undefined && ended(stored.status)) continue;
        const stepName = stored?.name ?? planned.find((s) => s.index === index)?.name ?? `step ${index}`;
        const interrupted = stored?.status === 'running';
        events.push({
          ...base,
          type: 'step',
          step: index,
          stepName,
          status: interrupted ? status : 'skipped',
          ...(interrupted && { message: why }),
        });
      }
      events.push({ ...base, type: 'group', status, message: why });
    }
  }
  return events;
}
