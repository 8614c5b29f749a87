import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import Docker from 'dockerode';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.ts';
import type { PullPolicy } from '../../src/executor/docker/options.ts';
import type { LogLineEvent, RunEvent, StepStatusEvent } from '../../src/executor/events.ts';
import { runJob } from '../../src/executor/run-job.ts';
import { buildPlan, createCatalog, parseJob } from '../../src/pipeline/index.ts';
import { start, summaryRows, type Running } from '../support/cli-process.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';
import { freePort, startTestMongo, type TestMongo } from '../support/mongo.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Image pull progress in a step's log, on the real engine and without any outside network: the
 * progress path gets a recorded pull stream in place of the engine's (the container then starts
 * from the local test image), the failure path pulls from a loopback registry that refuses.
 */
const docker = new Docker();
const SUITE_LABEL = { 'pistages.suite': `pull-${randomBytes(3).toString('hex')}` };
const REFUSING = '127.0.0.1:1/missing:1';

async function runYaml(yaml: string, pullPolicy: PullPolicy, engine: Docker = docker): Promise<RunEvent[]> {
  const parsed = parseJob(yaml, 'job.yaml');
  assert.ok(parsed.job, JSON.stringify(parsed.issues));
  const events: RunEvent[] = [];
  const executor = new DockerExecutor({ docker: engine, network: 'none', pullPolicy, labels: SUITE_LABEL });
  await runJob(buildPlan(parsed.job, createCatalog([]).catalog, {}), {
    runId: `pull-${randomBytes(4).toString('hex')}`, executor, onEvent: (e) => void events.push(e),
    defaultRetry: 0, groupConcurrency: 1, secrets: {}, logCapBytes: 1024 * 1024, context: {},
  });
  return events;
}

const logOf = (events: RunEvent[]): LogLineEvent[] => events.filter((e): e is LogLineEvent => e.type === 'log');
const finalStep = (events: RunEvent[]): StepStatusEvent | undefined =>
  events.filter((e): e is StepStatusEvent => e.type === 'step' && e.status !== 'running').pop();

describe('image pull progress in a step\'s log', { concurrency: false }, () => {
  before(async () => {
    await ensureTestImage(docker, BUSYBOX_IMAGE);
  });

  it('a pull in progress: its start, byte progress and end are system lines before the step\'s output', async () => {
    const events: RunEvent[] = [];
    // the engine itself, except that a pull answers with a stream this test writes
    const engine = Object.create(docker) as Docker;
    let pulls = 0;
    engine.pull = (async () => {
      pulls++;
      const stream = new PassThrough();
      void (async () => {
        stream.write(`${JSON.stringify({ status: 'Pulling fs layer', id: 'l1', progressDetail: {} })}\n`);
        // downloads go on until the step's log shows a progress line (the lines are at most every 3 s)
        const progressShown = (): boolean => logOf(events).some((e) => / MB of /.test(e.line));
        for (let i = 1; i <= 400 && !progressShown(); i++) {
          stream.write(`${JSON.stringify({ status: 'Downloading', id: 'l1', progressDetail: { current: Math.min(i * 100_000, 9_000_000), total: 10_000_000 } })}\n`);
          await delay(25);
        }
        stream.end(`${JSON.stringify({ status: 'Pull complete', id: 'l1', progressDetail: {} })}\n`);
      })();
      return stream;
    }) as unknown as Docker['pull'];
    const recorded = await runYaml(`name: Pulls\nimage: ${BUSYBOX_IMAGE}\nrun: echo after the pull\n`, 'always', engine);
    events.push(...recorded);
    assert.equal(pulls, 1);
    assert.equal(finalStep(recorded)?.status, 'success');
    const log = logOf(recorded).map((e) => `${e.stream}: ${e.line}`);
    assert.equal(log[0], `system: pulling ${BUSYBOX_IMAGE}`);
    assert.match(log[1] ?? '', new RegExp(`^system: pulling ${BUSYBOX_IMAGE}: \\d+\\.\\d MB of 10\\.0 MB, 0/1 layers$`));
    assert.match(log.at(-2) ?? '', new RegExp(`^system: pulled ${BUSYBOX_IMAGE} in \\d+\\.\\ds$`));
    assert.equal(log.at(-1), 'stdout: after the pull');
  });

  for (const policy of ['if-not-present', 'always'] as const) {
    it(`a registry that refuses (${policy}): the pull's start, then exactly one error line; the step ends error with the cause`, async () => {
      const events = await runYaml(`name: Refused\nimage: ${REFUSING}\nrun: echo never\n`, policy);
      const log = logOf(events);
      assert.deepEqual(log.map((e) => e.stream), ['system', 'system'], log.map((e) => e.line).join('\n'));
      assert.equal(log[0]?.line, `pulling ${REFUSING}`);
      assert.match(log[1]?.line ?? '', /^image '127\.0\.0\.1:1\/missing:1' is not available: .*connection refused/);
      const step = finalStep(events);
      assert.equal(step?.status, 'error');
      assert.equal(step?.message, log[1]?.line);
    });
  }
});

