import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PayloadError, PayloadReader } from '../../../src/github/payload-reader.ts';

test('a commit sha field must hold a sha: anything else fails the delivery at once, naming the field', () => {
  const sha = 'a'.repeat(40);
  assert.equal(new PayloadReader('push', { after: sha }).sha('after'), sha);
  assert.equal(new PayloadReader('push', { after: 'b'.repeat(64) }).sha('after'), 'b'.repeat(64));
  assert.throws(() => new PayloadReader('push', { after: 'not-a-sha; rm -rf /' }).sha('after'), (err: unknown) => {
    assert.ok(err instanceof PayloadError);
    assert.equal(err.message, "push payload: 'after' should be a commit sha (40 hexadecimal characters), but it is a string of 19 characters that is not one");
    return true;
  });
  assert.throws(() => new PayloadReader('push', { after: 'A'.repeat(40) }).sha('after'), PayloadError);
  assert.throws(() => new PayloadReader('push', {}).sha('after'), /'after' should be a non-empty string, but it is missing/);
});
