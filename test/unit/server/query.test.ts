import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError } from '../../../src/server/http-error.ts';
import { flag, parseLogQuery, parseRunListQuery, parseWithParams } from '../../../src/server/query.ts';

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 400);
    assert.match(error.message, pattern);
    return true;
  });
}

test('with.KEY=VALUE pairs become string parameters; other keys are ignored', () => {
  assert.deepEqual(parseWithParams({ 'with.repo': 'https://x/y.git', 'with.n': '3', 'with.empty': '', file: 'a.yaml' }), {
    repo: 'https://x/y.git',
    n: '3',
    empty: '',
  });
  rejects(() => parseWithParams({ 'with.': 'x' }), /needs a name/);
  rejects(() => parseWithParams({ 'with.a': ['1', '2'] }), /given once/);
});

test('flag reads true/false spellings and refuses others', () => {
  assert.equal(flag({ x: '' }, 'x'), true);
  assert.equal(flag({ x: 'TRUE' }, 'x'), true);
  assert.equal(flag({ x: '0' }, 'x'), false);
  assert.equal(flag({}, 'x'), false);
  rejects(() => flag({ x: 'maybe' }, 'x'), /true or false/);
});

test('run list query: filters, defaults and limits', () => {
  const { filter, page } = parseRunListQuery({ repo: 'acme/api', job: 'Build', status: 'failure', branch: 'main', sha: 'abc', since: '2024-05-01' });
  assert.deepEqual(filter, { repo: 'acme/api', job: 'Build', status: 'failure', branch: 'main', sha: 'abc', since: new Date('2024-05-01') });
  assert.deepEqual(page, { limit: 20 });
  assert.deepEqual(parseRunListQuery({ limit: '100', cursor: 'abc' }).page, { limit: 100, cursor: 'abc' });
  rejects(() => parseRunListQuery({ limit: '101' }), /from 1 to 100/);
  rejects(() => parseRunListQuery({ limit: '-1' }), /from 1 to 100/);
  rejects(() => parseRunListQuery({ status: 'failed' }), /one of queued, running, success, failure/);
  rejects(() => parseRunListQuery({ since: '05/01/2024' }), /ISO date such as 2024-05-01/);
  rejects(() => parseRunListQuery({ since: '2024-13-45' }), /ISO date/);
  rejects(() => parseRunListQuery({ repo: 'acme' }), /owner\/name/);
  rejects(() => parseRunListQuery({ brnach: 'main' }), /unknown query parameter 'brnach'; this endpoint takes: repo, job/);
  assert.deepEqual(parseRunListQuery({ source: 'pull_request', repo: 'acme/api' }).filter, { repo: 'acme/api', source: 'pull_request' });
  rejects(() => parseRunListQuery({ source: 'webhook' }), /source must be one of push, pull_request, api, rerun, got 'webhook'/);
});

test('log query: format, follow and filters', () => {
  assert.deepEqual(parseLogQuery({}), { format: 'text', follow: false, limit: 1000 });
  assert.deepEqual(parseLogQuery({ format: 'json', follow: '1', group: 'lint', step: '0', attempt: '2', after: 'c', limit: '10' }), {
    format: 'json',
    follow: true,
    group: 'lint',
    step: 0,
    attempt: 2,
    after: 'c',
    limit: 10,
  });
  rejects(() => parseLogQuery({ attempt: '0' }), /attempt/);
  rejects(() => parseLogQuery({ step: '1.5' }), /step/);
  rejects(() => parseLogQuery({ format: 'html' }), /text or json/);
});
