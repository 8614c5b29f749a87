import assert from 'node:assert/strict';
import { test } from 'node:test';
import express from 'express';
import { roleAllows } from '../../../src/store/api-token-rules.ts';
import { ROUTE_ROLES, roleFor } from '../../../src/server/route-roles.ts';
import type { ServerContext } from '../../../src/server/context.ts';
import { registerActionRoutes } from '../../../src/server/routes/api-actions.ts';
import { registerDeliveryRoutes } from '../../../src/server/routes/api-deliveries.ts';
import { registerRunLogRoutes } from '../../../src/server/routes/api-run-logs.ts';
import { registerRunRoutes } from '../../../src/server/routes/api-runs.ts';
import { registerSecretRoutes } from '../../../src/server/routes/api-secrets.ts';
import { registerTokenRoutes } from '../../../src/server/routes/api-tokens.ts';

test('roles include the ones below them, never the ones above', () => {
  assert.equal(roleAllows('admin', 'submit'), true);
  assert.equal(roleAllows('admin', 'read'), true);
  assert.equal(roleAllows('submit', 'read'), true);
  assert.equal(roleAllows('submit', 'submit'), true);
  assert.equal(roleAllows('submit', 'admin'), false);
  assert.equal(roleAllows('read', 'submit'), false);
  assert.equal(roleAllows('read', 'admin'), false);
});

test('reading needs read, submitting, cancelling and re-running need submit, the rest admin', () => {
  const cases: [string, string, string][] = [
    ['GET', '/api/runs', 'read'],
    ['GET', '/api/runs/665f1c2e9b1d8a0012345678', 'read'],
    ['GET', '/api/runs/665f1c/logs', 'read'],
    ['HEAD', '/api/runs', 'read'],
    ['GET', '/api/actions/Clone%20Repo', 'read'],
    ['GET', '/api/deliveries/abc', 'read'],
    ['GET', '/api/whoami', 'read'],
    ['POST', '/api/runs', 'submit'],
    ['POST', '/api/runs/', 'submit'],
    ['POST', '/api/runs/665f1c/cancel', 'submit'],
    ['post', '/API/Runs/665f1c/Rerun', 'submit'],
    ['POST', '/api/actions', 'admin'],
    ['DELETE', '/api/actions/x', 'admin'],
    ['GET', '/api/secrets', 'admin'],
    ['PUT', '/api/secrets/NPM_TOKEN', 'admin'],
    ['GET', '/api/tokens', 'admin'],
    ['POST', '/api/tokens', 'admin'],
    ['DELETE', '/api/tokens/ci', 'admin'],
    ['DELETE', '/api/runs/665f1c', 'admin'],
    ['GET', '/api/runs/665f1c/logs/more', 'admin'],
    ['GET', '/api/anything-new', 'admin'],
    ['POST', '/api/runs/665f1c/cancel/x', 'admin'],
  ];
  for (const [method, path, role] of cases) assert.equal(roleFor(method, path), role, `${method} ${path}`);
});

test('every /api route the app registers has its role in the table', () => {
  const app = express();
  const ctx = { config: { bodyLimitBytes: 1024 }, secretsEnabled: true } as unknown as ServerContext;
  for (const register of [registerActionRoutes, registerRunRoutes, registerRunLogRoutes, registerSecretRoutes, registerDeliveryRoutes, registerTokenRoutes]) register(app, ctx);
  const routes = (app.router.stack as { route?: { path: string; methods: Record<string, boolean> } }[]).flatMap((layer) =>
    layer.route === undefined ? [] : Object.keys(layer.route.methods).map((method) => ({ method: method.toUpperCase(), path: layer.route!.path })),
  );
  assert.ok(routes.length >= 19, `found ${routes.length} routes`);
  for (const { method, path } of routes) {
    const example = path.replace(/:[a-z]+/g, 'x1');
    assert.ok(ROUTE_ROLES.some((entry) => entry.method === method && entry.path.test(example)), `${method} ${path} has no entry in ROUTE_ROLES`);
  }
});
