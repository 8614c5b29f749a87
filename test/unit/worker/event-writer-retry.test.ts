import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent } from '../../../src/executor/events.ts';
import { EventWriter } from '../../../src/worker/event-writer.ts';

const status: RunEvent = { type: 'run', runId: 'r1', status: 'running', at: new Date() } as RunEvent;

function flakyStore(failures: number, name: string) {
  const applied: RunEvent[] = [];
  let left = failures;
  return {
    applied,
    runs: {
      apply: async (event: RunEvent) => {
        if (left-- > 0) {
          const err = new Error('connection closed');
          err.name = name;
          throw err;
        }
        applied.push(event);
      },
      applyBatch: async () => undefined,
    },
    logs: { append: async () => undefined },
  };
}

test('a write failing with a database error is tried again while the database comes back', async () => {
  const store = flakyStore(3, 'MongoNetworkError');
  const writer = new EventWriter({ runs: store.runs, logs: store.logs, retryForMs: 10_000 });
  await writer.write(status);
  await writer.close();
  assert.deepEqual(store.applied, [status]);
});

test('other errors, and database errors past the retry time, fail the writer', async () => {
  const bug = flakyStore(1, 'TypeError');
  const writer = new EventWriter({ runs: bug.runs, logs: bug.logs, retryForMs: 10_000 });
  await writer.write(status).catch(() => undefined);
  await assert.rejects(writer.close(), /connection closed/);
  const down = flakyStore(1000, 'MongoServerSelectionError');
  const patient = new EventWriter({ runs: down.runs, logs: down.logs, retryForMs: 300 });
  await patient.write(status).catch(() => undefined);
  await assert.rejects(patient.close(), /connection closed/);
  assert.deepEqual(down.applied, []);
});
