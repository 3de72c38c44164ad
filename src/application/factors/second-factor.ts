import { MfaCodeInvalidError, TooManyAttemptsError } from '../../domain/errors.js';
import { isTotpCode, normaliseCode, TOTP_WINDOW_STEPS, type TotpFactor } from '../../domain/mfa.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { LoginAttempt, LoginThrottle } from '../../domain/ports/login-throttle.js';
import type { SecretBox } from '../../domain/ports/secret-box.js';
import type { TotpCodes } from '../../domain/ports/totp-codes.js';
import type { TotpFactorStore } from '../../domain/ports/totp-factor-store.js';

/** Which kind of code was accepted. */
export type SecondFactorMethod = 'totp' | 'recovery_code';

/**
 * The one way a code is checked against a confirmed factor (the MFA step and turning TOTP off):
 * a throttled pair is refused before any work; a six-digit code must match a step within ±1 of
 * now that is later than the last accepted one (so a code works once, and never after a later
 * one); anything else is tried as a recovery code, spent at most once. A wrong code counts as a
 * failed login for the pair, as a wrong password does.
 */
export class SecondFactorCheck {
  constructor(
    private readonly factors: TotpFactorStore,
    private readonly box: SecretBox,
    private readonly codes: TotpCodes,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
  ) {}

  /** The method that accepted `code`; MfaCodeInvalidError (counted) when none did, TooManyAttemptsError when throttled. */
  async verify(factor: TotpFactor, code: string, attempt: LoginAttempt): Promise<SecondFactorMethod> {
    const wait = await this.throttle.retryAfter(attempt);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const over = await this.throttle.begin(attempt);
    if (over > 0) throw new TooManyAttemptsError(over);
    let outcome: SecondFactorMethod | 'wrong' | 'replayed';
    try {
      outcome = await this.check(factor, normaliseCode(code));
    } catch (err) {
      await this.throttle.abandon(attempt);
      throw err;
    }
    if (outcome === 'wrong' || outcome === 'replayed') {
      await this.throttle.recordFailure(attempt);
      throw new MfaCodeInvalidError(outcome);
    }
    // A right code is not a sign-in by itself: the pair's count stands until the session starts
    // (the password's success already cleared it), but what begin() counted is taken back.
    await this.throttle.abandon(attempt);
    return outcome;
  }

  private async check(factor: TotpFactor, code: string): Promise<SecondFactorMethod | 'wrong' | 'replayed'> {
    const now = this.clock.now();
    if (isTotpCode(code)) {
      const step = await this.codes.matchingStep(this.box.open(factor.sealedSecret, factor.userId), code, now, TOTP_WINDOW_STEPS);
      if (step === null) return 'wrong';
      return (await this.factors.acceptStep(factor.userId, step)) ? 'totp' : 'replayed';
    }
    if (code.length === 0 || code.length > 64) return 'wrong';
    return (await this.factors.spendRecoveryCode(factor.userId, this.codes.recoveryCodeDigest(factor.userId, code), now)) ? 'recovery_code' : 'wrong';
  }
}
