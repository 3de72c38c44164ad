import type { Knex } from 'knex';

/**
 * The security events (docs/http-api.md "Security events"), append-only. `user_id` has no foreign
 * key on purpose: the events of an erased user outlive it and keep its id (their details scrubbed).
 * `detail` is a JSON object of small facts, never a secret.
 */
export async function up(knex: Knex): Promise<void> {
  const sqlite = knex.client.config.client === 'better-sqlite3';
  await knex.schema.createTable('security_events', (t) => {
    t.string('id', 36).primary();
    t.datetime('at', { precision: 3 }).notNullable();
    t.string('type', 40).notNullable();
    t.string('user_id', 36).nullable();
    t.string('actor_id', 36).nullable();
    t.string('session_id', 36).nullable();
    t.string('ip', 45).nullable();
    t.string('user_agent', 255).nullable();
    t.text('detail').notNullable();
    // A user's events newest first (ORDER BY at DESC, id DESC), read backwards from the index: no sort.
    t.index(['user_id', 'at', 'id'], 'security_events_user_at_index');
    // The admin listing filtered by type.
    t.index(['type', 'at', 'id'], 'security_events_type_at_index');
    // The admin listing unfiltered, and the pruning job's batches (at < before).
    t.index(['at', 'id'], 'security_events_at_index');
    if (!sqlite) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('security_events');
}
