import { KnexEmailTokenStore } from '../../src/adapters/persistence/knex/knex-email-token-store.js';
import { KnexIdentityRepository } from '../../src/adapters/persistence/knex/knex-identity-repository.js';
import { KnexTokenStore } from '../../src/adapters/persistence/knex/knex-token-store.js';
import { KnexUserRepository } from '../../src/adapters/persistence/knex/knex-user-repository.js';
import { mysqlTestDatabase, mysqlUrl, warnMysqlSkipped, type TestDatabase } from '../support/databases.js';
import { KnexAuditLog } from '../../src/adapters/persistence/knex/knex-audit-log.js';
import { KnexPasskeyStore } from '../../src/adapters/persistence/knex/knex-passkey-store.js';
import { auditLogContract } from './audit-log.contract.js';
import { passkeyStoreContract } from './passkey-store.contract.js';
import { KnexTotpFactorStore } from '../../src/adapters/persistence/knex/knex-totp-factor-store.js';
import { totpFactorStoreContract } from './totp-factor-store.contract.js';
import { emailTokenStoreContract } from './email-token-store.contract.js';
import { identityRepositoryContract } from './identity-repository.contract.js';
import { refreshRotationContract } from './refresh-rotation.contract.js';
import { sessionPruningContract } from './session-pruning.contract.js';
import { tokenStoreContract } from './token-store.contract.js';
import { sessionAmrContract } from './session-amr.contract.js';
import { userRepositoryContract } from './user-repository.contract.js';

describe('knex adapters on MySQL/MariaDB', () => {
  let database: TestDatabase | undefined;

  if (mysqlUrl() === null) {
    // Reported as pending, never as a silent pass.
    before(function () {
      warnMysqlSkipped();
      this.skip();
    });
  } else {
    // One database (auth_test_<random>) for this file, emptied before each test.
    before(async () => {
      database = await mysqlTestDatabase();
    });
    after(async () => {
      await database?.close();
    });
  }

  async function knexStores() {
    if (!database) throw new Error('the MySQL test database is not open');
    const { db } = database;
    await db('recovery_codes').del();
    await db('totp_factors').del();
    await db('passkeys').del();
    await db('email_tokens').del();
    await db('identities').del();
    await db('sessions').del();
    await db('users').del();
    return {
      users: new KnexUserRepository(db),
      identities: new KnexIdentityRepository(db),
      store: new KnexTokenStore(db),
      emailTokens: new KnexEmailTokenStore(db),
      teardown: () => Promise.resolve(),
    };
  }

  userRepositoryContract('KnexUserRepository on MySQL', async () => {
    const { users, teardown } = await knexStores();
    return { repo: users, teardown };
  });

  tokenStoreContract('KnexTokenStore on MySQL', knexStores);

  sessionAmrContract('KnexTokenStore on MySQL', knexStores);

  sessionPruningContract('KnexTokenStore on MySQL', knexStores);

  refreshRotationContract('KnexTokenStore + KnexUserRepository on MySQL', knexStores);

  identityRepositoryContract('KnexIdentityRepository + KnexUserRepository on MySQL', knexStores);

  emailTokenStoreContract('KnexEmailTokenStore on MySQL', async () => {
    const { users, emailTokens, teardown } = await knexStores();
    return { store: emailTokens, users, teardown };
  });

  passkeyStoreContract('KnexPasskeyStore on MySQL', async () => {
    const { users, teardown } = await knexStores();
    if (!database) throw new Error('the MySQL test database is not open');
    return { store: new KnexPasskeyStore(database.db), users, teardown };
  });

  totpFactorStoreContract('KnexTotpFactorStore on MySQL', async () => {
    const { users, teardown } = await knexStores();
    if (!database) throw new Error('the MySQL test database is not open');
    return { store: new KnexTotpFactorStore(database.db), passkeys: new KnexPasskeyStore(database.db), users, teardown };
  });

  auditLogContract('KnexAuditLog on MySQL', async () => {
    if (!database) throw new Error('the MySQL test database is not open');
    await database.db('security_events').del();
    return { log: new KnexAuditLog(database.db), teardown: () => Promise.resolve() };
  });
});
