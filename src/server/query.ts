import type { Page, RunFilter, RunSource } from '../store/store.ts';
import type { Status } from '../pipeline/types.ts';
import { badRequest } from './http-error.ts';

/**
 * Pure parsers for query strings (Express 5 gives `Record<string, string | string[]>`). Every bad value
 * becomes a 400 that names the parameter and shows a valid value; unknown parameters are refused too,
 * so a typo (`?stauts=failure`) is not silently ignored.
 */

export type Query = Record<string, unknown>;

export const STATUSES: readonly Status[] = ['queued', 'running', 'success', 'failure', 'error', 'timed_out', 'cancelled', 'skipped'];
export const SOURCES: readonly RunSource[] = ['push', 'pull_request', 'api', 'rerun'];
export const MAX_RUN_PAGE = 100;
export const DEFAULT_RUN_PAGE = 20;
export const MAX_LOG_PAGE = 5000;
export const DEFAULT_LOG_PAGE = 1000;

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export function assertKnownKeys(query: Query, known: readonly string[], prefixes: readonly string[] = []): void {
  const unknown = Object.keys(query).filter((k) => !known.includes(k) && !prefixes.some((p) => k.startsWith(p)));
  if (unknown.length > 0) {
    const allowed = [...known, ...prefixes.map((p) => `${p}KEY`)].join(', ');
    throw badRequest(`unknown query parameter ${unknown.map((k) => `'${k}'`).join(', ')}; this endpoint takes: ${allowed || 'none'}`);
  }
}

/** The value of a parameter given at most once. */
export function single(query: Query, key: string): string | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`query parameter '${key}' must be given once`);
  // no parameter means a NUL, and neither the store nor a step's environment can hold one
  if (value.includes('\u0000')) throw badRequest(`query parameter '${key}' must not contain a NUL character (%00)`);
  return value;
}

/** `?x`, `?x=1`, `?x=true`, `?x=yes` → true; `?x=0|false|no` or absent → false. */
export function flag(query: Query, key: string): boolean {
  const value = single(query, key);
  if (value === undefined) return false;
  const v = value.toLowerCase();
  if (['', '1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  throw badRequest(`query parameter '${key}' must be true or false, got '${value}'`);
}

export function integer(query: Query, key: string, min: number, max: number): number | undefined {
  const value = single(query, key);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw badRequest(`query parameter '${key}' must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return Number(value);
}

export function repoName(value: string | undefined, what: string): string | undefined {
  if (value !== undefined && !REPO.test(value)) throw badRequest(`${what} must look like owner/name, got '${value}'`);
  return value;
}

/** `?with.KEY=VALUE` pairs → job parameters (values stay strings, as with `--with` on the command line). */
export function parseWithParams(query: Query): Record<string, string> {
  const params: Record<string, string> = {};
  for (const key of Object.keys(query)) {
    if (!key.startsWith('with.')) continue;
    const name = key.slice('with.'.length);
    if (name === '') throw badRequest("query parameter 'with.' needs a name: ?with.KEY=VALUE");
    params[name] = single(query, key) ?? '';
  }
  return params;
}

export function parseStatus(value: string | undefined): Status | undefined {
  if (value === undefined) return undefined;
  const status = STATUSES.find((s) => s === value);
  if (status === undefined) throw badRequest(`status must be one of ${STATUSES.join(', ')}, got '${value}'`);
  return status;
}

/** ISO 8601 date or date-time (`2024-05-01`, `2024-05-01T12:00:00Z`). */
export function parseSince(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw badRequest(`since must be an ISO date such as 2024-05-01 or 2024-05-01T12:00:00Z, got '${value}'`);
  }
  return date;
}

export function parseRunListQuery(query: Query): { filter: RunFilter; page: Page } {
  assertKnownKeys(query, ['repo', 'job', 'status', 'sha', 'branch', 'source', 'since', 'limit', 'cursor']);
  const filter: RunFilter = {};
  const repo = repoName(single(query, 'repo'), 'repo');
  if (repo !== undefined) filter.repo = repo;
  for (const key of ['job', 'sha', 'branch'] as const) {
    const value = single(query, key);
    if (value !== undefined) filter[key] = value;
  }
  const status = parseStatus(single(query, 'status'));
  if (status !== undefined) filter.status = status;
  const source = single(query, 'source');
  if (source !== undefined) {
    const known = SOURCES.find((s) => s === source);
    if (known === undefined) throw badRequest(`source must be one of ${SOURCES.join(', ')}, got '${source}'`);
    filter.source = known;
  }
  const since = parseSince(single(query, 'since'));
  if (since !== undefined) filter.since = since;
  const page: Page = { limit: integer(query, 'limit', 1, MAX_RUN_PAGE) ?? DEFAULT_RUN_PAGE };
  const cursor = single(query, 'cursor');
  if (cursor !== undefined) {
    if (cursor === '' || cursor.length > 512) throw badRequest("cursor must be the 'next' value of a previous page");
    page.cursor = cursor;
  }
  return { filter, page };
}

export interface LogRequest {
  group?: string;
  step?: number;
  attempt?: number;
  format: 'text' | 'json';
  follow: boolean;
  /** resume after this cursor (JSON pages; followers use Last-Event-ID) */
  after?: string;
  /** JSON only: lines per page */
  limit: number;
}

export function parseLogQuery(query: Query): LogRequest {
  assertKnownKeys(query, ['group', 'step', 'attempt', 'format', 'follow', 'after', 'limit']);
  const format = single(query, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw badRequest(`format must be text or json, got '${format}'`);
  const request: LogRequest = { format, follow: flag(query, 'follow'), limit: integer(query, 'limit', 1, MAX_LOG_PAGE) ?? DEFAULT_LOG_PAGE };
  const group = single(query, 'group');
  if (group !== undefined) request.group = group;
  const step = integer(query, 'step', 0, 10_000);
  if (step !== undefined) request.step = step;
  const attempt = integer(query, 'attempt', 1, 10_000);
  if (attempt !== undefined) request.attempt = attempt;
  const after = single(query, 'after');
  if (after !== undefined) request.after = after;
  return request;
}
