import type { Plan, Scalar, Status } from '../pipeline/types.ts';

/** What the server keeps of a run: its record, as the run store reads and writes it, and how runs are listed. */

export type RunSource = 'push' | 'pull_request' | 'api' | 'rerun';

export interface StepRecord {
  index: number;
  name: string;
  status: Status;
  exitCode?: number;
  startedAt?: Date;
  finishedAt?: Date;
  outputs?: Record<string, string>;
  message?: string;
}

export interface AttemptRecord {
  attempt: number;
  status: Status;
  startedAt?: Date;
  finishedAt?: Date;
  /** why the attempt ended as it did (from the group event), e.g. which step failed */
  message?: string;
  steps: StepRecord[];
}

export interface GroupRecord {
  name: string;
  status: Status;
  /** the latest attempt number (0 before the first starts) */
  attempt: number;
  /** message of the latest group event that had one */
  message?: string;
  attempts: AttemptRecord[];
}

export interface TriggerInfo {
  repo?: string;
  sha?: string;
  ref?: string;
  branch?: string;
  cloneUrl?: string;
  event?: string;
  /** GitHub App installation that delivered the push */
  installationId?: number;
  /** pull request number, for runs of a pull request */
  pullRequest?: number;
  /** who pushed or opened the pull request */
  sender?: string;
  /** the pull request comes from a fork: the run gets no secrets and no write access */
  fork?: boolean;
  /** the forge that triggered the run and receives its statuses; undefined for API and CLI runs */
  forge?: 'github';
  /** the webhook delivery that started the run */
  deliveryId?: string;
}

export interface NewRun extends TriggerInfo {
  job: string;
  source: RunSource;
  /** the job file's text, kept so a rerun compiles the same job */
  yaml: string;
  file: string;
  params: Record<string, Scalar>;
  plan: Plan;
  rerunOf?: string;
  /** groups to run (rerun of failed groups); undefined = all */
  onlyGroups?: string[];
  /** the action definitions the job used, as they were when it was submitted */
  actions?: RunAction[];
  /**
   * Which secrets the run may receive: `repo` = its repository's scoped values (over global ones),
   * `global` = global values only. Decided at submission (runs/secret-scope.ts); see secretRepo().
   */
  secretScope?: 'repo' | 'global';
}

/** An action a run used: sent with the run (`run`, never registered) or registered at the time. */
export interface RunAction {
  name: string;
  scope: 'run' | 'registered';
  file: string;
  yaml: string;
  /** the registered version used */
  version?: number;
}

export interface RunRecord extends NewRun {
  id: string;
  status: Status;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  message?: string;
  groups: GroupRecord[];
  /** worker holding the run while it is `running` */
  worker?: string;
  /** last heartbeat of that worker; a run whose lease expired is recovered by another worker */
  leaseUntil?: Date;
  /** number of times the run was started (crash recovery starts it again as a new attempt) */
  starts: number;
  cancelRequested?: boolean;
}

export interface RunFilter {
  repo?: string;
  job?: string;
  status?: Status;
  sha?: string;
  branch?: string;
  /** what started the run (push, pull_request, api, rerun) */
  source?: RunSource;
  since?: Date;
  /** runs whose id starts with these lowercase hex characters (short run ids) */
  idPrefix?: string;
}

export interface Page {
  limit: number;
  /** opaque cursor from a previous page */
  cursor?: string;
}

export interface RunPage {
  runs: RunRecord[];
  next?: string;
}
