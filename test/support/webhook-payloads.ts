/**
 * Webhook deliveries for tests, built from GitHub's own example payloads
 * (`@octokit/webhooks-examples`) with the repository, shas and changed files of a local git
 * repository filled in, and signed the way GitHub signs them.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';
import { ZERO_SHA, type GitRepo } from './git-fixture.ts';

type Json = Record<string, unknown>;

interface ExampleDefinition {
  name: string;
  examples: Json[];
}

/** GitHub lists at most this many commits in a push payload */
const PUSH_COMMIT_LIMIT = 20;

function example(event: string, pick: (payload: Json) => boolean): Json {
  const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as ExampleDefinition[];
  const found = definitions.find((d) => d.name === event)?.examples.find(pick);
  if (!found) throw new Error(`@octokit/webhooks-examples has no matching ${event} example`);
  return structuredClone(found);
}

export interface PayloadRepoOptions {
  /** where the repository can be cloned (FakeGithub.cloneUrl) */
  cloneUrl: string;
  defaultBranch?: string;
}

/** The example's `repository` object, rewritten to describe `repo`. */
export function repositoryObject(template: Json, repo: GitRepo, options: PayloadRepoOptions): Json {
  const htmlUrl = options.cloneUrl.replace(/\.git$/, '');
  const owner = { ...(template.owner as Json), login: repo.owner, name: repo.owner };
  return {
    ...template,
    name: repo.name,
    full_name: repo.fullName,
    owner,
    html_url: htmlUrl,
    url: htmlUrl,
    clone_url: options.cloneUrl,
    git_url: options.cloneUrl.replace(/^https?:/, 'git:'),
    ssh_url: `git@fake-github:${repo.fullName}.git`,
    default_branch: options.defaultBranch ?? 'main',
    ...('master_branch' in template ? { master_branch: options.defaultBranch ?? 'main' } : {}),
  };
}

export interface PushOptions extends PayloadRepoOptions {
  before: string;
  /** the pushed sha; ZERO_SHA for a deleted ref */
  after: string;
  /** default: refs/heads/main */
  ref?: string;
  installationId?: number;
  sender?: string;
}

/** A `push` payload for `before`..`after` of `repo`, commits with their added/modified/removed files. */
export async function pushPayload(repo: GitRepo, options: PushOptions): Promise<Json> {
  const payload = example('push', (p) => String(p.ref).startsWith('refs/heads/') && Array.isArray(p.commits) && p.commits.length > 0);
  const deleted = options.after === ZERO_SHA;
  const shas = deleted ? [] : await repo.commitsBetween(options.before, options.after);
  const commitTemplate = (payload.commits as Json[])[0] as Json;
  const commits: Json[] = [];
  for (const sha of shas.slice(-PUSH_COMMIT_LIMIT)) {
    const changes = await repo.changesOf(sha);
    const pick = (status: string): string[] => changes.filter((c) => c.status === status).map((c) => c.path);
    commits.push({
      ...commitTemplate,
      id: sha,
      tree_id: await repo.revParse(`${sha}^{tree}`),
      message: await repo.message(sha),
      url: `${options.cloneUrl.replace(/\.git$/, '')}/commit/${sha}`,
      added: pick('added'),
      modified: pick('modified'),
      removed: pick('removed'),
    });
  }
  const sender = options.sender ?? repo.owner;
  Object.assign(payload, {
    ref: options.ref ?? 'refs/heads/main',
    before: options.before,
    after: options.after,
    created: options.before === ZERO_SHA,
    deleted,
    forced: false,
    compare: `${options.cloneUrl.replace(/\.git$/, '')}/compare/${options.before.slice(0, 12)}...${options.after.slice(0, 12)}`,
    commits,
    head_commit: commits.at(-1) ?? null,
    repository: repositoryObject(payload.repository as Json, repo, options),
    pusher: { name: sender, email: `${sender}@users.noreply.github.com` },
    sender: { ...(payload.sender as Json), login: sender },
  });
  setInstallation(payload, options.installationId);
  return payload;
}

export interface PullRequestOptions extends PayloadRepoOptions {
  action: 'opened' | 'synchronize' | 'reopened' | 'closed' | 'labeled';
  number: number;
  headSha: string;
  headRef: string;
  baseBranch?: string;
  baseSha?: string;
  /** the fork the head lives in (default: the same repository) */
  headRepo?: { repo: GitRepo; cloneUrl: string };
  installationId?: number;
  sender?: string;
}

/** A `pull_request` payload on `repo` (the base repository). */
export function pullRequestPayload(repo: GitRepo, options: PullRequestOptions): Json {
  const payload = example('pull_request', (p) => p.action === 'synchronize');
  const base = repositoryObject(payload.repository as Json, repo, options);
  const head = options.headRepo ? repositoryObject(payload.repository as Json, options.headRepo.repo, { cloneUrl: options.headRepo.cloneUrl }) : base;
  const pr = payload.pull_request as Json;
  const sender = options.sender ?? (options.headRepo?.repo ?? repo).owner;
  Object.assign(pr, {
    number: options.number,
    state: options.action === 'closed' ? 'closed' : 'open',
    html_url: `${String(base.html_url)}/pull/${options.number}`,
    head: { ...(pr.head as Json), ref: options.headRef, sha: options.headSha, label: `${String((head.owner as Json).login)}:${options.headRef}`, repo: head },
    base: { ...(pr.base as Json), ref: options.baseBranch ?? 'main', sha: options.baseSha ?? ZERO_SHA, repo: base },
  });
  Object.assign(payload, { action: options.action, number: options.number, repository: base, sender: { ...(payload.sender as Json), login: sender } });
  if (options.action !== 'synchronize') {
    delete payload.before;
    delete payload.after;
  } else {
    payload.after = options.headSha;
  }
  setInstallation(payload, options.installationId);
  return payload;
}

function setInstallation(payload: Json, installationId: number | undefined): void {
  if (installationId === undefined) delete payload.installation;
  else payload.installation = { id: installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${installationId}` };
}

export interface Delivery {
  /** the exact bytes to POST */
  body: string;
  headers: Record<string, string>;
}

/** The request GitHub would send for `payload`, signed with `secret` (x-hub-signature-256). */
export async function signedDelivery(event: string, payload: object, secret: string, deliveryId: string = randomUUID()): Promise<Delivery> {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/fake',
      'x-github-event': event,
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': await sign(secret, body),
    },
  };
}
