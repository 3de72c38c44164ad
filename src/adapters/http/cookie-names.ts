/**
 * Every cookie this service sets, by name, in one place: cookie mode's three session cookies and
 * the provider flows' two (on `/auth/<provider>`, so each provider has its own). The paths, SameSite and lifetimes are set where each is written.
 */
export const COOKIE = {
  access: 'access_token',
  refresh: 'refresh_token',
  csrf: 'csrf_token',
} as const;

/** The signed state of a provider flow, from /auth/<provider> to its callback. */
export const STATE_COOKIE = 'oauth_state';

/** The nonce that binds a provider's link URL to the browser that asked for it. */
export const LINK_COOKIE = 'link_nonce';

/** A provider sign-in that still needs its second factor: the mfaToken, for POST /auth/mfa/verify only (`Path=/auth/mfa`). */
export const MFA_COOKIE = 'mfa_token';
