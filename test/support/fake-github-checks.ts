/**
 * The write side of the fake GitHub: commit statuses and check runs, kept per repository the way
 * GitHub keeps them (ids, updates merged into the run, completed runs get a conclusion), so tests
 * can assert what a user would see on the commit page.
 */
import type { Reply } from './fake-github-git-data.ts';

export interface CommitStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description?: string;
  target_url?: string;
  created_at: string;
}

export interface CheckRun {
  id: number;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  external_id?: string;
  details_url?: string;
  started_at?: string;
  completed_at?: string | null;
  output?: { title?: string; summary?: string; text?: string; annotations?: unknown[] };
  actions?: unknown[];
  /** every body sent for this run, creation first */
  history: object[];
}

export class CheckState {
  private nextId = 1000;
  private readonly statusesByRepo = new Map<string, CommitStatus[]>();
  private readonly runsByRepo = new Map<string, CheckRun[]>();

  statuses(repo: string, sha?: string): CommitStatus[] {
    const all = this.statusesByRepo.get(repo) ?? [];
    return sha ? all.filter((s) => s.sha === sha) : [...all];
  }

  checkRuns(repo: string, sha?: string): CheckRun[] {
    const all = this.runsByRepo.get(repo) ?? [];
    return sha ? all.filter((r) => r.head_sha === sha) : [...all];
  }

  createStatus(repo: string, sha: string, body: Record<string, unknown>): Reply {
    const status: CommitStatus = {
      id: this.nextId++,
      sha,
      state: String(body.state),
      context: typeof body.context === 'string' ? body.context : 'default',
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      ...(typeof body.target_url === 'string' ? { target_url: body.target_url } : {}),
      created_at: new Date().toISOString(),
    };
    this.list(this.statusesByRepo, repo).push(status);
    return { status: 201, body: status };
  }

  createCheckRun(repo: string, body: Record<string, unknown>): Reply {
    const run: CheckRun = { id: this.nextId++, head_sha: String(body.head_sha), name: String(body.name), status: 'queued', conclusion: null, history: [] };
    applyUpdate(run, body);
    this.list(this.runsByRepo, repo).push(run);
    return { status: 201, body: view(run) };
  }

  updateCheckRun(repo: string, id: number, body: Record<string, unknown>): Reply {
    const run = this.runsByRepo.get(repo)?.find((r) => r.id === id);
    if (!run) return { status: 404, body: { message: 'Not Found' } };
    applyUpdate(run, body);
    return { status: 200, body: view(run) };
  }

  listCheckRuns(repo: string, sha: string, query: URLSearchParams): Reply {
    const name = query.get('check_name');
    const runs = this.checkRuns(repo, sha).filter((r) => !name || r.name === name);
    return { status: 200, body: { total_count: runs.length, check_runs: runs.map(view) } };
  }

  private list<T>(map: Map<string, T[]>, repo: string): T[] {
    let list = map.get(repo);
    if (!list) map.set(repo, (list = []));
    return list;
  }
}

function applyUpdate(run: CheckRun, body: Record<string, unknown>): void {
  run.history.push(structuredClone(body));
  for (const key of ['name', 'status', 'external_id', 'details_url', 'started_at', 'completed_at', 'actions'] as const) {
    if (body[key] !== undefined) (run as unknown as Record<string, unknown>)[key] = body[key];
  }
  if (body.output !== undefined) run.output = { ...run.output, ...(body.output as object) };
  if (typeof body.conclusion === 'string') {
    run.conclusion = body.conclusion;
    run.status = 'completed';
    run.completed_at ??= new Date().toISOString();
  }
}

function view(run: CheckRun): object {
  const { history: _history, ...rest } = run;
  return rest;
}
