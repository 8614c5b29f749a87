import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MongoClient, ObjectId, type Db, type Document } from 'mongodb';
import { openMongoStores, type MongoStores } from '../../src/store/mongo/index.ts';
import { startListBucketsBackfill } from '../../src/store/mongo/list-buckets-backfill.ts';
import { FINE_BUCKETS_FLAG_ID, LIST_BUCKETS_FLAG_ID } from '../../src/store/mongo/list-buckets-flag.ts';
import { BUCKET_LEVELS, COARSE_LEVEL, runBucketLabels } from '../../src/store/mongo/run-buckets.ts';
import type { RunFilter } from '../../src/store/store.ts';
import { newRun } from '../contract/store/fixtures.ts';
import { startTestMongo } from '../support/mongo.ts';
import { waitFor } from '../support/wait.ts';

const mongo = await startTestMongo();
/** a client of its own that records the filters of every find on `runs` */
const monitored = new MongoClient(mongo.uri, { monitorCommands: true });
await monitored.connect();
const runFinds: Document[] = [];
monitored.on('commandStarted', (event) => {
  if (event.commandName === 'find' && event.command.find === 'runs') runFinds.push(event.command.filter as Document);
});
after(async () => {
  await monitored.close();
  await mongo.close();
});

const MINUTE = 60_000;
const quiet = { info: () => undefined, warn: () => undefined };
const windowQueries = (): number => runFinds.filter((filter) => JSON.stringify(filter).includes('listBuckets')).length;
/** window queries on a label under 1 h (migration 0009's) */
const fineQueries = (): number => runFinds.filter((filter) => /"listBuckets":"f/.test(JSON.stringify(filter))).length;

/**
 * A database whose runs were stored before `listBuckets` existed (`labels: 'none'`) or before it had
 * the labels under 1 h (`'coarse'`: what 0008 wrote): one run made by the store, `old` copies of it
 * with those labels (every 7 minutes back from now, then a few days apart), and the migrations since
 * not yet applied; then opened as this version opens it. Returns the ids newest first.
 */
async function oldDatabase(name: string, old: number, labels: 'none' | 'coarse' = 'none'): Promise<{ db: Db; stores: MongoStores; newestFirst: string[] }> {
  const db = monitored.db(`${mongo.dbName}_${name}`);
  const first = await openMongoStores(monitored, db.databaseName, { secretKey: randomBytes(32), log: () => {} });
  const made = await first.runs.create(newRun({ repo: 'acme/old' }));
  const model = await db.collection('runs').findOne({ _id: made.id as never });
  assert.ok(model);
  delete model.listBuckets;
  const now = Date.now();
  const docs = Array.from({ length: old }, (_, i) => ({
    ...model,
    _id: new ObjectId().toHexString() as never,
    createdAt: new Date(now - (i + 1) * 7 * MINUTE - (i % 4 === 3 ? 3 * 24 * 60 * MINUTE * i : 0)),
  })).map((doc) => (labels === 'none' ? doc : { ...doc, listBuckets: runBucketLabels(doc.createdAt).slice(0, 2 * (BUCKET_LEVELS - COARSE_LEVEL)) }));
  await db.collection('runs').insertMany(docs);
  const redo = labels === 'none' ? ['0008-runs-list-buckets', '0009-runs-list-buckets-fine'] : ['0009-runs-list-buckets-fine'];
  await db.collection('migrations').deleteMany({ _id: { $in: redo as never[] } });
  const stores = await openMongoStores(monitored, db.databaseName, { secretKey: randomBytes(32), log: () => {}, listBucketsRecheckMs: 0 });
  assert.deepEqual(stores.migrationsApplied, redo);
  const all = [{ _id: made.id, createdAt: made.createdAt }, ...docs].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : -1));
  return { db, stores, newestFirst: all.map((doc) => String(doc._id)) };
}

