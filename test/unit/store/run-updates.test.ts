import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRunDoc, toRunRecord } from '../../../src/store/mongo/run-document.ts';
import { groupEventUpdate, runEventUpdate, stepEventUpdate } from '../../../src/store/mongo/run-updates.ts';

const at = new Date('2025-01-01T00:00:00Z');

describe('run event updates', () => {
  it('run: running keeps the first start; final statuses stamp finishedAt and free the lease; queued frees it', () => {
    assert.deepEqual(runEventUpdate({ type: 'run', runId: 'r', status: 'running', at }), { $set: { status: 'running' }, $min: { startedAt: at } });
    assert.deepEqual(runEventUpdate({ type: 'run', runId: 'r', status: 'failure', at, message: 'm' }), {
      $set: { status: 'failure', message: 'm', finishedAt: at },
      $unset: { leaseUntil: '' },
    });
    assert.deepEqual(runEventUpdate({ type: 'run', runId: 'r', status: 'queued', at }), { $set: { status: 'queued' }, $unset: { leaseUntil: '' } });
  });

  it('run: a final status without a message clears the message an earlier start left (an engine retry)', () => {
    assert.deepEqual(runEventUpdate({ type: 'run', runId: 'r', status: 'success', at }), {
      $set: { status: 'success', finishedAt: at },
      $unset: { leaseUntil: '', message: '' },
    });
  });

  it('group: sets group and attempt, keeps the latest attempt number, times the attempt', () => {
    const update = groupEventUpdate({ type: 'group', runId: 'r', group: 'g', attempt: 2, status: 'running', at }, 'groups.$[g]', 'groups.$[g].attempts.$[a]');
    assert.deepEqual(update, {
      $set: { 'groups.$[g].status': 'running', 'groups.$[g].attempts.$[a].status': 'running', 'groups.$[g].attempts.$[a].startedAt': at },
      $max: { 'groups.$[g].attempt': 2 },
    });
    const done = groupEventUpdate({ type: 'group', runId: 'r', group: 'g', attempt: 1, status: 'timed_out', at, message: 'slow' }, 'groups.0', 'groups.0.attempts.1');
    assert.equal(done.$set['groups.0.attempts.1.finishedAt'], at);
    assert.equal(done.$set['groups.0.message'], 'slow');
    assert.equal(done.$set['groups.0.attempts.1.message'], 'slow');
  });

  it('step: exit code, message and outputs (as a name/value list, whatever the keys)', () => {
    const update = stepEventUpdate(
      { type: 'step', runId: 'r', group: 'g', step: 1, stepName: 'test', attempt: 1, status: 'failure', at, exitCode: 3, message: 'boom', outputs: { 'a.b': '1', $c: '2' } },
      'groups.0.attempts.0.steps.1',
    );
    assert.deepEqual(update.$set, {
      'groups.0.attempts.0.steps.1.status': 'failure',
      'groups.0.attempts.0.steps.1.name': 'test',
      'groups.0.attempts.0.steps.1.finishedAt': at,
      'groups.0.attempts.0.steps.1.exitCode': 3,
      'groups.0.attempts.0.steps.1.message': 'boom',
      'groups.0.attempts.0.steps.1.outputs': [{ name: 'a.b', value: '1' }, { name: '$c', value: '2' }],
    });
  });

  it('a queued status stamps no time', () => {
    const update = stepEventUpdate({ type: 'step', runId: 'r', group: 'g', step: 0, stepName: 's', attempt: 1, status: 'queued', at }, 'p');
    assert.deepEqual(update, { $set: { 'p.status': 'queued', 'p.name': 's' } });
  });
});

describe('run document', () => {
  it('stores user-keyed maps without their keys as field names, and reads them back', () => {
    const plan = { job: 'j', file: 'f', params: { 'a.b': 1 }, secrets: [], groups: [{ name: 'main', steps: [] }] };
    const doc = newRunDoc('id1', { job: 'j', source: 'api', yaml: 'y', file: 'f', params: { 'a.b': 1, $x: 'y' }, plan, repo: undefined }, at);
    assert.deepEqual(doc.params, [{ name: 'a.b', value: 1 }, { name: '$x', value: 'y' }]);
    assert.equal(typeof doc.planJson, 'string');
    assert.ok(!('repo' in doc), 'undefined fields are not stored (the driver would store null)');
    const record = toRunRecord(doc);
    assert.deepEqual(record.params, { 'a.b': 1, $x: 'y' });
    assert.deepEqual(record.plan, plan);
    assert.deepEqual(record.groups, [{ name: 'main', status: 'queued', attempt: 0, attempts: [] }]);
  });
});
