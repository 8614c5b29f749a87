import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesPullRequest, matchesPush } from '../../../src/pipeline/triggers.ts';
import type { PushInfo, Triggers } from '../../../src/pipeline/types.ts';

const SHA = 'a'.repeat(40);
const branch = (name: string, changedFiles?: string[]): PushInfo => ({ ref: `refs/heads/${name}`, after: SHA, ...(changedFiles ? { changedFiles } : {}) });
const tag = (name: string): PushInfo => ({ ref: `refs/tags/${name}`, after: SHA });

test('a push that deletes a ref triggers nothing', () => {
  assert.equal(matchesPush(undefined, { ref: 'refs/heads/main', after: '0'.repeat(40) }), false);
  assert.equal(matchesPush({ push: { tags: ['*'] } }, { ref: 'refs/tags/v1', after: '0'.repeat(40) }), false);
});

test('defaults: every branch, no tags, any change', () => {
  for (const on of [undefined, { push: {} }] as (Triggers | undefined)[]) {
    assert.equal(matchesPush(on, branch('main')), true);
    assert.equal(matchesPush(on, branch('feature/x/y', ['a'])), true);
    assert.equal(matchesPush(on, tag('v1.0')), false);
  }
  // an `on:` without push does not react to pushes
  assert.equal(matchesPush({}, branch('main')), false);
  // other refs (notes, pull refs) never match
  assert.equal(matchesPush(undefined, { ref: 'refs/pull/1/head', after: SHA }), false);
});

test('branch globs: * stays within a segment, ** crosses segments', () => {
  const on: Triggers = { push: { branches: ['main', 'release/*', 'feat/**'] } };
  assert.equal(matchesPush(on, branch('main')), true);
  assert.equal(matchesPush(on, branch('maintenance')), false);
  assert.equal(matchesPush(on, branch('release/1.2')), true);
  assert.equal(matchesPush(on, branch('release/1.2/hotfix')), false);
  assert.equal(matchesPush(on, branch('feat/a/b')), true);
  assert.equal(matchesPush(on, tag('main')), false);
});

test('tag globs; listing tags leaves the branch default (every branch) in place', () => {
  const on: Triggers = { push: { tags: ['v*'] } };
  assert.equal(matchesPush(on, tag('v1.2.3')), true);
  assert.equal(matchesPush(on, tag('nightly')), false);
  assert.equal(matchesPush(on, branch('main')), true);
  assert.equal(matchesPush({ push: { branches: [] } }, branch('main')), false);
});

test('paths: any changed file included; ! excludes; the last matching pattern wins', () => {
  const on: Triggers = { push: { paths: ['src/**', '!src/**/*.md', 'src/docs/keep.md'] } };
  assert.equal(matchesPush(on, branch('main', ['src/a/b.ts'])), true);
  assert.equal(matchesPush(on, branch('main', ['src/a/readme.md'])), false);
  assert.equal(matchesPush(on, branch('main', ['src/docs/keep.md'])), true);
  assert.equal(matchesPush(on, branch('main', ['README.md', 'src/x.md'])), false);
  assert.equal(matchesPush(on, branch('main', ['README.md', 'src/x.ts'])), true);
  assert.equal(matchesPush(on, branch('main', ['src'])), true, '`src/**` also matches the folder itself');
});

test('paths with only exclusions start from "included"', () => {
  const on: Triggers = { push: { paths: ['!docs/**', '!**/*.md'] } };
  assert.equal(matchesPush(on, branch('main', ['docs/a.txt'])), false);
  assert.equal(matchesPush(on, branch('main', ['lib/x/README.md'])), false);
  assert.equal(matchesPush(on, branch('main', ['docs/a.txt', 'src/main.ts'])), true);
});

test('an exclusion listed first does not make the start "included" when inclusions follow', () => {
  const on: Triggers = { push: { paths: ['!docs/**', 'docs/api/**'] } };
  assert.equal(matchesPush(on, branch('main', ['src/a.ts'])), false);
  assert.equal(matchesPush(on, branch('main', ['docs/api/x.md'])), true);
});

test('** matches dotfiles and any depth; * does not cross /', () => {
  assert.equal(matchesPush({ push: { paths: ['**'] } }, branch('main', ['.github/workflows/ci.yml'])), true);
  assert.equal(matchesPush({ push: { paths: ['*.md'] } }, branch('main', ['docs/a.md'])), false);
  assert.equal(matchesPush({ push: { paths: ['*.md'] } }, branch('main', ['a.md'])), true);
  assert.equal(matchesPush({ push: { paths: ['**/*.md'] } }, branch('main', ['docs/deep/a.md'])), true);
});

test('unknown changed files match a paths filter; a known empty list matches nothing', () => {
  const on: Triggers = { push: { paths: ['src/**'] } };
  assert.equal(matchesPush(on, branch('main')), true);
  assert.equal(matchesPush(on, branch('main', [])), false);
});

test('ref and path filters must both match', () => {
  const on: Triggers = { push: { branches: ['main'], paths: ['src/**'] } };
  assert.equal(matchesPush(on, branch('dev', ['src/a'])), false);
  assert.equal(matchesPush(on, branch('main', ['docs/a'])), false);
  assert.equal(matchesPush(on, branch('main', ['src/a'])), true);
});

const pr = (baseBranch: string, changedFiles?: string[]) => ({ baseBranch, ...(changedFiles ? { changedFiles } : {}) });

test('pull requests run only jobs that list pull_request (no `on:` means pushes only)', () => {
  assert.equal(matchesPullRequest(undefined, pr('main')), false);
  assert.equal(matchesPullRequest({ push: {} }, pr('main')), false);
  assert.equal(matchesPullRequest({ pull_request: {} }, pr('main')), true);
  assert.equal(matchesPullRequest({ pull_request: {} }, pr('feature/x/y', ['a'])), true);
  // listing pull_request does not turn pushes off, nor does it turn them on
  assert.equal(matchesPush({ push: {}, pull_request: {} }, branch('main')), true);
  assert.equal(matchesPush({ pull_request: {} }, branch('main')), false);
});

test('pull_request branches are globs of the base branch', () => {
  const on: Triggers = { pull_request: { branches: ['main', 'release/*'] } };
  assert.equal(matchesPullRequest(on, pr('main')), true);
  assert.equal(matchesPullRequest(on, pr('release/2.0')), true);
  assert.equal(matchesPullRequest(on, pr('release/2.0/x')), false);
  assert.equal(matchesPullRequest(on, pr('develop')), false);
  assert.equal(matchesPullRequest({ pull_request: { branches: [] } }, pr('main')), false);
});

test('pull_request paths follow the push rules: last match wins, unknown files match, none changed matches nothing', () => {
  const on: Triggers = { pull_request: { branches: ['main'], paths: ['src/**', '!src/**/*.md'] } };
  assert.equal(matchesPullRequest(on, pr('main', ['src/a.ts'])), true);
  assert.equal(matchesPullRequest(on, pr('main', ['src/a.md', 'README.md'])), false);
  assert.equal(matchesPullRequest(on, pr('dev', ['src/a.ts'])), false);
  assert.equal(matchesPullRequest(on, pr('main')), true);
  assert.equal(matchesPullRequest(on, pr('main', [])), false);
  assert.equal(matchesPullRequest({ pull_request: { paths: ['!docs/**'] } }, pr('any', ['docs/a.md', 'lib/b.ts'])), true);
});
