import type { Knex } from 'knex';

/**
 * One row per single-use email token (verification, password reset, email change). Only the
 * token's SHA-256 digest is kept. `used_at` is set when the token is spent or voided: a token is
 * live while it is null and `expires_at` is ahead.
 */
export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'better-sqlite3';
  await knex.schema.createTable('email_tokens', (t) => {
    t.string('digest', 64).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('kind', 20).notNullable();
    t.string('email', 254).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable();
    t.datetime('used_at', { precision: 3 }).nullable();
    // Voiding a user's unused tokens of a kind (every issue, every new password or address).
    t.index(['user_id', 'kind'], 'email_tokens_user_kind_index');
    // The pruning job's batches, one per condition, without scanning the table.
    t.index(['expires_at'], 'email_tokens_expires_at_index');
    t.index(['used_at'], 'email_tokens_used_at_index');
    if (!sqlite) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('email_tokens');
}
