import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestClock, type MakeStores, type StoreFixture } from './fixtures.ts';

export function deliveryLogContract(makeStores: MakeStores): void {
  describe('DeliveryLog', () => {
    const clock = new TestClock();
    let fx: StoreFixture;
    before(async () => (fx = await makeStores(clock.now)));
    after(() => fx.cleanup());

    const record = (id: string, repo = 'acme/app', event = 'push') =>
      fx.stores.deliveryLog.record({ id, event, repo, sha: 'a'.repeat(40), ref: 'refs/heads/main', sender: 'octocat', receivedAt: clock.advance(1000) }, `{"id":"${id}"}`);

    it('records a delivery once, with its payload, as received', async () => {
      assert.equal(await record('dl-1'), true);
      assert.equal(await record('dl-1'), false, 'a redelivery is recognised');
      const found = await fx.stores.deliveryLog.get('dl-1');
      assert.equal(found?.outcome, 'received');
      assert.equal(found?.repo, 'acme/app');
      assert.deepEqual(found?.runIds, []);
      assert.equal(found?.attempts, 0);
      assert.equal(await fx.stores.deliveryLog.payload('dl-1'), '{"id":"dl-1"}');
      assert.equal(await fx.stores.deliveryLog.get('nope'), null);
    });

    it('of concurrent records of one id, exactly one is new', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => record('dl-race')));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('lets one claim a delivery at a time, until its lease ends or it is released for a retry', async () => {
      await record('dl-claim');
      const now = clock.now();
      assert.equal((await fx.stores.deliveryLog.claim('dl-claim', now, 30_000))?.attempts, 1);
      assert.equal(await fx.stores.deliveryLog.claim('dl-claim', now, 30_000), null, 'held by the first claim');
      const later = new Date(now.getTime() + 30_001);
      assert.equal((await fx.stores.deliveryLog.claim('dl-claim', later, 30_000))?.attempts, 2, 'the lease ran out: a crashed processor');
      await fx.stores.deliveryLog.release('dl-claim', new Date(later.getTime() + 5000));
      assert.equal(await fx.stores.deliveryLog.claim('dl-claim', new Date(later.getTime() + 4000), 30_000), null, 'waits for its retry time');
      assert.equal((await fx.stores.deliveryLog.claim('dl-claim', new Date(later.getTime() + 5000), 30_000))?.attempts, 3);
      await fx.stores.deliveryLog.finish('dl-claim', 'failed', 'gave up', later);
      assert.equal(await fx.stores.deliveryLog.claim('dl-claim', new Date(later.getTime() + 999_999), 30_000), null, 'finished: never again');
      const racing = await Promise.all(Array.from({ length: 6 }, async () => {
        await record('dl-claim-race');
        return fx.stores.deliveryLog.claim('dl-claim-race', now, 30_000);
      }));
      assert.equal(racing.filter((r) => r !== null).length, 1, 'concurrent claims: one wins');
    });

    it('counts processing attempts, keeps run ids once, and stores the outcome', async () => {
      await record('dl-2');
      assert.equal((await fx.stores.deliveryLog.claim('dl-2', clock.now(), 1))?.attempts, 1);
      await fx.stores.deliveryLog.addRuns('dl-2', ['r1']);
      await fx.stores.deliveryLog.addRuns('dl-2', ['r1', 'r2']);
      await fx.stores.deliveryLog.finish('dl-2', 'accepted', 'started 2 runs', clock.now());
      const found = await fx.stores.deliveryLog.get('dl-2');
      assert.deepEqual(found?.runIds.sort(), ['r1', 'r2']);
      assert.equal(found?.outcome, 'accepted');
      assert.equal(found?.reason, 'started 2 runs');
      assert.ok(found?.processedAt instanceof Date);
    });

    it('lists newest first, filtered by repository, event and outcome', async () => {
      await record('dl-3', 'acme/other', 'pull_request');
      await fx.stores.deliveryLog.finish('dl-3', 'ignored', 'closed', clock.now());
      const all = await fx.stores.deliveryLog.list({}, 100);
      assert.equal(all[0]?.id, 'dl-3');
      assert.deepEqual((await fx.stores.deliveryLog.list({ repo: 'acme/other' }, 10)).map((d) => d.id), ['dl-3']);
      assert.deepEqual((await fx.stores.deliveryLog.list({ event: 'pull_request' }, 10)).map((d) => d.id), ['dl-3']);
      assert.ok((await fx.stores.deliveryLog.list({ outcome: 'received' }, 10)).every((d) => d.outcome === 'received'));
      assert.equal((await fx.stores.deliveryLog.list({}, 2)).length, 2);
    });
  });

  describe('RunCredentialStore', () => {
    const clock = new TestClock();
    let fx: StoreFixture;
    before(async () => (fx = await makeStores(clock.now)));
    after(() => fx.cleanup());

    it('gives back what was put until it expires, and nothing for other runs', async () => {
      const expires = new Date(clock.now().getTime() + 60_000);
      await fx.stores.credentials.put('run-a', { PISTAGES_GIT_TOKEN: 'ghs_secret' }, expires);
      assert.deepEqual(await fx.stores.credentials.get('run-a', clock.now()), { PISTAGES_GIT_TOKEN: 'ghs_secret' });
      assert.deepEqual(await fx.stores.credentials.get('run-b', clock.now()), {});
      assert.deepEqual(await fx.stores.credentials.get('run-a', new Date(expires.getTime() + 1)), {});
    });

    it('never stores the value in plain text', async () => {
      await fx.stores.credentials.put('run-c', { PISTAGES_GIT_TOKEN: 'plaintext-credential-marker' }, new Date(clock.now().getTime() + 60_000));
      const raw = (await fx.rawSnapshot?.()) ?? '';
      assert.doesNotMatch(raw, /plaintext-credential-marker/);
    });
  });

  describe('ReportStateStore', () => {
    const clock = new TestClock();
    let fx: StoreFixture;
    before(async () => (fx = await makeStores(clock.now)));
    after(() => fx.cleanup());

    it('merges fields into one state per run', async () => {
      assert.equal(await fx.stores.reports.get('run-1'), null);
      await fx.stores.reports.put({ runId: 'run-1', checkRunId: 42 });
      await fx.stores.reports.put({ runId: 'run-1', checkStatus: 'running', commitState: 'pending', progressAt: clock.now() });
      const state = await fx.stores.reports.get('run-1');
      assert.equal(state?.checkRunId, 42);
      assert.equal(state?.checkStatus, 'running');
      assert.equal(state?.commitState, 'pending');
      assert.equal(state?.progressAt?.getTime(), clock.now().getTime());
    });
  });
}
