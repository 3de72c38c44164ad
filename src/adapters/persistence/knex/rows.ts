import type { DisplayName } from '../../../domain/display-name.js';
import type { Email } from '../../../domain/email.js';
import type { EmailTokenKind, EmailTokenRecord } from '../../../domain/email-token.js';
import type { IdentityProvider, LinkedIdentity } from '../../../domain/identity.js';
import type { Role } from '../../../domain/role.js';
import type { Session } from '../../../domain/session.js';
import type { NewUser, User } from '../../../domain/user.js';

/** Row <-> entity mapping lives only here. */

export interface UserRow {
  id: string;
  email: string | null;
  name: string | null;
  password_hash: string | null;
  /** 0/1 on SQLite and MySQL alike (a boolean column reads back as a number). */
  email_verified: boolean | number;
  /** The role names, sorted, joined by single spaces; '' for none. */
  roles: string;
  disabled: boolean | number;
  last_sign_in_at: Date | number | string | null;
  created_at: Date | number | string;
}

export interface IdentityRow {
  provider: string;
  provider_user_id: string;
  user_id: string;
  login: string | null;
  email: string | null;
  created_at: Date | number | string;
}

/** A user row as read, with the login of its GitHub identity (left join) when there is one. */
export interface UserViewRow extends UserRow {
  github_login: string | null;
  /** The TOTP factor's confirmation (null: none or pending), and the passkeys' count: the user's `mfa`. */
  totp_confirmed_at?: Date | number | string | null;
  passkey_count?: number | string | null;
}

export interface SessionRow {
  id: string;
  user_id: string;
  created_at: Date | number | string;
  last_used_at: Date | number | string;
  expires_at: Date | number | string;
  user_agent: string | null;
  current_token_digest: string;
  previous_token_digest: string | null;
  rotated_at: Date | number | string | null;
  ended_at: Date | number | string | null;
  /** RFC 8176 methods, comma-separated; null for sessions from before they were recorded. */
  amr: string | null;
}

export interface EmailTokenRow {
  digest: string;
  user_id: string;
  kind: string;
  email: string;
  created_at: Date | number | string;
  expires_at: Date | number | string;
  /** Set when the token is spent or voided. */
  used_at: Date | number | string | null;
}

/** MySQL returns Date (timezone 'Z'); SQLite returns the epoch milliseconds knex bound. */
export function toDate(value: Date | number | string): Date {
  if (value instanceof Date) return new Date(value.getTime());
  if (typeof value === 'number') return new Date(value);
  return /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value.endsWith('Z') ? value : `${value.replace(' ', 'T')}Z`);
}

export const toNullableDate = (value: Date | number | string | null): Date | null => (value === null ? null : toDate(value));

export const userToRow = (user: NewUser): UserRow => ({
  id: user.id,
  // Already canonical (parseEmail is the only maker of an Email): the binary unique index is uniqueness of the address.
  email: user.email,
  name: user.name,
  password_hash: user.passwordHash,
  email_verified: user.emailVerified,
  roles: rolesToColumn(user.roles),
  disabled: user.disabled,
  last_sign_in_at: user.lastSignInAt,
  created_at: user.createdAt,
});

/** Role names never hold a space (isRoleName): joined by one, they split back unambiguously. */
export const rolesToColumn = (roles: readonly Role[]): string => [...new Set(roles)].sort().join(' ');

const columnToRoles = (column: string): readonly Role[] => (column === '' ? [] : (column.split(' ').sort() as Role[]));

export const rowToUser = (row: UserViewRow): User => ({
  id: row.id,
  email: row.email as Email | null,
  name: row.name as DisplayName | null,
  passwordHash: row.password_hash,
  emailVerified: Boolean(row.email_verified),
  githubLogin: row.github_login ?? null,
  mfa: { totp: row.totp_confirmed_at != null, passkeys: Number(row.passkey_count ?? 0) },
  roles: columnToRoles(row.roles),
  disabled: Boolean(row.disabled),
  lastSignInAt: toNullableDate(row.last_sign_in_at),
  createdAt: toDate(row.created_at),
});

export const identityToRow = (i: LinkedIdentity): IdentityRow => ({
  provider: i.provider,
  provider_user_id: i.providerUserId,
  user_id: i.userId,
  login: i.login,
  email: i.email,
  created_at: i.createdAt,
});

export const rowToIdentity = (row: IdentityRow): LinkedIdentity => ({
  provider: row.provider as IdentityProvider,
  providerUserId: row.provider_user_id,
  userId: row.user_id,
  login: row.login,
  email: row.email ?? null,
  createdAt: toDate(row.created_at),
});

export const sessionToRow = (s: Session): SessionRow => ({
  id: s.id,
  user_id: s.userId,
  created_at: s.createdAt,
  last_used_at: s.lastUsedAt,
  expires_at: s.expiresAt,
  user_agent: s.userAgent,
  current_token_digest: s.currentTokenDigest,
  previous_token_digest: s.previousTokenDigest,
  rotated_at: s.rotatedAt,
  ended_at: s.endedAt,
  amr: s.amr && s.amr.length > 0 ? s.amr.join(',') : null,
});

export const rowToSession = (row: SessionRow): Session => ({
  id: row.id,
  userId: row.user_id,
  createdAt: toDate(row.created_at),
  lastUsedAt: toDate(row.last_used_at),
  expiresAt: toDate(row.expires_at),
  userAgent: row.user_agent,
  currentTokenDigest: row.current_token_digest,
  previousTokenDigest: row.previous_token_digest,
  rotatedAt: toNullableDate(row.rotated_at),
  endedAt: toNullableDate(row.ended_at),
  ...(row.amr ? { amr: row.amr.split(',') } : {}),
});

/** A new token's row: not used yet. */
export const emailTokenToRow = (t: EmailTokenRecord): EmailTokenRow => ({
  digest: t.digest,
  user_id: t.userId,
  kind: t.kind,
  email: t.email,
  created_at: t.createdAt,
  expires_at: t.expiresAt,
  used_at: null,
});

export const rowToEmailToken = (row: EmailTokenRow): EmailTokenRecord => ({
  digest: row.digest,
  kind: row.kind as EmailTokenKind,
  userId: row.user_id,
  email: row.email as Email,
  createdAt: toDate(row.created_at),
  expiresAt: toDate(row.expires_at),
});
