import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, TOKEN, type Harness } from '../support/api-harness.ts';
import { countingStores, followReadsPerSecond, loginCookie } from './web-followers.ts';

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
    const counted = countingStores(h.stores.runs, h.stores.logs);
    const app = await h.startApp({ runs: counted.runs, logs: counted.logs, followPollMs: 50 });
    try {
      const created = await h.request('POST', '/api/runs', { yaml: 'name: Chatty\nimage: alpine\nrun: echo hi\n', baseUrl: app.url });
      const runId: string = created.body.id;
      await h.stores.runs.apply({ type: 'run', runId, status: 'running', at: new Date() });
      let seq = 0;
      const write = (text: string) => h.stores.logs.append([{ type: 'log', runId, group: 'main', step: 0, attempt: 1, seq: seq++, stream: 'stdout', line: text, at: new Date() }]);
      await write('first');
      const setup = { url: app.url, runId, token: TOKEN, cookie: await loginCookie(app.url, TOKEN), count: counted.count, write };
      const one = await followReadsPerSecond(setup, 1);
      const fifty = await followReadsPerSecond(setup, 50);
      console.log(`# database reads per second while following one run: 1 client ${one.toFixed(1)}, 50 clients ${fifty.toFixed(1)} (${(fifty / one).toFixed(2)}x)`);
      assert.ok(one > 0);
      assert.ok(fifty <= 2 * one, `50 followers cost ${fifty.toFixed(1)} reads/s, more than twice ${one.toFixed(1)}`);
    } finally {
      await app.close();
    }
  });
});
