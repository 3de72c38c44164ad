import { KnexEmailTokenStore } from '../../src/adapters/persistence/knex/knex-email-token-store.js';
import { KnexTokenStore } from '../../src/adapters/persistence/knex/knex-token-store.js';
import { KnexUserRepository } from '../../src/adapters/persistence/knex/knex-user-repository.js';
import { sqliteTestDatabase } from '../support/databases.js';
import { KnexAuditLog } from '../../src/adapters/persistence/knex/knex-audit-log.js';
import { KnexPasskeyStore } from '../../src/adapters/persistence/knex/knex-passkey-store.js';
import { auditLogContract } from './audit-log.contract.js';
import { passkeyStoreContract } from './passkey-store.contract.js';
import { KnexTotpFactorStore } from '../../src/adapters/persistence/knex/knex-totp-factor-store.js';
import { totpFactorStoreContract } from './totp-factor-store.contract.js';
import { emailTokenStoreContract } from './email-token-store.contract.js';
import { refreshRotationContract } from './refresh-rotation.contract.js';
import { sessionPruningContract } from './session-pruning.contract.js';
import { tokenStoreContract } from './token-store.contract.js';
import { sessionAmrContract } from './session-amr.contract.js';
import { userRepositoryContract } from './user-repository.contract.js';

/** A fresh, migrated in-memory database per test: a few milliseconds, and no state leaks between tests. */
async function knexStores() {
  const database = await sqliteTestDatabase();
  return {
    users: new KnexUserRepository(database.db),
    store: new KnexTokenStore(database.db),
    db: database.db,
    teardown: () => database.close(),
  };
}

// One pooled connection: concurrent callers are serialised, and the conditional UPDATE
// must still leave exactly one of them a winner.
describe('knex adapters on SQLite (better-sqlite3, in memory)', () => {
  userRepositoryContract('KnexUserRepository on SQLite', async () => {
    const { users, teardown } = await knexStores();
    return { repo: users, teardown };
  });

  tokenStoreContract('KnexTokenStore on SQLite', knexStores);

  sessionAmrContract('KnexTokenStore on SQLite', knexStores);

  sessionPruningContract('KnexTokenStore on SQLite', knexStores);

  refreshRotationContract('KnexTokenStore + KnexUserRepository on SQLite', knexStores);

  emailTokenStoreContract('KnexEmailTokenStore on SQLite', async () => {
    const { users, teardown, db } = await knexStores();
    return { store: new KnexEmailTokenStore(db), users, teardown };
  });

  passkeyStoreContract('KnexPasskeyStore on SQLite', async () => {
    const { users, teardown, db } = await knexStores();
    return { store: new KnexPasskeyStore(db), users, teardown };
  });

  totpFactorStoreContract('KnexTotpFactorStore on SQLite', async () => {
    const { users, teardown, db } = await knexStores();
    return { store: new KnexTotpFactorStore(db), passkeys: new KnexPasskeyStore(db), users, teardown };
  });

  auditLogContract('KnexAuditLog on SQLite', async () => {
    const database = await sqliteTestDatabase();
    return { log: new KnexAuditLog(database.db), teardown: () => database.close() };
  });
});
