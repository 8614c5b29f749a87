import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { ensureTestImage, BUSYBOX_IMAGE } from '../support/images.ts';
import { githubWorld, type GithubWorld } from '../support/github-world.ts';
import { startPistages, WEBHOOK_SECRET, type PistagesServer } from '../support/github-server.ts';
import { waitFor } from '../support/wait.ts';
import { pushPayload, signedDelivery } from '../support/webhook-payloads.ts';
import { ZERO_SHA, type GitRepo } from '../support/git-fixture.ts';

/**
 * Webhook in, check runs out: a repository with five jobs (passing, failing, invalid, filtered out
 * by `on:`, checking out the code and running its script) on the real Docker engine and a
 * MongoDB-compatible server, reporting to the fake GitHub, which checks every request against
 * GitHub's OpenAPI description.
 */

const FILES = {
  '.pistages/pass.yaml': `name: Pass\nimage: ${BUSYBOX_IMAGE}\nrun: echo all good\n`,
  '.pistages/fail.yaml': `name: Fail\nimage: ${BUSYBOX_IMAGE}\nrun:\n  - echo "about to fail"\n  - echo "the reason is here" >&2; exit 3\n`,
  '.pistages/invalid.yaml': `name: Invalid\nimage: ${BUSYBOX_IMAGE}\nrun: echo hi\nretries: 2\n`,
  '.pistages/release-only.yml': `name: Release only\non:\n  push:\n    branches: ["release/*"]\nimage: ${BUSYBOX_IMAGE}\nrun: echo release\n`,
  '.pistages/test.yaml': `name: Test\nuses:\n  main:\n    - dep: Checkout\n    - run: sh ./test.sh\n`,
  'test.sh': 'echo "testing $(cat VERSION) at $PISTAGES_SHA"\ntest -n "$PISTAGES_GIT_TOKEN"\n',
  VERSION: '1.2.3\n',
};

