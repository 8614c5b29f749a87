import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { DockerExecutor } from './executor/docker/docker-executor.ts';
import { containerDefaults } from './executor/docker/options.ts';
import { reapOrphans } from './executor/docker/reaper.ts';
import { runJob } from './executor/run-job.ts';
import { startEmbeddedMongo, type EmbeddedMongo } from './embedded/embedded-mongo.ts';
import { writeProbe } from './embedded/write-probe.ts';
import type { GithubAuth } from './github/client.ts';
import { createGithubService, type GithubService } from './github/github-service.ts';
import { meteredDeliveryLog, meteredFetch } from './ops/metered-github.ts';
import { meteredRunStore } from './ops/metered-run-store.ts';
import { createOpsMetrics, type OpsMetrics } from './ops/ops-metrics.ts';
import type { ReadinessChecks } from './ops/readiness.ts';
import { notifyingRunStore } from './runs/notifying-run-store.ts';
import { createReportTrigger } from './runs/report-trigger.ts';
import type { SubmitDeps } from './runs/submit.ts';
import { AgendaQueue } from './scheduler/agenda/agenda-queue.ts';
import { openChangeFeed, openMongoStores } from './store/mongo/index.ts';
import { startListBucketsBackfill } from './store/mongo/list-buckets-backfill.ts';
import { startRetention } from './store/mongo/retention.ts';
import type { ActionRegistry, ApiTokenStore, ChangeFeed, DeliveryLog, LogStore, RunStore, SecretStore } from './store/store.ts';
import { Worker } from './worker/worker.ts';

/**
 * The composition root: the only place that builds concrete adapters (MongoDB client and stores,
 * the Agenda queue, the Docker executor) and hands them to the parts that take interfaces.
 */

export interface ServiceOptions {
  /** run a worker in this process */
  worker: boolean;
  log: Logger;
  /** default: <hostname>-<pid>-<random> */
  workerId?: string;
  /** build the GitHub integration (the server process; workers only queue reports) */
  github?: boolean;
  /** GitHub's fetch (tests hand in none: the API URL points at a loopback fake) */
  fetch?: typeof fetch;
}

export interface Services {
  config: Config;
  log: Logger;
  runs: RunStore;
  logs: LogStore;
  actions: ActionRegistry;
  secrets: SecretStore;
  /** stored API tokens (the server's `/api` authentication) */
  tokens: ApiTokenStore;
  deliveries: DeliveryLog;
  /** run changes from a change stream, for the server's live log views; undefined when the server has none */
  changes: ChangeFeed | undefined;
  queue: AgendaQueue;
  /** what submitting a run needs (API, webhook) */
  submit: SubmitDeps;
  worker: Worker | undefined;
  /** the GitHub integration, when GITHUB_* is configured and options.github */
  github: GithubService | undefined;
  /** database round trip, for readiness checks */
  ping(): Promise<unknown>;
  /** the process's metrics registry, fed by the worker, the GitHub layer and the HTTP app */
  metrics: OpsMetrics;
  /** what /readyz checks in this process: the database, the queue, and (with a worker) the Docker engine */
  readiness: ReadinessChecks;
  /** /healthz: false once the embedded database stays down (restarts keep failing) */
  liveness: () => { alive: boolean; detail?: string };
  /**
   * Stops in order: the worker (runs get `graceMs` to finish, then are re-queued), the queue,
   * the database connection, the embedded database. Safe to call twice.
   */
  shutdown(options: { graceMs: number }): Promise<void>;
}

/** how often the worker sweeps the engine for containers of runs that are over */
const REAP_INTERVAL_MS = 5 * 60_000;

