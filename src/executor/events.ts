import type { Status } from '../pipeline/types.ts';

/**
 * What run-job reports while it runs a plan. Consumers (the CLI printer, the MongoDB store,
 * GitHub reporting) receive events in order per group; the sink's promise is awaited, so a slow
 * consumer applies backpressure.
 */
export type RunEvent = RunStatusEvent | GroupStatusEvent | StepStatusEvent | LogLineEvent;

export interface RunStatusEvent {
  type: 'run';
  runId: string;
  status: Status;
  at: Date;
  /** for error/cancelled runs: why */
  message?: string;
}

export interface GroupStatusEvent {
  type: 'group';
  runId: string;
  group: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  status: Status;
  at: Date;
  message?: string;
}

export interface StepStatusEvent {
  type: 'step';
  runId: string;
  group: string;
  /** index of the step in its group */
  step: number;
  stepName: string;
  attempt: number;
  status: Status;
  at: Date;
  exitCode?: number;
  /** for error / timed_out: what happened, in words a user can act on (secrets masked) */
  message?: string;
  /** outputs the step wrote to $PISTAGES_OUTPUT (set with the step's final status) */
  outputs?: Record<string, string>;
}

export interface LogLineEvent {
  type: 'log';
  runId: string;
  group: string;
  step: number;
  attempt: number;
  /** per (group, step, attempt), from 0, no gaps */
  seq: number;
  stream: 'stdout' | 'stderr' | 'system';
  /** one line, without its newline, secrets masked */
  line: string;
  at: Date;
}

export type EventSink = (event: RunEvent) => void | Promise<void>;
