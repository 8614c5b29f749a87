import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReportTrigger } from '../../../src/runs/report-trigger.ts';

function recorder(windowMs: number) {
  const sent: string[] = [];
  let wake: (() => void) | undefined;
  const trigger = createReportTrigger({
    request: async (runId) => {
      sent.push(runId);
      wake?.();
    },
    windowMs,
    onError: () => assert.fail('no errors expected'),
  });
  const next = () => new Promise<void>((resolve) => (wake = resolve));
  return { trigger, sent, next };
}

test('the first change of a run is sent at once; changes inside the window are coalesced into one trailing request', async () => {
  const { trigger, sent, next } = recorder(50);
  trigger.changed({ runId: 'r1', kind: 'event', status: 'running', level: 'step' });
  assert.deepEqual(sent, ['r1']);
  for (let i = 0; i < 20; i++) trigger.changed({ runId: 'r1', kind: 'event', status: 'running', level: 'step' });
  assert.deepEqual(sent, ['r1'], 'nothing more inside the window');
  // the trigger's timers do not hold the process open; this one keeps it alive while waiting
  const alive = setInterval(() => undefined, 1000);
  await next();
  clearInterval(alive);
  assert.deepEqual(sent, ['r1', 'r1'], 'one trailing request for the twenty changes');
  trigger.stop();
});

test('a final run status is sent at once, even inside the window', () => {
  const { trigger, sent } = recorder(60_000);
  trigger.changed({ runId: 'r2', kind: 'created', status: 'queued', level: 'run' });
  trigger.changed({ runId: 'r2', kind: 'event', status: 'success', level: 'step' });
  assert.equal(sent.length, 1, 'a step succeeding is progress');
  trigger.changed({ runId: 'r2', kind: 'event', status: 'failure', level: 'run' });
  assert.equal(sent.length, 2);
  trigger.changed({ runId: 'r2', kind: 'finished', status: 'error', level: 'run' });
  assert.equal(sent.length, 3);
  trigger.stop();
});

test('runs are coalesced separately', () => {
  const { trigger, sent } = recorder(60_000);
  trigger.changed({ runId: 'a', kind: 'event', status: 'running', level: 'group' });
  trigger.changed({ runId: 'b', kind: 'event', status: 'running', level: 'group' });
  trigger.changed({ runId: 'a', kind: 'event', status: 'running', level: 'group' });
  assert.deepEqual(sent, ['a', 'b']);
  trigger.stop();
});

test('a failing request is reported, not thrown', async () => {
  const errors: string[] = [];
  const trigger = createReportTrigger({ request: async () => Promise.reject(new Error('db down')), windowMs: 10, onError: (err, runId) => errors.push(`${runId}: ${String(err)}`) });
  trigger.changed({ runId: 'x', kind: 'created', level: 'run' });
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(errors, ['x: Error: db down']);
  trigger.stop();
});
