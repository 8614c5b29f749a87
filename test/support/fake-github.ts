/**
 * A GitHub on loopback for tests (shaped like fake-executor.ts): serves the REST operations
 * Pistages uses from local git repositories, keeps statuses and check runs, issues App
 * installation tokens, serves `git clone` over smart HTTP, and can fail or rate-limit on demand.
 * Every request is recorded; one GitHub would reject (no such operation, a body that does not
 * match GitHub's OpenAPI description) is answered 422 and kept in `violations`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeCredentials, type Caller, type FakeApp, type IssuedToken } from './fake-github-auth.ts';
import { CheckState, type CheckRun, type CommitStatus } from './fake-github-checks.ts';
import { FaultPlan, type RateLimitOptions } from './fake-github-faults.ts';
import { GitData, type Reply } from './fake-github-git-data.ts';
import { cloneRefusal, findRoute, refuse, type FakeWorld, type ServedRepo } from './fake-github-routes.ts';
import type { GitRepo } from './git-fixture.ts';
import { serveGitHttp } from './git-http-backend.ts';
import { OpenApiContract } from './openapi-contract.ts';

export interface RecordedRequest {
  method: string;
  /** path without the query string, as sent (percent-encoded) */
  path: string;
  query: string;
  body?: unknown;
  status: number;
  caller: Caller['kind'];
  /** `git` for smart-HTTP clone traffic, `api` for REST */
  kind: 'api' | 'git';
  /** arrival time (ms since the epoch) */
  at: number;
}

export interface Violation {
  method: string;
  path: string;
  body?: unknown;
  reason: string;
}

export type { RateLimitOptions };

export interface FakeGithubOptions {
  app?: FakeApp;
  /** plain tokens (personal access tokens) → login */
  tokens?: Record<string, string>;
}

export class FakeGithub implements FakeWorld {
  readonly requests: RecordedRequest[] = [];
  readonly violations: Violation[] = [];
  readonly credentials: FakeCredentials;
  readonly checks = new CheckState();
  readonly repos = new Map<string, ServedRepo>();
  private readonly faults = new FaultPlan();

  private constructor(
    private readonly server: Server,
    private readonly contract: OpenApiContract,
    options: FakeGithubOptions,
  ) {
    this.credentials = new FakeCredentials(options.app);
    for (const [token, login] of Object.entries(options.tokens ?? {})) this.credentials.userTokens.set(token, login);
  }

  static async start(options: FakeGithubOptions = {}): Promise<FakeGithub> {
    const contract = await OpenApiContract.load();
    const server = createServer();
    const fake = new FakeGithub(server, contract, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      fake.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake GitHub failed: ${String(err)}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** the API base URL (GitHub's https://api.github.com) */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Serves `repo` under its owner/name, installed in App installation `installationId`. */
  async addRepo(repo: GitRepo, options: { installationId?: number } = {}): Promise<void> {
    this.repos.set(repo.fullName, {
      fullName: repo.fullName,
      defaultBranch: repo.defaultBranch,
      cloneUrl: this.cloneUrl(repo.fullName),
      installationId: options.installationId ?? 1,
      data: new GitData(repo.dir, `${this.url}/repos/${repo.fullName}`),
      gitDir: await repo.gitDir(),
    });
  }

  /** Recursive trees of `fullName` with more entries than `maxEntries` are answered truncated. */
  truncateTrees(fullName: string, maxEntries: number): void {
    const repo = this.repos.get(fullName);
    if (!repo) throw new Error(`fake GitHub does not serve ${fullName}`);
    repo.data.maxTreeEntries = maxEntries;
  }

  cloneUrl(fullName: string): string {
    return `${this.url}/${fullName}.git`;
  }

  statuses(repo: string, sha?: string): CommitStatus[] {
    return this.checks.statuses(repo, sha);
  }

  checkRuns(repo: string, sha?: string): CheckRun[] {
    return this.checks.checkRuns(repo, sha);
  }

  issuedTokens(): IssuedToken[] {
    return this.credentials.issuedTokens();
  }

  /** API requests (not clone traffic) whose method matches and whose path matches `path` */
  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.kind === 'api' && r.method === method && path.test(r.path)).length;
  }

  /** The next `n` API requests are answered with `status` (default 500). */
  failNext(n: number, options: { status?: number; body?: unknown } = {}): void {
    this.faults.failNext(n, options);
  }

  /** The next `count` API requests (or all until `until`) hit a primary or secondary rate limit. */
  rateLimit(options: RateLimitOptions): void {
    this.faults.rateLimit(options);
  }

  /** Forgets every pending failure and rate limit. */
  clearFaults(): void {
    this.faults.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const caller = this.credentials.identify(req.headers.authorization);
    const git = /^\/([^/]+\/[^/]+)\.git(\/.*)$/.exec(url.pathname);
    if (git) {
      const record: RecordedRequest = { method, path: url.pathname, query: url.search, status: 0, caller: caller.kind, kind: 'git', at: Date.now() };
      this.requests.push(record);
      const repo = this.repos.get(git[1] as string);
      const refusal = repo ? cloneRefusal(caller, repo) : { status: 404, body: { message: 'Repository not found.' } };
      if (refusal) {
        req.resume();
        record.status = refusal.status;
        return send(res, { ...refusal, headers: { 'www-authenticate': 'Basic realm="GitHub"' } });
      }
      record.status = await serveGitHttp(req, res, (repo as ServedRepo).gitDir, git[2] as string, url.search.slice(1));
      return;
    }
    const text = await readBody(req);
    const record: RecordedRequest = { method, path: url.pathname, query: url.search, status: 0, caller: caller.kind, kind: 'api', at: Date.now() };
    this.requests.push(record);
    let body: Record<string, unknown> | undefined;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      record.body = body;
    } catch {
      return this.reply(res, record, { status: 400, body: { message: 'Problems parsing JSON' } });
    }
    const reply = await this.answer(method, url, body, caller);
    this.reply(res, record, reply);
  }

  private async answer(method: string, url: URL, body: Record<string, unknown> | undefined, caller: Caller): Promise<Reply> {
    const fault = this.faults.take();
    if (fault) return fault;
    const check = this.contract.check(method, url.pathname, body);
    if (!check.ok) {
      this.violations.push({ method, path: url.pathname, body, reason: check.reason });
      return { status: 422, body: { message: `Invalid request.\n\n${check.reason}`, documentation_url: 'https://docs.github.com/rest' } };
    }
    const found = findRoute(method, url.pathname);
    if (!found) {
      this.violations.push({ method, path: url.pathname, body, reason: `${check.operationId} is valid on GitHub but not served by the fake` });
      return { status: 501, body: { message: `fake GitHub does not implement ${check.operationId}` } };
    }
    const { owner, repo: name } = found.params;
    const repo = owner && name ? this.repos.get(`${owner}/${name}`) : undefined;
    const refusal = refuse(found.route, caller, repo);
    if (refusal) return refusal;
    if (owner && !repo) return { status: 404, body: { message: 'Not Found' } };
    return found.route.handle(this, { params: found.params, query: url.searchParams, body: body ?? {}, caller, ...(repo ? { repo } : {}) });
  }

  private reply(res: ServerResponse, record: RecordedRequest, reply: Reply): void {
    record.status = reply.status;
    send(res, reply);
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8',
    'x-github-request-id': `FAKE:${Date.now()}`,
    ...reply.headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
