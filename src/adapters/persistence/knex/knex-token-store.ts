import type { Knex } from 'knex';
import type { PruneCutoff, TokenStore } from '../../../domain/ports/token-store.js';
import type { Session } from '../../../domain/session.js';
import { query } from './errors.js';
import { rowToSession, sessionToRow, type SessionRow } from './rows.js';

/**
 * Sessions in SQL. Rotation and ending are single conditional UPDATEs judged by their
 * affected-row count, so they are atomic on MySQL (row lock) and SQLite (one writer) alike.
 */
export class KnexTokenStore implements TokenStore {
  constructor(private readonly db: Knex) {}

  /**
   * With a cap, one transaction that first locks the user's row (MySQL; SQLite has a single
   * writer): two sign-ins of one user take turns, so they cannot both see room under the cap.
   * The sessions beyond it are found through sessions_user_recent_index, newest first.
   */
  create(session: Session, maxLive?: number): Promise<void> {
    return query(async () => {
      if (maxLive === undefined) {
        await this.db<SessionRow>('sessions').insert(sessionToRow(session));
        return;
      }
      await this.db.transaction(async (trx) => {
        await trx('users').where({ id: session.userId }).forUpdate().first('id');
        await trx<SessionRow>('sessions').insert(sessionToRow(session));
        const beyond = await trx<SessionRow>('sessions')
          .where({ user_id: session.userId })
          .whereNull('ended_at')
          .where('expires_at', '>', session.createdAt)
          .whereNot({ id: session.id })
          .orderBy([
            { column: 'last_used_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .offset(Math.max(0, maxLive - 1))
          .pluck('id');
        if (beyond.length > 0) {
          await trx<SessionRow>('sessions').whereIn('id', beyond).whereNull('ended_at').update({ ended_at: session.createdAt });
        }
      });
    });
  }

  find(id: string): Promise<Session | null> {
    return query(async () => {
      const row = await this.db<SessionRow>('sessions').where({ id }).first();
      return row ? rowToSession(row) : null;
    });
  }

  rotate(id: string, from: string, to: string, at: Date): Promise<boolean> {
    return query(async () => {
      const changed = await this.db<SessionRow>('sessions')
        .where({ id, current_token_digest: from })
        .whereNull('ended_at')
        .update({ current_token_digest: to, previous_token_digest: from, rotated_at: at, last_used_at: at });
      return changed === 1;
    });
  }

  end(id: string, at: Date): Promise<boolean> {
    return query(async () => {
      const changed = await this.db<SessionRow>('sessions').where({ id }).whereNull('ended_at').update({ ended_at: at });
      return changed === 1;
    });
  }

  endAllForUser(userId: string, at: Date, exceptId?: string): Promise<number> {
    return query(async () => {
      const q = this.db<SessionRow>('sessions').where({ user_id: userId }).whereNull('ended_at');
      if (exceptId !== undefined) q.whereNot({ id: exceptId });
      return q.update({ ended_at: at });
    });
  }

  /**
   * One small batch, so a sweep never holds a lock or the pool for long: for each of the three
   * indexed conditions in turn, the ids of up to what is left of `limit`, then a DELETE by id.
   */
  prune(cutoff: PruneCutoff, limit: number): Promise<number> {
    const conditions: Array<(q: Knex.QueryBuilder<SessionRow>) => Knex.QueryBuilder<SessionRow>> = [
      (q) => q.where('expires_at', '<=', cutoff.now),
      (q) => q.where('ended_at', '<=', cutoff.now),
      (q) => q.where('last_used_at', '<=', cutoff.idleSince),
    ];
    return query(async () => {
      let pruned = 0;
      for (const condition of conditions) {
        if (pruned >= limit) break;
        const ids = await condition(this.db<SessionRow>('sessions')).limit(limit - pruned).pluck('id');
        if (ids.length > 0) pruned += await this.db<SessionRow>('sessions').whereIn('id', ids).del();
      }
      return pruned;
    });
  }

  listLive(userId: string, now: Date): Promise<Session[]> {
    return query(async () => {
      const rows = await this.db<SessionRow>('sessions')
        .where({ user_id: userId })
        .whereNull('ended_at')
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc');
      return rows.map(rowToSession);
    });
  }
}
