import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PayloadError, isDeletedSha, parseEvent } from '../../../src/github/parse-event.ts';
import { at, edited, webhookExample, type Payload } from '../../support/webhook-examples.ts';

const ZEROS = '0'.repeat(40);
const SHA = '1'.repeat(40);

const branchPush = () => webhookExample('push', (p) => p.ref === 'refs/heads/master' && p.installation !== undefined);
const commit = (added: string[], modified: string[] = [], removed: string[] = []) => ({ id: SHA, message: 'm', added, modified, removed });
const withCommits = (payload: Payload, commits: unknown) => edited(edited(payload, 'before', SHA), 'commits', commits);

function parse(name: string, payload: unknown) {
  return parseEvent(name, payload);
}

function throwsPayloadError(name: string, payload: unknown, field: string) {
  assert.throws(
    () => parseEvent(name, payload),
    (error: unknown) => error instanceof PayloadError && error.field === field && error.message.includes(`'${field}'`),
    `expected a PayloadError naming '${field}'`,
  );
}

describe('parseEvent: push', () => {
  it('a branch push: ref, shas, repository, installation, sender and the listed files', () => {
    const payload = branchPush();
    assert.deepEqual(parse('push', payload), {
      kind: 'push',
      repo: {
        owner: 'Codertocat',
        name: 'Hello-World',
        fullName: 'Codertocat/Hello-World',
        cloneUrl: 'https://github.com/Codertocat/Hello-World.git',
        htmlUrl: 'https://github.com/Codertocat/Hello-World',
        defaultBranch: 'master',
      },
      installationId: at(payload, 'installation.id'),
      sender: 'Codertocat',
      ref: 'refs/heads/master',
      before: ZEROS,
      after: at(payload, 'after'),
      deleted: false,
      changedFiles: ['README.md'],
    });
  });

  it('changed files are the union of every commit’s added, modified and removed files', () => {
    const payload = withCommits(branchPush(), [commit(['a.ts'], ['README.md']), commit([], ['a.ts', 'b.ts'], ['old.md'])]);
    const event = parse('push', payload);
    assert.equal(event.kind, 'push');
    assert.deepEqual(event.kind === 'push' && [...event.changedFiles!].sort(), ['README.md', 'a.ts', 'b.ts', 'old.md']);
  });

  it('the owner falls back to `name` when a push payload has no `login`', () => {
    const event = parse('push', edited(branchPush(), 'repository.owner.login', undefined));
    assert.equal(event.kind === 'push' && event.repo.owner, 'Codertocat');
  });

  it('a deleted branch: deleted from the payload flag, or from an all-zeros `after` alone', () => {
    const deletion = edited(edited(edited(branchPush(), 'after', ZEROS), 'deleted', true), 'commits', []);
    const flagged = parse('push', edited(deletion, 'before', SHA));
    assert.equal(flagged.kind === 'push' && flagged.deleted, true);
    assert.equal(flagged.kind === 'push' && flagged.ref, 'refs/heads/master');
    const unflagged = parse('push', edited(edited(deletion, 'deleted', undefined), 'commits', undefined));
    assert.equal(unflagged.kind === 'push' && unflagged.deleted, true);
    assert.deepEqual(unflagged.kind === 'push' && unflagged.changedFiles, []);
  });

  it('a tag push and a tag deletion (GitHub’s own examples)', () => {
    const created = parse('push', webhookExample('push', (p) => p.ref === 'refs/tags/simple-tag' && p.deleted === false));
    assert.equal(created.kind === 'push' && created.ref, 'refs/tags/simple-tag');
    assert.equal(created.kind === 'push' && created.deleted, false);
    assert.equal(created.kind === 'push' && created.changedFiles, undefined, 'a new ref listing no commits cannot tell what changed');
    const deleted = parse('push', webhookExample('push', (p) => p.deleted === true));
    assert.equal(deleted.kind === 'push' && deleted.deleted, true);
    assert.equal(deleted.kind === 'push' && deleted.installationId, undefined);
  });

  it('a truncated payload leaves the changed files unknown', () => {
    const many = Array.from({ length: 20 }, (_, i) => commit([`f${i}`]));
    const nineteen = parse('push', withCommits(branchPush(), many.slice(0, 19)));
    assert.equal(nineteen.kind === 'push' && nineteen.changedFiles?.length, 19);
    const twenty = parse('push', withCommits(branchPush(), many));
    assert.equal(twenty.kind === 'push' && twenty.changedFiles, undefined);
    const capped = Array.from({ length: 3000 }, (_, i) => `gen/${i}.ts`);
    const big = parse('push', withCommits(branchPush(), [commit(capped.slice(0, 1000), capped.slice(1000))]));
    assert.equal(big.kind === 'push' && big.changedFiles, undefined);
    const under = parse('push', withCommits(branchPush(), [commit(capped.slice(1))]));
    assert.equal(under.kind === 'push' && under.changedFiles?.length, 2999);
    const missing = parse('push', edited(branchPush(), 'commits', undefined));
    assert.equal(missing.kind === 'push' && missing.changedFiles, undefined);
  });

  it('malformed push payloads name the missing or mistyped field', () => {
    throwsPayloadError('push', 'not json', '(payload)');
    throwsPayloadError('push', null, '(payload)');
    throwsPayloadError('push', edited(branchPush(), 'ref', undefined), 'ref');
    throwsPayloadError('push', edited(branchPush(), 'after', 42), 'after');
    throwsPayloadError('push', edited(branchPush(), 'repository', undefined), 'repository');
    throwsPayloadError('push', edited(branchPush(), 'repository.clone_url', ''), 'repository.clone_url');
    throwsPayloadError('push', edited(branchPush(), 'installation.id', 'one'), 'installation.id');
    throwsPayloadError('push', edited(branchPush(), 'commits', 'all'), 'commits');
    throwsPayloadError('push', withCommits(branchPush(), [{ added: [1] }]), 'commits[0].added');
  });
});

