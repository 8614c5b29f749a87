import Docker from 'dockerode';
import type { Executor } from '../../src/executor/executor.ts';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.ts';
import { RUN_LABEL } from '../../src/executor/docker/labels.ts';
import { reapOrphans } from '../../src/executor/docker/reaper.ts';
import { runJob } from '../../src/executor/run-job.ts';
import { buildPlan, createCatalog, parseJob } from '../../src/pipeline/index.ts';
import type { Status } from '../../src/pipeline/types.ts';
import { AgendaQueue } from '../../src/scheduler/agenda/agenda-queue.ts';
import { openMongoStores, type MongoStores } from '../../src/store/mongo/index.ts';
import type { RunRecord } from '../../src/store/store.ts';
import { silentLogger } from '../../src/worker/logger.ts';
import { Worker, type WorkerDeps } from '../../src/worker/worker.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from './images.ts';
import { startTestMongo, type TestMongo } from './mongo.ts';
import { waitFor } from './wait.ts';

/**
 * Real stores on a test MongoDB, real Docker (network none, local images only) and any number of
 * in-process workers, each with its own Agenda queue on the shared database (as separate
 * processes would have).
 */
export const SECRET_KEY = Buffer.alloc(32, 7);
export const IMAGE = BUSYBOX_IMAGE;

export interface WorkerOptions extends Partial<Omit<WorkerDeps, 'runs' | 'logs' | 'secrets' | 'queue'>> {
  pollMs?: number;
  wrapExecutor?: (executor: Executor) => Executor;
}

export interface StartedWorker {
  worker: Worker;
  queue: AgendaQueue;
}

export interface World {
  mongo: TestMongo;
  stores: MongoStores;
  docker: Docker;
  /** a queue for submitting from "the API" (never started) */
  submitQueue: AgendaQueue;
  startWorker(options?: WorkerOptions): Promise<StartedWorker>;
  /** stores a run of `yaml` and queues it through `queue` (default: the submit queue) */
  submit(yaml: string, queue?: AgendaQueue): Promise<string>;
  waitForStatus(runId: string, statuses: Status[], timeoutMs?: number): Promise<RunRecord>;
  containersOf(runId: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const docker = new Docker();
  await ensureTestImage(docker, IMAGE);
  const mongo = await startTestMongo();
  const stores = await openMongoStores(mongo.client, mongo.dbName, { secretKey: SECRET_KEY, log: () => {} });
  const db = mongo.client.db(mongo.dbName);
  const queueFor = (name: string, concurrency: number, pollMs: number): Promise<AgendaQueue> =>
    AgendaQueue.open({ db, name, concurrency, pollMs, lockLifetimeMs: 4000, log: silentLogger });
  const submitQueue = await queueFor('api', 1, 60_000);
  const started: StartedWorker[] = [];
  let workers = 0;

  return {
    mongo,
    stores,
    docker,
    submitQueue,
    async startWorker(options = {}) {
      const workerId = options.workerId ?? `test-worker-${++workers}`;
      const concurrency = options.concurrency ?? 2;
      const queue = await queueFor(workerId, concurrency, options.pollMs ?? 200);
      const docker_ = new DockerExecutor({ docker, network: 'none', pullPolicy: 'never' });
      const worker = new Worker({
        runs: stores.runs,
        logs: stores.logs,
        secrets: stores.secrets,
        queue,
        executor: options.wrapExecutor ? options.wrapExecutor(docker_) : docker_,
        runJob,
        reapRun: async (runId) => {
          await reapOrphans(docker, async (id) => id !== runId);
        },
        workerId,
        leaseMs: 3000,
        heartbeatMs: 300,
        concurrency,
        defaultRetry: 0,
        logCapBytes: 1024 * 1024,
        groupConcurrency: 4,
        log: silentLogger,
        ...options,
      });
      await worker.start();
      const handle = { worker, queue };
      started.push(handle);
      return handle;
    },
    async submit(yaml, queue = submitQueue) {
      const parsed = parseJob(yaml, 'job.yaml');
      if (!parsed.job) throw new Error(`test job does not parse: ${JSON.stringify(parsed.issues)}`);
      const plan = buildPlan(parsed.job, createCatalog([]).catalog, {});
      const run = await stores.runs.create({ job: plan.job, source: 'api', yaml, file: 'job.yaml', params: {}, plan });
      await queue.enqueue(run.id);
      return run.id;
    },
    async waitForStatus(runId, statuses, timeoutMs = 30_000) {
      return waitFor(`run ${runId} to reach ${statuses.join('/')}`, async () => {
        const run = await stores.runs.get(runId);
        return run && statuses.includes(run.status) ? run : undefined;
      }, { timeoutMs, intervalMs: 50 });
    },
    async containersOf(runId) {
      const list = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
      return list.map((c) => c.Id);
    },
    async close() {
      await Promise.allSettled(started.map((s) => s.worker.stop({ graceMs: 0 })));
      await stores.close();
      await mongo.close();
    },
  };
}
