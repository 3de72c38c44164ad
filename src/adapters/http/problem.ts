import type { ErrorCode, FieldProblem } from '../../domain/errors.js';

/** Codes only the HTTP edge can produce (protocol-level failures). */
export type HttpErrorCode =
  | 'INVALID_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'BAD_REQUEST'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'CSRF_FAILED'
  | 'INVALID_METRICS_TOKEN'
  | 'GITHUB_NOT_CONFIGURED'
  | 'PROVIDER_NOT_CONFIGURED'
  | 'PASSKEYS_NOT_CONFIGURED'
  | 'INTERNAL_ERROR';

export type ProblemCode = ErrorCode | HttpErrorCode;

/** Every code maps to a status and title here, once: a new code does not compile unmapped. */
const PROBLEMS: Record<ProblemCode, { readonly status: number; readonly title: string }> = {
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  PASSWORD_TOO_WEAK: { status: 400, title: 'Password too weak' },
  INVALID_JSON: { status: 400, title: 'Invalid JSON' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  INVALID_CREDENTIALS: { status: 401, title: 'Invalid credentials' },
  INVALID_TOKEN: { status: 401, title: 'Invalid token' },
  TOKEN_EXPIRED: { status: 401, title: 'Token expired' },
  TOKEN_MISSING: { status: 401, title: 'Token missing' },
  EMAIL_ALREADY_REGISTERED: { status: 409, title: 'Email already registered' },
  SESSION_NOT_FOUND: { status: 404, title: 'Session not found' },
  TOO_MANY_ATTEMPTS: { status: 429, title: 'Too many attempts' },
  CSRF_FAILED: { status: 403, title: 'CSRF check failed' },
  INVALID_METRICS_TOKEN: { status: 401, title: 'Metrics token required' },
  ACCOUNT_EXISTS: { status: 409, title: 'Account exists' },
  ALREADY_LINKED: { status: 409, title: 'Already linked' },
  INVALID_STATE: { status: 400, title: 'Invalid state' },
  USER_NOT_FOUND: { status: 404, title: 'Account not found' },
  LINK_INVALID: { status: 400, title: 'Link invalid' },
  EMAIL_ALREADY_VERIFIED: { status: 409, title: 'Email already verified' },
  EMAIL_NOT_VERIFIED: { status: 403, title: 'Email not verified' },
  TOO_MANY_EMAILS: { status: 429, title: 'Too many emails' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  ACCOUNT_DISABLED: { status: 403, title: 'Account disabled' },
  LAST_ADMIN: { status: 409, title: 'Last administrator' },
  ROLE_FROM_CONFIG: { status: 409, title: 'Role from configuration' },
  GITHUB_NOT_CONFIGURED: { status: 404, title: 'GitHub sign-in is not configured' },
  PROVIDER_NOT_CONFIGURED: { status: 404, title: 'Sign-in provider not configured' },
  PASSKEY_INVALID: { status: 401, title: 'Passkey invalid' },
  PASSKEY_NOT_FOUND: { status: 404, title: 'Passkey not found' },
  IDENTITY_NOT_FOUND: { status: 404, title: 'Identity not found' },
  LAST_SIGN_IN_METHOD: { status: 409, title: 'Last sign-in method' },
  PASSKEYS_NOT_CONFIGURED: { status: 404, title: 'Passkeys are not configured' },
  MFA_REQUIRED: { status: 401, title: 'Second factor required' },
  MFA_CODE_INVALID: { status: 401, title: 'Code invalid' },
  MFA_TOKEN_INVALID: { status: 401, title: 'MFA token invalid' },
  MFA_UNAVAILABLE: { status: 503, title: 'Two-factor authentication unavailable' },
  TOTP_ALREADY_ENABLED: { status: 409, title: 'TOTP already enabled' },
  TOTP_NOT_ENABLED: { status: 409, title: 'TOTP not enabled' },
  RECENT_SIGN_IN_REQUIRED: { status: 403, title: 'Recent sign-in required' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request header fields too large' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request timeout' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  INTERNAL_ERROR: { status: 500, title: 'Internal server error' },
};

/** Every code the service can answer, in the order of the table above (the catalogue docs/problems.md lists each). */
export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly errors?: readonly FieldProblem[];
  /** PASSWORD_TOO_WEAK: why (`common`, `email`, `app_name`, `repeated`). */
  readonly reason?: string;
  /** MFA_REQUIRED: the token that names this sign-in at POST /auth/mfa/verify, and the methods it accepts. */
  readonly mfaToken?: string;
  readonly methods?: readonly string[];
}

export const statusOf = (code: ProblemCode): number => PROBLEMS[code].status;

export function problem(code: ProblemCode, detail: string, errors?: readonly FieldProblem[], extensions: { readonly reason?: string; readonly mfaToken?: string; readonly methods?: readonly string[] } = {}): Problem {
  const { status, title } = PROBLEMS[code];
  return {
    type: `urn:problem:auth-api:${code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
    ...extensions,
  };
}

/** RFC 6750 §3: a bare challenge when no token was sent, `invalid_token` when one failed; the metrics realm for /metrics. */
export function wwwAuthenticate(code: ProblemCode): string | null {
  if (code === 'TOKEN_MISSING') return 'Bearer';
  if (code === 'INVALID_TOKEN' || code === 'TOKEN_EXPIRED') return 'Bearer error="invalid_token"';
  // Not a user's token: a scraper's; RFC 9110 §15.5.2 still wants a challenge on every 401.
  if (code === 'INVALID_METRICS_TOKEN') return 'Bearer realm="metrics"';
  return null;
}

/** A protocol-level failure raised by the HTTP adapter itself, mapped by the error middleware like a domain error. */
export class HttpProblemError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}
