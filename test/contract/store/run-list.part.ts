import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError, type NewRun, type RunFilter, type RunRecord } from '../../../src/store/store.ts';
import { newRun, TestClock, type MakeStores, type StoreFixture } from './fixtures.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** gaps between the runs of the long history: ties, bucket edges (hours), days, months, years */
const GAPS = [0, 1, 7 * MINUTE, HOUR, 3 * HOUR, 0, 2 * DAY, 20 * MINUTE, 9 * DAY, 5 * HOUR, 40 * DAY, 1_000, 400 * DAY];
const byNewest = (a: RunRecord, b: RunRecord): number =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
/** runs made by single tests, kept out of every filter case */
const elsewhere = { repo: 'other/repo', job: 'elsewhere', branch: 'other', sha: 'zz' };

export function runListContract(makeStores: MakeStores): void {
  runListAcrossTimeContract(makeStores);
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

/**
 * A long, uneven history (six years: ties, runs on hour and day edges, gaps of months and a year,
 * one run a little ahead of the clock): every page, of every size and filter, in order, once —
 * whatever windows an implementation reads a page through.
 */
function runListAcrossTimeContract(makeStores: MakeStores): void {
  describe('RunStore list over a long history', () => {
    const clock = new TestClock(Math.floor((Date.now() - 6 * 365 * DAY) / DAY) * DAY);
    let fx: StoreFixture;
    let all: RunRecord[] = [];

    before(async () => {
      fx = await makeStores(clock.now);
      const created: RunRecord[] = [];
      const sources = ['push', 'push', 'api', 'pull_request', 'push', 'rerun'] as const;
      for (let i = 0; i < 90; i++) {
        const gap = GAPS[i % GAPS.length]!;
        // every fifth gap lands exactly on an hour (a bucket edge) instead
        if (i % 5 === 4) clock.advance(HOUR - (clock.now().getTime() % HOUR));
        else clock.advance(gap);
        const repo = i % 9 === 0 ? 'acme/rare' : `acme/repo-${i % 3}`;
        created.push(await fx.stores.runs.create(newRun({ repo, branch: 'main', job: 'ci', sha: `s${i}`, source: sources[i % sources.length]! })));
        if (i % 4 === 1) await fx.stores.runs.finish(created[i]!.id, 'failure', 'tests failed', clock.now());
      }
      // stamped by a host whose clock is two minutes ahead
      clock.advance(2 * MINUTE);
      created.push(await fx.stores.runs.create(newRun({ repo: 'acme/repo-0', branch: 'main', job: 'ci', sha: 'ahead' })));
      clock.advance(-2 * MINUTE);
      const fresh = await Promise.all(created.map((run) => fx.stores.runs.get(run.id)));
      all = fresh.map((run) => run!).sort(byNewest);
    });
    after(() => fx.cleanup());

    const filters: [string, RunFilter, (run: RunRecord) => boolean][] = [
      ['no filter', {}, () => true],
      ['a rare repository (a run a year or so)', { repo: 'acme/rare' }, (r) => r.repo === 'acme/rare'],
      ['a repository', { repo: 'acme/repo-1' }, (r) => r.repo === 'acme/repo-1'],
      ['trigger', { source: 'api' }, (r) => r.source === 'api'],
      ['status', { status: 'failure' }, (r) => r.status === 'failure'],
      ['repository + trigger', { repo: 'acme/repo-0', source: 'push' }, (r) => r.repo === 'acme/repo-0' && r.source === 'push'],
      ['a trigger no run has', { source: 'pull_request', repo: 'acme/repo-1', status: 'failure' }, (r) => r.source === 'pull_request' && r.repo === 'acme/repo-1' && r.status === 'failure'],
    ];
    for (const [name, filter, keep] of filters) {
      it(`pages through ${name}: every match once, newest first, at any page size`, async () => {
        const expected = all.filter(keep).map((r) => r.id);
        for (const limit of [1, 4, 13, 200]) {
          const seen: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await fx.stores.runs.list(filter, { limit, ...(cursor !== undefined && { cursor }) });
            assert.ok(page.runs.length <= limit);
            if (page.next !== undefined) assert.equal(page.runs.length, limit, 'a page with a next page is full');
            seen.push(...page.runs.map((r) => r.id));
            cursor = page.next;
            pages++;
          } while (cursor !== undefined && pages <= all.length + 1);
          assert.deepEqual(seen, expected, `page size ${limit}`);
        }
      });
    }

    it('first pages show the newest runs, the one ahead of the clock first', async () => {
      const page = await fx.stores.runs.list({}, { limit: 3 });
      assert.deepEqual(page.runs.map((r) => r.sha), all.slice(0, 3).map((r) => r.sha));
      assert.equal(page.runs[0]?.sha, 'ahead');
    });

    it('since keeps the runs created at or after it, across windows', async () => {
      for (const back of [1, 20, 50, 85]) {
        const since = all[back]!.createdAt;
        const expected = all.filter((r) => r.createdAt >= since).map((r) => r.id);
        const first = await fx.stores.runs.list({ since }, { limit: 10 });
        assert.deepEqual(first.runs.map((r) => r.id), expected.slice(0, 10));
        const rest = await fx.stores.runs.list({ since }, { limit: 200, ...(first.next !== undefined && { cursor: first.next }) });
        assert.deepEqual([...first.runs, ...(first.next !== undefined ? rest.runs : [])].map((r) => r.id), expected);
      }
    });

    it('a cursor in the middle of the history continues right after it', async () => {
      const first = await fx.stores.runs.list({ status: 'failure' }, { limit: 7 });
      const expected = all.filter((r) => r.status === 'failure').map((r) => r.id);
      const second = await fx.stores.runs.list({ status: 'failure' }, { limit: 7, cursor: first.next! });
      assert.deepEqual([...first.runs, ...second.runs].map((r) => r.id), expected.slice(0, 14));
    });
  });
}
