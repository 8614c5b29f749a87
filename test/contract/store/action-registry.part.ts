import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobFile } from '../../../src/pipeline/types.ts';
import { ConflictError, type ActionSource } from '../../../src/store/store.ts';
import { TestClock, type MakeStores, type StoreFixture } from './fixtures.ts';

function action(name: string, image: string): JobFile {
  const pos = { file: `${name}.yaml`, line: 1, col: 1 };
  return {
    file: `${name}.yaml`,
    name,
    description: `${name} at ${image}`,
    image,
    with: { repo: 'acme/api', 'dotted.param': 1, $dollar: true },
    env: { 'A.B': 'c' },
    groups: [{ name: 'main', steps: [{ run: ['git clone {{ .repo }}'], pos }], pos }],
    singleRun: false,
    secrets: [],
    pos,
  };
}

const upload: ActionSource = { kind: 'upload' };
const fromRepo: ActionSource = { kind: 'repo', repo: 'acme/actions', sha: 'f'.repeat(40), path: 'clone.yaml' };

export function actionRegistryContract(makeStores: MakeStores): void {
  describe('ActionRegistry', () => {
    const clock = new TestClock();
    let fx: StoreFixture;
    before(async () => (fx = await makeStores(clock.now)));
    after(() => fx.cleanup());

    it('registers version 1 and returns the definition unchanged', async () => {
      const definition = action('Clone Repo, Pistages', 'alpine/git:2.45');
      const record = await fx.stores.actions.put(definition, 'name: Clone Repo, Pistages\n', upload, { replace: false });
      assert.equal(record.version, 1);
      assert.deepEqual(record.updatedAt, clock.now());
      const read = await fx.stores.actions.get('Clone Repo, Pistages');
      assert.deepEqual(read, record);
      assert.deepEqual(read?.definition, definition);
      assert.equal(read?.description, 'Clone Repo, Pistages at alpine/git:2.45');
      assert.deepEqual(read?.source, upload);
      assert.equal(await fx.stores.actions.get('clone repo, pistages'), null, 'names are exact');
    });

    it('refuses an existing name with ConflictError unless replace', async () => {
      await fx.stores.actions.put(action('Build', 'node:20'), 'v1', upload, { replace: false });
      await assert.rejects(fx.stores.actions.put(action('Build', 'node:22'), 'v2', upload, { replace: false }), ConflictError);
      assert.equal((await fx.stores.actions.get('Build'))?.yaml, 'v1');
    });

    it('replace makes a new version and keeps the old ones in history, newest first', async () => {
      clock.advance(1000);
      const v2 = await fx.stores.actions.put(action('Build', 'node:22'), 'v2', fromRepo, { replace: true });
      clock.advance(1000);
      const v3 = await fx.stores.actions.put(action('Build', 'node:24'), 'v3', upload, { replace: true });
      assert.deepEqual([v2.version, v3.version], [2, 3]);
      const current = await fx.stores.actions.get('Build');
      assert.deepEqual([current?.version, current?.definition.image, current?.yaml], [3, 'node:24', 'v3']);
      const history = await fx.stores.actions.history('Build');
      assert.deepEqual(history.map((h) => [h.version, h.yaml, h.definition.image]), [[2, 'v2', 'node:22'], [1, 'v1', 'node:20']]);
      assert.deepEqual(history[0]!.source, fromRepo);
    });

    it('concurrent replaces each make a distinct version', async () => {
      const results = await Promise.all([1, 2, 3, 4].map((i) => fx.stores.actions.put(action('Race', `img:${i}`), `y${i}`, upload, { replace: true })));
      assert.deepEqual(results.map((r) => r.version).sort(), [1, 2, 3, 4]);
      assert.deepEqual((await fx.stores.actions.history('Race')).map((h) => h.version), [3, 2, 1]);
    });

    it('replace of an unknown name registers version 1', async () => {
      const record = await fx.stores.actions.put(action('Fresh', 'busybox'), 'y', upload, { replace: true });
      assert.equal(record.version, 1);
      assert.deepEqual(await fx.stores.actions.history('Fresh'), []);
    });

    it('list returns the current version of every action, by name', async () => {
      const list = await fx.stores.actions.list();
      assert.deepEqual(list.map((a) => [a.name, a.version]), [['Build', 3], ['Clone Repo, Pistages', 1], ['Fresh', 1], ['Race', 4]]);
    });

    it('remove deletes the action, keeps its history, and a new registration continues the versions', async () => {
      assert.equal(await fx.stores.actions.remove('Build'), true);
      assert.equal(await fx.stores.actions.get('Build'), null);
      assert.equal(await fx.stores.actions.remove('Build'), false);
      assert.deepEqual((await fx.stores.actions.history('Build')).map((h) => h.version), [3, 2, 1]);
      const again = await fx.stores.actions.put(action('Build', 'node:25'), 'v4', upload, { replace: false });
      assert.equal(again.version, 4);
      assert.ok(!(await fx.stores.actions.list()).some((a) => a.name === 'Build' && a.version !== 4));
    });
  });
}
