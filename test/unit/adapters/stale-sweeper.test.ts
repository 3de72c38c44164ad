import { expect } from 'chai';
import { LRUCache } from 'lru-cache';
import { sweepStale } from '../../../src/adapters/shared/stale-sweeper.js';

describe('sweepStale', () => {
  it('drops expired entries nobody reads again, so a cache holds only its TTL window, not its size bound', async () => {
    const cache = new LRUCache<string, object>({ max: 10_000, ttl: 30 });
    sweepStale(cache, 10);
    for (let i = 0; i < 1000; i++) cache.set(`key-${i}`, { i });
    expect(cache.size).to.equal(1000);

    const deadline = Date.now() + 2000;
    while (cache.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

    expect(cache.size).to.equal(0);
  });

  it('keeps entries that have not expired', async () => {
    const cache = new LRUCache<string, object>({ max: 100, ttl: 60_000 });
    sweepStale(cache, 10);
    cache.set('live', {});

    await new Promise((r) => setTimeout(r, 50));

    expect(cache.has('live')).to.equal(true);
  });
});
