import { InvalidInputError, type NewRun, type SecretScope } from './store.ts';

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

/** `owner/name`, as GitHub spells repositories */
export function isRepoName(value: string): boolean {
  return REPO.test(value);
}

/**
 * The repository whose scoped secrets a run receives, or undefined for global values only: the run's
 * repo when it was granted that scope. A run stored before scopes were recorded is granted it when
 * a forge (webhook) started it.
 */
export function secretRepo(run: Pick<NewRun, 'repo' | 'secretScope' | 'forge'>): string | undefined {
  const granted = run.secretScope === 'repo' || (run.secretScope === undefined && run.forge !== undefined);
  return granted ? run.repo : undefined;
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
