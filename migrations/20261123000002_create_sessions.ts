import type { Knex } from 'knex';

/** One row per sign-in session (a refresh-token family). Token ids are kept only as SHA-256 digests. */
export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'better-sqlite3';
  await knex.schema.createTable('sessions', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('last_used_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable();
    t.string('user_agent', 255).nullable();
    t.string('current_token_digest', 64).notNullable();
    t.string('previous_token_digest', 64).nullable();
    t.datetime('rotated_at', { precision: 3 }).nullable();
    t.datetime('ended_at', { precision: 3 }).nullable();
    t.index(['user_id'], 'sessions_user_id_index');
    if (!sqlite) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sessions');
}
