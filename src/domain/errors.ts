/** Stable, client-facing error codes. Clients and tests match these, never messages. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'PASSWORD_TOO_WEAK'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_MISSING'
  | 'EMAIL_ALREADY_REGISTERED'
  | 'SESSION_NOT_FOUND'
  | 'TOO_MANY_ATTEMPTS'
  | 'ACCOUNT_EXISTS'
  | 'ALREADY_LINKED'
  | 'INVALID_STATE'
  | 'USER_NOT_FOUND'
  | 'LINK_INVALID'
  | 'EMAIL_ALREADY_VERIFIED'
  | 'EMAIL_NOT_VERIFIED'
  | 'TOO_MANY_EMAILS'
  | 'FORBIDDEN'
  | 'ACCOUNT_DISABLED'
  | 'LAST_ADMIN'
  | 'ROLE_FROM_CONFIG'
  | 'SERVICE_UNAVAILABLE'
  | 'PASSKEY_INVALID'
  | 'PASSKEY_NOT_FOUND'
  | 'MFA_REQUIRED'
  | 'MFA_CODE_INVALID'
  | 'MFA_TOKEN_INVALID'
  | 'MFA_UNAVAILABLE'
  | 'TOTP_ALREADY_ENABLED'
  | 'TOTP_NOT_ENABLED'
  | 'RECENT_SIGN_IN_REQUIRED'
  | 'IDENTITY_NOT_FOUND'
  | 'LAST_SIGN_IN_METHOD';

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
}

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly errors: readonly FieldProblem[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

/** Why a new password is refused as weak (docs/http-api.md "Emails, passwords and names"). */
export type WeakPasswordReason = 'common' | 'email' | 'app_name' | 'repeated';

/** A new password that is long enough but guessable: common, the email or product name, or one repeated character. */
export class PasswordTooWeakError extends DomainError {
  readonly code = 'PASSWORD_TOO_WEAK';
  /** The field it concerns, named as validation failures name theirs. */
  readonly errors: readonly FieldProblem[];
  constructor(
    readonly reason: WeakPasswordReason,
    readonly field = 'password',
  ) {
    super(WEAK_PASSWORD_DETAILS[reason]);
    this.errors = [{ field, message: WEAK_PASSWORD_MESSAGES[reason] }];
  }
}

const WEAK_PASSWORD_MESSAGES: Record<WeakPasswordReason, string> = {
  common: 'is among the 10,000 most common passwords',
  email: 'must not be the email address or its local part',
  app_name: 'must not be the name of this service',
  repeated: 'must not be one character repeated',
};

const WEAK_PASSWORD_DETAILS: Record<WeakPasswordReason, string> = {
  common: 'This password is among the 10,000 most common passwords; choose another',
  email: 'The password must not be the email address or its local part',
  app_name: 'The password must not be the name of this service',
  repeated: 'The password must not be one character repeated',
};

/** Same error, same body, for an unknown email and a wrong password (no account enumeration). */
export class InvalidCredentialsError extends DomainError {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('Invalid email or password');
  }
}

/** The token is malformed, forged, of the wrong type, or its session has ended. */
export class InvalidTokenError extends DomainError {
  readonly code = 'INVALID_TOKEN';
  constructor(readonly reason = 'The token is not valid') {
    super(reason);
  }
}

/** A replaced refresh token presented again (RFC 9700 §4.14): the family was revoked. Same code for clients. */
export class RefreshTokenReusedError extends InvalidTokenError {
  constructor() {
    super('The refresh token was already used');
  }
}

/** An access token past its `exp`: the client should refresh and retry. */
export class TokenExpiredError extends DomainError {
  readonly code = 'TOKEN_EXPIRED';
  constructor() {
    super('The access token has expired');
  }
}

export class TokenMissingError extends DomainError {
  readonly code = 'TOKEN_MISSING';
  constructor() {
    super('No token was presented');
  }
}

export class EmailAlreadyRegisteredError extends DomainError {
  readonly code = 'EMAIL_ALREADY_REGISTERED';
  constructor() {
    super('An account with this email already exists');
  }
}

/** Not one of the caller's sessions (unknown and foreign look the same). */
export class SessionNotFoundError extends DomainError {
  readonly code = 'SESSION_NOT_FOUND';
  constructor() {
    super('No such session');
  }
}

/** Too many failed sign-ins for this pair, address or account, or too many registrations from this address. */
export class TooManyAttemptsError extends DomainError {
  readonly code = 'TOO_MANY_ATTEMPTS';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many attempts; try again in ${retryAfterSeconds} seconds`);
  }
}

/**
 * A new external identity whose verified email belongs to an existing account: it never takes
 * the account over; the owner links it from a signed-in session instead.
 */
export class AccountExistsError extends DomainError {
  readonly code = 'ACCOUNT_EXISTS';
  constructor() {
    super('An account with this email already exists; sign in and link GitHub from it');
  }
}

/** The external identity is already linked to another account (or this account has another). */
export class IdentityAlreadyLinkedError extends DomainError {
  readonly code = 'ALREADY_LINKED';
  constructor() {
    super('This GitHub account is already linked to another account');
  }
}

/** A sign-in flow whose state no longer holds (e.g. the account it was to link is gone). */
export class InvalidStateError extends DomainError {
  readonly code = 'INVALID_STATE';
  constructor(reason = 'The sign-in flow is no longer valid') {
    super(reason);
  }
}

/** The account an operation names does not exist (any more). */
export class UserNotFoundError extends DomainError {
  readonly code = 'USER_NOT_FOUND';
  constructor() {
    super('No such account');
  }
}

/**
 * An email link that cannot be spent: unknown, expired, used, voided by a newer one, of another
 * kind, or for an address the account no longer has. One answer for all, so a link tells nothing.
 */
export class LinkInvalidError extends DomainError {
  readonly code = 'LINK_INVALID';
  constructor() {
    super('This link is invalid or has expired; ask for a new one');
  }
}

export class EmailAlreadyVerifiedError extends DomainError {
  readonly code = 'EMAIL_ALREADY_VERIFIED';
  constructor() {
    super('The email address is already verified');
  }
}

/** EMAIL_VERIFICATION=required: the right credential of an account whose address is not proven yet. */
export class EmailNotVerifiedError extends DomainError {
  readonly code = 'EMAIL_NOT_VERIFIED';
  constructor() {
    super('Verify your email address before signing in; the link is in the mail we sent');
  }
}

/** Too many token mails asked for this address or from this client IP. */
export class TooManyEmailsError extends DomainError {
  readonly code = 'TOO_MANY_EMAILS';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many emails asked for; try again in ${retryAfterSeconds} seconds`);
  }
}

