// The page's client of the API is the repository's own typed client (clients/js), in cookie mode:
// the CSRF header on every unsafe request, and one shared refresh when the access token has run
// out (many calls that find it expired cause one rotation). The service serves its build at
// /vendor/auth-client.js.
import { createAuthClient, ProblemError } from '/vendor/auth-client.js';

export { ProblemError };

export const client = createAuthClient({ baseUrl: '', mode: 'cookie' });

// The 401s that say the session is gone: the page then shows the sign-in form. The client refreshes
// on the ones a refresh can cure (TOKEN_EXPIRED, TOKEN_MISSING) and never on any other 401:
// retrying a wrong current password (INVALID_CREDENTIALS) would count it twice against the login throttle.
export const REFRESHABLE = new Set(['TOKEN_EXPIRED', 'INVALID_TOKEN', 'TOKEN_MISSING']);

/** The readable CSRF cookie lives as long as the session's refresh token: without it there is no session to ask about. */
export const hasSession = () => document.cookie.split('; ').some((c) => c.startsWith('csrf_token='));

/** Calls the API as the signed-in user (the client refreshes once when the access token ran out). */
export const api = (method, path, body) => client.request(method, path, body);

/** A request that needs no session (a mail link's token is the credential). */
export const post = (path, body) => client.request('POST', path, body);

const inSeconds = (s) => (s < 90 ? `${s} second${s === 1 ? '' : 's'}` : `${Math.ceil(s / 60)} minutes`);
export const tryAgain = (err) => `Try again ${err.retryAfter ? `in ${inSeconds(err.retryAfter)}` : 'later'}.`;
