import { InvalidInputError, type SecretScope } from './store.ts';

/**
 * The shapes of secret names and scopes, shared by every SecretStore. Names become environment
 * variables of steps, hence the POSIX-ish rule; scopes are `global` or `repo:<owner>/<name>`.
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export const GLOBAL_SCOPE = 'global';

export function repoScope(repo: string): SecretScope {
  return `repo:${repo}`;
}

export function assertSecretName(name: string): void {
  if (!NAME.test(name)) {
    throw new InvalidInputError(
      `secret name "${name}" is not valid: use letters, digits and _ (not first), at most 128 characters, e.g. NPM_TOKEN`,
    );
  }
}

export function assertSecretScope(scope: string): void {
  if (scope === GLOBAL_SCOPE) return;
  if (scope.startsWith('repo:') && REPO.test(scope.slice('repo:'.length))) return;
  throw new InvalidInputError(`secret scope "${scope}" is not valid: use "global" or "repo:<owner>/<name>", e.g. repo:acme/api`);
}
