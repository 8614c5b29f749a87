/**
 * Helpers for run-job tests: compact plan sketches, an event recorder, and the invariants every
 * run must satisfy (event order, log numbering, nothing left behind on the backend).
 */
import type { Plan, PlannedStep, Status } from '../../src/pipeline/types.ts';
import { TERMINAL_STATUSES } from '../../src/pipeline/types.ts';
import type { EventSink, LogLineEvent, RunEvent, StepStatusEvent } from '../../src/executor/events.ts';
import type { Executor } from '../../src/executor/executor.ts';
import type { RunJobOptions } from '../../src/executor/run-job.ts';
import type { FakeExecutor } from './fake-executor.ts';

export interface StepSketch {
  name?: string;
  id?: string;
  /** a step with an image starts a new container, as in a job file */
  image?: string;
  run: string | string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface JobSketch {
  name?: string;
  image?: string;
  retry?: number;
  secrets?: string[];
  groups: Record<string, StepSketch[]>;
}

/** The Plan a job file of this shape compiles to (the runtime-context rules of JOB-FORMAT.md). */
export function sketchPlan(job: JobSketch): Plan {
  const pos = { file: 'job.yaml', line: 1, col: 1 };
  return {
    job: job.name ?? 'job',
    file: 'job.yaml',
    params: {},
    ...(job.retry !== undefined && { retry: job.retry }),
    secrets: job.secrets ?? [],
    groups: Object.entries(job.groups).map(([name, steps]) => {
      let container = -1;
      let image = job.image ?? 'alpine:3';
      return {
        name,
        steps: steps.map((s, index): PlannedStep => {
          const commands = typeof s.run === 'string' ? [s.run] : s.run;
          const starts = s.image !== undefined || container === -1;
          if (starts) {
            container++;
            image = s.image ?? image;
          }
          return {
            index,
            ...(s.id !== undefined && { id: s.id }),
            name: s.name ?? commands[0] ?? `step ${index}`,
            image,
            container,
            startsContainer: starts,
            commands,
            env: s.env ?? {},
            ...(s.timeoutMs !== undefined && { timeoutMs: s.timeoutMs }),
            actions: [],
            pos,
          };
        }),
      };
    }),
  };
}

export function recordEvents(): { events: RunEvent[]; onEvent: EventSink } {
  const events: RunEvent[] = [];
  return { events, onEvent: (e) => void events.push(e) };
}

/** final status of each step of `group` in `attempt`, by step index */
export function stepStatuses(events: RunEvent[], group: string, attempt = 1): Status[] {
  const out: Status[] = [];
  for (const e of events) {
    if (e.type === 'step' && e.group === group && e.attempt === attempt && e.status !== 'running') out[e.step] = e.status;
  }
  return out;
}

export function stepEvent(events: RunEvent[], group: string, step: number, attempt = 1): StepStatusEvent | undefined {
  return events.find((e): e is StepStatusEvent => e.type === 'step' && e.group === group && e.step === step && e.attempt === attempt && e.status !== 'running');
}

export function groupStatuses(events: RunEvent[], group: string): Status[] {
  return events.flatMap((e) => (e.type === 'group' && e.group === group && e.status !== 'running' ? [e.status] : []));
}

export function logLines(events: RunEvent[], group: string, step: number, attempt = 1, stream?: LogLineEvent['stream']): string[] {
  return events.flatMap((e) =>
    e.type === 'log' && e.group === group && e.step === step && e.attempt === attempt && (stream === undefined || e.stream === stream) ? [e.line] : [],
  );
}

/** Problems with a finished run: event order, log numbering, leftovers on the backend. */
export function runProblems(events: RunEvent[], fake: FakeExecutor): string[] {
  const problems: string[] = [...fake.violations];
  const live = fake.live();
  if (live.containers.length > 0) problems.push(`containers left: ${live.containers.join(', ')}`);
  if (live.workspaces.length > 0) problems.push(`workspaces left: ${live.workspaces.join(', ')}`);
  if (fake.liveRuns().length > 0) problems.push(`run resources left: ${fake.liveRuns().join(', ')}`);
  const first = events[0];
  const last = events.at(-1);
  if (first?.type !== 'run' || first.status !== 'running') problems.push('first event is not run running');
  if (last?.type !== 'run' || !TERMINAL_STATUSES.includes(last.status)) problems.push('last event is not a final run status');
  const groupState = new Map<string, 'running' | 'final'>();
  const stepState = new Map<string, 'running' | 'final'>();
  const seqs = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.type === 'run') return;
    const g = `${e.group}#${e.attempt}`;
    if (groupState.get(g) === 'final') problems.push(`event ${i} (${e.type}) after group ${g} finished`);
    if (e.type === 'group') {
      if (e.status === 'running') groupState.set(g, 'running');
      else groupState.set(g, 'final');
      return;
    }
    const s = `${g}/${e.step}`;
    if (e.type === 'step') {
      if (e.status === 'running') {
        if (groupState.get(g) !== 'running') problems.push(`step ${s} running before its group`);
        if (stepState.has(s)) problems.push(`step ${s} started twice`);
        stepState.set(s, 'running');
      } else {
        if (stepState.get(s) === 'final') problems.push(`step ${s} finished twice`);
        stepState.set(s, 'final');
      }
      return;
    }
    if (stepState.get(s) === undefined) problems.push(`log line for step ${s} before it ran`);
    const expected = seqs.get(s) ?? 0;
    if (e.seq !== expected) problems.push(`log seq of ${s}: got ${e.seq}, expected ${expected}`);
    seqs.set(s, e.seq + 1);
  });
  for (const [g, state] of groupState) if (state !== 'final') problems.push(`group ${g} never finished`);
  for (const [s, state] of stepState) if (state !== 'final') problems.push(`step ${s} never finished`);
  return problems;
}

/**
 * runJob options with the tests' defaults (run id `run-1`, no retry, 4 groups at once, no secrets,
 * a 1 MiB log cap, no trigger context), then `options`.
 */
export function testRunOptions(executor: Executor, onEvent: EventSink, options: Partial<RunJobOptions> = {}): RunJobOptions {
  return {
    runId: 'run-1',
    executor,
    onEvent,
    defaultRetry: 0,
    groupConcurrency: 4,
    secrets: {},
    logCapBytes: 1024 * 1024,
    context: {},
    ...options,
  };
}
