import type { RunDetail, StepDetail } from '../client/api-types.ts';
import type { StepStatusEvent } from '../executor/events.ts';
import type { Status } from '../pipeline/types.ts';

/** A step attempt of a server run as the API reports it. */
interface StepSeen {
  group: string;
  step: StepDetail;
  attempt: number;
}

const key = (group: string, step: number, attempt: number): string => `${group}#${step}#${attempt}`;

/**
 * Turns successive snapshots of a server run (GET /api/runs/:id) into the step events a local run
 * emits, each once and in order: `running` before a final status, even when a snapshot only ever
 * showed the final one. Snapshots run ahead of the log stream, so a status change is held back
 * until the stream has delivered a line written after it, or until it has waited `holdMs` with no
 * line arriving meanwhile (a step that prints nothing); a line of a later step settles the earlier
 * ones at once.
 */
export class RunWatch {
  private readonly printed = new Map<string, Status>();
  private latest: StepSeen[] = [];
  /** the newest line time the log stream delivered (the worker's clock, as step times are) */
  private streamAt = 0;
  /** when each status change was first seen, and when the last line arrived (this machine's clock) */
  private readonly seenAt = new Map<string, number>();
  private lineArrivedAt = 0;

  constructor(
    private readonly runId: string,
    private readonly holdMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  /** remembers the newest snapshot; nothing is emitted until asked */
  update(detail: RunDetail): void {
    const seen: StepSeen[] = [];
    for (const group of detail.groups) {
      const attempts = (group.attempts as { attempt: number; steps: StepDetail[] }[]) ?? [];
      for (const a of attempts) for (const step of a.steps) seen.push({ group: group.name, step, attempt: a.attempt });
    }
    this.latest = seen;
    for (const s of seen) {
      const change = `${key(s.group, s.step.index, s.attempt)}@${s.step.status}`;
      if (!this.seenAt.has(change)) this.seenAt.set(change, this.now());
    }
  }

  /** a line of this step attempt arrived, but the last snapshot shows an earlier step of its group still running, or not this one */
  behind(group: string, step: number, attempt: number): boolean {
    const known = this.latest.filter((s) => s.group === group && s.attempt === attempt);
    if (!known.some((s) => s.step.index === step)) return true;
    return known.some((s) => s.step.index < step && !isFinal(s.step.status));
  }

  /** a line of this step attempt arrived: everything before it in its group is settled, and it has started */
  beforeLine(group: string, step: number, stepName: string, attempt: number, lineAt: Date): StepStatusEvent[] {
    this.streamAt = Math.max(this.streamAt, lineAt.getTime());
    this.lineArrivedAt = this.now();
    const events = this.settle((s) => s.group === group && (s.attempt < attempt || (s.attempt === attempt && s.step.index < step)));
    const id = key(group, step, attempt);
    if (!this.printed.has(id)) {
      this.printed.set(id, 'running');
      const startedAt = this.latest.find((s) => key(s.group, s.step.index, s.attempt) === id)?.step.startedAt;
      events.push(this.event(group, { index: step, name: stepName }, attempt, 'running', startedAt ? new Date(startedAt) : lineAt));
    }
    return events;
  }

  /** status changes the log stream has caught up with or that waited long enough; every one at the end */
  changes(options: { end: boolean }): StepStatusEvent[] {
    return this.settle((s) => {
      if (options.end) return true;
      const at = isFinal(s.step.status) ? s.step.finishedAt : s.step.startedAt;
      if (at !== null && new Date(at).getTime() <= this.streamAt) return true;
      const since = this.seenAt.get(`${key(s.group, s.step.index, s.attempt)}@${s.step.status}`) ?? this.now();
      return this.now() - Math.max(since, this.lineArrivedAt) >= this.holdMs;
    });
  }

  /** emits, for the steps `due` lets through, what was not printed yet: a start, then a final status */
  private settle(due: (s: StepSeen) => boolean): StepStatusEvent[] {
    const events: StepStatusEvent[] = [];
    for (const s of this.latest) {
      const id = key(s.group, s.step.index, s.attempt);
      const was = this.printed.get(id);
      const status = s.step.status as Status;
      // a snapshot read before a newer one may be applied after it: a printed final status stays
      if (status === 'queued' || status === was || (was !== undefined && isFinal(was)) || !due(s)) continue;
      if (was === undefined && status !== 'skipped') {
        events.push(this.event(s.group, s.step, s.attempt, 'running', new Date(s.step.startedAt ?? s.step.finishedAt ?? this.now())));
      }
      this.printed.set(id, status);
      if (isFinal(status)) events.push(this.event(s.group, s.step, s.attempt, status, new Date(s.step.finishedAt ?? s.step.startedAt ?? this.now()), s.step));
    }
    return events;
  }

  private event(group: string, step: Pick<StepDetail, 'index' | 'name'>, attempt: number, status: Status, at: Date, detail?: StepDetail): StepStatusEvent {
    const event: StepStatusEvent = { type: 'step', runId: this.runId, group, step: step.index, stepName: step.name, attempt, status, at };
    if (detail?.exitCode !== null && detail?.exitCode !== undefined) event.exitCode = detail.exitCode;
    if (detail?.message) event.message = detail.message;
    return event;
  }
}

function isFinal(status: string): boolean {
  return status !== 'queued' && status !== 'running';
}
