/**
 * Request bodies of GitHub's Checks and Statuses APIs, as far as Pistages fills them in
 * (`checks/create`, `checks/update`, `repos/create-commit-status`), and what they are built from.
 */
import type { Status } from '../pipeline/types.ts';

/** The last lines of one step's log, shown in the check run of a failed run. */
export interface StepLogTail {
  group: string;
  step: number;
  stepName: string;
  attempt: number;
  status: Status;
  lines: string[];
  /** lines before these exist */
  clipped: boolean;
}

/** Links into Pistages' own pages; undefined when the server has no public URL. */
export interface ReportContext {
  runUrl?: string;
  logUrl?: (group: string, step: number, attempt: number) => string | undefined;
}

export type CheckStatus = 'queued' | 'in_progress' | 'completed';
export type CheckConclusion = 'success' | 'failure' | 'timed_out' | 'cancelled' | 'skipped';

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  /** only when start_line = end_line */
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export interface CheckRunAction {
  /** ≤ 20 characters */
  label: string;
  /** ≤ 40 characters */
  description: string;
  /** ≤ 20 characters; comes back in the `check_run` `requested_action` webhook */
  identifier: string;
}

export interface CheckRunOutput {
  title: string;
  /** markdown, ≤ 65,535 bytes */
  summary: string;
  /** markdown, ≤ 65,535 bytes */
  text?: string;
  /** ≤ 50 per request */
  annotations?: Annotation[];
}

/** POST /repos/{o}/{r}/check-runs takes it whole; PATCH …/check-runs/{id} takes it without `head_sha`. */
export interface CheckRunBody {
  name: string;
  head_sha: string;
  external_id?: string;
  details_url?: string;
  status: CheckStatus;
  /** set exactly when status is `completed` */
  conclusion?: CheckConclusion;
  started_at?: string;
  completed_at?: string;
  output: CheckRunOutput;
  actions?: CheckRunAction[];
}

export interface CommitStatusBody {
  state: 'pending' | 'success' | 'failure' | 'error';
  /** `pistages/<job name>` */
  context: string;
  /** ≤ 140 characters */
  description: string;
  target_url?: string;
}
