import { expect } from 'chai';
import { createDatabase, migrateToLatest, rollbackAll } from '../../src/adapters/persistence/knex/database.js';
import { mysqlTestDatabase, mysqlUrl, warnMysqlSkipped, type TestDatabase } from '../support/databases.js';

/** Several instances start at once with MIGRATE_ON_START: they must take turns, and every one must start. */
describe('migrations run by instances starting together (MySQL/MariaDB)', function () {
  this.timeout(60_000);
  let database: TestDatabase | undefined;

  before(async function () {
    if (mysqlUrl() === null) {
      warnMysqlSkipped();
      this.skip();
    }
    database = await mysqlTestDatabase();
    await rollbackAll(database.db);
  });
  after(async () => {
    await database?.close();
  });

  it('applies every migration exactly once while three instances migrate at the same moment, and none fails', async () => {
    if (!database) throw new Error('no database');
    const instances = [createDatabase(database.url), createDatabase(database.url), createDatabase(database.url)];
    try {
      const applied = await Promise.all(instances.map((db) => migrateToLatest(db)));

      const all = applied.flat();
      expect(new Set(all).size, 'no migration applied twice').to.equal(all.length);
      const recorded = (await database.db('knex_migrations').pluck('name')) as string[];
      expect([...all].sort()).to.deep.equal([...recorded].sort());
      expect(recorded.length).to.be.greaterThan(3);
      expect(await database.db.schema.hasTable('sessions')).to.equal(true);
    } finally {
      await Promise.all(instances.map((db) => db.destroy()));
    }
  });
});
