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
   * On MySQL it runs READ COMMITTED: under REPEATABLE READ a void that finds nothing takes a gap
   * lock, and two users whose (user_id, kind) entries fall in one gap then deadlock on their inserts.
   */
  issue(token: EmailTokenRecord): Promise<void> {
    const isolation: Knex.TransactionConfig = this.db.client.config.client === 'mysql2' ? { isolationLevel: 'read committed' } : {};
    return query(() =>
      this.db.transaction(async (trx) => {
        await trx('users').where({ id: token.userId }).forUpdate().first('id');
        await this.voiding(trx, token.userId, token.createdAt, token.kind);
        await trx<EmailTokenRow>('email_tokens').insert(emailTokenToRow(token));
      }, isolation),
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
      await this.voiding(this.db, userId, at, kind);
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

  /**
   * Sets `used_at` on the user's unused tokens (of one kind). The WHERE names only the user and
   * kind, so MySQL reaches the rows through (user_id, kind) and locks only this user's rows:
   * with `used_at IS NULL` in it, MariaDB picks the used_at index on a small table and locks
   * every user's unused tokens. Rows already used keep their time (COALESCE).
   */
  private voiding(db: Knex | Knex.Transaction, userId: string, at: Date, kind?: EmailTokenKind): Promise<number> {
    const q = db<EmailTokenRow>('email_tokens').where({ user_id: userId });
    if (kind !== undefined) q.where({ kind });
    return q.update({ used_at: db.raw('COALESCE(??, ?)', ['used_at', at]) });
  }

  /** The token by its primary key, still live at `now`. */
  private live(digest: string, kind: EmailTokenKind, now: Date): Knex.QueryBuilder<EmailTokenRow> {
    return this.db<EmailTokenRow>('email_tokens').where({ digest, kind }).whereNull('used_at').where('expires_at', '>', now);
  }
}
