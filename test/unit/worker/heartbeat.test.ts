import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startHeartbeat } from '../../../src/worker/heartbeat.ts';
import { silentLogger } from '../../../src/worker/logger.ts';
import type { RunRecord } from '../../../src/store/store.ts';

const LEASE_MS = 10_000;
const START = Date.parse('2026-01-01T00:00:00Z');

/**
 * A clock the test moves and a store whose answer the test sets: `owner` is whether this worker
 * still holds the run in the database. Beats are an hour apart, so only held() renews here.
 */
function setup() {
  let time = START;
  const state = { owner: true, failing: false };
  const renewals: number[] = [];
  const lost: string[] = [];
  const heartbeat = startHeartbeat({
    runs: {
      heartbeat: async (_id, _worker, _leaseMs, at) => {
        if (state.failing) throw new Error('database unreachable');
        if (state.owner) renewals.push(at.getTime() - START);
        return state.owner;
      },
      get: async () => ({ cancelRequested: false }) as RunRecord,
    },
    runId: 'r1',
    workerId: 'w1',
    leaseMs: LEASE_MS,
    intervalMs: 3_600_000,
    renewedAt: new Date(time),
    now: () => new Date(time),
    onLost: (why) => lost.push(why),
    onCancel: () => {},
    log: silentLogger,
  });
  return { heartbeat, state, renewals, lost, advance: (ms: number) => (time += ms) };
}

describe('heartbeat: held() after the worker missed its own lease', () => {
  test('within the lease it answers at once, without asking the database', async () => {
    const { heartbeat, renewals, advance } = setup();
    try {
      advance(LEASE_MS - 1);
      assert.equal(heartbeat.held(), true);
      assert.deepEqual(renewals, []);
    } finally {
      await heartbeat.stop();
    }
  });

  test('past the lease, when another worker has taken the run: false, and the loss is reported once', async () => {
    const { heartbeat, state, renewals, lost, advance } = setup();
    try {
      advance(LEASE_MS + 5_000); // as after an event loop blocked for 15 s
      state.owner = false;
      assert.equal(await heartbeat.held(), false);
      assert.equal(await heartbeat.held(), false);
      assert.deepEqual(lost, ['another worker holds the run now (its lease had expired)']);
      assert.deepEqual(renewals, []);
    } finally {
      await heartbeat.stop();
    }
  });

  test('past the lease, when nobody took the run: the lease is renewed first, then true', async () => {
    const { heartbeat, renewals, lost, advance } = setup();
    try {
      advance(LEASE_MS + 5_000);
      const answer = heartbeat.held();
      assert.notEqual(answer, true, 'a lapsed lease is never taken as held without asking');
      assert.equal(await answer, true);
      assert.deepEqual(renewals, [LEASE_MS + 5_000]);
      assert.equal(heartbeat.held(), true, 'renewed: held again at once');
      assert.deepEqual(lost, []);
    } finally {
      await heartbeat.stop();
    }
  });

  test('past the lease, when the database cannot be reached: false, the run counts as lost', async () => {
    const { heartbeat, state, lost, advance } = setup();
    try {
      advance(LEASE_MS);
      state.failing = true;
      assert.equal(await heartbeat.held(), false);
      assert.deepEqual(lost, ['the lease ran out 0 ms ago and could not be renewed']);
    } finally {
      await heartbeat.stop();
    }
  });
});
