import { z } from 'zod';
import { PROBLEM_CODES, statusOf } from './problem.js';
import type { WeakPasswordReason } from '../../domain/errors.js';
import { SECURITY_EVENT_TYPES } from '../../domain/security-event.js';
import { authenticationResponseSchema, passkeyNameSchema, registrationResponseSchema } from './passkey-schemas.js';
import { codeSchema, startTotpSchema, verifyMfaSchema } from './mfa-schemas.js';
import { changeEmailSchema, changePasswordSchema, emailTokenSchema, forgotPasswordSchema, loginSchema, refreshSchema, registerSchema, resetPasswordSchema, updateUserSchema } from './validation.js';

const WEAK_PASSWORD_REASONS = ['common', 'email', 'app_name', 'repeated'] as const satisfies readonly WeakPasswordReason[];
const NEW_PASSWORD_REFUSED = (field: string) =>
  `VALIDATION_FAILED, \`errors\` listing every invalid field; only when every field is valid, PASSWORD_TOO_WEAK with a \`reason\` and \`errors\` naming \`${field}\``;

/** Answer shapes, written once here for the document (the request schemas are the validators themselves). */
const user = z.object({
  id: z.string(),
  email: z.string().nullable(),
  emailVerified: z.boolean().meta({ description: 'The address was proven: a verification or reset link was spent, or GitHub vouched for it.' }),
  name: z.string().nullable(),
  githubLogin: z.string().nullable(),
  mfa: z
    .object({
      totp: z.boolean().meta({ description: 'TOTP is on: a password or provider sign-in asks for a code (MFA_REQUIRED).' }),
      passkeys: z.number().int().meta({ description: 'How many passkeys the account has.' }),
    })
    .meta({ description: 'The second factors of the account.' }),
  roles: z.array(z.string()).meta({ description: 'The roles the account holds now (`admin` from ADMIN_EMAILS included), sorted. Access tokens carry them as the `roles` claim, as they were at issue.' }),
  createdAt: z.string().meta({ format: 'date-time' }),
});
const adminUser = user.extend({
  disabled: z.boolean().meta({ description: 'A disabled account signs in by no method; its sessions ended when it was disabled.' }),
  lastSignInAt: z.string().nullable().meta({ format: 'date-time', description: 'The last sign-in by any method; registration counts as one.' }),
});
const adminUserDetails = adminUser.extend({
  sessions: z.number().int().meta({ description: 'Live sessions now.' }),
  identities: z.array(z.object({ provider: z.string(), login: z.string().nullable() })),
});
const securityEvent = z.object({
  id: z.string(),
  at: z.string().meta({ format: 'date-time' }),
  type: z.enum(SECURITY_EVENT_TYPES),
  userId: z.string().nullable(),
  actorId: z.string().nullable().meta({ description: 'Who did it, when not the account itself (an administrator).' }),
  sessionId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).meta({ description: 'Small facts (a reason, a provider, the fields an admin changed); never a secret, a token or a password.' }),
});
const bearerTokens = z.object({
  user,
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().meta({ description: 'Seconds the access token lives.' }),
});
const unverifiedSignUp = z.object({ user }).meta({ description: 'EMAIL_VERIFICATION=required: the account, no tokens; it signs in once the mailed link is spent.' });
const cookieTokens = z.object({ user, expiresIn: z.number().int() }).meta({ description: 'Cookie mode (X-Auth-Mode: cookie): the tokens are in HttpOnly cookies.' });
const session = z.object({
  id: z.string(),
  createdAt: z.string().meta({ format: 'date-time' }),
  lastUsedAt: z.string().meta({ format: 'date-time' }),
  userAgent: z.string().nullable(),
  device: z.string().nullable().meta({ description: 'A short label read from userAgent, such as "Chrome on macOS" or "curl"; null when nothing in it is recognisable.' }),
  current: z.boolean(),
});
const jwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  kid: z.string().meta({ description: 'RFC 7638 SHA-256 thumbprint of the key (base64url); access tokens name it in their `kid` header.' }),
  alg: z.literal('ES256'),
  use: z.literal('sig'),
});
const jwks = z
  .object({ keys: z.array(jwk) })
  .meta({ description: 'RFC 7517 JWK Set. With JWT_ALGORITHM=ES256: the current signing key first, then earlier keys still accepted. With HS256: empty (the secret is never published).' });
const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z
    .enum(PROBLEM_CODES as [string, ...string[]])
    .meta({ description: `Stable UPPER_SNAKE code; clients match it, never the title or detail. Each is explained in docs/problems.md: ${PROBLEM_CODES.map((c) => `${c} (${statusOf(c)})`).join(', ')}.` }),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  reason: z
    .enum(WEAK_PASSWORD_REASONS)
    .optional()
    .meta({ description: 'PASSWORD_TOO_WEAK only: common (among the 10,000 most common passwords), email (the email or its local part), app_name (APP_NAME), repeated (one character repeated); compared case-insensitively.' }),
});

