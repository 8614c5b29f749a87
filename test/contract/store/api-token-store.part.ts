import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateApiToken, hashApiToken } from '../../../src/store/api-token-rules.ts';
import { ConflictError, InvalidInputError } from '../../../src/store/store.ts';
import { TestClock, type MakeStores, type StoreFixture } from './fixtures.ts';

export function apiTokenStoreContract(makeStores: MakeStores): void {
  describe('ApiTokenStore', () => {
    const clock = new TestClock();
    const ciToken = generateApiToken();
    const viewerToken = generateApiToken();
    let fx: StoreFixture;
    let created: Date;
    before(async () => {
      fx = await makeStores(clock.now);
      created = clock.now();
      await fx.stores.tokens.create({ name: 'ci', role: 'submit', repos: ['acme/api', 'acme/web'], createdBy: 'PISTAGES_API_TOKEN' }, hashApiToken(ciToken));
      clock.advance(1000);
      await fx.stores.tokens.create({ name: 'viewer', role: 'read', repos: [], createdBy: 'ci-admin' }, hashApiToken(viewerToken));
    });
    after(() => fx.cleanup());

    it('create stamps createdAt; findByHash finds the token by its hash only', async () => {
      const found = await fx.stores.tokens.findByHash(hashApiToken(ciToken));
      assert.deepEqual(found, { name: 'ci', role: 'submit', repos: ['acme/api', 'acme/web'], createdAt: created, createdBy: 'PISTAGES_API_TOKEN' });
      assert.equal(await fx.stores.tokens.findByHash(hashApiToken(`${ciToken}x`)), null);
      assert.equal(await fx.stores.tokens.findByHash(ciToken), null, 'the token itself is no key');
    });

    it('list gives every token by name, without hashes', async () => {
      const list = await fx.stores.tokens.list();
      assert.deepEqual(list.map((t) => [t.name, t.role, t.repos, t.createdBy]), [
        ['ci', 'submit', ['acme/api', 'acme/web'], 'PISTAGES_API_TOKEN'],
        ['viewer', 'read', [], 'ci-admin'],
      ]);
      for (const token of list) assert.deepEqual(Object.keys(token).sort(), ['createdAt', 'createdBy', 'name', 'repos', 'role']);
      assert.ok(!JSON.stringify(list).includes(hashApiToken(ciToken)));
    });

    it('a taken name is a ConflictError; bad names, roles and repositories are InvalidInputError', async () => {
      await assert.rejects(fx.stores.tokens.create({ name: 'ci', role: 'read', repos: [], createdBy: 'x' }, hashApiToken(generateApiToken())), ConflictError);
      const bad = [
        { name: '-dash', role: 'read', repos: [] },
        { name: 'has space', role: 'read', repos: [] },
        { name: 'ok', role: 'owner', repos: [] },
        { name: 'ok', role: 'read', repos: ['noslash'] },
      ] as const;
      for (const token of bad) {
        await assert.rejects(fx.stores.tokens.create({ ...token, repos: [...token.repos], role: token.role as 'read', createdBy: 'x' }, hashApiToken(generateApiToken())), InvalidInputError);
      }
      assert.equal((await fx.stores.tokens.list()).length, 2, 'nothing stored by the refused creations');
    });

    it('touch records a use, then at most once a minute', async () => {
      const first = clock.advance(5000);
      await fx.stores.tokens.touch('viewer', first);
      const lastUsed = async (): Promise<Date | undefined> => (await fx.stores.tokens.findByHash(hashApiToken(viewerToken)))?.lastUsedAt;
      assert.deepEqual(await lastUsed(), first);
      await fx.stores.tokens.touch('viewer', clock.advance(59_000));
      assert.deepEqual(await lastUsed(), first, 'a use within the minute writes nothing');
      const later = clock.advance(1000);
      await fx.stores.tokens.touch('viewer', later);
      assert.deepEqual(await lastUsed(), later);
      await fx.stores.tokens.touch('nobody', later);
      assert.equal((await fx.stores.tokens.list()).length, 2, 'touching an unknown name creates nothing');
    });

    it('the token is not stored, only its hash', async (t) => {
      if (!fx.rawSnapshot) return t.skip('implementation has no raw snapshot');
      const raw = await fx.rawSnapshot();
      assert.ok(raw.includes('viewer'));
      for (const token of [ciToken, viewerToken]) {
        assert.ok(!raw.includes(token) && !raw.includes(token.slice(4)), 'no token in the store');
      }
    });

    it('remove revokes: the hash no longer finds it', async () => {
      assert.equal(await fx.stores.tokens.remove('ci'), true);
      assert.equal(await fx.stores.tokens.remove('ci'), false);
      assert.equal(await fx.stores.tokens.findByHash(hashApiToken(ciToken)), null);
      assert.deepEqual((await fx.stores.tokens.list()).map((t) => t.name), ['viewer']);
    });
  });
}
