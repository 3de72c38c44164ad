import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DisplayName } from '../../src/domain/display-name.js';
import type { Email } from '../../src/domain/email.js';
import type { EmailTokenRecord } from '../../src/domain/email-token.js';
import type { Session } from '../../src/domain/session.js';
import type { NewUser } from '../../src/domain/user.js';

/** For tests that prove a returned object is a copy: they have to write to readonly fields. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const at = (iso: string): Date => new Date(iso);

let sequence = 0;
/** A unique, normalised email. */
export const anEmail = (prefix = 'user'): Email =>
  `${prefix}.${(sequence++).toString(36)}.${randomBytes(3).toString('hex')}@example.com` as Email;

/** A 60-character string shaped like a bcrypt hash (the column holds 100). */
export const A_PASSWORD_HASH = '$2b$04$abcdefghijklmnopqrstuu0123456789ABCDEFGHIJKLMNOPQRSTU';

/** A new account; it signed in last when it registered (as RegisterUser records). */
export const aUser = (overrides: Partial<NewUser> = {}): NewUser => {
  const createdAt = overrides.createdAt ?? at('2026-01-02T03:04:05.678Z');
  return {
    id: randomUUID(),
    email: anEmail(),
    name: 'Ada Lovelace' as DisplayName,
    passwordHash: A_PASSWORD_HASH,
    emailVerified: false,
    roles: [],
    disabled: false,
    lastSignInAt: new Date(createdAt),
    ...overrides,
    createdAt,
  };
};

/** Shaped like what JwtTokenIssuer.digest stores: SHA-256, base64url (43 characters). */
export const aDigest = (): string => createHash('sha256').update(randomBytes(32)).digest('base64url');

export const aSession = (userId: string, overrides: Partial<Session> = {}): Session => ({
  id: randomUUID(),
  userId,
  createdAt: at('2026-01-02T03:04:05.678Z'),
  lastUsedAt: at('2026-01-02T03:04:05.678Z'),
  expiresAt: at('2026-04-02T03:04:05.678Z'),
  userAgent: 'Mozilla/5.0 (contract test)',
  currentTokenDigest: aDigest(),
  previousTokenDigest: null,
  rotatedAt: null,
  endedAt: null,
  ...overrides,
});

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

export const codeOf = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

/** Shaped like what an EmailTokenStore keeps: SHA-256, lower-case hex (64 characters). */
export const anEmailTokenDigest = (): string => createHash('sha256').update(randomBytes(32)).digest('hex');

/** A live email verification token of `userId`, mailed at 10:00 and good for an hour. */
export const anEmailToken = (userId: string, overrides: Partial<EmailTokenRecord> = {}): EmailTokenRecord => ({
  digest: anEmailTokenDigest(),
  kind: 'verify_email',
  userId,
  email: anEmail('mailed'),
  createdAt: at('2026-03-01T10:00:00.123Z'),
  expiresAt: at('2026-03-01T11:00:00.123Z'),
  ...overrides,
});
