/**
 * Second factors (docs/mfa.md): TOTP with recovery codes, and the MFA step of a sign-in.
 * RFC 6238 with SHA-1, 6 digits, 30-second steps, one step either side accepted.
 */

/** What the user object says of an account's second factors. */
export interface MfaSummary {
  readonly totp: boolean;
  readonly passkeys: number;
}

export const NO_MFA: MfaSummary = { totp: false, passkeys: 0 };

/** RFC 8176 authentication method references carried in access tokens (`amr`). */
export const AMR = { password: 'pwd', otp: 'otp', hardwareKey: 'hwk', federated: 'fed' } as const;
export type AuthMethod = (typeof AMR)[keyof typeof AMR];

/** A user's TOTP factor: pending until a first code confirms it. The secret is stored sealed, never in clear. */
export interface TotpFactor {
  readonly userId: string;
  /** The base32 secret, sealed by the SecretBox (AES-256-GCM under MFA_ENCRYPTION_KEY). */
  readonly sealedSecret: string;
  readonly createdAt: Date;
  /** Null while pending: a pending factor never asks for a code at sign-in. */
  readonly confirmedAt: Date | null;
  /** The last time step a code was accepted for: a code of that step or an earlier one is a replay. */
  readonly lastUsedStep: number | null;
}

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now (clock drift of the phone). */
export const TOTP_WINDOW_STEPS = 1;

/** The time step `at` falls in (RFC 6238's T). */
export const totpStepAt = (at: Date): number => Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);

/** How many recovery codes an enrolment hands out, and their form: 12 characters of a 32-letter alphabet (60 bits). */
export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODE_LENGTH = 12;
/** Crockford-style base32 without I, L, O, U: nothing a person misreads. */
export const RECOVERY_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A code as typed: spaces and dashes dropped, upper-cased, so `abcd-efgh-jkmn` matches. */
export const normaliseCode = (code: string): string => code.replace(/[\s-]/g, '').toUpperCase();

/** A six-digit TOTP code (after normaliseCode), as opposed to a recovery code. */
export const isTotpCode = (code: string): boolean => /^[0-9]{6}$/.test(code);

/** Shown to the user in groups of four: `ABCD-EFGH-JKMN`. */
export const formatRecoveryCode = (code: string): string => code.match(/.{1,4}/g)?.join('-') ?? code;

/** Which sign-in an MFA step completes: how its tokens are delivered, and what proved the first factor. */
export type MfaMode = 'bearer' | 'cookie';

/**
 * A sign-in waiting for its second factor, named by the digest of its `mfaToken` (the raw token
 * is only ever in the client's hands). Single use; voided after MFA_MAX_FAILURES wrong codes.
 */
export interface MfaChallenge {
  readonly tokenDigest: string;
  readonly userId: string;
  readonly mode: MfaMode;
  /** The first factor's methods (`pwd`, or `fed` for a provider sign-in). */
  readonly amr: readonly AuthMethod[];
  /** The login's address and email, so each wrong code counts in the login throttle for that pair. */
  readonly throttleKey: { readonly email: string; readonly clientIp: string };
  readonly expiresAt: Date;
}

export const MFA_TOKEN_SECONDS = 5 * 60;
export const MFA_MAX_FAILURES = 5;
/** Enrolling or turning off a factor asks for a sign-in this recent, or the current password. */
export const RECENT_SIGN_IN_SECONDS = 10 * 60;

/** The methods an MFA_REQUIRED answer offers. */
export const mfaMethods = (summary: MfaSummary): string[] => ['totp', 'recovery_code', ...(summary.passkeys > 0 ? ['passkey'] : [])];
