import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diskFullMessage, isDiskFull, retryDatabaseWrite } from '../../../src/worker/store-retry.ts';

/** FerretDB's answer when PostgreSQL cannot extend a table because the disk is full */
const diskFull = (): Error => {
  const err = new Error('[msg_insert.go:168 handler.(*Handler).MsgInsert] [collection.go:163 postgresql.(*collection).InsertAll.func1] ERROR: could not extend file "base/16384/16507": No space left on device (SQLSTATE 53100)');
  err.name = 'MongoServerError';
  return err;
};
const flaky = (failures: number, make: () => Error) => {
  let calls = 0;
  return { calls: () => calls, work: async () => { if (calls++ < failures) throw make(); } };
};

test('a full disk is recognised in what FerretDB passes on, and named with what PostgreSQL said', () => {
  assert.ok(isDiskFull(diskFull()));
  assert.ok(!isDiskFull(new Error('connection reset')));
  const message = diskFullMessage(diskFull());
  assert.match(message, /^the database's disk is full, so the run's output could not be stored \(could not extend file "base\/16384\/16507": No space left on device \(SQLSTATE 53100\)\); free space/);
  assert.doesNotMatch(message, /msg_insert\.go/);
});

test('writers give up on a full disk at once; a final status waits for space like for a restart', async () => {
  const stop = flaky(1, diskFull);
  await assert.rejects(retryDatabaseWrite(stop.work, 10_000, { diskFull: 'fail' }), /No space left/);
  assert.equal(stop.calls(), 1);
  const wait = flaky(2, diskFull);
  await retryDatabaseWrite(wait.work, 10_000, { diskFull: 'retry' });
  assert.equal(wait.calls(), 3);
  const bug = flaky(1, () => new TypeError('not a database error'));
  await assert.rejects(retryDatabaseWrite(bug.work, 10_000, { diskFull: 'retry' }), TypeError);
});
