import { hostname } from 'node:os';
import type { MongoClient } from 'mongodb';
import type { ActionRegistry, ApiTokenStore, DeliveryLog, DeliveryStore, LogStore, ReportStateStore, RunCredentialStore, RunStore, SecretStore } from '../store.ts';
import { keyFingerprint } from '../secret-box.ts';
import { MongoActionRegistry } from './action-registry.ts';
import { MongoApiTokenStore } from './api-token-store.ts';
import { detectArrayFilters, detectAtomicUpdates, detectSortPushdown, type StoreCapabilities } from './capabilities.ts';
import { InsertLock, noLock } from './doc-lock.ts';
import { MongoDeliveryLog } from './delivery-log.ts';
import { MongoRunCredentialStore } from './run-credentials.ts';
import { MongoReportStateStore } from './report-state.ts';
import { DEFAULT_DELIVERY_TTL_MS, ensureDeliveryTtl, MongoDeliveryStore } from './delivery-store.ts';
import { FINE_BUCKETS_FLAG_ID, ListBucketsFlag } from './list-buckets-flag.ts';
import { MongoLogStore } from './log-store.ts';
import { MIGRATIONS } from './migration-list.ts';
import { migrate } from './migrations.ts';
import { MongoRunStore } from './run-store.ts';
import { MongoSecretStore } from './secret-store.ts';
import { consoleStoreLog, type StoreLog } from './store-log.ts';

export interface MongoStoreOptions {
  /** 32-byte key for secrets (the config layer derives it from PISTAGES_SECRET_KEY) */
  secretKey: Buffer;
  /** how long a webhook delivery id is remembered; default 7 days */
  deliveryTtlMs?: number;
  /** the clock for timestamps the stores make themselves (createdAt, updatedAt, ...) */
  now?: () => Date;
  /** where fallbacks for missing server features are reported; default console */
  log?: StoreLog;
  /** how long to wait for a migration another process is applying; default 60 s */
  migrationWaitMs?: number;
  /** how often the runs store reads the `listBuckets` backfill flag while it is pending; default 10 s */
  listBucketsRecheckMs?: number;
}

export interface MongoStores {
  runs: RunStore;
  logs: LogStore;
  actions: ActionRegistry;
  secrets: SecretStore;
  deliveries: DeliveryStore;
  deliveryLog: DeliveryLog;
  credentials: RunCredentialStore;
  reports: ReportStateStore;
  /** stored API tokens (hashes only) */
  tokens: ApiTokenStore;
  /** which server features are in use and which fallbacks are active (for health/diagnostics) */
  capabilities: StoreCapabilities;
  /** migration ids this call applied (empty when the database was up to date) */
  migrationsApplied: string[];
  /** waits for log appends in flight; the client stays open (the caller owns it) */
  close(): Promise<void>;
}

/**
 * Opens every store on database `dbName`: applies pending migrations (safe when several
 * processes start at once), detects server capabilities, then builds the stores.
 */
export async function openMongoStores(client: MongoClient, dbName: string, options: MongoStoreOptions): Promise<MongoStores> {
  keyFingerprint(options.secretKey); // rejects a key of the wrong length before anything runs
  const db = client.db(dbName);
  const now = options.now ?? (() => new Date());
  const log = options.log ?? consoleStoreLog;
  const ttlMs = options.deliveryTtlMs ?? DEFAULT_DELIVERY_TTL_MS;

  const migrationsApplied = await migrate(db, MIGRATIONS, {
    owner: `${hostname()}:${process.pid}`,
    now,
    ...(options.migrationWaitMs !== undefined && { waitMs: options.migrationWaitMs }),
  });
  const capabilities: StoreCapabilities = {
    atomicUpdates: await detectAtomicUpdates(db, log),
    arrayFilters: await detectArrayFilters(db, log),
    ttlIndexes: await ensureDeliveryTtl(db, ttlMs, log),
    sortPushdown: await detectSortPushdown(db, log),
  };
  const lock = capabilities.atomicUpdates ? noLock : new InsertLock(db);
  const recheck = { ...(options.listBucketsRecheckMs !== undefined && { recheckMs: options.listBucketsRecheckMs }) };
  const bucketsFlag = new ListBucketsFlag(db, recheck);
  const fineFlag = new ListBucketsFlag(db, { ...recheck, id: FINE_BUCKETS_FLAG_ID });
  if (!capabilities.sortPushdown) await Promise.all([bucketsFlag.isComplete(), fineFlag.isComplete()]);
  const logs = new MongoLogStore(db);
  return {
    runs: new MongoRunStore(db, {
      now,
      arrayFilters: capabilities.arrayFilters,
      sortPushdown: capabilities.sortPushdown,
      lock,
      listBucketsComplete: () => bucketsFlag.isComplete(),
      fineBucketsComplete: () => fineFlag.isComplete(),
    }),
    logs,
    actions: new MongoActionRegistry(db, now, lock),
    secrets: new MongoSecretStore(db, options.secretKey, now),
    deliveries: new MongoDeliveryStore(db, { ttlMs, purge: !capabilities.ttlIndexes, lock }),
    deliveryLog: new MongoDeliveryLog(db, { lock }),
    credentials: new MongoRunCredentialStore(db, options.secretKey, now),
    reports: new MongoReportStateStore(db),
    tokens: new MongoApiTokenStore(db, now),
    capabilities,
    migrationsApplied,
    close: () => logs.flush(),
  };
}
