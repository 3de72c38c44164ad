import type { Knex } from 'knex';

/**
 * One row per passkey (WebAuthn credential). `id` is the credential id in base64url: WebAuthn
 * allows up to 1,023 bytes, 1,364 characters, so on MySQL the column is ASCII (a utf8mb4 key that
 * long passes InnoDB's 3,072-byte limit) and compared byte for byte. Only the public key is kept.
 */
export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'better-sqlite3';
  await knex.schema.createTable('passkeys', (t) => {
    const id = t.string('id', 1366).primary();
    if (!sqlite) id.collate('ascii_bin');
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.binary('public_key').notNullable();
    // WebAuthn's signature counter is 32 bits unsigned.
    t.integer('counter').unsigned().notNullable();
    t.string('transports', 200).notNullable();
    t.string('name', 64).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('last_used_at', { precision: 3 }).nullable();
    // The account page's list, oldest first, read in index order (the id breaks ties) with no sort.
    t.index(['user_id', 'created_at', 'id'], 'passkeys_user_created_index');
    if (!sqlite) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('passkeys');
}
