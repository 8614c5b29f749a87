import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { checkRunBody, commitStatusBody } from '../../../src/github/checks.ts';
import type { Status } from '../../../src/pipeline/types.ts';
import { GithubContract, ctx, group, run, step } from './check-fixtures.ts';

let github: GithubContract;
before(async () => {
  github = await GithubContract.load();
});

describe('status mapping', () => {
  const cases: [Status, string, string | undefined, string, RegExp][] = [
    ['queued', 'queued', undefined, 'pending', /^queued$/],
    ['running', 'in_progress', undefined, 'pending', /^running: 1 of 3 groups done$/],
    ['success', 'completed', 'success', 'success', /^passed in 1m 12s$/],
    ['failure', 'completed', 'failure', 'failure', /^failed: build › test$/],
    ['timed_out', 'completed', 'timed_out', 'failure', /^timed out: build › test$/],
    ['error', 'completed', 'failure', 'error', /^system error.*: Docker is unreachable$/],
    ['cancelled', 'completed', 'cancelled', 'error', /^cancelled/],
    ['skipped', 'completed', 'skipped', 'success', /^skipped/],
  ];
  for (const [status, checkStatus, conclusion, state, description] of cases) {
    it(`${status} → check ${checkStatus}/${conclusion ?? '-'}, commit status ${state}`, () => {
      const groups = [
        group('build', ['failure', 'timed_out'].includes(status) ? status : 'success', [step(0, 'test', ['failure', 'timed_out'].includes(status) ? status : 'success')]),
        group('lint', status === 'running' ? 'running' : 'success', []),
        group('docs', status === 'running' ? 'queued' : 'success', []),
      ];
      const record = run(status, groups, status === 'error' ? { message: 'Docker is unreachable' } : {});
      const body = checkRunBody(record, [], ctx);
      assert.equal(body.status, checkStatus);
      assert.equal(body.conclusion, conclusion);
      assert.equal(body.completed_at !== undefined, conclusion !== undefined);
      github.acceptsCheckRun(body);
      const commit = commitStatusBody(record, ctx);
      assert.equal(commit.state, state);
      assert.equal(commit.context, 'pistages/Build Pistages');
      assert.equal(commit.target_url, ctx.runUrl);
      assert.match(commit.description, description);
      github.acceptsStatus(commit);
    });
  }

  it('a system error says so in the check title', () => {
    assert.match(checkRunBody(run('error', [], { message: 'image missing' }), [], ctx).output.title, /^system error .*: image missing$/);
  });

  it('the commit status description stays within 140 characters, on one line', () => {
    const record = run('failure', [group('build', 'failure', [step(0, `make\n${'very '.repeat(60)}long`, 'failure')])]);
    const commit = commitStatusBody(record, {});
    assert.ok([...commit.description].length <= 140, commit.description);
    assert.ok(!commit.description.includes('\n'));
    assert.ok(commit.description.startsWith('failed: build › make very'));
    assert.ok(commit.description.endsWith('…'));
    assert.equal(commit.target_url, undefined);
    github.acceptsStatus(commit);
  });
});
