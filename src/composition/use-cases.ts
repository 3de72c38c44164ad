import { AuthenticateAccessToken } from '../application/sessions/authenticate-access-token.js';
import { AuthenticateRefreshToken } from '../application/sessions/authenticate-refresh-token.js';
import { AuthenticateWithProvider } from '../application/providers/authenticate-with-provider.js';
import { ListIdentities, UnlinkIdentity } from '../application/providers/identities.js';
import { AuthenticateWithPassword } from '../application/passwords/authenticate-with-password.js';
import { ChangePassword } from '../application/passwords/change-password.js';
import { EndAllSessions } from '../application/sessions/end-all-sessions.js';
import { EndSession } from '../application/sessions/end-session.js';
import { GetCurrentUser } from '../application/accounts/get-current-user.js';
import { IssueSession } from '../application/sessions/issue-session.js';
import { ListSessions } from '../application/sessions/list-sessions.js';
import { PruneSessions } from '../application/sessions/prune-sessions.js';
import { RefreshSession } from '../application/sessions/refresh-session.js';
import { RegisterUser } from '../application/accounts/register-user.js';
import { SessionTokenMinter } from '../application/sessions/session-token-minter.js';
import { SignUp } from '../application/accounts/sign-up.js';
import { ThrottledPasswordCheck } from '../application/passwords/throttled-password-check.js';
import { AuthorizeRole } from '../application/admin/authorize-role.js';
import { ChangeRole } from '../application/admin/change-role.js';
import { PruneSecurityEvents } from '../application/admin/prune-security-events.js';
import { EndUserSessions } from '../application/admin/end-user-sessions.js';
import { EraseUser } from '../application/admin/erase-user.js';
import { GetUserDetails } from '../application/admin/get-user-details.js';
import { ListSecurityEvents } from '../application/admin/list-security-events.js';
import { SearchUsers } from '../application/admin/search-users.js';
import { UpdateUser } from '../application/admin/update-user.js';
import { RolePolicy } from '../application/accounts/roles.js';
import type { AuditLog, SecurityEvents } from '../domain/ports/audit-log.js';
import type { BackgroundWork } from '../domain/ports/background-work.js';
import { ConfirmEmailChange } from '../application/email/confirm-email-change.js';
import { EmailLinks, type EmailLinkLifetimes } from '../application/email/email-links.js';
import { ForgotPassword } from '../application/email/forgot-password.js';
import { PruneEmailTokens } from '../application/email/prune-email-tokens.js';
import { RequestEmailChange } from '../application/email/request-email-change.js';
import { RequestEmailVerification } from '../application/email/request-email-verification.js';
import { ResetPassword } from '../application/email/reset-password.js';
import { VerifyEmail } from '../application/email/verify-email.js';
import type { EmailVerificationMode } from '../domain/email-verification.js';
import type { PasswordStrength } from '../domain/password-strength.js';
import type { EmailTokenStore } from '../domain/ports/email-token-store.js';
import type { Mailer } from '../domain/ports/mailer.js';
import type { MailThrottle } from '../domain/ports/mail-throttle.js';
import type { OneTimeTokens } from '../domain/ports/one-time-tokens.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/id-generator.js';
import type { IdentityRepository } from '../domain/ports/identity-repository.js';
import type { LoginThrottle } from '../domain/ports/login-throttle.js';
import type { PasswordHasher } from '../domain/ports/password-hasher.js';
import type { RegistrationThrottle } from '../domain/ports/registration-throttle.js';
import type { TokenIssuer } from '../domain/ports/token-issuer.js';
import type { TokenStore } from '../domain/ports/token-store.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { SessionPolicy } from '../domain/session.js';

/**
 * The use-case graph, written once. The tsyringe container (composition/container.ts), the unit
 * tests' in-memory harness and the refresh-rotation contract suite all build their use cases here,
 * each from its own ports, so a new dependency of a use case is added in one place.
 */

/** What the session use cases need: the accounts, the session store, the token signer, time and ids. */
export interface SessionPorts {
  readonly users: UserRepository;
  readonly store: TokenStore;
  readonly issuer: TokenIssuer;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly policy: SessionPolicy;
  /** SESSIONS_PER_USER_MAX. */
  readonly sessionsPerUserMax: number;
  /** Where the use cases record what happened (default: nowhere, for suites about something else). */
  readonly events?: SecurityEvents;
  /** The roles users hold now, ADMIN_EMAILS included (default: no ADMIN_EMAILS). */
  readonly roles?: RolePolicy;
}

/** Everything the whole set of use cases needs. */
export interface UseCasePorts extends SessionPorts {
  readonly identities: IdentityRepository;
  readonly hasher: PasswordHasher;
  readonly loginThrottle: LoginThrottle;
  readonly registrationThrottle: RegistrationThrottle;
  readonly strength: PasswordStrength;
  readonly emailTokens: EmailTokenStore;
  readonly oneTimeTokens: OneTimeTokens;
  readonly mailer: Mailer;
  readonly mailThrottle: MailThrottle;
  /** EMAIL_VERIFICATION. */
  readonly emailVerification: EmailVerificationMode;
  readonly emailLinkLifetimes: EmailLinkLifetimes;
  readonly events: SecurityEvents;
  readonly auditLog: AuditLog;
  readonly roles: RolePolicy;
  /** AUDIT_RETENTION_DAYS. */
  readonly auditRetentionDays: number;
  readonly background: BackgroundWork;
}

