import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrationSource } from '../../migrations/index.js';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { mysqlDatabaseOrSkip, sqliteTestDatabase, type TestDatabase } from '../support/databases.js';

const CREATE_EMAIL_TOKENS = '20261204000002_create_email_tokens';

const applied = async (db: Knex): Promise<string[]> =>
  ((await db.migrate.list({ migrationSource })) as [Array<{ name: string } | string>, unknown[]])[0].map((m) => (typeof m === 'string' ? m : m.name));

/** Undoes migrations, newest first, until the email_tokens one is no longer applied. */
async function beforeEmailTokens(db: Knex): Promise<void> {
  while ((await applied(db)).includes(CREATE_EMAIL_TOKENS)) await db.migrate.down({ migrationSource });
}

const BACKENDS: ReadonlyArray<{ readonly name: string; open(suite: Mocha.Context): Promise<TestDatabase> }> = [
  { name: 'SQLite', open: () => sqliteTestDatabase() },
  { name: 'MySQL/MariaDB', open: (suite) => mysqlDatabaseOrSkip(suite) },
];

for (const backend of BACKENDS) {
  describe(`the email_tokens migration on ${backend.name}`, () => {
    let database: TestDatabase | undefined;
    before(async function () {
      database = await backend.open(this);
    });
    after(async () => {
      await database?.close();
    });

    it('drops email_tokens on the way down, leaving users and sessions, and creates it again on the way up', async () => {
      const db = (database as TestDatabase).db;
      expect(await db.schema.hasTable('email_tokens'), 'after migrating').to.equal(true);

      await beforeEmailTokens(db);

      expect(await db.schema.hasTable('email_tokens'), 'after down').to.equal(false);
      expect(await db.schema.hasTable('users'), 'users').to.equal(true);
      expect(await db.schema.hasTable('sessions'), 'sessions').to.equal(true);

      await migrateToLatest(db);

      expect(await db.schema.hasTable('email_tokens'), 'after up again').to.equal(true);
      for (const column of ['digest', 'user_id', 'kind', 'email', 'created_at', 'expires_at', 'used_at']) {
        expect(await db.schema.hasColumn('email_tokens', column), column).to.equal(true);
      }
      if (backend.name !== 'SQLite') {
        // Digests and addresses compare byte for byte, as in sessions.
        const [rows] = (await db.raw('SELECT TABLE_COLLATION AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', ['email_tokens'])) as [Array<{ c: string }>];
        expect(rows[0]?.c).to.equal('utf8mb4_bin');
      }
    });
  });
}
