import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readSse, type SseEvent } from '../../src/client/sse.ts';
import type { LogLineEvent } from '../../src/executor/events.ts';
import { SECRET_KEY, TOKEN, startHarness, type Harness } from '../support/api-harness.ts';

const HELLO = 'name: Hello\nimage: alpine:3.20\nrun: echo hello {{ .who }}\nwith:\n  who: world\n';
const CLONE = 'name: Clone Repo, Pistages if omitted\ndescription: clones a repository\nimage: alpine/git\nrun: git clone {{ .repo }} .\nwith:\n  repo: https://github.com/projecteru2/pistages.git\n';
const USES_CLONE = 'name: Build\nuses:\n  main:\n    - dep: Clone Repo, Pistages if omitted\n    - run: make\n  lint:\n    - image: node:20\n      run: npm run lint\n';
const SECRET_VALUE = 'hunter2-very-secret-value';
const USES_SECRET = 'name: Deploy\nimage: alpine\nsecrets: [DEPLOY_KEY]\nrun: ./deploy\n';

let h: Harness;

before(async () => {
  h = await startHarness();
});

after(async () => {
  await h?.close();
});

async function runCount(): Promise<number> {
  return (await h.stores.runs.list({}, { limit: 100 })).runs.length;
}

async function submit(yaml: string, query = ''): Promise<string> {
  const res = await h.request('POST', `/api/runs${query}`, { yaml });
  assert.equal(res.status, 201, res.text);
  return res.body.id as string;
}

function logLine(runId: string, group: string, step: number, seq: number, line: string, attempt = 1): LogLineEvent {
  return { type: 'log', runId, group, step, attempt, seq, stream: 'stdout', line, at: new Date() };
}

describe('health and metrics', () => {
  test('GET /healthz and /readyz answer without a token', async () => {
    const live = await h.request('GET', '/healthz', { token: null });
    assert.equal(live.status, 200);
    assert.deepEqual(live.body, { status: 'ok' });
    const ready = await h.request('GET', '/readyz', { token: null });
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready' });
  });

  test('/readyz is 503 when the database does not answer', async () => {
    const other = await h.startApp({ ping: () => Promise.reject(new Error('connection refused')) });
    try {
      const res = await h.request('GET', '/readyz', { baseUrl: other.url });
      assert.equal(res.status, 503);
      assert.equal(res.body.error, 'not_ready');
    } finally {
      await other.close();
    }
  });

  test('GET /metrics counts requests by route pattern and submitted runs', async () => {
    await submit(HELLO);
    const res = await h.request('GET', '/metrics', { token: null });
    assert.equal(res.status, 200);
    assert.match(res.text, /pistages_runs_submitted_total\{source="api"\} [1-9]/);
    assert.match(res.text, /pistages_http_requests_total\{method="POST",route="\/api\/runs",status="201"\} [1-9]/);
    assert.match(res.text, /pistages_http_request_duration_seconds_bucket/);
  });
});

