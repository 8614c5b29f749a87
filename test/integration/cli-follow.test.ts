import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';
import { start, summaryRows, type Running } from '../support/cli-process.ts';
import { freePort, startTestMongo, type TestMongo } from '../support/mongo.ts';
import { waitFor } from '../support/wait.ts';

/**
 * `submit --follow`, `logs --follow` and `rerun --follow` as child processes against a real
 * `pistages serve` (API and worker on Docker): they print what `pistages run` prints and exit with
 * its codes. The server finds its database in MONGODB_URI's path, PISTAGES_DB unset.
 */
const TOKEN = 'follow-test-token-0123456789abcdef';
const MISSING = 'pistages-test/never-built:1';

describe('following server runs', { concurrency: false }, () => {
  let mongo: TestMongo;
  let dir: string;
  let server: Running | undefined;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    await ensureTestImage(new Docker(), BUSYBOX_IMAGE);
    mongo = await startTestMongo();
    dir = await mkdtemp(join(tmpdir(), 'pistages-follow-'));
    const port = await freePort();
    const uri = new URL(mongo.uri);
    uri.pathname = `/${mongo.dbName}`;
    server = start(['serve'], {
      env: {
        MONGODB_URI: uri.toString(), PISTAGES_PORT: String(port), PISTAGES_HOST: '127.0.0.1', PISTAGES_API_TOKEN: TOKEN,
        PISTAGES_NETWORK: 'none', PISTAGES_PULL_POLICY: 'never', PISTAGES_DEFAULT_RETRY: '0', PISTAGES_LOG_LEVEL: 'warn', PISTAGES_POLL_INTERVAL: '200ms',
      },
      unset: ['PISTAGES_DB'],
    });
    env = { PISTAGES_URL: `http://127.0.0.1:${port}`, PISTAGES_TOKEN: TOKEN };
    await waitFor('the server to answer', async () => (await fetch(`${env.PISTAGES_URL}/healthz`)).ok, { timeoutMs: 60_000, intervalMs: 100 });
    const job = (name: string, body: string): Promise<void> => writeFile(join(dir, `${name}.yaml`), body);
    await job('ok', `name: Greets\nimage: ${BUSYBOX_IMAGE}\nuses:\n  one:\n    - run: echo hello one\n  two:\n    - run: echo hello two\n    - run: echo then two\n`);
    await job('fails', `name: Fails\nimage: ${BUSYBOX_IMAGE}\nrun: echo about to fail; exit 3\n`);
    await job('missing', `name: Missing\nimage: ${MISSING}\nrun: echo never\n`);
    await job('slow', `name: Slow\nimage: ${BUSYBOX_IMAGE}\ntimeout: 1s\nrun: sleep 30\n`);
  });

  after(async () => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited(30_000).catch(() => server?.child.kill('SIGKILL'));
    }
    await mongo?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) => start(args, { env }).exited(120_000);

  it('a succeeding job: step lines, log lines, the summary table, exit 0; runs stored in the URI’s database', async () => {
    const res = await cli(['submit', join(dir, 'ok.yaml'), '--follow']);
    assert.equal(res.code, 0, res.stderr + res.stdout);
    const out = res.stdout.split('\n');
    const at = (re: RegExp): number => out.findIndex((l) => re.test(l));
    assert.ok(at(/^two\/echo hello two\s+▶ echo hello two$/) < at(/^two\/echo hello two\s+│ hello two$/), res.stdout);
    assert.ok(at(/^two\/echo hello two\s+│ hello two$/) < at(/^two\/echo hello two\s+success [\d.]+s$/), res.stdout);
    assert.ok(at(/^two\/echo hello two\s+success/) < at(/^two\/echo then two\s+▶/), res.stdout);
    assert.deepEqual(summaryRows(res.stdout).map((r) => [r[0], r[1], r[2]]).sort(), [
      ['one', 'echo hello one', 'success'], ['two', 'echo hello two', 'success'], ['two', 'echo then two', 'success'],
    ]);
    assert.match(res.stdout, /^Job success in [\d.]+s$/m);
    const id = /submitted run ([0-9a-f]{24})/.exec(res.stderr)?.[1];
    assert.ok(id, res.stderr);
    assert.equal(await mongo.client.db(mongo.dbName).collection('runs').countDocuments({ _id: id as never }), 1);
  });

  it('a failing job exits 1 with the exit code on its status line; logs --follow and rerun --follow print the same', async () => {
    const res = await cli(['submit', join(dir, 'fails.yaml'), '--follow']);
    assert.equal(res.code, 1, res.stderr + res.stdout);
    assert.match(res.stdout, /│ about to fail\n.*failure exit code 3 [\d.]+s/s);
    assert.match(res.stdout, /^Job failure in [\d.]+s$/m);
    const id = /submitted run ([0-9a-f]{24})/.exec(res.stderr)?.[1] as string;

    const logs = await cli(['logs', id.slice(0, 10), '--follow']);
    assert.equal(logs.code, 1);
    assert.deepEqual(summaryRows(logs.stdout).map((r) => r[2]), ['failure']);
    const rerun = await cli(['rerun', id, '--follow']);
    assert.equal(rerun.code, 1);
    assert.match(rerun.stdout, /│ about to fail\n/);
    assert.match(rerun.stdout, /^Job failure in/m);
  });

  it('a missing image and a timeout are each reported once', async () => {
    const missing = await cli(['submit', join(dir, 'missing.yaml'), '--follow']);
    assert.equal(missing.code, 1, missing.stderr + missing.stdout);
    assert.equal(missing.stdout.split('\n').filter((l) => l.includes(MISSING)).length, 1, missing.stdout);
    assert.deepEqual(summaryRows(missing.stdout).map((r) => r[2]), ['error']);

    const slow = await cli(['submit', join(dir, 'slow.yaml'), '--follow']);
    assert.equal(slow.code, 1);
    assert.equal(slow.stdout.split('\n').filter((l) => l.includes('timed out after 1s')).length, 1, slow.stdout);
    assert.match(slow.stdout, /^main\/sleep 30 timed_out [\d.]+s$/m);
    assert.deepEqual(summaryRows(slow.stdout).map((r) => r[2]), ['timed_out']);
  });

  it('--json with --follow prints one JSON event per line, ending with the run’s end', async () => {
    const res = await cli(['submit', join(dir, 'fails.yaml'), '--follow', '--json']);
    assert.equal(res.code, 1);
    const events = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: string; line?: string });
    assert.deepEqual(events.filter((e) => e.type !== 'queued').map((e) => (e.type === 'log' ? `log ${e.line}` : `${e.type} ${e.status}`)), [
      'step running', 'log about to fail', 'log command exited with code 3: echo about to fail; exit 3', 'step failure', 'end failure',
    ]);
  });
});
