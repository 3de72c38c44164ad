import type { Knex } from 'knex';

/**
 * Identities of any sign-in provider (issue 17): a provider name of up to 32 characters, an OpenID
 * Connect `sub` of up to 255 (the spec's bound), and the verified email the provider gave, shown
 * by GET /auth/identities. SQLite does not enforce lengths: only the column is added there.
 */
export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'better-sqlite3';
  await knex.schema.alterTable('identities', (t) => {
    t.string('email', 254).nullable();
    if (!sqlite) {
      t.string('provider', 32).notNullable().alter();
      t.string('provider_user_id', 255).notNullable().alter();
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('identities', (t) => {
    t.dropColumn('email');
  });
}