describe('authentication and errors', () => {
  test('every /api route needs the bearer token', async () => {
    for (const token of [null, 'wrong-token-wrong-token', `${TOKEN}x`]) {
      const res = await h.request('GET', '/api/runs', { token });
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'unauthorized');
      assert.match(res.body.message, /^send Authorization: Bearer <token>: the server's PISTAGES_API_TOKEN, or a token made with `pistages tokens create`/);
    }
    const raw = await h.request('GET', '/api/actions', { token: null, headers: { authorization: TOKEN } });
    assert.equal(raw.status, 401, 'the token without the Bearer scheme is refused');
  });

  test('unknown routes answer 404 JSON, with a request id header', async () => {
    for (const path of ['/nowhere', '/api/nowhere']) {
      const res = await h.request('GET', path);
      assert.equal(res.status, 404);
      assert.equal(res.body.error, 'not_found');
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    }
    const echoed = await h.request('GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(echoed.headers.get('x-request-id'), 'abc-123');
  });

  test('malformed JSON is a 400 JSON error that does not echo the body', async () => {
    const res = await h.request('PUT', '/api/secrets/X_TOKEN', { raw: { type: 'application/json', body: `{"value": "${SECRET_VALUE}` } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'malformed_json');
    assert.ok(!res.text.includes(SECRET_VALUE));
  });

  test('a body over the limit is 413 with a clear message, and nothing is stored', async () => {
    const before = await runCount();
    const big = `name: Big\nimage: alpine\nrun: echo ${'x'.repeat(70 * 1024)}\n`;
    const yaml = await h.request('POST', '/api/runs', { yaml: big });
    assert.equal(yaml.status, 413);
    assert.equal(yaml.body.error, 'payload_too_large');
    assert.match(yaml.body.message, /PISTAGES_BODY_LIMIT/);
    const json = await h.request('POST', '/api/runs', { json: { yaml: big } });
    assert.equal(json.status, 413);
    assert.equal(await runCount(), before);
  });

  test('a wrong content type is 415 and says what to send', async () => {
    const res = await h.request('POST', '/api/actions', { raw: { type: 'text/plain', body: HELLO } });
    assert.equal(res.status, 415);
    assert.equal(res.body.error, 'unsupported_media_type');
    assert.match(res.body.message, /application\/yaml/);
    const runs = await h.request('POST', '/api/runs', { raw: { type: 'application/x-www-form-urlencoded', body: 'a=b' } });
    assert.equal(runs.status, 415);
    const none = await h.request('PUT', '/api/secrets/A_B', { yaml: 'value: x' });
    assert.equal(none.status, 415);
  });
});

describe('actions', () => {
  const path = `/api/actions/${encodeURIComponent('Clone Repo, Pistages if omitted')}`;

  test('register, list, show, conflict, replace, delete', async () => {
    const created = await h.request('POST', '/api/actions', { yaml: CLONE });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body, { name: 'Clone Repo, Pistages if omitted', version: 1 });
    assert.equal(created.headers.get('location'), path);

    const again = await h.request('POST', '/api/actions', { yaml: CLONE });
    assert.equal(again.status, 409);
    assert.match(again.body.message, /replace=true/);

    const replaced = await h.request('POST', '/api/actions?replace=true', { yaml: CLONE.replace('clones a', 'clones one') });
    assert.equal(replaced.status, 201);
    assert.equal(replaced.body.version, 2);

    const list = await h.request('GET', '/api/actions');
    assert.equal(list.status, 200);
    const entry = list.body.actions.find((a: { name: string }) => a.name === 'Clone Repo, Pistages if omitted');
    assert.equal(entry.description, 'clones one repository');
    assert.equal(entry.version, 2);
    assert.deepEqual(entry.params, { repo: 'https://github.com/projecteru2/pistages.git' });

    const shown = await h.request('GET', path);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.yaml, CLONE.replace('clones a', 'clones one'));

    const tmp = await h.request('POST', '/api/actions', { yaml: 'name: Temp Thing\nimage: alpine\nrun: "true"\n' });
    assert.equal(tmp.status, 201);
    const removed = await h.request('DELETE', `/api/actions/${encodeURIComponent('Temp Thing')}`);
    assert.equal(removed.status, 204);
    assert.equal(removed.text, '');
    assert.equal((await h.request('GET', `/api/actions/${encodeURIComponent('Temp Thing')}`)).status, 404);
    assert.equal((await h.request('DELETE', `/api/actions/${encodeURIComponent('Temp Thing')}`)).status, 404);
  });

  test('an invalid action file is 422 with positions and is not stored', async () => {
    const res = await h.request('POST', '/api/actions', { yaml: 'name: Broken\n  image: alpine\nrun: x\n', headers: {} });
    assert.equal(res.status, 422);
    assert.equal(res.body.error, 'invalid_job');
    const [issue] = res.body.details.issues;
    assert.deepEqual(Object.keys(issue).sort(), ['col', 'file', 'line', 'message']);
    assert.equal(issue.line, 2);
    assert.match(res.body.message, /action\.yaml:2:\d+: /);
    assert.equal((await h.request('GET', `/api/actions/Broken`)).status, 404);
  });

  test('bad query values are 400', async () => {
    const res = await h.request('POST', '/api/actions?replace=maybe', { yaml: CLONE });
    assert.equal(res.status, 400);
    assert.match(res.body.message, /replace/);
  });
});

