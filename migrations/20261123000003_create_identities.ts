import type { Knex } from 'knex';

/** External identities (GitHub) linked to users, keyed by the provider's stable user id. */
export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'better-sqlite3';
  await knex.schema.createTable('identities', (t) => {
    t.string('provider', 20).notNullable();
    t.string('provider_user_id', 64).notNullable();
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('login', 100).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.primary(['provider', 'provider_user_id']);
    // One identity per provider per user keeps `githubLogin` single-valued.
    t.unique(['user_id', 'provider'], { indexName: 'identities_user_provider_unique' });
    if (!sqlite) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('identities');
}
