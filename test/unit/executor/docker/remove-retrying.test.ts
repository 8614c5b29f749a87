import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { removeRetrying } from '../../../../src/executor/docker/remove-retrying.ts';

const engineError = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });
const inUse = (err: unknown): boolean => (err as { statusCode?: number }).statusCode === 409;

/** a remove that fails with `errors` in turn, then succeeds; counts its calls */
function scripted(errors: Error[]) {
  let calls = 0;
  return { calls: () => calls, remove: async () => {
    const error = errors[calls++];
    if (error) throw error;
  } };
}

describe('removeRetrying', () => {
  it('is done when the object is removed, or already gone', async () => {
    for (const errors of [[], [engineError(404, 'no such volume')]]) {
      const r = scripted(errors);
      await removeRetrying(r.remove, inUse, () => assert.fail('no retry'));
      assert.equal(r.calls(), errors.length + (errors.length === 0 ? 1 : 0));
    }
  });

  it('tries again while the object is in use, saying so each time', async () => {
    const r = scripted([engineError(409, 'in use'), engineError(409, 'in use')]);
    let retries = 0;
    await removeRetrying(r.remove, inUse, () => retries++);
    assert.deepEqual([r.calls(), retries], [3, 2]);
  });

  it('throws any other error at once, and the in-use error of the eighth attempt', async () => {
    const other = engineError(500, 'engine broke');
    const r = scripted([other]);
    await assert.rejects(removeRetrying(r.remove, inUse, () => {}), (err) => err === other);
    assert.equal(r.calls(), 1);
    const busy = Array.from({ length: 8 }, () => engineError(409, 'in use'));
    const stuck = scripted(busy);
    await assert.rejects(removeRetrying(stuck.remove, inUse, () => {}), (err) => err === busy[7]);
    assert.equal(stuck.calls(), 8);
  });
});
