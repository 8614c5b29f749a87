import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startHeartbeat } from '../../../src/worker/heartbeat.ts';
import { silentLogger } from '../../../src/worker/logger.ts';
import type { RunRecord } from '../../../src/store/store.ts';
import { waitFor } from '../../support/wait.ts';

const LEASE_MS = 10_000;

/** A clock the test moves, and a store that renews every lease it is asked to (nobody else claims). */
function setup(intervalMs: number) {
  let time = Date.parse('2026-01-01T00:00:00Z');
  const renewals: Date[] = [];
  const lost: string[] = [];
  const heartbeat = startHeartbeat({
    runs: {
      heartbeat: async (_id, _worker, _leaseMs, at) => {
        renewals.push(at);
        return true;
      },
      get: async () => ({ cancelRequested: false }) as RunRecord,
    },
    runId: 'r1',
    workerId: 'w1',
    leaseMs: LEASE_MS,
    intervalMs,
    renewedAt: new Date(time),
    now: () => new Date(time),
    onLost: (why) => lost.push(why),
    onCancel: () => {},
    log: silentLogger,
  });
  return { heartbeat, renewals, lost, advance: (ms: number) => (time += ms) };
}

describe('heartbeat: a worker that misses its own lease stops', () => {
  test('held() is true within the lease and false once it has run out, reporting the loss once', async () => {
    const { heartbeat, lost, advance } = setup(60_000);
    try {
      advance(LEASE_MS - 1);
      assert.equal(heartbeat.held(), true);
      advance(1);
      assert.equal(heartbeat.held(), false);
      assert.equal(heartbeat.held(), false);
      assert.equal(lost.length, 1);
      assert.match(lost[0] ?? '', /renewed no lease for 10000 ms \(over the 10000 ms lease; was its event loop blocked\?\), so another worker may run it now/);
    } finally {
      await heartbeat.stop();
    }
  });

  test('a beat that comes after the lease ran out does not renew it', async () => {
    const { heartbeat, renewals, lost, advance } = setup(5);
    try {
      // beats renew while the clock stands still
      await waitFor('a first renewal', () => renewals.length > 0, { timeoutMs: 5_000 });
      // then the clock jumps past the lease, as after a blocked event loop
      advance(LEASE_MS + 1);
      await waitFor('the loss to be reported', () => lost.length > 0, { timeoutMs: 5_000 });
      const renewed = renewals.length;
      assert.ok(renewals.every((at) => at.getTime() === renewals[0]?.getTime()), 'no renewal at the late time');
      assert.equal(heartbeat.held(), false);
      await heartbeat.stop();
      assert.equal(renewals.length, renewed, 'no beats after the loss');
      assert.equal(lost.length, 1);
    } finally {
      await heartbeat.stop();
    }
  });
});
