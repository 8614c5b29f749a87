import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { verify } from '@octokit/webhooks-methods';
import { ZERO_SHA, type GitRepo } from '../support/git-fixture.ts';
import { githubWorld, USER_TOKEN, type GithubWorld } from '../support/github-world.ts';
import { pullRequestPayload, pushPayload, signedDelivery } from '../support/webhook-payloads.ts';

const execFileAsync = promisify(execFile);

describe('fake GitHub', () => {
  let world: GithubWorld;
  let repo: GitRepo;
  let first: string;
  let second: string;

  before(async () => {
    world = await githubWorld();
    ({ repo, sha: first } = await world.git.repo('acme/widgets', { 'README.md': 'hello\n', '.pistages/build.yaml': 'name: build\n', 'old.txt': 'x' }));
    second = await repo.commit({ 'README.md': 'hello again\n', 'src/new.ts': 'export {};\n', 'old.txt': null }, 'second');
    await world.fake.addRepo(repo);
  });
  after(() => world.dispose());

  const api = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${world.fake.url}${path}`, {
      ...init,
      headers: { authorization: `token ${init.token ?? USER_TOKEN}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });

  it('answers trees, blobs, contents, commits and comparisons from the git repository', async () => {
    const tree = (await (await api(`/repos/acme/widgets/git/trees/${second}`)).json()) as { tree: Array<{ path: string; type: string; sha: string }>; truncated: boolean };
    assert.deepEqual(tree.tree.map((e) => `${e.type} ${e.path}`).sort(), ['blob README.md', 'tree .pistages', 'tree src']);
    const recursive = (await (await api(`/repos/acme/widgets/git/trees/${second}?recursive=1`)).json()) as typeof tree;
    assert.ok(recursive.tree.some((e) => e.path === '.pistages/build.yaml'));
    const readme = tree.tree.find((e) => e.path === 'README.md');
    const blob = (await (await api(`/repos/acme/widgets/git/blobs/${readme?.sha}`)).json()) as { content: string; encoding: string };
    assert.equal(Buffer.from(blob.content, 'base64').toString(), 'hello again\n');
    const contents = (await (await api(`/repos/acme/widgets/contents/.pistages%2Fbuild.yaml?ref=${first}`)).json()) as { content: string };
    assert.equal(Buffer.from(contents.content, 'base64').toString(), 'name: build\n');
    const commit = (await (await api('/repos/acme/widgets/commits/main')).json()) as { sha: string; parents: Array<{ sha: string }> };
    assert.deepEqual([commit.sha, commit.parents[0]?.sha], [second, first]);
    const compare = (await (await api(`/repos/acme/widgets/compare/${first}...${second}`)).json()) as { files: Array<{ filename: string; status: string }>; ahead_by: number };
    assert.equal(compare.ahead_by, 1);
    assert.deepEqual(compare.files.map((f) => `${f.status} ${f.filename}`).sort(), ['added src/new.ts', 'modified README.md', 'removed old.txt']);
    assert.equal((await api('/repos/acme/widgets/commits/no-such-branch')).status, 422);
    assert.equal((await api('/repos/acme/unknown/commits/main')).status, 404);
    assert.deepEqual(world.fake.violations, []);
  });

  it('keeps statuses and check runs, applies updates, and lists them per commit', async () => {
    const status = await api(`/repos/acme/widgets/statuses/${second}`, { method: 'POST', body: JSON.stringify({ state: 'pending', context: 'pistages/build' }) });
    assert.equal(status.status, 201);
    const created = await api('/repos/acme/widgets/check-runs', { method: 'POST', body: JSON.stringify({ name: 'build', head_sha: second, status: 'in_progress', external_id: 'run-1' }) });
    const { id } = (await created.json()) as { id: number };
    const updated = await api(`/repos/acme/widgets/check-runs/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ conclusion: 'failure', output: { title: 'build failed', summary: 'step 2 exited 1' } }),
    });
    assert.equal(updated.status, 200);
    assert.deepEqual(
      world.fake.statuses('acme/widgets', second).map((s) => [s.state, s.context]),
      [['pending', 'pistages/build']],
    );
    const [run] = world.fake.checkRuns('acme/widgets', second);
    assert.deepEqual([run?.status, run?.conclusion, run?.external_id, run?.output?.title], ['completed', 'failure', 'run-1', 'build failed']);
    const listed = (await (await api(`/repos/acme/widgets/commits/main/check-runs?check_name=build`)).json()) as { total_count: number };
    assert.equal(listed.total_count, 1);
    assert.deepEqual(world.fake.violations, []);
  });

  it('answers 422 and records a violation for a request GitHub would reject', async () => {
    const bad = await api('/repos/acme/widgets/check-runs', { method: 'POST', body: JSON.stringify({ name: 'build', head_sha: second, conclusion: 'passed' }) });
    assert.equal(bad.status, 422);
    const wrongMethod = await api(`/repos/acme/widgets/git/trees/${second}`, { method: 'DELETE' });
    assert.equal(wrongMethod.status, 422);
    const tooLong = await api('/repos/acme/widgets/check-runs', { method: 'POST', body: JSON.stringify({ name: 'b', head_sha: second, output: { title: 't', summary: 'x'.repeat(65_536) } }) });
    assert.equal(tooLong.status, 422);
    const reasons = world.fake.violations.splice(0).map((v) => v.reason);
    assert.equal(reasons.length, 3);
    assert.match(reasons[0] ?? '', /conclusion must be equal to one of the allowed values/);
    assert.match(reasons[1] ?? '', /DELETE is not allowed/);
    assert.match(reasons[2] ?? '', /summary must NOT have more than 65535 characters/);
    assert.equal(world.fake.checkRuns('acme/widgets').filter((r) => r.name !== 'build').length, 0, 'rejected requests change nothing');
  });

  it('refuses requests without a live token it knows, and App endpoints without a valid App JWT', async () => {
    assert.equal((await api('/repos/acme/widgets/commits/main', { token: 'ghp_unknown' })).status, 401);
    assert.equal((await fetch(`${world.fake.url}/repos/acme/widgets/commits/main`)).status, 401);
    assert.equal((await api('/app')).status, 401);
    const expired = world.fake.credentials.issue(1, {}, Date.now() - 2 * 60 * 60_000);
    assert.equal((await api('/repos/acme/widgets/commits/main', { token: expired.token })).status, 401);
    const fresh = world.fake.credentials.issue(1, {});
    assert.equal((await api('/repos/acme/widgets/commits/main', { token: fresh.token })).status, 200);
    const forged = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(`{"iss":4242,"iat":1,"exp":${Math.floor(Date.now() / 1000) + 60}}`).toString('base64url')}.c2ln`;
    assert.equal((await api('/app', { headers: { authorization: `Bearer ${forged}` } })).status, 401);
  });

  it('fails and rate-limits the next requests on demand', async () => {
    world.fake.failNext(2, { status: 502 });
    world.fake.rateLimit({ kind: 'primary', count: 1, resetAfterSeconds: 30 });
    world.fake.rateLimit({ kind: 'secondary', count: 1, retryAfterSeconds: 7 });
    const statuses = [];
    const headers = [];
    for (let i = 0; i < 5; i++) {
      const response = await api('/repos/acme/widgets/commits/main');
      statuses.push(response.status);
      headers.push([response.headers.get('x-ratelimit-remaining'), response.headers.get('retry-after')]);
    }
    assert.deepEqual(statuses, [502, 502, 403, 403, 200]);
    assert.deepEqual(headers[2]?.[0], '0');
    assert.deepEqual(headers[3]?.[1], '7');
    world.fake.rateLimit({ kind: 'secondary', until: new Date(Date.now() - 1) });
    assert.equal((await api('/repos/acme/widgets/commits/main')).status, 200, 'a limit until a past time limits nothing');
  });

  it('serves git clone over smart HTTP to a known token only', async () => {
    const target = join(world.git.root, 'clone-ok');
    const url = new URL(world.fake.cloneUrl('acme/widgets'));
    const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    const withToken = `${url.protocol}//x-access-token:${USER_TOKEN}@${url.host}${url.pathname}`;
    await execFileAsync('git', ['clone', '--quiet', withToken, target], { env });
    assert.equal(await readFile(join(target, 'README.md'), 'utf8'), 'hello again\n');
    const refused = execFileAsync('git', ['clone', '--quiet', url.toString(), join(world.git.root, 'clone-refused')], { env });
    await assert.rejects(refused, /Authentication failed|could not read Username|401/);
    assert.ok(world.fake.requests.some((r) => r.kind === 'git' && r.status === 401));
  });

  it('builds signed push and pull_request deliveries from GitHub example payloads', async () => {
    const payload = await pushPayload(repo, { cloneUrl: world.fake.cloneUrl('acme/widgets'), before: first, after: second, installationId: 7 });
    const commits = payload.commits as Array<{ id: string; added: string[]; modified: string[]; removed: string[] }>;
    assert.deepEqual(commits.map((c) => [c.id, c.added, c.modified, c.removed]), [[second, ['src/new.ts'], ['README.md'], ['old.txt']]]);
    assert.equal((payload.repository as { clone_url: string }).clone_url, world.fake.cloneUrl('acme/widgets'));
    assert.deepEqual([payload.before, payload.after, (payload.installation as { id: number }).id], [first, second, 7]);
    const deleted = await pushPayload(repo, { cloneUrl: world.fake.cloneUrl('acme/widgets'), before: second, after: ZERO_SHA });
    assert.deepEqual([deleted.deleted, deleted.commits, deleted.installation], [true, [], undefined]);
    const delivery = await signedDelivery('push', payload, 'the-secret');
    assert.equal(await verify('the-secret', delivery.body, delivery.headers['x-hub-signature-256'] as string), true);
    assert.equal(await verify('another-secret', delivery.body, delivery.headers['x-hub-signature-256'] as string), false);
    const pr = pullRequestPayload(repo, { action: 'opened', number: 3, headSha: second, headRef: 'feature', cloneUrl: world.fake.cloneUrl('acme/widgets') });
    const head = (pr.pull_request as { head: { sha: string; ref: string; repo: { full_name: string } } }).head;
    assert.deepEqual([pr.action, head.sha, head.ref, head.repo.full_name], ['opened', second, 'feature', 'acme/widgets']);
  });
});
