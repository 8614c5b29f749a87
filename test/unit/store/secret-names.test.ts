import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertSecretName, assertSecretScope, repoScope } from '../../../src/store/secret-names.ts';
import { InvalidInputError } from '../../../src/store/store.ts';

describe('secret names and scopes', () => {
  it('accepts environment-variable names only', () => {
    for (const ok of ['NPM_TOKEN', '_x', 'a1']) assert.doesNotThrow(() => assertSecretName(ok));
    for (const bad of ['', '1A', 'A-B', 'A B', 'A.B', '$A', 'x'.repeat(129)]) {
      assert.throws(() => assertSecretName(bad), InvalidInputError, bad);
    }
  });

  it('accepts global and repo:<owner>/<name> scopes', () => {
    for (const ok of ['global', 'repo:acme/api', repoScope('my-org/my.repo_2')]) assert.doesNotThrow(() => assertSecretScope(ok));
    for (const bad of ['', 'Global', 'repo:', 'repo:acme', 'repo:a/b/c', 'repo:a b/c', 'org:acme']) {
      assert.throws(() => assertSecretScope(bad), (e: unknown) => e instanceof InvalidInputError && /global.*repo:/.test(e.message), bad);
    }
  });
});
