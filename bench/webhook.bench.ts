/**
 * Webhook intake (`POST /webhooks/github`): signed push deliveries from autocannon against
 *   (a) Pistages' route: verify over the raw bytes, record the delivery with its payload in MongoDB
 *       (FerretDB, or MONGODB_URI), queue it on Agenda, answer 202 — processing is not started, so
 *       this measures the answer GitHub waits for;
 *   (b) the baseline: bare express + @octokit/webhooks-methods verify, answering 202.
 * Prints requests/s at full load and ack latency p50/p99 at a fixed 200 requests/s, the ratio of
 * (a) to (b) measured in this run, and checks every accepted delivery was recorded exactly once.
 * Run: node --import tsx bench/webhook.bench.ts   [BENCH_SECONDS=10 BENCH_CONNECTIONS=10]
 *   BENCH_NO_QUEUE=1 leaves out the hand-over to Agenda, to show what the delivery record alone costs.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon, { type Result } from 'autocannon';
import express from 'express';
import { sign, verify } from '@octokit/webhooks-methods';
import { pino } from 'pino';
import { registerGithubWebhook } from '../src/github/webhook-route.ts';
import { AgendaQueue } from '../src/scheduler/agenda/agenda-queue.ts';
import { openMongoStores } from '../src/store/mongo/index.ts';
import { startTestMongo } from '../test/support/mongo.ts';
import { webhookExample } from '../test/support/webhook-examples.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECRET = 'bench-webhook-secret-0123456789';
const body = JSON.stringify(webhookExample('push', (p) => typeof p.after === 'string'));
const signature = await sign(SECRET, body);

async function listen(app: express.Express): Promise<{ url: string; server: Server }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`, server };
}

function load(url: string, options: { rate?: number; seconds: number }): Promise<Result> {
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: options.seconds,
    ...(options.rate !== undefined && { overallRate: options.rate }),
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signature },
    body,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'x-github-delivery': randomUUID() } }) }],
  });
}

const mongo = await startTestMongo();
const stores = await openMongoStores(mongo.client, mongo.dbName, { secretKey: Buffer.alloc(32, 1), log: () => undefined });
const queue = await AgendaQueue.open({ db: mongo.client.db(mongo.dbName), collection: 'delivery_queue', jobName: 'pistages-delivery', name: 'bench', concurrency: 1, pollMs: 60_000, lockLifetimeMs: 60_000, log: pino({ level: 'silent' }) });

const pistagesApp = express();
registerGithubWebhook(pistagesApp, { secret: SECRET, deliveries: stores.deliveryLog, enqueue: (id) => (process.env.BENCH_NO_QUEUE === '1' ? Promise.resolve() : queue.enqueue(id)), log: pino({ level: 'silent' }), now: () => new Date() });
const baselineApp = express();
baselineApp.post('/webhooks/github', express.raw({ type: () => true, limit: '25mb' }), async (req, res) => {
  const ok = await verify(SECRET, (req.body as Buffer).toString('utf8'), req.get('x-hub-signature-256') ?? '');
  res.status(ok ? 202 : 401).json({ ok });
});

const pistages = await listen(pistagesApp);
const baseline = await listen(baselineApp);
const row = (name: string, r: Result): string =>
  `${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   2xx ${r['2xx']}  non-2xx ${r.non2xx}`;
try {
  await load(baseline.url, { seconds: 2 }); // warm-up
  const baseFull = await load(baseline.url, { seconds: SECONDS });
  const base200 = await load(baseline.url, { seconds: SECONDS, rate: 200 });
  const before = (await stores.deliveryLog.list({}, 1_000_000)).length;
  const full = await load(pistages.url, { seconds: SECONDS });
  const at200 = await load(pistages.url, { seconds: SECONDS, rate: 200 });
  // requests still in flight when a load ends are answered (and queued) a moment later: let them settle
  const db = mongo.client.db(mongo.dbName);
  let settled = -1;
  for (let same = 0; same < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = (await db.collection('deliveries').countDocuments({})) + (await db.collection('delivery_queue').countDocuments({}));
    same = now === settled ? same + 1 : 0;
    settled = now;
  }
  const recorded = await db.collection('deliveries').countDocuments({});
  const queuedIds = (await db.collection('delivery_queue').distinct('data.runId')).length;
  const queued = await db.collection('delivery_queue').countDocuments({});
  console.log(`webhook intake, ${CONNECTIONS} connections, ${SECONDS} s per load, signed push payload of ${body.length} bytes`);
  console.log(row('baseline express+verify, full load', baseFull));
  console.log(row('baseline at 200 req/s', base200));
  console.log(row('pistages, full load', full));
  console.log(row('pistages at 200 req/s', at200));
  console.log(`throughput ratio pistages/baseline: ${(full.requests.average / baseFull.requests.average).toFixed(3)}×`);
  const accepted = full['2xx'] + at200['2xx'];
  const exact = recorded - before >= accepted && queued === recorded - before && queuedIds === queued;
  console.log(`answered 202 within the load windows: ${accepted}; recorded ${recorded - before} deliveries (the rest answered after the window closed); queued ${queued} jobs for ${queuedIds} distinct deliveries: ${exact ? 'every accepted delivery recorded and queued exactly once' : 'MISMATCH'}`);
} finally {
  pistages.server.close();
  baseline.server.close();
  await queue.stop({ drain: false });
  await stores.close();
  await mongo.close();
}
