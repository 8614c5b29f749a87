import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruCache } from '../../../src/github/lru-cache.ts';

describe('LruCache', () => {
  it('forgets the least recently used entry when full', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1);
    cache.set('c', 3);
    assert.deepEqual([cache.get('a'), cache.get('b'), cache.get('c'), cache.size], [1, undefined, 3, 2]);
  });

  it('replacing a value refreshes it', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10);
    cache.set('c', 3);
    assert.deepEqual([cache.get('a'), cache.get('b')], [10, undefined]);
  });

  it('refuses a size below one', () => {
    assert.throws(() => new LruCache(0), /at least one entry/);
  });
});
