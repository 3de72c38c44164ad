import { KnexAuditLog } from '../../src/adapters/persistence/knex/knex-audit-log.js';
import { sqliteTestDatabase } from '../support/databases.js';
import { auditLogContract } from './audit-log.contract.js';

describe('knex audit log on SQLite (better-sqlite3, in memory)', () => {
  // A fresh, migrated database per test.
  auditLogContract('KnexAuditLog on SQLite', async () => {
    const database = await sqliteTestDatabase();
    return { log: new KnexAuditLog(database.db), teardown: () => database.close() };
  });
});
