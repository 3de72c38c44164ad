import type { Knex } from 'knex';

/**
 * `users.email_verified`: whether the account's address was proven (issue 13). Accounts made
 * before it start unverified: nothing proved their address, and `optional` (the default
 * EMAIL_VERIFICATION) lets them sign in while they verify.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('email_verified').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('email_verified');
  });
}
