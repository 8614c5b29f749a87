import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { ensureTestImage, BUSYBOX_IMAGE } from '../support/images.ts';
import { githubWorld, type GithubWorld } from '../support/github-world.ts';
import { serverEnv, startPistages, WEBHOOK_SECRET, type PistagesServer } from '../support/github-server.ts';
import { freePort, startTestMongo, type TestMongo } from '../support/mongo.ts';
import { waitFor } from '../support/wait.ts';
import { pushPayload, signedDelivery } from '../support/webhook-payloads.ts';
import { ZERO_SHA } from '../support/git-fixture.ts';

/**
 * What must survive: a 70 kB log tail cut to GitHub's byte limit, GitHub failing (500) and rate
 * limiting (403) for a while, and the server SIGKILLed after answering 202 but before discovery.
 */

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'pistages');
// 1,000 lines of about 400 bytes ("ü" is two bytes in UTF-8): the 200-line tail is about 80 kB
const WIDE = 'ü'.repeat(195);
const LOUD = `name: Loud\nimage: ${BUSYBOX_IMAGE}\nrun: for i in $(seq 1 1000); do echo "line $i ${WIDE} end"; done; exit 1\n`;

describe('GitHub faults', () => {
  let world: GithubWorld;
  let mongo: TestMongo;

  before(async () => {
    await ensureTestImage(new Docker(), BUSYBOX_IMAGE);
    world = await githubWorld();
    mongo = await startTestMongo();
  });

  after(async () => {
    await world?.dispose();
    await mongo?.close();
  });

  it('cuts a 70 kB log tail to 65,535 bytes and still reports while GitHub fails and rate-limits', async () => {
    const { repo, sha } = await world.git.repo('acme/loud', { '.pistages/loud.yaml': LOUD });
    await world.fake.addRepo(repo, { installationId: 4 });
    const server: PistagesServer = await startPistages(world, { mongo, env: { PISTAGES_DB: `${mongo.dbName}_a` } });
    try {
      const payload = await pushPayload(repo, { before: ZERO_SHA, after: sha, cloneUrl: world.fake.cloneUrl(repo.fullName), installationId: 4 });
      // GitHub is down for the first requests, then rate-limits the next ones (faults apply in order)
      world.fake.failNext(6, { status: 500 });
      world.fake.rateLimit({ kind: 'secondary', count: 5, retryAfterSeconds: 1 });
      world.fake.rateLimit({ kind: 'primary', count: 2, resetAfterSeconds: 1 });
      assert.equal((await server.deliver(await signedDelivery('push', payload, WEBHOOK_SECRET))).status, 202);
      const check = await waitFor('the completed check run', () => world.fake.checkRuns('acme/loud', sha).find((c) => c.status === 'completed'), { timeoutMs: 240_000 });
      assert.equal(check.conclusion, 'failure');
      const text = check.output?.text ?? '';
      assert.ok(Buffer.byteLength(text, 'utf8') <= 65_535, `output.text is ${Buffer.byteLength(text, 'utf8')} bytes`);
      assert.ok(Buffer.byteLength(text, 'utf8') > 30_000, 'most of the tail is kept');
      assert.match(text, new RegExp(`line 1000 ${WIDE} end`));
      assert.match(text, /cut to fit GitHub's limit/);
      await waitFor('the final commit status', () => world.fake.statuses('acme/loud', sha).at(-1)?.state === 'failure' || undefined);
      assert.ok(world.fake.requests.some((r) => r.status === 500) && world.fake.requests.some((r) => r.status === 403), 'the faults were injected');
      assert.deepEqual(world.fake.violations, []);
    } finally {
      world.fake.clearFaults();
      await server.close({ keepDatabase: true });
    }
  });

  it('processes a delivery accepted by a server that was SIGKILLed before discovery finished', async () => {
    const { repo, sha } = await world.git.repo('acme/crash', { '.pistages/ok.yaml': `name: OK\nimage: ${BUSYBOX_IMAGE}\nrun: echo fine\n` });
    await world.fake.addRepo(repo, { installationId: 5 });
    const env = serverEnv(world, mongo, { PISTAGES_DB: `${mongo.dbName}_b`, PISTAGES_PORT: String(await freePort()), PISTAGES_LOG_LEVEL: 'warn' });
    const child = spawn(process.execPath, [CLI, 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${env.PISTAGES_PORT}`;
    try {
      await waitFor('the child server to listen', () => fetch(`${url}/healthz`).then((r) => r.ok, () => false) || undefined, { timeoutMs: 120_000 });
      // from now on GitHub fails every request: discovery cannot finish while this server lives
      world.fake.failNext(100_000, { status: 500 });
      const payload = await pushPayload(repo, { before: ZERO_SHA, after: sha, cloneUrl: world.fake.cloneUrl(repo.fullName), installationId: 5 });
      const delivery = await signedDelivery('push', payload, WEBHOOK_SECRET, 'crash-delivery');
      const answer = await fetch(`${url}/webhooks/github`, { method: 'POST', headers: delivery.headers, body: delivery.body });
      assert.equal(answer.status, 202);
      const mark = world.fake.requests.length;
      await waitFor('processing to reach GitHub', () => world.fake.requests.slice(mark).some((r) => r.status === 500) || undefined, { timeoutMs: 60_000 });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    assert.equal(world.fake.checkRuns('acme/crash', sha).length, 0, output);
    world.fake.clearFaults();
    const second = await startPistages(world, { mongo, env: { PISTAGES_DB: `${mongo.dbName}_b` } });
    try {
      const check = await waitFor('the check run after the restart', () => world.fake.checkRuns('acme/crash', sha).find((c) => c.status === 'completed'), { timeoutMs: 180_000 });
      assert.equal(check.conclusion, 'success');
      const recorded = await second.services.deliveries.get('crash-delivery');
      assert.equal(recorded?.outcome, 'accepted');
      assert.equal(recorded?.runIds.length, 1);
      const { runs } = await second.api<{ runs: unknown[] }>(`/api/runs?sha=${sha}`);
      assert.equal(runs.length, 1, 'one run for the delivery, not one per attempt');
    } finally {
      await second.close({ keepDatabase: true });
    }
  });
});
