import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NotFoundError } from '../../../src/store/store.ts';
import { newRun, TestClock, type MakeStores, type StoreFixture } from './fixtures.ts';

const LEASE = 30_000;

export function runLeaseContract(makeStores: MakeStores): void {
  describe('RunStore leases: claim / heartbeat / expired / cancel / finish', () => {
    const clock = new TestClock();
    let fx: StoreFixture;
    before(async () => (fx = await makeStores(clock.now)));
    after(() => fx.cleanup());

    it('20 concurrent claims of one queued run: exactly one wins', async () => {
      const { runs } = fx.stores;
      const run = await runs.create(newRun());
      const now = clock.advance(1000);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runs.claim(run.id, `w${i}`, LEASE, now)));
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1);
      const held = await runs.get(run.id);
      assert.equal(held!.worker, winners[0]!.worker);
      assert.equal(held!.status, 'running');
      assert.equal(held!.starts, 1);
      assert.deepEqual(held!.leaseUntil, new Date(now.getTime() + LEASE));
    });

    it('a live lease blocks other workers; heartbeat extends it; expiry lets another worker reclaim', async () => {
      const { runs } = fx.stores;
      const run = await runs.create(newRun());
      let now = clock.advance(1000);
      assert.ok(await runs.claim(run.id, 'w1', LEASE, now));
      now = clock.advance(LEASE - 1);
      assert.equal(await runs.claim(run.id, 'w2', LEASE, now), null, 'lease still live');
      assert.equal(await runs.heartbeat(run.id, 'w1', LEASE, now), true);
      now = clock.advance(LEASE - 1);
      assert.equal(await runs.claim(run.id, 'w2', LEASE, now), null, 'heartbeat extended the lease');
      assert.ok(!(await runs.expired(now)).includes(run.id));

      now = clock.advance(2);
      assert.ok((await runs.expired(now)).includes(run.id), 'expired lists the run once its lease ended');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runs.claim(run.id, `r${i}`, LEASE, now)));
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1, 'exactly one worker reclaims an expired run');
      assert.equal(winners[0]!.starts, 2, 'a reclaim counts as a new start');
      assert.equal(await runs.heartbeat(run.id, 'w1', LEASE, now), false, 'the old worker learns it lost the run');
      assert.equal(await runs.heartbeat(run.id, winners[0]!.worker!, LEASE, now), true);
      assert.ok(!(await runs.expired(now)).includes(run.id));
    });

    it('finished runs are never claimed nor listed as expired', async () => {
      const { runs } = fx.stores;
      const run = await runs.create(newRun());
      const now = clock.advance(1000);
      await runs.claim(run.id, 'w1', LEASE, now);
      await runs.apply({ type: 'run', runId: run.id, status: 'success', at: now });
      const later = clock.advance(10 * LEASE);
      assert.equal(await runs.claim(run.id, 'w2', LEASE, later), null);
      assert.ok(!(await runs.expired(later)).includes(run.id));
      assert.equal(await runs.heartbeat(run.id, 'w1', LEASE, later), false);
      assert.equal(await runs.claim('0123456789abcdef01234567', 'w2', LEASE, later), null, 'unknown run');
    });

    it('cancel of a running run sets cancelRequested for its worker to see', async () => {
      const { runs } = fx.stores;
      const run = await runs.create(newRun());
      await runs.claim(run.id, 'w1', LEASE, clock.advance(1));
      const cancelled = await runs.requestCancel(run.id);
      assert.deepEqual([cancelled?.status, cancelled?.cancelRequested], ['running', true]);
      assert.equal((await runs.get(run.id))!.cancelRequested, true);
      assert.equal(await runs.heartbeat(run.id, 'w1', LEASE, clock.now()), true, 'the worker keeps the run while it stops');
    });

    it('cancel of a queued run ends it at once, so no worker claims it', async () => {
      const { runs } = fx.stores;
      const run = await runs.create(newRun());
      const cancelled = await runs.requestCancel(run.id);
      assert.equal(cancelled?.status, 'cancelled');
      assert.ok(cancelled?.finishedAt);
      assert.equal(await runs.claim(run.id, 'w1', LEASE, clock.advance(1)), null);
      assert.equal(await runs.requestCancel('0123456789abcdef01234567'), null);
      const again = await runs.requestCancel(run.id);
      assert.equal(again?.status, 'cancelled', 'a finished run is returned unchanged');
    });

    it('finish ends a run that never reached run-job, once', async () => {
      const { runs } = fx.stores;
      const run = await runs.create(newRun());
      await runs.claim(run.id, 'w1', LEASE, clock.advance(1));
      const at = clock.advance(5);
      await runs.finish(run.id, 'error', 'secret NPM_TOKEN not found', at);
      const done = await runs.get(run.id);
      assert.deepEqual([done!.status, done!.message, done!.finishedAt], ['error', 'secret NPM_TOKEN not found', at]);
      assert.ok(!(await runs.expired(clock.advance(10 * LEASE))).includes(run.id));
      await runs.finish(run.id, 'cancelled', 'too late', clock.advance(1));
      assert.equal((await runs.get(run.id))!.status, 'error', 'an ended run keeps its status');
      await assert.rejects(runs.finish('0123456789abcdef01234567', 'error', 'x', at), NotFoundError);
    });
  });
}
