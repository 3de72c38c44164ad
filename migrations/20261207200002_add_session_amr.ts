import type { Knex } from 'knex';

/** The sign-in methods of a session (RFC 8176 `amr`, comma-separated), so its refreshed access tokens keep them. Null: from before. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.string('amr', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropColumn('amr');
  });
}
