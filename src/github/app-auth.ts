/**
 * The GitHub App's private key as users hand it over: a PEM file's text, often squeezed into an
 * environment variable with its newlines written as `\n`, sometimes quoted. Normalised to PKCS#8
 * PEM (the only form the JWT signer accepts), or an error that says which variable to fix.
 */
import { createPrivateKey } from 'node:crypto';

export class GithubConfigError extends Error {
  constructor(
    message: string,
    /** the environment variable to fix */
    readonly variable: string,
  ) {
    super(message);
    this.name = 'GithubConfigError';
  }
}

export function normalisePrivateKey(raw: string): string {
  const text = raw
    .trim()
    .replace(/^(['"])([\s\S]*)\1$/, '$2')
    .replace(/\\r/g, '')
    .replace(/\\n/g, '\n')
    .trim();
  if (!text.includes('-----BEGIN')) {
    throw new GithubConfigError(
      'GITHUB_PRIVATE_KEY (or GITHUB_PRIVATE_KEY_FILE) does not hold a PEM private key: expected the whole .pem file GitHub generated for the App, ' +
        'from its BEGIN line to its END line (in a single-line variable, write the newlines as \\n)',
      'GITHUB_PRIVATE_KEY',
    );
  }
  try {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`a ${key.asymmetricKeyType ?? 'non-RSA'} key, GitHub Apps sign with RSA keys`);
    return key.export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (err) {
    throw new GithubConfigError(
      `GITHUB_PRIVATE_KEY (or GITHUB_PRIVATE_KEY_FILE) is not a usable private key (${err instanceof Error ? err.message : String(err)}): ` +
        'generate a new key on the App settings page and paste the whole .pem file',
      'GITHUB_PRIVATE_KEY',
    );
  }
}

/** App ids are positive integers (the "App ID" on the App settings page, not the client id). */
export function checkAppId(appId: number): void {
  if (!Number.isSafeInteger(appId) || appId <= 0) {
    throw new GithubConfigError(`GITHUB_APP_ID must be the App's numeric "App ID" from its settings page (got ${String(appId)})`, 'GITHUB_APP_ID');
  }
}
