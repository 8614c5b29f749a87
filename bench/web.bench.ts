/**
 * Web figures on the real stack (FerretDB or MONGODB_URI, headless Chromium):
 *   (a) the run page of a finished run with a 200,000-line log (default chunk layout): time to the
 *       first lines painted and to the whole log loaded, against fetching the raw log with `curl`
 *       from the API in the same run. "cold": no tail of the run in memory; "warm": a second load
 *       within the tail's linger time, served from memory.
 *   (b) log follow fan-out: database reads per second with 1 and with 50 followers of one run, with
 *       the tails polling every 250 ms and, where the server has change streams (a replica set at
 *       MONGODB_URI), woken by the change feed.
 * Run: node --import tsx bench/web.bench.ts   [BENCH_LOG_LINES=200000]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openChangeFeed } from '../src/store/mongo/change-feed.ts';
import { countingStores, followReadsPerSecond, loginCookie } from '../test/e2e/web-followers.ts';
import { seedLongRun, startWebWorld, TOKEN } from '../test/e2e/web-harness.ts';

const LINES = Number(process.env.BENCH_LOG_LINES ?? 200_000);
const web = await startWebWorld({ worker: false });

/** curl in a child process (asynchronously: the app answering it runs in this process) */
async function curl(url: string): Promise<{ firstByteMs: number; totalMs: number; bytes: number }> {
  const { stdout } = await promisify(execFile)('curl', ['-sS', '-o', '/dev/null', '-H', `Authorization: Bearer ${TOKEN}`, '-w', '%{time_starttransfer} %{time_total} %{size_download}', url], { encoding: 'utf8' });
  const [first = '0', total = '0', bytes = '0'] = stdout.trim().split(' ');
  return { firstByteMs: Math.round(Number(first) * 1000), totalMs: Math.round(Number(total) * 1000), bytes: Number(bytes) };
}

async function pageLoad(runId: string): Promise<{ firstLinesMs: number; loadedMs: number }> {
  const page = await web.loggedIn();
  try {
    await page.goto(`${web.url}/runs/${runId}`);
    await page.locator('#log[data-ended]').waitFor({ timeout: 300_000 });
    const marks = await page.evaluate<Record<string, number>>("Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]))");
    return { firstLinesMs: marks['pistages:first-lines'] ?? NaN, loadedMs: marks['pistages:log-loaded'] ?? NaN };
  } finally {
    await page.close();
  }
}

try {
  const seeded = Date.now();
  const runId = await seedLongRun(web.world.stores, LINES);
  console.log(`seeded a run with ${LINES} log lines in ${Date.now() - seeded} ms`);

  const raw = await curl(`${web.url}/api/runs/${runId}/logs`);
  console.log(`curl raw log (API, text):  first byte ${raw.firstByteMs} ms, complete ${raw.totalMs} ms, ${(raw.bytes / 1e6).toFixed(1)} MB`);
  const cold = await pageLoad(runId);
  console.log(`run page, cold:            first lines ${cold.firstLinesMs} ms, whole log ${cold.loadedMs} ms (from navigation start)`);
  const warm = await pageLoad(runId);
  console.log(`run page, warm (in memory): first lines ${warm.firstLinesMs} ms, whole log ${warm.loadedMs} ms`);
  const again = await curl(`${web.url}/api/runs/${runId}/logs`);
  console.log(`curl raw log, again:       first byte ${again.firstByteMs} ms, complete ${again.totalMs} ms`);

  const counted = countingStores(web.world.stores.runs, web.world.stores.logs);
  const created = await web.api('POST', '/api/runs', { yaml: 'name: Chatty\nimage: alpine\nrun: echo hi\n' });
  const followed: string = created.body.id;
  await web.world.stores.runs.apply({ type: 'run', runId: followed, status: 'running', at: new Date() });
  let seq = 0;
  const write = (line: string) => web.world.stores.logs.append([{ type: 'log', runId: followed, group: 'main', step: 0, attempt: 1, seq: seq++, stream: 'stdout', line, at: new Date() }]);
  await write('first');
  const feed = await openChangeFeed(web.world.mongo.client.db(web.world.mongo.dbName), { log: () => undefined });
  for (const changes of feed ? [undefined, feed] : [undefined]) {
    const app = await web.startApp({ runs: counted.runs, logs: counted.logs, followPollMs: 250, ...(changes && { changes }) });
    const setup = { url: app.url, runId: followed, token: TOKEN, cookie: await loginCookie(app.url, TOKEN), count: counted.count, write };
    const one = await followReadsPerSecond(setup, 1, 40);
    const fifty = await followReadsPerSecond(setup, 50, 40);
    const how = changes ? 'change feed' : 'poll 250 ms';
    console.log(`log follow, ${how}: ${one.toFixed(1)} database reads/s with 1 follower, ${fifty.toFixed(1)} with 50 (${(fifty / one).toFixed(2)}x)`);
    await app.close();
  }
  if (!feed) console.log('log follow, change feed: not measured (the server has no change streams; a replica set at MONGODB_URI has)');
  await feed?.close();
} finally {
  await web.close();
}
