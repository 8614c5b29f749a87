import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { ensureTestImage, BUSYBOX_IMAGE } from '../support/images.ts';
import { githubWorld, type GithubWorld } from '../support/github-world.ts';
import { startPistages, WEBHOOK_SECRET, type PistagesServer } from '../support/github-server.ts';
import { waitFor } from '../support/wait.ts';
import { pullRequestPayload, pushPayload, repositoryObject, signedDelivery } from '../support/webhook-payloads.ts';
import { webhookExample, type Payload } from '../support/webhook-examples.ts';
import { ZERO_SHA, type GitRepo } from '../support/git-fixture.ts';

/**
 * Pull requests (same repository and fork: a fork's run gets no secrets), and GitHub's re-run
 * buttons: "Re-run" on a check run, the check run's own "Re-run failed groups", and "Re-run all".
 */

const FILES = {
  '.pistages/pr.yaml': [
    'name: PR check',
    'on:',
    '  pull_request:',
    '    branches: [main]',
    'secrets: [DEPLOY_KEY]',
    `image: ${BUSYBOX_IMAGE}`,
    'run: echo "secret=${DEPLOY_KEY:+present} fork=${PISTAGES_FORK:-false} pr=$PISTAGES_PULL_REQUEST"',
    '',
  ].join('\n'),
  '.pistages/docs.yaml': `name: Docs\non:\n  pull_request:\n    paths: ["docs/**"]\nimage: ${BUSYBOX_IMAGE}\nrun: echo docs\n`,
  '.pistages/groups.yaml': [
    'name: Groups',
    `image: ${BUSYBOX_IMAGE}`,
    'uses:',
    '  good:',
    '    - run: echo fine',
    '  bad:',
    '    - run: echo "attempt $PISTAGES_ATTEMPT"; exit 1',
    '',
  ].join('\n'),
};

interface RunView { id: string; status: string; job: string; fork: boolean; onlyGroups: string[] | null; rerunOf: string | null; pullRequest: number | null }

