import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Executor } from './executor/executor.ts';
import { reapOrphans } from './executor/docker/reaper.ts';
import { runJob } from './executor/run-job.ts';
import type { MongoStores } from './store/mongo/index.ts';
import type { RunStore } from './store/store.ts';
import type { RunQueue } from './scheduler/queue.ts';
import { Worker } from './worker/worker.ts';

/** how often the worker sweeps the engine for containers of runs that are over */
const REAP_INTERVAL_MS = 5 * 60_000;

export interface DockerWorkerDeps {
  config: Config;
  /** the engine the executor runs on, swept for leftovers */
  docker: Docker;
  executor: Executor;
  stores: MongoStores;
  /** the run store the worker writes through (metered, notifying) */
  runs: RunStore;
  queue: RunQueue;
  workerId: string;
  log: Logger;
}

export interface DockerWorker {
  worker: Worker;
  /** stops the periodic sweep (the worker itself is stopped by the caller) */
  stop: () => Promise<void>;
}

/**
 * The worker of a process on a Docker engine (its adapters are built by main.ts), and a sweep at
 * start and every few minutes that removes containers, volumes and networks of runs that are over
 * (a crashed worker's leftovers).
 */
export async function buildDockerWorker({ config, docker, executor, stores, runs, queue, workerId, log }: DockerWorkerDeps): Promise<DockerWorker> {
  // a run this database does not know may belong to another installation sharing the engine: keep it
  const isRunActive = async (runId: string): Promise<boolean> => {
    const run = await stores.runs.get(runId);
    return run === null || run.status === 'queued' || run.status === 'running';
  };
  const sweep = async (): Promise<void> => {
    const reaped = await reapOrphans(docker, isRunActive);
    if (reaped.containers + reaped.volumes + reaped.networks > 0) log.info({ ...reaped }, 'removed containers, volumes and networks of finished runs');
  };
  await sweep().catch((err: unknown) => log.warn({ err }, 'could not sweep leftover containers (is the Docker engine reachable?)'));
  const sweeper = setInterval(() => void sweep().catch((err: unknown) => log.warn({ err }, 'container sweep failed')), REAP_INTERVAL_MS);
  sweeper.unref();
  const worker = new Worker({
    runs,
    logs: stores.logs,
    secrets: stores.secrets,
    credentials: stores.credentials,
    queue,
    executor,
    runJob,
    reapRun: async (runId) => {
      await reapOrphans(docker, async (id) => id !== runId);
    },
    workerId,
    leaseMs: config.leaseMs,
    heartbeatMs: Math.max(250, Math.floor(config.leaseMs / 3)),
    concurrency: config.concurrency,
    defaultRetry: config.defaultRetry,
    logCapBytes: config.logCapBytes,
    defaultTimeoutMs: config.defaultTimeoutMs,
    groupConcurrency: config.groupConcurrency,
    log: log.child({ worker: workerId }),
  });
  return { worker, stop: async () => clearInterval(sweeper) };
}