/** A JSON Schema for an OpenAPI 3.1 document (which names its dialect once, not per schema). */
const schema = (s: z.ZodType): Record<string, unknown> => {
  const converted = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete converted.$schema;
  return converted;
};
/** A JSON media type; `example` is what a client sends or gets, shown by the reference and its try-it. */
const json = (s: z.ZodType | { $ref: string }, example?: unknown) => ({
  'application/json': { schema: s instanceof z.ZodType ? schema(s) : s, ...(example === undefined ? {} : { example }) },
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemAnswer = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const EXAMPLE_USER = { id: '0b9f1c3e-6a52-4d3e-9d1b-1f0e7a2c4b11', email: 'ada@example.com', emailVerified: true, name: 'Ada', githubLogin: null, mfa: { totp: false, passkeys: 0 }, roles: [], createdAt: '2026-12-01T09:30:00.000Z' };
const EXAMPLE_ADMIN_USER = { ...EXAMPLE_USER, disabled: false, lastSignInAt: '2026-12-03T08:00:00.000Z' };
const EXAMPLE_TOKENS = {
  user: EXAMPLE_USER,
  accessToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIwYjlmIn0.c2lnbmF0dXJl',
  refreshToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6InJ0K2p3dCJ9.eyJzdWIiOiIwYjlmIn0.c2lnbmF0dXJl',
  tokenType: 'Bearer',
  expiresIn: 900,
};
// anyOf, not oneOf: the two shapes share `user`, and which one comes is chosen by the request's mode.
const tokensAnswer = (description: string) => ({
  description,
  content: { 'application/json': { schema: { anyOf: [ref('BearerTokens'), ref('CookieTokens')] }, example: EXAMPLE_TOKENS } },
});
/** Routes that take an access token: Bearer, or the access_token cookie (web apps). */
const bearer = [{ bearer: [] }, { cookie: [] }];
/** Routes that take a refresh token: Bearer, the refresh_token cookie, or (no scheme) the `refreshToken` body field. */
const refreshToken = [{ refreshBearer: [] }, { refreshCookie: [] }, {}];
const open: unknown[] = [];
const EXAMPLE_EVENT = {
  id: '9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f',
  at: '2026-12-03T08:00:00.000Z',
  type: 'login.succeeded',
  userId: '0b9f1c3e-6a52-4d3e-9d1b-1f0e7a2c4b11',
  actorId: null,
  sessionId: null,
  ip: '203.0.113.7',
  userAgent: 'curl/8.5.0',
  detail: { method: 'password' },
};
const CURSOR_PARAMETER = { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'The `nextCursor` of the previous page (opaque); absent: the first page.' };
const LIMIT_PARAMETER = { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } };
const USER_ID = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: '0b9f1c3e-6a52-4d3e-9d1b-1f0e7a2c4b11' };
const ADMIN_FAILURES = {
  400: problemAnswer('VALIDATION_FAILED: a bad cursor, limit or filter'),
  401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED: no valid access token'),
  403: problemAnswer('FORBIDDEN: the user does not hold `admin` now; CSRF_FAILED (cookie mode, unsafe methods)'),
};
const EXAMPLE_LINK_TOKEN = 'q3Vb1Jx0mN7yTQ2a9c8ZkL4sWfRuE6hPdG5oYiXnA-_';
const LINK_INVALID = 'LINK_INVALID: the token is unknown, expired, used, voided by a newer link, or of another kind';
const TOO_MANY_EMAILS = 'TOO_MANY_EMAILS, with Retry-After: MAIL_PER_ADDRESS_PER_HOUR (and 60 s apart) for the address, or MAIL_PER_IP_PER_HOUR for the client';
const accepted = (description: string) => ({ description, content: json(z.object({ status: z.literal('accepted') }), { status: 'accepted' }) });
const userAnswer = (description: string) => ({ description, content: json(ref('User'), EXAMPLE_USER) });
const AUTH_MODE = { $ref: '#/components/parameters/AuthMode' };
const CSRF = { $ref: '#/components/parameters/CsrfToken' };
const PROVIDER = { name: 'provider', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' }, example: 'google' };
const identity = z.object({
  provider: z.string().meta({ description: '`github`, `google`, or the name of an OIDC_<NAME>_* issuer.' }),
  login: z.string().nullable().meta({ description: "GitHub's login, OpenID Connect's preferred_username, or null." }),
  email: z.string().nullable().meta({ description: 'The verified email the provider gave when it was linked, or null.' }),
  linkedAt: z.string().meta({ format: 'date-time' }),
});
const EXAMPLE_IDENTITY = { provider: 'google', login: null, email: 'ada@example.com', linkedAt: '2026-12-03T08:00:00.000Z' };
const EXAMPLE_CREDENTIALS = { email: 'ada@example.com', password: 'correct horse battery' };

const passkey = z.object({
  id: z.string().meta({ description: 'The credential id (base64url), as the browser reports it.' }),
  name: z.string(),
  createdAt: z.string().meta({ format: 'date-time' }),
  lastUsedAt: z.string().meta({ format: 'date-time' }).nullable().meta({ description: 'The last sign-in with it; null until the first.' }),
});
const passkeyList = z.object({ passkeys: z.array(passkey) });
// The options are @simplewebauthn's JSON, handed to @simplewebauthn/browser as they are: described, not restated member by member.
const creationOptions = z
  .looseObject({ challenge: z.string(), rp: z.looseObject({ id: z.string(), name: z.string() }), user: z.looseObject({ id: z.string(), name: z.string(), displayName: z.string() }) })
  .meta({
    description:
      "PublicKeyCredentialCreationOptionsJSON (@simplewebauthn/server): pass it as `optionsJSON` to @simplewebauthn/browser's startRegistration(). A resident key is required, user verification preferred, attestation none; excludeCredentials lists the user's passkeys. Its challenge is recorded for 5 minutes, for this user's registration only.",
  });
const requestOptions = z
  .looseObject({ challenge: z.string(), rpId: z.string() })
  .meta({
    description:
      "PublicKeyCredentialRequestOptionsJSON (@simplewebauthn/server): pass it as `optionsJSON` to @simplewebauthn/browser's startAuthentication(). No allowCredentials: the passkey is discoverable. Its challenge is recorded for 5 minutes, for one sign-in.",
  });
const EXAMPLE_PASSKEY = { id: 'V2hhdCBhIGNyZWRlbnRpYWwgaWQ', name: 'Laptop', createdAt: '2026-12-07T10:00:00.000Z', lastUsedAt: null };
const EXAMPLE_CHALLENGE = 'q3Vb1Jx0mN7yTQ2a9c8ZkL4sWfRuE6hPdG5oYiXnA-_';
const EXAMPLE_CLIENT_DATA = 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoicTNWYjFKeDBtTjd5VFEyYTljOFprTDRzV2ZSdUU2aFBkRzVvWWlYbkEtXyIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6MzAwMCJ9';
const PASSKEY_INVALID =
  'PASSKEY_INVALID: the ceremony failed (unknown or removed credential, an origin outside WEBAUTHN_ORIGINS, another RP ID, a challenge unknown, spent, over 5 minutes old or of the other ceremony, a bad signature or user handle, a counter that does not grow); the challenge is spent either way';
const PASSKEYS_OFF = 'PASSKEYS_NOT_CONFIGURED: passkeys are off (PUBLIC_URL names an IP address and WEBAUTHN_RP_ID is not set)';
const PASSKEY_ID = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: EXAMPLE_PASSKEY.id, description: 'The credential id, URL-encoded.' };

interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly security?: unknown[];
  readonly requestBody?: unknown;
  readonly parameters?: unknown[];
  readonly responses: Record<string, unknown>;
}

const paths: Record<string, Record<string, Operation>> = {
  '/auth/register': {
    post: {
      operationId: 'register',
      summary: 'Create an account and sign in (Bearer mode, or cookie mode with X-Auth-Mode: cookie)',
      security: open,
      parameters: [AUTH_MODE],
      requestBody: { required: true, content: json(registerSchema, { ...EXAMPLE_CREDENTIALS, name: 'Ada' }) },
      responses: {
        201: {
          description:
            'Signed in, and (unless EMAIL_VERIFICATION=off) a verification link mailed. With EMAIL_VERIFICATION=required: `{ user }` only, no tokens; the first sign-in waits for the link.',
          content: { 'application/json': { schema: { anyOf: [ref('BearerTokens'), ref('CookieTokens'), ref('UnverifiedSignUp')] }, example: EXAMPLE_TOKENS } },
        },
        400: problemAnswer(NEW_PASSWORD_REFUSED('password')),
        409: problemAnswer('EMAIL_ALREADY_REGISTERED'),
        429: problemAnswer(
          'TOO_MANY_ATTEMPTS, with Retry-After: REGISTER_PER_IP_PER_HOUR attempts from this address this hour; or TOO_MANY_EMAILS, with Retry-After: the verification mail it asks for is past MAIL_PER_ADDRESS_PER_HOUR or MAIL_PER_IP_PER_HOUR',
        ),
      },
    },
  },
  '/auth/login': {
    post: {
      operationId: 'login',
      summary: 'Sign in with email and password (JSON body, or Authorization: Basic, which wins)',
      security: [{}, { basic: [] }],
      parameters: [AUTH_MODE],
      requestBody: { required: false, content: json(loginSchema, EXAMPLE_CREDENTIALS) },
      responses: {
        200: tokensAnswer('Signed in'),
        400: problemAnswer('VALIDATION_FAILED'),
        401: problemAnswer('INVALID_CREDENTIALS; MFA_REQUIRED: the password is right and the account has TOTP: no session yet, the problem carries mfaToken (5 minutes, single use) and methods, for POST /auth/mfa/verify'),
        403: problemAnswer('ACCOUNT_DISABLED: the password is right, the account is disabled; EMAIL_NOT_VERIFIED: EMAIL_VERIFICATION=required and the password is right, but the address is not proven yet'),
        429: problemAnswer('TOO_MANY_ATTEMPTS, with Retry-After: the (email, IP) pair, the IP, or the account (LOGIN_ACCOUNT_MAX_FAILURES) is throttled'),
      },
    },
  },
  '/auth/refresh': {
    post: {
      operationId: 'refreshSession',
      summary: 'Rotate the refresh token: a new access AND refresh token',
      security: refreshToken,
      parameters: [CSRF],
      requestBody: { required: false, content: json(refreshSchema, { refreshToken: EXAMPLE_TOKENS.refreshToken }) },
      responses: { 200: tokensAnswer('Rotated'), 401: problemAnswer('INVALID_TOKEN'), 403: problemAnswer('CSRF_FAILED (cookie mode)') },
    },
  },
  '/auth/logout': {
    post: {
      operationId: 'logout',
      summary: 'End the session of this refresh token',
      security: refreshToken,
      parameters: [CSRF],
      requestBody: { required: false, content: json(refreshSchema, { refreshToken: EXAMPLE_TOKENS.refreshToken }) },
      responses: { 204: { description: 'Ended; cookies cleared' }, 401: problemAnswer('INVALID_TOKEN'), 403: problemAnswer('CSRF_FAILED (cookie mode)') },
    },
  },
  '/auth/logout-all': {
    post: {
      operationId: 'logoutAll',
      summary: 'End every session of the user',
      security: bearer,
      parameters: [CSRF],
      responses: { 204: { description: 'Ended' }, 401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED'), 403: problemAnswer('CSRF_FAILED (cookie mode)') },
    },
  },
  '/auth/me': {
    get: { operationId: 'getCurrentUser', summary: 'The signed-in user', security: bearer, responses: { 200: { description: 'The user', content: json(ref('User'), EXAMPLE_USER) }, 401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED') } },
  },
  '/auth/password': {
    post: {
      operationId: 'changePassword',
      summary: 'Change the password: every session ends, this client gets a new one',
      security: bearer,
      parameters: [AUTH_MODE, CSRF],
      requestBody: { required: true, content: json(changePasswordSchema, { currentPassword: 'correct horse battery', newPassword: 'a new, longer passphrase' }) },
      responses: {
        200: tokensAnswer('Changed; new session'),
        400: problemAnswer(`${NEW_PASSWORD_REFUSED('newPassword')}; both before the current password is checked`),
        401: problemAnswer('INVALID_CREDENTIALS (counts as a failed login) or a token problem'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        429: problemAnswer('TOO_MANY_ATTEMPTS, with Retry-After: the pair, the IP or the account is throttled'),
      },
    },
  },
  '/auth/email/verification': {
    post: {
      operationId: 'requestEmailVerification',
      summary: "Mail a new verification link to the account's address (older links stop working)",
      security: bearer,
      parameters: [CSRF],
      responses: {
        202: accepted('A link valid EMAIL_VERIFICATION_TTL seconds (24 h) is on its way to `/verify-email#token=…`'),
        400: problemAnswer('VALIDATION_FAILED: the account has no email address'),
        401: problemAnswer('Token problem'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        409: problemAnswer('EMAIL_ALREADY_VERIFIED'),
        429: problemAnswer(TOO_MANY_EMAILS),
      },
    },
  },
  '/auth/email/verify': {
    post: {
      operationId: 'verifyEmail',
      summary: 'Spend a verification link: the address is proven',
      security: open,
      requestBody: { required: true, content: json(emailTokenSchema, { token: EXAMPLE_LINK_TOKEN }) },
      responses: { 200: userAnswer('The user, `emailVerified: true`'), 400: problemAnswer(`${LINK_INVALID}; VALIDATION_FAILED without a token`) },
    },
  },
  '/auth/password/forgot': {
    post: {
      operationId: 'forgotPassword',
      summary: 'Mail a password-reset link, when an account has this address (the answer is the same either way)',
      security: open,
      requestBody: { required: true, content: json(forgotPasswordSchema, { email: 'ada@example.com' }) },
      responses: {
        202: accepted('The same answer, in about the same time, for a known and an unknown address; a known one gets a link valid PASSWORD_RESET_TTL seconds (30 min) to `/reset-password#token=…`'),
        400: problemAnswer('VALIDATION_FAILED: not an email address'),
        429: problemAnswer(TOO_MANY_EMAILS),
      },
    },
  },
  '/auth/password/reset': {
    post: {
      operationId: 'resetPassword',
      summary: 'Spend a reset link: set a new password; every session ends',
      security: open,
      requestBody: { required: true, content: json(resetPasswordSchema, { token: EXAMPLE_LINK_TOKEN, newPassword: 'a new, longer passphrase' }) },
      responses: {
        204: { description: 'Set (a GitHub-only account gets its first password); every session ended, the address counts as verified, the sign-in throttle of this address and account cleared, a notice mailed' },
        400: problemAnswer(`${LINK_INVALID}; or ${NEW_PASSWORD_REFUSED('newPassword')}, before the link is spent`),
      },
    },
  },
  '/auth/email/change': {
    post: {
      operationId: 'requestEmailChange',
      summary: 'Ask to move the account to a new address: a confirmation link goes there, a notice to the old one; nothing changes yet',
      security: bearer,
      parameters: [CSRF],
      requestBody: { required: true, content: json(changeEmailSchema, { newEmail: 'ada@new.example.com', currentPassword: 'correct horse battery' }) },
      responses: {
        202: accepted('A link valid EMAIL_VERIFICATION_TTL seconds to `/confirm-email#token=…` is on its way to the new address'),
        400: problemAnswer('VALIDATION_FAILED (newEmail; currentPassword when the account has a password)'),
        401: problemAnswer('INVALID_CREDENTIALS (counts as a failed login) or a token problem'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        409: problemAnswer('EMAIL_ALREADY_REGISTERED: the new address is taken (or is the current one)'),
        429: problemAnswer(`${TOO_MANY_EMAILS}; or TOO_MANY_ATTEMPTS, with Retry-After, for the password check`),
      },
    },
  },
  '/auth/email/confirm-change': {
    post: {
      operationId: 'confirmEmailChange',
      summary: 'Spend an email-change link: the account moves to the new, verified address; every session ends',
      security: open,
      requestBody: { required: true, content: json(emailTokenSchema, { token: EXAMPLE_LINK_TOKEN }) },
      responses: {
        200: userAnswer('The user with the new, verified email; sign in again with it'),
        400: problemAnswer(`${LINK_INVALID}; VALIDATION_FAILED without a token`),
        409: problemAnswer('EMAIL_ALREADY_REGISTERED: another account took the address meanwhile'),
      },
    },
  },
  '/auth/events': {
    get: {
      operationId: 'listMyEvents',
      summary: "The caller's recent security activity: the last 50 events of the account, newest first",
      security: bearer,
      responses: {
        200: { description: 'Events', content: json({ type: 'object', required: ['events'], properties: { events: { type: 'array', items: ref('SecurityEvent') } } } as never, { events: [EXAMPLE_EVENT] }) },
        401: problemAnswer('Token problem'),
      },
    },
  },
  '/auth/sessions': {
    get: {
      operationId: 'listSessions',
      summary: "The user's live sessions",
      security: bearer,
      responses: {
        200: {
          description: 'Sessions, newest first',
          content: json({ type: 'array', items: ref('Session') } as never, [
            { id: '5d2c7b8e-1f3a-4c6d-8e9f-0a1b2c3d4e5f', createdAt: '2026-12-01T09:30:00.000Z', lastUsedAt: '2026-12-03T08:00:00.000Z', userAgent: 'curl/8.5.0', device: 'curl', current: true },
          ]),
        },
        401: problemAnswer('Token problem'),
      },
    },
  },
  '/auth/sessions/{id}': {
    delete: {
      operationId: 'endSession',
      summary: 'End one of the user\u2019s sessions',
      security: bearer,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: '5d2c7b8e-1f3a-4c6d-8e9f-0a1b2c3d4e5f' }, CSRF],
      responses: { 204: { description: 'Ended' }, 401: problemAnswer('Token problem'), 403: problemAnswer('CSRF_FAILED (cookie mode)'), 404: problemAnswer('SESSION_NOT_FOUND') },
    },
  },
  '/auth/passkeys/registration/options': {
    post: {
      operationId: 'startPasskeyRegistration',
      summary: 'Creation options for a new passkey of the signed-in user',
      security: bearer,
      parameters: [CSRF],
      responses: {
        200: {
          description: 'The options; hand them to startRegistration()',
          content: json(ref('PasskeyCreationOptions'), {
            challenge: EXAMPLE_CHALLENGE,
            rp: { id: 'localhost', name: 'auth-api' },
            user: { id: 'MGI5ZjFjM2UtNmE1Mi00ZDNlLTlkMWItMWYwZTdhMmM0YjEx', name: 'ada@example.com', displayName: 'Ada' },
            pubKeyCredParams: [{ alg: -8, type: 'public-key' }, { alg: -7, type: 'public-key' }, { alg: -257, type: 'public-key' }],
            timeout: 300000,
            attestation: 'none',
            excludeCredentials: [],
            authenticatorSelection: { residentKey: 'required', userVerification: 'preferred', requireResidentKey: true },
            extensions: { credProps: true },
            hints: [],
          }),
        },
        401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        404: problemAnswer(PASSKEYS_OFF),
      },
    },
  },
  '/auth/passkeys/registration': {
    post: {
      operationId: 'registerPasskey',
      summary: 'Store the passkey a registration response attests to (the body is the RegistrationResponseJSON itself)',
      security: bearer,
      parameters: [{ name: 'name', in: 'query', required: false, schema: schema(passkeyNameSchema), example: 'Laptop' }, CSRF],
      requestBody: {
        required: true,
        content: json(ref('RegistrationResponseJSON'), {
          id: EXAMPLE_PASSKEY.id,
          rawId: EXAMPLE_PASSKEY.id,
          type: 'public-key',
          response: { clientDataJSON: EXAMPLE_CLIENT_DATA, attestationObject: 'o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjF', transports: ['internal', 'hybrid'] },
          clientExtensionResults: {},
          authenticatorAttachment: 'platform',
        }),
      },
      responses: {
        201: { description: 'Stored', content: json(ref('Passkey'), EXAMPLE_PASSKEY) },
        400: problemAnswer('VALIDATION_FAILED: the body is no RegistrationResponseJSON, or ?name= is empty, over 64 characters, given twice or has a control character'),
        401: problemAnswer(`${PASSKEY_INVALID}; or a token problem`),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        404: problemAnswer(PASSKEYS_OFF),
      },
    },
  },
  '/auth/passkeys': {
    get: {
      operationId: 'listPasskeys',
      summary: "The signed-in user's passkeys, oldest first",
      security: bearer,
      responses: {
        200: { description: 'Passkeys', content: json(ref('PasskeyList'), { passkeys: [{ ...EXAMPLE_PASSKEY, lastUsedAt: '2026-12-07T11:00:00.000Z' }] }) },
        401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED'),
      },
    },
  },
  '/auth/passkeys/{id}': {
    delete: {
      operationId: 'removePasskey',
      summary: "Remove one of the user's passkeys: it signs in no more",
      security: bearer,
      parameters: [PASSKEY_ID, CSRF],
      responses: {
        204: { description: 'Removed' },
        401: problemAnswer('Token problem'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        404: problemAnswer("PASSKEY_NOT_FOUND: not one of the caller's passkeys"),
      },
    },
  },
  '/auth/passkeys/authentication/options': {
    post: {
      operationId: 'startPasskeySignIn',
      summary: 'Request options for a sign-in with a discoverable passkey',
      security: open,
      responses: {
        200: {
          description: 'The options; hand them to startAuthentication()',
          content: json(ref('PasskeyRequestOptions'), { challenge: EXAMPLE_CHALLENGE, rpId: 'localhost', timeout: 300000, userVerification: 'preferred' }),
        },
        404: problemAnswer(PASSKEYS_OFF),
      },
    },
  },
  '/auth/passkeys/authentication': {
    post: {
      operationId: 'signInWithPasskey',
      summary: 'Sign in with a passkey, as login does (the body is the AuthenticationResponseJSON itself); it satisfies MFA, amr ["hwk"]',
      security: open,
      parameters: [AUTH_MODE],
      requestBody: {
        required: true,
        content: json(ref('AuthenticationResponseJSON'), {
          id: EXAMPLE_PASSKEY.id,
          rawId: EXAMPLE_PASSKEY.id,
          type: 'public-key',
          response: {
            clientDataJSON: EXAMPLE_CLIENT_DATA,
            authenticatorData: 'SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ',
            signature: 'MEUCIQDjb3JyZWN0LWxvb2tpbmctc2lnbmF0dXJlAiB0aGlzLWlzLWFuLWV4YW1wbGU',
            userHandle: 'MGI5ZjFjM2UtNmE1Mi00ZDNlLTlkMWItMWYwZTdhMmM0YjEx',
          },
          clientExtensionResults: {},
          authenticatorAttachment: 'platform',
        }),
      },
      responses: {
        200: tokensAnswer('Signed in'),
        400: problemAnswer('VALIDATION_FAILED: the body is no AuthenticationResponseJSON'),
        401: problemAnswer(PASSKEY_INVALID),
        403: problemAnswer('ACCOUNT_DISABLED: the passkey is right, the account is disabled'),
        404: problemAnswer(PASSKEYS_OFF),
      },
    },
  },
  '/auth/mfa/totp': {
    post: {
      operationId: 'startTotpEnrolment',
      summary: 'Start TOTP enrolment: a new secret and its otpauth:// URL (issuer APP_NAME), pending until confirmed; needs a sign-in of the last 10 minutes or currentPassword',
      security: bearer,
      parameters: [CSRF],
      requestBody: { required: false, content: json(startTotpSchema, {}) },
      responses: {
        200: { description: 'The secret (base32) and its otpauth URL, shown to be scanned; not stored in clear', content: { 'application/json': { schema: { type: 'object', required: ['secret', 'otpauthUrl'], properties: { secret: { type: 'string' }, otpauthUrl: { type: 'string' } } }, example: { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', otpauthUrl: 'otpauth://totp/auth-api:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=auth-api&algorithm=SHA1&digits=6&period=30' } } } },
        400: problemAnswer('VALIDATION_FAILED'),
        401: problemAnswer('INVALID_CREDENTIALS: a wrong currentPassword (counts as a failed login); or a token problem'),
        403: problemAnswer('RECENT_SIGN_IN_REQUIRED: the sign-in is older than 10 minutes and no currentPassword was sent; CSRF_FAILED (cookie mode)'),
        409: problemAnswer('TOTP_ALREADY_ENABLED'),
        429: problemAnswer('TOO_MANY_ATTEMPTS (a wrong currentPassword is throttled as a login)'),
        503: problemAnswer('MFA_UNAVAILABLE: production without MFA_ENCRYPTION_KEY'),
      },
    },
    delete: {
      operationId: 'disableTotp',
      summary: 'Turn TOTP off with a TOTP code or a recovery code',
      security: bearer,
      parameters: [CSRF],
      requestBody: { required: true, content: json(codeSchema, { code: '123456' }) },
      responses: {
        204: { description: 'TOTP is off; its recovery codes are gone' },
        400: problemAnswer('VALIDATION_FAILED'),
        401: problemAnswer('MFA_CODE_INVALID (counts as a failed login); or a token problem'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        409: problemAnswer('TOTP_NOT_ENABLED'),
        429: problemAnswer('TOO_MANY_ATTEMPTS'),
      },
    },
  },
  '/auth/mfa/totp/confirm': {
    post: {
      operationId: 'confirmTotpEnrolment',
      summary: 'Confirm TOTP with a code of the new secret: TOTP is on, and 10 recovery codes are shown once',
      security: bearer,
      parameters: [CSRF],
      requestBody: { required: true, content: json(codeSchema, { code: '123456' }) },
      responses: {
        200: { description: 'TOTP is on: the recovery codes, never shown again', content: { 'application/json': { schema: { type: 'object', required: ['recoveryCodes'], properties: { recoveryCodes: { type: 'array', items: { type: 'string' }, minItems: 10, maxItems: 10 } } }, example: { recoveryCodes: ['ABCD-EFGH-JKMN', '0123-4567-89AB', 'CDEF-GHJK-MNPQ', 'RSTV-WXYZ-0123', '4567-89AB-CDEF', 'GHJK-MNPQ-RSTV', 'WXYZ-ABCD-EFGH', 'JKMN-PQRS-TVWX', 'YZ01-2345-6789', 'BCDE-FGHJ-KMNP'] } } } },
        400: problemAnswer('VALIDATION_FAILED'),
        401: problemAnswer('MFA_CODE_INVALID; or a token problem'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        409: problemAnswer('TOTP_NOT_ENABLED: no enrolment is pending; TOTP_ALREADY_ENABLED'),
      },
    },
  },
  '/auth/mfa/verify': {
    post: {
      operationId: 'verifyMfa',
      summary: 'Complete a sign-in that answered 401 MFA_REQUIRED, in the mode of that sign-in; the mfaToken comes from the body or the mfa_token cookie of a provider sign-in',
      security: open,
      requestBody: { required: true, content: json(verifyMfaSchema, { mfaToken: EXAMPLE_LINK_TOKEN, code: '123456' }) },
      responses: {
        200: tokensAnswer('Signed in, amr adds "otp"'),
        400: problemAnswer('VALIDATION_FAILED'),
        401: problemAnswer('MFA_CODE_INVALID: wrong, or already accepted in its step (5 void the mfaToken; each counts as a failed login); MFA_TOKEN_INVALID: spent, expired, voided or unknown'),
        403: problemAnswer('ACCOUNT_DISABLED'),
        429: problemAnswer('TOO_MANY_ATTEMPTS, with Retry-After'),
      },
    },
  },
  '/auth/github': {
    get: {
      operationId: 'startGithubSignIn',
      summary: 'Start GitHub sign-in (or a link flow with ?link=)',
      security: open,
      parameters: [{ name: 'link', in: 'query', required: false, schema: { type: 'string' } }],
      responses: { 302: { description: "To GitHub's authorize URL" }, 404: problemAnswer('GITHUB_NOT_CONFIGURED') },
    },
  },
  '/auth/github/callback': {
    get: {
      operationId: 'githubCallback',
      summary: 'GitHub returns here; signs in by cookie mode',
      security: open,
      responses: {
        302: {
          description:
            'To WEB_APP_URL, signed in; or to WEB_APP_URL?error=<code>, signed out: invalid_state (INVALID_STATE), access_denied, github_unavailable, account_exists (ACCOUNT_EXISTS), already_linked (ALREADY_LINKED), email_not_verified (EMAIL_NOT_VERIFIED: EMAIL_VERIFICATION=required and the address of the account is not proven), account_disabled (ACCOUNT_DISABLED), server_error',
        },
        404: problemAnswer('GITHUB_NOT_CONFIGURED'),
      },
    },
  },
  '/auth/google': {
    get: {
      operationId: 'startGoogleSignIn',
      summary:
        'Start sign-in with Google, or a link flow with ?link=; every OIDC_<NAME>_* issuer has the same three routes under /auth/<name>. OpenID Connect: the code flow with PKCE S256, a nonce, and a single-use state recorded on the server and bound to this browser',
      security: open,
      parameters: [{ name: 'link', in: 'query', required: false, schema: { type: 'string' } }],
      responses: {
        302: { description: "To the provider's authorization endpoint; or WEB_APP_URL?error=provider_unavailable when its discovery failed, invalid_state for a bad ?link=" },
        404: problemAnswer('PROVIDER_NOT_CONFIGURED'),
      },
    },
  },
  '/auth/google/callback': {
    get: {
      operationId: 'googleCallback',
      summary: 'Google (or, at /auth/<name>/callback, that issuer) returns here; signs in by cookie mode (or asks for the second factor: WEB_APP_URL?mfa=required)',
      security: open,
      responses: {
        302: {
          description:
            'To WEB_APP_URL, signed in; or to WEB_APP_URL?error=<code>, signed out: as GitHub\'s callback (invalid_state, access_denied, account_exists, already_linked, email_not_verified, account_disabled, server_error), plus provider_unavailable (its token, JWKS or userinfo endpoint failed) and invalid_id_token (signature, iss, aud, exp or nonce)',
        },
        404: problemAnswer('PROVIDER_NOT_CONFIGURED'),
      },
    },
  },
  '/auth/google/link': {
    post: {
      operationId: 'linkGoogle',
      summary: 'A URL that links Google (or, at /auth/<name>/link, that issuer) to the signed-in account, in this browser',
      security: bearer,
      parameters: [CSRF],
      responses: {
        200: { description: 'The URL', content: json(z.object({ url: z.string() }), { url: 'http://localhost:3000/auth/google?link=eyJhbGciOiJIUzI1NiJ9.eyJ1IjoiMCJ9.c2ln' }) },
        401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        404: problemAnswer('PROVIDER_NOT_CONFIGURED'),
      },
    },
  },
  '/auth/identities': {
    get: {
      operationId: 'listIdentities',
      summary: "The provider identities linked to the caller's account, oldest first",
      security: bearer,
      responses: {
        200: { description: 'The identities', content: json(z.object({ identities: z.array(identity) }), { identities: [EXAMPLE_IDENTITY] }) },
        401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED'),
      },
    },
  },
  '/auth/identities/{provider}': {
    delete: {
      operationId: 'unlinkIdentity',
      summary: "Remove the caller's identity at a provider",
      security: bearer,
      parameters: [PROVIDER, CSRF],
      responses: {
        204: { description: 'Removed: that provider no longer signs in to this account' },
        401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        404: problemAnswer('IDENTITY_NOT_FOUND: no identity of that provider is linked'),
        409: problemAnswer('LAST_SIGN_IN_METHOD: the account would have no password, passkey or other identity left'),
      },
    },
  },
  '/admin/users': {
    get: {
      operationId: 'adminSearchUsers',
      summary: 'Find users: newest first, a page at a time (admin)',
      security: bearer,
      parameters: [
        { name: 'q', in: 'query', required: false, schema: { type: 'string', maxLength: 254 }, description: 'A substring of the email or the name, case-insensitive.', example: 'ada' },
        CURSOR_PARAMETER,
        LIMIT_PARAMETER,
      ],
      responses: {
        200: { description: 'A page', content: json(z.object({ users: z.array(adminUser), nextCursor: z.string().nullable() }), { users: [EXAMPLE_ADMIN_USER], nextCursor: null }) },
        ...ADMIN_FAILURES,
      },
    },
  },
  '/admin/users/{id}': {
    get: {
      operationId: 'adminGetUser',
      summary: 'One user, with its session count and identities (admin)',
      security: bearer,
      parameters: [USER_ID],
      responses: {
        200: { description: 'The user', content: json(ref('AdminUserDetails'), { ...EXAMPLE_ADMIN_USER, sessions: 2, identities: [] }) },
        ...ADMIN_FAILURES,
        404: problemAnswer('USER_NOT_FOUND'),
      },
    },
    patch: {
      operationId: 'adminUpdateUser',
      summary: 'Change roles, disabled, name or emailVerified (admin); disabling ends every session',
      security: bearer,
      parameters: [USER_ID, CSRF],
      requestBody: { required: true, content: json(updateUserSchema, { roles: ['support'], disabled: false }) },
      responses: {
        200: { description: 'The updated user', content: json(ref('AdminUser'), { ...EXAMPLE_ADMIN_USER, roles: ['support'] }) },
        ...ADMIN_FAILURES,
        400: problemAnswer('VALIDATION_FAILED: an unknown field, a bad role name, more than 20 roles, a bad name'),
        404: problemAnswer('USER_NOT_FOUND'),
        409: problemAnswer('LAST_ADMIN: it would leave no enabled administrator; ROLE_FROM_CONFIG: `admin` comes from ADMIN_EMAILS'),
      },
    },
    delete: {
      operationId: 'adminEraseUser',
      summary: 'Erase a user: the account, its sessions, identities and email tokens (admin)',
      security: bearer,
      parameters: [USER_ID, CSRF],
      responses: {
        204: { description: 'Erased; its security events keep the user id and lose its email and name' },
        ...ADMIN_FAILURES,
        404: problemAnswer('USER_NOT_FOUND'),
        409: problemAnswer('LAST_ADMIN'),
      },
    },
  },
  '/admin/users/{id}/sessions': {
    delete: {
      operationId: 'adminEndUserSessions',
      summary: "End every session of a user at once (admin)",
      security: bearer,
      parameters: [USER_ID, CSRF],
      responses: { 204: { description: 'Ended' }, ...ADMIN_FAILURES, 404: problemAnswer('USER_NOT_FOUND') },
    },
  },
  '/admin/events': {
    get: {
      operationId: 'adminListEvents',
      summary: 'Security events of every account, newest first, a page at a time (admin)',
      security: bearer,
      parameters: [
        { name: 'userId', in: 'query', required: false, schema: { type: 'string' }, description: 'Only this account.' },
        { name: 'type', in: 'query', required: false, schema: { type: 'string', enum: [...SECURITY_EVENT_TYPES] }, description: 'Only this type.', example: 'login.failed' },
        CURSOR_PARAMETER,
        LIMIT_PARAMETER,
      ],
      responses: {
        200: { description: 'A page', content: json(z.object({ events: z.array(securityEvent), nextCursor: z.string().nullable() }), { events: [EXAMPLE_EVENT], nextCursor: null }) },
        ...ADMIN_FAILURES,
      },
    },
  },
  '/auth/github/link': {
    post: {
      operationId: 'linkGithub',
      summary: 'A URL that links GitHub to the signed-in account, in this browser',
      security: bearer,
      parameters: [CSRF],
      responses: {
        200: { description: 'The URL', content: json(z.object({ url: z.string() }), { url: 'http://localhost:3000/auth/github?link=eyJhbGciOiJIUzI1NiJ9.eyJ1IjoiMCJ9.c2ln' }) },
        401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        404: problemAnswer('GITHUB_NOT_CONFIGURED'),
      },
    },
  },
  '/healthz': {
    get: { operationId: 'liveness', summary: 'Liveness', security: open, responses: { 200: { description: 'Up', content: json(z.object({ status: z.literal('ok') }), { status: 'ok' }) } } },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      summary: 'Readiness (database, Redis)',
      security: open,
      responses: { 200: { description: 'Ready', content: json(z.object({ status: z.literal('ready') }), { status: 'ready' }) }, 503: problemAnswer('SERVICE_UNAVAILABLE') },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      summary:
        'Prometheus metrics. Open in development without METRICS_TOKEN; with METRICS_TOKEN it needs Authorization: Bearer <METRICS_TOKEN>; with METRICS_PORT it is served only on that port; in production with neither it is off',
      security: [{ metricsToken: [] }, {}],
      responses: {
        200: {
          description: 'Text exposition format',
          content: { 'text/plain': { schema: { type: 'string' }, example: '# TYPE http_requests_total counter\nhttp_requests_total{method="GET",route="/auth/me",status="200"} 42\n' } },
        },
        401: problemAnswer('INVALID_METRICS_TOKEN: METRICS_TOKEN is set and the request did not carry it (WWW-Authenticate: Bearer realm="metrics")'),
        404: problemAnswer('NOT_FOUND: served on METRICS_PORT instead, or off (production without METRICS_TOKEN or METRICS_PORT)'),
      },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'openApiDocument',
      summary: 'This document',
      security: open,
      responses: { 200: { description: 'OpenAPI 3.1', content: json(z.object({ openapi: z.string() }).loose(), { openapi: '3.1.0', info: { title: 'auth-api' } }) } },
    },
  },
  '/.well-known/jwks.json': {
    get: {
      operationId: 'jwks',
      summary: 'Public keys that verify access tokens (ES256), for services that verify on their own; cacheable for a few minutes',
      security: open,
      responses: {
        200: {
          description: 'The JWK Set',
          content: json(jwks, { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs', alg: 'ES256', use: 'sig' }] }),
        },
      },
    },
  },
};

/** Protocol-level problems any request can meet, whatever its route. */
export const ANY_ROUTE_CODES = [
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'BAD_REQUEST',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

/** What the server itself may answer to any request (docs/http-api.md "Limits"), added to every operation. */
const EVERY_OPERATION = {
  408: problemAnswer('REQUEST_TIMEOUT: the headers (HEADERS_TIMEOUT_SECONDS) or the whole request (REQUEST_TIMEOUT_SECONDS) did not arrive in time; the connection closes'),
};
for (const operations of Object.values(paths)) {
  for (const operation of Object.values(operations)) Object.assign(operation.responses, EVERY_OPERATION);
}

/** The OpenAPI 3.1 document of every route, built from the same zod schemas that validate requests. */
export function openApiDocument(publicUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'auth-api',
      version: '0.1.0',
      license: { name: 'Proprietary: a private package, no licence granted', identifier: 'LicenseRef-Proprietary' },
      description: `Email and GitHub sign-in with rotating refresh tokens. Errors are application/problem+json (see the Problem schema; docs/problems.md explains each code). Any route may also answer ${ANY_ROUTE_CODES.join(', ')}.`,
    },
    servers: [{ url: publicUrl }],
    paths,
    components: {
      schemas: { User: schema(user), BearerTokens: schema(bearerTokens), CookieTokens: schema(cookieTokens), UnverifiedSignUp: schema(unverifiedSignUp), Session: schema(session), Problem: schema(problem), AdminUser: schema(adminUser), AdminUserDetails: schema(adminUserDetails), SecurityEvent: schema(securityEvent),
        Passkey: schema(passkey),
        PasskeyList: schema(passkeyList),
        PasskeyCreationOptions: schema(creationOptions),
        PasskeyRequestOptions: schema(requestOptions),
        RegistrationResponseJSON: schema(registrationResponseSchema),
        AuthenticationResponseJSON: schema(authenticationResponseSchema),
      },
      parameters: {
        AuthMode: {
          name: 'X-Auth-Mode',
          in: 'header',
          required: false,
          schema: { type: 'string', enum: ['cookie'] },
          description: 'cookie: deliver the tokens as HttpOnly cookies (with a readable csrf_token) and none in the body; absent: Bearer mode.',
        },
        CsrfToken: {
          name: 'X-CSRF-Token',
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: 'Required when a cookie authenticates this unsafe request: the value of the csrf_token cookie (403 CSRF_FAILED otherwise). Not used in Bearer mode.',
        },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token (at+jwt).' },
        basic: { type: 'http', scheme: 'basic', description: 'POST /auth/login only: the email and password as Basic credentials (wins over the body).' },
        refreshBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A refresh token (rt+jwt); it may also be sent as the refreshToken body field.' },
        refreshCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'refresh_token',
          description: 'Web apps: the refresh_token cookie (Path=/auth), with X-CSRF-Token equal to the csrf_token cookie.',
        },
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'access_token',
          description: 'Unsafe methods also need X-CSRF-Token equal to the csrf_token cookie, which is bound to the session (403 CSRF_FAILED otherwise).',
        },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for GET /metrics only.' },
      },
    },
  };
}
