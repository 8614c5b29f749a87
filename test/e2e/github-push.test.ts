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
  'test.sh': 'echo "testing $(cat VERSION) at $PISTAGES_SHA"\necho "token=$PISTAGES_GIT_TOKEN"\ntest -n "$PISTAGES_GIT_TOKEN"\n',
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
    assert.match(text, /token=\S/);
    const issued = world.fake.issuedTokens().map((t) => t.token);
    assert.ok(issued.length > 0);
    for (const token of issued) assert.ok(!text.includes(token), 'the checkout token is masked in logs');
    const clone = world.fake.issuedTokens().find((t) => t.permissions?.contents === 'read' && t.repositories?.join() === 'app');
    assert.ok(clone, 'a read-only token limited to the repository was minted for the checkout');
    assert.equal(Object.values(clone.permissions ?? {}).includes('write'), false);

    const { deliveries } = await server.api<{ deliveries: { id: string; outcome: string; runIds: string[]; reason: string }[] }>('/api/deliveries?repo=acme/app');
    const recorded = deliveries.find((d) => d.id === 'delivery-main-1');
    assert.equal(recorded?.outcome, 'accepted');
    assert.equal(recorded?.runIds.length, 3);
    assert.match(recorded?.reason ?? '', /filtered out by on:.*release-only/);
    assert.deepEqual(world.fake.violations, []);
  });

  it('records other events as ignored, and refuses forms and malformed JSON with the fix', async () => {
    const star = await signedDelivery('star', { action: 'created', repository: { full_name: 'acme/app' } }, WEBHOOK_SECRET, 'star-1');
    assert.equal((await server.deliver(star)).status, 202);
    const recorded = await server.services.deliveries.get('star-1');
    assert.equal(recorded?.outcome, 'ignored');
    assert.match(recorded?.reason ?? '', /unsubscribe/);
    const form = await signedDelivery('push', {}, WEBHOOK_SECRET);
    const asForm = await server.deliver({ body: form.body, headers: { ...form.headers, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(asForm.status, 415);
    assert.match(String(asForm.body.message), /application\/json/);
    const broken = await signedDelivery('push', {}, WEBHOOK_SECRET);
    const { sign } = await import('@octokit/webhooks-methods');
    const badBody = '{"ref": ';
    const malformed = await server.deliver({ body: badBody, headers: { ...broken.headers, 'x-hub-signature-256': await sign(WEBHOOK_SECRET, badBody) } });
    assert.equal(malformed.status, 400);
  });

  it('lists deliveries with `pistages deliveries`', async () => {
    const { execFile } = await import('node:child_process');
    const cli = new URL('../../bin/pistages', import.meta.url).pathname;
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [cli, ...args], { env: { ...process.env, PISTAGES_URL: server.url, PISTAGES_TOKEN: 'api-token-for-tests-0123456789' } }, (err, stdout, stderr) =>
          resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr }));
      });
    const table = await run(['deliveries', '--repo', 'acme/app']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /RECEIVED\s+EVENT\s+REPO/);
    assert.match(table.stdout, /push\s+acme\/app\s+\w{7}\s+accepted\s+3/);
    const json = JSON.parse((await run(['deliveries', '--outcome', 'ignored', '--json'])).stdout) as { deliveries: { outcome: string }[] };
    assert.ok(json.deliveries.length > 0 && json.deliveries.every((d) => d.outcome === 'ignored'));
    const bad = await run(['deliveries', '--outcome', 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /outcome must be one of/);
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
