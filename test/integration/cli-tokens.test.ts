import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOKEN, startHarness, type Harness } from '../support/api-harness.ts';
import { runClientCli, type CliResult } from '../support/client-cli.ts';

/** `pistages tokens create|list|revoke` and `pistages whoami`, in-process against a running app. */
let h: Harness;

before(async () => {
  h = await startHarness();
});

after(async () => {
  await h?.close();
});

function cli(args: string[], token = TOKEN): Promise<CliResult> {
  return runClientCli(args, { env: { PISTAGES_URL: h.url, PISTAGES_TOKEN: token } });
}

test('create prints the token alone on stdout, once; list, whoami and revoke use it', async () => {
  const created = await cli(['tokens', 'create', 'deployer', '--role', 'submit', '--repo', 'acme/api', '--repo', 'acme/web']);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  assert.match(token, /^pst_[A-Za-z0-9_-]{43}$/);
  assert.match(created.stderr, /created token 'deployer' \(role submit for acme\/api, acme\/web\); store it now/);

  const list = await cli(['tokens', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^NAME\s+ROLE\s+REPOS\s+CREATED\s+BY\s+LAST USED\n/);
  assert.match(list.stdout, /deployer\s+submit\s+acme\/api,acme\/web\s+\S+ \S+\s+PISTAGES_API_TOKEN\s+-/);
  assert.ok(!list.stdout.includes(token));

  const me = await cli(['whoami'], token);
  assert.equal(me.code, 0, me.stderr);
  assert.equal(me.stdout, 'token: deployer\nrole: submit (may read, and submit, cancel and re-run runs)\nrepository secrets: acme/api, acme/web\n');
  const json = JSON.parse((await cli(['whoami', '--json'])).stdout) as { role: string; allRepos: boolean };
  assert.deepEqual([json.role, json.allRepos], ['admin', true]);

  const escalate = await cli(['tokens', 'create', 'root', '--role', 'admin'], token);
  assert.equal(escalate.code, 1);
  assert.match(escalate.stderr, /^error: this token \(deployer\) may only read, and submit, cancel and re-run runs; this needs role admin/);

  const revoked = await cli(['tokens', 'revoke', 'deployer']);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout, "revoked token 'deployer'\n");
  const after = await cli(['whoami'], token);
  assert.equal(after.code, 1);
  assert.match(after.stderr, /refused the API token: set PISTAGES_TOKEN .*revoked/);
  assert.equal((await cli(['tokens', 'revoke', 'deployer'])).code, 1, 'revoking an unknown token fails');
});

test('a bad role or a missing --role is a usage error (exit 2)', async () => {
  const bad = await cli(['tokens', 'create', 'x', '--role', 'owner']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--role must be one of read, submit, admin/);
  assert.equal((await cli(['tokens', 'create', 'x'])).code, 2);
  assert.equal((await cli(['tokens', 'list'])).stdout.includes(' x '), false);
});
