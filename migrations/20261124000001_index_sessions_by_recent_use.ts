import type { Knex } from 'knex';

/**
 * SESSIONS_PER_USER_MAX: at each sign-in the user's sessions are read most recently used first,
 * straight from this index (no sort), to find the ones past the cap.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.index(['user_id', 'last_used_at', 'id'], 'sessions_user_recent_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropIndex(['user_id', 'last_used_at', 'id'], 'sessions_user_recent_index');
  });
}
