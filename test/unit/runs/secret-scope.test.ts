import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretScopeError } from '../../../src/runs/errors.ts';
import { defaultSecretScope, withSecretScope } from '../../../src/runs/secret-scope.ts';
import { secretRepo } from '../../../src/store/secret-names.ts';
import type { NewRun, SecretStore } from '../../../src/store/store.ts';

const run = (secrets: string[], repo?: string): NewRun => ({
  job: 'ci',
  source: 'api',
  yaml: '',
  file: 'ci.yaml',
  params: {},
  plan: { job: 'ci', file: 'ci.yaml', params: {}, secrets, groups: [] },
  ...(repo !== undefined && { repo }),
});

/** acme/api has a scoped NPM_TOKEN; every secret has a global value too */
const store: Pick<SecretStore, 'list'> = {
  list: async (scope) => (scope === 'repo:acme/api' ? [{ name: 'NPM_TOKEN', scope, updatedAt: new Date() }] : []),
};
const reader = { admin: false, repos: [] };

test('a run without a repository, or one whose token is granted it, is decided at once', async () => {
  assert.equal((await withSecretScope(store, run(['NPM_TOKEN']), reader)).secretScope, 'global');
  assert.equal((await withSecretScope(store, run(['NPM_TOKEN'], 'acme/api'), { admin: true, repos: [] })).secretScope, 'repo');
  assert.equal((await withSecretScope(store, run(['NPM_TOKEN'], 'acme/api'), { admin: false, repos: ['acme/api'] })).secretScope, 'repo');
});

test('a token not granted the repository is refused when a secret the job uses has a value in its scope', async () => {
  const error = await withSecretScope(store, run(['DEPLOY_KEY', 'NPM_TOKEN', 'NPM_TOKEN'], 'acme/api'), { admin: false, repos: ['acme/web'] }).then(
    () => assert.fail('should be refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SecretScopeError);
  assert.deepEqual(error.secrets, ['NPM_TOKEN']);
  assert.match(error.message, /NPM_TOKEN .*acme\/api.*pistages tokens create NAME --role submit --repo acme\/api/);
});

test('without scoped values the run goes on with global secrets only; repository names compare exactly', async () => {
  assert.equal((await withSecretScope(store, run(['DEPLOY_KEY'], 'acme/api'), reader)).secretScope, 'global');
  assert.equal((await withSecretScope(store, run(['NPM_TOKEN'], 'acme/web'), reader)).secretScope, 'global');
  assert.equal((await withSecretScope(store, run([], 'acme/api'), reader)).secretScope, 'global');
  assert.equal((await withSecretScope(undefined, run(['NPM_TOKEN'], 'acme/api'), reader)).secretScope, 'global', 'secrets disabled: submitting refuses the job anyway');
  await assert.rejects(withSecretScope(store, run(['NPM_TOKEN'], 'acme/api'), { admin: false, repos: ['ACME/api'] }), SecretScopeError, 'a grant of another spelling is no grant');
});

test('webhook runs of the repository itself get its scope by default, forks and API runs do not', () => {
  assert.equal(defaultSecretScope({ forge: 'github' }), 'repo');
  assert.equal(defaultSecretScope({ forge: 'github', fork: true }), 'global');
  assert.equal(defaultSecretScope({}), 'global');
});

test('the worker resolves with the repository only when the run was granted it', () => {
  assert.equal(secretRepo({ repo: 'acme/api', secretScope: 'repo' }), 'acme/api');
  assert.equal(secretRepo({ repo: 'acme/api', secretScope: 'global' }), undefined);
  assert.equal(secretRepo({ repo: 'acme/api', secretScope: 'global', forge: 'github' }), undefined);
  assert.equal(secretRepo({ repo: 'acme/api' }), undefined, 'an API run stored before scopes were recorded: global only');
  assert.equal(secretRepo({ repo: 'acme/api', forge: 'github' }), 'acme/api', 'a webhook run stored before: its repository');
});
