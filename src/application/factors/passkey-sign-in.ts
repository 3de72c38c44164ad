import { AccountDisabledError, PasskeyInvalidError } from '../../domain/errors.js';
import { counterAdvances } from '../../domain/passkey.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { PasskeyChallengeStore } from '../../domain/ports/passkey-challenge-store.js';
import type { PasskeyStore } from '../../domain/ports/passkey-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { WebAuthnCeremonies } from '../../domain/ports/webauthn-ceremonies.js';
import type { IssueSession } from '../sessions/issue-session.js';
import type { SessionTokens } from '../sessions/session-token-minter.js';

export interface SignInWithPasskeyInput {
  /** The browser's AuthenticationResponseJSON, as posted. */
  readonly response: unknown;
  readonly clientIp?: string | null;
  readonly userAgent?: string | null;
}

/**
 * RFC 8176 `amr` of a passkey sign-in: proof of possession of a hardware-bound key. A passkey
 * sign-in satisfies MFA on its own (docs/passkeys.md): it never answers MFA_REQUIRED.
 */
export const PASSKEY_AMR = ['hwk'] as const;

/**
 * Signs in with a discoverable passkey. The challenge its clientDataJSON carries is spent first,
 * whatever follows, and must be an unexpired authentication challenge; then the credential must be
 * a stored passkey, the assertion must verify (origin, RP ID, signature, user handle), and its
 * signature counter must advance (counterAdvances), checked again atomically as it is recorded.
 * Every failure is the same PasskeyInvalidError, with a `login.failed` event naming the reason.
 */
export class SignInWithPasskey {
  constructor(
    private readonly users: UserRepository,
    private readonly passkeys: PasskeyStore,
    private readonly ceremonies: WebAuthnCeremonies,
    private readonly challenges: PasskeyChallengeStore,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
    private readonly issueSession: IssueSession,
  ) {}

  async execute(input: SignInWithPasskeyInput): Promise<SessionTokens> {
    const seen = { ip: input.clientIp ?? null, userAgent: input.userAgent ?? null };
    let userId: string | null = null;
    try {
      const claims = this.ceremonies.claimsOf(input.response);
      if (!(await this.challenges.consume(claims.challenge, 'authentication', null, this.clock.now()))) throw new PasskeyInvalidError('challenge');
      const passkey = await this.passkeys.findById(claims.credentialId);
      if (!passkey) throw new PasskeyInvalidError('unknown_credential');
      userId = passkey.userId;
      const { counter } = await this.ceremonies.verifyAuthentication(input.response, claims.challenge, passkey, passkey.userId);
      if (!counterAdvances(passkey.counter, counter)) throw new PasskeyInvalidError('counter');
      const user = await this.users.findById(passkey.userId);
      if (!user) throw new PasskeyInvalidError('unknown_credential');
      if (user.disabled) {
        await this.events.record({ type: 'login.failed', userId, ...seen, detail: { method: 'passkey', reason: 'account_disabled' } });
        throw new AccountDisabledError();
      }
      // A concurrent sign-in that moved the counter first wins; this one is a replay or a clone.
      if (!(await this.passkeys.recordUse(passkey.id, counter, this.clock.now()))) throw new PasskeyInvalidError('counter');
    } catch (err) {
      if (err instanceof PasskeyInvalidError) {
        await this.events.record({ type: 'login.failed', userId, ...seen, detail: { method: 'passkey', reason: err.reason } });
      }
      throw err;
    }
    await this.events.record({ type: 'login.succeeded', userId, ...seen, detail: { method: 'passkey' } });
    // MFA seam: a passkey is a second factor by itself, so the session starts here, with amr ["hwk"].
    return this.issueSession.execute({ userId, userAgent: input.userAgent ?? null, amr: PASSKEY_AMR });
  }
}
