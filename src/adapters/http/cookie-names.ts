/**
 * Every cookie this service sets, by name, in one place: cookie mode's three session cookies and
 * the GitHub flow's two. The paths, SameSite and lifetimes are set where each is written.
 */
export const COOKIE = {
  access: 'access_token',
  refresh: 'refresh_token',
  csrf: 'csrf_token',
} as const;

/** The signed state of a GitHub flow, from /auth/github to its callback. */
export const STATE_COOKIE = 'github_oauth_state';

/** The nonce that binds a GitHub link URL to the browser that asked for it. */
export const LINK_COOKIE = 'github_link';

/** A provider sign-in that still needs its second factor: the mfaToken, for POST /auth/mfa/verify only (`Path=/auth/mfa`). */
export const MFA_COOKIE = 'mfa_token';
