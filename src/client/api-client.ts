import { setTimeout as sleep } from 'node:timers/promises';
import type { Scalar } from '../pipeline/types.ts';
import { readSse } from './sse.ts';
import type {
  DeliveryEntry,
  ActionDetail, ActionSummary, CreatedToken, LogFilters, LogLine, RunDetail, RunListFilter, RunSummary, SecretEntry, TokenEntry, TokenRole, WhoAmI,
} from './api-types.ts';

/**
 * A typed client for the Pistages HTTP API on the global fetch (or one passed in, for tests).
 * Every failure is an ApiClientError whose message tells the user what to do.
 */
export interface ApiClientOptions {
  url: string;
  token: string | undefined;
  fetch?: typeof fetch;
  /** reconnects of a log stream that broke before its `end` event (default 5) */
  followRetries?: number;
}

export class ApiClientError extends Error {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, status?: number, code?: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiClientError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface RunEnd {
  status: string;
  message: string | null;
}

type Query = Record<string, string | number | boolean | undefined>;

export class ApiClient {
  private readonly url: string;
  private readonly token: string | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly followRetries: number;

  constructor(options: ApiClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchFn = options.fetch ?? fetch;
    this.followRetries = options.followRetries ?? 5;
  }

  registerAction(yaml: string, options: { replace?: boolean; file?: string } = {}): Promise<{ name: string; version: number }> {
    return this.json('POST', '/api/actions', { query: { replace: options.replace || undefined, file: options.file }, yaml });
  }

  listActions(): Promise<{ actions: ActionSummary[] }> {
    return this.json('GET', '/api/actions');
  }

  getAction(name: string): Promise<ActionDetail> {
    return this.json('GET', `/api/actions/${encodeURIComponent(name)}`);
  }

  async removeAction(name: string): Promise<void> {
    await this.request('DELETE', `/api/actions/${encodeURIComponent(name)}`);
  }

  submitRun(yaml: string, options: { params?: Record<string, Scalar>; file?: string; actions?: { file: string; yaml: string }[] } = {}): Promise<{ id: string }> {
    const body: Record<string, unknown> = { yaml, with: options.params ?? {} };
    if (options.file !== undefined) body.file = options.file;
    if (options.actions !== undefined && options.actions.length > 0) body.actions = options.actions;
    return this.json('POST', '/api/runs', { body });
  }

  listRuns(filter: RunListFilter = {}): Promise<{ runs: RunSummary[]; next: string | null }> {
    return this.json('GET', '/api/runs', { query: { ...filter } });
  }

  getRun(id: string): Promise<RunDetail> {
    return this.json('GET', `/api/runs/${encodeURIComponent(id)}`);
  }

  cancelRun(id: string): Promise<{ id: string; status: string }> {
    return this.json('POST', `/api/runs/${encodeURIComponent(id)}/cancel`);
  }

  rerun(id: string, options: { failed?: boolean } = {}): Promise<{ id: string }> {
    return this.json('POST', `/api/runs/${encodeURIComponent(id)}/rerun`, { query: { failed: options.failed || undefined } });
  }

  /** the whole log so far as `[group/step#attempt] line` text */
  async logText(id: string, filters: LogFilters = {}): Promise<string> {
    const res = await this.request('GET', `/api/runs/${encodeURIComponent(id)}/logs`, { query: { ...filters } });
    return res.text();
  }

  /**
   * Streams the log until the run ends: calls `onLine` for every line (old ones first) and resolves
   * with the final status. A stream that breaks early is resumed from the last line received.
   */
  async followLogs(id: string, filters: LogFilters, onLine: (line: LogLine) => void, signal?: AbortSignal): Promise<RunEnd> {
    let lastId: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (lastId !== undefined) headers['last-event-id'] = lastId;
      const res = await this.request('GET', `/api/runs/${encodeURIComponent(id)}/logs`, { query: { ...filters, follow: 1 }, headers, ...(signal ? { signal } : {}) });
      if (res.body === null) throw new ApiClientError('the server sent an empty log stream');
      try {
        for await (const event of readSse(res.body)) {
          if (event.event === 'line') {
            onLine(JSON.parse(event.data) as LogLine);
            if (event.id !== undefined) lastId = event.id;
          } else if (event.event === 'end') {
            return JSON.parse(event.data) as RunEnd;
          } else if (event.event === 'error') {
            throw new ApiClientError(`log stream: ${(JSON.parse(event.data) as { message?: string }).message ?? event.data}`);
          }
        }
      } catch (error) {
        if (error instanceof ApiClientError || error instanceof SyntaxError || signal?.aborted) throw error;
        // the connection broke: fall through and resume
      }
      if (attempt >= this.followRetries) {
        throw new ApiClientError(`the log stream of run ${id} kept breaking; see the rest with: pistages logs ${id}`);
      }
      await sleep(Math.min(1000 * 2 ** attempt, 10_000), undefined, signal ? { signal } : {});
    }
  }

