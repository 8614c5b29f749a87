/**
 * A GitHub webhook delivery as Pistages sees it: the few facts each kind of event carries that
 * decide which jobs run and on what. Built from payloads by `parseEvent` (parse-event.ts, pure);
 * Octokit payload types never leave src/github/.
 */

export interface RepoRef {
  owner: string;
  name: string;
  /** `owner/name` */
  fullName: string;
  /** https clone URL (GitHub's `clone_url`) */
  cloneUrl: string;
  /** the repository's web page (GitHub's `html_url`), for links */
  htmlUrl?: string;
  defaultBranch?: string;
}

interface EventBase {
  repo: RepoRef;
  /** GitHub App installation that sent it; undefined for token mode */
  installationId?: number;
  /** login of who caused it */
  sender?: string;
}

/** A branch or tag push. */
export interface PushEvent extends EventBase {
  kind: 'push';
  /** full ref: refs/heads/main, refs/tags/v1 */
  ref: string;
  before: string;
  /** the pushed sha; all zeros when the ref was deleted */
  after: string;
  deleted: boolean;
  /**
   * Files added, modified or removed by the pushed commits; undefined when the payload cannot tell
   * (GitHub lists at most 20 commits and 3,000 files per commit): then the compare API is asked.
   */
  changedFiles?: string[];
}

export interface PullRequestEvent extends EventBase {
  kind: 'pull_request';
  action: 'opened' | 'synchronize' | 'reopened';
  number: number;
  headSha: string;
  /** branch name in the head repository */
  headRef: string;
  /** branch name the pull request merges into (what `on.pull_request.branches` matches) */
  baseBranch: string;
  /** the base branch's commit when the pull request was last updated (for `paths` filters) */
  baseSha?: string;
  /** the repository the head commit lives in (differs from `repo` for a fork) */
  headRepo: RepoRef;
  /** true when the head is in another repository: such runs get no secrets and no write token */
  fork: boolean;
}

/** GitHub's "Re-run" buttons on a check run or a whole check suite. */
export interface RerunEvent extends EventBase {
  kind: 'rerun';
  /** `check_run`: one job's run; `check_suite`: every run of the commit */
  scope: 'check_run' | 'check_suite';
  headSha: string;
  /** check_run: our run id, which Pistages puts in the check run's `external_id` */
  externalId?: string;
  /** the check run's name (= job name) */
  checkName?: string;
  /**
   * true for the "Re-run failed groups" button Pistages puts on its check runs (a `check_run`
   * `requested_action` with identifier `rerun-failed`); false for GitHub's own "Re-run" buttons
   */
  failedOnly: boolean;
}

/** A delivery Pistages does not act on, and why (kept on the delivery record). */
export interface IgnoredEvent {
  kind: 'ignored';
  reason: string;
}

export type GithubEvent = PushEvent | PullRequestEvent | RerunEvent | IgnoredEvent;

/** Webhook event names Pistages subscribes to. */
export const HANDLED_EVENTS = ['push', 'pull_request', 'check_run', 'check_suite', 'ping'] as const;
