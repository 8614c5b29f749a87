import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunRecord, StoredLogLine } from '../../src/store/store.ts';
import { leftoversOf } from '../support/engine-leftovers.ts';
import { killAll, spawnWorker, type WorkerProcess } from '../support/worker-processes.ts';
import { waitFor } from '../support/wait.ts';
import { IMAGE, SECRET_KEY, startWorld, type World } from '../support/worker-world.ts';

/**
 * Worker crashes: a real `pistages worker` process is killed with SIGKILL ten times in a row, each
 * time at another point of a run (its first image starting, a step printing, between two steps,
 * the clean-up after the last step), and a new worker is started after each kill. Every run must
 * end once, as `success` on a later attempt, and leave no container, volume or network behind.
 */
type Phase = 'image start' | 'printing step' | 'between steps' | 'clean-up';
/** two kills per run; the third start of each run finishes it */
const KILLS: Phase[] = ['image start', 'printing step', 'between steps', 'clean-up', 'printing step', 'image start', 'clean-up', 'between steps', 'image start', 'clean-up'];
const LINES = 20;
const STEPS = 5;
const summary: string[] = [];

const job = (n: number): string => `name: kill-target-${n}
image: ${IMAGE}
retry: 0
uses:
  main:
    - name: print
      run: |
        i=1
        while [ $i -le ${LINES} ]; do echo "line $i of attempt $PISTAGES_ATTEMPT"; i=$((i+1)); sleep 0.05; done
    - name: after print
      run: echo "second step of attempt $PISTAGES_ATTEMPT"
${Array.from({ length: STEPS - 2 }, (_, i) => `    - name: image ${i + 1}\n      image: ${IMAGE}\n      run: echo "image step ${i + 1} of attempt $PISTAGES_ATTEMPT"`).join('\n')}
`;

