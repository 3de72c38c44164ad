import type { Knex } from 'knex';
import type { EmailTokenKind, EmailTokenRecord } from '../../../domain/email-token.js';
import type { EmailTokenStore } from '../../../domain/ports/email-token-store.js';
import { query } from './errors.js';
import { emailTokenToRow, rowToEmailToken, type EmailTokenRow } from './rows.js';

/**
 * Email tokens in SQL. Spending is one conditional UPDATE judged by its affected-row count, so it
 * is atomic on MySQL (row lock) and SQLite (one writer) alike; nothing relies on SELECT ... FOR
 * UPDATE, which SQLite drops.
 */
export class KnexEmailTokenStore implements EmailTokenStore {
  constructor(private readonly db: Knex) {}

  /**
   * One transaction that first locks the user's row (MySQL; SQLite has a single writer): two
   * issues for one user take turns, so the later one voids the earlier and only one stays live.
   * (Without the lock both would take gap locks on the empty (user_id, kind) range and then
   * deadlock on their inserts.)
   */
  issue(token: EmailTokenRecord): Promise<void> {
    return query(() =>
      this.db.transaction(async (trx) => {
        await trx('users').where({ id: token.userId }).forUpdate().first('id');
        await trx<EmailTokenRow>('email_tokens')
          .where({ user_id: token.userId, kind: token.kind })
          .whereNull('used_at')
          .update({ used_at: token.createdAt });
        await trx<EmailTokenRow>('email_tokens').insert(emailTokenToRow(token));
      }),
    );
  }

  findLive(digest: string, kind: EmailTokenKind, now: Date): Promise<EmailTokenRecord | null> {
    return query(async () => {
      const row = await this.live(digest, kind, now).first();
      return row ? rowToEmailToken(row) : null;
    });
  }

  consume(digest: string, kind: EmailTokenKind, now: Date): Promise<boolean> {
    return query(async () => (await this.live(digest, kind, now).update({ used_at: now })) === 1);
  }

  voidAllForUser(userId: string, at: Date, kind?: EmailTokenKind): Promise<void> {
    return query(async () => {
      const q = this.db<EmailTokenRow>('email_tokens').where({ user_id: userId }).whereNull('used_at');
      if (kind !== undefined) q.where({ kind });
      await q.update({ used_at: at });
    });
  }

  /**
   * One small batch: for each indexed condition in turn (expired, then spent or voided by `now`),
   * the digests of up to what is left of `limit`, then a DELETE by digest (MySQL refuses a DELETE
   * whose subquery reads the same table). `used_at <= now` rather than IS NOT NULL: SQLite's
   * planner scans the table for IS NOT NULL but searches the index for a range.
   */
  prune(now: Date, limit: number): Promise<number> {
    const conditions: Array<(q: Knex.QueryBuilder<EmailTokenRow>) => Knex.QueryBuilder<EmailTokenRow>> = [
      (q) => q.where('expires_at', '<=', now),
      (q) => q.where('used_at', '<=', now),
    ];
    return query(async () => {
      let pruned = 0;
      for (const condition of conditions) {
        if (pruned >= limit) break;
        const digests = await condition(this.db<EmailTokenRow>('email_tokens')).limit(limit - pruned).pluck('digest');
        if (digests.length > 0) pruned += await this.db<EmailTokenRow>('email_tokens').whereIn('digest', digests).del();
      }
      return pruned;
    });
  }

  /** The token by its primary key, still live at `now`. */
  private live(digest: string, kind: EmailTokenKind, now: Date): Knex.QueryBuilder<EmailTokenRow> {
    return this.db<EmailTokenRow>('email_tokens').where({ digest, kind }).whereNull('used_at').where('expires_at', '>', now);
  }
}
