import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { openMongoStores } from '../../src/store/mongo/index.ts';
import { runBucketLabels } from '../../src/store/mongo/run-buckets.ts';
import { newRun } from '../contract/store/fixtures.ts';
import { startTestMongo } from '../support/mongo.ts';

const mongo = await startTestMongo();
after(() => mongo.close());

describe('runs list buckets (listBuckets)', () => {
  it('migration 0008 labels runs stored before it, and the list finds them', async () => {
    const db = mongo.client.db(`${mongo.dbName}_old`);
    const createdAt = new Date('2025-06-01T10:30:00Z');
    const older = await openMongoStores(mongo.client, db.databaseName, { secretKey: randomBytes(32), log: () => {} });
    const run = await older.runs.create(newRun({ repo: 'acme/old' }));
    // as a run written before listBuckets existed
    await db.collection('runs').updateOne({ _id: run.id as never }, { $set: { createdAt }, $unset: { listBuckets: '' } });
    await db.collection('migrations').deleteOne({ _id: '0008-runs-list-buckets' as never });
    const stores = await openMongoStores(mongo.client, db.databaseName, { secretKey: randomBytes(32), log: () => {} });
    assert.deepEqual(stores.migrationsApplied, ['0008-runs-list-buckets']);
    const doc = await db.collection('runs').findOne({ _id: run.id as never });
    assert.deepEqual(doc?.listBuckets, runBucketLabels(createdAt));
    const page = await stores.runs.list({ repo: 'acme/old' }, { limit: 10 });
    assert.deepEqual(page.runs.map((r) => r.id), [run.id]);
    assert.equal(page.runs[0] && 'listBuckets' in page.runs[0], false, 'the label list stays in the database');
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
