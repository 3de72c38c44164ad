import type { Email } from '../../domain/email.js';
import type { EmailTokenKind, EmailTokenRecord } from '../../domain/email-token.js';
import { LinkInvalidError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { EmailTokenStore } from '../../domain/ports/email-token-store.js';
import type { OneTimeTokens } from '../../domain/ports/one-time-tokens.js';

/** EMAIL_VERIFICATION_TTL (verification and email change) and PASSWORD_RESET_TTL, in seconds. */
export interface EmailLinkLifetimes {
  readonly verificationTtlSeconds: number;
  readonly resetTtlSeconds: number;
}

// What newToken() makes: 32 bytes in base64url, no padding. Anything else is refused before a lookup.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The one place email tokens are made and spent: 32 random bytes mailed, only their digest
 * stored, a new one voids the older ones of its kind, and every way a token can fail is the same
 * LinkInvalidError.
 */
export class EmailLinks {
  constructor(
    private readonly store: EmailTokenStore,
    private readonly tokens: OneTimeTokens,
    private readonly clock: Clock,
    private readonly lifetimes: EmailLinkLifetimes,
  ) {}

  /** A new token of `kind` for the user, proving `email`; the raw token is only ever put in the mail. */
  async issue(kind: EmailTokenKind, userId: string, email: Email): Promise<string> {
    const token = this.tokens.newToken();
    const now = this.clock.now();
    const ttl = kind === 'reset_password' ? this.lifetimes.resetTtlSeconds : this.lifetimes.verificationTtlSeconds;
    await this.store.issue({ digest: this.tokens.digest(token), kind, userId, email, createdAt: now, expiresAt: new Date(now.getTime() + ttl * 1000) });
    return token;
  }

  /** The live token of `kind` that `token` is; LinkInvalidError otherwise. Spends nothing. */
  async find(kind: EmailTokenKind, token: string): Promise<EmailTokenRecord> {
    if (!TOKEN_SHAPE.test(token)) throw new LinkInvalidError();
    const found = await this.store.findLive(this.tokens.digest(token), kind, this.clock.now());
    if (!found) throw new LinkInvalidError();
    return found;
  }

  /** Spends a token `find` returned; LinkInvalidError when another request spent it first. */
  async spend(record: EmailTokenRecord): Promise<void> {
    if (!(await this.store.consume(record.digest, record.kind, this.clock.now()))) throw new LinkInvalidError();
  }

  /** Voids the user's unused tokens (of one kind, or all): after a new password or address, older links prove nothing. */
  voidAll(userId: string, kind?: EmailTokenKind): Promise<void> {
    return this.store.voidAllForUser(userId, this.clock.now(), kind);
  }
}
