/**
 * The runs page (`GET /`, HTML, 50 runs) with BENCH_RUNS_SMALL (1,000) and then BENCH_RUNS_LARGE
 * (100,000) finished runs stored, on the embedded database the tests use (FerretDB on PostgreSQL when
 * installed, else SQLite; or MONGODB_URI): first page unfiltered, filtered by repository (2% of the
 * runs), by status (failure, 10%) and by trigger (pull_request, 20%); p50/p99 over
 * BENCH_PAGE_REQUESTS requests each, and the ratio large/small. Runs arrive at a steady rate of
 * BENCH_RUNS_LARGE per BENCH_HISTORY_DAYS (90): the small set is the newest day or so, the large
 * one adds the older history behind it, so the first page is the same newest runs in both.
 * Run: node --import tsx bench/runs-page.bench.ts   [BENCH_RUNS_LARGE=100000 BENCH_PAGE_REQUESTS=20]
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { buildPlan, createCatalog, parseJob } from '../src/pipeline/index.ts';
import { createApp } from '../src/server/app.ts';
import { openMongoStores } from '../src/store/mongo/index.ts';
import { runBucketLabels } from '../src/store/mongo/run-buckets.ts';
import { foldRunHeads, recordRunHeads, runHeads } from '../src/store/mongo/run-heads.ts';
import { loginCookie } from '../test/e2e/web-followers.ts';
import { startTestMongo } from '../test/support/mongo.ts';
import { percentile } from '../test/support/wait.ts';

const SMALL = Number(process.env.BENCH_RUNS_SMALL ?? 1000);
const LARGE = Number(process.env.BENCH_RUNS_LARGE ?? 100_000);
const REQUESTS = Number(process.env.BENCH_PAGE_REQUESTS ?? 20);
const HISTORY_MS = Number(process.env.BENCH_HISTORY_DAYS ?? 90) * 24 * 3600_000;
const REPOS = 50;
const TOKEN = 'bench-token-0123456789abcdef0123';
/** trigger and status of the n-th run: 70% push, 20% pull_request, 7% api, 3% rerun; 10% failure */
const SOURCES = [...Array<string>(70).fill('push'), ...Array<string>(20).fill('pull_request'), ...Array<string>(7).fill('api'), ...Array<string>(3).fill('rerun')];
const FILTERS: [string, string][] = [
  ['first page, unfiltered', ''],
  ['by repository (2%)', 'repo=acme%2Frepo-7'],
  ['by status failure (10%)', 'status=failure'],
  ['by trigger pull_request (20%)', 'trigger=pull_request'],
];

const mongo = await startTestMongo();
const stores = await openMongoStores(mongo.client, mongo.dbName, { secretKey: randomBytes(32), log: () => undefined });
const db = mongo.client.db(mongo.dbName);
const app = createApp({
  config: loadConfig({ PISTAGES_API_TOKEN: TOKEN }),
  ...stores,
  deliveries: stores.deliveryLog,
  queue: { enqueue: async () => undefined },
  log: pino({ level: 'silent' }),
});
const server = await new Promise<Server>((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** a finished run as the store writes it, to clone */
async function template(): Promise<Record<string, unknown>> {
  const yaml = 'name: ci\nimage: alpine\nrun: make test\n';
  const parsed = parseJob(yaml, 'ci.yaml');
  if (!parsed.job) throw new Error(`the bench job does not parse: ${JSON.stringify(parsed.issues)}`);
  const plan = buildPlan(parsed.job, createCatalog([]).catalog, {});
  const run = await stores.runs.create({ job: plan.job, source: 'push', yaml, file: 'ci.yaml', params: {}, plan, repo: 'acme/repo-0', branch: 'main', sha: 'a'.repeat(40) });
  await stores.runs.finish(run.id, 'success', 'done', new Date());
  const doc = await db.collection('runs').findOne({ _id: run.id as never });
  if (!doc) throw new Error('the template run was not stored');
  await db.collection('runs').deleteOne({ _id: run.id as never });
  return doc;
}

let stored = 0;
async function seedTo(total: number, model: Record<string, unknown>): Promise<number> {
  const startedAt = performance.now();
  const newest = Date.now();
  while (stored < total) {
    const count = Math.min(1000, total - stored);
    const runs = [];
    for (let i = 0; i < count; i++) {
      const n = stored + i;
      // the n-th newest run
      const createdAt = new Date(newest - Math.floor((n * HISTORY_MS) / LARGE));
      runs.push({
        ...model,
        _id: randomBytes(12).toString('hex'),
        repo: `acme/repo-${n % REPOS}`,
        source: SOURCES[(n * 37) % SOURCES.length],
        status: n % 10 === 3 ? 'failure' : 'success',
        createdAt,
        listBuckets: runBucketLabels(createdAt),
        startedAt: createdAt,
        finishedAt: new Date(createdAt.getTime() + 500),
      });
    }
    // and their scopes' heads, as the store moves them on create (on servers that cannot sort)
    if (!stores.capabilities.sortPushdown) await recordRunHeads(runHeads(db), foldRunHeads(runs));
    await db.collection('runs').insertMany(runs as never[], { ordered: false });
    stored += count;
  }
  return performance.now() - startedAt;
}

async function measure(label: string, cookie: string): Promise<Map<string, number>> {
  const p50s = new Map<string, number>();
  for (const [name, query] of FILTERS) {
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const startedAt = performance.now();
      const res = await fetch(`${url}/?${query}`, { headers: { cookie } });
      const html = await res.text();
      times.push(performance.now() - startedAt);
      if (res.status !== 200 || !html.includes('<table')) throw new Error(`GET /?${query} answered ${res.status}`);
      // 50 rows a page; every filter matches at least 20 runs, even with SMALL runs stored
      if ((html.match(/<tr/g) ?? []).length < 21) throw new Error(`GET /?${query} shows too few runs: the seed went wrong`);
    }
    times.sort((a, b) => a - b);
    p50s.set(name, percentile(times, 50));
    console.log(`${label.padEnd(13)} ${name.padEnd(31)} p50 ${percentile(times, 50).toFixed(1).padStart(7)} ms, p99 ${percentile(times, 99).toFixed(1).padStart(7)} ms`);
  }
  return p50s;
}

try {
  const backend = mongo.handler === 'external' ? 'MONGODB_URI' : `FerretDB on ${mongo.handler}`;
  console.log(`database: ${backend}; ${REPOS} repositories; ${REQUESTS} requests per figure (p99 of ${REQUESTS} is the slowest)`);
  const cookie = await loginCookie(url, TOKEN);
  const model = await template();
  await seedTo(SMALL, model);
  const small = await measure(`${SMALL} runs`, cookie);
  const seedMs = await seedTo(LARGE, model);
  console.log(`seeded ${LARGE - SMALL} more runs in ${(seedMs / 1000).toFixed(1)} s`);
  // a bulk load this large is queried seconds later, before PostgreSQL's autovacuum has analyzed the
  // table; FerretDB's compact is a VACUUM ANALYZE, giving the planner the statistics it would have
  if (mongo.handler === 'postgresql') await db.command({ compact: 'runs' });
  const large = await measure(`${LARGE} runs`, cookie);
  for (const [name] of FILTERS) {
    const ratio = (large.get(name) ?? NaN) / (small.get(name) ?? NaN);
    console.log(`at ${LARGE / SMALL}× the runs, ${name}: p50 ${ratio.toFixed(2)}× the figure at ${SMALL}`);
  }
} finally {
  await new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  await stores.close();
  await mongo.close();
}