describe('pull progress of a server run: stored, and printed by a follower', { concurrency: false }, () => {
  const TOKEN = 'pull-progress-token-0123456789abcdef';
  let mongo: TestMongo;
  let dir: string;
  let server: Running | undefined;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    mongo = await startTestMongo();
    dir = await mkdtemp(join(tmpdir(), 'pistages-pull-'));
    const port = await freePort();
    server = start(['serve'], {
      env: {
        MONGODB_URI: mongo.uri, PISTAGES_DB: mongo.dbName, PISTAGES_PORT: String(port), PISTAGES_HOST: '127.0.0.1', PISTAGES_API_TOKEN: TOKEN,
        PISTAGES_NETWORK: 'none', PISTAGES_PULL_POLICY: 'if-not-present', PISTAGES_DEFAULT_RETRY: '0', PISTAGES_LOG_LEVEL: 'warn', PISTAGES_POLL_INTERVAL: '200ms',
      },
    });
    env = { PISTAGES_URL: `http://127.0.0.1:${port}`, PISTAGES_TOKEN: TOKEN };
    await waitFor('the server to answer', async () => (await fetch(`${env.PISTAGES_URL}/healthz`)).ok, { timeoutMs: 60_000, intervalMs: 100 });
    await writeFile(join(dir, 'refused.yaml'), `name: Refused\nimage: ${REFUSING}\nrun: echo never\n`);
  });

  after(async () => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited(30_000).catch(() => server?.child.kill('SIGKILL'));
    }
    await mongo?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('submit --follow shows the pull and its one error; the stored log holds exactly those two lines', async () => {
    const res = await start(['submit', join(dir, 'refused.yaml'), '--follow'], { env }).exited(120_000);
    assert.equal(res.code, 1, res.stderr + res.stdout);
    const out = res.stdout.split('\n');
    assert.equal(out.filter((l) => /│ pulling 127\.0\.0\.1:1\/missing:1$/.test(l)).length, 1, res.stdout);
    assert.equal(out.filter((l) => l.includes('is not available')).length, 1, res.stdout);
    assert.deepEqual(summaryRows(res.stdout).map((r) => r[2]), ['error']);

    const id = /submitted run ([0-9a-f]{24})/.exec(res.stderr)?.[1];
    assert.ok(id, res.stderr);
    const stored = await fetch(`${env.PISTAGES_URL}/api/runs/${id}/logs`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(stored.status, 200);
    const lines = (await stored.text()).split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0] ?? '', /pulling 127\.0\.0\.1:1\/missing:1$/);
    assert.match(lines[1] ?? '', /image '127\.0\.0\.1:1\/missing:1' is not available: .*connection refused/);
  });
});
