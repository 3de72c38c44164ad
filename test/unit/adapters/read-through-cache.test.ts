import { expect } from 'chai';
import { ReadThroughCache } from '../../../src/adapters/persistence/cache/read-through-cache.js';

const clone = (v: { n: number }) => ({ ...v });

describe('ReadThroughCache', () => {
  it('serves a second read from memory', async () => {
    const cache = new ReadThroughCache({ max: 10, ttlMs: 60_000 }, clone);
    let loads = 0;
    const load = () => Promise.resolve({ n: ++loads });
    await cache.get('k', load);
    expect(await cache.get('k', load)).to.deep.equal({ n: 1 });
    expect(loads).to.equal(1);
  });

  it('asks the store again after an invalidation', async () => {
    const cache = new ReadThroughCache({ max: 10, ttlMs: 60_000 }, clone);
    let loads = 0;
    const load = () => Promise.resolve({ n: ++loads });
    await cache.get('k', load);
    cache.invalidate('k');
    expect(await cache.get('k', load)).to.deep.equal({ n: 2 });
  });

  it('never lets a read that raced with a write fill the cache with what it read before the write', async () => {
    const cache = new ReadThroughCache({ max: 10, ttlMs: 60_000 }, clone);
    let release!: () => void;
    const slow = cache.get('k', () => new Promise<{ n: number }>((resolve) => (release = () => resolve({ n: 1 }))));
    cache.invalidate('k'); // a write lands while the read is in flight
    release();
    expect(await slow).to.deep.equal({ n: 1 });
    expect(await cache.get('k', () => Promise.resolve({ n: 2 }))).to.deep.equal({ n: 2 });
  });

  it('hands out copies: changing one does not change what it serves next', async () => {
    const cache = new ReadThroughCache({ max: 10, ttlMs: 60_000 }, clone);
    const first = await cache.get('k', () => Promise.resolve({ n: 1 }));
    (first as { n: number }).n = 99;
    expect(await cache.get('k', () => Promise.resolve({ n: 2 }))).to.deep.equal({ n: 1 });
  });

  it('forgets what the predicate picks and keeps the rest', async () => {
    const cache = new ReadThroughCache({ max: 10, ttlMs: 60_000 }, clone);
    await cache.get('a', () => Promise.resolve({ n: 1 }));
    await cache.get('b', () => Promise.resolve({ n: 2 }));
    cache.invalidateWhere((v) => v.n === 1);
    expect(await cache.get('a', () => Promise.resolve({ n: 10 }))).to.deep.equal({ n: 10 });
    expect(await cache.get('b', () => Promise.resolve({ n: 20 }))).to.deep.equal({ n: 2 });
  });

  describe('writing', () => {
    /** A store of one value behind the cache, with a read that goes through it. */
    const storeOfOne = () => {
      const cache = new ReadThroughCache({ max: 10, ttlMs: 60_000 }, clone);
      const store = { n: 1 };
      const read = () => cache.get('k', () => Promise.resolve({ ...store }));
      return { cache, store, read };
    };

    it('forgets the key before the write and again after it, so a read racing with the write cannot keep the old value', async () => {
      const { cache, store, read } = storeOfOne();
      await read();

      await cache.writing('k', async () => {
        expect(await read(), 'a read while the write is on its way').to.deep.equal({ n: 1 });
        store.n = 2;
      });

      expect(await read()).to.deep.equal({ n: 2 });
    });

    it('forgets the key again when the write fails half-way (changed the store, then threw)', async () => {
      const { cache, store, read } = storeOfOne();
      await read();

      const failed = cache.writing('k', async () => {
        expect(await read(), 'a read while the write is on its way').to.deep.equal({ n: 1 });
        store.n = 2;
        throw new Error('connection lost after the write');
      });

      await failed.then(
        () => expect.fail('the write should have failed'),
        (err: Error) => expect(err.message).to.equal('connection lost after the write'),
      );
      expect(await read()).to.deep.equal({ n: 2 });
    });

    it('hands back what the write returned', async () => {
      const { cache } = storeOfOne();
      expect(await cache.writing('k', () => Promise.resolve('written'))).to.equal('written');
    });
  });

  it('does not serve an entry past its TTL', async () => {
    const cache = new ReadThroughCache({ max: 10, ttlMs: 20 }, clone);
    await cache.get('k', () => Promise.resolve({ n: 1 }));
    await new Promise((r) => setTimeout(r, 40));
    expect(await cache.get('k', () => Promise.resolve({ n: 2 }))).to.deep.equal({ n: 2 });
  });
});
