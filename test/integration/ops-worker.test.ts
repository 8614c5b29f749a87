import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/mongo.ts';
import { waitFor } from '../support/wait.ts';
import { IMAGE, SECRET_KEY, startWorld, type World } from '../support/worker-world.ts';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'pistages');

/** `pistages worker --port`: its own /healthz, /readyz and /metrics, fed by the runs it executes. */
describe('worker process: health and metrics', () => {
  let world: World;
  let url: string;
  let output = '';
  let stop: () => Promise<void>;
  before(async () => {
    world = await startWorld();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [CLI, 'worker', '--port', String(port)], {
      env: {
        ...process.env,
        MONGODB_URI: world.mongo.uri,
        PISTAGES_DB: world.mongo.dbName,
        PISTAGES_SECRET_KEY: SECRET_KEY.toString('hex'),
        PISTAGES_HOST: '127.0.0.1',
        PISTAGES_NETWORK: 'none',
        PISTAGES_PULL_POLICY: 'never',
        PISTAGES_POLL_INTERVAL: '200ms',
        PISTAGES_DEFAULT_RETRY: '0',
        PISTAGES_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
    child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    stop = async () => {
      child.kill('SIGTERM');
      await exited;
    };
    await waitFor('the worker to serve /healthz', async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok, { timeoutMs: 30_000, intervalMs: 100 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    });
  });
  after(async () => {
    await stop?.();
    await world?.close();
  });

  it('is alive and ready: database, queue and Docker engine answer', async () => {
    assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200, await ready.clone().text());
    const api = await fetch(`${url}/api/runs`);
    assert.equal(api.status, 404, 'a worker serves no API');
  });

  it('counts the runs it finished and times their steps', async () => {
    const ok = await world.submit(`name: Fine\nimage: ${IMAGE}\nrun: echo fine\n`);
    const bad = await world.submit(`name: Bad\nimage: ${IMAGE}\nrun: exit 4\n`);
    await world.waitForStatus(ok, ['success']);
    await world.waitForStatus(bad, ['failure']);
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(text, /^pistages_runs_total\{status="success"\} 1$/m);
    assert.match(text, /^pistages_runs_total\{status="failure"\} 1$/m);
    assert.match(text, /^pistages_step_duration_seconds_count\{status="success"\} 1$/m);
    assert.match(text, /^pistages_step_duration_seconds_count\{status="failure"\} 1$/m);
    assert.match(text, /^pistages_queue_depth 0$/m);
    assert.match(text, /^pistages_runs_running 0$/m);
    assert.match(text, /^process_cpu_user_seconds_total /m, 'default process metrics');
  });
});
