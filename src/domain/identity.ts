/** Identity providers this service can link accounts to. */
export type IdentityProvider = 'github';

/**
 * An account at an external provider linked to a user. Matched by the provider's stable numeric
 * user id, never by login or email (both can change hands).
 */
export interface LinkedIdentity {
  readonly provider: IdentityProvider;
  readonly providerUserId: string;
  readonly userId: string;
  readonly login: string | null;
  readonly createdAt: Date;
}

/** What a provider tells us about the person signing in. */
export interface ExternalProfile {
  readonly provider: IdentityProvider;
  readonly providerUserId: string;
  readonly login: string | null;
  readonly name: string | null;
  /** The primary email, only when the provider says it is verified. */
  readonly verifiedEmail: string | null;
}
