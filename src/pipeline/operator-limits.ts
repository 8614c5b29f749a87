/**
 * The operator's maxima (PISTAGES_MAX_*), checked against what a job asks for. The pipeline stays
 * pure: the maxima come in as data. Every value a file writes is checked where it is written (the
 * job file, or the action file for an action the job uses), even when a closer layer overrides it,
 * so each finding points at one line the user can change.
 */
import { issueAt, uniqueIssues } from './errors.ts';
import type { ActionCatalog, JobFile, LimitPositions, Plan, Resources, SourcePos, ValidationIssue } from './types.ts';

/** The maxima; undefined (or absent) means no maximum. A Config satisfies this shape. */
export interface JobLimits {
  readonly maxMemoryBytes?: number | undefined;
  readonly maxCpus?: number | undefined;
  readonly maxPids?: number | undefined;
  readonly maxTimeoutMs?: number | undefined;
  /** bytes of one job file's text, checked before it is parsed */
  readonly maxJobBytes?: number | undefined;
}

export const NO_LIMITS: JobLimits = Object.freeze({});

type Field = keyof LimitPositions;

interface Rule {
  field: Field;
  label: string;
  variable: string;
  max: (limits: JobLimits) => number | undefined;
  show: (value: number) => string;
}

const RULES: readonly Rule[] = [
  { field: 'memory', label: 'resources.memory', variable: 'PISTAGES_MAX_MEMORY', max: (l) => l.maxMemoryBytes, show: (v) => formatSize(v) },
  { field: 'cpus', label: 'resources.cpus', variable: 'PISTAGES_MAX_CPUS', max: (l) => l.maxCpus, show: String },
  { field: 'pids', label: 'resources.pids', variable: 'PISTAGES_MAX_PIDS', max: (l) => l.maxPids, show: String },
  { field: 'timeout', label: 'timeout', variable: 'PISTAGES_MAX_TIMEOUT', max: (l) => l.maxTimeoutMs, show: (v) => formatDuration(v) },
];

interface Asked {
  timeoutMs?: number | undefined;
  resources?: Resources | undefined;
}

function valueOf(asked: Asked, field: Field): number | undefined {
  switch (field) {
    case 'timeout':
      return asked.timeoutMs;
    case 'memory':
      return asked.resources?.memoryBytes;
    default:
      return asked.resources?.[field];
  }
}

const ASK_LESS = 'ask for less';

/** One issue per value above its maximum; `where` names the value (`resources.memory`) in the message, `fix` ends it. */
function check(
  asked: Asked,
  positions: LimitPositions | undefined,
  fallback: SourcePos,
  limits: JobLimits,
  where: (label: string) => string,
  fix = ASK_LESS,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const rule of RULES) {
    const value = valueOf(asked, rule.field);
    const max = rule.max(limits);
    if (value === undefined || max === undefined || value <= max) continue;
    issues.push(
      issueAt(positions?.[rule.field] ?? fallback, `${where(rule.label)} is ${rule.show(value)}, more than this server's maximum of ${rule.show(max)} (${rule.variable}); ${fix}`),
    );
  }
  return issues;
}

function fileIssues(file: JobFile, limits: JobLimits, action: string | undefined): ValidationIssue[] {
  const where = (label: string) => (action === undefined ? label : `${label} of action '${action}'`);
  const issues = check(file, file.limitsPos, file.pos, limits, where);
  for (const group of file.groups) {
    for (const step of group.steps) issues.push(...check(step, step.limitsPos, step.pos, limits, where));
  }
  return issues.sort((x, y) => x.line - y.line || x.col - y.col);
}

/**
 * The job's own values and those of every action it reaches through `dep` (looked up in `catalog`
 * as expansion does), each at its position in its own file. Unknown actions are left to planning.
 */
export function operatorLimitIssues(job: JobFile, catalog: ActionCatalog, limits: JobLimits): ValidationIssue[] {
  const issues = fileIssues(job, limits, undefined);
  const seen = new Set<JobFile>([job]);
  const pending: JobFile[] = [job];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    for (const group of file.groups) {
      for (const step of group.steps) {
        const action = step.dep === undefined ? undefined : catalog.get(step.dep);
        if (action === undefined || seen.has(action)) continue;
        seen.add(action);
        pending.push(action);
        issues.push(...fileIssues(action, limits, action.name));
      }
    }
  }
  return uniqueIssues(issues);
}

const PLANNED_FIX = 'the run was planned when this server allowed more; lower it in the job file and start a new run';

/**
 * A plan made earlier (a run to re-run) against today's maxima: each step's effective values, at the
 * step's position. Used where the plan is kept rather than compiled again.
 */
export function planLimitIssues(plan: Plan, limits: JobLimits): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const group of plan.groups) {
    for (const step of group.steps) {
      const where = (label: string) => `${label} of step '${step.name}' (group '${group.name}')`;
      issues.push(...check(step, undefined, step.pos, limits, where, PLANNED_FIX));
    }
  }
  return uniqueIssues(issues);
}

/** A job file's text above maxJobBytes is refused before parsing: parsing cost grows with it. */
export function jobSizeIssue(text: string, file: string, limits: JobLimits): ValidationIssue | undefined {
  const max = limits.maxJobBytes;
  if (max === undefined) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= max) return undefined;
  return {
    file,
    line: 1,
    col: 1,
    message: `the file is ${formatSize(bytes)} (${bytes.toLocaleString('en-US')} bytes), more than this server's maximum of ${formatSize(max)} (PISTAGES_MAX_JOB_SIZE); make it smaller, e.g. move long scripts into files of the repository, or split the job`,
  };
}

const KIB = 1024;

/** Bytes in the largest unit that divides them (`16g`, `512k`), else in bytes with one decimal of the largest unit. */
export function formatSize(bytes: number): string {
  const units: [string, number][] = [
    ['g', KIB ** 3],
    ['m', KIB ** 2],
    ['k', KIB],
  ];
  for (const [unit, size] of units) if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  for (const [unit, size] of units) if (bytes >= size) return `${(bytes / size).toFixed(1)}${unit}`;
  return `${bytes}b`;
}

/** `6h`, `1h30m`, `90s` → `1m30s`, as job files write durations (a rest below a second in ms). */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const parts: string[] = [];
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) parts.push(`${h}h`);
  if (m > 0) parts.push(`${m}m`);
  if (s > 0) parts.push(`${s}s`);
  if (ms % 1000 > 0 || parts.length === 0) parts.push(`${ms % 1000}ms`);
  return parts.join('');
}
