import { PasskeyInvalidError } from '../../domain/errors.js';
import { DEFAULT_PASSKEY_NAME, summarisePasskey, type Passkey, type PasskeySummary } from '../../domain/passkey.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { PasskeyChallengeStore } from '../../domain/ports/passkey-challenge-store.js';
import type { PasskeyStore } from '../../domain/ports/passkey-store.js';
import type { WebAuthnCeremonies } from '../../domain/ports/webauthn-ceremonies.js';

export interface RegisterPasskeyInput {
  readonly userId: string;
  readonly sessionId: string;
  /** The browser's RegistrationResponseJSON, as posted. */
  readonly response: unknown;
  /** `?name=`, already checked (passkeyNameProblem) and normalised; absent: DEFAULT_PASSKEY_NAME. */
  readonly name?: string;
  readonly clientIp?: string | null;
  readonly userAgent?: string | null;
}

/**
 * Stores the passkey a registration response attests to. Its challenge is spent first, whatever
 * follows, and must be this user's registration challenge, unexpired; then the attestation is
 * checked (origin, RP ID, signature). Any failure is PasskeyInvalidError and an `mfa.failed` event.
 */
export class RegisterPasskey {
  constructor(
    private readonly passkeys: PasskeyStore,
    private readonly ceremonies: WebAuthnCeremonies,
    private readonly challenges: PasskeyChallengeStore,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: RegisterPasskeyInput): Promise<PasskeySummary> {
    const seen = { userId: input.userId, sessionId: input.sessionId, ip: input.clientIp ?? null, userAgent: input.userAgent ?? null };
    try {
      const { challenge } = this.ceremonies.claimsOf(input.response);
      const now = this.clock.now();
      if (!(await this.challenges.consume(challenge, 'registration', input.userId, now))) throw new PasskeyInvalidError('challenge');
      const verified = await this.ceremonies.verifyRegistration(input.response, challenge);
      const passkey: Passkey = {
        id: verified.credentialId,
        userId: input.userId,
        publicKey: verified.publicKey,
        counter: verified.counter,
        transports: verified.transports,
        name: input.name ?? DEFAULT_PASSKEY_NAME,
        createdAt: now,
        lastUsedAt: null,
      };
      // A credential id already stored (this account's or another's) is never taken over.
      if (!(await this.passkeys.add(passkey))) throw new PasskeyInvalidError('already_registered');
      await this.events.record({ type: 'passkey.added', ...seen, detail: { passkeyId: passkey.id, name: passkey.name } });
      return summarisePasskey(passkey);
    } catch (err) {
      if (err instanceof PasskeyInvalidError) {
        await this.events.record({ type: 'mfa.failed', ...seen, detail: { method: 'passkey', ceremony: 'registration', reason: err.reason } });
      }
      throw err;
    }
  }
}
