import type { Octokit } from '@octokit/rest';
import { jobSizeIssue, type JobLimits } from '../pipeline/operator-limits.ts';
import { parseJob } from '../pipeline/parse.ts';
import { matchesPullRequest, matchesPush } from '../pipeline/triggers.ts';
import type { ActionCatalog, JobFile, Plan, ValidationIssue } from '../pipeline/types.ts';
import { layerCatalogs, plan, registryCatalog } from '../runs/compile.ts';
import { submitRun, type SubmitDeps } from '../runs/submit.ts';
import type { ActionRegistry, NewRun } from '../store/store.ts';
import { invalidFileCheckRun } from './checks.ts';
import type { RepoFile, RepoReader } from './discover.ts';
import type { PullRequestEvent, PushEvent } from './event.ts';

/**
 * A push or pull request → one run per matching job of the repository's `.pistages/` at the event's
 * commit. Job files and repository-local actions are read at that sha; local actions win over
 * registered ones of the same name. An invalid file becomes a failed check run named after it, with
 * its problems as annotations; the other jobs still run. Files already started by an earlier
 * attempt at the same delivery (`alreadyStarted`) are not started again.
 */

export interface StartRunsDeps {
  actions: ActionRegistry;
  submit: SubmitDeps;
  reader: RepoReader;
  /** actions every repository can use below registered ones (the built-in Checkout) */
  builtins: readonly JobFile[];
  /** the operator's maxima (file size, resources, timeout); a file above one is reported invalid */
  limits: JobLimits;
  cloneToken: (installationId: number | undefined, repo: { owner: string; name: string }) => Promise<{ token: string; expiresAt?: Date }>;
  log: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  now: () => Date;
}

export interface StartedRuns {
  runIds: string[];
  /** job files whose `on:` did not match */
  filtered: string[];
  invalid: string[];
}

const TOKEN_LIFETIME_MS = 55 * 60_000;

export async function startRunsForEvent(
  deps: StartRunsDeps,
  octokit: Octokit,
  event: PushEvent | PullRequestEvent,
  delivery: { id: string; alreadyStarted: ReadonlySet<string>; onStarted: (runId: string) => Promise<void> },
): Promise<StartedRuns> {
  const sha = event.kind === 'push' ? event.after : event.headSha;
  const repo = { owner: event.repo.owner, name: event.repo.name };
  const files = await deps.reader.pistagesFiles(octokit, repo, sha);
  const result: StartedRuns = { runIds: [], filtered: [], invalid: [] };
  const invalid = new Map<string, ValidationIssue[]>();
  const local: JobFile[] = [];
  for (const file of files.actions) {
    const tooLarge = jobSizeIssue(file.text, file.path, deps.limits);
    if (tooLarge !== undefined) {
      invalid.set(file.path, [tooLarge]);
      continue;
    }
    const parsed = parseJob(file.text, file.path);
    if (parsed.job) local.push(parsed.job);
    else invalid.set(file.path, parsed.issues);
  }
  // local actions first, then registered ones, then the built-ins
  const layered = await registryCatalog(deps.actions, local);
  const catalog = layerCatalogs([[], deps.builtins]).catalog;
  const all: ActionCatalog = {
    get: (name) => layered.catalog.get(name) ?? catalog.get(name),
    names: () => [...new Set([...layered.catalog.names(), ...catalog.names()])],
  };
  for (const issue of layered.issues) invalid.set(issue.file, [...(invalid.get(issue.file) ?? []), issue]);
  // asked of GitHub only when a job filters on paths, and then once
  let changed: Promise<string[] | undefined> | undefined;
  const changedOnce = (): Promise<string[] | undefined> => (changed ??= changedFiles(deps, octokit, event));
  let token: { token: string; expiresAt?: Date } | undefined;
  for (const file of files.jobs) {
    if (delivery.alreadyStarted.has(file.path)) continue;
    const tooLarge = jobSizeIssue(file.text, file.path, deps.limits);
    if (tooLarge !== undefined) {
      invalid.set(file.path, [tooLarge]);
      continue;
    }
    const parsed = parseJob(file.text, file.path);
    if (parsed.job === undefined) {
      invalid.set(file.path, parsed.issues);
      continue;
    }
    if (!matches(parsed.job, event, hasPathFilter(parsed.job, event.kind) ? await changedOnce() : undefined)) {
      result.filtered.push(file.path);
      continue;
    }
    const compiled = plan(parsed.job, all, {}, deps.limits);
    if (!compiled.ok) {
      invalid.set(file.path, compiled.issues);
      continue;
    }
    token ??= await deps.cloneToken(event.installationId, repo);
    const run = await submitRun(deps.submit, newRun(event, file, compiled.plan, delivery.id), {
      values: { PISTAGES_GIT_TOKEN: token.token },
      expiresAt: token.expiresAt ?? new Date(deps.now().getTime() + TOKEN_LIFETIME_MS),
    });
    await delivery.onStarted(run.id);
    result.runIds.push(run.id);
  }
  for (const [path, issues] of invalid) {
    await reportInvalidFile(octokit, repo, sha, path, issues);
    result.invalid.push(path);
  }
  return result;
}

