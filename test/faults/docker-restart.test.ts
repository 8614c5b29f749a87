import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunRecord } from '../../src/store/store.ts';
import { start, type Running } from '../support/cli-process.ts';
import { leftoversOf } from '../support/engine-leftovers.ts';
import { startPrivateDockerd, whyNoPrivateDockerd, type PrivateDockerd } from '../support/private-dockerd.ts';
import { waitFor, waitForProgress } from '../support/wait.ts';
import { IMAGE, SECRET_KEY, startWorld, type World } from '../support/worker-world.ts';

/**
 * Docker engine restarts mid-run, on an engine of the test's own (a second dockerd; the machine's
 * engine is never touched): a `pistages worker` pointed at it with DOCKER_HOST runs jobs whose
 * steps print for a few seconds while the engine is restarted (SIGTERM, then SIGKILL, then started
 * again). Each affected run must end: completed on a later start, or `error` saying the engine
 * failed; none stays `running`, and nothing of the runs is left on the engine.
 */
const BATCH = 3;
const INJECTIONS: ('SIGTERM' | 'SIGKILL')[] = ['SIGTERM', 'SIGKILL'];
const ENDED: RunRecord['status'][] = ['success', 'failure', 'error', 'cancelled', 'timed_out'];
const noDockerd = whyNoPrivateDockerd();
const summary: string[] = [];

const job = (name: string): string => `name: ${name}
image: ${IMAGE}
retry: 0
run: |
  i=1
  while [ $i -le 40 ]; do echo "tick $i of attempt $PISTAGES_ATTEMPT"; i=$((i+1)); sleep 0.1; done
`;

describe('Docker engine restarts mid-run', { skip: noDockerd ?? false }, () => {
  let world: World;
  let engine: PrivateDockerd;
  let worker: Running;

  before(async () => {
    world = await startWorld();
    engine = await startPrivateDockerd();
    await engine.load(IMAGE);
    worker = start(['worker', '--grace', '1s'], {
      env: {
        DOCKER_HOST: engine.host,
        MONGODB_URI: world.mongo.uri,
        PISTAGES_DB: world.mongo.dbName,
        PISTAGES_SECRET_KEY: SECRET_KEY.toString('hex'),
        PISTAGES_NETWORK: 'none',
        PISTAGES_PULL_POLICY: 'never',
        PISTAGES_CONCURRENCY: String(BATCH),
        PISTAGES_LEASE: '3s',
        PISTAGES_POLL_INTERVAL: '250ms',
        PISTAGES_DEFAULT_RETRY: '0',
        PISTAGES_LOG_LEVEL: 'warn',
      },
    });
  });

  after(async () => {
    if (worker?.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited(30_000).catch(() => undefined);
    }
    await engine?.dispose();
    await world?.close();
    console.log(['', 'fault                                         injected   outcome', ...summary].join('\n'));
  });

  const printing = async (ids: string[]): Promise<boolean> => {
    for (const id of ids) {
      const run = await world.stores.runs.get(id);
      if (run?.status !== 'running') return false;
      if ((await world.stores.logs.read(id, { tail: 1 })).length === 0) return false;
    }
    return true;
  };

  it(`the engine restarted (${INJECTIONS.join(', then ')}) while runs print: every run ends, none stuck, nothing left`, async (t) => {
    const ids: string[] = [];
    const hit: string[][] = [];
    for (const signal of INJECTIONS) {
      const batch = await Promise.all(Array.from({ length: BATCH }, (_, i) => world.submit(job(`engine-${signal}-${i}`))));
      ids.push(...batch);
      hit.push(batch);
      try {
        await waitFor(`the ${signal} batch to be printing`, () => printing(batch), { timeoutMs: 120_000, intervalMs: 100 });
      } catch (err) {
        t.diagnostic(`worker:\n${worker.stdout()}${worker.stderr()}`);
        throw err;
      }
      await engine.stop(signal);
      await engine.start();
    }
    const statuses = async (): Promise<string[]> => Promise.all(ids.map(async (id) => (await world.stores.runs.get(id))?.status ?? 'missing'));
    try {
      await waitForProgress('every run to end', async () => [await statuses(), await Promise.all(ids.map(async (id) => (await world.stores.runs.get(id))?.starts))], ([s]) => (s ?? []).every((x) => ENDED.includes(x as RunRecord['status'])), { stallMs: 90_000, intervalMs: 250 });
    } catch (err) {
      t.diagnostic(`worker:\n${worker.stdout()}${worker.stderr()}\nengine:\n${engine.output().slice(-3000)}`);
      throw err;
    }
    const runs = await Promise.all(ids.map(async (id) => (await world.stores.runs.get(id)) as RunRecord));
    const retried = runs.filter((r) => r.status === 'success' && r.starts > 1).length;
    const clean = runs.filter((r) => r.status === 'success' && r.starts === 1).length;
    const erred = runs.filter((r) => r.status === 'error');
    const unexplained = runs.filter((r) => r.status !== 'success' && !(r.status === 'error' && /docker|engine/i.test(r.message ?? '')));
    const leftovers = await waitFor('the runs\' containers and volumes to be removed', async () => {
      const left = await leftoversOf(engine.docker, ids);
      return left.length === 0 ? left : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 }).catch(async () => leftoversOf(engine.docker, ids));
    for (const r of runs) t.diagnostic(`${r.id} ${r.status} after ${r.starts} start(s)${r.groups[0]?.attempts[0]?.message ? `; first attempt: ${r.groups[0].attempts[0].message}` : ''}`);
    summary.push(`${`dockerd restart (${INJECTIONS.join(', ')}), ${ids.length} runs`.padEnd(45)} ${String(INJECTIONS.length).padStart(8)}   completed on retry ${retried}, untouched ${clean}, error with cause ${erred.length - unexplained.filter((r) => r.status === 'error').length}, unexplained ${unexplained.length}, stuck 0, leftovers ${leftovers.length}`);

    assert.ok(hit.every((batch) => batch.some((id) => runs.find((r) => r.id === id)?.starts !== 1 || runs.find((r) => r.id === id)?.status !== 'success')), 'every restart hit a run');
    assert.deepEqual(unexplained.map((r) => `${r.id} ${r.status}: ${r.message}`), [], 'a run that did not complete says the engine failed');
    assert.deepEqual(leftovers, [], 'nothing of the runs left on the engine');
    assert.deepEqual(runs.filter((r) => r.status === 'success' && r.message !== undefined).map((r) => `${r.id}: ${r.message}`), [], 'a run that succeeded on a later start no longer says it is retrying');
    assert.equal(worker.child.exitCode, null, 'the worker is still running');
    // the worker still runs jobs on the restarted engine
    const fresh = await world.submit(job('engine-after'));
    const run = await world.waitForStatus(fresh, ENDED, 120_000);
    assert.equal(run.status, 'success', run.message);
  });
});