describe('GitHub push → runs → statuses and check runs', () => {
  let world: GithubWorld;
  let server: PistagesServer;
  let repo: GitRepo;
  let first: string;

  before(async () => {
    await ensureTestImage(new Docker(), BUSYBOX_IMAGE);
    world = await githubWorld();
    const created = await world.git.repo('acme/app', FILES);
    repo = created.repo;
    first = created.sha;
    await world.fake.addRepo(repo, { installationId: 7 });
    server = await startPistages(world);
  });

  after(async () => {
    await server?.close();
    await world?.dispose();
  });

  const push = async (before: string, afterSha: string, options: { ref?: string; id?: string } = {}) => {
    const payload = await pushPayload(repo, { before, after: afterSha, cloneUrl: world.fake.cloneUrl(repo.fullName), installationId: 7, ...(options.ref && { ref: options.ref }) });
    return signedDelivery('push', payload, WEBHOOK_SECRET, options.id);
  };

  it('refuses missing and wrong signatures with 401 and stores nothing', async () => {
    const delivery = await push(ZERO_SHA, first);
    const { ['x-hub-signature-256']: _signature, ...unsigned } = delivery.headers;
    const missing = await server.deliver({ ...delivery, headers: unsigned });
    assert.equal(missing.status, 401);
    assert.match(String(missing.body.message), /GITHUB_WEBHOOK_SECRET/);
    const wrong = await server.deliver({ ...delivery, headers: { ...delivery.headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } });
    assert.equal(wrong.status, 401);
    const tampered = await server.deliver({ ...delivery, body: delivery.body.replace('acme/app', 'acme/app2') });
    assert.equal(tampered.status, 401);
    const { deliveries } = await server.api<{ deliveries: unknown[] }>('/api/deliveries');
    assert.equal(deliveries.length, 0);
  });

  it('answers a ping with 200', async () => {
    const ping = await signedDelivery('ping', { zen: 'Keep it logically awesome.', hook_id: 1 }, WEBHOOK_SECRET);
    assert.equal((await server.deliver(ping)).status, 200);
  });

  it('runs the matching jobs, reports each, and reports the invalid file with annotations', async () => {
    const delivery = await push(ZERO_SHA, first, { id: 'delivery-main-1' });
    const answer = await server.deliver(delivery);
    assert.equal(answer.status, 202);
    // the same delivery again (GitHub's "Redeliver") starts nothing more
    const again = await server.deliver(delivery);
    assert.equal(again.status, 200);
    assert.equal(again.body.duplicate, true);

    const checks = await waitFor('four check runs completed', () => {
      const runs = world.fake.checkRuns('acme/app', first);
      return runs.length === 4 && runs.every((r) => r.status === 'completed') ? runs : undefined;
    }, { timeoutMs: 240_000 });
    const byName = new Map(checks.map((c) => [c.name, c]));
    assert.equal(byName.get('Pass')?.conclusion, 'success');
    assert.equal(byName.get('Test')?.conclusion, 'success', JSON.stringify(byName.get('Test')?.output));
    const fail = byName.get('Fail');
    assert.equal(fail?.conclusion, 'failure');
    assert.match(fail?.output?.text ?? '', /the reason is here/);
    assert.match(fail?.output?.summary ?? '', /main/);
    assert.ok(fail?.details_url?.startsWith('http://pistages.test:8080/runs/'));
    assert.equal(fail?.external_id?.length, 24);
    const invalid = byName.get('.pistages/invalid.yaml');
    assert.equal(invalid?.conclusion, 'failure');
    const annotations = invalid?.output?.annotations as { path: string; start_line: number; message: string }[];
    assert.equal(annotations[0]?.path, '.pistages/invalid.yaml');
    assert.equal(annotations[0]?.start_line, 4);
    assert.match(annotations[0]?.message ?? '', /retry/);
    assert.equal(byName.has('Release only'), false);

    const statuses = await waitFor('final commit statuses', () => {
      const latest = new Map<string, string>();
      for (const s of world.fake.statuses('acme/app', first)) latest.set(s.context, s.state);
      return latest.size === 3 && [...latest.values()].every((state) => state !== 'pending') ? latest : undefined;
    });
    assert.deepEqual(Object.fromEntries(statuses), { 'pistages/Pass': 'success', 'pistages/Fail': 'failure', 'pistages/Test': 'success' });

    const log = await fetch(`${server.url}/api/runs/${byName.get('Test')?.external_id}/logs`, { headers: { authorization: `Bearer api-token-for-tests-0123456789` } });
    const text = await log.text();
    assert.match(text, new RegExp(`testing 1.2.3 at ${first}`));
    assert.doesNotMatch(text, /ghs_/, 'the checkout token is masked in logs');

    const { deliveries } = await server.api<{ deliveries: { id: string; outcome: string; runIds: string[]; reason: string }[] }>('/api/deliveries?repo=acme/app');
    const recorded = deliveries.find((d) => d.id === 'delivery-main-1');
    assert.equal(recorded?.outcome, 'accepted');
    assert.equal(recorded?.runIds.length, 3);
    assert.match(recorded?.reason ?? '', /filtered out by on:.*release-only/);
    assert.deepEqual(world.fake.violations, []);
  });

  it('starts nothing for a deleted branch and records why', async () => {
    const delivery = await push(first, ZERO_SHA, { ref: 'refs/heads/gone', id: 'delivery-deleted' });
    assert.equal((await server.deliver(delivery)).status, 202);
    const recorded = await waitFor('the delivery processed', async () => {
      const { deliveries } = await server.api<{ deliveries: { id: string; outcome: string; reason?: string; runIds: string[] }[] }>('/api/deliveries');
      const found = deliveries.find((d) => d.id === 'delivery-deleted');
      return found && found.outcome !== 'received' ? found : undefined;
    });
    assert.equal(recorded.outcome, 'ignored');
    assert.match(recorded.reason ?? '', /deleted refs\/heads\/gone/);
    assert.equal(recorded.runIds.length, 0);
  });
});