/** Records nothing: for suites that do not look at events. */
export const NO_EVENTS: SecurityEvents = { record: () => Promise.resolve() };

/** Sessions: issue, authenticate, refresh (the one reuse rule), list, end and prune. */
export function composeSessionUseCases(p: SessionPorts) {
  const events = p.events ?? NO_EVENTS;
  const roles = p.roles ?? new RolePolicy([]);
  const minter = new SessionTokenMinter(p.issuer, p.policy, roles);
  const authenticateRefreshToken = new AuthenticateRefreshToken(p.store, p.issuer, p.policy, events);
  return {
    minter,
    issueSession: new IssueSession(p.users, p.store, p.issuer, minter, p.ids, p.clock, p.policy, p.sessionsPerUserMax),
    authenticateAccessToken: new AuthenticateAccessToken(p.store, p.clock),
    authenticateRefreshToken,
    refreshSession: new RefreshSession(p.users, p.store, p.issuer, minter, p.clock, authenticateRefreshToken, events),
    endSession: new EndSession(p.store, p.clock, authenticateRefreshToken, events),
    endAllSessions: new EndAllSessions(p.store, p.clock, events),
    listSessions: new ListSessions(p.store, p.clock),
    pruneSessions: new PruneSessions(p.store, p.clock, p.policy),
    getCurrentUser: new GetCurrentUser(p.users, roles),
  };
}

/** Every use case of the service. */
export function composeUseCases(p: UseCasePorts) {
  const sessions = composeSessionUseCases(p);
  const passwordCheck = new ThrottledPasswordCheck(p.hasher, p.loginThrottle);
  const registerUser = new RegisterUser(p.users, p.hasher, p.ids, p.clock, p.strength);
  const links = new EmailLinks(p.emailTokens, p.oneTimeTokens, p.clock, p.emailLinkLifetimes);
  const required = p.emailVerification === 'required';
  const signUpMail = { mode: p.emailVerification, links, mailer: p.mailer, throttle: p.mailThrottle };
  return {
    ...sessions,
    passwordCheck,
    registerUser,
    emailLinks: links,
    signUp: new SignUp(p.registrationThrottle, registerUser, sessions.issueSession, p.users, p.loginThrottle, signUpMail, p.events),
    authenticateWithPassword: new AuthenticateWithPassword(p.users, passwordCheck, p.events, required),
    changePassword: new ChangePassword(p.users, p.store, passwordCheck, p.hasher, sessions.issueSession, p.clock, p.strength, links, p.mailer, p.events),
    authenticateWithProvider: new AuthenticateWithProvider(p.users, p.identities, p.ids, p.clock, p.loginThrottle, p.events, required),
    listIdentities: new ListIdentities(p.identities),
    unlinkIdentity: new UnlinkIdentity(p.users, p.identities, p.events),
    requestEmailVerification: new RequestEmailVerification(p.users, links, p.mailer, p.mailThrottle, p.events),
    verifyEmail: new VerifyEmail(p.users, links, p.events, p.roles),
    forgotPassword: new ForgotPassword(p.users, links, p.mailer, p.mailThrottle, p.events, p.background),
    resetPassword: new ResetPassword(p.users, p.store, links, p.hasher, p.strength, p.loginThrottle, p.mailer, p.clock, p.events),
    requestEmailChange: new RequestEmailChange(p.users, links, passwordCheck, p.mailer, p.mailThrottle, p.events),
    confirmEmailChange: new ConfirmEmailChange(p.users, p.store, links, p.mailer, p.clock, p.events, p.roles),
    pruneEmailTokens: new PruneEmailTokens(p.emailTokens, p.clock),
    authorizeRole: new AuthorizeRole(p.users, p.roles),
    searchUsers: new SearchUsers(p.users, p.roles),
    getUserDetails: new GetUserDetails(p.users, p.store, p.roles, p.clock),
    updateUser: new UpdateUser(p.users, p.store, p.roles, p.events, p.clock),
    eraseUser: new EraseUser(p.users, p.store, p.auditLog, p.roles, p.events, p.clock),
    endUserSessions: new EndUserSessions(p.users, p.store, p.events, p.clock),
    listSecurityEvents: new ListSecurityEvents(p.auditLog),
    changeRole: new ChangeRole(p.users, p.roles, p.events),
    pruneSecurityEvents: new PruneSecurityEvents(p.auditLog, p.clock, p.auditRetentionDays),
  };
}

export type SessionUseCases = ReturnType<typeof composeSessionUseCases>;
export type UseCases = ReturnType<typeof composeUseCases>;
