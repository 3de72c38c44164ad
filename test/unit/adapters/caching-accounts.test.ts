import { expect } from 'chai';
import { CachingUserRepository, UserCache } from '../../../src/adapters/persistence/cache/caching-accounts.js';
import { InMemoryUserRepository } from '../../../src/adapters/persistence/memory/in-memory-user-repository.js';
import type { UserRepository } from '../../../src/domain/ports/user-repository.js';
import { aUser, rejectionOf } from '../../contract/builders.js';

// A TTL far longer than any test: every fresh read after a write must come from invalidation.
const OPTIONS = { max: 100, ttlMs: 60_000 };
const OLD_HASH = '$2b$04$oldoldoldoldoldoldoldu0123456789ABCDEFGHIJKLMNOPQRSTU';
const NEW_HASH = '$2b$04$newnewnewnewnewnewnewu0123456789ABCDEFGHIJKLMNOPQRSTU';

/** The cached repository over an in-memory one holding one user whose hash is OLD_HASH, already cached. */
async function cachedUser(wrap: (inner: InMemoryUserRepository, cached: () => UserRepository) => UserRepository = (inner) => inner) {
  const inner = new InMemoryUserRepository();
  const user = await inner.create(aUser({ passwordHash: OLD_HASH }));
  const self: { repo?: UserRepository } = {};
  const repo = new CachingUserRepository(
    wrap(inner, () => self.repo as UserRepository),
    new UserCache(OPTIONS),
  );
  self.repo = repo;
  expect((await repo.findById(user.id))?.passwordHash, 'cached before the write').to.equal(OLD_HASH);
  return { repo, inner, id: user.id };
}

describe('CachingUserRepository', () => {
  it('serves findById from memory: a change the cache was not told of stays unseen until it expires', async () => {
    const { repo, inner, id } = await cachedUser();
    await inner.updatePasswordHash(id, NEW_HASH);

    expect((await repo.findById(id))?.passwordHash, 'the control: the cache does serve what it holds').to.equal(OLD_HASH);
  });

  it('forgets the cached hash when the password changes through it: the old password stops working at once', async () => {
    const { repo, id } = await cachedUser();

    await repo.updatePasswordHash(id, NEW_HASH);

    expect((await repo.findById(id))?.passwordHash).to.equal(NEW_HASH);
  });

  it('forgets the cached hash when the write fails half-way, even if a read raced with it and cached the old one', async () => {
    const { repo, id } = await cachedUser((inner, cached) => ({
      create: (u) => inner.create(u),
      findById: (i) => inner.findById(i),
      findByEmail: (e) => inner.findByEmail(e),
      delete: (i) => inner.delete(i),
      markEmailVerified: (i, e) => inner.markEmailVerified(i, e),
      changeEmail: (i, e) => inner.changeEmail(i, e),
      update: (i, c) => inner.update(i, c),
      recordSignIn: (i, a) => inner.recordSignIn(i, a),
      search: (q) => inner.search(q),
      countEnabledWithRole: (r) => inner.countEnabledWithRole(r),
      async updatePasswordHash(i, hash) {
        // Another request reads while this write is on its way, before it lands: the old hash.
        expect((await cached().findById(i))?.passwordHash).to.equal(OLD_HASH);
        await inner.updatePasswordHash(i, hash);
        // The write reached the store, then the connection broke before its answer came back.
        throw new Error('connection lost after the write');
      },
    }));

    expect(await rejectionOf(repo.updatePasswordHash(id, NEW_HASH))).to.have.property('message', 'connection lost after the write');

    expect((await repo.findById(id))?.passwordHash).to.equal(NEW_HASH);
  });
});
