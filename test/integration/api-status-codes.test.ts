import assert from 'node:assert/strict';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { TOKEN, startHarness, type Harness } from '../support/api-harness.ts';

/**
 * Requests a client gets wrong must answer 4xx with a message, never 500 or a failure later on:
 * undecodable paths, corrupt compressed bodies, malformed resume ids, control characters in
 * trigger data, limits that would mean "no limit", and query parameters no endpoint takes.
 */
let h: Harness;

before(async () => {
  h = await startHarness();
});

after(async () => {
  await h?.close();
});

const JOB = 'name: Hello\nimage: alpine:3.20\nrun: echo hello\n';

async function submitted(): Promise<string> {
  const res = await h.request('POST', '/api/runs', { yaml: JOB });
  assert.equal(res.status, 201, res.text);
  return res.body.id as string;
}

async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}) {
  const res = await fetch(`${h.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, ...init.headers },
    ...(init.body !== undefined && { body: init.body }),
  });
  const text = await res.text();
  return { status: res.status, text, type: res.headers.get('content-type') ?? '' };
}

describe('answers to malformed requests', () => {
  test('a path that does not decode (%FF) is 400, not 500', async () => {
    for (const path of ['/api/actions/a%00b', '/api/runs/%00', '/api/secrets/A%00']) {
      const res = await send(path);
      assert.equal(res.status, 400, `${path}: ${res.text}`);
    }
    for (const path of ['/api/runs/%FF', '/api/actions/%FF', '/api/secrets/%E0%A4%A', '/api/runs/%FF/logs']) {
      const res = await send(path);
      assert.equal(res.status, 400, `${path}: ${res.text}`);
      assert.match(res.type, /json/);
      assert.match(JSON.parse(res.text).message as string, /percent|encod/i);
    }
  });

  test('a corrupt gzip or br body is 400 and an unknown encoding 415, never 500', async () => {
    const cases: [string, Uint8Array, number][] = [
      ['gzip', Buffer.from('not gzip at all'), 400],
      ['br', Buffer.from('not brotli either'), 400],
      ['gzip', gzipSync(Buffer.from(JOB)).subarray(0, 20), 400],
      ['compress', Buffer.from(JOB), 415],
    ];
    for (const [encoding, body, status] of cases) {
      const res = await send('/api/runs', { method: 'POST', headers: { 'content-type': 'application/yaml', 'content-encoding': encoding }, body });
      assert.equal(res.status, status, `${encoding}: ${res.text}`);
      assert.match(res.type, /json/);
    }
    for (const [encoding, body] of [['gzip', gzipSync(Buffer.from(JOB))], ['br', brotliCompressSync(Buffer.from(JOB))]] as const) {
      const res = await send('/api/runs', { method: 'POST', headers: { 'content-type': 'application/yaml', 'content-encoding': encoding }, body });
      assert.equal(res.status, 201, `a valid ${encoding} body is accepted: ${res.text}`);
    }
  });

  test('a malformed Last-Event-ID is 400 before the stream starts', async () => {
    const id = await submitted();
    for (const last of ['not-a-cursor', '%%%', 'x'.repeat(600)]) {
      const res = await send(`/api/runs/${id}/logs?follow=1`, { headers: { 'last-event-id': last } });
      assert.equal(res.status, 400, `${last.slice(0, 20)}: ${res.text}`);
      assert.match(res.type, /json/);
      assert.match(JSON.parse(res.text).message as string, /cursor/);
    }
    const bad = await send(`/api/runs/${id}/logs?format=json&after=not-a-cursor`);
    assert.equal(bad.status, 400, bad.text);
  });

  test('trigger data with control characters is refused at submission', async () => {
    for (const query of ['?branch=%00', '?ref=refs%2Fheads%2Fa%0Ab', '?sha=abc%07', '?file=a%00.yaml']) {
      const res = await h.request('POST', `/api/runs${query}`, { yaml: JOB });
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.match(res.body.message as string, /control character|NUL/);
    }
    const json = await h.request('POST', '/api/runs', { json: { yaml: JOB, branch: 'main\u0000' } });
    assert.equal(json.status, 400, json.text);
    const param = await h.request('POST', '/api/runs?with.who=a%00b', { yaml: `${JOB}with:\n  who: x\n` });
    assert.equal(param.status, 400, param.text);
    assert.match(param.body.message as string, /with\.who/);
    const nulInFile = await h.request('POST', '/api/runs', { yaml: 'name: N\u0000\nimage: alpine\nrun: echo\n' });
    assert.equal(nulInFile.status, 400, `a NUL in the job file: ${nulInFile.text}`);
    const nulAction = await h.request('POST', '/api/actions', { yaml: 'name: A\u0000\nimage: alpine\nrun: echo\n' });
    assert.equal(nulAction.status, 400, nulAction.text);
    for (const query of ['?branch=%00', '?job=a%00', '?sha=%00']) {
      const list = await h.request('GET', `/api/runs${query}`);
      assert.equal(list.status, 400, `GET /api/runs${query}: ${list.text}`);
    }
    assert.equal((await h.request('POST', '/api/runs?branch=feature%2Fok', { yaml: JOB })).status, 201);
  });

  test('limits that would silently mean "no limit", and a pids limit too small for sh, are 422 naming the fix', async () => {
    const cases: [string, RegExp][] = [
      ['memory: -1', /memory/],
      ['cpus: 1e-12', /cpus/],
      ['pids: 1', /pids/],
    ];
    for (const [limit, field] of cases) {
      const res = await h.request('POST', '/api/runs', { yaml: `${JOB}resources:\n  ${limit}\n` });
      assert.equal(res.status, 422, `${limit}: ${res.text}`);
      assert.match(res.body.message as string, field);
    }
  });

  test('every endpoint refuses query parameters it does not take', async () => {
    const id = await submitted();
    const probes: [string, string][] = [
      ['GET', '/api/runs?stauts=failure'],
      ['GET', `/api/runs/${id}?verbose=1`],
      ['GET', `/api/runs/${id}/logs?grop=main`],
      ['POST', `/api/runs/${id}/cancel?force=1`],
      ['POST', `/api/runs/${id}/rerun?faild=true`],
      ['GET', '/api/actions?all=1'],
      ['GET', '/api/actions/Hello?v=2'],
      ['DELETE', '/api/actions/Hello?force=1'],
      ['GET', '/api/secrets?repo=acme/api&x=1'],
      ['DELETE', '/api/secrets/NAME?scoep=global'],
    ];
    for (const [method, path] of probes) {
      const res = await send(path, { method });
      assert.equal(res.status, 400, `${method} ${path}: ${res.text}`);
      assert.match(JSON.parse(res.text).message as string, /unknown query parameter/);
    }
  });
});
