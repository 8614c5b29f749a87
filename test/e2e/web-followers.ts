import assert from 'node:assert/strict';
import type { LogStore, RunStore } from '../../src/store/store.ts';
import { waitFor } from '../support/wait.ts';

/** Stores that count the database reads a live log costs: RunStore.get and LogStore.read calls. */
export function countingStores(runs: RunStore, logs: LogStore): { count: { reads: number }; runs: RunStore; logs: LogStore } {
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

export interface Follower {
  text: () => string;
  close(): void;
}

/** an SSE client keeping everything it received */
export async function follow(url: string, headers: Record<string, string>): Promise<Follower> {
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

export interface FanoutSetup {
  url: string;
  runId: string;
  /** half the followers use the API stream with this token, half the page stream with this cookie */
  token: string;
  cookie: string;
  count: { reads: number };
  write(line: string): Promise<void>;
}

/**
 * Database reads per second while `clients` follow one running run and `lines` lines are written,
 * each written only once every follower got the previous one. The run's log must hold "first".
 */
export async function followReadsPerSecond(setup: FanoutSetup, clients: number, lines = 20): Promise<number> {
  const followers: Follower[] = [];
  for (let i = 0; i < clients; i++) {
    followers.push(
      i % 2 === 0
        ? await follow(`${setup.url}/api/runs/${setup.runId}/logs?follow=1`, { authorization: `Bearer ${setup.token}` })
        : await follow(`${setup.url}/ui/runs/${setup.runId}/events`, { cookie: setup.cookie }),
    );
  }
  try {
    await waitFor('every follower to get the first line', () => followers.every((f) => f.text().includes('first')), { timeoutMs: 20_000 });
    setup.count.reads = 0;
    const started = Date.now();
    for (let n = 0; n < lines; n++) {
      const marker = `clients ${clients} line ${n}`;
      await setup.write(marker);
      await waitFor(`every follower to get "${marker}"`, () => followers.every((f) => f.text().includes(marker)), { timeoutMs: 20_000, intervalMs: 5 });
    }
    return setup.count.reads / ((Date.now() - started) / 1000);
  } finally {
    for (const f of followers) f.close();
  }
}

/** a session cookie from the login form */
export async function loginCookie(url: string, token: string): Promise<string> {
  const login = await fetch(`${url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
  return (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}
