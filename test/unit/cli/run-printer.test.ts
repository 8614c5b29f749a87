import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunPrinter } from '../../../src/cli/run-printer.ts';
import type { StepStatusEvent } from '../../../src/executor/events.ts';
import type { Plan, Status } from '../../../src/pipeline/types.ts';

const plan = {
  job: 'J',
  file: 'j.yaml',
  params: {},
  secrets: [],
  groups: [{ name: 'g', steps: [{ name: 'build' }, { name: 'test' }] }],
} as unknown as Plan;

function step(index: number, attempt: number, status: Status): StepStatusEvent {
  return { type: 'step', runId: 'r', group: 'g', step: index, stepName: index === 0 ? 'build' : 'test', attempt, status, at: new Date(0) };
}

function statuses(summary: string): string[][] {
  const lines = summary.split('\n');
  const header = lines.findIndex((l) => l.startsWith('GROUP'));
  return lines.slice(header + 1, lines.indexOf('', header)).map((l) => l.split(/\s{2,}/)).map((r) => [r[1] ?? '', r[2] ?? '', r[4] ?? '']);
}

describe('RunPrinter summary', () => {
  it('a step that passed only on a retry reads "success on retry", and so does the job line', async () => {
    const printer = new RunPrinter(plan, () => {}, false);
    for (const event of [step(0, 1, 'success'), step(1, 1, 'failure'), step(0, 2, 'success'), step(1, 2, 'success')]) await printer.onEvent(event);
    const summary = printer.summary('success', 1000);
    assert.deepEqual(statuses(summary), [
      ['build', 'success', '1'],
      ['test', 'failure', '1'],
      ['build', 'success', '2'],
      ['test', 'success on retry', '2'],
    ]);
    assert.match(summary, /^Job success on retry \(g\) in 1\.0s$/m);
  });

  it('a first-time pass is a plain success', async () => {
    const printer = new RunPrinter(plan, () => {}, false);
    for (const event of [step(0, 1, 'success'), step(1, 1, 'success')]) await printer.onEvent(event);
    const summary = printer.summary('success', 1000);
    assert.deepEqual(statuses(summary).map((r) => r[1]), ['success', 'success']);
    assert.match(summary, /^Job success in 1\.0s$/m);
  });

  it('passes the writer’s backpressure on: a log event settles only when the write does', async () => {
    let release: () => void = () => {};
    const printer = new RunPrinter(plan, () => new Promise<void>((resolve) => (release = resolve)), false);
    let settled = false;
    const delivered = Promise.resolve(printer.onEvent({ type: 'log', runId: 'r', group: 'g', step: 0, attempt: 1, seq: 0, stream: 'stdout', line: 'hi', at: new Date(0) })).then(() => (settled = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    release();
    await delivered;
    assert.equal(settled, true);
  });
});
