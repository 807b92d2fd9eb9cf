import { describe, expect, it } from 'vitest';
import { createSignalKeyCache } from './signal-key-cache.js';

describe('createSignalKeyCache', () => {
  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = createSignalKeyCache(2, 60_000);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('drops an entry idle for longer than the TTL; a read renews it', () => {
    let t = 0;
    const cache = createSignalKeyCache(10, 1000, () => t);
    cache.set('a', 1);
    cache.set('b', 2);
    t = 900;
    expect(cache.get('a')).toBe(1);
    t = 1500;
    expect(cache.get('a')).toBe(1);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('forgets a key written as null (deleted) instead of caching the null', () => {
    const cache = createSignalKeyCache();
    cache.set('a', 1);
    cache.set('a', null);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set('b', 1);
    cache.flushAll();
    expect(cache.size).toBe(0);
  });
});
