import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { MongoClient } from 'mongodb';
import { meteredDeliveryLog, meteredFetch } from '../../src/ops/metered-github.ts';
import { meteredRunStore } from '../../src/ops/metered-run-store.ts';
import { createOpsMetrics } from '../../src/ops/ops-metrics.ts';
import { startHarness, type Harness } from '../support/api-harness.ts';
import { startTestMongo } from '../support/mongo.ts';

/** The server's /healthz, /readyz and /metrics over HTTP, with the process registry main.ts builds. */
describe('server: health, readiness and metrics', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('/readyz names the dependency that failed, and fails when the database is stopped', async () => {
    const own = await startTestMongo();
    const client = new MongoClient(own.uri, { serverSelectionTimeoutMS: 500 });
    await client.connect();
    const deadDocker = new Docker({ socketPath: '/nonexistent/docker.sock' });
    const app = await h.startApp({ readiness: { mongodb: () => client.db('admin').command({ ping: 1 }), docker: () => new Docker().ping() } });
    const broken = await h.startApp({ readiness: { mongodb: () => client.db('admin').command({ ping: 1 }), docker: () => deadDocker.ping() } });
    try {
      assert.equal((await fetch(`${app.url}/readyz`)).status, 200);
      const noDocker = await fetch(`${broken.url}/readyz`);
      assert.equal(noDocker.status, 503);
      const body = (await noDocker.json()) as { error: string; message: string; details: { checks: Record<string, string> } };
      assert.equal(body.error, 'not_ready');
      assert.equal(body.details.checks.mongodb, 'ok');
      assert.match(body.details.checks.docker ?? '', /Docker engine/);
      assert.match(body.message, /^not ready: docker: /);

      await own.close(); // stops the database server
      const down = await fetch(`${app.url}/readyz`);
      assert.equal(down.status, 503);
      const downBody = (await down.json()) as { message: string; details: { checks: Record<string, string> } };
      assert.notEqual(downBody.details.checks.mongodb, 'ok');
      assert.equal(downBody.details.checks.docker, 'ok');
      assert.match(downBody.message, /mongodb: .*MONGODB_URI/);
      assert.deepEqual(await (await fetch(`${app.url}/healthz`)).json(), { status: 'ok' }, 'alive while not ready');
    } finally {
      await app.close();
      await broken.close();
      await client.close();
    }
  });

  it('/metrics exports the run, queue, GitHub and webhook metrics on the process registry', async () => {
    const metrics = createOpsMetrics({ counts: { queued: async () => 3, running: async () => 1 } });
    const runs = meteredRunStore(h.stores.runs, metrics);
    const created = await h.request('POST', '/api/runs', { yaml: 'name: Timed\nimage: alpine\nrun: echo hi\n' });
    const runId: string = created.body.id;
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));
    await runs.apply({ type: 'run', runId, status: 'running', at: at(0) });
    await runs.apply({ type: 'step', runId, group: 'main', step: 0, stepName: 'echo hi', attempt: 1, status: 'running', at: at(0) });
    await runs.apply({ type: 'step', runId, group: 'main', step: 0, stepName: 'echo hi', attempt: 1, status: 'success', at: at(2500) });
    await runs.apply({ type: 'run', runId, status: 'success', at: at(2600) });

    const github: Server = createServer((req, res) => {
      res.writeHead(req.url === '/limited' ? 403 : 200, { 'x-ratelimit-remaining': req.url === '/limited' ? '0' : '4999', 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
    const counted = meteredFetch(fetch, metrics);
    await (await counted(`${base}/limited`)).text();
    await (await counted(`${base}/ok`)).text();
    github.close();

    const deliveries = meteredDeliveryLog(h.stores.deliveryLog, metrics);
    const delivery = { id: 'ops-test-1', event: 'push', receivedAt: new Date() };
    assert.equal(await deliveries.record(delivery, '{}'), true);
    assert.equal(await deliveries.record(delivery, '{}'), false);
    await deliveries.finish('ops-test-1', 'ignored', 'no job files', new Date());

    const app = await h.startApp({ registry: metrics.registry });
    try {
      await fetch(`${app.url}/healthz`);
      const res = await fetch(`${app.url}/metrics`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await res.text();
      for (const line of [
        'pistages_runs_total{status="success"} 1',
        'pistages_step_duration_seconds_count{status="success"} 1',
        'pistages_step_duration_seconds_sum{status="success"} 2.5',
        'pistages_queue_depth 3',
        'pistages_runs_running 1',
        'pistages_github_requests_total{status="403"} 1',
        'pistages_github_requests_total{status="200"} 1',
        'pistages_github_rate_limit_remaining 4999',
        'pistages_webhook_deliveries_total{event="push",result="duplicate"} 1',
        'pistages_webhook_deliveries_total{event="push",result="ignored"} 1',
        'pistages_http_requests_total{method="GET",route="/healthz",status="200"} 1',
      ]) {
        assert.ok(text.split('\n').includes(line), `missing: ${line}`);
      }
      assert.match(text, /^process_resident_memory_bytes /m);
    } finally {
      await app.close();
    }
  });
});
