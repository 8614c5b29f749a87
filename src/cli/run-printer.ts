import type { RunEvent } from '../executor/events.ts';
import type { Status } from '../pipeline/types.ts';
import { createStyle, type Style } from './style.ts';

interface StepRow {
  group: string;
  step: string;
  status: Status;
  attempt: number;
  startedAt?: Date;
  finishedAt?: Date;
  message?: string;
}

/** What the printer needs of a plan: group and step names (a server run's detail has them too). */
export interface PlanOutline {
  groups: readonly { name: string; steps: readonly { name: string }[] }[];
}

/**
 * Turns run events into live terminal output (`group/step │ line`) and, at the end, a summary
 * table. Holds only one row per step attempt, never log lines.
 */
export class RunPrinter {
  private readonly style: Style;
  private readonly rows = new Map<string, StepRow>();
  /** prefix width: the plan's longest `group/step`, grown when a longer one shows up (a server run read before its steps were recorded) */
  private width: number;
  /** messages printed per group attempt: a step or group status repeating one does not print it again */
  private readonly groupSaid = new Set<string>();

  constructor(
    plan: PlanOutline,
    private readonly write: (text: string) => void | Promise<void>,
    colour: boolean,
  ) {
    this.style = createStyle(colour);
    this.width = Math.min(
      40,
      Math.max(0, ...plan.groups.flatMap((g) => g.steps.map((s) => `${g.name}/${s.name}`.length))),
    );
  }

  /** The printer's write promise is returned, so a slow terminal or pipe slows the run (backpressure). */
  readonly onEvent = (event: RunEvent): void | Promise<void> => {
    const s = this.style;
    switch (event.type) {
      case 'log': {
        const row = this.rows.get(`${event.group}#${event.step}#${event.attempt}`);
        const key = this.prefix(event.group, row?.step ?? String(event.step));
        if (event.stream === 'system') this.groupSaid.add(`${event.group}#${event.attempt}#${event.line}`);
        const text = event.stream === 'system' ? s.dim(event.line) : event.line;
        return this.write(`${key} ${s.dim('│')} ${text}\n`);
      }
      case 'step': {
        const id = `${event.group}#${event.step}#${event.attempt}`;
        const row = this.rows.get(id) ?? { group: event.group, step: event.stepName, status: event.status, attempt: event.attempt };
        row.status = event.status;
        if (event.status === 'running') row.startedAt = event.at;
        else if (event.status !== 'queued') row.finishedAt = event.at;
        if (event.message) row.message = event.message;
        this.rows.set(id, row);
        const retry = event.attempt > 1 ? s.dim(` (attempt ${event.attempt})`) : '';
        if (event.status === 'running') return this.write(`${this.prefix(event.group, event.stepName)} ${s.dim('▶')} ${s.bold(event.stepName)}${retry}\n`);
        if (event.status !== 'skipped' && event.status !== 'queued') {
          const exit = event.exitCode !== undefined && event.exitCode !== 0 ? ` exit code ${event.exitCode}` : '';
          const said = event.message !== undefined && this.groupSaid.has(`${event.group}#${event.attempt}#${event.message}`);
          if (event.message) this.groupSaid.add(`${event.group}#${event.attempt}#${event.message}`);
          const why = event.message && !said ? `: ${event.message}` : '';
          return this.write(`${this.prefix(event.group, event.stepName)} ${s.status(event.status)}${exit} ${s.dim(duration(row))}${why}\n`);
        }
        return;
      }
      case 'group':
        if (event.status !== 'running' && event.status !== 'success' && event.message && !this.repeats(event.group, event.attempt, event.message)) {
          return this.write(`${s.keyed(event.group, event.group)} ${s.status(event.status)}: ${event.message}\n`);
        }
        return;
      case 'run':
        return;
    }
  };

  /** the group's message says what one of its steps already said (`step "x": <that>`) */
  private repeats(group: string, attempt: number, message: string): boolean {
    const head = `${group}#${attempt}#`;
    for (const said of this.groupSaid) {
      if (said.startsWith(head) && (message === said.slice(head.length) || message.endsWith(`: ${said.slice(head.length)}`))) return true;
    }
    return false;
  }

  private prefix(group: string, step: string): string {
    const text = `${group}/${step}`;
    if (text.length > this.width && this.width < 40) this.width = Math.min(40, text.length);
    const cut = text.length > this.width ? `${text.slice(0, this.width - 1)}…` : text.padEnd(this.width);
    return this.style.keyed(group, cut);
  }

  /** some step attempt failed, timed out, errored or was cancelled: the table shows why the job did not succeed */
  get showsFailure(): boolean {
    return [...this.rows.values()].some((r) => FAILED.has(r.status) || r.status === 'cancelled');
  }

  /**
   * The final table: one row per step attempt, in the order they were first seen. A step that
   * succeeded only after an earlier attempt of it failed reads `success on retry`, and the job
   * line names the groups that needed a retry: a flaky pass is never shown as a plain success.
   */
  summary(status: Status, totalMs: number): string {
    const s = this.style;
    const header = ['GROUP', 'STEP', 'STATUS', 'DURATION', 'ATTEMPT'];
    const rows = [...this.rows.values()];
    const failedBefore = (r: StepRow) =>
      rows.some((o) => o.group === r.group && o.step === r.step && o.attempt < r.attempt && FAILED.has(o.status));
    const retried = new Set(rows.filter((r) => r.status === 'success' && failedBefore(r)).map((r) => r.group));
    const body = rows.map((r) => [r.group, r.step, r.status === 'success' && failedBefore(r) ? ON_RETRY : r.status, duration(r), String(r.attempt)]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
    const paint = (cell: string): string => (cell === ON_RETRY ? `${s.status('success')}${s.dim(ON_RETRY.slice('success'.length))}` : s.status(cell as Status));
    const line = (cells: string[], painted = false) =>
      cells
        .map((cell, i) => {
          const padded = cell.padEnd(widths[i] ?? 0);
          return painted && i === 2 ? padded.replace(cell, paint(cell)) : padded;
        })
        .join('  ')
        .trimEnd();
    const after = status === 'success' && retried.size > 0 ? ` on retry (${[...retried].join(', ')})` : '';
    return [
      '',
      s.bold(line(header)),
      ...body.map((row) => line(row, true)),
      '',
      `${s.bold('Job')} ${s.status(status)}${after} in ${(totalMs / 1000).toFixed(1)}s`,
      '',
    ].join('\n');
  }
}

const ON_RETRY = 'success on retry';
const FAILED: ReadonlySet<Status> = new Set<Status>(['failure', 'timed_out', 'error']);

function duration(row: StepRow): string {
  if (!row.startedAt) return '-';
  const end = row.finishedAt ?? row.startedAt;
  return `${((end.getTime() - row.startedAt.getTime()) / 1000).toFixed(1)}s`;
}
