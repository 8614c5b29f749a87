import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError, type NewRun, type RunFilter, type RunRecord } from '../../../src/store/store.ts';
import { newRun, TestClock, type MakeStores, type StoreFixture } from './fixtures.ts';

const MINUTE = 60_000;
/** runs made by single tests, kept out of every filter case */
const elsewhere = { repo: 'other/repo', job: 'elsewhere', branch: 'other', sha: 'zz' };

export function runListContract(makeStores: MakeStores): void {
  describe('RunStore create / get / list', () => {
    const clock = new TestClock();
    let fx: StoreFixture;
    // created oldest first; `all` is newest first, the order list() must return
    let all: RunRecord[] = [];
    let weekAgo: Date;

    before(async () => {
      fx = await makeStores(clock.now);
      const specs: Partial<NewRun>[] = [
        { repo: 'acme/api', branch: 'main', job: 'ci', sha: 'a1' },
        { repo: 'acme/api', branch: 'feature/x', job: 'ci', sha: 'a2', source: 'pull_request' },
        { repo: 'acme/web', branch: 'main', job: 'deploy', sha: 'b1', source: 'api' },
        { repo: 'acme/api', branch: 'main', job: 'nightly', sha: 'a3', source: 'api' },
        { repo: 'acme/web', branch: 'main', job: 'ci', sha: 'b2', source: 'rerun' },
        { repo: 'acme/api', branch: 'main', job: 'ci', sha: 'a4', source: 'api' },
      ];
      const created: RunRecord[] = [];
      for (const [i, spec] of specs.entries()) {
        if (i === 3) weekAgo = clock.now();
        created.push(await fx.stores.runs.create(newRun(spec)));
        clock.advance(i === 2 ? 8 * 24 * 60 * MINUTE : MINUTE);
      }
      // two runs created in the same millisecond: the cursor must still separate them
      created.push(await fx.stores.runs.create(newRun({ repo: 'acme/api', branch: 'main', job: 'ci', sha: 'a5' })));
      created.push(await fx.stores.runs.create(newRun({ repo: 'acme/api', branch: 'main', job: 'ci', sha: 'a6' })));
      await fx.stores.runs.finish(created[1]!.id, 'failure', 'tests failed', clock.now());
      await fx.stores.runs.finish(created[4]!.id, 'failure', 'lint failed', clock.now());
      const fresh = await Promise.all(created.map((run) => fx.stores.runs.get(run.id)));
      all = fresh.map((run) => run!).reverse();
    });
    after(() => fx.cleanup());

    it('create returns a queued run with one queued group per planned group', async () => {
      const run = await fx.stores.runs.create(newRun({ ...elsewhere, rerunOf: 'abc', onlyGroups: ['test'] }));
      assert.equal(typeof run.id, 'string');
      assert.equal(run.status, 'queued');
      assert.equal(run.starts, 0);
      assert.deepEqual(run.createdAt, clock.now());
      assert.deepEqual(
        run.groups.map((g) => [g.name, g.status, g.attempt, g.attempts.length]),
        [['build', 'queued', 0, 0], ['test', 'queued', 0, 0]],
      );
      assert.equal(run.rerunOf, 'abc');
      assert.deepEqual(run.onlyGroups, ['test']);
    });

    it('get returns exactly what create returned, including keys with dots and dollars', async () => {
      const created = await fx.stores.runs.create(newRun(elsewhere));
      const read = await fx.stores.runs.get(created.id);
      assert.deepEqual(read, created);
      assert.deepEqual(read?.params, { 'go.version': '1.22', $weird: true, n: 3 });
      assert.deepEqual(read?.plan.groups[0]?.steps[0]?.env, { 'DOTTED.NAME': 'x', $DOLLAR: 'y', PLAIN: 'z' });
      assert.equal(read?.installationId, 42);
      assert.equal(await fx.stores.runs.get('0123456789abcdef01234567'), null);
      assert.equal(await fx.stores.runs.get('not-an-id'), null);
    });

    const cases: [string, RunFilter, (run: RunRecord) => boolean][] = [
      ['repo', { repo: 'acme/web' }, (r) => r.repo === 'acme/web'],
      ['job', { job: 'ci' }, (r) => r.job === 'ci'],
      ['status', { status: 'failure' }, (r) => r.status === 'failure'],
      ['sha', { sha: 'a3' }, (r) => r.sha === 'a3'],
      ['branch', { branch: 'feature/x' }, (r) => r.branch === 'feature/x'],
      ['repo + status', { repo: 'acme/api', status: 'failure' }, (r) => r.repo === 'acme/api' && r.status === 'failure'],
      ['repo + branch + job', { repo: 'acme/api', branch: 'main', job: 'ci' }, (r) => r.repo === 'acme/api' && r.branch === 'main' && r.job === 'ci'],
      ['trigger (source)', { source: 'api' }, (r) => r.source === 'api'],
      ['trigger + repo', { source: 'api', repo: 'acme/api' }, (r) => r.source === 'api' && r.repo === 'acme/api'],
      ['trigger + status', { source: 'pull_request', status: 'failure' }, (r) => r.source === 'pull_request' && r.status === 'failure'],
    ];
    for (const [name, filter, keep] of cases) {
      it(`list filters by ${name}, newest first`, async () => {
        const page = await fx.stores.runs.list({ ...filter, since: new Date(0) }, { limit: 100 });
        const expected = all.filter(keep).map((r) => r.id);
        assert.ok(expected.length > 0, 'the fixture has matching runs');
        assert.deepEqual(page.runs.map((r) => r.id), expected);
        assert.equal(page.next, undefined);
      });
    }

    it('list filters by since (created at or after)', async () => {
      const page = await fx.stores.runs.list({ repo: 'acme/api', since: weekAgo }, { limit: 100 });
      const expected = all.filter((r) => r.repo === 'acme/api' && r.createdAt >= weekAgo).map((r) => r.id);
      assert.ok(expected.length > 0 && expected.length < all.filter((r) => r.repo === 'acme/api').length);
      assert.deepEqual(page.runs.map((r) => r.id), expected);
    });

    it('list pages through every run exactly once, ties in createdAt included', async () => {
      const onlyFixture = { since: all[all.length - 1]!.createdAt };
      const expected = (await fx.stores.runs.list(onlyFixture, { limit: 100 })).runs.map((r) => r.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await fx.stores.runs.list(onlyFixture, { limit: 2, ...(cursor !== undefined && { cursor }) });
        assert.ok(page.runs.length <= 2);
        seen.push(...page.runs.map((r) => r.id));
        cursor = page.next;
        pages++;
      } while (cursor !== undefined && pages < 50);
      assert.deepEqual(seen, expected);
      assert.equal(new Set(seen).size, seen.length);
    });

    it('list pages with filters keep the filter across pages', async () => {
      const first = await fx.stores.runs.list({ repo: 'acme/api', job: 'ci' }, { limit: 1 });
      assert.ok(first.next);
      const second = await fx.stores.runs.list({ repo: 'acme/api', job: 'ci' }, { limit: 1, cursor: first.next });
      const expected = all.filter((r) => r.repo === 'acme/api' && r.job === 'ci').map((r) => r.id);
      assert.deepEqual([...first.runs, ...second.runs].map((r) => r.id), expected.slice(0, 2));
    });

    it('list pages by trigger keep the trigger across pages, every match once', async () => {
      const expected = all.filter((r) => r.source === 'api').map((r) => r.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await fx.stores.runs.list({ source: 'api', since: new Date(0) }, { limit: 2, ...(cursor !== undefined && { cursor }) });
        seen.push(...page.runs.map((r) => r.id));
        cursor = page.next;
      } while (cursor !== undefined && seen.length < 50);
      assert.equal(expected.length, 3);
      assert.deepEqual(seen, expected);
      const none = await fx.stores.runs.list({ source: 'rerun', repo: 'acme/api' }, { limit: 10 });
      assert.deepEqual(none.runs, []);
    });

    it('list rejects a malformed cursor or limit with InvalidInputError', async () => {
      await assert.rejects(fx.stores.runs.list({}, { limit: 10, cursor: 'garbage!' }), InvalidInputError);
      await assert.rejects(fx.stores.runs.list({}, { limit: 0 }), InvalidInputError);
    });
  });
}
