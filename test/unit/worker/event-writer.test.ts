import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogLineEvent, RunEvent } from '../../../src/executor/events.ts';
import { EventWriter } from '../../../src/worker/event-writer.ts';

/** A store whose writes finish only when the test says so, recording what arrives in which order. */
function gatedStore() {
  const calls: string[] = [];
  const gates: (() => void)[] = [];
  let failNext: Error | undefined;
  const gated = (label: string) =>
    new Promise<void>((resolve, reject) => {
      calls.push(label);
      gates.push(() => {
        const failure = failNext;
        failNext = undefined;
        if (failure) reject(failure);
        else resolve();
      });
    });
  return {
    calls,
    releaseAll: () => {
      while (gates.length > 0) gates.shift()?.();
    },
    /** releases writes one by one until none is waiting, letting each next one start */
    async drain() {
      for (let i = 0; i < 100 && (gates.length > 0 || i === 0); i++) {
        gates.shift()?.();
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    failNextWith: (error: Error) => (failNext = error),
    runs: {
      apply: (event: RunEvent) => gated(`apply ${event.type}:${'status' in event ? event.status : ''}`),
      applyBatch: (_runId: string, events: RunEvent[]) => gated(`batch ${events.map((e) => `${e.type}:${'status' in e ? e.status : ''}`).join(',')}`),
    },
    logs: { append: (lines: LogLineEvent[]) => gated(`append ${lines.map((l) => l.line).join(',')}`) },
  };
}

const at = new Date(0);
const step = (status: 'running' | 'success'): RunEvent => ({ type: 'step', runId: 'r', group: 'g', step: 0, stepName: 's', attempt: 1, status, at });
const line = (seq: number): RunEvent => ({ type: 'log', runId: 'r', group: 'g', step: 0, attempt: 1, seq, stream: 'stdout', line: `l${seq}`, at });
const runFinal: RunEvent = { type: 'run', runId: 'r', status: 'success', at };

describe('EventWriter', { timeout: 10_000 }, () => {
  it('stores lines before a later status, in call order', async () => {
    const store = gatedStore();
    const writer = new EventWriter({ runs: store.runs, logs: store.logs, flushMs: 60_000 });
    await writer.write(step('running'));
    await writer.write(line(0));
    await writer.write(line(1));
    await writer.write(step('success'));
    const closed = writer.close();
    await store.drain();
    await closed;
    assert.deepEqual(store.calls, ['apply step:running', 'append l0,l1', 'apply step:success']);
  });

  it('does not wait for the store on an intermediate status, but does on the final run status', async () => {
    const store = gatedStore();
    const writer = new EventWriter({ runs: store.runs, logs: store.logs, flushMs: 60_000 });
    await writer.write(step('running')); // resolves while the store write is still held
    let finalStored = false;
    const final = writer.write(runFinal).then(() => (finalStored = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(finalStored, false, 'the final status must be stored before write() resolves');
    await store.drain();
    await final;
    assert.equal(finalStored, true);
    await writer.close();
  });

  it('waits for the store once too many writes are pending (bounded queue)', async () => {
    const store = gatedStore();
    const writer = new EventWriter({ runs: store.runs, logs: store.logs, flushMs: 60_000 });
    let resolved = 0;
    const writes = Array.from({ length: 20 }, () => writer.write(step('running')).then(() => resolved++));
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(resolved < 20, `only a bounded number of writes may resolve before the store answers (got ${resolved})`);
    await store.drain();
    await Promise.all(writes);
    await writer.close();
  });

  it('applies backpressure on log lines: write() waits for the flush it triggered', async () => {
    const store = gatedStore();
    const writer = new EventWriter({ runs: store.runs, logs: store.logs, maxLines: 2, flushMs: 60_000 });
    await writer.write(line(0));
    let flushed = false;
    const second = writer.write(line(1)).then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(flushed, false);
    store.releaseAll();
    await second;
    assert.deepEqual(store.calls, ['append l0,l1']);
    await writer.close();
  });

  it('reports a failed status write on the next write and on close', async () => {
    const store = gatedStore();
    const writer = new EventWriter({ runs: store.runs, logs: store.logs, flushMs: 60_000 });
    store.failNextWith(new Error('database down'));
    await writer.write(step('running'));
    await store.drain();
    await assert.rejects(writer.write(step('success')), /database down/);
    await assert.rejects(writer.close(), /database down/);
  });

  it('while batching, stores every remaining status of a stopping run in one write, after its lines', async () => {
    const store = gatedStore();
    let stopping = false;
    const writer = new EventWriter({ runs: store.runs, logs: store.logs, flushMs: 60_000, batching: () => stopping });
    await writer.write(step('running'));
    await writer.write(line(0));
    stopping = true;
    const skipped = (n: number): RunEvent => ({ type: 'step', runId: 'r', group: `g${n}`, step: 0, stepName: 's', attempt: 1, status: 'skipped', at });
    for (let n = 0; n < 300; n++) {
      await writer.write(skipped(n));
      await writer.write({ type: 'group', runId: 'r', group: `g${n}`, attempt: 1, status: 'cancelled', at });
    }
    const final = writer.write({ type: 'run', runId: 'r', status: 'cancelled', at });
    await store.drain();
    await final;
    await writer.close();
    assert.equal(store.calls.length, 4, store.calls.map((c) => c.slice(0, 60)).join('\n'));
    assert.deepEqual(store.calls.map((c) => c.split(' ')[0]), ['apply', 'append', 'batch', 'apply']);
    assert.equal(store.calls[2]?.split(',').length, 600);
    assert.equal(store.calls[3], 'apply run:cancelled');
  });

  it('stores lines without waiting for an earlier status write that is still in progress', async () => {
    const store = gatedStore();
    const writer = new EventWriter({ runs: store.runs, logs: store.logs, maxLines: 1, flushMs: 60_000 });
    await writer.write(step('running')); // held by the store
    const written = writer.write(line(0)); // flushes at once: must not queue behind the held status write
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(store.calls, ['apply step:running', 'append l0']);
    await store.drain();
    await written;
    await writer.close();
  });
});
