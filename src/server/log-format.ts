import type { Masker } from '../executor/log/mask.ts';
import type { Plan } from '../pipeline/types.ts';
import type { StoredLogLine } from '../store/store.ts';

/** How stored log lines are served: as text `[group/step#attempt] line`, or as JSON objects. */

export interface LogLineView {
  group: string;
  step: number;
  stepName: string;
  attempt: number;
  seq: number;
  stream: StoredLogLine['stream'];
  line: string;
  at: Date;
  cursor: string;
}

/** step display names by group and index, from the run's plan */
export function stepNamer(plan: Plan): (group: string, step: number) => string {
  const names = new Map(plan.groups.map((g) => [g.name, g.steps.map((s) => s.name)]));
  return (group, step) => names.get(group)?.[step] ?? String(step);
}

export function toLogLineView(line: StoredLogLine, stepName: string, masker: Masker): LogLineView {
  return {
    group: line.group,
    step: line.step,
    stepName,
    attempt: line.attempt,
    seq: line.seq,
    stream: line.stream,
    line: masker.maskText(line.line),
    at: line.at,
    cursor: line.cursor,
  };
}

export function formatLogLine(view: LogLineView): string {
  return `[${view.group}/${view.stepName}#${view.attempt}] ${view.line}\n`;
}

/** One Server-Sent Event; `data` is JSON on a single line, so it never needs splitting. */
export function sseEvent(event: string, data: unknown, id?: string): string {
  const idLine = id === undefined ? '' : `id: ${id.replace(/[\r\n]/g, '')}\n`;
  return `${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
