import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogLineEvent, RunEvent } from '../../../src/executor/events.ts';
import { createMasker } from '../../../src/executor/log/mask.ts';
import { EventWriter } from '../../../src/worker/event-writer.ts';

describe('EventWriter masking', () => {
  it('masks messages, step names and outputs (keys too) of status events before storing them; log lines are stored as given', async () => {
    const applied: RunEvent[] = [];
    const appended: LogLineEvent[] = [];
    const masker = createMasker(['s3cr3t-value']);
    const writer = new EventWriter({
      runs: { apply: async (e) => void applied.push(e), applyBatch: async (_id, es) => void applied.push(...es) },
      logs: { append: async (lines) => void appended.push(...lines) },
      mask: (text) => masker.maskText(text),
    });
    const at = new Date(0);
    await writer.write({ type: 'step', runId: 'r', group: 'g', step: 0, stepName: 'use s3cr3t-value', attempt: 1, status: 'success', at, outputs: { 'k_s3cr3t-value': 'S3CR3T-VALUE' } });
    await writer.write({ type: 'log', runId: 'r', group: 'g', step: 0, attempt: 1, seq: 0, stream: 'stdout', line: 'already masked ***', at });
    await writer.write({ type: 'run', runId: 'r', status: 'error', at, message: `cannot start: ${Buffer.from('s3cr3t-value').toString('hex')}` });
    await writer.close();
    assert.deepEqual(applied.map((e) => (e.type === 'step' ? [e.stepName, e.outputs] : e.type === 'run' ? e.message : e.type)), [
      ['use ***', { 'k_***': '***' }],
      'cannot start: ***',
    ]);
    assert.deepEqual(appended.map((l) => l.line), ['already masked ***']);
  });
});
