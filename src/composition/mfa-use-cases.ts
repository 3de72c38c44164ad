import { CompleteFirstFactor } from '../application/factors/mfa-sign-in.js';
import { VerifyMfa } from '../application/factors/mfa-verify.js';
import { SecondFactorCheck } from '../application/factors/second-factor.js';
import { ConfirmTotpEnrolment, DisableTotp, StartTotpEnrolment, type TotpPorts } from '../application/factors/totp-enrolment.js';
import type { ThrottledPasswordCheck } from '../application/passwords/throttled-password-check.js';
import type { IssueSession } from '../application/sessions/issue-session.js';
import type { SecurityEvents } from '../domain/ports/audit-log.js';
import type { Clock } from '../domain/ports/clock.js';
import type { LoginThrottle } from '../domain/ports/login-throttle.js';
import type { MfaChallengeStore } from '../domain/ports/mfa-challenge-store.js';
import type { OneTimeTokens } from '../domain/ports/one-time-tokens.js';
import type { PasskeyStore } from '../domain/ports/passkey-store.js';
import type { SecretBox } from '../domain/ports/secret-box.js';
import type { TokenStore } from '../domain/ports/token-store.js';
import type { TotpCodes } from '../domain/ports/totp-codes.js';
import type { TotpFactorStore } from '../domain/ports/totp-factor-store.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { MfaUseCases } from '../adapters/http/routes/mfa-routes.js';

/** What the MFA use cases need (beside composeUseCases, which they extend). */
export interface MfaPorts {
  readonly users: UserRepository;
  readonly sessions: TokenStore;
  readonly factors: TotpFactorStore;
  readonly passkeys: PasskeyStore;
  readonly challenges: MfaChallengeStore;
  readonly box: SecretBox;
  readonly codes: TotpCodes;
  readonly oneTimeTokens: OneTimeTokens;
  readonly loginThrottle: LoginThrottle;
  readonly passwords: ThrottledPasswordCheck;
  readonly clock: Clock;
  readonly events: SecurityEvents;
  readonly issueSession: IssueSession;
  /** APP_NAME: the issuer authenticator apps show. */
  readonly issuer: string;
}

export type ComposedMfa = MfaUseCases & { readonly firstFactor: CompleteFirstFactor };

/** The TOTP and MFA-step use cases, written once: the container and the tests build them here. */
export function composeMfaUseCases(p: MfaPorts): ComposedMfa {
  const check = new SecondFactorCheck(p.factors, p.box, p.codes, p.loginThrottle, p.clock);
  const totp: TotpPorts = { users: p.users, sessions: p.sessions, factors: p.factors, box: p.box, codes: p.codes, passwords: p.passwords, check, clock: p.clock, events: p.events, issuer: p.issuer };
  return {
    firstFactor: new CompleteFirstFactor(p.users, p.factors, p.passkeys, p.challenges, p.oneTimeTokens, p.clock, p.issueSession),
    startTotp: new StartTotpEnrolment(totp),
    confirmTotp: new ConfirmTotpEnrolment(totp),
    disableTotp: new DisableTotp(totp),
    verifyMfa: new VerifyMfa(p.challenges, p.factors, check, p.oneTimeTokens, p.clock, p.events, p.issueSession),
  };
}
