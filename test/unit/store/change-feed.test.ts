import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Document } from 'mongodb';
import { MongoChangeFeed, type ChangeStreamLike } from '../../../src/store/mongo/change-feed.ts';
import type { StoreLog } from '../../../src/store/mongo/store-log.ts';
import type { ChangeListener } from '../../../src/store/store.ts';
import { waitFor } from '../../support/wait.ts';

/**
 * Streams as the driver's ChangeStream behaves: tryNext answers the next queued change, or null
 * after a short empty wait (the server's maxAwaitTimeMS), or throws a queued error; close ends it.
 */
class ScriptedStream implements ChangeStreamLike {
  readonly queue: (Document | Error)[] = [];
  closed = false;
  #wake: (() => void) | undefined;

  push(item: Document | Error): void {
    this.queue.push(item);
    this.#wake?.();
  }

  async tryNext(): Promise<Document | null> {
    if (this.closed) throw new Error('ChangeStream is closed');
    if (this.queue.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5);
        this.#wake = () => (clearTimeout(timer), resolve());
      });
      this.#wake = undefined;
    }
    const item = this.queue.shift();
    if (item instanceof Error) throw item;
    return item ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.#wake?.();
  }
}

function setup(options: { failOpening?: number; idleMs?: number } = {}) {
  const streams: ScriptedStream[] = [];
  const logged: { level: string; message: string }[] = [];
  const log: StoreLog = (level, message) => void logged.push({ level, message });
  let failures = options.failOpening ?? 0;
  const feed = new MongoChangeFeed(() => {
    const stream = new ScriptedStream();
    if (failures > 0) {
      failures--;
      stream.push(new Error('not primary'));
    }
    streams.push(stream);
    return stream;
  }, { log, retryMs: 5, maxRetryMs: 20, idleMs: options.idleMs ?? 60_000 });
  return { feed, streams, logged, current: () => streams.at(-1) };
}

function recorder() {
  const seen = { changed: [] as string[], states: [] as boolean[] };
  const listener: ChangeListener = { changed: (id) => void seen.changed.push(id), state: (open) => void seen.states.push(open) };
  return { seen, listener };
}

const logInsert = (runId: unknown) => ({ _id: { _data: 'x' }, operationType: 'insert', ns: { coll: 'logs' }, documentKey: { _id: 'chunk' }, fullDocument: { runId } });
const runUpdate = (id: unknown) => ({ _id: { _data: 'y' }, operationType: 'update', ns: { coll: 'runs' }, documentKey: { _id: id } });

describe('MongoDB change feed (scripted streams)', () => {
  it('opens with the first listener, says so once the stream answers, and tells which run changed', async () => {
    const { feed, streams } = setup();
    assert.equal(streams.length, 0, 'no stream before anyone listens');
    const a = recorder();
    const b = recorder();
    feed.subscribe(a.listener);
    feed.subscribe(b.listener);
    assert.deepEqual(a.seen.states, [false], 'told the current state at subscribe');
    await waitFor('the feed to open', () => a.seen.states.at(-1) === true && b.seen.states.at(-1) === true, { timeoutMs: 5000 });
    assert.equal(streams.length, 1, 'one stream for every listener');
    const stream = streams[0]!;
    stream.push(logInsert('run-1'));
    stream.push(runUpdate('run-2'));
    stream.push(logInsert(42)); // not a run id: ignored
    stream.push(runUpdate('run-3'));
    await waitFor('the changes', () => b.seen.changed.length === 3, { timeoutMs: 5000 });
    assert.deepEqual(a.seen.changed, ['run-1', 'run-2', 'run-3']);
    await feed.close();
    assert.ok(stream.closed);
    assert.equal(a.seen.states.at(-1), false);
  });

  it('a broken stream: listeners are told, it is logged once, and reopened with backoff', async () => {
    const { feed, streams, logged } = setup({ failOpening: 3 });
    const a = recorder();
    feed.subscribe(a.listener);
    await waitFor('the feed to open after three failed attempts', () => a.seen.states.at(-1) === true, { timeoutMs: 5000 });
    assert.equal(streams.length, 4);
    assert.ok(streams.slice(0, 3).every((s) => s.closed), 'each broken stream was closed');
    assert.deepEqual(logged.map((l) => l.level), ['warn', 'info'], `one warning for the streak, one note of the recovery: ${JSON.stringify(logged)}`);
    assert.match(logged[0]!.message, /poll the database/);
    // breaking after it was open: listeners go back to polling, then it reopens
    streams[3]!.push(new Error('connection reset'));
    await waitFor('the feed to report the break and reopen', () => a.seen.states.join() === 'false,true,false,true', { timeoutMs: 5000 });
    streams[4]!.push(runUpdate('after-reopen'));
    await waitFor('a change on the new stream', () => a.seen.changed.includes('after-reopen'), { timeoutMs: 5000 });
    await feed.close();
  });

  it('closes the stream some time after the last listener left; a new listener opens a new one', async () => {
    const { feed, streams } = setup({ idleMs: 10 });
    const a = recorder();
    const stop = feed.subscribe(a.listener);
    await waitFor('the feed to open', () => a.seen.states.at(-1) === true, { timeoutMs: 5000 });
    stop();
    await waitFor('the idle stream to close', () => streams[0]!.closed, { timeoutMs: 5000 });
    const b = recorder();
    feed.subscribe(b.listener);
    await waitFor('a new stream to open', () => streams.length === 2 && b.seen.states.at(-1) === true, { timeoutMs: 5000 });
    await feed.close();
    const late = recorder();
    feed.subscribe(late.listener);
    assert.deepEqual(late.seen.states, [false], 'a closed feed says it is not open');
    assert.equal(streams.length, 2);
  });

  it('a listener that throws does not keep the others from hearing', async () => {
    const { feed, current } = setup();
    const good = recorder();
    feed.subscribe({ changed: () => { throw new Error('boom'); }, state: () => undefined });
    feed.subscribe(good.listener);
    await waitFor('the feed to open', () => good.seen.states.at(-1) === true, { timeoutMs: 5000 });
    current()!.push(runUpdate('r'));
    await waitFor('the change', () => good.seen.changed.includes('r'), { timeoutMs: 5000 });
    await feed.close();
  });
});