  async putSecret(name: string, value: string, options: { repo?: string } = {}): Promise<void> {
    const body: Record<string, unknown> = { value };
    if (options.repo !== undefined) body.scope = `repo:${options.repo}`;
    await this.request('PUT', `/api/secrets/${encodeURIComponent(name)}`, { body });
  }

  listSecrets(options: { repo?: string } = {}): Promise<{ secrets: SecretEntry[] }> {
    return this.json('GET', '/api/secrets', { query: { repo: options.repo } });
  }

  async removeSecret(name: string, options: { repo?: string } = {}): Promise<void> {
    await this.request('DELETE', `/api/secrets/${encodeURIComponent(name)}`, { query: { repo: options.repo } });
  }

  listDeliveries(filter: { repo?: string; event?: string; outcome?: string; limit?: number } = {}): Promise<{ deliveries: DeliveryEntry[] }> {
    const query: Record<string, string | undefined> = { repo: filter.repo, event: filter.event, outcome: filter.outcome };
    if (filter.limit !== undefined) query.limit = String(filter.limit);
    return this.json('GET', '/api/deliveries', { query });
  }

  /** the new token is in this answer only: the server keeps a hash */
  createToken(name: string, role: TokenRole, repos: string[] = []): Promise<CreatedToken> {
    return this.json('POST', '/api/tokens', { body: { name, role, repos } });
  }

  listTokens(): Promise<{ tokens: TokenEntry[] }> {
    return this.json('GET', '/api/tokens');
  }

  async revokeToken(name: string): Promise<void> {
    await this.request('DELETE', `/api/tokens/${encodeURIComponent(name)}`);
  }

  whoami(): Promise<WhoAmI> {
    return this.json('GET', '/api/whoami');
  }

  private async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, options);
    return (await res.json()) as T;
  }

  private async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(this.url + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { ...options.headers };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.yaml !== undefined) {
      headers['content-type'] = 'application/yaml';
      body = options.yaml;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let res: Response;
    try {
      res = await this.fetchFn(url, { method, headers, body, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new ApiClientError(`cannot reach Pistages at ${this.url}: ${cause}; is \`pistages serve\` running? set PISTAGES_URL to its address`);
    }
    if (res.ok) return res;
    throw await this.failure(res);
  }

  private async failure(res: Response): Promise<ApiClientError> {
    const text = await res.text();
    let parsed: { error?: string; message?: string; details?: Record<string, unknown> } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // not one of our JSON errors (a proxy's page?): show the start of the text below
    }
    if (res.status === 401) {
      const hint = this.token === undefined
        ? 'no API token: set PISTAGES_TOKEN to the server\'s PISTAGES_API_TOKEN'
        : 'the server refused the API token: set PISTAGES_TOKEN to the server\'s PISTAGES_API_TOKEN or to a token from `pistages tokens create` (a revoked token no longer works)';
      return new ApiClientError(hint, 401, parsed.error ?? 'unauthorized');
    }
    const message = parsed.message ?? `HTTP ${res.status} ${res.statusText}: ${text.slice(0, 200)}`;
    return new ApiClientError(message, res.status, parsed.error, parsed.details);
  }
}

interface RequestOptions {
  query?: Query;
  headers?: Record<string, string>;
  /** sent as application/yaml */
  yaml?: string;
  /** sent as JSON */
  body?: unknown;
  signal?: AbortSignal;
}
