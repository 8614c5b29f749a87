import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Octokit } from '@octokit/rest';
import { createGithubClients } from '../../src/github/client.ts';
import { RepoReader } from '../../src/github/discover.ts';
import { ZERO_SHA, type GitRepo } from '../support/git-fixture.ts';
import { githubWorld, recordingLog, type GithubWorld } from '../support/github-world.ts';

const TREES = /\/git\/trees\//;
const BLOBS = /\/git\/blobs\//;

describe('RepoReader against the fake GitHub', () => {
  let world: GithubWorld;
  let octokit: Octokit;
  let repo: GitRepo;
  let first: string;
  const widgets = { owner: 'acme', name: 'widgets' };

  before(async () => {
    world = await githubWorld();
    ({ repo, sha: first } = await world.git.repo('acme/widgets', {
      'README.md': 'widgets\n',
      '.pistages/build.yaml': 'name: build\nrun: make\n',
      '.pistages/lint.yml': 'name: lint\nrun: make lint\n',
      '.pistages/notes.md': 'not a job\n',
      '.pistages/nested/ignored.yaml': 'name: nested\n',
      '.pistages/actions/clone.yaml': 'name: Clone Repo\n',
      '.pistages/actions/deploy/k8s.yaml': 'name: Deploy\n',
    }));
    await world.fake.addRepo(repo, { installationId: 5 });
    const clients = createGithubClients({ apiUrl: world.fake.url, auth: { kind: 'app', appId: 4242, privateKey: world.privateKey }, log: recordingLog(), retryAfterBaseMs: 5 });
    octokit = clients.forInstallation(5);
  });
  after(() => world.dispose());

  const counting = async <T>(work: () => Promise<T>): Promise<{ result: T; trees: number; blobs: number }> => {
    const [trees, blobs] = [world.fake.count('GET', TREES), world.fake.count('GET', BLOBS)];
    const result = await work();
    return { result, trees: world.fake.count('GET', TREES) - trees, blobs: world.fake.count('GET', BLOBS) - blobs };
  };

  it('reads top-level jobs and the actions folder, and nothing else', async () => {
    const { result, trees, blobs } = await counting(() => new RepoReader().pistagesFiles(octokit, widgets, first));
    assert.deepEqual(result.jobs.map((f) => [f.path, f.text]), [
      ['.pistages/build.yaml', 'name: build\nrun: make\n'],
      ['.pistages/lint.yml', 'name: lint\nrun: make lint\n'],
    ]);
    assert.deepEqual(result.actions.map((f) => f.path), ['.pistages/actions/clone.yaml', '.pistages/actions/deploy/k8s.yaml']);
    assert.deepEqual({ trees, blobs }, { trees: 2, blobs: 4 });
  });

  it('costs one tree request when .pistages did not change, and fetches only changed blobs', async () => {
    const reader = new RepoReader();
    await reader.pistagesFiles(octokit, widgets, first);
    const unrelated = await repo.commit({ 'src/main.c': 'int main;\n' }, 'code only');
    const again = await counting(() => reader.pistagesFiles(octokit, widgets, unrelated));
    assert.deepEqual({ trees: again.trees, blobs: again.blobs }, { trees: 1, blobs: 0 });
    assert.equal(again.result.jobs.length, 2);

    const edited = await repo.commit({ '.pistages/lint.yml': 'name: lint\nrun: make lint-all\n' }, 'edit lint');
    const changed = await counting(() => reader.pistagesFiles(octokit, widgets, edited));
    assert.deepEqual({ trees: changed.trees, blobs: changed.blobs }, { trees: 2, blobs: 1 });
    assert.equal(changed.result.jobs.find((f) => f.path === '.pistages/lint.yml')?.text, 'name: lint\nrun: make lint-all\n');
  });

  it('finds no files in a repository without .pistages', async () => {
    const bare = await world.git.repo('acme/plain', { 'README.md': 'plain\n' });
    await world.fake.addRepo(bare.repo, { installationId: 5 });
    assert.deepEqual(await new RepoReader().pistagesFiles(octokit, { owner: 'acme', name: 'plain' }, bare.sha), { jobs: [], actions: [] });
  });

  it('lists every YAML file of a shared actions repository outside dot-folders', async () => {
    const shared = await world.git.repo('acme/actions', {
      'clone.yaml': 'name: Clone\n',
      'build/docker.yml': 'name: Docker\n',
      '.github/workflows/ci.yaml': 'name: ci\n',
      'docs/readme.md': 'docs\n',
    });
    await world.fake.addRepo(shared.repo, { installationId: 5 });
    const files = await new RepoReader().yamlFiles(octokit, { owner: 'acme', name: 'actions' }, shared.sha);
    assert.deepEqual(files.map((f) => f.path), ['build/docker.yml', 'clone.yaml']);
  });

  it('explains a truncated tree instead of reading part of it', async () => {
    const big = await world.git.repo('acme/big', { '.pistages/a.yaml': 'name: a\n', '.pistages/b.yaml': 'name: b\n', '.pistages/c.yaml': 'name: c\n' });
    await world.fake.addRepo(big.repo, { installationId: 5 });
    world.fake.truncateTrees('acme/big', 2);
    await assert.rejects(new RepoReader().pistagesFiles(octokit, { owner: 'acme', name: 'big' }, big.sha), /acme\/big: GitHub's Trees API truncated the listing of \.pistages/);
  });

  it('lists changed files between two commits, or says it cannot tell', async () => {
    const reader = new RepoReader();
    const base = await repo.revParse('HEAD');
    const head = await repo.commit({ 'docs/guide.md': 'guide\n', 'README.md': null }, 'docs');
    assert.deepEqual((await reader.changedFiles(octokit, widgets, base, head))?.sort(), ['README.md', 'docs/guide.md']);
    assert.equal(await reader.changedFiles(octokit, widgets, ZERO_SHA, head), undefined);
    const many = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`gen/${i}.txt`, `${i}\n`]));
    const huge = await repo.commit(many, 'generated');
    assert.equal(await reader.changedFiles(octokit, widgets, head, huge), undefined);
    assert.equal(await reader.changedFiles(octokit, widgets, 'f'.repeat(40), huge), undefined, 'a base GitHub does not know');
  });

  it('resolves branches, tags and shas to commit shas', async () => {
    const reader = new RepoReader();
    await repo.tag('v1', first);
    assert.equal(await reader.resolveRef(octokit, widgets, 'v1'), first);
    assert.equal(await reader.resolveRef(octokit, widgets, 'main'), await repo.revParse('main'));
    assert.equal(await reader.resolveRef(octokit, widgets, first.slice(0, 12)), first);
    assert.deepEqual(world.fake.violations, []);
  });
});
