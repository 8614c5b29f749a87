/** What the GitHub layer keeps: webhook deliveries, report state and run credentials; re-exported by store.ts. */
import type { Status } from '../pipeline/types.ts';

export interface DeliveryStore {
  /** records a webhook delivery id; false if it was seen before */
  remember(id: string, now: Date): Promise<boolean>;
}

/** What became of a webhook delivery. */
export type DeliveryOutcome = 'received' | 'accepted' | 'ignored' | 'failed';

export interface DeliveryRecord {
  id: string;
  event: string;
  action?: string;
  repo?: string;
  /** the event's commit (push `after`, pull request head) */
  sha?: string;
  ref?: string;
  sender?: string;
  outcome: DeliveryOutcome;
  /** why it was ignored or failed, or what it did */
  reason?: string;
  runIds: string[];
  receivedAt: Date;
  processedAt?: Date;
  /** processing attempts (a crash between acceptance and discovery makes more than one) */
  attempts: number;
  /** held by a processor, or waiting for a retry, until then */
  leaseUntil?: Date;
}

export interface DeliveryFilter {
  repo?: string;
  outcome?: DeliveryOutcome;
  event?: string;
}

/** The webhook deliveries Pistages received and what each did (collection `deliveries`, shared with DeliveryStore). */
export interface DeliveryLog {
  /** records a new delivery as `received` with its payload; false when the id was recorded before */
  record(delivery: Omit<DeliveryRecord, 'outcome' | 'runIds' | 'attempts' | 'processedAt' | 'reason'>, payload: string): Promise<boolean>;
  get(id: string): Promise<DeliveryRecord | null>;
  /** the stored payload text, for processing (kept until the record expires) */
  payload(id: string): Promise<string | null>;
  /**
   * Takes a `received` delivery for processing until now+leaseMs, counting the attempt; null when
   * it has its outcome already, or another process holds it (or it waits for a retry), so two
   * processes never work on one delivery at once.
   */
  claim(id: string, now: Date, leaseMs: number): Promise<DeliveryRecord | null>;
  /** gives a claimed delivery back, to be claimed again no earlier than `notBefore` (a retry) */
  release(id: string, notBefore: Date): Promise<void>;
  /** run ids created so far (so a retried processing does not create them twice) */
  addRuns(id: string, runIds: string[]): Promise<void>;
  finish(id: string, outcome: Exclude<DeliveryOutcome, 'received'>, reason: string, now: Date): Promise<void>;
  list(filter: DeliveryFilter, limit: number): Promise<DeliveryRecord[]>;
}

/** What was last sent to the forge for one run (collection `reports`), so a report sends only changes. */
export interface ReportState {
  runId: string;
  /** the check run made for this run */
  checkRunId?: number;
  /** the run status the check run shows */
  checkStatus?: Status;
  /** the commit status state last sent (pending, success, failure, error) */
  commitState?: string;
  /** when a progress (non-final) report was last sent, for throttling */
  progressAt?: Date;
  /** reports that failed in a row (for backoff) */
  failures?: number;
}

export interface ReportStateStore {
  get(runId: string): Promise<ReportState | null>;
  /** merges the given fields into the run's state */
  put(state: ReportState): Promise<void>;
}

/** Short-lived values a run's steps receive as masked variables (the checkout token), sealed at rest. */
export interface RunCredentialStore {
  put(runId: string, values: Record<string, string>, expiresAt: Date): Promise<void>;
  /** the values, or {} when none were stored or they expired */
  get(runId: string, now: Date): Promise<Record<string, string>>;
}
