import {
  InvalidTokenError,
  MfaCodeInvalidError,
  MfaUnavailableError,
  RecentSignInRequiredError,
  TotpAlreadyEnabledError,
  TotpNotEnabledError,
} from '../../domain/errors.js';
import { formatRecoveryCode, normaliseCode, RECENT_SIGN_IN_SECONDS, RECOVERY_CODE_COUNT, TOTP_WINDOW_STEPS } from '../../domain/mfa.js';
import type { SessionPrincipal } from '../../domain/principal.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { SecretBox } from '../../domain/ports/secret-box.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { TotpCodes } from '../../domain/ports/totp-codes.js';
import type { TotpFactorStore } from '../../domain/ports/totp-factor-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { User } from '../../domain/user.js';
import { attemptOf, type ThrottledPasswordCheck } from '../passwords/throttled-password-check.js';
import type { SecondFactorCheck } from './second-factor.js';

export interface FactorChangeInput {
  readonly principal: SessionPrincipal;
  readonly clientIp: string;
  readonly userAgent?: string | null;
}

/** The ports every TOTP change needs. */
export interface TotpPorts {
  readonly users: UserRepository;
  readonly sessions: TokenStore;
  readonly factors: TotpFactorStore;
  readonly box: SecretBox;
  readonly codes: TotpCodes;
  readonly passwords: ThrottledPasswordCheck;
  readonly check: SecondFactorCheck;
  readonly clock: Clock;
  readonly events: SecurityEvents;
  /** The `otpauth://` issuer: APP_NAME. */
  readonly issuer: string;
}

async function userOf(p: TotpPorts, principal: SessionPrincipal): Promise<User> {
  const user = await p.users.findById(principal.userId);
  if (!user) throw new InvalidTokenError('The account no longer exists');
  return user;
}

/**
 * Step 1 of an enrolment: a new secret, kept sealed and pending until a code confirms it. It needs
 * a sign-in of the last 10 minutes (the session's start) or the current password (checked as a
 * login is, throttled); 503 MFA_UNAVAILABLE without MFA_ENCRYPTION_KEY in production.
 */
export class StartTotpEnrolment {
  constructor(private readonly p: TotpPorts) {}

  async execute(input: FactorChangeInput & { readonly currentPassword?: string }): Promise<{ readonly secret: string; readonly otpauthUrl: string }> {
    const { p } = this;
    if (!p.box.configured) throw new MfaUnavailableError();
    const user = await userOf(p, input.principal);
    if ((await p.factors.find(user.id))?.confirmedAt) throw new TotpAlreadyEnabledError();
    if (input.currentPassword !== undefined) {
      await p.passwords.confirmCurrent(user, input.currentPassword, input.clientIp);
    } else {
      const session = await p.sessions.find(input.principal.sessionId);
      const signedInAt = session?.createdAt.getTime() ?? 0;
      if (p.clock.now().getTime() - signedInAt > RECENT_SIGN_IN_SECONDS * 1000) throw new RecentSignInRequiredError();
    }
    const secret = p.codes.newSecret();
    const saved = await p.factors.savePending({ userId: user.id, sealedSecret: p.box.seal(secret, user.id), createdAt: p.clock.now(), confirmedAt: null, lastUsedStep: null });
    if (!saved) throw new TotpAlreadyEnabledError();
    return { secret, otpauthUrl: p.codes.otpauthUrl({ secret, issuer: p.issuer, account: user.email ?? user.name ?? user.id }) };
  }
}

/**
 * A pending secret sealed under another key (the service restarted with a new MFA_ENCRYPTION_KEY,
 * or on development's random one) can never be confirmed; the start-up check reads only confirmed
 * ones. The person starts again, which replaces it.
 */
function openPending(box: SecretBox, sealed: string, userId: string): string {
  try {
    return box.open(sealed, userId);
  } catch {
    throw new TotpNotEnabledError('The pending enrolment can no longer be read (the service changed its key): start again with POST /auth/mfa/totp');
  }
}

/**
 * Step 2: a code of the pending secret turns TOTP on and hands out the recovery codes, once
 * (only their digests are kept). The confirming code's step counts as used.
 */
export class ConfirmTotpEnrolment {
  constructor(private readonly p: TotpPorts) {}

  async execute(input: FactorChangeInput & { readonly code: string }): Promise<{ readonly recoveryCodes: string[] }> {
    const { p } = this;
    const user = await userOf(p, input.principal);
    const factor = await p.factors.find(user.id);
    if (!factor) throw new TotpNotEnabledError('No TOTP enrolment is pending: start one with POST /auth/mfa/totp');
    if (factor.confirmedAt) throw new TotpAlreadyEnabledError();
    const seen = { userId: user.id, sessionId: input.principal.sessionId, ip: input.clientIp, userAgent: input.userAgent ?? null };
    const step = await p.codes.matchingStep(openPending(p.box, factor.sealedSecret, user.id), normaliseCode(input.code), p.clock.now(), TOTP_WINDOW_STEPS);
    if (step === null) {
      await p.events.record({ type: 'mfa.failed', ...seen, detail: { reason: 'wrong', step: 'enrolment' } });
      throw new MfaCodeInvalidError();
    }
    const codes = p.codes.newRecoveryCodes(RECOVERY_CODE_COUNT);
    const digests = codes.map((c) => p.codes.recoveryCodeDigest(user.id, c));
    if (!(await p.factors.confirm(user.id, factor.sealedSecret, step, digests, p.clock.now()))) {
      throw new TotpNotEnabledError('The enrolment changed meanwhile: start again');
    }
    await p.events.record({ type: 'mfa.enabled', ...seen, detail: { method: 'totp' } });
    return { recoveryCodes: codes.map(formatRecoveryCode) };
  }
}

/** Turns TOTP off with a TOTP or a recovery code (checked as at sign-in: throttled, single use). */
export class DisableTotp {
  constructor(private readonly p: TotpPorts) {}

  async execute(input: FactorChangeInput & { readonly code: string }): Promise<void> {
    const { p } = this;
    const user = await userOf(p, input.principal);
    const factor = await p.factors.find(user.id);
    if (!factor?.confirmedAt) throw new TotpNotEnabledError();
    const seen = { userId: user.id, sessionId: input.principal.sessionId, ip: input.clientIp, userAgent: input.userAgent ?? null };
    let method;
    try {
      method = await p.check.verify(factor, input.code, attemptOf(user, input.clientIp));
    } catch (err) {
      if (err instanceof MfaCodeInvalidError) await p.events.record({ type: 'mfa.failed', ...seen, detail: { reason: err.reason, step: 'disable' } });
      throw err;
    }
    await p.factors.remove(user.id);
    await p.events.record({ type: 'mfa.disabled', ...seen, detail: { method: 'totp', with: method } });
  }
}
