import { readFileSync } from 'node:fs';
import type { Config } from './config.ts';
import type { GithubAuth } from './github/client.ts';

/**
 * GitHub credentials from the config: an App (id + key, or key file) or a token; undefined when
 * none is set. Throws naming the variable when a half-given setting cannot work.
 */
export function githubAuth(config: Config): GithubAuth | undefined {
  const { githubAppId: appId, githubPrivateKey, githubPrivateKeyFile, githubToken, githubWebhookSecret } = config;
  if (appId !== undefined) {
    if (githubPrivateKey !== undefined && githubPrivateKeyFile !== undefined) {
      throw new Error('set one of GITHUB_PRIVATE_KEY and GITHUB_PRIVATE_KEY_FILE, not both');
    }
    let privateKey = githubPrivateKey;
    if (githubPrivateKeyFile !== undefined) {
      try {
        privateKey = readFileSync(githubPrivateKeyFile, 'utf8');
      } catch (err) {
        throw new Error(`GITHUB_PRIVATE_KEY_FILE: cannot read ${githubPrivateKeyFile} (${(err as NodeJS.ErrnoException).code ?? String(err)}); point it at the App's .pem file`, { cause: err });
      }
    }
    if (privateKey === undefined) throw new Error('GITHUB_APP_ID is set but the App\'s key is not: set GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_FILE');
    return { kind: 'app', appId, privateKey };
  }
  if (githubPrivateKey !== undefined || githubPrivateKeyFile !== undefined) {
    throw new Error('GITHUB_PRIVATE_KEY is set but GITHUB_APP_ID is not: set GITHUB_APP_ID to the App ID on the App\'s settings page');
  }
  if (githubToken !== undefined) return { kind: 'token', token: githubToken };
  if (githubWebhookSecret !== undefined) {
    throw new Error('GITHUB_WEBHOOK_SECRET is set but Pistages has no GitHub credentials: set GITHUB_APP_ID and GITHUB_PRIVATE_KEY, or GITHUB_TOKEN');
  }
  return undefined;
}