describe('worker SIGKILL', () => {
  let world: World;
  const processes: WorkerProcess[] = [];

  before(async () => {
    world = await startWorld();
  });

  after(async () => {
    await killAll(processes);
    await world?.close();
    console.log(['', 'fault                                         injected   outcome', ...summary].join('\n'));
  });

  const startWorker = (): { worker: WorkerProcess; since: Date } => {
    const since = new Date();
    const worker = spawnWorker({ uri: world.mongo.uri, dbName: world.mongo.dbName, secretKeyHex: SECRET_KEY.toString('hex'), concurrency: 2 });
    processes.push(worker);
    return { worker, since };
  };

  /**
   * Where the attempt a worker started at or after `since` stands against `phase`: `hit` while in it,
   * `missed` once past it (the run went on too fast to be caught there), else undefined (not yet).
   */
  const standing = (run: RunRecord, lines: StoredLogLine[], since: Date, phase: Phase): 'hit' | 'missed' | undefined => {
    if (['success', 'failure', 'error', 'cancelled'].includes(run.status)) return 'missed';
    const attempt = run.groups[0]?.attempts.find((a) => a.startedAt !== undefined && new Date(a.startedAt) >= since);
    if (run.status !== 'running' || attempt === undefined) return undefined;
    if (attempt.status !== 'running') return 'missed';
    const step = (index: number): string | undefined => attempt.steps.find((s) => s.index === index)?.status;
    const printed = (index: number): number => lines.filter((l) => l.attempt === attempt.attempt && l.step === index).length;
    switch (phase) {
      case 'image start':
        return printed(0) > 0 ? 'missed' : step(0) === 'running' ? 'hit' : undefined;
      case 'printing step':
        return step(0) === 'success' || printed(0) >= LINES ? 'missed' : printed(0) >= 5 ? 'hit' : undefined;
      case 'between steps':
        return printed(1) > 0 ? 'missed' : step(0) === 'success' ? 'hit' : undefined;
      case 'clean-up':
        return step(STEPS - 1) === 'success' ? 'hit' : undefined;
    }
  };

  it(`${KILLS.length} kills at different points: every run ends once as success, nothing left behind`, async (t) => {
    const runIds: string[] = [];
    const killsPerRun = new Map<string, number>();
    const hits: Phase[] = [];
    let missed = 0;
    let target: string | undefined;
    const anyEnd: RunRecord['status'][] = ['success', 'failure', 'error', 'cancelled'];
    for (const phase of KILLS) {
      const { worker, since } = startWorker();
      for (;;) {
        if (target === undefined || (killsPerRun.get(target) ?? 0) >= 2) {
          // the previous run's last start (on this worker) ends first, so no kill hits two runs
          if (target !== undefined) await world.waitForStatus(target, anyEnd, 180_000);
          target = await world.submit(job(runIds.length));
          runIds.push(target);
        }
        const id = target;
        let where: 'hit' | 'missed';
        try {
          where = await waitFor(`run ${id} to reach "${phase}" on worker ${worker.pid}`, async () => {
            const run = await world.stores.runs.get(id);
            return run === null ? undefined : standing(run, await world.stores.logs.read(id, {}), since, phase);
          }, { timeoutMs: 180_000, intervalMs: 5 });
        } catch (err) {
          t.diagnostic(worker.output());
          throw err;
        }
        if (where === 'hit') break;
        // too fast to catch there: let the run finish on this worker and try a new one
        assert.ok(++missed <= 5, `missed "${phase}" ${missed} times`);
        await world.waitForStatus(id, anyEnd, 180_000);
        target = undefined;
      }
      worker.child.kill('SIGKILL');
      await worker.exited;
      killsPerRun.set(target, (killsPerRun.get(target) ?? 0) + 1);
      hits.push(phase);
    }
    const { worker: last } = startWorker();
    const ended = await Promise.all(runIds.map((id) => world.waitForStatus(id, ['success', 'failure', 'error', 'cancelled'], 180_000).catch(() => undefined)));
    last.child.kill('SIGTERM');
    assert.equal(await last.exited, 0, 'the last worker exits 0 on SIGTERM');

    const runs = await Promise.all(runIds.map(async (id) => (await world.stores.runs.get(id)) as RunRecord));
    const stuck = runs.filter((r, i) => ended[i] === undefined).map((r) => `${r.id} ${r.status}`);
    const lost = runs.filter((r) => r.status !== 'success' && !stuck.includes(`${r.id} ${r.status}`)).map((r) => `${r.id} ${r.status}: ${r.message}`);
    // more than one successful attempt, or more starts than kills + 1: something ran again
    const twice = runs.filter((r) => (r.groups[0]?.attempts ?? []).filter((a) => a.status === 'success').length > 1 || r.starts > (killsPerRun.get(r.id) ?? 0) + 1)
      .map((r) => `${r.id} started ${r.starts} times`);
    const leftovers = await leftoversOf(world.docker, runIds);
    const phases = [...new Set(hits)].map((p) => `${p} ${hits.filter((h) => h === p).length}`).join(', ');
    t.diagnostic(`kills: ${phases}; ${missed} run(s) went past the point before a kill and finished unharmed`);
    summary.push(`${'worker SIGKILL mid-run, new worker each time'.padEnd(45)} ${String(hits.length).padStart(8)}   runs lost ${lost.length}, run twice ${twice.length}, stuck ${stuck.length}, leftovers ${leftovers.length} (${phases})`);

    assert.deepEqual(lost, [], 'every run succeeds on a later attempt');
    assert.deepEqual(stuck, [], 'no run stuck queued or running');
    assert.deepEqual(twice, [], 'no run executed beyond its kills');
    assert.deepEqual(leftovers, [], 'no container, volume or network left');
    for (const run of runs) {
      const attempts = run.groups[0]?.attempts ?? [];
      const final = attempts.at(-1);
      assert.equal(final?.status, 'success', `${run.id}: the last attempt succeeded`);
      assert.ok(attempts.slice(0, -1).every((a) => a.status === 'error'), `${run.id}: killed attempts are closed as error: ${attempts.map((a) => a.status).join(',')}`);
      const printed = (await world.stores.logs.read(run.id, { attempt: final?.attempt as number, step: 0 })).map((l) => l.line);
      assert.deepEqual(printed, Array.from({ length: LINES }, (_, i) => `line ${i + 1} of attempt ${final?.attempt}`), `${run.id}: the successful attempt's lines, each once`);
    }
  });
});
