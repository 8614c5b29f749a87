import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { ensureTestImage, BUSYBOX_IMAGE } from '../support/images.ts';
import { githubWorld, type GithubWorld } from '../support/github-world.ts';
import { startPistages, WEBHOOK_SECRET, type PistagesServer } from '../support/github-server.ts';
import { waitFor } from '../support/wait.ts';
import { pushPayload, signedDelivery } from '../support/webhook-payloads.ts';
import type { GitRepo } from '../support/git-fixture.ts';

/**
 * The shared actions repository (PISTAGES_ACTIONS_REPO): synced at start-up and on pushes to its
 * branch; a broken push is rejected with a failed check run and the working version stays; a
 * repository's own `.pistages/actions/` win over shared actions for that repository's jobs.
 */

const greet = (word: string) => `name: Greet\nimage: ${BUSYBOX_IMAGE}\nwith:\n  who: world\nrun: echo "${word} {{ .who }}"\n`;

describe('shared actions repository', () => {
  let world: GithubWorld;
  let server: PistagesServer;
  let actionsRepo: GitRepo;
  let actionsSha: string;

  before(async () => {
    await ensureTestImage(new Docker(), BUSYBOX_IMAGE);
    world = await githubWorld();
    const created = await world.git.repo('acme/ci-actions', { 'greet.yaml': greet('hello'), 'docs/readme.md': 'not an action\n' });
    actionsRepo = created.repo;
    actionsSha = created.sha;
    await world.fake.addRepo(actionsRepo, { installationId: 3 });
    server = await startPistages(world, { env: { PISTAGES_ACTIONS_REPO: 'acme/ci-actions@main' } });
  });

  after(async () => {
    await server?.close();
    await world?.dispose();
  });

  const pushActions = async (files: Record<string, string | null>, id: string): Promise<string> => {
    const before = await actionsRepo.revParse('HEAD');
    const sha = await actionsRepo.commit(files);
    const payload = await pushPayload(actionsRepo, { before, after: sha, cloneUrl: world.fake.cloneUrl(actionsRepo.fullName), installationId: 3 });
    assert.equal((await server.deliver(await signedDelivery('push', payload, WEBHOOK_SECRET, id))).status, 202);
    await waitFor(`delivery ${id} processed`, async () => (await server.services.deliveries.get(id))?.outcome !== 'received' || undefined);
    return sha;
  };

  it('registers the actions at start-up with their source', async () => {
    const record = await server.services.actions.get('Greet');
    assert.equal(record?.version, 1);
    assert.deepEqual(record?.source, { kind: 'repo', repo: 'acme/ci-actions', sha: actionsSha, path: 'greet.yaml' });
    const check = world.fake.checkRuns('acme/ci-actions', actionsSha).find((c) => c.name === 'pistages/actions');
    assert.equal(check?.conclusion, 'success');
  });

  it('registers a new version on a push to the branch', async () => {
    const sha = await pushActions({ 'greet.yaml': greet('hi') }, 'actions-v2');
    const record = await server.services.actions.get('Greet');
    assert.equal(record?.version, 2);
    assert.equal(record?.source.sha, sha);
    assert.match(record?.yaml ?? '', /hi \{\{ \.who \}\}/);
  });

  it('rejects a broken push with a failed check run and keeps the working version', async () => {
    const sha = await pushActions({ 'greet.yaml': 'name: Greet\nimage: x\nrun: echo\nwiht:\n  who: typo\n', 'copy.yaml': greet('dup').replace('Greet', 'Wave') }, 'actions-broken');
    const record = await server.services.actions.get('Greet');
    assert.equal(record?.version, 2, 'the working version stays registered');
    const failed = await waitFor('the failed check run', () => world.fake.checkRuns('acme/ci-actions', sha).find((c) => c.conclusion === 'failure'));
    assert.equal(failed.name, 'pistages/actions: greet.yaml');
    const annotations = failed.output?.annotations as { path: string; start_line: number; message: string }[];
    assert.equal(annotations[0]?.path, 'greet.yaml');
    assert.equal(annotations[0]?.start_line, 4);
    assert.match(annotations[0]?.message ?? '', /with/);
    assert.equal((await server.services.actions.get('Wave'))?.version, 1, 'the other files of the push are registered');
  });

  it('rejects two files defining one name', async () => {
    const sha = await pushActions({ 'greet.yaml': greet('hey'), 'greet-again.yml': greet('yo') }, 'actions-dup');
    const failed = world.fake.checkRuns('acme/ci-actions', sha).filter((c) => c.conclusion === 'failure');
    assert.deepEqual(failed.map((c) => c.name).sort(), ['pistages/actions: greet-again.yml', 'pistages/actions: greet.yaml']);
    assert.equal((await server.services.actions.get('Greet'))?.version, 2);
  });

  it("prefers a repository's own action over the shared one of the same name", async () => {
    const app = await world.git.repo('acme/svc', {
      '.pistages/actions/greet.yaml': greet('local'),
      '.pistages/hello.yaml': 'name: Hello\nuses:\n  main:\n    - dep: Greet\n      with:\n        who: team\n',
    });
    await world.fake.addRepo(app.repo, { installationId: 3 });
    const payload = await pushPayload(app.repo, { before: '0'.repeat(40), after: app.sha, cloneUrl: world.fake.cloneUrl('acme/svc'), installationId: 3 });
    await server.deliver(await signedDelivery('push', payload, WEBHOOK_SECRET));
    const check = await waitFor('the Hello check run', () => world.fake.checkRuns('acme/svc', app.sha).find((c) => c.status === 'completed'));
    assert.equal(check.conclusion, 'success');
    const log = await (await fetch(`${server.url}/api/runs/${check.external_id}/logs`, { headers: { authorization: 'Bearer api-token-for-tests-0123456789' } })).text();
    assert.match(log, /local team/);
    assert.deepEqual(world.fake.violations, []);
  });
});
