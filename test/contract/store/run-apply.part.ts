import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunEvent } from '../../../src/executor/events.ts';
import type { Status } from '../../../src/pipeline/types.ts';
import { NotFoundError } from '../../../src/store/store.ts';
import { newRun, testPlan, TestClock, type MakeStores, type StoreFixture } from './fixtures.ts';

/** Events as run-job emits them for one group attempt whose steps end with `results`. */
function groupAttempt(
  runId: string,
  group: string,
  attempt: number,
  results: { name: string; status: Status; exitCode?: number; outputs?: Record<string, string> }[],
  clock: TestClock,
  final: Status,
  message?: string,
): RunEvent[] {
  const events: RunEvent[] = [{ type: 'group', runId, group, attempt, status: 'running', at: clock.advance(1000) }];
  results.forEach((r, step) => {
    const base = { type: 'step' as const, runId, group, step, stepName: r.name, attempt };
    if (r.status !== 'skipped') {
      events.push({ ...base, status: 'running', at: clock.advance(1000) });
      events.push({ type: 'log', runId, group, step, attempt, seq: 0, stream: 'stdout', line: `${r.name} says hi`, at: clock.advance(10) });
    }
    events.push({ ...base, status: r.status, at: clock.advance(1000 * (step + 2)), ...(r.exitCode !== undefined && { exitCode: r.exitCode }), ...(r.outputs && { outputs: r.outputs }) });
  });
  events.push({ type: 'group', runId, group, attempt, status: final, at: clock.advance(500), ...(message !== undefined && { message }) });
  return events;
}

