/**
 * Webhook payload → GithubEvent. Pure. Fields Pistages acts on are checked; a payload without one
 * throws PayloadError naming it. Events and actions that start nothing become IgnoredEvents with
 * the reason, so every delivery record says what happened to it.
 */
import type { GithubEvent, IgnoredEvent, PullRequestEvent, PushEvent, RepoRef, RerunEvent } from './event.ts';
import { PayloadReader } from './payload-reader.ts';

export { PayloadError } from './payload-reader.ts';

/** GitHub lists at most 20 commits in a push payload and at most 3,000 files per commit. */
const MAX_LISTED_COMMITS = 20;
const MAX_LISTED_FILES = 3000;
const PR_ACTIONS: readonly string[] = ['opened', 'synchronize', 'reopened'] satisfies PullRequestEvent['action'][];
/** the identifier of the "Re-run failed groups" button Pistages puts on its check runs */
export const RERUN_FAILED_ACTION = 'rerun-failed';

/** true for the all-zeros sha GitHub sends as `after` of a deleted ref (and `before` of a new one) */
export function isDeletedSha(sha: string): boolean {
  return /^0+$/.test(sha);
}

export function parseEvent(name: string, payload: unknown): GithubEvent {
  switch (name) {
    case 'ping':
      return ignored('ping');
    case 'push':
      return parsePush(new PayloadReader(name, payload));
    case 'pull_request':
      return parsePullRequest(new PayloadReader(name, payload));
    case 'check_run':
      return parseCheckRun(new PayloadReader(name, payload));
    case 'check_suite':
      return parseCheckSuite(new PayloadReader(name, payload));
    default:
      return ignored(`event '${name}' starts nothing`);
  }
}

function ignored(reason: string): IgnoredEvent {
  return { kind: 'ignored', reason };
}

function base(p: PayloadReader): { repo: RepoRef; installationId?: number; sender?: string } {
  const out: { repo: RepoRef; installationId?: number; sender?: string } = { repo: repoRef(p.obj('repository')) };
  const installationId = p.optObj('installation')?.int('id');
  if (installationId !== undefined) out.installationId = installationId;
  const sender = p.optObj('sender')?.optStr('login');
  if (sender !== undefined) out.sender = sender;
  return out;
}

/** Push payloads give the owner `name` and `login`; others only `login`. */
function repoRef(r: PayloadReader): RepoRef {
  const owner = r.obj('owner');
  const ref: RepoRef = {
    owner: owner.optStr('login') ?? owner.str('name'),
    name: r.str('name'),
    fullName: r.str('full_name'),
    cloneUrl: r.str('clone_url'),
  };
  const htmlUrl = r.optStr('html_url');
  if (htmlUrl !== undefined) ref.htmlUrl = htmlUrl;
  const defaultBranch = r.optStr('default_branch');
  if (defaultBranch !== undefined) ref.defaultBranch = defaultBranch;
  return ref;
}

function parsePush(p: PayloadReader): PushEvent {
  const after = p.sha('after');
  const deleted = p.optBool('deleted') === true || isDeletedSha(after);
  const event: PushEvent = { kind: 'push', ...base(p), ref: p.str('ref'), before: p.sha('before'), after, deleted };
  const changedFiles = listedChanges(p, deleted);
  if (changedFiles !== undefined) event.changedFiles = changedFiles;
  return event;
}

/**
 * The union of the commits' added/modified/removed files, or undefined when the payload may not
 * list every change: 20 or more commits, a commit at GitHub's 3,000-file cap, no `commits` on a
 * live ref, or a new ref whose payload lists no commits (nothing to compare it with).
 */
function listedChanges(p: PayloadReader, deleted: boolean): string[] | undefined {
  const commits = p.optList('commits');
  if (commits === undefined) return deleted ? [] : undefined;
  if (commits.length >= MAX_LISTED_COMMITS) return undefined;
  if (commits.length === 0 && !deleted && isDeletedSha(p.str('before'))) return undefined;
  const files = new Set<string>();
  for (const commit of commits) {
    const lists = [commit.optStrings('added'), commit.optStrings('modified'), commit.optStrings('removed')];
    let count = 0;
    for (const list of lists) {
      if (list === undefined) return undefined;
      count += list.length;
      for (const file of list) files.add(file);
    }
    if (count >= MAX_LISTED_FILES) return undefined;
  }
  return [...files];
}

function parsePullRequest(p: PayloadReader): PullRequestEvent | IgnoredEvent {
  const action = p.str('action');
  if (!PR_ACTIONS.includes(action)) return ignored(`pull_request action '${action}' starts nothing`);
  const common = base(p);
  const pr = p.obj('pull_request');
  const head = pr.obj('head');
  const baseRepo = pr.obj('base').obj('repo');
  const headRepo = head.optObj('repo');
  return {
    kind: 'pull_request',
    ...common,
    action: action as PullRequestEvent['action'],
    number: p.optInt('number') ?? pr.int('number'),
    headSha: head.sha('sha'),
    headRef: head.str('ref'),
    baseBranch: pr.obj('base').str('ref'),
    ...optional('baseSha', pr.obj('base').optStr('sha')),
    // a deleted fork leaves head.repo null; its commits stay reachable in the base repository
    headRepo: headRepo === undefined ? common.repo : repoRef(headRepo),
    fork: headRepo === undefined || headRepo.str('full_name') !== baseRepo.str('full_name'),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || isDeletedSha(value) ? {} : ({ [key]: value } as Record<K, string>);
}

function parseCheckRun(p: PayloadReader): RerunEvent | IgnoredEvent {
  const action = p.str('action');
  let failedOnly = false;
  if (action === 'requested_action') {
    const identifier = p.obj('requested_action').str('identifier');
    if (identifier !== RERUN_FAILED_ACTION) return ignored(`check_run requested_action '${identifier}' is not a Pistages button`);
    failedOnly = true;
  } else if (action !== 'rerequested') {
    return ignored(`check_run action '${action}' starts nothing`);
  }
  const checkRun = p.obj('check_run');
  const event: RerunEvent = {
    kind: 'rerun',
    ...base(p),
    scope: 'check_run',
    headSha: checkRun.sha('head_sha'),
    checkName: checkRun.str('name'),
    failedOnly,
  };
  // GitHub sends "" when the check run was created without one
  const externalId = checkRun.optStr('external_id');
  if (externalId !== undefined) event.externalId = externalId;
  return event;
}

function parseCheckSuite(p: PayloadReader): RerunEvent | IgnoredEvent {
  const action = p.str('action');
  if (action !== 'rerequested') return ignored(`check_suite action '${action}' starts nothing`);
  return { kind: 'rerun', ...base(p), scope: 'check_suite', headSha: p.obj('check_suite').sha('head_sha'), failedOnly: false };
}
