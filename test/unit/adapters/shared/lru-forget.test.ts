import { expect } from 'chai';
import { LRUCache } from 'lru-cache';
import { forgetEntry } from '../../../../src/adapters/shared/lru-forget.js';

describe('forgetEntry (lru-cache, without its O(max) clear)', () => {
  it('forgets the key whatever the size, and nothing else when there are others', () => {
    const cache = new LRUCache<string, object>({ max: 50_000, ttl: 60_000 });
    cache.set('a', {});
    forgetEntry(cache, 'a');
    expect(cache.size).to.equal(0);
    expect(cache.get('a')).to.equal(undefined);
    cache.set('a', {});
    cache.set('b', {});
    forgetEntry(cache, 'a');
    expect([cache.has('a'), cache.has('b')]).to.deep.equal([false, true]);
    cache.set('c', {});
    expect(cache.size).to.equal(2);
  });

  it('evicts a lone entry (O(1)) rather than deleting it, which lru-cache does by clear(), O(max)', () => {
    const calls: string[] = [];
    const recording = (size: number) => ({ size, pop: () => calls.push('pop'), delete: (key: string) => (calls.push(`delete ${key}`), true) });
    forgetEntry(recording(1), 'only');
    forgetEntry(recording(2), 'one-of-two');
    forgetEntry(recording(0), 'absent');
    expect(calls).to.deep.equal(['pop', 'delete one-of-two', 'delete absent']);
  });
});
