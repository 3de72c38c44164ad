import type { Knex } from 'knex';

const CREATED_AT_ID_INDEX = 'users_created_at_id_index';

/**
 * Issue 14: `users.roles` (the sorted role names joined by single spaces, so a user is one row read
 * with no join on the hot path), `disabled`, `last_sign_in_at`, and an index on (created_at, id) for
 * the admin search (newest first, keyset pagination). Existing accounts count their registration as
 * their last sign-in, as new ones do.
 */
export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'better-sqlite3';
  await knex.schema.alterTable('users', (t) => {
    const roles = t.string('roles', 700).notNullable().defaultTo('');
    // Role names compare byte for byte, like the rest of the table (utf8mb4_bin).
    if (!sqlite) roles.collate('utf8mb4_bin');
    t.boolean('disabled').notNullable().defaultTo(false);
    t.datetime('last_sign_in_at', { precision: 3 }).nullable();
    t.index(['created_at', 'id'], CREATED_AT_ID_INDEX);
  });
  await knex('users').update({ last_sign_in_at: knex.ref('created_at') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropIndex(['created_at', 'id'], CREATED_AT_ID_INDEX);
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('last_sign_in_at');
    t.dropColumn('disabled');
    t.dropColumn('roles');
  });
}
