import type { Knex } from 'knex';
import type { Passkey } from '../../../domain/passkey.js';
import type { PasskeyStore } from '../../../domain/ports/passkey-store.js';
import { isDuplicateKey, query } from './errors.js';
import { passkeyToRow, rowToPasskey, type PasskeyRow } from './passkey-rows.js';

/**
 * Passkeys in SQL. Recording a use is one conditional UPDATE judged by its affected-row count,
 * atomic on MySQL (row lock) and SQLite (one writer) alike: of concurrent sign-ins presenting the
 * same counter, one moves it and the others find it no longer below theirs.
 */
export class KnexPasskeyStore implements PasskeyStore {
  constructor(private readonly db: Knex) {}

  add(passkey: Passkey): Promise<boolean> {
    return query(async () => {
      try {
        await this.db<PasskeyRow>('passkeys').insert(passkeyToRow(passkey));
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    });
  }

  listFor(userId: string): Promise<Passkey[]> {
    return query(async () => (await this.db<PasskeyRow>('passkeys').where({ user_id: userId }).orderBy([{ column: 'created_at' }, { column: 'id' }])).map(rowToPasskey));
  }

  countFor(userId: string): Promise<number> {
    return query(async () => {
      const row = await this.db<PasskeyRow>('passkeys').where({ user_id: userId }).count({ n: '*' }).first();
      return Number(row?.n ?? 0);
    });
  }

  findById(id: string): Promise<Passkey | null> {
    return query(async () => {
      const row = await this.db<PasskeyRow>('passkeys').where({ id }).first();
      return row ? rowToPasskey(row) : null;
    });
  }

  removeFor(userId: string, id: string): Promise<boolean> {
    return query(async () => (await this.db<PasskeyRow>('passkeys').where({ id, user_id: userId }).del()) === 1);
  }

  /** counterAdvances() in SQL: greater than stored, or 0 kept at 0. */
  recordUse(id: string, counter: number, at: Date): Promise<boolean> {
    return query(async () => {
      const updated = await this.db<PasskeyRow>('passkeys')
        .where({ id })
        .andWhere((q) => {
          void q.where('counter', '<', counter);
          if (counter === 0) void q.orWhere('counter', '=', 0);
        })
        .update({ counter, last_used_at: at });
      return updated === 1;
    });
  }
}
