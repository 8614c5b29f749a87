import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { githubAuth } from '../../src/github-auth-config.ts';

const SECRET = 'webhook-secret-0123456789';

test('no GitHub settings: no GitHub integration', () => {
  assert.equal(githubAuth(loadConfig({})), undefined);
});

test('an App from the key or the key file; a token otherwise', async () => {
  assert.deepEqual(githubAuth(loadConfig({ GITHUB_APP_ID: '12', GITHUB_PRIVATE_KEY: 'KEY' })), { kind: 'app', appId: 12, privateKey: 'KEY' });
  const dir = await mkdtemp(join(tmpdir(), 'pistages-key-'));
  await writeFile(join(dir, 'app.pem'), 'FROM FILE');
  assert.deepEqual(githubAuth(loadConfig({ GITHUB_APP_ID: '12', GITHUB_PRIVATE_KEY_FILE: join(dir, 'app.pem') })), { kind: 'app', appId: 12, privateKey: 'FROM FILE' });
  assert.deepEqual(githubAuth(loadConfig({ GITHUB_TOKEN: 'ghp_x' })), { kind: 'token', token: 'ghp_x' });
});

test('half-given settings name the variable to fix', () => {
  assert.throws(() => githubAuth(loadConfig({ GITHUB_APP_ID: '12' })), /GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_FILE/);
  assert.throws(() => githubAuth(loadConfig({ GITHUB_PRIVATE_KEY: 'KEY' })), /GITHUB_APP_ID/);
  assert.throws(() => githubAuth(loadConfig({ GITHUB_APP_ID: '12', GITHUB_PRIVATE_KEY: 'K', GITHUB_PRIVATE_KEY_FILE: '/x' })), /not both/);
  assert.throws(() => githubAuth(loadConfig({ GITHUB_APP_ID: '12', GITHUB_PRIVATE_KEY_FILE: '/nonexistent/app.pem' })), /GITHUB_PRIVATE_KEY_FILE: cannot read/);
  assert.throws(() => githubAuth(loadConfig({ GITHUB_WEBHOOK_SECRET: SECRET })), /no GitHub credentials: set GITHUB_APP_ID/);
  assert.throws(() => loadConfig({ GITHUB_APP_ID: 'abc' }), /GITHUB_APP_ID/);
  assert.throws(() => loadConfig({ GITHUB_WEBHOOK_SECRET: 'short' }), /GITHUB_WEBHOOK_SECRET/);
});
