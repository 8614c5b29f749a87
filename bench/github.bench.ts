/**
 * The GitHub path end to end on the real stack (Docker, FerretDB or MONGODB_URI, the fake GitHub on
 * loopback, which checks every request against GitHub's OpenAPI description):
 *   (a) push → first container started: a signed push is POSTed, the time until the Docker engine
 *       reports the run's first container started (docker events); one push at a time, idle worker,
 *       p50/p99 over BENCH_PUSHES pushes (target p50 ≤ 500 ms). The webhook's ack time is printed
 *       beside it as the baseline part.
 *   (b) GitHub requests per run: a push with 5 jobs of 3 groups each, counted at the fake until every
 *       check run is completed (target ≤ 4 per job plus one tree and the changed blobs).
 * Run: node --import tsx bench/github.bench.ts   [BENCH_PUSHES=20]
 */
import Docker from 'dockerode';
import { BUSYBOX_IMAGE, ensureTestImage } from '../test/support/images.ts';
import { githubWorld } from '../test/support/github-world.ts';
import { startPistages, WEBHOOK_SECRET } from '../test/support/github-server.ts';
import { percentile, waitFor } from '../test/support/wait.ts';
import { pushPayload, signedDelivery } from '../test/support/webhook-payloads.ts';
import { ZERO_SHA } from '../test/support/git-fixture.ts';

const PUSHES = Number(process.env.BENCH_PUSHES ?? 20);
const docker = new Docker();
await ensureTestImage(docker, BUSYBOX_IMAGE);
const world = await githubWorld();
// the production default throttle of progress updates, so the request count is what a user's GitHub sees
const server = await startPistages(world, { env: { PISTAGES_NETWORK: 'none', PISTAGES_REPORT_INTERVAL: '10s' } });

// container start times by run id, from the engine's own event stream
const started = new Map<string, number>();
const events = (await docker.getEvents({ filters: { type: ['container'], event: ['start'], label: ['pistages.run'] } })) as NodeJS.ReadableStream;
events.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n').filter(Boolean)) {
    const event = JSON.parse(line) as { timeNano: number; Actor: { Attributes: Record<string, string> } };
    const runId = event.Actor.Attributes['pistages.run'];
    if (runId !== undefined && !started.has(runId)) started.set(runId, event.timeNano / 1e6);
  }
});

try {
  // (a) latency
  const { repo, sha: first } = await world.git.repo('bench/latency', { '.pistages/one.yaml': `name: One\nimage: ${BUSYBOX_IMAGE}\nrun: echo hi\n` });
  await world.fake.addRepo(repo, { installationId: 1 });
  const latencies: number[] = [];
  const acks: number[] = [];
  let before = ZERO_SHA;
  let sha = first;
  for (let i = 0; i < PUSHES + 1; i++) {
    if (i > 0) {
      before = sha;
      sha = await repo.commit({ 'src/file.txt': `change ${i}\n` });
    }
    const payload = await pushPayload(repo, { before, after: sha, cloneUrl: world.fake.cloneUrl(repo.fullName), installationId: 1 });
    const delivery = await signedDelivery('push', payload, WEBHOOK_SECRET);
    const sent = Date.now();
    const answer = await server.deliver(delivery);
    const acked = Date.now();
    if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}`);
    const runId = await waitFor('the run', async () => (await server.services.deliveries.get(delivery.headers['x-github-delivery'] as string))?.runIds[0]);
    const at = await waitFor('its first container', () => started.get(runId));
    await waitFor('the final check run', () => world.fake.checkRuns('bench/latency', sha).find((c) => c.status === 'completed'), { timeoutMs: 120_000 });
    if (i === 0) continue; // warm-up: first token, first tree
    latencies.push(at - sent);
    acks.push(acked - sent);
  }
  latencies.sort((a, b) => a - b);
  acks.sort((a, b) => a - b);
  console.log(`push → first container started, ${PUSHES} pushes, idle worker: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`);
  console.log(`  of which the webhook's answer (baseline part): p50 ${percentile(acks, 50).toFixed(0)} ms, p99 ${percentile(acks, 99).toFixed(0)} ms`);

  // (b) requests per run
  const files: Record<string, string> = {};
  for (let j = 1; j <= 5; j++) {
    files[`.pistages/job${j}.yaml`] = `name: Job ${j}\nimage: ${BUSYBOX_IMAGE}\nuses:\n  a:\n    - run: echo a\n  b:\n    - run: echo b\n  c:\n    - run: echo c\n`;
  }
  const five = await world.git.repo('bench/five', files);
  await world.fake.addRepo(five.repo, { installationId: 1 });
  const mark = world.fake.requests.length;
  const payload = await pushPayload(five.repo, { before: ZERO_SHA, after: five.sha, cloneUrl: world.fake.cloneUrl('bench/five'), installationId: 1 });
  await server.deliver(await signedDelivery('push', payload, WEBHOOK_SECRET));
  await waitFor('five completed check runs and final statuses', () => {
    const checks = world.fake.checkRuns('bench/five', five.sha);
    const finals = world.fake.statuses('bench/five', five.sha).filter((s) => s.state !== 'pending');
    return checks.length === 5 && checks.every((c) => c.status === 'completed') && finals.length === 5 ? true : undefined;
  }, { timeoutMs: 180_000 });
  const requests = world.fake.requests.slice(mark).filter((r) => r.kind === 'api');
  const count = (re: RegExp) => requests.filter((r) => re.test(`${r.method} ${r.path}`)).length;
  const trees = count(/^GET .*\/git\/trees\//);
  const blobs = count(/^GET .*\/git\/blobs\//);
  const tokens = count(/^POST \/app\/installations\//);
  const reporting = count(/^(POST|PATCH) .*\/(check-runs|statuses)/);
  const other = requests.length - trees - blobs - tokens - reporting;
  console.log(`GitHub requests for a push of 5 jobs × 3 groups: ${requests.length} in all = ${trees} trees + ${blobs} blobs + ${tokens} token + ${reporting} reporting (${(reporting / 5).toFixed(1)} per job) + ${other} other`);
  console.log(`  target: ≤ 4 per job (+ trees and blobs): ${reporting / 5 <= 4 ? 'met' : 'missed'}; contract violations: ${world.fake.violations.length}`);
} finally {
  (events as unknown as { destroy(): void }).destroy();
  await server.close();
  await world.dispose();
}