/** every page of `filter`, `limit` runs each, concatenated */
async function listAll(stores: MongoStores, filter: RunFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await stores.runs.list(filter, { limit, ...(cursor !== undefined && { cursor }) });
    ids.push(...page.runs.map((run) => run.id));
    cursor = page.next;
  } while (cursor !== undefined);
  return ids;
}

async function flagState(db: Db, id: string = LIST_BUCKETS_FLAG_ID): Promise<unknown> {
  return (await db.collection('migrations').findOne({ _id: id as never }))?.state;
}

describe('runs list buckets (listBuckets)', () => {
  let sortPushdown = true;
  before(async () => {
    const probe = await openMongoStores(monitored, `${mongo.dbName}_probe`, { secretKey: randomBytes(32), log: () => {} });
    sortPushdown = probe.capabilities.sortPushdown;
  });

  it('runs stored before 0008 are listed with one query until the background backfill labels them all, then through windows', async () => {
    const { db, stores, newestFirst } = await oldDatabase('old', 30);
    assert.equal(await flagState(db), 'pending', 'the migration only records that a backfill is needed');
    assert.equal(await flagState(db, FINE_BUCKETS_FLAG_ID), 'pending');
    assert.equal(await db.collection('runs').countDocuments({ listBuckets: { $exists: true } }), 1, 'the migration labelled nothing');

    runFinds.length = 0;
    assert.deepEqual(await listAll(stores, {}, 7), newestFirst);
    assert.deepEqual(await listAll(stores, { repo: 'acme/old' }, 50), newestFirst);
    assert.equal(windowQueries(), 0, 'no window query while runs lack the field');

    const messages: string[] = [];
    const log = { info: (_: object, msg?: string) => messages.push(msg ?? ''), warn: (obj: object, msg?: string) => messages.push(`warn ${msg}`) };
    const backfill = startListBucketsBackfill({ db, log, batchSize: 7, pauseMs: 0, startDelayMs: 0 });
    assert.deepEqual(await backfill.finished, { filled: 30, complete: true });
    await backfill.stop();
    assert.equal(await flagState(db), 'done');
    assert.equal(await flagState(db, FINE_BUCKETS_FLAG_ID), 'done');
    assert.ok(messages.some((m) => m.includes('done')), messages.join('\n'));
    assert.ok(!messages.some((m) => m.startsWith('warn')), messages.join('\n'));
    for (const doc of await db.collection('runs').find({}).toArray()) {
      assert.deepEqual(doc.listBuckets, runBucketLabels(doc.createdAt as Date), `run ${String(doc._id)}`);
    }

    runFinds.length = 0;
    assert.deepEqual(await listAll(stores, {}, 7), newestFirst);
    assert.deepEqual(await listAll(stores, { repo: 'acme/old' }, 50), newestFirst);
    const page = await stores.runs.list({}, { limit: 1 });
    assert.equal(page.runs[0] && 'listBuckets' in page.runs[0], false, 'the label list stays in the database');
    if (!sortPushdown) assert.ok(windowQueries() > 0, 'the same store lists through windows once the flag is set');

    const again = startListBucketsBackfill({ db, log: quiet, startDelayMs: 0 });
    assert.deepEqual(await again.finished, { filled: 0, complete: true }, 'a later start finds the flag set and does nothing');
    await db.dropDatabase();
  });

  it('runs labelled by 0008 get the labels under 1 h in the background; until then windows are 1 h or more', async () => {
    const { db, stores, newestFirst } = await oldDatabase('coarse', 40, 'coarse');
    assert.equal(await flagState(db), undefined, 'every run has listBuckets');
    assert.equal(await flagState(db, FINE_BUCKETS_FLAG_ID), 'pending');
    runFinds.length = 0;
    assert.deepEqual(await listAll(stores, {}, 3), newestFirst);
    assert.deepEqual(await listAll(stores, { repo: 'acme/old' }, 2), newestFirst);
    if (!sortPushdown) assert.ok(windowQueries() > 0, 'time windows, of 1 h and more');
    assert.equal(fineQueries(), 0, 'no window under 1 h while runs lack those labels');

    const backfill = startListBucketsBackfill({ db, log: quiet, batchSize: 16, pauseMs: 0, startDelayMs: 0 });
    assert.deepEqual(await backfill.finished, { filled: 40, complete: true });
    assert.equal(await flagState(db, FINE_BUCKETS_FLAG_ID), 'done');
    for (const doc of await db.collection('runs').find({}).toArray()) {
      assert.deepEqual(doc.listBuckets, runBucketLabels(doc.createdAt as Date), `run ${String(doc._id)}`);
    }
    runFinds.length = 0;
    assert.deepEqual(await listAll(stores, {}, 3), newestFirst);
    assert.deepEqual(await listAll(stores, { repo: 'acme/old' }, 2), newestFirst);
    if (!sortPushdown) assert.ok(fineQueries() > 0, 'runs seven minutes apart, pages of 3: windows under 1 h');
    await db.dropDatabase();
  });

  it('a stopped backfill keeps what it did, and the next one resumes with the rest', async () => {
    const { db, stores, newestFirst } = await oldDatabase('resume', 12);
    const labelled = (): Promise<number> => db.collection('runs').countDocuments({ listBuckets: { $exists: true } });
    // the first batch, then a pause far longer than the test: stop() must end it at once
    const first = startListBucketsBackfill({ db, log: quiet, batchSize: 4, pauseMs: 600_000, startDelayMs: 0 });
    await waitFor('the first batch', async () => (await labelled()) === 5 || undefined);
    const stopping = Date.now();
    await first.stop();
    assert.ok(Date.now() - stopping < 5_000, 'stop does not wait for the pause');
    assert.deepEqual(await first.finished, { filled: 4, complete: false });
    assert.equal(await flagState(db), 'pending');
    runFinds.length = 0;
    assert.deepEqual(await listAll(stores, {}, 5), newestFirst, 'half-labelled: still one query per page');
    assert.equal(windowQueries(), 0);

    const second = startListBucketsBackfill({ db, log: quiet, batchSize: 4, pauseMs: 0, startDelayMs: 0 });
    assert.deepEqual(await second.finished, { filled: 8, complete: true }, 'runs labelled already are skipped');
    assert.equal(await labelled(), 13);
    assert.equal(await flagState(db), 'done');
    assert.deepEqual(await listAll(stores, {}, 5), newestFirst);
    await db.dropDatabase();
  });

  it('a new database needs no backfill', async () => {
    const db = monitored.db(`${mongo.dbName}_new`);
    const stores = await openMongoStores(monitored, db.databaseName, { secretKey: randomBytes(32), log: () => {} });
    assert.equal(await flagState(db), undefined);
    const run = await stores.runs.create(newRun({ repo: 'acme/new' }));
    runFinds.length = 0;
    assert.deepEqual((await stores.runs.list({}, { limit: 10 })).runs.map((r) => r.id), [run.id]);
    if (!sortPushdown) assert.ok(windowQueries() > 0);
    await db.dropDatabase();
  });

  it('where the server cannot sort, a window query is passed down to its storage engine', async (t) => {
    const db = mongo.client.db(`${mongo.dbName}_explain`);
    const stores = await openMongoStores(mongo.client, db.databaseName, { secretKey: randomBytes(32), log: () => {} });
    await stores.runs.create(newRun({ repo: 'acme/x' }));
    if (stores.capabilities.sortPushdown) {
      t.skip('this server sorts with an index: no windows');
      return;
    }
    const label = runBucketLabels(new Date())[2]!;
    const answer = await db.command({
      explain: { find: 'runs', filter: { repo: 'acme/x', listBuckets: label, $and: [{ createdAt: { $lt: new Date() } }] }, sort: { createdAt: -1, _id: -1 } },
    });
    assert.equal(answer.filterPushdown, true);
    assert.match(JSON.stringify(answer.queryPlanner), /listBuckets/);
    await db.dropDatabase();
  });
});
