/**
 * The one place Pistages builds Octokit clients: GitHub App (a JWT for the App, installation
 * tokens per event, cached by @octokit/auth-app until shortly before they expire) or a plain token,
 * with rate limits waited out and server errors retried, a bounded number of times.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createAppAuth, type InstallationAccessTokenAuthentication } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { checkAppId, GithubConfigError, normalisePrivateKey } from './app-auth.ts';

export type GithubAuth = { kind: 'app'; appId: number; privateKey: string } | { kind: 'token'; token: string };

export interface GithubClientOptions {
  apiUrl: string;
  auth: GithubAuth;
  fetch?: typeof fetch;
  log: { warn(o: object, m?: string): void; info(o: object, m?: string): void; debug(o: object, m?: string): void };
  /**
   * how long GitHub's "second" lasts here (default 1000): rate-limit and retry waits are counted
   * in it, and writes are spaced one apart as GitHub asks of integrations; tests shorten it
   */
  retryAfterBaseMs?: number;
  /** least time between two writes (statuses, check runs); default: the throttling plugin's 1 s, as GitHub asks */
  writeIntervalMs?: number;
}

export interface GithubClients {
  /** the REST client to use for events of this installation (App), or the token's client */
  forInstallation(installationId: number | undefined): Octokit;
  /**
   * a short-lived token to clone `repo` read-only (App: an installation token limited to that
   * repository with contents: read; token mode: the token itself), with its expiry when known
   */
  cloneToken(installationId: number | undefined, repo: { owner: string; name: string }): Promise<{ token: string; expiresAt?: Date }>;
  /**
   * start-up check: App → GET /app with the JWT; token → GET /user. Throws an Error whose message
   * names the variable to fix: GITHUB_APP_ID, GITHUB_PRIVATE_KEY, GITHUB_TOKEN, GITHUB_API_URL
   */
  verify(): Promise<{ mode: 'app' | 'token'; name: string }>;
  /** the App installation that covers `repo` (App mode; rejects when the App is not installed there), undefined in token mode */
  repoInstallation(repo: { owner: string; name: string }): Promise<number | undefined>;
}

const RetryingOctokit = Octokit.plugin(throttling, retry);

/** a rate-limited request is retried at most this many times ... */
const RATE_LIMIT_RETRIES = 3;
/** ... and only when GitHub asks to wait at most this long (a primary limit can reset an hour later) */
const RATE_LIMIT_MAX_WAIT_SECONDS = 15 * 60;

export function createGithubClients(options: GithubClientOptions): GithubClients {
  const baseUrl = options.apiUrl.replace(/\/+$/, '');
  const base = octokitOptions(options, baseUrl);
  return options.auth.kind === 'token' ? tokenClients(options.auth.token, base, baseUrl) : appClients(options.auth, base, baseUrl);
}

type BaseOptions = ReturnType<typeof octokitOptions>;

function appClients({ appId, privateKey: rawKey }: { appId: number; privateKey: string }, base: BaseOptions, baseUrl: string): GithubClients {
  let privateKey: string | undefined;
  let keyError: Error | undefined;
  try {
    checkAppId(appId);
    privateKey = normalisePrivateKey(rawKey);
  } catch (err) {
    keyError = err as Error;
  }
  const appOctokit = keyError ? undefined : new RetryingOctokit({ ...base, authStrategy: createAppAuth, auth: { appId, privateKey } });
  const installations = new Map<number, Octokit>();

  const forInstallation = (installationId: number | undefined): Octokit => {
    if (keyError) throw keyError;
    if (installationId === undefined) {
      throw new Error('GitHub App mode needs the installation id of the event (the delivery carried none): is the webhook configured on the App rather than on the repository?');
    }
    let octokit = installations.get(installationId);
    if (!octokit) {
      octokit = new RetryingOctokit({ ...base, authStrategy: createAppAuth, auth: { appId, privateKey, installationId } });
      installations.set(installationId, octokit);
    }
    return octokit;
  };

  return {
    forInstallation,
    async cloneToken(installationId, repo) {
      const octokit = forInstallation(installationId);
      const auth = (await octokit.auth({
        type: 'installation',
        repositoryNames: [repo.name],
        permissions: { contents: 'read' },
      })) as InstallationAccessTokenAuthentication;
      return { token: auth.token, expiresAt: new Date(auth.expiresAt) };
    },
    async repoInstallation(repo) {
      if (keyError || !appOctokit) throw keyError ?? new Error('no App client');
      try {
        const { data } = await appOctokit.rest.apps.getRepoInstallation({ owner: repo.owner, repo: repo.name });
        return data.id;
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
        throw new Error(`the GitHub App is not installed on ${repo.owner}/${repo.name}: install it there (App settings → Install App) or grant it that repository`, { cause: err });
      }
    },
    async verify() {
      if (keyError || !appOctokit) throw keyError ?? new Error('no App client');
      try {
        const { data } = await appOctokit.request('GET /app', { request: { retries: 0 } });
        return { mode: 'app', name: data?.slug ?? data?.name ?? String(appId) };
      } catch (err) {
        throw explain(err, baseUrl, {
          variable: 'GITHUB_APP_ID',
          refused: `GitHub refused the App's JSON web token: check that GITHUB_APP_ID (${appId}) is the "App ID" on the App's settings page and that GITHUB_PRIVATE_KEY is a key generated for that App`,
        });
      }
    },
  };
}

