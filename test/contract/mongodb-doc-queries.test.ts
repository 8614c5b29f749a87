import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Db, Document } from 'mongodb';
import type { RunEvent } from '../../src/executor/events.ts';
import { openMongoStores, type MongoStores } from '../../src/store/mongo/index.ts';
import { startTestMongo, type TestMongo } from '../support/mongo.ts';
import { newRun } from './store/fixtures.ts';

/**
 * Runs every example query of docs/mongodb.md (the `<!-- query: name -->` js blocks, as written)
 * on seeded data and checks the answers. Blocks marked `mongodb-only` must fail on FerretDB 1.x.
 */
interface DocQuery {
  name: string;
  mongodbOnly: boolean;
  code: string;
}

async function docQueries(): Promise<DocQuery[]> {
  const text = await readFile(new URL('../../docs/mongodb.md', import.meta.url), 'utf8');
  return [...text.matchAll(/<!-- query: ([\w-]+)( mongodb-only)? -->\n```js\n([\s\S]*?)```/g)].map((m) => ({
    name: m[1]!,
    mongodbOnly: m[2] !== undefined,
    code: m[3]!,
  }));
}

/** mongosh's `db.<collection>.find(filter, projection)` / `.aggregate(pipeline)` on the driver */
function shell(db: Db): unknown {
  return new Proxy({}, {
    get: (_target, name: string) => {
      const collection = db.collection(name);
      return {
        find: (filter: Document = {}, projection?: Document) => collection.find(filter, projection ? { projection } : {}),
        aggregate: (pipeline: Document[]) => collection.aggregate(pipeline),
      };
    },
  });
}

async function runQuery(db: Db, query: DocQuery): Promise<Document[]> {
  const cursor = new Function('db', `return (${query.code});`)(shell(db)) as { toArray(): Promise<Document[]> };
  return cursor.toArray();
}

const DAY = 24 * 3600 * 1000;
const LOG_RUN = '66a1f0c2e4b0a1b2c3d4e5f6';
/** the seeded log in arrival order, as `group/attempt/seq:line` */
const RUN_LOG = ['build/1/0:build#1 0', 'build/1/1:build#1 1', 'test/1/0:test#1 0', 'test/2/0:test#2 0', 'test/2/1:test#2 1', 'build/1/2:build#1 2'];

