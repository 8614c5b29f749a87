/**
 * Does Pistages slow down as history grows? The same figures with 500 and then 50,000 finished
 * runs stored (each with a log chunk), on the embedded database the tests use (FerretDB on
 * PostgreSQL when installed, else SQLite; or MONGODB_URI):
 *   (a) submit → first container started, p50 over BENCH_LATENCY_RUNS runs to an idle local worker;
 *   (b) list runs, first page (50) filtered by repository, p50/p99 over 50 calls (and, for
 *       reference, the unfiltered first page, p50 of 5).
 * Target: at 100× the history, each ≤ 2× the figure at 500 runs.
 * Run: node --import tsx bench/history.bench.ts   [BENCH_HISTORY=50000 BENCH_LATENCY_RUNS=30]
 */
import { randomBytes } from 'node:crypto';
import type { Executor } from '../src/executor/executor.ts';
import { runBucketLabels } from '../src/store/mongo/run-buckets.ts';
import { foldRunHeads, recordRunHeads, runHeads } from '../src/store/mongo/run-heads.ts';
import { percentile, waitFor } from '../test/support/wait.ts';
import { IMAGE, startWorld } from '../test/support/worker-world.ts';

const LARGE = Number(process.env.BENCH_HISTORY ?? 50_000);
const SMALL = 500;
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 30);
const REPOS = 50;
const TRIVIAL = `name: trivial\nimage: ${IMAGE}\nrun: echo executed\n`;

const world = await startWorld();
const db = world.mongo.client.db(world.mongo.dbName);
const firstContainer = new Map<string, number>();
const recordStarts = (inner: Executor): Executor => ({
  createWorkspace: (scope) => inner.createWorkspace(scope),
  removeWorkspace: (w) => inner.removeWorkspace(w),
  startContainer: async (request, signal) => {
    const handle = await inner.startContainer(request, signal);
    if (!firstContainer.has(request.scope.runId)) firstContainer.set(request.scope.runId, performance.now());
    return handle;
  },
  exec: (c, r, sink, s) => inner.exec(c, r, sink, s),
  removeContainer: (c) => inner.removeContainer(c),
});

/** a finished run and its log chunk, as the stores wrote them, to clone */
async function template(): Promise<{ run: Record<string, unknown>; log: Record<string, unknown> }> {
  const id = await world.submit(TRIVIAL);
  await world.stores.logs.append([{ type: 'log', runId: id, group: 'main', step: 0, attempt: 1, seq: 0, stream: 'stdout', line: 'executed', at: new Date() }]);
  await world.stores.runs.finish(id, 'success', 'done', new Date());
  const run = await db.collection('runs').findOne({ _id: id as never });
  const log = await db.collection('logs').findOne({ runId: id });
  if (!run || !log) throw new Error('the template run was not stored');
  await db.collection('runs').deleteOne({ _id: id as never });
  await db.collection('logs').deleteMany({ runId: id });
  return { run, log };
}

let stored = 0;
async function seedTo(total: number, model: { run: Record<string, unknown>; log: Record<string, unknown> }): Promise<number> {
  const startedAt = performance.now();
  const base = Date.now() - 30 * 24 * 3600_000;
  while (stored < total) {
    const count = Math.min(1000, total - stored);
    const runs = [];
    const logs = [];
    for (let i = 0; i < count; i++) {
      const n = stored + i;
      const id = randomBytes(12).toString('hex');
      const createdAt = new Date(base + n * 1000);
      // the list's time-bucket labels follow createdAt, as the store writes them on create
      runs.push({ ...model.run, _id: id, repo: `acme/repo-${n % REPOS}`, createdAt, listBuckets: runBucketLabels(createdAt), startedAt: createdAt, finishedAt: new Date(createdAt.getTime() + 500) });
      const { _id: _ignored, ...log } = model.log;
      logs.push({ ...log, runId: id, tick: n });
    }
    // and their scopes' heads, as the store moves them on create (on servers that cannot sort)
    if (!world.stores.capabilities.sortPushdown) await recordRunHeads(runHeads(db), foldRunHeads(runs));
    await db.collection('runs').insertMany(runs as never[], { ordered: false });
    await db.collection('logs').insertMany(logs as never[], { ordered: false });
    stored += count;
  }
  return performance.now() - startedAt;
}

async function measure(label: string): Promise<{ submit: number; list: number }> {
  const local = await world.startWorker({ workerId: `bench-${label}`, concurrency: 2, wrapExecutor: recordStarts, pollMs: 500 });
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const submittedAt = performance.now();
    const id = await world.submit(TRIVIAL, local.queue);
    latencies.push((await waitFor(`run ${id} to start a container`, () => firstContainer.get(id), { timeoutMs: 30_000, intervalMs: 2 })) - submittedAt);
    await world.waitForStatus(id, ['success'], 30_000);
    await waitFor('the worker to be idle', () => local.worker.running.length === 0, { timeoutMs: 30_000, intervalMs: 2 });
  }
  await local.worker.stop({ graceMs: 10_000 });
  const listings: number[] = [];
  for (let i = 0; i < 50; i++) {
    const startedAt = performance.now();
    const page = await world.stores.runs.list({ repo: `acme/repo-${i % REPOS}` }, { limit: 50 });
    listings.push(performance.now() - startedAt);
    if (page.runs.length === 0) throw new Error('a repository without runs: the seed went wrong');
  }
  const unfiltered: number[] = [];
  for (let i = 0; i < 5; i++) {
    const startedAt = performance.now();
    await world.stores.runs.list({}, { limit: 50 });
    unfiltered.push(performance.now() - startedAt);
  }
  latencies.sort((a, b) => a - b);
  listings.sort((a, b) => a - b);
  unfiltered.sort((a, b) => a - b);
  const submit = percentile(latencies, 50);
  const list = percentile(listings, 50);
  console.log(`${label.padEnd(14)} submit → first container p50 ${submit.toFixed(0)} ms (p99 ${percentile(latencies, 99).toFixed(0)} ms); ` +
    `list runs of a repo, first page: p50 ${list.toFixed(1)} ms, p99 ${percentile(listings, 99).toFixed(1)} ms; ` +
    `all runs, first page (for reference): p50 ${percentile(unfiltered, 50).toFixed(0)} ms`);
  return { submit, list };
}

try {
  const backend = world.mongo.handler === 'external' ? 'MONGODB_URI' : `FerretDB on ${world.mongo.handler}`;
  console.log(`database: ${backend}; ${REPOS} repositories; ${LATENCY_RUNS} latency runs per size`);
  const model = await template();
  await seedTo(SMALL, model);
  const small = await measure(`${SMALL} runs`);
  const seedMs = await seedTo(LARGE, model);
  console.log(`seeded ${LARGE - SMALL} more runs (+ a log chunk each) in ${(seedMs / 1000).toFixed(1)} s`);
  // a bulk load this large is queried seconds later, before PostgreSQL's autovacuum has analyzed the
  // table; FerretDB's compact is a VACUUM ANALYZE, giving the planner the statistics it would have
  if (world.mongo.handler === 'postgresql') for (const name of ['runs', 'logs']) await db.command({ compact: name });
  const large = await measure(`${LARGE} runs`);
  const verdict = (a: number, b: number): string => `${(b / a).toFixed(2)}× ${b <= 2 * a ? 'met' : 'MISSED'}`;
  console.log(`at ${LARGE / SMALL}× the history [target ≤ 2×]: submit → first container ${verdict(small.submit, large.submit)}; list runs ${verdict(small.list, large.list)}`);
} finally {
  await world.close();
}