describe('GitHub pull requests and re-runs', () => {
  let world: GithubWorld;
  let server: PistagesServer;
  let repo: GitRepo;
  let base: string;
  let cloneUrl: string;

  before(async () => {
    await ensureTestImage(new Docker(), BUSYBOX_IMAGE);
    world = await githubWorld();
    const created = await world.git.repo('acme/web', FILES);
    repo = created.repo;
    base = created.sha;
    await world.fake.addRepo(repo, { installationId: 9 });
    cloneUrl = world.fake.cloneUrl(repo.fullName);
    server = await startPistages(world);
    await server.services.secrets.put('DEPLOY_KEY', 'global', 'the-deploy-key-value');
  });

  after(async () => {
    await server?.close();
    await world?.dispose();
  });

  const runsOf = async (sha: string): Promise<RunView[]> => (await server.api<{ runs: RunView[] }>(`/api/runs?sha=${sha}`)).runs;
  const logOf = async (id: string): Promise<string> =>
    (await fetch(`${server.url}/api/runs/${id}/logs`, { headers: { authorization: 'Bearer api-token-for-tests-0123456789' } })).text();
  const finished = (sha: string, count: number) =>
    waitFor(`${count} finished runs of ${sha.slice(0, 7)}`, async () => {
      const runs = await runsOf(sha);
      return runs.length === count && runs.every((r) => !['queued', 'running'].includes(r.status)) ? runs : undefined;
    }, { timeoutMs: 180_000 });

  it('runs on.pull_request jobs on the head commit of a same-repository pull request, with secrets', async () => {
    await repo.branch('feature');
    const head = await repo.commit({ 'README.md': 'feature\n' }, 'feature work');
    const payload = pullRequestPayload(repo, { action: 'opened', number: 5, headSha: head, headRef: 'feature', baseSha: base, cloneUrl, installationId: 9 });
    assert.equal((await server.deliver(await signedDelivery('pull_request', payload, WEBHOOK_SECRET, 'pr-5'))).status, 202);
    const [run] = await finished(head, 1);
    const recorded = await server.services.deliveries.get('pr-5');
    assert.match(recorded?.reason ?? '', /filtered out by on: \(\.pistages\/docs\.yaml, /, 'a change outside docs/** does not run the Docs job');
    assert.equal(run?.job, 'PR check');
    assert.equal(run?.status, 'success');
    assert.equal(run?.pullRequest, 5);
    assert.match(await logOf(run?.id ?? ''), /secret=present fork=false pr=5/);
  });

  it('gives a fork pull request no secrets and marks the run', async () => {
    const fork = (await world.git.repo('mallory/web', {})).repo;
    const head = await repo.commit({ 'evil.sh': 'echo $DEPLOY_KEY\n' }, 'from a fork');
    const payload = pullRequestPayload(repo, {
      action: 'opened', number: 6, headSha: head, headRef: 'patch-1', baseSha: base, cloneUrl, installationId: 9,
      headRepo: { repo: fork, cloneUrl: world.fake.cloneUrl(fork.fullName) },
    });
    assert.equal((await server.deliver(await signedDelivery('pull_request', payload, WEBHOOK_SECRET))).status, 202);
    const [run] = await finished(head, 1);
    assert.equal(run?.status, 'success');
    assert.equal(run?.fork, true);
    const log = await logOf(run?.id ?? '');
    assert.match(log, /secret= fork=true pr=6/);
    assert.doesNotMatch(log, /the-deploy-key-value/);
  });

  it('ignores pull request actions that start nothing', async () => {
    const payload = pullRequestPayload(repo, { action: 'closed', number: 5, headSha: base, headRef: 'feature', cloneUrl, installationId: 9 });
    const delivery = await signedDelivery('pull_request', payload, WEBHOOK_SECRET, 'closed-pr');
    assert.equal((await server.deliver(delivery)).status, 202);
    const recorded = await waitFor('closed-pr processed', async () => {
      const { deliveries } = await server.api<{ deliveries: { id: string; outcome: string; reason?: string }[] }>('/api/deliveries?event=pull_request');
      return deliveries.find((d) => d.id === 'closed-pr' && d.outcome !== 'received');
    });
    assert.equal(recorded.outcome, 'ignored');
    assert.match(recorded.reason ?? '', /closed/);
  });

  it('re-runs a job from "Re-run", only its failed groups from "Re-run failed groups", and all from the suite', async () => {
    const push = await pushPayload(repo, { before: ZERO_SHA, after: base, cloneUrl, installationId: 9 });
    assert.equal((await server.deliver(await signedDelivery('push', push, WEBHOOK_SECRET))).status, 202);
    const [original] = await finished(base, 1);
    assert.equal(original?.status, 'failure');
    const check = await waitFor('the failed check run', () =>
      world.fake.checkRuns('acme/web', base).find((c) => c.external_id === original?.id && c.status === 'completed'));
    assert.deepEqual((check.actions as { identifier: string }[]).map((a) => a.identifier), ['rerun-failed']);

    const checkRun = (action: string, extra: Payload = {}): Payload => {
      const example = webhookExample('check_run', (p) => p.action === 'rerequested' || p.action === 'completed');
      const template = example.check_run as Payload;
      return {
        ...example,
        action,
        ...extra,
        repository: repositoryObject(example.repository as Payload, repo, { cloneUrl }),
        installation: { id: 9 },
        check_run: { ...template, id: check.id, name: check.name, head_sha: base, external_id: check.external_id, status: 'completed', conclusion: 'failure' },
      };
    };
    await server.deliver(await signedDelivery('check_run', checkRun('rerequested'), WEBHOOK_SECRET));
    await server.deliver(await signedDelivery('check_run', checkRun('requested_action', { requested_action: { identifier: 'rerun-failed' } }), WEBHOOK_SECRET));
    const runs = await finished(base, 3);
    const reruns = runs.filter((r) => r.rerunOf === original?.id);
    assert.equal(reruns.length, 2);
    assert.deepEqual(reruns.map((r) => r.onlyGroups ?? 'all').sort(), [['bad'], 'all'].sort());

    const suite = webhookExample('check_suite', (p) => p.action === 'rerequested' || p.action === 'completed');
    const suitePayload = {
      ...suite,
      action: 'rerequested',
      repository: repositoryObject(suite.repository as Payload, repo, { cloneUrl }),
      installation: { id: 9 },
      check_suite: { ...(suite.check_suite as Payload), head_sha: base },
    };
    await server.deliver(await signedDelivery('check_suite', suitePayload, WEBHOOK_SECRET));
    const all = await finished(base, 4);
    assert.equal(all.filter((r) => r.rerunOf !== null).length, 3);
    assert.deepEqual(world.fake.violations, []);
  });
});
