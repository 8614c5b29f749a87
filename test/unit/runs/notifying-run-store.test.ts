import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notifyingRunStore, type RunChange } from '../../../src/runs/notifying-run-store.ts';
import type { RunRecord, RunStore } from '../../../src/store/store.ts';

const record = { id: 'r1', status: 'queued' } as RunRecord;

function fakeStore(failing = false): RunStore {
  const fail = async (): Promise<never> => Promise.reject(new Error('write failed'));
  return {
    create: failing ? fail : async () => record,
    get: async () => record,
    list: async () => ({ runs: [] }),
    apply: failing ? fail : async () => undefined,
    applyBatch: failing ? fail : async () => undefined,
    claim: async () => null,
    heartbeat: async () => true,
    expired: async () => [],
    requestCancel: async () => ({ ...record, status: 'running' }),
    finish: failing ? fail : async () => undefined,
  };
}

test('create, status events (one change per batch), cancel and finish all notify; log lines and reads do not', async () => {
  const changes: RunChange[] = [];
  const store = notifyingRunStore(fakeStore(), (c) => changes.push(c));
  await store.create({} as never);
  await store.apply({ type: 'step', runId: 'r1', group: 'g', step: 0, attempt: 1, status: 'running', at: new Date() } as never);
  await store.apply({ type: 'log', runId: 'r1' } as never);
  await store.applyBatch('r1', [
    { type: 'step', runId: 'r1', group: 'g', step: 1, stepName: 's', attempt: 1, status: 'skipped', at: new Date() },
    { type: 'group', runId: 'r1', group: 'g', attempt: 1, status: 'cancelled', at: new Date() },
  ]);
  await store.requestCancel('r1');
  await store.finish('r1', 'cancelled', 'cancelled before it started', new Date());
  await store.get('r1');
  assert.deepEqual(changes, [
    { runId: 'r1', kind: 'created', status: 'queued', level: 'run' },
    { runId: 'r1', kind: 'event', status: 'running', level: 'step' },
    { runId: 'r1', kind: 'event', status: 'cancelled', level: 'group' },
    { runId: 'r1', kind: 'event', status: 'running', level: 'run' },
    { runId: 'r1', kind: 'finished', status: 'cancelled', level: 'run' },
  ]);
});

test('a failed write notifies nothing, and a throwing listener never fails a write', async () => {
  const changes: RunChange[] = [];
  await assert.rejects(notifyingRunStore(fakeStore(true), (c) => changes.push(c)).finish('r1', 'error', 'x', new Date()));
  assert.deepEqual(changes, []);
  const store = notifyingRunStore(fakeStore(), () => {
    throw new Error('listener bug');
  });
  await store.finish('r1', 'error', 'x', new Date());
});
