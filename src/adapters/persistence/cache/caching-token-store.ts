import type { PruneCutoff, TokenStore } from '../../../domain/ports/token-store.js';
import { copySession, type Session } from '../../../domain/session.js';
import { ReadThroughCache, type ReadThroughCacheOptions } from './read-through-cache.js';

/**
 * Serves `find` from memory for a short while, so the per-request "is this session still live?"
 * check costs no database round trip. Every write made through this instance invalidates at
 * once, so a session ended here is refused here on the very next request. Other instances see it
 * within the TTL unless something tells them sooner: use it where one instance owns the store.
 */
export class CachingTokenStore implements TokenStore {
  private readonly cache: ReadThroughCache<Session>;

  constructor(
    private readonly inner: TokenStore,
    options: ReadThroughCacheOptions,
  ) {
    this.cache = new ReadThroughCache(options, copySession);
  }

  create(session: Session, maxLive?: number): Promise<void> {
    if (maxLive === undefined) {
      this.cache.invalidate(session.id);
      return this.inner.create(session);
    }
    // The cap may end any of the user's sessions: none of them may stay cached as live.
    return this.cache.writingWhere(
      (s) => s.userId === session.userId || s.id === session.id,
      () => this.inner.create(session, maxLive),
    );
  }

  find(id: string): Promise<Session | null> {
    return this.cache.get(id, () => this.inner.find(id));
  }

  rotate(id: string, from: string, to: string, at: Date): Promise<boolean> {
    return this.cache.writing(id, () => this.inner.rotate(id, from, to, at));
  }

  end(id: string, at: Date): Promise<boolean> {
    return this.cache.writing(id, () => this.inner.end(id, at));
  }

  endAllForUser(userId: string, at: Date, exceptId?: string): Promise<number> {
    return this.cache.writingWhere((s) => s.userId === userId, () => this.inner.endAllForUser(userId, at, exceptId));
  }

  listLive(userId: string, now: Date): Promise<Session[]> {
    return this.inner.listLive(userId, now);
  }

  // Only dead sessions go, and a cached copy of one already says so (or expires within the TTL).
  prune(cutoff: PruneCutoff, limit: number): Promise<number> {
    return this.inner.prune(cutoff, limit);
  }
}
