import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError, NotFoundError } from '../../../src/store/store.ts';
import { TestClock, type MakeStores, type StoreFixture } from './fixtures.ts';

const GLOBAL_VALUE = 'gl0bal-s3cret-VALUE-1f9e';
const REPO_VALUE = 'r3po-s3cret-VALUE-77aa';

export function secretStoreContract(makeStores: MakeStores): void {
  describe('SecretStore', () => {
    const clock = new TestClock();
    let fx: StoreFixture;
    before(async () => {
      fx = await makeStores(clock.now);
      await fx.stores.secrets.put('NPM_TOKEN', 'global', 'old value');
      clock.advance(1000);
      await fx.stores.secrets.put('NPM_TOKEN', 'global', GLOBAL_VALUE);
      await fx.stores.secrets.put('NPM_TOKEN', 'repo:acme/api', REPO_VALUE);
      await fx.stores.secrets.put('DEPLOY_KEY', 'global', 'dk');
    });
    after(() => fx.cleanup());

    it('resolve: the repository scope wins over global; other repos get the global value', async () => {
      assert.deepEqual(await fx.stores.secrets.resolve(['NPM_TOKEN', 'DEPLOY_KEY'], 'acme/api'), { NPM_TOKEN: REPO_VALUE, DEPLOY_KEY: 'dk' });
      assert.deepEqual(await fx.stores.secrets.resolve(['NPM_TOKEN'], 'acme/web'), { NPM_TOKEN: GLOBAL_VALUE });
      assert.deepEqual(await fx.stores.secrets.resolve(['NPM_TOKEN', 'NPM_TOKEN'], undefined), { NPM_TOKEN: GLOBAL_VALUE });
      assert.deepEqual(await fx.stores.secrets.resolve([], 'acme/api'), {});
    });

    it('resolve throws NotFoundError naming every missing secret, never a value', async () => {
      await fx.stores.secrets.put('ONLY_API', 'repo:acme/api', REPO_VALUE);
      const error = await fx.stores.secrets.resolve(['NPM_TOKEN', 'MISSING_A', 'ONLY_API', 'MISSING_B'], 'acme/web').then(
        () => assert.fail('resolve should throw'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof NotFoundError);
      assert.match(error.message, /MISSING_A/);
      assert.match(error.message, /MISSING_B/);
      assert.match(error.message, /ONLY_API/);
      assert.doesNotMatch(error.message, /NPM_TOKEN|s3cret/);
    });

    it('list gives names, scopes and times only', async () => {
      const all = await fx.stores.secrets.list();
      assert.deepEqual(all.map((s) => [s.name, s.scope]).sort(), [['DEPLOY_KEY', 'global'], ['NPM_TOKEN', 'global'], ['NPM_TOKEN', 'repo:acme/api'], ['ONLY_API', 'repo:acme/api']]);
      for (const item of all) assert.deepEqual(Object.keys(item).sort(), ['name', 'scope', 'updatedAt']);
      assert.deepEqual(all.find((s) => s.scope === 'global' && s.name === 'NPM_TOKEN')!.updatedAt, clock.now());
      assert.doesNotMatch(JSON.stringify(all), /s3cret|VALUE/);
      assert.deepEqual((await fx.stores.secrets.list('repo:acme/api')).map((s) => s.name).sort(), ['NPM_TOKEN', 'ONLY_API']);
    });

    it('values are not stored in plain text (nor base64 or hex)', async (t) => {
      if (!fx.rawSnapshot) return t.skip('implementation has no raw snapshot');
      const raw = await fx.rawSnapshot();
      assert.ok(raw.includes('NPM_TOKEN'), 'the snapshot does include the secrets');
      for (const value of [GLOBAL_VALUE, REPO_VALUE, 'old value']) {
        const bytes = Buffer.from(value, 'utf8');
        for (const encoded of [value, bytes.toString('base64'), bytes.toString('hex'), bytes.toString('base64').slice(4, 20)]) {
          assert.ok(!raw.includes(encoded), `raw store must not contain ${encoded}`);
        }
      }
    });

    it('remove deletes one scope only', async () => {
      assert.equal(await fx.stores.secrets.remove('NPM_TOKEN', 'repo:acme/api'), true);
      assert.equal(await fx.stores.secrets.remove('NPM_TOKEN', 'repo:acme/api'), false);
      assert.deepEqual(await fx.stores.secrets.resolve(['NPM_TOKEN'], 'acme/api'), { NPM_TOKEN: GLOBAL_VALUE });
    });

    it('rejects malformed names and scopes with InvalidInputError', async () => {
      await assert.rejects(fx.stores.secrets.put('1BAD', 'global', 'x'), InvalidInputError);
      await assert.rejects(fx.stores.secrets.put('has space', 'global', 'x'), InvalidInputError);
      await assert.rejects(fx.stores.secrets.put('OK', 'repo:noslash', 'x'), InvalidInputError);
      await assert.rejects(fx.stores.secrets.put('OK', 'team:x', 'x'), InvalidInputError);
      await assert.rejects(fx.stores.secrets.list('nope'), InvalidInputError);
    });
  });
}
