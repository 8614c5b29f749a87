import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliverySummary } from '../../../src/github/delivery-summary.ts';
import { webhookExample } from '../../support/webhook-examples.ts';

test('reads repository, sha, ref and sender of push and pull_request examples', () => {
  const push = webhookExample('push', (p) => typeof p.after === 'string');
  const summary = deliverySummary('push', push);
  assert.equal(summary.repo, (push.repository as { full_name: string }).full_name);
  assert.equal(summary.sha, push.after);
  assert.equal(summary.ref, push.ref);
  const pr = webhookExample('pull_request', (p) => p.action === 'opened');
  assert.equal(deliverySummary('pull_request', pr).sha, (pr.pull_request as { head: { sha: string } }).head.sha);
  assert.equal(deliverySummary('pull_request', pr).action, 'opened');
});

test('never throws on payloads of the wrong shape, and drops huge strings', () => {
  assert.deepEqual(deliverySummary('push', null), {});
  assert.deepEqual(deliverySummary('push', [1, 2]), {});
  assert.deepEqual(deliverySummary('push', { repository: 'x', after: 5, ref: 'r'.repeat(2000) }), {});
  assert.deepEqual(deliverySummary('check_run', { check_run: { head_sha: 'abc' } }), { sha: 'abc' });
});
