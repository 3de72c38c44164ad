import { MfaRequiredError } from '../../domain/errors.js';
import { MFA_TOKEN_SECONDS, mfaMethods, type AuthMethod, type MfaMode } from '../../domain/mfa.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { MfaChallengeStore } from '../../domain/ports/mfa-challenge-store.js';
import type { OneTimeTokens } from '../../domain/ports/one-time-tokens.js';
import type { PasskeyStore } from '../../domain/ports/passkey-store.js';
import type { TotpFactorStore } from '../../domain/ports/totp-factor-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import { InvalidTokenError } from '../../domain/errors.js';
import { attemptOf } from '../passwords/throttled-password-check.js';
import type { IssueSession } from '../sessions/issue-session.js';
import type { SessionTokens } from '../sessions/session-token-minter.js';

export interface FirstFactorInput {
  readonly userId: string;
  /** What proved it: `pwd` for a password, `fed` for a provider. */
  readonly amr: readonly AuthMethod[];
  /** How the sign-in's tokens are to be delivered, now or after the MFA step. */
  readonly mode: MfaMode;
  readonly clientIp: string;
  readonly userAgent?: string | null;
}

/** A sign-in: its tokens, or the step still to take. */
export type SignInOutcome =
  | { readonly kind: 'signed_in'; readonly tokens: SessionTokens }
  | { readonly kind: 'mfa_required'; readonly mfaToken: string; readonly methods: readonly string[] };

/**
 * Where a first factor (a password, a provider) ends: an account without TOTP gets its session;
 * one with TOTP gets an `mfaToken` instead (5 minutes, single use, bound to the user and to the
 * login's mode), and no session until POST /auth/mfa/verify. Only the token's digest is kept.
 */
export class CompleteFirstFactor {
  constructor(
    private readonly users: UserRepository,
    private readonly factors: TotpFactorStore,
    private readonly passkeys: PasskeyStore,
    private readonly challenges: MfaChallengeStore,
    private readonly tokens: OneTimeTokens,
    private readonly clock: Clock,
    private readonly issueSession: IssueSession,
  ) {}

  async execute(input: FirstFactorInput): Promise<SignInOutcome> {
    const factor = await this.factors.find(input.userId);
    if (!factor?.confirmedAt) {
      return { kind: 'signed_in', tokens: await this.issueSession.execute({ userId: input.userId, userAgent: input.userAgent ?? null, amr: input.amr }) };
    }
    const user = await this.users.findById(input.userId);
    if (!user) throw new InvalidTokenError('The account no longer exists');
    const mfaToken = this.tokens.newToken();
    await this.challenges.issue({
      tokenDigest: this.tokens.digest(mfaToken),
      userId: user.id,
      mode: input.mode,
      amr: input.amr,
      throttleKey: attemptOf(user, input.clientIp),
      expiresAt: new Date(this.clock.now().getTime() + MFA_TOKEN_SECONDS * 1000),
    });
    const methods = mfaMethods({ totp: true, passkeys: await this.passkeys.countFor(user.id) });
    return { kind: 'mfa_required', mfaToken, methods };
  }

  /** As execute, for the routes that answer a problem: MFA_REQUIRED (401) carries the token and the methods. */
  async tokensOrMfaRequired(input: FirstFactorInput): Promise<SessionTokens> {
    const outcome = await this.execute(input);
    if (outcome.kind === 'mfa_required') throw new MfaRequiredError(outcome.mfaToken, outcome.methods);
    return outcome.tokens;
  }
}
