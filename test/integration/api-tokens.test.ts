import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { DockerExecutor } from '../../src/executor/docker/docker-executor.ts';
import { reapOrphans } from '../../src/executor/docker/reaper.ts';
import { runJob } from '../../src/executor/run-job.ts';
import { AgendaQueue } from '../../src/scheduler/agenda/agenda-queue.ts';
import type { RunRecord } from '../../src/store/store.ts';
import { silentLogger } from '../../src/worker/logger.ts';
import { Worker } from '../../src/worker/worker.ts';
import { startHarness, type Harness, type RequestOptions } from '../support/api-harness.ts';
import { BUSYBOX_IMAGE, ensureTestImage } from '../support/images.ts';
import { waitFor } from '../support/wait.ts';

/**
 * API tokens with roles over real HTTP, and repository-scoped secrets as access control: the runs
 * are executed by a real worker on Docker (network none), so "the step sees the value" is the
 * step's own `[ "$S" = value ]` succeeding.
 */
const GLOBAL_VALUE = 'gl0bal-value-of-S';
const REPO_VALUE = 'r3po-value-of-S-acme-api';
const expects = (value: string): string => `name: scoped\nimage: ${BUSYBOX_IMAGE}\nsecrets: [S]\nrun: '[ "$S" = ${value} ]'\n`;
const PLAIN = `name: plain\nimage: ${BUSYBOX_IMAGE}\nrun: 'true'\n`;
const ACTION = `name: Hello\nimage: ${BUSYBOX_IMAGE}\nrun: echo hello\n`;

let h: Harness;
let app: { url: string; close(): Promise<void> };
let worker: Worker;
const issued: Record<string, string> = {};
/** index in h.responses after the last answer that carried a new token */
let creationsEnd = 0;

before(async () => {
  h = await startHarness();
  const docker = new Docker();
  await ensureTestImage(docker, BUSYBOX_IMAGE);
  const queue = await AgendaQueue.open({ db: h.mongo.client.db(h.mongo.dbName), name: 'w-tokens', concurrency: 1, pollMs: 100, lockLifetimeMs: 4000, log: silentLogger });
  worker = new Worker({
    runs: h.stores.runs,
    logs: h.stores.logs,
    secrets: h.stores.secrets,
    queue,
    executor: new DockerExecutor({ docker, network: 'none', pullPolicy: 'never' }),
    runJob,
    reapRun: (runId) => reapOrphans(docker, async (id) => id !== runId).then(() => undefined),
    workerId: 'w-tokens',
    leaseMs: 5000,
    heartbeatMs: 300,
    concurrency: 1,
    defaultRetry: 0,
    logCapBytes: 1024 * 1024,
    groupConcurrency: 1,
    log: silentLogger,
  });
  await worker.start();
  app = await h.startApp({ queue });
  for (const [name, role, repos] of [['viewer', 'read', []], ['ci', 'submit', []], ['deployer', 'submit', ['acme/api']]] as const) {
    const res = await call('POST', '/api/tokens', undefined, { json: { name, role, repos } });
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.token, /^pst_[A-Za-z0-9_-]{43}$/);
    issued[name] = res.body.token;
  }
  creationsEnd = h.responses.length;
  assert.equal((await call('PUT', '/api/secrets/S', undefined, { json: { value: GLOBAL_VALUE } })).status, 204);
  assert.equal((await call('PUT', '/api/secrets/S?repo=acme/api', undefined, { json: { value: REPO_VALUE } })).status, 204);
});

after(async () => {
  await worker?.stop({ graceMs: 0 });
  await h?.close();
});

/** a request to the app whose runs the worker executes; `as` names an issued token (default: the admin token) */
function call(method: string, path: string, as?: string, options: RequestOptions = {}) {
  return h.request(method, path, { baseUrl: app.url, ...(as !== undefined && { token: issued[as] }), ...options });
}

async function runCount(): Promise<number> {
  return h.mongo.client.db(h.mongo.dbName).collection('runs').countDocuments({});
}

