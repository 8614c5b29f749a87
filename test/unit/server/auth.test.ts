import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Request, Response } from 'express';
import { principalOf, requireToken, type Principal } from '../../../src/server/middleware/auth.ts';
import { HttpError } from '../../../src/server/http-error.ts';
import { generateApiToken, hashApiToken } from '../../../src/store/api-token-rules.ts';
import type { ApiTokenRecord } from '../../../src/store/store.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const reader = generateApiToken();
const t0 = new Date('2024-05-01T12:00:00Z');

function world(lastUsedAt?: Date, touchFails = false) {
  const touched: string[] = [];
  const warnings: unknown[] = [];
  const records: Record<string, ApiTokenRecord> = {
    [hashApiToken(reader)]: { name: 'viewer', role: 'read', repos: ['acme/api'], createdAt: t0, createdBy: 'PISTAGES_API_TOKEN', ...(lastUsedAt && { lastUsedAt }) },
  };
  let now = t0;
  const handler = requireToken({
    adminToken: ADMIN,
    tokens: {
      findByHash: async (hash) => records[hash] ?? null,
      touch: async (name) => {
        if (touchFails) throw new Error('db down');
        touched.push(name);
      },
    },
    now: () => now,
    log: { warn: (obj: unknown) => void warnings.push(obj) } as never,
  });
  const call = async (method: string, path: string, token: string | undefined): Promise<{ error: unknown; principal: Principal | undefined }> => {
    const req = { method, baseUrl: '/api', path, get: (h: string) => (h === 'authorization' && token !== undefined ? `Bearer ${token}` : undefined) } as unknown as Request;
    const res = { locals: {} } as Response;
    const error = await new Promise<unknown>((resolve) => void handler(req, res, resolve));
    return { error, principal: res.locals.principal === undefined ? undefined : principalOf(res) };
  };
  return { call, touched, warnings, setNow: (d: Date) => (now = d) };
}

test('the admin token may do everything; unknown, missing and revoked tokens get 401', async () => {
  const w = world();
  const admin = await w.call('DELETE', '/tokens/ci', ADMIN);
  assert.equal(admin.error, undefined);
  assert.deepEqual(admin.principal, { name: 'PISTAGES_API_TOKEN', role: 'admin', repos: [] });
  for (const token of [undefined, `${ADMIN}x`, generateApiToken(), 'pst_short']) {
    const { error } = await w.call('GET', '/runs', token);
    assert.ok(error instanceof HttpError && error.status === 401, String(token));
    assert.match(error.message, /PISTAGES_API_TOKEN, or a token made with `pistages tokens create`/);
  }
});

test('a stored token gets its role: a read token reads, and is told how to get a token that may submit', async () => {
  const w = world();
  const read = await w.call('GET', '/runs/abc/logs', reader);
  assert.equal(read.error, undefined);
  assert.deepEqual(read.principal, { name: 'viewer', role: 'read', repos: ['acme/api'] });
  const submit = await w.call('POST', '/runs', reader);
  assert.ok(submit.error instanceof HttpError);
  assert.equal(submit.error.status, 403);
  assert.equal(submit.error.code, 'forbidden');
  assert.match(submit.error.message, /may only read runs, logs, actions and deliveries; this needs role submit: create a token with role submit: pistages tokens create NAME --role submit/);
  assert.ok(!submit.error.message.includes(reader));
  const secrets = await w.call('GET', '/secrets', reader);
  assert.ok(secrets.error instanceof HttpError && secrets.error.status === 403 && /--role admin/.test(secrets.error.message));
});

test('a use is recorded at most once a minute, and a failed record does not refuse the token', async () => {
  const fresh = world(new Date(t0.getTime() - 30_000));
  await fresh.call('GET', '/runs', reader);
  assert.deepEqual(fresh.touched, [], 'used 30 s ago: nothing written');
  const stale = world(new Date(t0.getTime() - 60_000));
  await stale.call('GET', '/runs', reader);
  assert.deepEqual(stale.touched, ['viewer']);
  const never = world();
  await never.call('GET', '/runs', reader);
  assert.deepEqual(never.touched, ['viewer']);
  const failing = world(undefined, true);
  const { error } = await failing.call('GET', '/runs', reader);
  assert.equal(error, undefined);
  assert.equal(failing.warnings.length, 1);
});
