import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRunCursor, encodeRunCursor } from '../../../src/store/mongo/run-cursor.ts';
import { InvalidInputError } from '../../../src/store/store.ts';

describe('run page cursor', () => {
  it('round-trips (createdAt, id) and is URL-safe', () => {
    const cursor = { createdAt: new Date('2025-03-04T05:06:07.089Z'), id: '65f0c0ffee0123456789abcd' };
    const text = encodeRunCursor(cursor);
    assert.match(text, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeRunCursor(text), cursor);
  });

  it('rejects anything else with InvalidInputError', () => {
    for (const bad of ['', 'abc', Buffer.from('x.y').toString('base64url'), Buffer.from('1.{"$gt":""}').toString('base64url')]) {
      assert.throws(() => decodeRunCursor(bad), InvalidInputError, bad);
    }
  });
});