async function finished(id: string): Promise<RunRecord> {
  return waitFor(`run ${id} to finish`, async () => {
    const run = await h.stores.runs.get(id);
    return run !== null && !['queued', 'running'].includes(run.status) ? run : undefined;
  }, { timeoutMs: 60_000, intervalMs: 100 });
}

describe('roles', () => {
  test('whoami says what each token may do', async () => {
    const admin = await call('GET', '/api/whoami');
    assert.deepEqual({ ...admin.body, may: undefined }, { name: 'PISTAGES_API_TOKEN', role: 'admin', repos: [], allRepos: true, may: undefined });
    const deployer = await call('GET', '/api/whoami', 'deployer');
    assert.equal(deployer.status, 200);
    assert.deepEqual([deployer.body.name, deployer.body.role, deployer.body.repos, deployer.body.allRepos], ['deployer', 'submit', ['acme/api'], false]);
    assert.equal((await call('GET', '/api/whoami', 'viewer')).body.role, 'read');
  });

  test('a read token reads runs, actions and deliveries, but cannot submit or touch secrets', async () => {
    for (const path of ['/api/runs', '/api/actions', '/api/deliveries']) assert.equal((await call('GET', path, 'viewer')).status, 200, path);
    const before = await runCount();
    const submit = await call('POST', '/api/runs', 'viewer', { yaml: PLAIN });
    assert.equal(submit.status, 403);
    assert.equal(submit.body.error, 'forbidden');
    assert.match(submit.body.message, /may only read .*create a token with role submit: pistages tokens create NAME --role submit/);
    assert.equal(await runCount(), before);
    for (const [method, path, json] of [['GET', '/api/secrets'], ['PUT', '/api/secrets/S', { value: 'stolen-value' }], ['DELETE', '/api/secrets/S']] as const) {
      const res = await call(method, path, 'viewer', json === undefined ? {} : { json });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.match(res.body.message, /--role admin/);
    }
  });

  test('a submit token submits, reads, cancels and re-runs, but cannot register actions or manage secrets and tokens', async () => {
    const submitted = await call('POST', '/api/runs', 'ci', { yaml: PLAIN });
    assert.equal(submitted.status, 201, submitted.text);
    assert.equal((await finished(submitted.body.id)).status, 'success');
    assert.equal((await call('GET', `/api/runs/${submitted.body.id}`, 'ci')).status, 200);
    assert.equal((await call('GET', `/api/runs/${submitted.body.id}/logs`, 'ci')).status, 200);
    const cancel = await call('POST', `/api/runs/${submitted.body.id}/cancel`, 'ci');
    assert.equal(cancel.status, 409, 'allowed, and the run is over already');
    const rerun = await call('POST', `/api/runs/${submitted.body.id}/rerun`, 'ci');
    assert.equal(rerun.status, 201, rerun.text);
    await finished(rerun.body.id);
    const refused: [string, string, RequestOptions][] = [
      ['POST', '/api/actions', { yaml: ACTION }],
      ['DELETE', '/api/actions/Hello', {}],
      ['GET', '/api/secrets', {}],
      ['PUT', '/api/secrets/S', { json: { value: 'overwritten' } }],
      ['GET', '/api/tokens', {}],
      ['POST', '/api/tokens', { json: { name: 'escalated', role: 'admin', repos: [] } }],
      ['DELETE', '/api/tokens/viewer', {}],
    ];
    for (const [method, path, options] of refused) {
      const res = await call(method, path, 'ci', options);
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.match(res.body.message, /this needs role admin/);
    }
    const names = (await call('GET', '/api/tokens')).body.tokens.map((t: { name: string }) => t.name);
    assert.deepEqual(names, ['ci', 'deployer', 'viewer'], 'no token was created by the submit token');
  });

  test('tokens are listed without hashes and with who made them and when they were last used', async () => {
    const list = await call('GET', '/api/tokens');
    assert.equal(list.status, 200);
    for (const token of list.body.tokens) {
      assert.deepEqual(Object.keys(token).sort(), ['createdAt', 'createdBy', 'lastUsedAt', 'name', 'repos', 'role']);
      assert.equal(token.createdBy, 'PISTAGES_API_TOKEN');
    }
    assert.notEqual(list.body.tokens.find((t: { name: string }) => t.name === 'viewer').lastUsedAt, null);
    const taken = await call('POST', '/api/tokens', undefined, { json: { name: 'viewer', role: 'read' } });
    assert.equal(taken.status, 409);
    const bad = await call('POST', '/api/tokens', undefined, { json: { name: 'x', role: 'owner', repos: ['noslash'] } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /'role' must be one of read, submit, admin; 'repos' must be a list/);
  });
});

describe('repository-scoped secrets', () => {
  test('an API run claiming a repository its token is not granted is refused, and nothing is stored', async () => {
    const before = await runCount();
    const res = await call('POST', '/api/runs?repo=acme/api', 'ci', { yaml: expects(REPO_VALUE) });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.error, 'forbidden');
    assert.match(res.body.message, /secret S .*acme\/api.*pistages tokens create NAME --role submit --repo acme\/api/);
    assert.deepEqual(res.body.details, { repo: 'acme/api', secrets: ['S'] });
    assert.ok(!res.text.includes(REPO_VALUE) && !res.text.includes(GLOBAL_VALUE));
    assert.equal(await runCount(), before, 'nothing stored');
  });

  test('a token granted the repository gets its value; the same token elsewhere gets the global one', async () => {
    const granted = await call('POST', '/api/runs?repo=acme/api', 'deployer', { yaml: expects(REPO_VALUE) });
    assert.equal(granted.status, 201, granted.text);
    const run = await finished(granted.body.id);
    assert.equal(run.status, 'success', run.message);
    assert.equal(run.secretScope, 'repo');
    const elsewhere = await call('POST', '/api/runs?repo=acme/web', 'ci', { yaml: expects(GLOBAL_VALUE) });
    assert.equal(elsewhere.status, 201, 'no scoped value for acme/web: the run goes on with global secrets');
    assert.equal((await finished(elsewhere.body.id)).status, 'success');
    const admin = await call('POST', '/api/runs?repo=acme/api', undefined, { yaml: expects(REPO_VALUE) });
    assert.equal((await finished(admin.body.id)).status, 'success', 'the admin token is granted every repository');
  });

  test('a re-run applies the rule with the re-running token', async () => {
    const granted = await call('POST', '/api/runs?repo=acme/api', 'deployer', { yaml: expects(REPO_VALUE) });
    await finished(granted.body.id);
    const before = await runCount();
    const refused = await call('POST', `/api/runs/${granted.body.id}/rerun`, 'ci');
    assert.equal(refused.status, 403, refused.text);
    assert.equal(await runCount(), before);
    const again = await call('POST', `/api/runs/${granted.body.id}/rerun`, 'deployer');
    assert.equal((await finished(again.body.id)).status, 'success');
  });
});

describe('revocation and secrecy', () => {
  test('a revoked token gets 401 at once', async () => {
    assert.equal((await call('GET', '/api/runs', 'viewer')).status, 200);
    assert.equal((await call('DELETE', '/api/tokens/viewer')).status, 204);
    const res = await call('GET', '/api/runs', 'viewer');
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'unauthorized');
    assert.equal((await call('DELETE', '/api/tokens/viewer')).status, 404);
  });

  test('no token appears in any answer after its creation, nor in the server log', () => {
    assert.ok(creationsEnd > 0 && h.responses.length > creationsEnd);
    const later = h.responses.slice(creationsEnd).join('\n');
    const log = h.logLines.join('');
    assert.match(log, /api token created/);
    for (const [name, token] of Object.entries(issued)) {
      assert.ok(!later.includes(token) && !later.includes(token.slice(4)), `token ${name} in an answer`);
      assert.ok(!log.includes(token) && !log.includes(token.slice(4)), `token ${name} in the log`);
    }
  });
});
