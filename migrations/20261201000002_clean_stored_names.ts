import type { Knex } from 'knex';
import { cleanDisplayName } from '../src/domain/display-name.js';

const BATCH = 1000;

interface StoredName {
  readonly id: string;
  readonly name: string;
}

/**
 * Names stored before the `name` rule (no control or format character, docs/http-api.md) lose those
 * characters, as names from GitHub do; nothing left becomes null. The rule cleans rather than
 * refuses here because nobody is there to answer a 400.
 */
export async function up(knex: Knex): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const query = knex<StoredName>('users').select('id', 'name').whereNotNull('name').orderBy('id').limit(BATCH);
    const rows: StoredName[] = await (after === null ? query : query.where('id', '>', after));
    for (const { id, name } of rows) {
      const cleaned = cleanDisplayName(name);
      if (cleaned !== name) await knex('users').where({ id }).update({ name: cleaned });
    }
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** The characters removed are gone for good. */
export async function down(): Promise<void> {}
