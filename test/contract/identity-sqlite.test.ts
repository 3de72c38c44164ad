import { KnexIdentityRepository } from '../../src/adapters/persistence/knex/knex-identity-repository.js';
import { KnexUserRepository } from '../../src/adapters/persistence/knex/knex-user-repository.js';
import { sqliteTestDatabase } from '../support/databases.js';
import { identityRepositoryContract } from './identity-repository.contract.js';

describe('knex identity adapters on SQLite (better-sqlite3, in memory)', () => {
  // A fresh, migrated database per test; both repositories on it.
  identityRepositoryContract('KnexIdentityRepository + KnexUserRepository on SQLite', async () => {
    const database = await sqliteTestDatabase();
    return {
      users: new KnexUserRepository(database.db),
      identities: new KnexIdentityRepository(database.db),
      teardown: () => database.close(),
    };
  });
});
