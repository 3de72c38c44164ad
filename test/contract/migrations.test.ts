import { expect } from 'chai';
import { createDatabase, migrateToLatest, rollbackAll } from '../../src/adapters/persistence/knex/database.js';
import { mysqlDatabaseOrSkip, type TestDatabase } from '../support/databases.js';

/** Several instances start at once with MIGRATE_ON_START: they must take turns, and every one must start. */
describe('migrations run by instances starting together (MySQL/MariaDB)', function () {
  this.timeout(60_000);
  let database: TestDatabase | undefined;

  before(async function () {
    database = await mysqlDatabaseOrSkip(this);
  });
  after(async () => {
    await database?.close();
  });

  /** Back to an empty database: not even knex's own bookkeeping tables. */
  async function emptied(db: TestDatabase['db']): Promise<void> {
    await rollbackAll(db);
    await db.schema.dropTableIfExists('knex_migrations');
    await db.schema.dropTableIfExists('knex_migrations_lock');
  }

  // Racing on an empty database used to fail one instance most times (both create knex's tables)
  // and, now and then, wedge every later start (two lock rows); a few rounds make that visible.
  for (let round = 1; round <= 5; round++) {
    it(`applies every migration exactly once while three instances migrate an empty database at the same moment, and none fails (round ${round})`, async () => {
      if (!database) throw new Error('no database');
      await emptied(database.db);
      const instances = [createDatabase(database.url), createDatabase(database.url), createDatabase(database.url)];
      try {
        const applied = await Promise.all(instances.map((db) => migrateToLatest(db)));

        const all = applied.flat();
        expect(new Set(all).size, 'no migration applied twice').to.equal(all.length);
        const recorded = (await database.db('knex_migrations').pluck('name')) as string[];
        expect([...all].sort()).to.deep.equal([...recorded].sort());
        expect(recorded.length).to.be.greaterThan(3);
        expect(await database.db('knex_migrations_lock').select('is_locked'), 'one lock row, released').to.deep.equal([{ is_locked: 0 }]);
      } finally {
        await Promise.all(instances.map((db) => db.destroy()));
      }
    });
  }
});
