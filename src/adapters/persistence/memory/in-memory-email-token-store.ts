import type { EmailTokenKind, EmailTokenRecord } from '../../../domain/email-token.js';
import type { EmailTokenStore } from '../../../domain/ports/email-token-store.js';

interface Stored {
  readonly token: EmailTokenRecord;
  /** Set when the token is spent or voided. */
  readonly usedAt: Date | null;
}

const copy = (t: EmailTokenRecord): EmailTokenRecord => ({ ...t, createdAt: new Date(t.createdAt), expiresAt: new Date(t.expiresAt) });

const isLive = (s: Stored, kind: EmailTokenKind, now: Date): boolean =>
  s.token.kind === kind && s.usedAt === null && s.token.expiresAt.getTime() > now.getTime();

/** Single-threaded JavaScript makes each method atomic: no await between read and write. */
export class InMemoryEmailTokenStore implements EmailTokenStore {
  private readonly tokens = new Map<string, Stored>();

  issue(token: EmailTokenRecord): Promise<void> {
    if (this.tokens.has(token.digest)) return Promise.reject(new Error('duplicate email token digest'));
    this.void(token.userId, token.createdAt, token.kind);
    this.tokens.set(token.digest, { token: copy(token), usedAt: null });
    return Promise.resolve();
  }

  findLive(digest: string, kind: EmailTokenKind, now: Date): Promise<EmailTokenRecord | null> {
    const stored = this.tokens.get(digest);
    return Promise.resolve(stored && isLive(stored, kind, now) ? copy(stored.token) : null);
  }

  consume(digest: string, kind: EmailTokenKind, now: Date): Promise<boolean> {
    const stored = this.tokens.get(digest);
    if (!stored || !isLive(stored, kind, now)) return Promise.resolve(false);
    this.tokens.set(digest, { ...stored, usedAt: new Date(now) });
    return Promise.resolve(true);
  }

  voidAllForUser(userId: string, at: Date, kind?: EmailTokenKind): Promise<void> {
    this.void(userId, at, kind);
    return Promise.resolve();
  }

  prune(now: Date, limit: number): Promise<number> {
    let pruned = 0;
    for (const [digest, stored] of this.tokens) {
      if (pruned >= limit) break;
      if ((stored.usedAt !== null && stored.usedAt.getTime() <= now.getTime()) || stored.token.expiresAt.getTime() <= now.getTime()) {
        this.tokens.delete(digest);
        pruned += 1;
      }
    }
    return Promise.resolve(pruned);
  }

  private void(userId: string, at: Date, kind?: EmailTokenKind): void {
    for (const [digest, stored] of this.tokens) {
      if (stored.token.userId === userId && stored.usedAt === null && (kind === undefined || stored.token.kind === kind)) {
        this.tokens.set(digest, { ...stored, usedAt: new Date(at) });
      }
    }
  }
}
