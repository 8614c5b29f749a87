import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LogStore, RunStore } from '../../src/store/store.ts';
import { startHarness, TOKEN, type Harness } from '../support/api-harness.ts';
import { waitFor } from '../support/wait.ts';

/** Counts the database reads a live log costs: RunStore.get and LogStore.read calls. */
function counting(runs: RunStore, logs: LogStore) {
  const count = { reads: 0 };
  const countedRuns = new Proxy(runs, {
    get(target, key) {
      if (key === 'get') return (id: string) => (count.reads++, target.get(id));
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const countedLogs: LogStore = { append: (lines) => logs.append(lines), read: (id, q) => (count.reads++, logs.read(id, q)) };
  return { count, runs: countedRuns, logs: countedLogs };
}

interface Follower {
  text: () => string;
  close(): void;
}

async function follow(url: string, headers: Record<string, string>): Promise<Follower> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  assert.equal(res.status, 200);
  let text = '';
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const chunk = await reader?.read().catch(() => undefined);
      if (!chunk || chunk.done) return;
      text += decoder.decode(chunk.value, { stream: true });
    }
  })();
  return { text: () => text, close: () => abort.abort() };
}

/**
 * Live logs scale with runs, not viewers: 50 clients following one run (API streams and page streams)
 * cost at most twice the database reads per second of one client.
 */
describe('live log fan-out', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('50 followers cost at most 2× the database reads of one', async () => {
    const counted = counting(h.stores.runs, h.stores.logs);
    const app = await h.startApp({ runs: counted.runs, logs: counted.logs, followPollMs: 50 });
    const created = await h.request('POST', '/api/runs', { yaml: 'name: Chatty\nimage: alpine\nrun: echo hi\n', baseUrl: app.url });
    const runId: string = created.body.id;
    await h.stores.runs.apply({ type: 'run', runId, status: 'running', at: new Date() });
    let seq = 0;
    const write = (text: string) => h.stores.logs.append([{ type: 'log', runId, group: 'main', step: 0, attempt: 1, seq: seq++, stream: 'stdout', line: text, at: new Date() }]);
    await write('first');
    const login = await fetch(`${app.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${TOKEN}` });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

    const measure = async (clients: number): Promise<number> => {
      const followers: Follower[] = [];
      for (let i = 0; i < clients; i++) {
        followers.push(
          i % 2 === 0
            ? await follow(`${app.url}/api/runs/${runId}/logs?follow=1`, { authorization: `Bearer ${TOKEN}` })
            : await follow(`${app.url}/ui/runs/${runId}/events`, { cookie }),
        );
      }
      await waitFor('every follower to get the first line', () => followers.every((f) => f.text().includes('first')), { timeoutMs: 20_000 });
      counted.count.reads = 0;
      const started = Date.now();
      const lines = 20;
      for (let n = 0; n < lines; n++) {
        const marker = `clients ${clients} line ${n}`;
        await write(marker);
        await waitFor(`every follower to get "${marker}"`, () => followers.every((f) => f.text().includes(marker)), { timeoutMs: 20_000, intervalMs: 5 });
      }
      const perSecond = counted.count.reads / ((Date.now() - started) / 1000);
      for (const f of followers) f.close();
      return perSecond;
    };
    const one = await measure(1);
    const fifty = await measure(50);
    console.log(`# database reads per second while following one run: 1 client ${one.toFixed(1)}, 50 clients ${fifty.toFixed(1)} (${(fifty / one).toFixed(2)}x)`);
    assert.ok(one > 0);
    assert.ok(fifty <= 2 * one, `50 followers cost ${fifty.toFixed(1)} reads/s, more than twice ${one.toFixed(1)}`);
    await app.close();
  });
});