export function runApplyContract(makeStores: MakeStores): void {
  describe('RunStore.apply', () => {
    const clock = new TestClock();
    let fx: StoreFixture;
    before(async () => (fx = await makeStores(clock.now)));
    after(() => fx.cleanup());

    it('records a run with two groups, a retried group (two attempts), exit codes and outputs', async () => {
      const { runs } = fx.stores;
      const run = await runs.create(newRun());
      const t0 = clock.advance(1000);
      const events: RunEvent[] = [
        { type: 'run', runId: run.id, status: 'running', at: t0 },
        ...groupAttempt(run.id, 'build', 1, [
          { name: 'checkout', status: 'success', exitCode: 0, outputs: { sha: 'abc', 'image.tag': 'v1', $odd: '1' } },
          { name: 'compile', status: 'success', exitCode: 0 },
        ], clock, 'success'),
        ...groupAttempt(run.id, 'test', 1, [
          { name: 'unit', status: 'failure', exitCode: 2 },
          { name: 'lint', status: 'skipped' },
        ], clock, 'failure', 'step "unit" failed with exit code 2'),
        ...groupAttempt(run.id, 'test', 2, [
          { name: 'unit', status: 'success', exitCode: 0 },
          { name: 'lint', status: 'success', exitCode: 0 },
        ], clock, 'success'),
      ];
      const tEnd = clock.advance(1000);
      events.push({ type: 'run', runId: run.id, status: 'success', at: tEnd });
      for (const event of events) await runs.apply(event);

      const doc = await runs.get(run.id);
      assert.ok(doc);
      assert.equal(doc.status, 'success');
      assert.deepEqual(doc.startedAt, t0);
      assert.deepEqual(doc.finishedAt, tEnd);
      assert.deepEqual(doc.groups.map((g) => [g.name, g.status, g.attempt, g.attempts.map((a) => [a.attempt, a.status])]), [
        ['build', 'success', 1, [[1, 'success']]],
        ['test', 'success', 2, [[1, 'failure'], [2, 'success']]],
      ]);
      const [build, test] = doc.groups;
      const checkout = build!.attempts[0]!.steps[0]!;
      assert.deepEqual(checkout.outputs, { sha: 'abc', 'image.tag': 'v1', $odd: '1' });
      assert.equal(checkout.exitCode, 0);
      assert.ok(checkout.startedAt && checkout.finishedAt && checkout.finishedAt > checkout.startedAt);
      const failed = test!.attempts[0]!;
      assert.equal(failed.message, 'step "unit" failed with exit code 2');
      assert.deepEqual(failed.steps.map((s) => [s.index, s.name, s.status, s.exitCode ?? null]), [[0, 'unit', 'failure', 2], [1, 'lint', 'skipped', null]]);
      assert.equal(failed.steps[1]!.startedAt, undefined, 'a skipped step never started');
      assert.ok(failed.steps[1]!.finishedAt);
      const retried = test!.attempts[1]!;
      assert.deepEqual(retried.steps.map((s) => [s.name, s.status, s.exitCode]), [['unit', 'success', 0], ['lint', 'success', 0]]);
      assert.ok(retried.startedAt! > failed.finishedAt!, 'attempt 2 has its own timings');
      for (const group of doc.groups) {
        for (const attempt of group.attempts) {
          assert.ok(attempt.startedAt && attempt.finishedAt && attempt.finishedAt >= attempt.startedAt, `${group.name}#${attempt.attempt} timed`);
        }
      }
    });

    it('creates groups and attempts from step events alone (never-run groups report skipped steps first)', async () => {
      const { runs } = fx.stores;
      const run = await runs.create(newRun({ plan: testPlan({ build: ['a'], deploy: ['push', 'notify'] }) }));
      await runs.apply({ type: 'step', runId: run.id, group: 'deploy', step: 0, stepName: 'push', attempt: 1, status: 'skipped', at: clock.advance(1) });
      await runs.apply({ type: 'step', runId: run.id, group: 'deploy', step: 1, stepName: 'notify', attempt: 1, status: 'skipped', at: clock.advance(1) });
      await runs.apply({ type: 'group', runId: run.id, group: 'deploy', attempt: 1, status: 'skipped', at: clock.advance(1), message: 'not selected for this run' });
      // a group the plan did not list still gets recorded rather than lost
      await runs.apply({ type: 'group', runId: run.id, group: 'extra', attempt: 3, status: 'running', at: clock.advance(1) });
      const doc = await runs.get(run.id);
      const deploy = doc!.groups.find((g) => g.name === 'deploy')!;
      assert.deepEqual([deploy.status, deploy.attempt, deploy.message], ['skipped', 1, 'not selected for this run']);
      assert.deepEqual(deploy.attempts[0]!.steps.map((s) => [s.name, s.status]), [['push', 'skipped'], ['notify', 'skipped']]);
      const extra = doc!.groups.find((g) => g.name === 'extra')!;
      assert.deepEqual([extra.status, extra.attempt, extra.attempts.map((a) => a.attempt)], ['running', 3, [3]]);
      assert.equal(doc!.groups.find((g) => g.name === 'build')!.status, 'queued');
    });

    it('applies the events of parallel groups concurrently without losing any', async () => {
      const { runs } = fx.stores;
      const names = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'];
      const run = await runs.create(newRun({ plan: testPlan(Object.fromEntries(names.map((n) => [n, ['s0', 's1', 's2']]))) }));
      const perGroup = names.map((name) => groupAttempt(run.id, name, 1, [
        { name: 's0', status: 'success', exitCode: 0 },
        { name: 's1', status: 'success', exitCode: 0 },
        { name: 's2', status: 'failure', exitCode: 1 },
      ], clock, 'failure'));
      // each group's events in order (as run-job emits them), the groups interleaved
      await Promise.all(perGroup.map(async (events) => {
        for (const event of events) await runs.apply(event);
      }));
      const doc = await runs.get(run.id);
      for (const group of doc!.groups) {
        assert.equal(group.attempts.length, 1, `${group.name} has one attempt`);
        assert.equal(group.status, 'failure');
        assert.deepEqual(group.attempts[0]!.steps.map((s) => [s.index, s.status, s.exitCode]), [[0, 'success', 0], [1, 'success', 0], [2, 'failure', 1]]);
      }
    });

    it('a run handed back as queued can be claimed again at once; log events are ignored', async () => {
      const { runs } = fx.stores;
      const run = await runs.create(newRun());
      const now = clock.advance(1000);
      assert.ok(await runs.claim(run.id, 'w1', 60_000, now));
      await runs.apply({ type: 'log', runId: run.id, group: 'build', step: 0, attempt: 1, seq: 0, stream: 'stdout', line: 'x', at: now });
      await runs.apply({ type: 'run', runId: run.id, status: 'queued', at: now, message: 'worker w1 stopped' });
      const queued = await runs.get(run.id);
      assert.deepEqual([queued!.status, queued!.message, queued!.leaseUntil], ['queued', 'worker w1 stopped', undefined]);
      assert.equal(await runs.heartbeat(run.id, 'w1', 60_000, now), false);
      const again = await runs.claim(run.id, 'w2', 60_000, now);
      assert.deepEqual([again?.worker, again?.starts], ['w2', 2]);
    });

    it('rejects events for an unknown run with NotFoundError', async () => {
      const at = clock.now();
      const runId = '0123456789abcdef01234567';
      await assert.rejects(fx.stores.runs.apply({ type: 'run', runId, status: 'running', at }), NotFoundError);
      await assert.rejects(fx.stores.runs.apply({ type: 'group', runId, group: 'g', attempt: 1, status: 'running', at }), NotFoundError);
      await assert.rejects(fx.stores.runs.apply({ type: 'step', runId, group: 'g', step: 0, stepName: 's', attempt: 1, status: 'running', at }), NotFoundError);
    });
  });
}
