import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createGithubClients, type GithubClientOptions } from '../../src/github/client.ts';
import type { GitRepo } from '../support/git-fixture.ts';
import { APP_ID, appKeyPair, githubWorld, recordingLog, USER_TOKEN, type GithubWorld, type RecordingLog } from '../support/github-world.ts';

const execFileAsync = promisify(execFile);
const TOKEN_REQUEST = /^\/app\/installations\/\d+\/access_tokens$/;

describe('GitHub clients', () => {
  let world: GithubWorld;
  let repo: GitRepo;
  let sha: string;
  let log: RecordingLog;

  before(async () => {
    world = await githubWorld();
    ({ repo, sha } = await world.git.repo('acme/app', { 'README.md': 'app\n' }));
    await world.fake.addRepo(repo, { installationId: 11 });
    const other = await world.git.repo('acme/other', { 'README.md': 'other\n' });
    await world.fake.addRepo(other.repo, { installationId: 11 });
  });
  after(() => world.dispose());
  beforeEach(() => {
    log = recordingLog();
  });

  const options = (auth: GithubClientOptions['auth'], apiUrl = world.fake.url): GithubClientOptions => ({ apiUrl, auth, log, retryAfterBaseMs: 5 });
  const app = (privateKey = world.privateKey, appId = APP_ID) => createGithubClients(options({ kind: 'app', appId, privateKey }));

  describe('as a GitHub App', () => {
    it('verifies with a JWT the fake checks against the App public key', async () => {
      assert.deepEqual(await app().verify(), { mode: 'app', name: 'pistages-test' });
      const request = world.fake.requests.findLast((r) => r.path === '/app');
      assert.deepEqual([request?.caller, request?.status], ['app', 200]);
    });

    it('accepts the key with its newlines written as \\n, as in an environment variable', async () => {
      assert.equal((await app(JSON.stringify(world.privateKey).slice(1, -1)).verify()).mode, 'app');
    });

    it('creates one installation token and reuses it for later calls', async () => {
      const before = world.fake.count('POST', TOKEN_REQUEST);
      const clients = app();
      const octokit = clients.forInstallation(11);
      for (let i = 0; i < 3; i++) await octokit.rest.repos.getCommit({ owner: 'acme', repo: 'app', ref: 'main' });
      await clients.forInstallation(11).rest.checks.create({ owner: 'acme', repo: 'app', name: 'build', head_sha: sha, status: 'queued' });
      assert.equal(world.fake.count('POST', TOKEN_REQUEST) - before, 1);
      const last = world.fake.requests.at(-1);
      assert.deepEqual([last?.caller, last?.status], ['installation', 201]);
      assert.deepEqual(world.fake.violations, []);
    });

    it('gives a clone token limited to one repository, read-only, that git accepts', async () => {
      const clients = app();
      const { token, expiresAt } = await clients.cloneToken(11, { owner: 'acme', name: 'app' });
      assert.ok(expiresAt && expiresAt.getTime() > Date.now() + 30 * 60_000, 'expires about an hour from now');
      const issued = world.fake.issuedTokens().find((t) => t.token === token);
      assert.deepEqual([issued?.repositories, issued?.permissions], [['app'], { contents: 'read' }]);
      assert.equal((await clients.cloneToken(11, { owner: 'acme', name: 'app' })).token, token, 'cached');

      const url = new URL(world.fake.cloneUrl('acme/app'));
      const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
      const cloneUrl = (name: string) => `${url.protocol}//x-access-token:${token}@${url.host}/acme/${name}.git`;
      await execFileAsync('git', ['clone', '--quiet', cloneUrl('app'), join(world.git.root, 'cloned-app')], { env });
      await assert.rejects(execFileAsync('git', ['clone', '--quiet', cloneUrl('other'), join(world.git.root, 'cloned-other')], { env }), /not found/i);
      const write = await fetch(`${world.fake.url}/repos/acme/app/check-runs`, {
        method: 'POST',
        headers: { authorization: `token ${token}` },
        body: JSON.stringify({ name: 'x', head_sha: sha }),
      });
      assert.equal(write.status, 403, 'the clone token cannot write');
      assert.deepEqual(world.fake.violations, []);
    });

    it('names GITHUB_PRIVATE_KEY when the key is malformed', async () => {
      const truncated = world.privateKey.split('\n').slice(0, 5).join('\n');
      await assert.rejects(app(truncated).verify(), /GITHUB_PRIVATE_KEY/);
      await assert.rejects(app('not a key').verify(), /GITHUB_PRIVATE_KEY/);
      assert.throws(() => app('not a key').forInstallation(11), /GITHUB_PRIVATE_KEY/);
    });

    it('names GITHUB_APP_ID when GitHub refuses the JWT', async () => {
      await assert.rejects(app(world.privateKey, APP_ID + 1).verify(), /GITHUB_APP_ID \(4243\)/);
      await assert.rejects(app(appKeyPair().privateKey).verify(), /GITHUB_APP_ID/);
      await assert.rejects(app(world.privateKey, 0).verify(), /GITHUB_APP_ID/);
    });

    it('finds the installation of a repository, and says when the App is not installed there', async () => {
      const clients = app();
      assert.equal(await clients.repoInstallation({ owner: 'acme', name: 'app' }), 11);
      await assert.rejects(clients.repoInstallation({ owner: 'acme', name: 'elsewhere' }), /not installed on acme\/elsewhere/);
      const { data } = await clients.forInstallation(11).rest.repos.get({ owner: 'acme', repo: 'app' });
      assert.deepEqual([data.default_branch, data.clone_url], ['main', world.fake.cloneUrl('acme/app')]);
    });

    it('refuses to act for an event without an installation id', () => {
      assert.throws(() => app().forInstallation(undefined), /installation id/);
    });
  });

  describe('with a token', () => {
    it('verifies with GET /user and uses the token for everything, clone included', async () => {
      const clients = createGithubClients(options({ kind: 'token', token: USER_TOKEN }));
      assert.deepEqual(await clients.verify(), { mode: 'token', name: 'octocat' });
      assert.deepEqual(await clients.cloneToken(undefined, { owner: 'acme', name: 'app' }), { token: USER_TOKEN });
      assert.equal(await clients.repoInstallation({ owner: 'acme', name: 'app' }), undefined);
      const { data } = await clients.forInstallation(undefined).rest.repos.getCommit({ owner: 'acme', repo: 'app', ref: 'main' });
      assert.equal(data.sha, sha);
    });

    it('names GITHUB_TOKEN when GitHub refuses it', async () => {
      await assert.rejects(createGithubClients(options({ kind: 'token', token: 'ghp_revoked' })).verify(), /GITHUB_TOKEN/);
      await assert.rejects(createGithubClients(options({ kind: 'token', token: '' })).verify(), /GITHUB_TOKEN/);
    });

    it('names GITHUB_API_URL when GitHub is unreachable', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const clients = createGithubClients(options({ kind: 'token', token: USER_TOKEN }, `http://127.0.0.1:${port}`));
      await assert.rejects(clients.verify(), /GITHUB_API_URL/);
    });
  });

  describe('rate limits and server errors', () => {
    const getCommit = () => createGithubClients(options({ kind: 'token', token: USER_TOKEN })).forInstallation(undefined).rest.repos.getCommit({ owner: 'acme', repo: 'app', ref: 'main' });
    const attempts = (from: number) => world.fake.requests.slice(from).map((r) => r.status);

    it('waits out a primary rate limit and retries', async () => {
      const from = world.fake.requests.length;
      world.fake.rateLimit({ kind: 'primary', count: 1, resetAfterSeconds: 1 });
      assert.equal((await getCommit()).data.sha, sha);
      assert.deepEqual(attempts(from), [403, 200]);
      assert.match(log.warnings[0]?.message ?? '', /primary rate limit/);
    });

    it('waits out a secondary rate limit and retries', async () => {
      const from = world.fake.requests.length;
      world.fake.rateLimit({ kind: 'secondary', count: 2, retryAfterSeconds: 2 });
      assert.equal((await getCommit()).data.sha, sha);
      assert.deepEqual(attempts(from), [403, 403, 200]);
      assert.deepEqual(log.warnings.map((w) => (w.fields as { retryAfterSeconds: number }).retryAfterSeconds), [2, 2]);
    });

    it('gives up after a bounded number of rate-limited attempts', async () => {
      const from = world.fake.requests.length;
      world.fake.rateLimit({ kind: 'secondary', count: 10, retryAfterSeconds: 1 });
      await assert.rejects(getCommit(), /secondary rate limit/);
      assert.deepEqual(attempts(from), [403, 403, 403, 403]);
      world.fake.clearFaults();
      assert.equal((await getCommit()).data.sha, sha);
    });

    it('does not wait for a limit that resets too far ahead', async () => {
      const from = world.fake.requests.length;
      world.fake.rateLimit({ kind: 'primary', count: 1, resetAfterSeconds: 3600 });
      await assert.rejects(getCommit(), /rate limit/);
      assert.deepEqual(attempts(from), [403]);
    });

    it('retries a server error', async () => {
      const from = world.fake.requests.length;
      world.fake.failNext(2, { status: 500 });
      assert.equal((await getCommit()).data.sha, sha);
      assert.deepEqual(attempts(from), [500, 500, 200]);
    });

    it('spaces writes one GitHub "second" apart', async () => {
      const clients = createGithubClients({ ...options({ kind: 'token', token: USER_TOKEN }), retryAfterBaseMs: 150 });
      const octokit = clients.forInstallation(undefined);
      await octokit.rest.repos.createCommitStatus({ owner: 'acme', repo: 'app', sha, state: 'pending', context: 'warm-up' });
      const from = world.fake.requests.length;
      await Promise.all(['a', 'b', 'c'].map((name) => octokit.rest.repos.createCommitStatus({ owner: 'acme', repo: 'app', sha, state: 'pending', context: name })));
      const arrivals = world.fake.requests.slice(from).map((r) => r.at);
      assert.equal(arrivals.length, 3);
      const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] as number));
      // about the configured gap (less the jitter of the loopback), well under Octokit's default one second
      assert.ok(gaps.every((gap) => gap >= 100 && gap < 900), `gaps between writes: ${gaps.join(', ')} ms`);
    });

    it('does not retry a refused request', async () => {
      const from = world.fake.requests.length;
      world.fake.failNext(1, { status: 422 });
      await assert.rejects(getCommit(), (err: { status?: number }) => err.status === 422);
      assert.deepEqual(attempts(from), [422]);
    });
  });
});
