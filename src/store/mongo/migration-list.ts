import { detectSortPushdown } from './capabilities.ts';
import { FINE_BUCKETS_FLAG_ID, recordListBucketsBackfill } from './list-buckets-flag.ts';
import type { Migration } from './migrations.ts';

/**
 * The schema history of a Pistages database, oldest first. Append new migrations; never edit or
 * renumber an applied one. The TTL index of `deliveries` is not here: its period is a runtime
 * option, so the delivery store sets it up at every start (see delivery-store.ts).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001-runs-indexes',
    description: 'runs: list filters newest first, lease expiry scan',
    async up(db) {
      await db.collection('runs').createIndexes([
        { key: { createdAt: -1, _id: -1 }, name: 'createdAt_id' },
        { key: { status: 1, createdAt: -1 }, name: 'status_createdAt' },
        { key: { repo: 1, createdAt: -1 }, name: 'repo_createdAt' },
        { key: { job: 1, createdAt: -1 }, name: 'job_createdAt' },
        { key: { branch: 1, createdAt: -1 }, name: 'branch_createdAt' },
        { key: { sha: 1 }, name: 'sha' },
        { key: { status: 1, leaseUntil: 1 }, name: 'status_leaseUntil' },
      ]);
    },
  },
  {
    id: '0002-logs-indexes',
    description: 'logs: run order (tick) and per-step chunks, both unique',
    async up(db) {
      await db.collection('logs').createIndexes([
        { key: { runId: 1, tick: 1 }, name: 'runId_tick', unique: true },
        { key: { runId: 1, group: 1, step: 1, attempt: 1, firstSeq: 1 }, name: 'runId_group_step_attempt_firstSeq', unique: true },
      ]);
    },
  },
  {
    id: '0003-actions-indexes',
    description: 'actions: unique name; action_versions: unique (name, version)',
    async up(db) {
      await db.collection('actions').createIndex({ name: 1 }, { name: 'name', unique: true });
      await db.collection('action_versions').createIndex({ name: 1, version: -1 }, { name: 'name_version', unique: true });
    },
  },
  {
    id: '0004-secrets-indexes',
    description: 'secrets: unique (name, scope)',
    async up(db) {
      await db.collection('secrets').createIndex({ name: 1, scope: 1 }, { name: 'name_scope', unique: true });
    },
  },
  {
    id: '0005-deliveries-and-credentials',
    description: 'deliveries: newest first per repository; run_credentials: expiry scan',
    async up(db) {
      await db.collection('deliveries').createIndex({ repo: 1, at: -1 }, { name: 'repo_at' });
      await db.collection('run_credentials').createIndex({ expiresAt: 1 }, { name: 'expiresAt' });
    },
  },
  {
    id: '0006-api-tokens',
    description: 'api_tokens: unique name, unique token hash (the lookup of every request)',
    async up(db) {
      await db.collection('api_tokens').createIndex({ name: 1 }, { name: 'name', unique: true });
      await db.collection('api_tokens').createIndex({ hash: 1 }, { name: 'hash', unique: true });
    },
  },
  {
    id: '0007-runs-source-index',
    description: 'runs: list filtered by trigger (source), newest first',
    async up(db) {
      await db.collection('runs').createIndex({ source: 1, createdAt: -1, _id: -1 }, { name: 'source_createdAt_id' });
    },
  },
  {
    id: '0008-runs-list-buckets',
    description: 'runs: listBuckets (time bucket labels of createdAt) for listing on servers without sort pushdown',
    // records that runs stored before it need the field; the server fills them in the background
    // (list-buckets-backfill.ts), since on FerretDB a large history would take hours
    async up(db) {
      await recordListBucketsBackfill(db, new Date());
    },
  },
  {
    id: '0009-runs-list-buckets-fine',
    description: 'runs: finer listBuckets labels (under 1 h); an index on listBuckets where the server cannot sort',
    // runs stored before it get the finer labels from the same background backfill as 0008's. The
    // index: FerretDB's equality on a label scans the collection unless an index led by the field
    // exists, to which the embedded PostgreSQL adds a GIN twin (src/embedded/equality-indexes.ts);
    // MongoDB lists through createdAt_id and needs none
    async up(db) {
      await recordListBucketsBackfill(db, new Date(), FINE_BUCKETS_FLAG_ID);
      if (!(await detectSortPushdown(db, () => {}))) await db.collection('runs').createIndex({ listBuckets: 1 }, { name: 'listBuckets' });
    },
  },
];
