import type { Scalar } from '../pipeline/types.ts';
import type { RunActionFile } from '../runs/run-actions.ts';
import type { TriggerInfo } from '../store/store.ts';
import { badRequest } from './http-error.ts';
import { assertKnownKeys, parseWithParams, repoName, single, type Query } from './query.ts';

/** What POST /api/runs asks for, whichever way it was sent. */
export interface RunRequest {
  yaml: string;
  file: string;
  params: Record<string, Scalar>;
  trigger: TriggerInfo;
  /** action files sent with the run: used by it only, never registered */
  actions: RunActionFile[];
}

export const DEFAULT_JOB_FILE = 'job.yaml';
const TRIGGER_KEYS = ['repo', 'sha', 'ref', 'branch'] as const;
const JSON_KEYS = ['yaml', 'file', 'with', 'actions', ...TRIGGER_KEYS];
const MAX_ACTION_FILES = 200;

/**
 * Two forms: the job file as the YAML body with `?with.KEY=VALUE&file=&repo=&sha=&ref=&branch=`, or
 * JSON `{yaml, with?, file?, actions?: [{file, yaml}], repo?, sha?, ref?, branch?}`. Wrong types are
 * a 400 naming the field.
 */
export function parseRunRequest(body: unknown, isJson: boolean, query: Query): RunRequest {
  if (!isJson) {
    assertKnownKeys(query, ['file', ...TRIGGER_KEYS], ['with.']);
    if (typeof body !== 'string') throw badRequest('send the job file as the request body');
    const trigger: TriggerInfo = {};
    for (const key of TRIGGER_KEYS) {
      const value = single(query, key);
      if (value !== undefined) trigger[key] = value;
    }
    return checked({ yaml: body, file: single(query, 'file') ?? DEFAULT_JOB_FILE, params: parseWithParams(query), trigger, actions: [] });
  }
  assertKnownKeys(query, []);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('send a JSON object: {"yaml": "<job file>", "with": {"KEY": "VALUE"}}');
  }
  const input = body as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(input).filter((k) => !JSON_KEYS.includes(k));
  if (unknown.length > 0) problems.push(`unknown field ${unknown.map((k) => `'${k}'`).join(', ')} (fields: ${JSON_KEYS.join(', ')})`);
  if (typeof input.yaml !== 'string') problems.push("'yaml' must be a string holding the job file");
  if (input.file !== undefined && typeof input.file !== 'string') problems.push("'file' must be a string");
  const params = jsonParams(input.with, problems);
  const actions = jsonActions(input.actions, problems);
  const trigger: TriggerInfo = {};
  for (const key of TRIGGER_KEYS) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value === 'string') trigger[key] = value;
    else problems.push(`'${key}' must be a string`);
  }
  if (problems.length > 0) throw badRequest(problems.join('; '), { problems });
  return checked({ yaml: input.yaml as string, file: (input.file as string | undefined) ?? DEFAULT_JOB_FILE, params, trigger, actions });
}

function jsonActions(value: unknown, problems: string[]): RunActionFile[] {
  if (value === undefined) return [];
  const shape = "'actions' must be a list of {\"file\": \"<name>.yaml\", \"yaml\": \"<action file>\"}";
  if (!Array.isArray(value) || value.length > MAX_ACTION_FILES) {
    problems.push(Array.isArray(value) ? `'actions' holds at most ${MAX_ACTION_FILES} files` : shape);
    return [];
  }
  const files: RunActionFile[] = [];
  for (const item of value as unknown[]) {
    const entry = item as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null || typeof entry.file !== 'string' || typeof entry.yaml !== 'string' || Object.keys(entry).some((k) => k !== 'file' && k !== 'yaml')) {
      problems.push(shape);
      return [];
    }
    if (entry.file.trim() === '' || entry.file.length > 255 || CONTROL.test(entry.file)) problems.push(`'actions' file names must be names such as clone.yaml, got '${entry.file.slice(0, 40)}'`);
    else files.push({ file: entry.file, yaml: entry.yaml });
  }
  return files;
}

function jsonParams(value: unknown, problems: string[]): Record<string, Scalar> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push("'with' must be an object of parameter names to strings, numbers or booleans");
    return {};
  }
  const params: Record<string, Scalar> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) params[key] = v;
    else problems.push(`'with.${key}' must be a string, number or boolean`);
  }
  return params;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function checked(request: RunRequest): RunRequest {
  // trigger data reaches steps as environment variables and the store as text: a NUL breaks both
  for (const [key, value] of [['file', request.file], ...Object.entries(request.trigger)] as [string, unknown][]) {
    if (typeof value === 'string' && CONTROL.test(value)) throw badRequest(`'${key}' must not contain control characters (such as %00 or a newline)`);
  }
  for (const [key, value] of Object.entries(request.params)) {
    if (key.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000'))) {
      throw badRequest(`parameter 'with.${key}' must not contain a NUL character (%00)`);
    }
  }
  repoName(request.trigger.repo, 'repo');
  if (request.file.trim() === '' || request.file.length > 255) throw badRequest("'file' must be a file name such as build.yaml");
  if (request.trigger.branch === undefined && request.trigger.ref?.startsWith('refs/heads/')) {
    request.trigger.branch = request.trigger.ref.slice('refs/heads/'.length);
  }
  return request;
}
