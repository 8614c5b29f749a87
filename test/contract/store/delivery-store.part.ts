import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestClock, type MakeStores, type StoreFixture } from './fixtures.ts';

const DAY = 24 * 60 * 60 * 1000;

/** Assumes the default TTL of 7 days. */
export function deliveryStoreContract(makeStores: MakeStores): void {
  describe('DeliveryStore', () => {
    const clock = new TestClock();
    let fx: StoreFixture;
    before(async () => (fx = await makeStores(clock.now)));
    after(() => fx.cleanup());

    it('remembers an id: true the first time, false for a redelivery', async () => {
      const now = clock.now();
      assert.equal(await fx.stores.deliveries.remember('d-1', now), true);
      assert.equal(await fx.stores.deliveries.remember('d-1', now), false);
      assert.equal(await fx.stores.deliveries.remember('d-1', new Date(now.getTime() + 6 * DAY)), false);
      assert.equal(await fx.stores.deliveries.remember('d-2', now), true);
    });

    it('of concurrent deliveries of one id, exactly one is new', async () => {
      const now = clock.now();
      const results = await Promise.all(Array.from({ length: 10 }, () => fx.stores.deliveries.remember('d-race', now)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('forgets an id after the TTL (7 days), whenever expiry runs', async () => {
      const now = clock.now();
      await fx.stores.deliveries.remember('d-old', now);
      const later = new Date(now.getTime() + 7 * DAY + 1000);
      assert.equal(await fx.stores.deliveries.remember('d-old', later), true);
      assert.equal(await fx.stores.deliveries.remember('d-old', later), false);
    });
  });
}
