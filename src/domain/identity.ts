/**
 * A sign-in provider, by name: `github`, `google`, or an OpenID Connect issuer's configured name.
 * Every name is `[a-z0-9-]{1,32}` (src/config/providers.ts refuses others).
 */
export type IdentityProvider = string;

/** GitHub's name: its identity's login is the user object's `githubLogin`. */
export const GITHUB: IdentityProvider = 'github';

/**
 * An account at an external provider linked to a user. Matched by the provider's stable subject
 * (GitHub's numeric user id, OpenID Connect's `sub`), never by login or email (both change hands).
 */
export interface LinkedIdentity {
  readonly provider: IdentityProvider;
  readonly providerUserId: string;
  readonly userId: string;
  /** GitHub's login, OpenID Connect's `preferred_username`, or null. */
  readonly login: string | null;
  /** The email the provider vouched for when it was linked (verified), or null. */
  readonly email: string | null;
  readonly createdAt: Date;
}

/** What a provider tells us about the person signing in (each provider's mapper makes one). */
export interface ExternalProfile {
  readonly provider: IdentityProvider;
  readonly providerUserId: string;
  readonly login: string | null;
  readonly name: string | null;
  /** The email, only when the provider says it is verified (GitHub: the verified primary; OIDC: `email_verified: true`). */
  readonly verifiedEmail: string | null;
}

/** The identity a profile links: what is kept of it. */
export const identityOf = (profile: ExternalProfile, userId: string, createdAt: Date): LinkedIdentity => ({
  provider: profile.provider,
  providerUserId: profile.providerUserId,
  userId,
  login: profile.login,
  email: profile.verifiedEmail,
  createdAt,
});
