import type { PruneCutoff, TokenStore } from '../../../domain/ports/token-store.js';
import { byRecentUse, copySession, isLive, isPrunable, type Session } from '../../../domain/session.js';

/** Single-threaded JavaScript makes each method atomic: no await between read and write. */
export class InMemoryTokenStore implements TokenStore {
  private readonly sessions = new Map<string, Session>();

  create(session: Session, maxLive?: number): Promise<void> {
    this.sessions.set(session.id, copySession(session));
    if (maxLive !== undefined) {
      const now = session.createdAt;
      const others = [...this.sessions.values()]
        .filter((s) => s.userId === session.userId && s.id !== session.id && isLive(s, now))
        .sort(byRecentUse);
      for (const s of others.slice(Math.max(0, maxLive - 1))) this.sessions.set(s.id, { ...s, endedAt: new Date(now) });
    }
    return Promise.resolve();
  }

  find(id: string): Promise<Session | null> {
    const session = this.sessions.get(id);
    return Promise.resolve(session ? copySession(session) : null);
  }

  rotate(id: string, from: string, to: string, at: Date): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session || session.endedAt !== null || session.currentTokenDigest !== from) return Promise.resolve(false);
    this.sessions.set(id, { ...session, currentTokenDigest: to, previousTokenDigest: from, rotatedAt: new Date(at), lastUsedAt: new Date(at) });
    return Promise.resolve(true);
  }

  end(id: string, at: Date): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session || session.endedAt !== null) return Promise.resolve(false);
    this.sessions.set(id, { ...session, endedAt: new Date(at) });
    return Promise.resolve(true);
  }

  endAllForUser(userId: string, at: Date, exceptId?: string): Promise<number> {
    let ended = 0;
    for (const session of this.sessions.values()) {
      if (session.userId === userId && session.id !== exceptId && session.endedAt === null) {
        this.sessions.set(session.id, { ...session, endedAt: new Date(at) });
        ended += 1;
      }
    }
    return Promise.resolve(ended);
  }

  listLive(userId: string, now: Date): Promise<Session[]> {
    const live = [...this.sessions.values()]
      .filter((s) => s.userId === userId && isLive(s, now))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map(copySession);
    return Promise.resolve(live);
  }

  prune(cutoff: PruneCutoff, limit: number): Promise<number> {
    let pruned = 0;
    for (const session of this.sessions.values()) {
      if (pruned === limit) break;
      if (isPrunable(session, cutoff)) {
        this.sessions.delete(session.id);
        pruned += 1;
      }
    }
    return Promise.resolve(pruned);
  }
}