/** Authenticated, but without the role the route needs (401 is for "who are you", this for "you may not"). */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(readonly role: string) {
    super(`This needs the ${role} role`);
  }
}

/** The right credential of a disabled account: it signs in by no method. */
export class AccountDisabledError extends DomainError {
  readonly code = 'ACCOUNT_DISABLED';
  constructor() {
    super('This account is disabled');
  }
}

/** A change that would leave no enabled account holding `admin`. */
export class LastAdminError extends DomainError {
  readonly code = 'LAST_ADMIN';
  constructor() {
    super('This would leave no enabled administrator');
  }
}

/** `admin` held because the verified email is in ADMIN_EMAILS: only the configuration takes it away. */
export class RoleFromConfigError extends DomainError {
  readonly code = 'ROLE_FROM_CONFIG';
  constructor() {
    super('The admin role of this account comes from ADMIN_EMAILS; remove the address there');
  }
}

/** A storage or dependency outage, translated at the adapter edge so no driver text leaks. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(readonly dependency: string) {
    super(`${dependency} is unavailable`);
  }
}

/**
 * A WebAuthn ceremony that fails, whatever the cause (unknown credential, wrong origin or RP ID,
 * a challenge unknown, spent, expired or of another ceremony, a bad signature, a counter that does
 * not advance): one answer for all, so a response tells an attacker nothing. `reason` is for the
 * security event only, never for the client.
 */
export class PasskeyInvalidError extends DomainError {
  readonly code = 'PASSKEY_INVALID';
  constructor(readonly reason = 'invalid') {
    super('The passkey could not be verified; start again');
  }
}

/** Not one of the caller's passkeys (unknown and foreign look the same). */
export class PasskeyNotFoundError extends DomainError {
  readonly code = 'PASSKEY_NOT_FOUND';
  constructor() {
    super('No such passkey');
  }
}

/** The caller has no identity at that provider. */
export class IdentityNotFoundError extends DomainError {
  readonly code = 'IDENTITY_NOT_FOUND';
  constructor() {
    super('No identity of that provider is linked to this account');
  }
}

/** Removing it would leave the account no way to sign in: no password, no passkey, no other identity. */
export class LastSignInMethodError extends DomainError {
  readonly code = 'LAST_SIGN_IN_METHOD';
  constructor() {
    super('This is the last way to sign in to this account: set a password (reset it by email) or add a passkey first');
  }
}

/**
 * The first factor was right, and the account has TOTP: no session yet. The client completes the
 * sign-in with `mfaToken` and a code at POST /auth/mfa/verify (docs/mfa.md).
 */
export class MfaRequiredError extends DomainError {
  readonly code = 'MFA_REQUIRED';
  constructor(
    readonly mfaToken: string,
    readonly methods: readonly string[],
  ) {
    super('A second factor is required: send a code from the authenticator app, or a recovery code, to POST /auth/mfa/verify');
  }
}

/** A TOTP or recovery code that is wrong, or a TOTP code already accepted for its time step. `reason` is for the security event only. */
export class MfaCodeInvalidError extends DomainError {
  readonly code = 'MFA_CODE_INVALID';
  constructor(readonly reason: 'wrong' | 'replayed' = 'wrong') {
    super('The code is not valid; wait for the next one or use a recovery code');
  }
}

/** An mfaToken that is spent, expired, voided (too many wrong codes) or was never issued. */
export class MfaTokenInvalidError extends DomainError {
  readonly code = 'MFA_TOKEN_INVALID';
  constructor() {
    super('The sign-in step expired or was used up; sign in again');
  }
}

/** TOTP cannot be enrolled: the service has no MFA_ENCRYPTION_KEY (production). */
export class MfaUnavailableError extends DomainError {
  readonly code = 'MFA_UNAVAILABLE';
  constructor() {
    super('Two-factor authentication is not available: the service has no MFA_ENCRYPTION_KEY');
  }
}

export class TotpAlreadyEnabledError extends DomainError {
  readonly code = 'TOTP_ALREADY_ENABLED';
  constructor() {
    super('TOTP is already on for this account; turn it off first to enrol again');
  }
}

export class TotpNotEnabledError extends DomainError {
  readonly code = 'TOTP_NOT_ENABLED';
  constructor(detail = 'TOTP is not on for this account') {
    super(detail);
  }
}

/** A sensitive change needs a sign-in within the last 10 minutes, or the current password in the body. */
export class RecentSignInRequiredError extends DomainError {
  readonly code = 'RECENT_SIGN_IN_REQUIRED';
  constructor() {
    super('Sign in again, or send currentPassword, to change second factors (the sign-in is older than 10 minutes)');
  }
}
