/**
 * The domain model of Pistages: job files as parsed, and the plan they compile to.
 * Pure data; every other part of the system consumes these shapes.
 */

export type Scalar = string | number | boolean;

/** 1-based position in a source file. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** One problem found in a job file: where, what is wrong, and how to fix it (in `message`). */
export interface ValidationIssue extends SourcePos {
  message: string;
}

export interface Resources {
  /** fractional CPUs, e.g. 0.5 */
  cpus?: number;
  /** bytes */
  memoryBytes?: number;
  pids?: number;
}

/** Where a file writes `timeout` and each `resources` field, so a finding about a value can point at it. */
export interface LimitPositions {
  timeout?: SourcePos;
  cpus?: SourcePos;
  memory?: SourcePos;
  pids?: SourcePos;
}

export interface PushFilter {
  branches?: string[];
  tags?: string[];
  paths?: string[];
}

/** `on.pull_request`: globs of the base branch (the branch merged into) and of changed paths */
export interface PullRequestFilter {
  branches?: string[];
  paths?: string[];
}

export interface Triggers {
  push?: PushFilter;
  pull_request?: PullRequestFilter;
}

/** An item of a group, as written in the file. Exactly one of `dep` / `run` is set. */
export interface StepSpec {
  id?: string;
  name?: string;
  dep?: string;
  /** normalised: a single string becomes a one-item list */
  run?: string[];
  image?: string;
  with?: Record<string, Scalar>;
  /** where each `with:` key is written, so a problem with one points at it */
  withPos?: Record<string, SourcePos>;
  env?: Record<string, string>;
  timeoutMs?: number;
  resources?: Resources;
  /** absent in definitions stored before positions were kept */
  limitsPos?: LimitPositions;
  pos: SourcePos;
}

export interface GroupSpec {
  name: string;
  steps: StepSpec[];
  pos: SourcePos;
}

/**
 * A parsed, schema-valid job file (also an action when registered).
 * A file with top-level `run` and no `uses` is normalised to one group `main` with one step
 * `{image, run}`; `singleRun` records that it was written that way.
 */
export interface JobFile {
  file: string;
  name: string;
  description?: string;
  image?: string;
  with: Record<string, Scalar>;
  env: Record<string, string>;
  groups: GroupSpec[];
  singleRun: boolean;
  timeoutMs?: number;
  retry?: number;
  resources?: Resources;
  /** absent in definitions stored before positions were kept */
  limitsPos?: LimitPositions;
  on?: Triggers;
  /** names of stored secrets exposed to every step as environment variables */
  secrets: string[];
  pos: SourcePos;
}

/** Where `dep` names are looked up. Implementations must return values the caller may not mutate. */
export interface ActionCatalog {
  get(name: string): JobFile | undefined;
  names(): string[];
}

export type Status =
  | 'queued'
  | 'running'
  | 'success'
  | 'failure'
  | 'error'
  | 'timed_out'
  | 'cancelled'
  | 'skipped';

export const TERMINAL_STATUSES: readonly Status[] = ['success', 'failure', 'error', 'timed_out', 'cancelled', 'skipped'];

export interface PlannedStep {
  /** position in the group, from 0 */
  index: number;
  id?: string;
  /** display name: the step's `name`, else the action's name for `dep`, else the first command line */
  name: string;
  image: string;
  /** containers of a group are numbered from 0; steps sharing a number share the container */
  container: number;
  /** true when this step starts its container (the first step with this container number) */
  startsContainer: boolean;
  /**
   * commands run in order, each with `sh -e -c`. May still contain `{{ .steps.<id>.outputs.<k> }}`
   * references, rendered just before the step runs.
   */
  commands: string[];
  /** job env, then action env, then step env, rendered; may contain step-output references too */
  env: Record<string, string>;
  timeoutMs?: number;
  /** limits for the container this step starts (job resources overlaid by the step's) */
  resources?: Resources;
  /** the `dep` chain this step came from, outermost first, e.g. ["Build", "Clone Repo"] */
  actions: string[];
  /**
   * the parameters of the action the step comes from (innermost action of `actions`); absent for the
   * job's own steps. With the plan's `params` they reach the step as PISTAGES_PARAM_* variables.
   */
  params?: Record<string, Scalar>;
  pos: SourcePos;
}

export interface PlannedGroup {
  name: string;
  steps: PlannedStep[];
}

/** A job compiled to plain data: everything the executor needs, nothing it must look up. */
export interface Plan {
  job: string;
  file: string;
  /** the job's parameters after overlaying the caller's values */
  params: Record<string, Scalar>;
  /** automatic retries of a failed group; undefined → the server/CLI default */
  retry?: number;
  secrets: string[];
  groups: PlannedGroup[];
}

/** A pull request (opened, reopened or pushed to) as far as `on:` filters care. */
export interface PullRequestInfo {
  /** the branch the pull request merges into, e.g. main */
  baseBranch: string;
  /** paths the pull request changes; undefined when unknown (then path filters match) */
  changedFiles?: string[];
}

/** A push as far as `on:` filters care. */
export interface PushInfo {
  /** full ref, e.g. refs/heads/main or refs/tags/v1.2 */
  ref: string;
  /** the pushed sha; all zeros for a deleted ref */
  after: string;
  /** paths changed by the push; undefined when unknown (then path filters match) */
  changedFiles?: string[];
}
