import { CachingIdentityRepository, CachingUserRepository, UserCache } from '../../src/adapters/persistence/cache/caching-accounts.js';
import { CachingTokenStore } from '../../src/adapters/persistence/cache/caching-token-store.js';
import { KnexIdentityRepository } from '../../src/adapters/persistence/knex/knex-identity-repository.js';
import { KnexTokenStore } from '../../src/adapters/persistence/knex/knex-token-store.js';
import { KnexUserRepository } from '../../src/adapters/persistence/knex/knex-user-repository.js';
import { sqliteTestDatabase } from '../support/databases.js';
import { identityRepositoryContract } from './identity-repository.contract.js';
import { refreshRotationContract } from './refresh-rotation.contract.js';
import { sessionPruningContract } from './session-pruning.contract.js';
import { tokenStoreContract } from './token-store.contract.js';
import { userRepositoryContract } from './user-repository.contract.js';

// A TTL far longer than any test: every read after a write must come from invalidation, not expiry.
const OPTIONS = { max: 1000, ttlMs: 60_000 };

/** The caches the service puts in front of SQLite, over a fresh database per test. */
async function cachedStores() {
  const database = await sqliteTestDatabase();
  const cache = new UserCache(OPTIONS);
  return {
    users: new CachingUserRepository(new KnexUserRepository(database.db), cache),
    identities: new CachingIdentityRepository(new KnexIdentityRepository(database.db), cache),
    store: new CachingTokenStore(new KnexTokenStore(database.db), OPTIONS),
    teardown: () => database.close(),
  };
}

describe('read-through caches over the knex adapters on SQLite', () => {
  userRepositoryContract('CachingUserRepository over KnexUserRepository', async () => {
    const { users, teardown } = await cachedStores();
    return { repo: users, teardown };
  });
  tokenStoreContract('CachingTokenStore over KnexTokenStore', cachedStores);
  sessionPruningContract('CachingTokenStore over KnexTokenStore', cachedStores);
  refreshRotationContract('CachingTokenStore + CachingUserRepository over knex', cachedStores);
  identityRepositoryContract('CachingIdentityRepository + CachingUserRepository over knex', cachedStores);
});
