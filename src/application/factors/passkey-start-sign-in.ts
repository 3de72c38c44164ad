import { PASSKEY_CHALLENGE_SECONDS } from '../../domain/passkey.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { PasskeyChallengeStore } from '../../domain/ports/passkey-challenge-store.js';
import type { WebAuthnCeremonies, WebAuthnOptionsJson } from '../../domain/ports/webauthn-ceremonies.js';

/**
 * Request options for a sign-in with a discoverable passkey (no user is known yet, so no
 * allowCredentials). The challenge is recorded for 5 minutes, bound to the authentication
 * ceremony; the response is matched to it by the challenge its clientDataJSON carries.
 */
export class StartPasskeySignIn {
  constructor(
    private readonly ceremonies: WebAuthnCeremonies,
    private readonly challenges: PasskeyChallengeStore,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<WebAuthnOptionsJson> {
    const { options, challenge } = await this.ceremonies.authenticationOptions();
    const expiresAt = new Date(this.clock.now().getTime() + PASSKEY_CHALLENGE_SECONDS * 1000);
    await this.challenges.issue({ value: challenge, ceremony: 'authentication', userId: null, expiresAt });
    return options;
  }
}
