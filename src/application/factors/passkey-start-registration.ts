import { UserNotFoundError } from '../../domain/errors.js';
import { PASSKEY_CHALLENGE_SECONDS } from '../../domain/passkey.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { PasskeyChallengeStore } from '../../domain/ports/passkey-challenge-store.js';
import type { PasskeyStore } from '../../domain/ports/passkey-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { WebAuthnCeremonies, WebAuthnOptionsJson } from '../../domain/ports/webauthn-ceremonies.js';

export interface StartPasskeyRegistrationInput {
  readonly userId: string;
}

/**
 * Creation options for a new passkey of the signed-in user; its challenge is recorded for 5
 * minutes, bound to the registration ceremony of this user. The user's passkeys are excluded, so
 * one authenticator is not registered twice.
 */
export class StartPasskeyRegistration {
  constructor(
    private readonly users: UserRepository,
    private readonly passkeys: PasskeyStore,
    private readonly ceremonies: WebAuthnCeremonies,
    private readonly challenges: PasskeyChallengeStore,
    private readonly clock: Clock,
  ) {}

  async execute(input: StartPasskeyRegistrationInput): Promise<WebAuthnOptionsJson> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFoundError();
    const existing = await this.passkeys.listFor(user.id);
    // The authenticator shows these to tell accounts apart; the id is the fallback for an account with neither.
    const label = user.email ?? user.name ?? user.id;
    const { options, challenge } = await this.ceremonies.registrationOptions({ id: user.id, name: label, displayName: user.name ?? label }, existing);
    const expiresAt = new Date(this.clock.now().getTime() + PASSKEY_CHALLENGE_SECONDS * 1000);
    await this.challenges.issue({ value: challenge, ceremony: 'registration', userId: user.id, expiresAt });
    return options;
  }
}
