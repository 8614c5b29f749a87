import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BSON, MongoClient } from 'mongodb';
import { openMongoStores, type MongoStoreOptions, type MongoStores } from '../../src/store/mongo/index.ts';
import { InsertLock } from '../../src/store/mongo/doc-lock.ts';
import { MIGRATIONS } from '../../src/store/mongo/migration-list.ts';
import { migrate, MigrationError } from '../../src/store/mongo/migrations.ts';
import type { StoreLog } from '../../src/store/mongo/store-log.ts';
import { SecretBoxError } from '../../src/store/secret-box.ts';
import { startTestMongo, type TestMongo } from '../support/mongo.ts';
import { runStoreContract } from './store.contract.ts';
import { newRun, TestClock } from './store/fixtures.ts';

const mongo: TestMongo = await startTestMongo();
after(() => mongo.close());

let databases = 0;
const freshDb = (): string => `${mongo.dbName}_${++databases}`;
const key = randomBytes(32);
const quiet: StoreLog = () => {};

async function open(dbName: string, options: Partial<MongoStoreOptions> = {}, client: MongoClient = mongo.client): Promise<MongoStores> {
  return openMongoStores(client, dbName, { secretKey: key, log: quiet, ...options });
}

runStoreContract('MongoDB implementation', async (clock) => {
  const dbName = freshDb();
  const stores = await open(dbName, { now: clock });
  const db = mongo.client.db(dbName);
  return {
    stores,
    cleanup: async () => {
      await stores.close();
      await db.dropDatabase();
    },
    rawSnapshot: async () => {
      const parts: string[] = [];
      for (const { name } of await db.listCollections().toArray()) {
        parts.push(name, BSON.EJSON.stringify(await db.collection(name).find({}).toArray(), { relaxed: false }));
      }
      return parts.join('\n');
    },
  };
});

