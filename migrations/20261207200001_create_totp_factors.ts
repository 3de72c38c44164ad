import type { Knex } from 'knex';

/**
 * TOTP factors (one per user, pending until confirmed) and their recovery codes. The secret is
 * kept sealed (AES-256-GCM under MFA_ENCRYPTION_KEY, bound to the user id), never in clear; a
 * recovery code only as a SHA-256 digest. `last_used_step` refuses a code's replay.
 */
export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'better-sqlite3';
  const utf8mb4 = (t: Knex.CreateTableBuilder) => {
    if (!sqlite) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
  };
  await knex.schema.createTable('totp_factors', (t) => {
    t.string('user_id', 36).primary().references('id').inTable('users').onDelete('CASCADE');
    t.string('sealed_secret', 200).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('confirmed_at', { precision: 3 }).nullable();
    t.bigInteger('last_used_step').nullable();
    // The start-up check reads a few confirmed factors: through this index, never a scan.
    t.index(['confirmed_at'], 'totp_factors_confirmed_index');
    utf8mb4(t);
  });
  await knex.schema.createTable('recovery_codes', (t) => {
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('code_digest', 64).notNullable();
    t.datetime('used_at', { precision: 3 }).nullable();
    t.primary(['user_id', 'code_digest']);
    utf8mb4(t);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('recovery_codes');
  await knex.schema.dropTable('totp_factors');
}