describe('runs', () => {
  test('POST a YAML job with ?with.KEY=VALUE: stored, queued, 201 with Location', async () => {
    const res = await h.request('POST', '/api/runs?with.who=pistages&file=hello.yaml', { yaml: HELLO });
    assert.equal(res.status, 201, res.text);
    const id = res.body.id as string;
    assert.equal(res.headers.get('location'), `/api/runs/${id}`);
    assert.equal(h.queue.ids.at(-1), id);
    const run = await h.request('GET', `/api/runs/${id}`);
    assert.equal(run.status, 200);
    assert.equal(run.body.id, id);
    assert.equal(run.body.job, 'Hello');
    assert.equal(run.body.status, 'queued');
    assert.equal(run.body.source, 'api');
    assert.equal(run.body.file, 'hello.yaml');
    assert.deepEqual(run.body.params, { who: 'pistages' });
    assert.match(run.body.createdAt, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(run.body.finishedAt, null);
    assert.deepEqual(run.body.groups.map((g: { name: string; status: string }) => [g.name, g.status]), [['main', 'queued']]);
    assert.equal(run.body.groups[0].steps.length, 1);
  });

  test('POST JSON {yaml, with, file, repo} using a registered action', async () => {
    await h.request('POST', '/api/actions?replace=true', { yaml: CLONE });
    const res = await h.request('POST', '/api/runs', { json: { yaml: USES_CLONE, file: 'build.yaml', repo: 'acme/api', branch: 'main' } });
    assert.equal(res.status, 201, res.text);
    const run = await h.request('GET', `/api/runs/${res.body.id}`);
    assert.equal(run.body.repo, 'acme/api');
    assert.equal(run.body.branch, 'main');
    assert.deepEqual(run.body.groups.map((g: { name: string }) => g.name), ['main', 'lint']);
  });

  test('invalid jobs are 422 with file:line:col, and nothing is stored or queued', async () => {
    const runs = await runCount();
    const queued = h.queue.ids.length;
    const cases: [string, string, RegExp][] = [
      ['malformed YAML', 'name: Broken\n  image: alpine\nrun: x\n', /^job\.yaml:2:\d+: /],
      ['unknown key', 'name: X\nimage: alpine\nrun: x\nretyr: 2\n', /retry/],
      ['unknown action', 'name: X\nuses:\n  main:\n    - dep: Clone Rep\n', /Clone Repo/],
      ['undeclared parameter', HELLO, /rpo/],
    ];
    for (const [what, yaml, pattern] of cases) {
      const res = await h.request('POST', what === 'undeclared parameter' ? '/api/runs?with.rpo=x' : '/api/runs', { yaml });
      assert.equal(res.status, 422, `${what}: ${res.text}`);
      assert.equal(res.body.error, 'invalid_job');
      const issues = res.body.details.issues as { file: string; line: number; col: number; message: string }[];
      assert.ok(issues.length > 0, what);
      for (const issue of issues) {
        assert.equal(typeof issue.line, 'number');
        assert.equal(typeof issue.col, 'number');
      }
      assert.match(`${issues[0]?.file}:${issues[0]?.line}:${issues[0]?.col}: ${issues.map((i) => i.message).join(' ')}`, pattern, what);
    }
    assert.equal(await runCount(), runs);
    assert.equal(h.queue.ids.length, queued);
  });

  test('wrong JSON types are 400 naming the fields, and nothing is stored', async () => {
    const runs = await runCount();
    for (const body of [{ yaml: 42 }, { yaml: HELLO, with: ['who'] }, { yaml: HELLO, with: { who: { a: 1 } } }, { yaml: HELLO, extra: 1 }, ['yaml'], { yaml: HELLO, repo: 'not a repo' }]) {
      const res = await h.request('POST', '/api/runs', { json: body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error, 'invalid_request');
    }
    assert.equal(await runCount(), runs);
  });

  test('when queueing fails the run is stored as error (never left queued) and the answer is 503', async () => {
    h.queue.failNext = true;
    const res = await h.request('POST', '/api/runs', { yaml: HELLO });
    assert.equal(res.status, 503);
    assert.equal(res.body.error, 'queue_unavailable');
    const run = await h.stores.runs.get(res.body.details.id);
    assert.equal(run?.status, 'error');
    assert.match(run?.message ?? '', /queue is down/);
  });

  test('GET /api/runs filters and pages', async () => {
    const ids = [await submit('name: Pager\nimage: alpine\nrun: "true"\n'), await submit('name: Pager\nimage: alpine\nrun: "true"\n'), await submit('name: Pager\nimage: alpine\nrun: "true"\n')];
    const first = await h.request('GET', '/api/runs?job=Pager&limit=2');
    assert.equal(first.status, 200);
    assert.equal(first.body.runs.length, 2);
    assert.equal(typeof first.body.next, 'string');
    const second = await h.request('GET', `/api/runs?job=Pager&limit=2&cursor=${encodeURIComponent(first.body.next)}`);
    assert.equal(second.body.runs.length, 1);
    assert.equal(second.body.next, null);
    const seen = [...first.body.runs, ...second.body.runs].map((r: { id: string }) => r.id);
    assert.deepEqual(seen, [...ids].reverse(), 'newest first, no duplicates');
    const queued = await h.request('GET', '/api/runs?job=Pager&status=queued&since=2000-01-01');
    assert.equal(queued.body.runs.length, 3);
    const none = await h.request('GET', `/api/runs?job=Pager&since=${new Date(Date.now() + 3_600_000).toISOString()}`);
    assert.equal(none.body.runs.length, 0);
    assert.equal((await h.request('GET', '/api/runs?job=Pager&source=api')).body.runs.length, 3, 'runs submitted through the API');
    assert.equal((await h.request('GET', '/api/runs?job=Pager&source=push')).body.runs.length, 0);
  });

  test('GET /api/runs refuses bad filters with the fix', async () => {
    const cases: [string, RegExp][] = [
      ['status=done', /one of queued, running/],
      ['since=yesterday', /ISO date/],
      ['limit=0', /from 1 to 100/],
      ['limit=101', /from 1 to 100/],
      ['stauts=failure', /unknown query parameter 'stauts'/],
      ['repo=acme', /owner\/name/],
      ['cursor=garbage', /cursor/],
      ['source=webhook', /source must be one of push, pull_request, api, rerun/],
    ];
    for (const [query, pattern] of cases) {
      const res = await h.request('GET', `/api/runs?${query}`);
      assert.equal(res.status, 400, query);
      assert.match(res.body.message, pattern, query);
    }
  });

  test('unknown run ids are 404, malformed ids 400', async () => {
    for (const suffix of ['', '/logs', '/cancel', '/rerun']) {
      const method = suffix === '/cancel' || suffix === '/rerun' ? 'POST' : 'GET';
      assert.equal((await h.request(method, `/api/runs/0123456789abcdef01234567${suffix}`)).status, 404, suffix);
      assert.equal((await h.request(method, `/api/runs/not-an-id${suffix}`)).status, 400, suffix);
    }
  });

  test('cancel: 202 for a queued run (the worker hook is told), 409 once finished', async () => {
    const id = await submit(HELLO);
    const res = await h.request('POST', `/api/runs/${id}/cancel`);
    assert.equal(res.status, 202);
    assert.equal(res.body.cancelRequested, true);
    assert.equal(res.body.status, 'cancelled', 'a queued run is cancelled at once');
    assert.ok(h.cancelled.includes(id));
    assert.equal((await h.stores.runs.get(id))?.cancelRequested, true);
    await h.stores.runs.finish(id, 'cancelled', 'cancelled by the API', new Date());
    const again = await h.request('POST', `/api/runs/${id}/cancel`);
    assert.equal(again.status, 409);
    assert.match(again.body.message, /already finished \(cancelled\)/);
  });

  test('rerun: a new run with source rerun; ?failed=true only the groups that did not succeed', async () => {
    const id = await submit(USES_CLONE);
    assert.equal((await h.request('POST', `/api/runs/${id}/rerun`)).status, 409, 'still queued');
    const at = new Date();
    await h.stores.runs.apply({ type: 'group', runId: id, group: 'main', attempt: 1, status: 'success', at });
    await h.stores.runs.apply({ type: 'group', runId: id, group: 'lint', attempt: 1, status: 'failure', at });
    await h.stores.runs.finish(id, 'failure', 'group lint failed', at);

    const all = await h.request('POST', `/api/runs/${id}/rerun`);
    assert.equal(all.status, 201, all.text);
    const full = await h.stores.runs.get(all.body.id);
    assert.equal(full?.source, 'rerun');
    assert.equal(full?.rerunOf, id);
    assert.equal(full?.onlyGroups, undefined);
    assert.equal(h.queue.ids.at(-1), all.body.id);

    const failed = await h.request('POST', `/api/runs/${id}/rerun?failed=true`);
    assert.equal(failed.status, 201);
    const partial = await h.request('GET', `/api/runs/${failed.body.id}`);
    assert.deepEqual(partial.body.onlyGroups, ['lint']);
    assert.equal(partial.body.rerunOf, id);
    assert.equal(partial.body.source, 'rerun');
  });
});

describe('logs', () => {
  test('text by default, JSON on request, filtered by group/step/attempt', async () => {
    const id = await submit(USES_CLONE);
    await h.stores.logs.append([
      logLine(id, 'main', 0, 0, 'cloning'),
      logLine(id, 'main', 1, 0, 'make: ok'),
      logLine(id, 'lint', 0, 0, 'lint failed'),
      logLine(id, 'lint', 0, 0, 'lint passed', 2),
    ]);
    const text = await h.request('GET', `/api/runs/${id}/logs`);
    assert.equal(text.status, 200);
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    const lines = text.text.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.ok(lines.includes('[main/Clone Repo, Pistages if omitted#1] cloning'), text.text);
    assert.ok(lines.includes('[lint/npm run lint#2] lint passed'), text.text);

    const json = await h.request('GET', `/api/runs/${id}/logs?format=json&group=lint&attempt=2`);
    assert.equal(json.status, 200);
    assert.equal(json.body.lines.length, 1);
    assert.equal(json.body.lines[0].line, 'lint passed');
    assert.equal(json.body.lines[0].stepName, 'npm run lint');
    assert.equal(json.body.next, null);

    const step = await h.request('GET', `/api/runs/${id}/logs?group=main&step=1`);
    assert.equal(step.text, '[main/make#1] make: ok\n');

    const paged = await h.request('GET', `/api/runs/${id}/logs?format=json&limit=3`);
    assert.equal(paged.body.lines.length, 3);
    const rest = await h.request('GET', `/api/runs/${id}/logs?format=json&after=${encodeURIComponent(paged.body.next)}`);
    assert.equal(rest.body.lines.length, 1);

    assert.equal((await h.request('GET', `/api/runs/${id}/logs?step=first`)).status, 400);
    assert.equal((await h.request('GET', `/api/runs/${id}/logs?format=xml`)).status, 400);
  });

  test('?follow=1 streams lines appended after connecting, then an end event with the status', async () => {
    const id = await submit(HELLO);
    await h.stores.logs.append([logLine(id, 'main', 0, 0, 'before connect')]);
    const controller = new AbortController();
    const res = await fetch(`${h.url}/api/runs/${id}/logs?follow=1`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events: SseEvent[] = [];
    const reading = (async () => {
      for await (const event of readSse(res.body as AsyncIterable<Uint8Array>)) events.push(event);
    })();
    await waitFor(() => events.length >= 1);
    await h.stores.runs.claim(id, 'test-worker', 60_000, new Date());
    await h.stores.logs.append([logLine(id, 'main', 0, 1, 'after connect 1'), logLine(id, 'main', 0, 2, 'after connect 2')]);
    await waitFor(() => events.length >= 3);
    await h.stores.logs.append([logLine(id, 'main', 0, 3, 'last words')]);
    await h.stores.runs.apply({ type: 'run', runId: id, status: 'success', at: new Date() });
    await reading;
    const lines = events.filter((e) => e.event === 'line').map((e) => JSON.parse(e.data).line);
    assert.deepEqual(lines, ['before connect', 'after connect 1', 'after connect 2', 'last words']);
    const end = events.at(-1);
    assert.equal(end?.event, 'end');
    assert.deepEqual(JSON.parse(end?.data ?? '{}'), { status: 'success', message: null });
    assert.ok(events.filter((e) => e.event === 'line').every((e) => typeof e.id === 'string'), 'line events carry the cursor as id');

    // resuming with Last-Event-ID sends only what came after it
    const resumed = await fetch(`${h.url}/api/runs/${id}/logs?follow=1`, {
      headers: { authorization: `Bearer ${TOKEN}`, 'last-event-id': events[1]?.id ?? '' },
    });
    const tail: SseEvent[] = [];
    for await (const event of readSse(resumed.body as AsyncIterable<Uint8Array>)) tail.push(event);
    assert.deepEqual(tail.filter((e) => e.event === 'line').map((e) => JSON.parse(e.data).line), ['after connect 2', 'last words']);
  });

  test('a follower that disconnects stops the stream on the server', async () => {
    const id = await submit(HELLO);
    const controller = new AbortController();
    const res = await fetch(`${h.url}/api/runs/${id}/logs?follow=1`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
    assert.equal(res.status, 200);
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const metrics = await h.request('GET', '/metrics', { token: null });
    assert.match(metrics.text, /pistages_http_requests_total\{method="GET",route="\/api\/runs\/:id\/logs",status="200"\}/);
  });
});

describe('secrets', () => {
  test('put, list (names and scopes only), delete', async () => {
    const put = await h.request('PUT', '/api/secrets/DEPLOY_KEY', { json: { value: SECRET_VALUE } });
    assert.equal(put.status, 204, put.text);
    const scoped = await h.request('PUT', '/api/secrets/DEPLOY_KEY?repo=acme/api', { json: { value: `${SECRET_VALUE}-repo` } });
    assert.equal(scoped.status, 204);
    const viaBody = await h.request('PUT', '/api/secrets/OTHER', { json: { value: 'other-secret-value', scope: 'repo:acme/web' } });
    assert.equal(viaBody.status, 204);

    const list = await h.request('GET', '/api/secrets');
    assert.equal(list.status, 200);
    const entries = list.body.secrets.map((s: { name: string; scope: string }) => `${s.name}@${s.scope}`).sort();
    assert.deepEqual(entries, ['DEPLOY_KEY@global', 'DEPLOY_KEY@repo:acme/api', 'OTHER@repo:acme/web']);
    for (const s of list.body.secrets) assert.deepEqual(Object.keys(s).sort(), ['name', 'scope', 'updatedAt']);

    const forRepo = await h.request('GET', '/api/secrets?repo=acme/web');
    assert.deepEqual(forRepo.body.secrets.map((s: { name: string }) => s.name), ['OTHER']);

    assert.equal((await h.request('DELETE', '/api/secrets/OTHER?repo=acme/web')).status, 204);
    assert.equal((await h.request('DELETE', '/api/secrets/OTHER?repo=acme/web')).status, 404);
  });

  test('bad names, scopes and values are 400', async () => {
    const cases: [string, unknown][] = [
      ['/api/secrets/1BAD', { value: 'abcdef' }],
      ['/api/secrets/GOOD', { value: 42 }],
      ['/api/secrets/GOOD', { value: 'ab' }],
      ['/api/secrets/GOOD', { value: 'abcdef', scope: 'team:x' }],
      ['/api/secrets/GOOD?repo=acme/api', { value: 'abcdef', scope: 'global' }],
      ['/api/secrets/GOOD', { value: 'abcdef', extra: true }],
    ];
    for (const [path, json] of cases) {
      const res = await h.request('PUT', path, { json });
      assert.equal(res.status, 400, `${path} ${JSON.stringify(json)}: ${res.text}`);
    }
    assert.equal((await h.request('GET', '/api/secrets')).body.secrets.some((s: { name: string }) => s.name === 'GOOD'), false);
  });

  test('secret values are masked in logs and run messages the API serves', async () => {
    await h.request('PUT', '/api/secrets/DEPLOY_KEY', { json: { value: SECRET_VALUE } });
    const id = await submit(USES_SECRET);
    await h.stores.logs.append([logLine(id, 'main', 0, 0, `token=${SECRET_VALUE} done`)]);
    await h.stores.runs.finish(id, 'error', `deploy failed with ${SECRET_VALUE}`, new Date());
    const text = await h.request('GET', `/api/runs/${id}/logs`);
    assert.equal(text.text, '[main/./deploy#1] token=*** done\n');
    const json = await h.request('GET', `/api/runs/${id}/logs?format=json`);
    assert.equal(json.body.lines[0].line, 'token=*** done');
    const run = await h.request('GET', `/api/runs/${id}`);
    assert.equal(run.body.message, 'deploy failed with ***');
    const list = await h.request('GET', '/api/runs?job=Deploy');
    assert.equal(list.body.runs[0].message, 'deploy failed with ***');
    const follow = await h.request('GET', `/api/runs/${id}/logs?follow=1`);
    assert.match(follow.text, /token=\*\*\* done/);
  });

  test('without PISTAGES_SECRET_KEY the secrets API and jobs using secrets answer 503', async () => {
    const other = await h.startApp({}, { PISTAGES_SECRET_KEY: '' });
    try {
      const put = await h.request('PUT', '/api/secrets/ANY', { baseUrl: other.url, json: { value: 'abcdef' } });
      assert.equal(put.status, 503);
      assert.equal(put.body.error, 'secrets_disabled');
      assert.match(put.body.message, /PISTAGES_SECRET_KEY/);
      const runs = await runCount();
      const run = await h.request('POST', '/api/runs', { baseUrl: other.url, yaml: USES_SECRET });
      assert.equal(run.status, 503);
      assert.equal(await runCount(), runs);
    } finally {
      await other.close();
    }
  });
});

describe('never leaked', () => {
  test('no response and no log line contains a secret value or the token', () => {
    assert.ok(h.responses.length > 50, 'the suite made requests');
    for (const text of [...h.responses, ...h.logLines]) {
      assert.ok(!text.includes(SECRET_VALUE), `leaked a secret: ${text.slice(0, 300)}`);
      assert.ok(!text.includes(TOKEN), `leaked the token: ${text.slice(0, 300)}`);
      assert.ok(!text.includes(SECRET_KEY), `leaked the secret key: ${text.slice(0, 300)}`);
    }
    assert.ok(h.logLines.some((l) => l.includes('"path":"/api/secrets/DEPLOY_KEY"')), 'requests are logged');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
