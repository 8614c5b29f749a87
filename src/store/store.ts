import type { JobFile, Status } from '../pipeline/types.ts';
import type { GroupStatusEvent, LogLineEvent, RunEvent, StepStatusEvent } from '../executor/events.ts';
import type { NewRun, RunRecord, RunFilter, Page, RunPage } from './run-types.ts';

/**
 * What the server keeps. Interfaces only: store/mongo implements them on MongoDB; a contract
 * suite (test/contract) runs against every implementation.
 */

export type { RunSource, StepRecord, AttemptRecord, GroupRecord, TriggerInfo, NewRun, RunAction, RunRecord, RunFilter, Page, RunPage } from './run-types.ts';

export interface RunStore {
  create(run: NewRun): Promise<RunRecord>;
  get(id: string): Promise<RunRecord | null>;
  list(filter: RunFilter, page: Page): Promise<RunPage>;
  /** applies a status event (run/group/step) to the run document; log events are ignored */
  apply(event: RunEvent): Promise<void>;
  /**
   * Applies group and step events of run `runId`, in order, in one write: what `apply` of each
   * would store. For the rest of a stopping run (every step not yet run marked `skipped` at once).
   */
  applyBatch(runId: string, events: (GroupStatusEvent | StepStatusEvent)[]): Promise<void>;
  /**
   * Atomically takes a `queued` run (or a `running` one whose lease expired) for `worker` until
   * now+leaseMs, incrementing `starts`. Returns null if another worker holds it or it is finished.
   */
  claim(id: string, worker: string, leaseMs: number, now: Date): Promise<RunRecord | null>;
  /** extends the lease; false when the worker no longer holds the run (it must stop) */
  heartbeat(id: string, worker: string, leaseMs: number, now: Date): Promise<boolean>;
  /** ids of `running` runs whose lease ended before `now` */
  expired(now: Date): Promise<string[]>;
  /** marks cancel requested; returns the run, or null when unknown */
  requestCancel(id: string): Promise<RunRecord | null>;
  /** ends a run that never got to run-job (bad plan, unknown secret, ...) */
  finish(id: string, status: Status, message: string, now: Date): Promise<void>;
}

/**
 * Every method of `store`, bound to it: the base of a decorator that overrides a few methods
 * (spread it, then override) and stays complete when the interface grows.
 */
export function forwardRunStore(store: RunStore): RunStore {
  return {
    create: (run) => store.create(run),
    get: (id) => store.get(id),
    list: (filter, page) => store.list(filter, page),
    apply: (event) => store.apply(event),
    applyBatch: (runId, events) => store.applyBatch(runId, events),
    claim: (id, worker, leaseMs, now) => store.claim(id, worker, leaseMs, now),
    heartbeat: (id, worker, leaseMs, now) => store.heartbeat(id, worker, leaseMs, now),
    expired: (now) => store.expired(now),
    requestCancel: (id) => store.requestCancel(id),
    finish: (id, status, message, now) => store.finish(id, status, message, now),
  };
}

export interface LogQuery {
  group?: string;
  step?: number;
  attempt?: number;
  /** lines after this cursor (for follow) */
  after?: string;
  limit?: number;
  /** only the last `tail` lines (of the lines the other filters select); not with `after`/`limit` */
  tail?: number;
}

export interface StoredLogLine extends LogLineEvent {
  /** opaque, increasing across the run: resume point for followers */
  cursor: string;
}

export interface LogStore {
  /** stores lines; many at once (the writer batches) */
  append(lines: LogLineEvent[]): Promise<void>;
  read(runId: string, query: LogQuery): Promise<StoredLogLine[]>;
}

/** Told by a ChangeFeed. */
export interface ChangeListener {
  /** lines of run `runId` were appended, or its document changed */
  changed(runId: string): void;
  /**
   * The feed opened (true: changes from now on are told) or broke (false). Called once at subscribe
   * with the current state. Changes made while the feed was not open are never told.
   */
  state(open: boolean): void;
}

/**
 * Process-wide notice of run changes for live views (a MongoDB change stream). Only a hint: a
 * listener keeps polling, slowly while the feed is open and at its usual rate while it is not.
 */
export interface ChangeFeed {
  /** listens until the returned function is called; the feed is open only while someone listens */
  subscribe(listener: ChangeListener): () => void;
  close(): Promise<void>;
}

export interface ActionSource {
  kind: 'upload' | 'repo';
  repo?: string;
  sha?: string;
  path?: string;
}

export interface ActionRecord {
  name: string;
  description?: string;
  yaml: string;
  definition: JobFile;
  source: ActionSource;
  version: number;
  updatedAt: Date;
}

export interface ActionRegistry {
  /** throws ConflictError when the name exists and replace is false */
  put(definition: JobFile, yaml: string, source: ActionSource, options: { replace: boolean }): Promise<ActionRecord>;
  get(name: string): Promise<ActionRecord | null>;
  list(): Promise<ActionRecord[]>;
  /** previous versions, newest first */
  history(name: string): Promise<ActionRecord[]>;
  remove(name: string): Promise<boolean>;
}

/** `global` or `repo:<owner/name>` */
export type SecretScope = string;

export interface SecretStore {
  put(name: string, scope: SecretScope, value: string): Promise<void>;
  /** names and scopes only, never values */
  list(scope?: SecretScope): Promise<{ name: string; scope: SecretScope; updatedAt: Date }[]>;
  remove(name: string, scope: SecretScope): Promise<boolean>;
  /** values for a run: repo scope wins over global; throws NotFoundError naming missing secrets */
  resolve(names: string[], repo: string | undefined): Promise<Record<string, string>>;
}

export type { ApiTokenRecord, ApiTokenStore, TokenRole } from './api-token-types.ts';
export type {
  DeliveryFilter,
  DeliveryLog,
  DeliveryOutcome,
  DeliveryRecord,
  DeliveryStore,
  ReportState,
  ReportStateStore,
  RunCredentialStore,
} from './forge-state-types.ts';

export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** A caller-supplied value is malformed (bad cursor, secret name or scope); the message says the valid form. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}