describe('parseEvent: pull_request', () => {
  const opened = () => webhookExample('pull_request', (p) => p.action === 'opened' && p.installation !== undefined);

  it('opened, synchronize and reopened start runs with the head and base facts', () => {
    const payload = opened();
    const event = parse('pull_request', payload);
    assert.equal(event.kind, 'pull_request');
    if (event.kind !== 'pull_request') return;
    assert.equal(event.action, 'opened');
    assert.equal(event.number, 2);
    assert.equal(event.headSha, at(payload, 'pull_request.head.sha'));
    assert.equal(event.headRef, 'changes');
    assert.equal(event.baseBranch, 'master');
    assert.equal(event.fork, false);
    assert.equal(event.repo.fullName, 'Codertocat/Hello-World');
    assert.deepEqual(event.headRepo, event.repo);
    assert.equal(event.installationId, at(payload, 'installation.id'));
    for (const action of ['synchronize', 'reopened']) {
      const other = parse('pull_request', webhookExample('pull_request', (p) => p.action === action));
      assert.equal(other.kind === 'pull_request' && other.action, action);
    }
  });

  it('a pull request from a fork, and from a fork that was deleted', () => {
    let payload = edited(opened(), 'pull_request.head.repo.full_name', 'someone/Hello-World');
    payload = edited(payload, 'pull_request.head.repo.owner.login', 'someone');
    payload = edited(payload, 'pull_request.head.repo.clone_url', 'https://github.com/someone/Hello-World.git');
    const fork = parse('pull_request', payload);
    assert.equal(fork.kind === 'pull_request' && fork.fork, true);
    assert.equal(fork.kind === 'pull_request' && fork.headRepo.fullName, 'someone/Hello-World');
    assert.equal(fork.kind === 'pull_request' && fork.headRepo.owner, 'someone');
    assert.equal(fork.kind === 'pull_request' && fork.headRepo.cloneUrl, 'https://github.com/someone/Hello-World.git');
    assert.equal(fork.kind === 'pull_request' && fork.repo.fullName, 'Codertocat/Hello-World');
    const gone = parse('pull_request', edited(opened(), 'pull_request.head.repo', null));
    assert.equal(gone.kind === 'pull_request' && gone.fork, true);
    assert.equal(gone.kind === 'pull_request' && gone.headRepo.fullName, 'Codertocat/Hello-World');
  });

  it('other actions are ignored with the reason', () => {
    assert.deepEqual(parse('pull_request', webhookExample('pull_request', (p) => p.action === 'closed')), {
      kind: 'ignored',
      reason: "pull_request action 'closed' starts nothing",
    });
    assert.deepEqual(parse('pull_request', webhookExample('pull_request', (p) => p.action === 'labeled')), {
      kind: 'ignored',
      reason: "pull_request action 'labeled' starts nothing",
    });
  });

  it('malformed pull request payloads name the field', () => {
    throwsPayloadError('pull_request', edited(opened(), 'action', undefined), 'action');
    throwsPayloadError('pull_request', edited(opened(), 'pull_request.head.sha', undefined), 'pull_request.head.sha');
    throwsPayloadError('pull_request', edited(opened(), 'pull_request.base', 'master'), 'pull_request.base');
    throwsPayloadError('pull_request', edited(edited(opened(), 'number', undefined), 'pull_request.number', undefined), 'pull_request.number');
  });
});

