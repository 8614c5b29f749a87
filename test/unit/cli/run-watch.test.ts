import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunDetail, StepDetail } from '../../../src/client/api-types.ts';
import { RunWatch } from '../../../src/cli/run-watch.ts';
import { RunPrinter } from '../../../src/cli/run-printer.ts';

function step(index: number, status: string, extra: Partial<StepDetail> = {}): StepDetail {
  return { index, name: `s${index}`, status, exitCode: null, attempt: 1, startedAt: status === 'queued' ? null : '2026-01-01T00:00:00.000Z', finishedAt: null, outputs: {}, message: null, ...extra };
}

function run(steps: StepDetail[]): RunDetail {
  return { groups: [{ name: 'g', status: 'running', attempt: 1, steps, attempts: [{ attempt: 1, steps }] }] } as unknown as RunDetail;
}

const said = (events: { step: number; status: string }[]): string[] => events.map((e) => `${e.step} ${e.status}`);

describe('RunWatch', () => {
  it('says running before a final status, even when a snapshot only showed the final one', () => {
    const watch = new RunWatch('r');
    watch.update(run([step(0, 'failure', { exitCode: 3, message: 'boom' })]));
    const events = watch.changes({ end: true });
    assert.deepEqual(said(events), ['0 running', '0 failure']);
    assert.equal(events[1]?.exitCode, 3);
    assert.deepEqual(watch.changes({ end: true }), [], 'each status once');
  });

  it('holds a status change back until the log stream has caught up with it, or until it waited long enough', () => {
    let now = 0;
    const watch = new RunWatch('r', 1500, () => now);
    watch.update(run([step(0, 'success', { finishedAt: '2026-01-01T00:00:02.000Z' }), step(1, 'running', { startedAt: '2026-01-01T00:00:02.000Z' })]));
    assert.deepEqual(said(watch.changes({ end: false })), [], 'the lines of step 0 may still be on the way');
    assert.deepEqual(said(watch.beforeLine('g', 0, 's0', 1, new Date('2026-01-01T00:00:01.000Z'))), ['0 running']);
    assert.deepEqual(said(watch.changes({ end: false })), [], 'the stream is not past step 0 yet');
    now = 1500;
    assert.deepEqual(said(watch.changes({ end: false })), ['0 success', '1 running'], 'a step that prints nothing is not held for ever');

    const caughtUp = new RunWatch('r', 1500, () => 0);
    caughtUp.update(run([step(0, 'success', { finishedAt: '2026-01-01T00:00:02.000Z' }), step(1, 'queued')]));
    caughtUp.beforeLine('g', 0, 's0', 1, new Date('2026-01-01T00:00:03.000Z'));
    assert.deepEqual(said(caughtUp.changes({ end: false })), ['0 success']);
  });

  it('a line of a later step settles the earlier ones first, and asks for a fresh reading when it is behind', () => {
    const watch = new RunWatch('r');
    watch.update(run([step(0, 'running'), step(1, 'queued')]));
    assert.equal(watch.behind('g', 1, 1), true);
    watch.update(run([step(0, 'success'), step(1, 'running')]));
    assert.equal(watch.behind('g', 1, 1), false);
    assert.deepEqual(said(watch.beforeLine('g', 1, 's1', 1, new Date())), ['0 running', '0 success', '1 running']);
  });
});

describe('RunPrinter prints each error once', () => {
  it('a step message already printed as a system line, and the group message repeating it, are not printed again', async () => {
    let out = '';
    const printer = new RunPrinter({ groups: [{ name: 'g', steps: [{ name: 'build' }] }] }, (t) => void (out += t), false);
    const at = new Date(0);
    const message = "image 'x:1' is not present";
    await printer.onEvent({ type: 'step', runId: 'r', group: 'g', step: 0, stepName: 'build', attempt: 1, status: 'running', at });
    await printer.onEvent({ type: 'log', runId: 'r', group: 'g', step: 0, attempt: 1, seq: 0, stream: 'system', line: message, at });
    await printer.onEvent({ type: 'step', runId: 'r', group: 'g', step: 0, stepName: 'build', attempt: 1, status: 'error', message, at });
    await printer.onEvent({ type: 'group', runId: 'r', group: 'g', attempt: 1, status: 'error', message, at });
    await printer.onEvent({ type: 'group', runId: 'r', group: 'g', attempt: 1, status: 'error', message: `step "build": ${message}`, at });
    assert.equal(out.split(message).length - 1, 1, out);
    assert.match(out, /^g\/build error 0\.0s$/m);
  });
});
