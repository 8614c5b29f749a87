import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunRecord } from '../../../src/store/store.ts';
import { staleAttemptEvents } from '../../../src/worker/stale-attempts.ts';

const at = new Date('2026-01-01T00:00:00Z');
const step = (index: number, name: string) => ({ index, name, image: 'busybox', container: 0, startsContainer: index === 0, commands: [name], env: {}, actions: [] });

function run(groups: RunRecord['groups']): RunRecord {
  return {
    id: 'r1',
    plan: { groups: [{ name: 'build', steps: [step(0, 'one'), step(1, 'two'), step(2, 'three')] }, { name: 'lint', steps: [step(0, 'lint')] }] },
    groups,
  } as unknown as RunRecord;
}

test('closes only unfinished attempts: the running step gets the status, the others are skipped, planned steps included', () => {
  const events = staleAttemptEvents(
    run([
      {
        name: 'build', status: 'running', attempt: 2, attempts: [
          { attempt: 1, status: 'failure', steps: [{ index: 0, name: 'one', status: 'failure' }] },
          { attempt: 2, status: 'running', steps: [{ index: 0, name: 'one', status: 'success' }, { index: 1, name: 'two', status: 'running' }] },
        ],
      },
      { name: 'lint', status: 'success', attempt: 1, attempts: [{ attempt: 1, status: 'success', steps: [{ index: 0, name: 'lint', status: 'success' }] }] },
    ]),
    'error',
    'worker died',
    at,
  );
  assert.deepEqual(events.map((e) => [e.type, e.group, e.attempt, e.type === 'step' ? e.step : '-', e.status, e.message ?? '']), [
    ['step', 'build', 2, 1, 'error', 'worker died'],
    ['step', 'build', 2, 2, 'skipped', ''],
    ['group', 'build', 2, '-', 'error', 'worker died'],
  ]);
  assert.equal(events[1]?.type === 'step' && events[1].stepName, 'three', 'a step that never reported takes its planned name');
});

test('nothing to close when every attempt ended (a shutdown or an engine failure closed them)', () => {
  assert.deepEqual(staleAttemptEvents(run([{ name: 'build', status: 'cancelled', attempt: 1, attempts: [{ attempt: 1, status: 'cancelled', steps: [] }] }]), 'error', 'x', at), []);
});