describe('docs/mongodb.md example queries', () => {
  let mongo: TestMongo;
  let stores: MongoStores;
  let db: Db;
  let isFerretDb1 = false;
  const ids: Record<string, string> = {};
  let clock = Date.now() - 3 * DAY;
  const at = (offsetMs: number): Date => new Date(clock + offsetMs);

  before(async () => {
    mongo = await startTestMongo();
    db = mongo.client.db(mongo.dbName);
    const info = await db.admin().command({ buildInfo: 1 });
    isFerretDb1 = typeof info.ferretdbVersion === 'string' && /^v?1\./.test(info.ferretdbVersion);
    stores = await openMongoStores(mongo.client, mongo.dbName, { secretKey: randomBytes(32), now: () => new Date(clock), log: () => {} });
    const make = async (name: string, offsetDays: number, spec: Parameters<typeof newRun>[0]): Promise<string> => {
      clock = Date.now() - offsetDays * DAY;
      ids[name] = (await stores.runs.create(newRun(spec))).id;
      return ids[name]!;
    };
    const old = await make('old', 10, { repo: 'acme/api', branch: 'main' });
    await stores.runs.finish(old, 'failure', 'old failure', new Date(clock));
    await make('other', 2.5, { repo: 'acme/web', branch: 'main' });
    await stores.runs.finish(ids.other!, 'failure', 'web failure', new Date(clock));
    const ok = await make('ok', 2.2, { repo: 'acme/api', branch: 'feature/x' });
    await stores.runs.finish(ok, 'success', 'fine', new Date(clock));
    const held = await make('held', 1, { repo: 'acme/api', branch: 'main', job: 'deploy' });
    await stores.runs.claim(held, 'worker-1', 60_000, new Date(Date.now() - 3600_000));

    const failed = await make('failed', 2, { repo: 'acme/api', branch: 'main' });
    const step = (group: string, index: number, name: string, attempt: number, startS: number, endS: number, status: 'success' | 'failure'): RunEvent[] => [
      { type: 'step', runId: failed, group, step: index, stepName: name, attempt, status: 'running', at: at(startS * 1000) },
      { type: 'step', runId: failed, group, step: index, stepName: name, attempt, status, exitCode: status === 'success' ? 0 : 1, at: at(endS * 1000) },
    ];
    const events: RunEvent[] = [
      { type: 'run', runId: failed, status: 'running', at: at(0) },
      ...step('build', 0, 'checkout', 1, 0, 2, 'success'),
      ...step('build', 1, 'compile', 1, 2, 32, 'success'),
      ...step('test', 0, 'unit', 1, 0, 50, 'failure'),
      ...step('test', 0, 'unit', 2, 60, 100, 'failure'),
      { type: 'run', runId: failed, status: 'failure', at: at(101_000), message: 'unit failed twice' },
    ];
    for (const event of events) await stores.runs.apply(event);

    const line = (group: string, attempt: number, seq: number): RunEvent & { type: 'log' } => ({ type: 'log', runId: LOG_RUN, group, step: 0, attempt, seq, stream: 'stdout', line: `${group}#${attempt} ${seq}`, at: at(seq) });
    await stores.logs.append([line('build', 1, 0), line('build', 1, 1)]);
    await stores.logs.append([line('test', 1, 0)]);
    await stores.logs.append([line('test', 2, 0), line('test', 2, 1)]);
    await stores.logs.append([line('build', 1, 2)]);
  });
  after(async () => {
    await stores?.close();
    await mongo?.close();
  });

  const expectations: Record<string, (rows: Document[]) => void> = {
    'failed-runs-this-week': (rows) => {
      assert.deepEqual(rows.map((r) => r._id), [ids.failed]);
      assert.equal(rows[0]!.message, 'unit failed twice');
      assert.equal(rows[0]!.yaml, undefined, 'projection applies');
    },
    'runs-of-branch': (rows) => assert.deepEqual(rows.map((r) => r._id), [ids.held, ids.failed, ids.old]),
    'runs-per-status': (rows) => assert.deepEqual(rows, [{ _id: 'failure', runs: 2 }, { _id: 'running', runs: 1 }, { _id: 'success', runs: 1 }]),
    'expired-leases': (rows) => assert.deepEqual(rows.map((r) => [r._id, r.worker, r.starts]), [[ids.held, 'worker-1', 1]]),
    'slowest-steps': (rows) => {
      assert.deepEqual(rows.slice(0, 4).map((r) => [r.group, r.step, r.attempt, r.durationMs]), [
        ['test', 'unit', 1, 50_000],
        ['test', 'unit', 2, 40_000],
        ['build', 'compile', 1, 30_000],
        ['build', 'checkout', 1, 2_000],
      ]);
    },
    'average-step-duration': (rows) => {
      assert.deepEqual(rows.map((r) => [r._id.step, r.runs, r.avgMs]), [['compile', 1, 30_000], ['checkout', 1, 2_000]]);
    },
    'run-log': (rows) => {
      const lines = rows.flatMap((c) => c.lines.map((l: Document) => `${c.group}/${c.attempt}/${l.seq}:${l.line}`));
      assert.deepEqual(lines, RUN_LOG);
    },
    'run-log-lines': (rows) => {
      assert.deepEqual(rows.map((r) => `${r.group}/${r.attempt}/${r.lines.seq}:${r.lines.line}`), RUN_LOG);
    },
    'step-log': (rows) => assert.deepEqual(rows.flatMap((c) => c.lines.map((l: Document) => l.line)), ['test#2 0', 'test#2 1']),
  };

  it('the document has every expected example', async () => {
    assert.deepEqual((await docQueries()).map((q) => q.name).sort(), Object.keys(expectations).sort());
  });

  it('every example gives the documented answer (MongoDB-only ones fail on FerretDB 1.x)', async () => {
    for (const query of await docQueries()) {
      const check = expectations[query.name]!;
      if (query.mongodbOnly && isFerretDb1) {
        await assert.rejects(runQuery(db, query).then(check), `${query.name} is marked MongoDB only; FerretDB 1.x must not answer it correctly`);
        continue;
      }
      check(await runQuery(db, query));
    }
  });

  it('the run-log query matches LogStore.read order', async () => {
    const viaStore = (await stores.logs.read(LOG_RUN, {})).map((l) => `${l.group}/${l.attempt}/${l.seq}:${l.line}`);
    assert.deepEqual(viaStore, RUN_LOG);
  });
});
