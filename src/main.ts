import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { DockerExecutor } from './executor/docker/docker-executor.ts';
import { containerDefaults } from './executor/docker/options.ts';
import { startEmbeddedMongo, type EmbeddedMongo } from './embedded/embedded-mongo.ts';
import { writeProbe } from './embedded/write-probe.ts';
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
import type { Worker } from './worker/worker.ts';
import { buildDockerWorker } from './docker-worker.ts';
import { githubAuth } from './github-auth-config.ts';

export { onShutdownSignal } from './shutdown-signal.ts';

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
      const built = await buildDockerWorker({ config, docker, executor, stores, runs, queue, workerId, log });
      cleanups.push(built.stop);
      worker = built.worker;
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

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
