import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cancelRun } from '../../../src/runs/cancel.ts';
import { RunStateError } from '../../../src/runs/errors.ts';
import type { RunRecord } from '../../../src/store/store.ts';

const run = (status: RunRecord['status']): RunRecord => ({ id: 'r1', status }) as RunRecord;

test('a running run: the request is stored and the process is told', async () => {
  const told: string[] = [];
  const asked: string[] = [];
  const updated = await cancelRun({ runs: { requestCancel: async (id) => (asked.push(id), { ...run('running'), cancelRequested: true } as RunRecord) }, onCancel: (id) => told.push(id) }, run('running'));
  assert.deepEqual(asked, ['r1']);
  assert.deepEqual(told, ['r1']);
  assert.equal(updated.status, 'running');
});

test('a finished run cannot be cancelled: RunStateError with its status, nothing stored', async () => {
  let asked = false;
  await assert.rejects(
    cancelRun({ runs: { requestCancel: async () => ((asked = true), null) } }, run('success')),
    (err: unknown) => err instanceof RunStateError && err.status === 'success' && /already finished \(success\)/.test(err.message),
  );
  assert.equal(asked, false);
});

test('a run that vanished while cancelling is a RunStateError, and nobody is told', async () => {
  const told: string[] = [];
  await assert.rejects(cancelRun({ runs: { requestCancel: async () => null }, onCancel: (id) => told.push(id) }, run('queued')), /disappeared while cancelling/);
  assert.deepEqual(told, []);
});
