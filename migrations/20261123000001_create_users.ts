import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'better-sqlite3';
  await knex.schema.createTable('users', (t) => {
    t.string('id', 36).primary();
    // Emails are stored lower-cased by the repository, so a binary unique index is case-insensitive
    // uniqueness on every database, and accents stay distinct (josé@ is not jose@).
    t.string('email', 254).nullable().unique({ indexName: 'users_email_unique' });
    t.string('name', 100).nullable();
    t.string('password_hash', 100).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    if (!sqlite) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
