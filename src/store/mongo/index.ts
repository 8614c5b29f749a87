/** The MongoDB implementation of the store interfaces; main.ts is its only importer outside tests. */
export { openMongoStores, type MongoStoreOptions, type MongoStores } from './open-mongo-stores.ts';
export type { StoreCapabilities } from './capabilities.ts';
export { openChangeFeed } from './change-feed.ts';
export type { StoreLog } from './store-log.ts';
export { MigrationError } from './migrations.ts';
