import type { Plan, Status } from '../pipeline/types.ts';
import type { Executor } from './executor.ts';
import type { EventSink } from './events.ts';

export interface RunJobOptions {
  runId: string;
  executor: Executor;
  onEvent: EventSink;
  /** aborting cancels the run: running commands are killed, containers removed, status `cancelled` */
  signal?: AbortSignal;
  /** retries of a failed group when the plan does not say */
  defaultRetry: number;
  /** most groups running at once */
  groupConcurrency: number;
  /** values of the plan's secrets by name: injected as env vars, masked in every log line and message */
  secrets: Record<string, string>;
  /** extra values to mask (e.g. tokens) that are not env vars */
  maskValues?: string[];
  /** bytes of log kept per step attempt; then one "log truncated" line and the rest is dropped */
  logCapBytes: number;
  /** PISTAGES_* context of the trigger (repo, sha, ref, ...); run-job adds the per-step ones */
  context: Record<string, string>;
  /** attempt number of the first attempt (a re-queued run after a crash starts later), default 1 */
  firstAttempt?: number;
  /** run only these groups (rerun of failed groups); others are reported `skipped` */
  onlyGroups?: string[];
}

export interface GroupResult {
  name: string;
  status: Status;
  attempts: number;
}

export interface RunResult {
  status: Status;
  groups: GroupResult[];
}

export declare function runJob(plan: Plan, options: RunJobOptions): Promise<RunResult>;