function matches(job: JobFile, event: PushEvent | PullRequestEvent, changed: string[] | undefined): boolean {
  if (event.kind === 'push') {
    return matchesPush(job.on, { ref: event.ref, after: event.after, ...(changed !== undefined && { changedFiles: changed }) });
  }
  return matchesPullRequest(job.on, { baseBranch: event.baseBranch, ...(changed !== undefined && { changedFiles: changed }) });
}

function hasPathFilter(job: JobFile, kind: 'push' | 'pull_request'): boolean {
  return (kind === 'push' ? job.on?.push?.paths : job.on?.pull_request?.paths) !== undefined;
}

/**
 * A push: the payload's list of changed files, else the compare API's (a new branch: unknown, so
 * path filters match). A pull request: the compare API's between its base and head commits.
 */
async function changedFiles(deps: StartRunsDeps, octokit: Octokit, event: PushEvent | PullRequestEvent): Promise<string[] | undefined> {
  const repo = { owner: event.repo.owner, name: event.repo.name };
  if (event.kind === 'pull_request') return event.baseSha === undefined ? undefined : deps.reader.changedFiles(octokit, repo, event.baseSha, event.headSha);
  if (event.changedFiles !== undefined) return event.changedFiles;
  if (/^0+$/.test(event.before)) return undefined;
  return deps.reader.changedFiles(octokit, repo, event.before, event.after);
}

function newRun(event: PushEvent | PullRequestEvent, file: RepoFile, compiled: Plan, deliveryId: string): NewRun {
  const common = {
    repo: event.repo.fullName,
    cloneUrl: event.repo.cloneUrl,
    forge: 'github' as const,
    deliveryId,
    job: compiled.job,
    yaml: file.text,
    file: file.path,
    params: compiled.params,
    ...(event.installationId !== undefined && { installationId: event.installationId }),
    ...(event.sender !== undefined && { sender: event.sender }),
  };
  if (event.kind === 'push') {
    const branch = event.ref.startsWith('refs/heads/') ? event.ref.slice('refs/heads/'.length) : undefined;
    return { ...common, source: 'push', event: 'push', sha: event.after, ref: event.ref, ...(branch !== undefined && { branch }), plan: compiled };
  }
  // a fork's code must not see the repository's secrets: the plan carries none (the run says why)
  const safePlan = event.fork ? { ...compiled, secrets: [] } : compiled;
  return {
    ...common,
    source: 'pull_request',
    event: 'pull_request',
    sha: event.headSha,
    ref: `refs/pull/${event.number}/head`,
    branch: event.headRef,
    pullRequest: event.number,
    ...(event.fork && { fork: true }),
    plan: safePlan,
  };
}

/** a failed check run named after the file, its problems as annotations (50 per request) */
async function reportInvalidFile(octokit: Octokit, repo: { owner: string; name: string }, sha: string, path: string, issues: ValidationIssue[]): Promise<void> {
  const { body, annotationBatches } = invalidFileCheckRun(path, sha, issues);
  const [first, ...rest] = annotationBatches;
  const created = await octokit.rest.checks.create({
    owner: repo.owner,
    repo: repo.name,
    ...body,
    head_sha: sha,
    output: { ...body.output, ...(first !== undefined && { annotations: first }) },
  });
  for (const batch of rest) {
    await octokit.rest.checks.update({ owner: repo.owner, repo: repo.name, check_run_id: created.data.id, output: { ...body.output, annotations: batch } });
  }
}