describe('parseEvent: re-runs', () => {
  it('check_run rerequested: one job’s run, identified by the check run', () => {
    const payload = webhookExample('check_run', (p) => p.action === 'rerequested');
    const withId = edited(payload, 'check_run.external_id', 'run-42');
    const event = parse('check_run', withId);
    assert.equal(event.kind === 'rerun' && event.repo.fullName, at(payload, 'repository.full_name'));
    const { repo: _repo, ...facts } = event as Extract<typeof event, { kind: 'rerun' }>;
    assert.deepEqual(facts, {
      kind: 'rerun',
      installationId: at(payload, 'installation.id'),
      sender: at(payload, 'sender.login'),
      scope: 'check_run',
      headSha: 'd6fde92930d4715a2b49857d24b940956b26d2d3',
      checkName: 'randscape',
      externalId: 'run-42',
      failedOnly: false,
    });
    const noId = parse('check_run', payload);
    assert.equal(noId.kind === 'rerun' && noId.externalId, undefined, 'GitHub sends "" for a check run created without one');
  });

  it('check_run requested_action: only the rerun-failed button re-runs, and only failed groups', () => {
    const payload = webhookExample('check_run', (p) => p.action === 'requested_action');
    assert.deepEqual(parse('check_run', payload), { kind: 'ignored', reason: "check_run requested_action 'lgtm|26764' is not a Pistages button" });
    const event = parse('check_run', edited(payload, 'requested_action.identifier', 'rerun-failed'));
    assert.equal(event.kind === 'rerun' && event.failedOnly, true);
    assert.equal(event.kind === 'rerun' && event.checkName, 'API Review');
    assert.equal(event.kind === 'rerun' && event.headSha, '5bd5f196a46b8222fb7484f05faba41a73cf34bd');
    throwsPayloadError('check_run', edited(payload, 'requested_action', undefined), 'requested_action');
  });

  it('check_suite rerequested: every run of the commit', () => {
    const payload = webhookExample('check_suite', (p) => p.action === 'rerequested');
    const event = parse('check_suite', payload);
    assert.equal(event.kind === 'rerun' && event.scope, 'check_suite');
    assert.equal(event.kind === 'rerun' && event.headSha, 'ec26c3e57ca3a959ca5aad62de7213c562f8c821');
    assert.equal(event.kind === 'rerun' && event.failedOnly, false);
    throwsPayloadError('check_suite', edited(payload, 'check_suite.head_sha', undefined), 'check_suite.head_sha');
  });

  it('other check actions are ignored with the reason', () => {
    assert.deepEqual(parse('check_run', webhookExample('check_run', (p) => p.action === 'created')), {
      kind: 'ignored',
      reason: "check_run action 'created' starts nothing",
    });
    assert.deepEqual(parse('check_suite', webhookExample('check_suite', (p) => p.action === 'requested')), {
      kind: 'ignored',
      reason: "check_suite action 'requested' starts nothing",
    });
  });
});

describe('parseEvent: other events', () => {
  it('ping and unknown events are ignored with the reason', () => {
    assert.deepEqual(parse('ping', webhookExample('ping')), { kind: 'ignored', reason: 'ping' });
    assert.deepEqual(parse('issues', {}), { kind: 'ignored', reason: "event 'issues' starts nothing" });
  });

  it('isDeletedSha: only all zeros', () => {
    assert.equal(isDeletedSha(ZEROS), true);
    assert.equal(isDeletedSha('0'.repeat(64)), true);
    assert.equal(isDeletedSha(SHA), false);
    assert.equal(isDeletedSha(`${'0'.repeat(39)}1`), false);
    assert.equal(isDeletedSha(''), false);
  });
});
