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
 * showed the final one. Holds one status per step attempt.
 */
export class RunWatch {
  private readonly printed = new Map<string, Status>();
  private latest: StepSeen[] = [];
  /** step attempts final in two snapshots in a row: their log lines have had a poll's time to arrive */
  private ripe = new Set<string>();

  constructor(private readonly runId: string) {}

  /** remembers the newest snapshot; nothing is emitted until asked */
  update(detail: RunDetail): void {
    const finalBefore = new Set(this.latest.filter((s) => isFinal(s.step.status)).map((s) => key(s.group, s.step.index, s.attempt)));
    const seen: StepSeen[] = [];
    for (const group of detail.groups) {
      const attempts = (group.attempts as { attempt: number; steps: StepDetail[] }[]) ?? [];
      for (const a of attempts) for (const step of a.steps) seen.push({ group: group.name, step, attempt: a.attempt });
    }
    this.latest = seen;
    this.ripe = new Set(seen.map((s) => key(s.group, s.step.index, s.attempt)).filter((k) => finalBefore.has(k)));
  }

  /** a log line arrived for this step attempt: everything before it in its group is settled, and it has started */
  beforeLine(group: string, step: number, stepName: string, attempt: number, lineAt: Date): StepStatusEvent[] {
    const events = this.settle((s) => s.group === group && (s.attempt < attempt || (s.attempt === attempt && s.step.index < step)));
    const id = key(group, step, attempt);
    if (!this.printed.has(id)) {
      this.printed.set(id, 'running');
      const startedAt = this.latest.find((s) => key(s.group, s.step.index, s.attempt) === id)?.step.startedAt;
      events.push(this.event(group, { index: step, name: stepName }, attempt, 'running', startedAt ? new Date(startedAt) : lineAt));
    }
    return events;
  }

  /** a line of this step attempt arrived, but the last snapshot shows an earlier step of its group still running or not at all */
  behind(group: string, step: number, attempt: number): boolean {
    const known = this.latest.filter((s) => s.group === group && s.attempt === attempt);
    if (!known.some((s) => s.step.index === step)) return true;
    return known.some((s) => s.step.index < step && !isFinal(s.step.status));
  }

  /** steps that started since the last call, and those that finished a snapshot ago (or all finished ones, at the end) */
  changes(options: { end: boolean }): StepStatusEvent[] {
    // a step whose successor started has ended for good: its lines were all written before that start
    const started = new Map<string, number>();
    for (const s of this.latest) {
      if (s.step.status === 'queued' || s.step.status === 'skipped') continue;
      const group = `${s.group}#${s.attempt}`;
      started.set(group, Math.max(started.get(group) ?? -1, s.step.index));
    }
    return this.settle((s) => options.end || this.ripe.has(key(s.group, s.step.index, s.attempt)) || s.step.index < (started.get(`${s.group}#${s.attempt}`) ?? -1));
  }

  /** starts of running steps; final statuses only where `final` says they may be printed now */
  private settle(final: (s: StepSeen) => boolean): StepStatusEvent[] {
    const events: StepStatusEvent[] = [];
    for (const s of this.latest) {
      const id = key(s.group, s.step.index, s.attempt);
      const was = this.printed.get(id);
      const status = s.step.status as Status;
      if (status === 'queued' || status === was) continue;
      const done = status !== 'running';
      if (done && !final(s)) {
        if (was === undefined && s.step.startedAt !== null) {
          this.printed.set(id, 'running');
          events.push(this.event(s.group, s.step, s.attempt, 'running', new Date(s.step.startedAt)));
        }
        continue;
      }
      if (was === undefined && status !== 'skipped') {
        events.push(this.event(s.group, s.step, s.attempt, 'running', new Date(s.step.startedAt ?? Date.now())));
      }
      this.printed.set(id, status);
      if (done) events.push(this.event(s.group, s.step, s.attempt, status, new Date(s.step.finishedAt ?? s.step.startedAt ?? Date.now()), s.step));
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
