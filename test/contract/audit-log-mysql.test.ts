import { KnexAuditLog } from '../../src/adapters/persistence/knex/knex-audit-log.js';
import { mysqlTestDatabase, mysqlUrl, warnMysqlSkipped, type TestDatabase } from '../support/databases.js';
import { auditLogContract } from './audit-log.contract.js';

describe('knex audit log on MySQL/MariaDB', () => {
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

  auditLogContract('KnexAuditLog on MySQL', async () => {
    if (!database) throw new Error('the MySQL test database is not open');
    await database.db('security_events').del();
    return { log: new KnexAuditLog(database.db), teardown: () => Promise.resolve() };
  });
});
