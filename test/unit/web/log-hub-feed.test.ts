import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Status } from '../../../src/pipeline/types.ts';
import type { ChangeFeed, ChangeListener, LogQuery, StoredLogLine } from '../../../src/store/store.ts';
import { createLogHub } from '../../../src/web/log-hub.ts';
import { collectFollow } from '../../support/log-follower.ts';
import { waitFor } from '../../support/wait.ts';

/** longer than any test may take: a line arriving on such a poll would time the test out */
const NEVER = 1e9;

/** In-memory stores of runs r1 and r2 counting reads; `write` adds a line, `finish` ends a run. */
function fakeRuns() {
  const lines = new Map<string, StoredLogLine[]>([['r1', []], ['r2', []]]);
  const status = new Map<string, Status>([['r1', 'running'], ['r2', 'running']]);
  const state = { reads: 0 };
  return {
    state,
    write: (runId: string, text: string) => {
      const list = lines.get(runId) ?? [];
      list.push({ type: 'log', runId, group: 'main', step: 0, attempt: 1, seq: list.length, stream: 'stdout', line: text, at: new Date(0), cursor: `c${list.length}` });
    },
    finish: (runId: string) => void status.set(runId, 'success'),
    runs: { get: async (id: string) => (state.reads++, { status: status.get(id) } as never) },
    logs: {
      read: async (id: string, query: LogQuery) => {
        state.reads++;
        const list = lines.get(id) ?? [];
        const from = query.after === undefined ? 0 : list.findIndex((l) => l.cursor === query.after) + 1;
        return list.slice(from);
      },
    },
  };
}

/** A ChangeFeed driven by the test: `changed` tells run changes, `setOpen` opens or breaks it. */
function fakeFeed(initiallyOpen = true) {
  const listeners = new Set<ChangeListener>();
  const counts = { subscribes: 0 };
  let open = initiallyOpen;
  const feed: ChangeFeed = {
    subscribe(listener) {
      counts.subscribes++;
      listeners.add(listener);
      listener.state(open);
      return () => void listeners.delete(listener);
    },
    close: async () => undefined,
  };
  return {
    feed,
    counts,
    listening: () => listeners.size,
    changed: (runId: string) => listeners.forEach((l) => l.changed(runId)),
    setOpen: (value: boolean) => {
      open = value;
      listeners.forEach((l) => l.state(value));
    },
  };
}

describe('log hub with a change feed', () => {
  it('a change drains the run at once: lines and the end arrive without any poll', async () => {
    const data = fakeRuns();
    const changes = fakeFeed();
    const hub = createLogHub({ runs: data.runs, logs: data.logs, pollMs: NEVER, feedPollMs: NEVER, changes: changes.feed });
    data.write('r1', 'one');
    const abort = new AbortController();
    const a = collectFollow(hub.follow('r1', {}, abort.signal));
    const b = collectFollow(hub.follow('r1', {}, abort.signal));
    await waitFor('the lines written before following', () => a.got.texts.length === 1 && b.got.texts.length === 1, { timeoutMs: 5000 });
    data.write('r1', 'two');
    changes.changed('r1');
    await waitFor('a line told by the feed', () => a.got.texts.includes('two') && b.got.texts.includes('two'), { timeoutMs: 5000 });
    data.write('r1', 'three');
    data.finish('r1');
    changes.changed('r1');
    await Promise.all([a.done, b.done]);
    assert.deepEqual(a.got.texts, ['one', 'two', 'three']);
    assert.deepEqual(b.got.end, { status: 'success', message: undefined });
    assert.equal(changes.counts.subscribes, 1, 'the hub listens once, not once per tail or client');
    assert.equal(changes.listening(), 0, 'and stops listening when no tail polls');
    hub.close();
  });

  it('a change of another run costs no read of this one', async () => {
    const data = fakeRuns();
    const changes = fakeFeed();
    const hub = createLogHub({ runs: data.runs, logs: data.logs, pollMs: NEVER, feedPollMs: NEVER, changes: changes.feed });
    const abort = new AbortController();
    const a = collectFollow(hub.follow('r1', {}, abort.signal));
    await waitFor('the first drain', () => data.state.reads === 2, { timeoutMs: 5000 });
    changes.changed('r2');
    changes.changed('unknown');
    data.write('r1', 'mine');
    changes.changed('r1');
    await waitFor('the line of r1', () => a.got.texts.includes('mine'), { timeoutMs: 5000 });
    assert.equal(data.state.reads, 4, 'one drain (run + log) for the change of r1, none for the others');
    abort.abort();
    await a.done;
    hub.close();
  });

  it('polls at pollMs while the feed is broken, and drains once when it opens again', async () => {
    const data = fakeRuns();
    const changes = fakeFeed();
    const hub = createLogHub({ runs: data.runs, logs: data.logs, pollMs: 10, feedPollMs: NEVER, changes: changes.feed });
    const abort = new AbortController();
    const a = collectFollow(hub.follow('r1', {}, abort.signal));
    await waitFor('the first drain', () => data.state.reads >= 2, { timeoutMs: 5000 });
    changes.setOpen(false);
    // not told by the feed: only the fallback poll can deliver it
    data.write('r1', 'polled');
    await waitFor('a line found by polling', () => a.got.texts.includes('polled'), { timeoutMs: 5000 });
    hub.close();
    abort.abort();
    await a.done;

    // a feed that is closed from the start and then opens: the opening drains what was missed
    const quiet = fakeRuns();
    const late = fakeFeed(false);
    const hub2 = createLogHub({ runs: quiet.runs, logs: quiet.logs, pollMs: NEVER, feedPollMs: NEVER, changes: late.feed });
    const abort2 = new AbortController();
    const b = collectFollow(hub2.follow('r1', {}, abort2.signal));
    await waitFor('the first drain', () => quiet.state.reads === 2, { timeoutMs: 5000 });
    quiet.write('r1', 'missed by the feed');
    late.setOpen(true);
    await waitFor('the drain when the feed opened', () => b.got.texts.includes('missed by the feed'), { timeoutMs: 5000 });
    abort2.abort();
    await b.done;
    hub2.close();
  });

  it('without a feed, tails poll every pollMs as before', async () => {
    const data = fakeRuns();
    const hub = createLogHub({ runs: data.runs, logs: data.logs, pollMs: 10, feedPollMs: NEVER });
    const abort = new AbortController();
    const a = collectFollow(hub.follow('r1', {}, abort.signal));
    data.write('r1', 'polled');
    data.finish('r1');
    await a.done;
    assert.deepEqual(a.got.texts, ['polled']);
    assert.equal(a.got.end?.status, 'success');
    hub.close();
  });
});
