import { repoScope } from '../store/secret-names.ts';
import type { NewRun, SecretStore } from '../store/store.ts';
import { SecretScopeError } from './errors.ts';

/**
 * Repository-scoped secrets are access control: naming `repo=` in a submitted run is only a claim.
 * A run receives a repository's scoped values when its submitter is granted that repository; a run
 * that would need them otherwise is refused; without scoped values it goes on with global ones.
 */

/** What the submitter of a run may claim: an admin any repository, another token the ones it lists. */
export interface SecretGrant {
  admin: boolean;
  repos: readonly string[];
}

export function grants(grant: SecretGrant, repo: string): boolean {
  return grant.admin || grant.repos.includes(repo);
}

/**
 * `run` with its `secretScope` decided for `grant`. `secrets` undefined (secrets disabled) decides
 * `global`: submitting then refuses a job that uses secrets anyway. Throws SecretScopeError naming
 * the secrets that have a value in the repository's scope when the grant does not cover it.
 */
export async function withSecretScope(secrets: Pick<SecretStore, 'list'> | undefined, run: NewRun, grant: SecretGrant): Promise<NewRun> {
  const { repo } = run;
  if (repo === undefined) return { ...run, secretScope: 'global' };
  if (grants(grant, repo)) return { ...run, secretScope: 'repo' };
  if (secrets === undefined || run.plan.secrets.length === 0) return { ...run, secretScope: 'global' };
  const scoped = new Set((await secrets.list(repoScope(repo))).map((s) => s.name));
  const refused = [...new Set(run.plan.secrets)].filter((name) => scoped.has(name));
  if (refused.length > 0) throw new SecretScopeError(repo, refused);
  return { ...run, secretScope: 'global' };
}

/** The scope of a run whose submitter did not decide one: a forge's own (not a fork's) runs get their repository's. */
export function defaultSecretScope(run: Pick<NewRun, 'forge' | 'fork'>): 'repo' | 'global' {
  return run.forge !== undefined && run.fork !== true ? 'repo' : 'global';
}
