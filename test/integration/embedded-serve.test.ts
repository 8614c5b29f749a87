import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAlive, type ProcessIdentity } from '../../src/embedded/data-dir-lock.ts';
import { findPostgres } from '../../src/embedded/postgres-cluster.ts';
import Docker from 'dockerode';
import { start, type Running } from '../support/cli-process.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';
import { freePort } from '../support/mongo.ts';
import { waitFor } from '../support/wait.ts';

/**
 * `pistages serve` without MONGODB_URI, as an operator sees it: its embedded database is killed
 * (readiness says so, then recovers), a second server on the same data directory is refused, and a
 * SIGKILLed server leaves no database processes behind.
 */
const TOKEN = 'embedded-serve-test-token-0123456789';
const hasPostgres = (await findPostgres(process.env)) !== undefined;

describe('pistages serve with the embedded database', { skip: hasPostgres ? false : 'PostgreSQL is not installed' }, () => {
  let dir: string;
  let port: number;
  let server: Running | undefined;
  const env = (): NodeJS.ProcessEnv => ({ PISTAGES_DATA_DIR: dir, PISTAGES_PORT: String(port), PISTAGES_HOST: '127.0.0.1', PISTAGES_API_TOKEN: TOKEN, PISTAGES_LOG_LEVEL: 'warn' });
  const serve = (): Running => start(['serve', '--grace', '1s'], { env: { ...env(), PISTAGES_NETWORK: 'none' }, unset: ['MONGODB_URI'] });
  const api = async (method: string, path: string, body?: object): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(url(path), { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body && { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const url = (path: string): string => `http://127.0.0.1:${port}${path}`;
  const ready = async (): Promise<boolean> => (await fetch(url('/readyz'))).status === 200;
  const children = async (): Promise<ProcessIdentity[]> => (JSON.parse(await readFile(join(dir, 'pistages.lock'), 'utf8')) as { children: ProcessIdentity[] }).children;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pistages-serve-'));
    await chmod(dir, 0o711);
    port = await freePort();
    await ensureTestImage(new Docker(), BUSYBOX_IMAGE);
    server = serve();
    await waitFor('the server to be ready', ready, { timeoutMs: 60_000, intervalMs: 100 });
  });

  after(async () => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited(20_000);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says the embedded database is restarting after its FerretDB is killed, then serves the API again', async () => {
    const [postgres, ferretdb] = await children();
    assert.ok(postgres && ferretdb, 'the lock names both servers');
    process.kill(ferretdb.pid, 'SIGKILL');
    // the embedded check is evaluated when a request arrives, but an answer can wait 3 s for the
    // database check: ask every 10 ms without waiting for answers, so the restart window is sampled
    const answers: Promise<string>[] = [];
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      answers.push(fetch(url('/readyz')).then(async (res) => (res.status === 503 ? ((await res.json()) as { message: string }).message : 'ready')));
      await new Promise((done) => setTimeout(done, 10));
    }
    const messages = await Promise.all(answers);
    const answer = { message: messages.find((m) => m.includes('embedded:')) ?? messages.join(' | ') };
    assert.match(answer.message, /embedded: embedded database (restarting|down): FerretDB exited \(signal SIGKILL\)/);
    await waitFor('/readyz to pass again', ready, { timeoutMs: 30_000, intervalMs: 100 });
    const runs = await fetch(url('/api/runs'), { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(runs.status, 200, await runs.text());
  });

  it('a run executing while PostgreSQL is killed still finishes', async () => {
    const created = await api('POST', '/api/runs', { yaml: `name: steady\nimage: ${BUSYBOX_IMAGE}\nrun: sleep 2 && echo survived\n` });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body.id);
    await waitFor('the run to start', async () => (await api('GET', `/api/runs/${id}`)).body.status === 'running', { timeoutMs: 30_000, intervalMs: 50 });
    const [postgres] = await children();
    assert.ok(postgres);
    process.kill(postgres.pid, 'SIGKILL');
    const status = await waitFor('the run to end', async () => {
      const run = await api('GET', `/api/runs/${id}`).catch(() => undefined);
      return run && run.status === 200 && !['queued', 'running'].includes(String(run.body.status)) ? String(run.body.status) : undefined;
    }, { timeoutMs: 90_000, intervalMs: 200 });
    assert.equal(status, 'success');
  });

  it('refuses a second server on the same data directory', async () => {
    const second = start(['serve', '--no-worker'], { env: { ...env(), PISTAGES_PORT: String(await freePort()) }, unset: ['MONGODB_URI'] });
    const finished = await second.exited(30_000);
    assert.notEqual(finished.code, 0);
    assert.match(finished.stdout + finished.stderr, /is in use by process \d+/);
    assert.ok(await ready(), 'the first server is untouched');
  });

  it('leaves no database process behind when killed with SIGKILL, and the next start takes over', async () => {
    const servers = await children();
    assert.equal(servers.length, 2);
    server?.child.kill('SIGKILL');
    await server?.exited(10_000);
    await waitFor('the embedded servers to exit', () => servers.every((s) => !isAlive(s)), { timeoutMs: 15_000, intervalMs: 50 });
    server = serve();
    await waitFor('the restarted server to be ready', ready, { timeoutMs: 60_000, intervalMs: 100 });
  });
});