describe('MongoDB store specifics', () => {
  it('migrations: two processes opening a fresh database at once apply each migration exactly once', async () => {
    const dbName = freshDb();
    const other = new MongoClient(mongo.uri);
    await other.connect();
    try {
      const [a, b] = await Promise.all([open(dbName), open(dbName, {}, other)]);
      const applied = [...a.migrationsApplied, ...b.migrationsApplied].sort();
      assert.deepEqual(applied, MIGRATIONS.map((m) => m.id).sort(), 'every migration applied once, by one of them');
      const docs = await mongo.client.db(dbName).collection('migrations').find({ state: { $exists: true } }).toArray();
      assert.deepEqual(docs.map((d) => [d._id, d.state]).sort(), MIGRATIONS.map((m) => [m.id, 'done']).sort());
      assert.deepEqual((await open(dbName)).migrationsApplied, [], 'a third open applies nothing');
      const indexes = async (name: string): Promise<string[]> => (await mongo.client.db(dbName).collection(name).listIndexes().toArray()).map((i) => String(i.name)).sort();
      // listBuckets only where the server cannot sort (it lists through time windows, migration 0009)
      const windows = a.capabilities.sortPushdown ? [] : ['listBuckets'];
      assert.deepEqual(await indexes('runs'), ['_id_', 'branch_createdAt', 'createdAt_id', 'job_createdAt', ...windows, 'repo_createdAt', 'sha', 'source_createdAt_id', 'status_createdAt', 'status_leaseUntil']);
      assert.deepEqual(await indexes('logs'), ['_id_', 'runId_group_step_attempt_firstSeq', 'runId_tick']);
      assert.deepEqual(await indexes('actions'), ['_id_', 'name']);
      assert.deepEqual(await indexes('action_versions'), ['_id_', 'name_version']);
      assert.deepEqual(await indexes('secrets'), ['_id_', 'name_scope']);
      assert.deepEqual(await indexes('deliveries'), ['_id_', 'at_ttl', 'repo_at']);
      assert.deepEqual(await indexes('api_tokens'), ['_id_', 'hash', 'name']);
    } finally {
      await other.close();
    }
  });

  it('migrations: a failing migration releases its claim and is applied on the next start', async () => {
    const db = mongo.client.db(freshDb());
    const options = { owner: 'test', now: () => new Date() };
    let calls = 0;
    const flaky = { id: '0001-flaky', description: 'fails once', up: async () => { if (++calls === 1) throw new Error('disk full'); } };
    await assert.rejects(migrate(db, [flaky], options), (e: unknown) => e instanceof MigrationError && /0001-flaky failed: disk full/.test(e.message));
    assert.equal(await db.collection('migrations').countDocuments({ _id: '0001-flaky' as never }), 0);
    assert.deepEqual(await migrate(db, [flaky], options), ['0001-flaky']);
    assert.deepEqual(await migrate(db, [flaky], options), []);
  });

  it('capabilities are detected, and every fallback is noted once, at info', async () => {
    const messages: { level: string; message: string; details?: Record<string, unknown> }[] = [];
    const stores = await open(freshDb(), { log: (level, message, details) => messages.push({ level, message, ...(details && { details }) }) });
    const features = messages.filter((m) => m.level === 'info').map((m) => m.details?.feature);
    assert.equal(features.includes('arrayFilters'), !stores.capabilities.arrayFilters);
    assert.equal(features.includes('expireAfterSeconds'), !stores.capabilities.ttlIndexes);
    assert.equal(features.includes('atomicUpdates'), !stores.capabilities.atomicUpdates);
    console.info(`server capabilities: ${JSON.stringify(stores.capabilities)}`);
  });

  it('deliveries expire through the TTL index or, without one, the store purge', async () => {
    const dbName = freshDb();
    const stores = await open(dbName, { deliveryTtlMs: 60 * 60 * 1000 });
    const deliveries = mongo.client.db(dbName).collection('deliveries');
    const t0 = new Date('2025-01-01T00:00:00Z');
    for (let i = 0; i < 5; i++) await stores.deliveries.remember(`old-${i}`, t0);
    const later = new Date(t0.getTime() + 2 * 60 * 60 * 1000);
    assert.equal(await stores.deliveries.remember('old-0', later), true, 'older than the configured TTL: new again');
    if (stores.capabilities.ttlIndexes) {
      const ttl = (await deliveries.listIndexes().toArray()).find((i) => i.name === 'at_ttl');
      assert.equal(ttl?.expireAfterSeconds, 3600);
    } else {
      await stores.deliveries.remember('fresh', later);
      assert.deepEqual((await deliveries.find({}).toArray()).map((d) => d._id).sort(), ['fresh', 'old-0'], 'expired ids were purged');
    }
  });

  it('claims from four separate connections: exactly one worker gets the run', async () => {
    const dbName = freshDb();
    const clients = await Promise.all([1, 2, 3, 4].map(async () => new MongoClient(mongo.uri).connect()));
    try {
      const stores = await Promise.all(clients.map((client) => open(dbName, {}, client)));
      const run = await stores[0]!.runs.create(newRun());
      const now = new Date();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 4]!.runs.claim(run.id, `worker-${i}`, 10_000, now)));
      assert.equal(results.filter((r) => r !== null).length, 1);
      assert.equal((await stores[1]!.runs.get(run.id))!.starts, 1);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('InsertLock serialises read-modify-write across connections and outlives a dead holder', async () => {
    const db = mongo.client.db(freshDb());
    const other = await new MongoClient(mongo.uri).connect();
    try {
      const counters = db.collection<{ _id: string; n: number }>('counters');
      await counters.insertOne({ _id: 'c', n: 0 });
      const locks = [new InsertLock(db), new InsertLock(other.db(db.databaseName))];
      await Promise.all(Array.from({ length: 30 }, (_, i) => locks[i % 2]!.run('counter', async () => {
        const doc = await counters.findOne({ _id: 'c' });
        await new Promise((resolve) => setTimeout(resolve, 1));
        await counters.updateOne({ _id: 'c' }, { $set: { n: doc!.n + 1 } });
      })));
      assert.equal((await counters.findOne({ _id: 'c' }))!.n, 30, 'no increment lost');
      assert.equal(await db.collection('locks').countDocuments({}), 0, 'every lock released');
      // a holder that died: its lock document stays until `until` passes
      await db.collection<{ _id: string; owner: string; until: Date }>('locks').insertOne({ _id: 'stale', owner: 'dead', until: new Date(Date.now() - 1) });
      assert.equal(await new InsertLock(db, { waitMs: 5_000 }).run('stale', async () => 'taken'), 'taken');
    } finally {
      await other.close();
    }
  });

  describe('secrets at rest', () => {
    const clock = new TestClock();
    let dbName: string;
    let stores: MongoStores;
    before(async () => {
      dbName = freshDb();
      stores = await open(dbName, { now: clock.now });
      await stores.secrets.put('API_KEY', 'global', 'value-1');
      await stores.secrets.put('OTHER', 'global', 'value-2');
    });

    it('a modified ciphertext fails authentication instead of decrypting', async () => {
      const secrets = mongo.client.db(dbName).collection('secrets');
      const doc = await secrets.findOne({ name: 'API_KEY' });
      const bytes = Buffer.from(doc!.ciphertext.buffer as Uint8Array);
      bytes[0] = bytes[0]! ^ 1;
      await secrets.updateOne({ name: 'API_KEY' }, { $set: { ciphertext: bytes } });
      await assert.rejects(stores.secrets.resolve(['API_KEY'], undefined), (e: unknown) => e instanceof SecretBoxError && /API_KEY.*modified/.test(e.message));
    });

    it('a value moved to another secret’s slot fails authentication', async () => {
      const secrets = mongo.client.db(dbName).collection('secrets');
      const source = await secrets.findOne({ name: 'OTHER' });
      await stores.secrets.put('STOLEN', 'global', 'placeholder');
      await secrets.updateOne({ name: 'STOLEN' }, { $set: { iv: source!.iv, ciphertext: source!.ciphertext, tag: source!.tag } });
      await assert.rejects(stores.secrets.resolve(['STOLEN'], undefined), SecretBoxError);
    });

    it('another key cannot read the values, and says which setting to check', async () => {
      const wrong = await open(dbName, { secretKey: randomBytes(32) });
      await assert.rejects(wrong.secrets.resolve(['OTHER'], undefined), (e: unknown) => e instanceof SecretBoxError && /PISTAGES_SECRET_KEY/.test(e.message));
      await assert.rejects(open(dbName, { secretKey: randomBytes(16) }), /32 bytes/);
    });
  });
});
