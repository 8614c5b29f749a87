import { describe } from 'node:test';
import { actionRegistryContract } from './store/action-registry.part.ts';
import { apiTokenStoreContract } from './store/api-token-store.part.ts';
import { deliveryLogContract } from './store/delivery-log.part.ts';
import { deliveryStoreContract } from './store/delivery-store.part.ts';
import type { MakeStores } from './store/fixtures.ts';
import { logStoreContract } from './store/log-store.part.ts';
import { runApplyContract } from './store/run-apply.part.ts';
import { runLeaseContract } from './store/run-leases.part.ts';
import { runListContract } from './store/run-list.part.ts';
import { secretStoreContract } from './store/secret-store.part.ts';

export type { MakeStores, StoreFixture, StoreSet } from './store/fixtures.ts';

/**
 * The behaviour every implementation of the store interfaces (src/store/store.ts) must have.
 * `makeStores(clock)` returns empty stores that stamp their own times from `clock`; each part
 * gets its own stores. Log cursors must increase as plain strings.
 */
export function runStoreContract(name: string, makeStores: MakeStores): void {
  describe(`store contract: ${name}`, () => {
    runListContract(makeStores);
    runApplyContract(makeStores);
    runLeaseContract(makeStores);
    logStoreContract(makeStores);
    actionRegistryContract(makeStores);
    secretStoreContract(makeStores);
    deliveryStoreContract(makeStores);
    deliveryLogContract(makeStores);
    apiTokenStoreContract(makeStores);
  });
}
