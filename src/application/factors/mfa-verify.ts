import { MfaCodeInvalidError, MfaTokenInvalidError } from '../../domain/errors.js';
import { AMR, MFA_MAX_FAILURES, type MfaMode } from '../../domain/mfa.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { MfaChallengeStore } from '../../domain/ports/mfa-challenge-store.js';
import type { OneTimeTokens } from '../../domain/ports/one-time-tokens.js';
import type { TotpFactorStore } from '../../domain/ports/totp-factor-store.js';
import type { IssueSession } from '../sessions/issue-session.js';
import type { SessionTokens } from '../sessions/session-token-minter.js';
import type { SecondFactorCheck } from './second-factor.js';

export interface VerifyMfaInput {
  readonly mfaToken: string;
  readonly code: string;
  readonly clientIp: string;
  readonly userAgent?: string | null;
}

/**
 * The MFA step of a sign-in: the `mfaToken` must name a live challenge; a wrong or replayed code
 * counts against it (MFA_MAX_FAILURES void it) and against the login throttle; a right one spends
 * it and starts the session in the mode of the login that issued it, with `otp` added to `amr`.
 */
export class VerifyMfa {
  constructor(
    private readonly challenges: MfaChallengeStore,
    private readonly factors: TotpFactorStore,
    private readonly check: SecondFactorCheck,
    private readonly tokens: OneTimeTokens,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
    private readonly issueSession: IssueSession,
  ) {}

  async execute(input: VerifyMfaInput): Promise<{ readonly mode: MfaMode; readonly tokens: SessionTokens }> {
    const digest = this.tokens.digest(input.mfaToken);
    const challenge = await this.challenges.find(digest, this.clock.now());
    if (!challenge) throw new MfaTokenInvalidError();
    const seen = { userId: challenge.userId, ip: input.clientIp, userAgent: input.userAgent ?? null };
    // TOTP turned off since (or the account gone): this sign-in step has nothing left to check.
    const factor = await this.factors.find(challenge.userId);
    if (!factor?.confirmedAt) throw new MfaTokenInvalidError();
    let method;
    try {
      method = await this.check.verify(factor, input.code, challenge.throttleKey);
    } catch (err) {
      if (err instanceof MfaCodeInvalidError) {
        const failures = await this.challenges.recordFailure(digest, MFA_MAX_FAILURES);
        await this.events.record({ type: 'mfa.failed', ...seen, detail: { reason: err.reason, failures, voided: failures >= MFA_MAX_FAILURES } });
      }
      throw err;
    }
    const spent = await this.challenges.consume(digest, this.clock.now());
    if (!spent) throw new MfaTokenInvalidError();
    const tokens = await this.issueSession.execute({ userId: spent.userId, userAgent: input.userAgent ?? null, amr: [...spent.amr, AMR.otp] });
    const left: Record<string, number> = method === 'recovery_code' ? { recoveryCodesLeft: await this.factors.recoveryCodesLeft(spent.userId) } : {};
    await this.events.record({ type: 'login.succeeded', ...seen, sessionId: tokens.sessionId, detail: { method, ...left } });
    return { mode: spent.mode, tokens };
  }
}
