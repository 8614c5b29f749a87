import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { SubmitDeps } from '../runs/submit.ts';
import type { ActionRegistry, ApiTokenStore, ChangeFeed, DeliveryLog, LogStore, RunStore, SecretStore } from '../store/store.ts';
import type { ServerMetrics } from './metrics.ts';
import type { Registry } from 'prom-client';
import type { ReadinessChecks } from '../ops/readiness.ts';
import type { LogHub } from '../web/log-hub.ts';

/** What createApp needs, and what its route modules receive. */

export interface SubmitQueue {
  /** hands a stored run to the workers; rejects when the run could not be queued */
  enqueue(runId: string): Promise<void>;
}

export interface AppDeps {
  config: Config;
  runs: RunStore;
  logs: LogStore;
  actions: ActionRegistry;
  secrets: SecretStore;
  /** stored API tokens; PISTAGES_API_TOKEN is the admin token besides them */
  tokens: ApiTokenStore;
  queue: SubmitQueue;
  log: Logger;
  now?: () => Date;
  /** told after a cancel was recorded, so a worker in this process can stop the run at once */
  onCancel?: (runId: string) => void;
  /** database ping for /readyz when `readiness` is not given; default: listing one run */
  ping?: () => Promise<unknown>;
  /** the process's metrics registry (main.ts builds it once); default: one of the app's own */
  registry?: Registry;
  /** named readiness checks for /readyz (mongodb, docker, queue); default: { mongodb: ping } */
  readiness?: ReadinessChecks;
  /** what /healthz reports (the embedded database's state); default: always alive */
  liveness?: () => { alive: boolean; detail?: string };
  /** the shared log tails; default: one built on `runs` and `logs`, polling every followPollMs */
  logHub?: LogHub;
  /** run changes for the default log hub (a change stream): tails drain at once and poll slowly */
  changes?: ChangeFeed;
  /** how often a `?follow=1` log stream polls the LogStore for new lines (default 250 ms) */
  followPollMs?: number;
  /** routes mounted before `/api` and its token (the GitHub webhook), each verifying its own requests */
  publicRoutes?: (app: Express) => void;
  /** the webhook deliveries, for `GET /api/deliveries`; undefined: the route answers 404 */
  deliveries?: DeliveryLog;
  /** how runs are submitted; default: stored in `runs`, queued on `queue` */
  submit?: SubmitDeps;
}

/** What route modules receive: the deps with defaults filled in, plus the app's metrics. */
export interface ServerContext extends Omit<AppDeps, 'now' | 'followPollMs' | 'ping' | 'publicRoutes' | 'submit' | 'registry' | 'readiness' | 'liveness' | 'logHub' | 'changes'> {
  now: () => Date;
  logHub: LogHub;
  followPollMs: number;
  metrics: ServerMetrics;
  /** false without PISTAGES_SECRET_KEY: secret routes answer 503 and jobs using secrets are refused */
  secretsEnabled: boolean;
  /** what submitting a run needs (runs/submit.ts) */
  submit: SubmitDeps;
}

