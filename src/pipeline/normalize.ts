/**
 * Valid job data (already checked by the schema and the semantic checks) → the JobFile model:
 * `run` always a list, durations in ms, memory in bytes, a one-step job as group `main`, and the
 * source position of the job, every group and every step.
 */
import { isScalar } from 'yaml';
import type { LineCounter } from 'yaml';
import type { GroupSpec, JobFile, LimitPositions, Resources, Scalar, SourcePos, StepSpec, Triggers } from './types.ts';
import { parseDuration, parseMemorySize } from './units.ts';
import { linePos, offsetOf } from './yaml-locate.ts';
import type { Anchor, DataPath, Locator } from './yaml-locate.ts';

type Data = Record<string, unknown>;

interface Source {
  file: string;
  lines: LineCounter;
  /** a locator of the document the data came from */
  locate: Locator;
}

function posOf(src: Source, path: DataPath, at: Anchor): SourcePos {
  return { file: src.file, ...linePos(src.lines, offsetOf(src.locate(path), at)) };
}

/**
 * A number or boolean as the user wrote it when the parsed value would read differently:
 * `1.10` stays "1.10" (not 1.1), `0x1F` stays "0x1F". Plain values keep their type.
 */
function scalarAsWritten(src: Source, path: DataPath, value: Scalar): Scalar {
  if (typeof value === 'string') return value;
  const node = src.locate(path).node;
  const written = isScalar(node) ? node.source : undefined;
  return typeof written === 'string' && written !== String(value) ? written : value;
}

function parameters(src: Source, path: DataPath, raw: unknown): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, Scalar>)) {
    out[key] = scalarAsWritten(src, [...path, key], value);
  }
  return out;
}

/** Environment values are always text; numbers and booleans keep the spelling of the file. */
function environment(src: Source, path: DataPath, raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters(src, path, raw))) out[key] = String(value);
  return out;
}

function commands(raw: unknown): string[] {
  return typeof raw === 'string' ? [raw] : (raw as string[]);
}

function resources(raw: unknown): Resources | undefined {
  if (raw === undefined) return undefined;
  const r = raw as { cpus?: number; memory?: string | number; pids?: number };
  const out: Resources = {};
  if (r.cpus !== undefined) out.cpus = r.cpus;
  if (r.memory !== undefined) out.memoryBytes = parseMemorySize(r.memory);
  if (r.pids !== undefined) out.pids = r.pids;
  return out;
}

/** Positions of `timeout` and the `resources` fields under `path` (the job or a step), for findings about their values. */
function limitPositions(src: Source, path: DataPath, raw: Data): LimitPositions | undefined {
  const out: LimitPositions = {};
  if (raw.timeout !== undefined) out.timeout = posOf(src, [...path, 'timeout'], 'value');
  const r = (raw.resources ?? {}) as Data;
  for (const key of ['cpus', 'memory', 'pids'] as const) {
    if (r[key] !== undefined) out[key] = posOf(src, [...path, 'resources', key], 'value');
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function triggers(raw: unknown): Triggers | undefined {
  if (raw === undefined) return undefined;
  const on = raw as Record<'push' | 'pull_request', Record<string, string[]> | null | undefined>;
  const out: Triggers = {};
  if (on.push !== undefined) out.push = globLists(on.push);
  if (on.pull_request !== undefined) out.pull_request = globLists(on.pull_request);
  return out;
}

/** `push:` alone (null) is a filter with every default */
function globLists(raw: Record<string, string[]> | null): Record<string, string[]> {
  const filter: Record<string, string[]> = {};
  for (const [key, globs] of Object.entries(raw ?? {})) filter[key] = [...globs];
  return filter;
}

function step(src: Source, path: DataPath, raw: Data): StepSpec {
  const out: StepSpec = { pos: posOf(src, path, 'node') };
  if (raw.id !== undefined) out.id = raw.id as string;
  if (raw.name !== undefined) out.name = raw.name as string;
  if (raw.dep !== undefined) out.dep = raw.dep as string;
  if (raw.run !== undefined) out.run = commands(raw.run);
  if (raw.image !== undefined) out.image = raw.image as string;
  if (raw.with !== undefined) {
    out.with = parameters(src, [...path, 'with'], raw.with);
    out.withPos = Object.fromEntries(Object.keys(out.with).map((key) => [key, posOf(src, [...path, 'with', key], 'key')]));
  }
  if (raw.env !== undefined) out.env = environment(src, [...path, 'env'], raw.env);
  if (raw.timeout !== undefined) out.timeoutMs = parseDuration(raw.timeout as string);
  if (raw.resources !== undefined) out.resources = resources(raw.resources);
  const limitsPos = limitPositions(src, path, raw);
  if (limitsPos) out.limitsPos = limitsPos;
  return out;
}

function groups(src: Source, data: Data): GroupSpec[] {
  if (data.run !== undefined) {
    const pos = posOf(src, ['run'], 'key');
    const only: StepSpec = { run: commands(data.run), pos };
    if (data.image !== undefined) only.image = data.image as string;
    return [{ name: 'main', steps: [only], pos }];
  }
  return Object.entries(data.uses as Record<string, Data[]>).map(([name, steps]) => ({
    name,
    steps: steps.map((raw, index) => step(src, ['uses', name, index], raw)),
    pos: posOf(src, ['uses', name], 'key'),
  }));
}

export function toJobFile(data: Data, src: Source): JobFile {
  const job: JobFile = {
    file: src.file,
    name: data.name as string,
    with: parameters(src, ['with'], data.with),
    env: environment(src, ['env'], data.env),
    groups: groups(src, data),
    singleRun: data.run !== undefined,
    secrets: [...((data.secrets as string[] | undefined) ?? [])],
    pos: posOf(src, [], 'node'),
  };
  if (data.description !== undefined) job.description = data.description as string;
  if (data.image !== undefined) job.image = data.image as string;
  if (data.timeout !== undefined) job.timeoutMs = parseDuration(data.timeout as string);
  if (data.retry !== undefined) job.retry = data.retry as number;
  const limits = resources(data.resources);
  if (limits) job.resources = limits;
  const limitsPos = limitPositions(src, [], data);
  if (limitsPos) job.limitsPos = limitsPos;
  const on = triggers(data.on);
  if (on) job.on = on;
  return job;
}
