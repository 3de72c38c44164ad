/**
 * What happened to an account (docs/http-api.md "Security events"): append-only, written by the use
 * cases. `detail` holds small facts (a reason, a provider, the fields an admin changed), never a
 * secret, a token, a password or a raw cookie.
 */
export const SECURITY_EVENT_TYPES = [
  'user.registered',
  'login.succeeded',
  'login.failed',
  'login.throttled',
  'session.reuse_detected',
  'session.ended',
  'sessions.ended_all',
  'password.changed',
  'password.reset_requested',
  'password.reset',
  'email.verification_requested',
  'email.verified',
  'email.change_requested',
  'email.changed',
  'github.signed_in',
  'github.linked',
  // A provider other than GitHub (detail.provider names it); and any provider's identity removed.
  'identity.signed_in',
  'identity.linked',
  'identity.unlinked',
  'mfa.enabled',
  'mfa.disabled',
  'mfa.failed',
  'passkey.added',
  'passkey.removed',
  'admin.user_updated',
  'admin.user_deleted',
  'admin.sessions_ended',
] as const;

export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

export type EventDetail = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export interface SecurityEvent {
  readonly id: string;
  readonly at: Date;
  readonly type: SecurityEventType;
  /** The account it happened to; null when none is known (a failed login of an unknown email). */
  readonly userId: string | null;
  /** Who did it, when not the account itself (an admin). */
  readonly actorId: string | null;
  readonly sessionId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly detail: EventDetail;
}

/** What a use case says happened; the log adds the id and, unless given, the time. */
export type NewSecurityEvent = Partial<Omit<SecurityEvent, 'type' | 'id'>> & { readonly type: SecurityEventType };
