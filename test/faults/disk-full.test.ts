import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { findPostgres, POSTGRES_PORT } from '../../src/embedded/postgres-cluster.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../support/embedded-server.ts';
import { leftoversOf } from '../support/engine-leftovers.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The disk of the embedded database fills up: `pistages serve` keeps its data (PostgreSQL's
 * cluster) on a small tmpfs, a ballast file takes all but a few MiB, and a job prints far more than
 * that. The run must end `error` saying the disk is full, the server must stay up and say what is
 * wrong, and once the ballast is gone new runs work. Then PostgreSQL's write-ahead log itself runs
 * out of room (it stops, as PostgreSQL does): the server still answers, names the cause, and the
 * database comes back by itself once there is space.
 */
const FULL = ['success', 'failure', 'error', 'cancelled', 'timed_out'];
const why = process.getuid?.() !== 0 ? 'mounting a tmpfs needs root' : (await findPostgres(process.env)) === undefined ? 'PostgreSQL is not installed' : undefined;
const summary: string[] = [];

describe('the embedded database\'s disk fills up', { skip: why ?? false }, () => {
  let mount: string;
  let server: EmbeddedServer;
  const ballast = (): string => join(mount, 'ballast');
  const freeBytes = async (): Promise<number> => {
    const info = await statfs(mount);
    return info.bavail * info.bsize;
  };
  /** SQL on the embedded PostgreSQL (trust on its private socket), to set the fault up */
  const sql = (statement: string): string =>
    execFileSync('psql', ['-h', join(mount, 'data', 'postgres-socket'), '-p', String(POSTGRES_PORT), '-U', 'postgres', '-d', 'ferretdb', '-Atc', statement], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const fill = async (leaveBytes: number): Promise<void> => writeFile(ballast(), Buffer.alloc(Math.max(0, (await freeBytes()) - leaveBytes), 1));
  const submit = async (yaml: string): Promise<string> => {
    const created = await server.api('POST', '/api/runs', { yaml });
    assert.equal(created.status, 201, created.text);
    return String(created.body.id);
  };
  const ended = async (id: string, timeoutMs: number): Promise<{ status: string; message: string | null }> =>
    waitFor(`run ${id} to end`, async () => {
      const run = await server.api('GET', `/api/runs/${id}`);
      return run.status === 200 && FULL.includes(String(run.body.status)) ? (run.body as { status: string; message: string | null }) : undefined;
    }, { timeoutMs, intervalMs: 250 });
  const trivial = `name: after\nimage: ${BUSYBOX_IMAGE}\nrun: echo fine\n`;

  before(async () => {
    await ensureTestImage(new Docker(), BUSYBOX_IMAGE);
    mount = await mkdtemp(join(tmpdir(), 'pistages-fault-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m,mode=0711', 'tmpfs', mount]);
    server = await startEmbeddedServer(join(mount, 'data'), { PISTAGES_LOG_CAP: '64m' });
  });

  after(async () => {
    await server?.stop().catch(() => undefined);
    if (mount) {
      execFileSync('umount', ['-l', mount]);
      await rm(mount, { recursive: true, force: true });
    }
    console.log(['', 'fault                                         injected   outcome', ...summary].join('\n'));
  });

  it('a job printing more than the disk holds ends `error` saying the disk is full; the server stays up; freed, it runs again', async () => {
    assert.equal((await ended(await submit(trivial), 60_000)).status, 'success', 'a run works before');
    // a fresh write-ahead log segment with room, so the database's tables fill first: the case a
    // run can be told about (when the log itself is out of room, PostgreSQL stops; next test)
    sql('select pg_switch_wal(); checkpoint');
    await fill(3 * 1048576);
    const readiness = await server.readyz();
    assert.equal(readiness.status, 503, readiness.text);
    assert.match(readiness.body.message, /the disk of .* is full \(.* MiB free.*\): free space there/);

    const flood = await submit(`name: flood\nimage: ${BUSYBOX_IMAGE}\nretry: 0\nrun: head -c 8000000 /dev/urandom | base64 -w 150\n`);
    const run = await ended(flood, 150_000);
    assert.ok(await server.healthy(), '/healthz answers 200 while the disk is full');
    assert.equal(server.process.child.exitCode, null, 'the server is still running');
    assert.equal(run.status, 'error', JSON.stringify(run));
    assert.match(run.message ?? '', /^the database's disk is full, so the run's output could not be stored \(.*\); free space where the database keeps its data/);
    assert.deepEqual(await leftoversOf(new Docker(), [flood]), [], 'the run\'s containers are removed');

    await rm(ballast());
    await waitFor('/readyz to pass once space is freed', async () => (await server.readyz()).status === 200, { timeoutMs: 60_000, intervalMs: 200 });
    const again = await ended(await submit(trivial), 60_000);
    assert.equal(again.status, 'success', JSON.stringify(again));
    summary.push(`${'disk full under the runs\' logs (3 MiB left)'.padEnd(45)} ${'1'.padStart(8)}   run error "disk is full" yes, server up yes, readiness named it yes, next run ${again.status}`);
  });

  it('when PostgreSQL\'s write-ahead log has no room it stops: the server answers, names the cause, and recovers once space is freed', async () => {
    await fill(8 * 1048576);
    // move to the next log segment until PostgreSQL has used up the ones it recycled and needs a
    // new 16 MiB file: it stops with "No space left on device"
    sql('create table if not exists fault_probe (x int)');
    for (let switches = 0; ; switches++) {
      assert.ok(switches < 64, 'PostgreSQL never needed a new log segment');
      try {
        sql('insert into fault_probe values (1); select pg_switch_wal()');
      } catch {
        break; // the server went down under this statement
      }
    }
    const down = await waitFor('readiness to name the full disk', async () => {
      const answer = await server.readyz();
      return answer.status === 503 && /No space left on device/.test(answer.text) ? answer : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    assert.match(down.text, /embedded database (restarting|down): PostgreSQL (exited|did not start again).*No space left on device/);
    const health = await fetch(`${server.url}/healthz`);
    assert.ok([200, 503].includes(health.status), `/healthz answers: ${health.status}`);
    assert.equal(server.process.child.exitCode, null, 'the server is still running');

    await rm(ballast());
    const downSince = Date.now();
    await waitFor('the database to come back once space is freed', async () => (await server.readyz()).status === 200, { timeoutMs: 90_000, intervalMs: 250 });
    const backMs = Date.now() - downSince;
    const again = await ended(await submit(trivial), 60_000);
    assert.equal(again.status, 'success', JSON.stringify(again));
    summary.push(`${'disk full under the write-ahead log'.padEnd(45)} ${'1'.padStart(8)}   server up yes, cause named yes, back ${(backMs / 1000).toFixed(0)} s after freeing, next run ${again.status}`);
  });
});
