import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startTestMongo } from '../support/mongo.ts';

const mongo = await startTestMongo();
after(() => mongo.close());

interface PlanNode {
  'Node Type'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/**
 * The nodes of the PostgreSQL plan FerretDB reports for a find with `filter` (its explain answers
 * with it), each as `<node type> <index name>`, one per line (the plan's keys come in any order).
 */
async function plan(collection: string, filter: object): Promise<string> {
  const answer = await mongo.client.db(mongo.dbName).command({ explain: { find: collection, filter }, verbosity: 'queryPlanner' });
  assert.equal(answer.filterPushdown, true, 'the equality is passed down to PostgreSQL');
  const lines: string[] = [];
  const walk = (node: PlanNode): void => {
    lines.push(`${node['Node Type'] ?? '?'} ${node['Index Name'] ?? ''}`.trim());
    for (const child of node.Plans ?? []) walk(child);
  };
  walk((answer.queryPlanner as { Plan: PlanNode }).Plan);
  return lines.join('\n');
}

describe('equality indexes of the embedded PostgreSQL', () => {
  it('an equality on the first key of an index, or on _id, is served by an index; others scan', async (t) => {
    if (mongo.handler !== 'postgresql') {
      t.skip(`the database is ${mongo.handler}, not the embedded FerretDB on PostgreSQL`);
      return;
    }
    const things = mongo.client.db(mongo.dbName).collection<{ _id: string; name: string; tags: string[]; at: Date; other: string }>('things');
    await things.createIndex({ name: 1, at: -1 });
    await things.createIndex({ tags: 1 });
    await things.createIndex({ at: -1 });
    await things.insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: `t${i}`, name: `n${i % 300}`, tags: [`a${i % 7}`, `b${i}`], at: new Date(i * 1000), other: `o${i}` })));

    assert.match(await plan('things', { name: 'n7' }), /^Bitmap Index Scan things_[0-9a-f]+_name_eq_/m);
    assert.match(await plan('things', { _id: 't42' }), /Index Scan things_[0-9a-f]+_id_eq_/);
    // an element of an array field: what the runs list asks of `listBuckets`
    assert.match(await plan('things', { tags: 'b42' }), /Index Scan things_[0-9a-f]+_tags_eq_/);
    assert.match(await plan('things', { other: 'o42' }), /Seq Scan/, 'no index on the field: a scan');
    assert.doesNotMatch(await plan('things', { at: new Date(42_000) }), /_eq_/, 'a descending first key is a sort key: no equality index');

    const found = await things.find({ tags: 'b42' }).toArray();
    assert.deepEqual(found.map((doc) => doc._id), ['t42'], 'the index answers what the scan would');
    await things.drop();
  });
});
