import { ListPasskeys } from '../application/factors/passkey-list.js';
import { RegisterPasskey } from '../application/factors/passkey-register.js';
import { RemovePasskey } from '../application/factors/passkey-remove.js';
import { SignInWithPasskey } from '../application/factors/passkey-sign-in.js';
import { StartPasskeyRegistration } from '../application/factors/passkey-start-registration.js';
import { StartPasskeySignIn } from '../application/factors/passkey-start-sign-in.js';
import type { IssueSession } from '../application/sessions/issue-session.js';
import type { SecurityEvents } from '../domain/ports/audit-log.js';
import type { Clock } from '../domain/ports/clock.js';
import type { PasskeyChallengeStore } from '../domain/ports/passkey-challenge-store.js';
import type { PasskeyStore } from '../domain/ports/passkey-store.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { WebAuthnCeremonies } from '../domain/ports/webauthn-ceremonies.js';
import type { PasskeyUseCases } from '../adapters/http/routes/passkey-routes.js';

/** What the passkey use cases need; `ceremonies` null when passkeys are off (no valid RP ID). */
export interface PasskeyPorts {
  readonly users: UserRepository;
  readonly passkeys: PasskeyStore;
  readonly challenges: PasskeyChallengeStore;
  readonly ceremonies: WebAuthnCeremonies | null;
  readonly clock: Clock;
  readonly events: SecurityEvents;
  /** The one way every sign-in starts a session (composeUseCases' issueSession). */
  readonly issueSession: IssueSession;
}

/**
 * The passkey use cases, written once (beside composeUseCases, which they extend): the container,
 * the unit tests and the HTTP tests all build them here.
 */
export function composePasskeyUseCases(p: PasskeyPorts): PasskeyUseCases {
  const { ceremonies } = p;
  return {
    listPasskeys: new ListPasskeys(p.passkeys),
    removePasskey: new RemovePasskey(p.passkeys, p.events),
    ceremonies: ceremonies && {
      startRegistration: new StartPasskeyRegistration(p.users, p.passkeys, ceremonies, p.challenges, p.clock),
      register: new RegisterPasskey(p.passkeys, ceremonies, p.challenges, p.clock, p.events),
      startSignIn: new StartPasskeySignIn(ceremonies, p.challenges, p.clock),
      signIn: new SignInWithPasskey(p.users, p.passkeys, ceremonies, p.challenges, p.clock, p.events, p.issueSession),
    },
  };
}