function tokenClients(token: string, base: BaseOptions, baseUrl: string): GithubClients {
  const octokit = new RetryingOctokit({ ...base, auth: token });
  return {
    forInstallation: () => octokit,
    cloneToken: async () => ({ token }),
    repoInstallation: async () => undefined,
    async verify() {
      if (!token.trim()) throw new GithubConfigError('GITHUB_TOKEN is empty: set it to a token that can read the repositories and write commit statuses', 'GITHUB_TOKEN');
      try {
        const { data } = await octokit.request('GET /user', { request: { retries: 0 } });
        return { mode: 'token', name: data.login };
      } catch (err) {
        throw explain(err, baseUrl, {
          variable: 'GITHUB_TOKEN',
          refused: 'GitHub refused GITHUB_TOKEN (expired, revoked or mistyped): create a new token and set GITHUB_TOKEN to it',
        });
      }
    },
  };
}

/** The error a failed start-up check becomes: which variable to fix, and GitHub's own words. */
function explain(err: unknown, baseUrl: string, auth: { variable: string; refused: string }): Error {
  const status = (err as { status?: number }).status;
  const response = (err as { response?: unknown }).response;
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof GithubConfigError) return err;
  if (status === undefined || response === undefined) {
    const cause = (err as { cause?: { message?: string; code?: string } }).cause;
    return new GithubConfigError(
      `GitHub API at ${baseUrl} is unreachable (${cause?.code ?? cause?.message ?? detail}): check GITHUB_API_URL (https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server) and the network`,
      'GITHUB_API_URL',
    );
  }
  if (status === 401 || status === 404) return new GithubConfigError(`${auth.refused} (GitHub answered ${status}: ${detail})`, auth.variable);
  return new Error(`GitHub start-up check against ${baseUrl} failed with ${status}: ${detail}`, { cause: err });
}

function octokitOptions(options: GithubClientOptions, baseUrl: string) {
  const { log } = options;
  const retryAfterBaseValue = options.retryAfterBaseMs ?? 1000;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method?: string; url?: string }, _octokit: unknown, retryCount: number): boolean => {
      const retrying = retryCount < RATE_LIMIT_RETRIES && retryAfter <= RATE_LIMIT_MAX_WAIT_SECONDS;
      log.warn({ method: request.method, url: request.url, retryAfterSeconds: retryAfter, retryCount, retrying }, `GitHub ${kind} rate limit`);
      return retrying;
    };
  return {
    baseUrl,
    userAgent: 'pistages',
    request: options.fetch ? { fetch: options.fetch } : {},
    // Octokit logs every request (info) and every failed one (error); the caller gets the error and decides
    log: {
      debug: (message: string, ...rest: unknown[]) => log.debug({ octokit: rest }, message),
      info: (message: string, ...rest: unknown[]) => log.debug({ octokit: rest }, message),
      warn: (message: string, ...rest: unknown[]) => log.warn({ octokit: rest }, message),
      error: (message: string, ...rest: unknown[]) => log.debug({ octokit: rest }, message),
    },
    throttle: {
      retryAfterBaseValue,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      // the plugin's own write pacing is fixed at one second; it calls only write.key(id).schedule(options, task)
      ...(options.retryAfterBaseMs === undefined && options.writeIntervalMs === undefined
        ? {}
        : { write: writePacer(options.writeIntervalMs ?? retryAfterBaseValue) as never }),
    },
    retry: { retryAfterBaseValue },
  };
}

/** Starts mutating requests at least `intervalMs` apart, in the order they were scheduled. */
function writePacer(intervalMs: number) {
  let next = 0;
  const schedule = async <T>(_options: unknown, task: () => Promise<T>): Promise<T> => {
    const now = Date.now();
    const start = Math.max(now, next);
    next = start + intervalMs;
    if (start > now) await delay(start - now);
    return task();
  };
  return { key: () => ({ schedule }) };
}
