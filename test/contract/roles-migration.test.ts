import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrationSource } from '../../migrations/index.js';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { toDate } from '../../src/adapters/persistence/knex/rows.js';
import { mysqlDatabaseOrSkip, sqliteTestDatabase, type TestDatabase } from '../support/databases.js';

const ADD_ROLES = '20261205000001_add_roles_and_admin_fields';
const INDEX = 'users_created_at_id_index';

const applied = async (db: Knex): Promise<string[]> =>
  ((await db.migrate.list({ migrationSource })) as [Array<{ name: string } | string>, unknown[]])[0].map((m) => (typeof m === 'string' ? m : m.name));

/** Undoes migrations, newest first, until the roles one is no longer applied. */
async function beforeRoles(db: Knex): Promise<void> {
  while ((await applied(db)).includes(ADD_ROLES)) await db.migrate.down({ migrationSource });
}

async function indexNames(db: Knex, sqlite: boolean): Promise<string[]> {
  if (sqlite) return ((await db.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users'")) as Array<{ name: string }>).map((r) => r.name);
  const [rows] = (await db.raw('SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', ['users'])) as [Array<{ name: string }>];
  return rows.map((r) => r.name);
}

const BACKENDS: ReadonlyArray<{ readonly name: string; readonly sqlite: boolean; open(suite: Mocha.Context): Promise<TestDatabase> }> = [
  { name: 'SQLite', sqlite: true, open: () => sqliteTestDatabase() },
  { name: 'MySQL/MariaDB', sqlite: false, open: (suite) => mysqlDatabaseOrSkip(suite) },
];

for (const backend of BACKENDS) {
  describe(`the roles and admin fields migration on ${backend.name}`, () => {
    let database: TestDatabase | undefined;
    before(async function () {
      database = await backend.open(this);
    });
    after(async () => {
      await database?.close();
    });

    it('gives existing accounts no roles, enabled, signed in last when they registered; down() takes it all away and keeps the accounts', async () => {
      const db = (database as TestDatabase).db;
      await beforeRoles(db);
      for (const column of ['roles', 'disabled', 'last_sign_in_at']) expect(await db.schema.hasColumn('users', column), `${column} before`).to.equal(false);
      await db('users').insert([
        { id: 'old-1', email: 'old1@x.io', name: 'Old One', password_hash: null, email_verified: true, created_at: new Date('2026-03-04T05:06:07.089Z') },
        { id: 'old-2', email: null, name: null, password_hash: null, email_verified: false, created_at: new Date('2026-03-05T00:00:00.001Z') },
      ]);

      await migrateToLatest(db);

      const rows = (await db('users').orderBy('id').select('id', 'roles', 'disabled', 'last_sign_in_at', 'created_at')) as Array<{ id: string; roles: string; disabled: number | boolean; last_sign_in_at: Date | number | string }>;
      expect(rows.map((r) => ({ id: r.id, roles: r.roles, disabled: Boolean(r.disabled), lastSignInAt: toDate(r.last_sign_in_at).toISOString() }))).to.deep.equal([
        { id: 'old-1', roles: '', disabled: false, lastSignInAt: '2026-03-04T05:06:07.089Z' },
        { id: 'old-2', roles: '', disabled: false, lastSignInAt: '2026-03-05T00:00:00.001Z' },
      ]);
      expect(await indexNames(db, backend.sqlite)).to.include(INDEX);
      if (!backend.sqlite) {
        const [columns] = (await db.raw('SELECT COLUMN_NAME AS c, COLLATION_NAME AS k FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME IN (?, ?)', ['users', 'roles', 'email'])) as [Array<{ c: string; k: string }>];
        expect(Object.fromEntries(columns.map((r) => [r.c, r.k]))).to.deep.equal({ email: 'utf8mb4_bin', roles: 'utf8mb4_bin' });
      }

      await beforeRoles(db);

      for (const column of ['roles', 'disabled', 'last_sign_in_at']) expect(await db.schema.hasColumn('users', column), `${column} after down`).to.equal(false);
      expect(await indexNames(db, backend.sqlite)).to.not.include(INDEX);
      expect(await db('users').orderBy('id').pluck('id')).to.deep.equal(['old-1', 'old-2']);
      // The table SQLite rebuilt to drop the columns still refuses a taken address.
      const duplicate = await db('users')
        .insert({ id: 'dup', email: 'old1@x.io', name: null, password_hash: null, created_at: new Date() })
        .then(() => 'inserted', () => 'refused');
      expect(duplicate).to.equal('refused');

      await migrateToLatest(db);
      expect(await db.schema.hasColumn('users', 'roles'), 'up again').to.equal(true);
    });
  });
}
