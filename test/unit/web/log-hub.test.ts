import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Status } from '../../../src/pipeline/types.ts';
import type { LogQuery, StoredLogLine } from '../../../src/store/store.ts';
import { createLogHub, type FollowUpdate } from '../../../src/web/log-hub.ts';

/** In-memory stores counting reads; `write` adds lines, `finish` ends the run. */
function fakeRun() {
  const lines: StoredLogLine[] = [];
  const state = { status: 'running' as Status, reads: 0 };
  const line = (text: string, group = 'main'): StoredLogLine => ({
    type: 'log', runId: 'r1', group, step: 0, attempt: 1, seq: lines.length, stream: 'stdout', line: text, at: new Date(0), cursor: `c${lines.length}`,
  });
  return {
    state,
    write: (text: string, group?: string) => void lines.push(line(text, group)),
    runs: { get: async () => (state.reads++, { status: state.status } as never) },
    logs: {
      read: async (_id: string, query: LogQuery) => {
        state.reads++;
        const from = query.after === undefined ? 0 : lines.findIndex((l) => l.cursor === query.after) + 1;
        return lines.slice(from);
      },
    },
  };
}

async function collect(updates: AsyncGenerator<FollowUpdate>, until: (texts: string[]) => boolean): Promise<{ texts: string[]; end: FollowUpdate['end'] }> {
  const texts: string[] = [];
  for await (const update of updates) {
    texts.push(...update.lines.map((l) => l.line));
    if (update.end !== undefined) return { texts, end: update.end };
    if (until(texts)) return { texts, end: undefined };
  }
  return { texts, end: undefined };
}

describe('log hub', () => {
  it('serves every follower of a run from one tail, then the end after the last lines', async () => {
    const run = fakeRun();
    run.write('one');
    const hub = createLogHub({ runs: run.runs, logs: run.logs, pollMs: 5 });
    const signal = new AbortController().signal;
    const followers = Array.from({ length: 20 }, () => collect(hub.follow('r1', {}, signal), () => false));
    const readsBefore = run.state.reads;
    run.write('two');
    run.write('three', 'other');
    run.state.status = 'success';
    const results = await Promise.all(followers);
    for (const result of results) {
      assert.deepEqual(result.texts, ['one', 'two', 'three']);
      assert.deepEqual(result.end, { status: 'success', message: undefined });
    }
    assert.equal(hub.tails(), 1);
    assert.ok(run.state.reads - readsBefore < 40, `20 followers made ${run.state.reads - readsBefore} reads`);
    hub.close();
  });

  it('resumes after a cursor, filters by group, and serves a finished run from memory', async () => {
    const run = fakeRun();
    for (const text of ['a', 'b', 'c']) run.write(text);
    run.write('x', 'other');
    run.state.status = 'failure';
    const hub = createLogHub({ runs: run.runs, logs: run.logs, pollMs: 5 });
    const signal = new AbortController().signal;
    const resumed = await collect(hub.follow('r1', { after: 'c0', group: 'main' }, signal), () => false);
    assert.deepEqual(resumed.texts, ['b', 'c']);
    assert.equal(resumed.end?.status, 'failure');
    const reads = run.state.reads;
    const again = await collect(hub.follow('r1', {}, signal), () => false);
    assert.deepEqual(again.texts, ['a', 'b', 'c', 'x']);
    assert.equal(run.state.reads, reads, 'the lingering tail answers without the database');
    hub.close();
  });

  it('stops polling when the last follower leaves', async () => {
    const run = fakeRun();
    run.write('only');
    const hub = createLogHub({ runs: run.runs, logs: run.logs, pollMs: 5 });
    const abort = new AbortController();
    const first = await collect(hub.follow('r1', {}, abort.signal), (texts) => texts.length === 1);
    assert.deepEqual(first.texts, ['only']);
    assert.equal(hub.tails(), 0, 'a running run\'s tail is dropped with its last follower');
    hub.close();
  });
});