export async function buildServices(config: Config, options: ServiceOptions): Promise<Services> {
  const { log } = options;
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) await step().catch((err: unknown) => log.warn({ err }, 'shutdown step failed'));
  };
  try {
    let uri = config.mongodbUri;
    let embedded: EmbeddedMongo | undefined;
    if (uri === undefined) {
      const started = await startEmbeddedMongo({ dataDir: config.dataDir, log });
      cleanups.push(() => started.stop());
      embedded = started;
      uri = started.uri;
    }
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    try {
      await client.connect();
    } catch (err) {
      throw new Error(`cannot connect to MongoDB at ${redact(uri)}: ${String(err)}; check MONGODB_URI and that the server is running`, { cause: err });
    }
    cleanups.push(() => client.close());
    const stores = await openMongoStores(client, config.dbName, {
      // without PISTAGES_SECRET_KEY the API refuses secrets; a throwaway key keeps the store usable
      secretKey: config.secretKey === undefined ? randomBytes(32) : Buffer.from(config.secretKey, 'hex'),
      log: (level, message, details) => log[level](details ?? {}, message),
    });
    cleanups.push(() => stores.close());
    const db = client.db(config.dbName);
    const metrics = createOpsMetrics({
      counts: { queued: () => db.collection('runs').countDocuments({ status: 'queued' }), running: () => db.collection('runs').countDocuments({ status: 'running' }) },
    });
    // a write, not a ping: FerretDB answers pings while the PostgreSQL behind it is down
    const readiness: ReadinessChecks = { mongodb: () => writeProbe(db), queue: () => db.collection('queue').findOne({}, { projection: { _id: 1 } }) };
    if (embedded) readiness.embedded = embedded.check;
    const deliveries = meteredDeliveryLog(stores.deliveryLog, metrics);
    // only the server process follows logs live; the stream itself opens with the first follower
    const changes = options.github === true ? await openChangeFeed(db, { log: (level, message, details) => log[level](details ?? {}, message) }) : undefined;
    if (changes) cleanups.push(() => changes.close());
    if (options.github === true && config.retentionMs !== undefined) {
      const retention = startRetention({ db, retentionMs: config.retentionMs, deleteRuns: config.retentionRuns === 'delete', log });
      cleanups.push(() => retention.stop());
    }
    if (options.github === true) {
      const backfill = startListBucketsBackfill({ db, log });
      cleanups.push(() => backfill.stop());
    }
    const workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const queue = await AgendaQueue.open({
      db: client.db(config.dbName),
      name: workerId,
      concurrency: config.concurrency,
      pollMs: config.pollIntervalMs,
      lockLifetimeMs: config.leaseMs,
      log,
    });
    cleanups.push(() => queue.stop({ drain: false }));
    const idQueue = (collection: string, jobName: string) =>
      AgendaQueue.open({ db: client.db(config.dbName), collection, jobName, name: workerId, concurrency: 2, pollMs: config.pollIntervalMs, lockLifetimeMs: 60_000, log });
    // every process reports run changes to a durable queue; only a server with GitHub credentials sends them
    const reportQueue = await idQueue('report_queue', 'pistages-report');
    cleanups.push(() => reportQueue.stop({ drain: false }));
    const trigger = createReportTrigger({
      request: (runId) => reportQueue.enqueue(runId),
      windowMs: 1000,
      onError: (err, runId) => log.warn({ err, runId }, 'could not queue a report of a run change'),
    });
    cleanups.push(async () => trigger.stop());
    const runs = notifyingRunStore(meteredRunStore(stores.runs, metrics), (change) => trigger.changed(change));
    const now = (): Date => new Date();
    const secretsEnabled = config.secretKey !== undefined;
    const submit: SubmitDeps = { runs, queue, secretsEnabled, credentials: stores.credentials, now, log };
    let github: GithubService | undefined;
    const auth = githubAuth(config);
    if (options.github === true && auth !== undefined) {
      const deliveryQueue = await idQueue('delivery_queue', 'pistages-delivery');
      github = createGithubService({
        settings: {
          webhookSecret: config.githubWebhookSecret,
          auth,
          apiUrl: config.githubApiUrl,
          publicUrl: config.publicUrl,
          actionsRepo: config.actionsRepo,
          checkoutImage: config.checkoutImage,
          limits: config,
          reportIntervalMs: config.reportIntervalMs,
          writeIntervalMs: config.githubWriteIntervalMs,
        },
        runs,
        logs: stores.logs,
        actions: stores.actions,
        deliveries,
        reports: stores.reports,
        submit,
        deliveryQueue,
        reportQueue,
        log,
        now,
        fetch: meteredFetch(options.fetch ?? fetch, metrics),
      });
      const started = github;
      cleanups.push(() => started.stop());
    }

    let worker: Worker | undefined;
    if (options.worker) {
      const docker = new Docker();
      readiness.docker = () => docker.ping();
      const executor = new DockerExecutor({ docker, network: config.network, pullPolicy: config.pullPolicy, defaults: containerDefaults(config), log: (message) => log.info({}, message) });
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
      cleanups.push(async () => clearInterval(sweeper));
      worker = new Worker({
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
    }
    const started = worker;
    let shutdown: Promise<void> | undefined;
    return {
      config,
      log,
      runs,
      logs: stores.logs,
      actions: stores.actions,
      secrets: stores.secrets,
      tokens: stores.tokens,
      deliveries,
      changes,
      queue,
      submit,
      worker,
      github,
      ping: () => client.db(config.dbName).command({ ping: 1 }),
      metrics,
      readiness,
      liveness: () => {
        const status = embedded?.status();
        if (status === undefined) return { alive: true };
        return { alive: status.state !== 'down', detail: `embedded database ${status.state}: ${status.detail}` };
      },
      shutdown: (opts) => {
        shutdown ??= (async () => {
          if (started) await started.stop(opts);
          await cleanUp();
        })();
        return shutdown;
      },
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/**
 * Calls `stop` once on the first SIGTERM or SIGINT; a second signal exits at once (for an operator
 * who does not want to wait for the grace period).
 */
export function onShutdownSignal(log: Logger, stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/**
 * GitHub credentials from the config: an App (id + key, or key file) or a token; undefined when
 * none is set. Throws naming the variable when a half-given setting cannot work.
 */
export function githubAuth(config: Config): GithubAuth | undefined {
  const { githubAppId: appId, githubPrivateKey, githubPrivateKeyFile, githubToken, githubWebhookSecret } = config;
  if (appId !== undefined) {
    if (githubPrivateKey !== undefined && githubPrivateKeyFile !== undefined) {
      throw new Error('set one of GITHUB_PRIVATE_KEY and GITHUB_PRIVATE_KEY_FILE, not both');
    }
    let privateKey = githubPrivateKey;
    if (githubPrivateKeyFile !== undefined) {
      try {
        privateKey = readFileSync(githubPrivateKeyFile, 'utf8');
      } catch (err) {
        throw new Error(`GITHUB_PRIVATE_KEY_FILE: cannot read ${githubPrivateKeyFile} (${(err as NodeJS.ErrnoException).code ?? String(err)}); point it at the App's .pem file`, { cause: err });
      }
    }
    if (privateKey === undefined) throw new Error('GITHUB_APP_ID is set but the App\'s key is not: set GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_FILE');
    return { kind: 'app', appId, privateKey };
  }
  if (githubPrivateKey !== undefined || githubPrivateKeyFile !== undefined) {
    throw new Error('GITHUB_PRIVATE_KEY is set but GITHUB_APP_ID is not: set GITHUB_APP_ID to the App ID on the App\'s settings page');
  }
  if (githubToken !== undefined) return { kind: 'token', token: githubToken };
  if (githubWebhookSecret !== undefined) {
    throw new Error('GITHUB_WEBHOOK_SECRET is set but Pistages has no GitHub credentials: set GITHUB_APP_ID and GITHUB_PRIVATE_KEY, or GITHUB_TOKEN');
  }
  return undefined;
}

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
