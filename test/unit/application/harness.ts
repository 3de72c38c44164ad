import { createSecretKey } from 'node:crypto';
import { expect } from 'chai';
import jwt, { type Jwt, type JwtPayload } from 'jsonwebtoken';
import { BcryptPasswordHasher } from '../../../src/adapters/crypto/bcrypt-password-hasher.js';
import { jwtSettings } from '../../../src/config/jwt-settings.js';
import { JwtTokenIssuer } from '../../../src/adapters/crypto/jwt-token-issuer.js';
import { InMemoryAccounts } from '../../../src/adapters/persistence/memory/in-memory-accounts.js';
import { InMemoryIdentityRepository } from '../../../src/adapters/persistence/memory/in-memory-identity-repository.js';
import { InMemoryEmailTokenStore } from '../../../src/adapters/persistence/memory/in-memory-email-token-store.js';
import { InMemoryMailer } from '../../../src/adapters/mail/in-memory-mailer.js';
import { RandomOneTimeTokens } from '../../../src/adapters/crypto/random-one-time-tokens.js';
import { mailLimiters, RateLimiterMailThrottle, type MailLimits } from '../../../src/adapters/throttle/rate-limiter-mail-throttle.js';
import type { MailThrottle } from '../../../src/domain/ports/mail-throttle.js';
import type { EmailVerificationMode } from '../../../src/domain/email-verification.js';
import { InMemoryTokenStore } from '../../../src/adapters/persistence/memory/in-memory-token-store.js';
import { InMemoryUserRepository } from '../../../src/adapters/persistence/memory/in-memory-user-repository.js';
import { RandomIdGenerator } from '../../../src/adapters/system/random-id-generator.js';
import type { SessionTokens } from '../../../src/application/sessions/session-token-minter.js';
import { memoryLimiters, registrationLimiter, type ThrottleLimits } from '../../../src/adapters/throttle/limiters.js';
import { RateLimiterLoginThrottle } from '../../../src/adapters/throttle/rate-limiter-login-throttle.js';
import { RateLimiterRegistrationThrottle } from '../../../src/adapters/throttle/rate-limiter-registration-throttle.js';
import { composeUseCases } from '../../../src/composition/use-cases.js';
import { RolePolicy } from '../../../src/application/accounts/roles.js';
import { InMemoryAuditLog } from '../../../src/adapters/persistence/memory/in-memory-audit-log.js';
import { ResilientSecurityEvents } from '../../../src/adapters/audit/resilient-security-events.js';
import type { Email } from '../../../src/domain/email.js';
import { pino } from 'pino';
import { DetachedWork } from '../../../src/adapters/system/detached-work.js';
import { DomainError, type ErrorCode } from '../../../src/domain/errors.js';
import type { PasswordHasher } from '../../../src/domain/ports/password-hasher.js';
import type { TokenStore } from '../../../src/domain/ports/token-store.js';
import type { SessionPolicy } from '../../../src/domain/session.js';
import type { RefreshPrincipal } from '../../../src/domain/principal.js';
import type { User } from '../../../src/domain/user.js';
import type { DisplayName } from '../../../src/domain/display-name.js';
import { PasswordStrength } from '../../../src/domain/password-strength.js';
import { ZxcvbnCommonPasswordList } from '../../../src/adapters/passwords/zxcvbn-common-password-list.js';
import { TEST_ACCESS_SECRET, TEST_COUNTER_KEY, TEST_REFRESH_SECRET } from '../../support/config.js';
import { FixedClock } from '../../support/fixed-clock.js';

export const ISSUER = 'auth-api';
export const AUDIENCE = 'auth-api';
export const GOOD_PASSWORD = 'correct horse battery';

/** The documented defaults (docs/configuration.md). */
export const DEFAULT_POLICY: SessionPolicy = {
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 2_592_000,
  sessionMaxAgeSeconds: 7_776_000,
  reuseGraceSeconds: 10,
};

export const testJwtSettings = () =>
  jwtSettings({ issuer: ISSUER, audience: AUDIENCE, accessSecret: TEST_ACCESS_SECRET, refreshSecret: TEST_REFRESH_SECRET });

/** One hasher for the whole run: bcrypt at cost 4 keeps the suite fast, and its dummy hash is computed once. */
export const hasher = new BcryptPasswordHasher(4);

/** The weak-password rule with the real shipped list (built once: it is 10,000 entries) and the default APP_NAME. */
export const APP_NAME = 'auth-api';
export const strength = new PasswordStrength(new ZxcvbnCommonPasswordList(), APP_NAME);

/** Limits that unit tests of other rules never meet; LOGIN_ACCOUNT_MAX_FAILURES at its documented default. */
const UNIT_LIMITS: ThrottleLimits = { maxFailures: 1000, windowSeconds: 900, ipMaxFailures: 10_000, accountMaxFailures: 100 };

export interface BuildOptions {
  /** REGISTER_PER_IP_PER_HOUR (default: never met). */
  readonly registerPerIpPerHour?: number;
  /** SESSIONS_PER_USER_MAX (default: the documented 100). */
  readonly sessionsPerUserMax?: number;
  /** The session store (default: a fresh InMemoryTokenStore). */
  readonly store?: TokenStore;
  /** The hasher (default: bcrypt at cost 4). */
  readonly hasher?: PasswordHasher;
  /** EMAIL_VERIFICATION (default: the documented `optional`). */
  readonly emailVerification?: EmailVerificationMode;
  /** MAIL_PER_ADDRESS_PER_HOUR and MAIL_PER_IP_PER_HOUR, on the real throttle (default: every mail admitted, no 60 s gap). */
  readonly mailLimits?: Partial<MailLimits>;
  /** ADMIN_EMAILS (default: none). */
  readonly adminEmails?: readonly string[];
}

/** The documented lifetimes: EMAIL_VERIFICATION_TTL 24 h, PASSWORD_RESET_TTL 30 min. */
export const EMAIL_LINK_LIFETIMES = { verificationTtlSeconds: 86_400, resetTtlSeconds: 1800 };

/** Every use case wired on in-memory adapters, the real crypto adapters and a clock the test moves. */
export function buildAuth(policyOverrides: Partial<SessionPolicy> = {}, limitOverrides: Partial<ThrottleLimits> = {}, options: BuildOptions = {}) {
  const policy: SessionPolicy = { ...DEFAULT_POLICY, ...policyOverrides };
  const clock = new FixedClock();
  const limiters = memoryLimiters({ ...UNIT_LIMITS, ...limitOverrides }, clock);
  const throttle = new RateLimiterLoginThrottle(limiters, TEST_COUNTER_KEY);
  const registrations = new RateLimiterRegistrationThrottle(registrationLimiter(options.registerPerIpPerHour ?? 1_000_000, null, ''), TEST_COUNTER_KEY);
  const accounts = new InMemoryAccounts();
  const users = new InMemoryUserRepository(accounts);
  const store = options.store ?? new InMemoryTokenStore();
  const ids = new RandomIdGenerator();
  const issuer = new JwtTokenIssuer(testJwtSettings());
  const emailTokens = new InMemoryEmailTokenStore();
  const oneTimeTokens = new RandomOneTimeTokens();
  const mailer = new InMemoryMailer();
  // The real throttle when a test asks for limits; otherwise one that admits every mail, since its
  // 60 s gap runs on the wall clock (rate-limiter-flexible), which the FixedClock cannot move.
  const mailThrottle: MailThrottle = options.mailLimits
    ? new RateLimiterMailThrottle(mailLimiters({ perAddressPerHour: 1_000_000, perIpPerHour: 1_000_000, ...options.mailLimits }, null, ''), TEST_COUNTER_KEY)
    : { admit: () => Promise.resolve(0), retryAfter: () => Promise.resolve(0) };
  const auditLog = new InMemoryAuditLog();
  const background = new DetachedWork(pino({ level: 'silent' }));
  const events = new ResilientSecurityEvents(auditLog, ids, clock, pino({ level: 'silent' }));
  const roles = new RolePolicy((options.adminEmails ?? []) as Email[]);
  const useCases = composeUseCases({
    users,
    identities: new InMemoryIdentityRepository(accounts),
    store,
    issuer,
    clock,
    ids,
    policy,
    sessionsPerUserMax: options.sessionsPerUserMax ?? 100,
    hasher: options.hasher ?? hasher,
    loginThrottle: throttle,
    registrationThrottle: registrations,
    strength,
    emailTokens,
    oneTimeTokens,
    mailer,
    mailThrottle,
    emailVerification: options.emailVerification ?? 'optional',
    emailLinkLifetimes: EMAIL_LINK_LIFETIMES,
    events,
    auditLog,
    roles,
    auditRetentionDays: 90,
    background,
  });
  const auth = {
    policy,
    clock,
    /** The tables the in-memory stores share (a passkey store over them shows in the user's `mfa`). */
    accounts,
    users,
    store,
    issuer,
    throttle,
    registrations,
    register: useCases.registerUser,
    login: useCases.authenticateWithPassword,
    issueSession: useCases.issueSession,
    endAllSessions: useCases.endAllSessions,
    listSessions: useCases.listSessions,
    authenticateAccess: useCases.authenticateAccessToken,
    authenticateRefresh: useCases.authenticateRefreshToken,
    refreshSession: useCases.refreshSession,
    endSession: useCases.endSession,
    currentUser: useCases.getCurrentUser,
    signUpUseCase: useCases.signUp,
    changePassword: useCases.changePassword,
    emailTokens,
    oneTimeTokens,
    mailer,
    requestEmailVerification: useCases.requestEmailVerification,
    verifyEmail: useCases.verifyEmail,
    /** POST /auth/password/forgot, and then what it left for the background (the mail of a known address). */
    forgotPassword: {
      execute: async (input: Parameters<typeof useCases.forgotPassword.execute>[0]) => {
        await useCases.forgotPassword.execute(input);
        await background.drain();
      },
    },
    background,
    resetPassword: useCases.resetPassword,
    requestEmailChange: useCases.requestEmailChange,
    confirmEmailChange: useCases.confirmEmailChange,
    pruneEmailTokens: useCases.pruneEmailTokens,
    githubSignIn: useCases.authenticateWithProvider,
    auditLog,
    roles,
    useCases,
    /** The events recorded so far, oldest first. */
    async events(userId?: string) {
      return (await auditLog.list({ ...(userId ? { userId } : {}), limit: 1000 })).reverse();
    },

    /** Registers a user and signs them in, as POST /auth/register does. */
    async signUp(email = `user.${ids.newId()}@example.com`, password = GOOD_PASSWORD): Promise<SessionTokens & { password: string }> {
      const user = await auth.register.execute({ email, password });
      const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId: user.id, userAgent: 'unit-test' });
      return { ...tokens, password };
    },

    /** What POST /auth/refresh does with a refresh token the `jwt-refresh` strategy verified. */
    refresh(refreshToken: string): Promise<SessionTokens> {
      return auth.refreshSession.execute(refreshClaims(refreshToken));
    },

    /** What the `jwt` strategy does with an access token once jsonwebtoken has accepted it. */
    authenticate(accessToken: string) {
      const payload = verifyAccess(accessToken, clock);
      return auth.authenticateAccess.execute({ userId: String(payload.sub), sessionId: String(payload.sid) });
    },

    session(id: string) {
      return store.find(id);
    },
  };
  return auth;
}

export type Auth = ReturnType<typeof buildAuth>;

export interface TokenPayload extends JwtPayload {
  readonly sid: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

const ACCESS_KEY = createSecretKey(Buffer.from(TEST_ACCESS_SECRET, 'utf8'));
const REFRESH_KEY = createSecretKey(Buffer.from(TEST_REFRESH_SECRET, 'utf8'));

export const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

function verifyWith(token: string, key: typeof ACCESS_KEY, clock: FixedClock | null): Jwt {
  return jwt.verify(token, key, {
    algorithms: ['HS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    complete: true,
    ...(clock ? { clockTimestamp: epochSeconds(clock.now()) } : { ignoreExpiration: true }),
  });
}

/** The verified payload of an access token, with the test secret and the test clock's time. */
export const verifyAccess = (token: string, clock: FixedClock | null = null): TokenPayload =>
  verifyWith(token, ACCESS_KEY, clock).payload as TokenPayload;

/** The verified payload of a refresh token; without a clock its expiry is not checked. */
export const verifyRefresh = (token: string, clock: FixedClock | null = null): TokenPayload =>
  verifyWith(token, REFRESH_KEY, clock).payload as TokenPayload;

export const verifyAccessComplete = (token: string): Jwt => verifyWith(token, ACCESS_KEY, null);
export const verifyRefreshComplete = (token: string): Jwt => verifyWith(token, REFRESH_KEY, null);

/**
 * The claims the `jwt-refresh` strategy hands the use case. Expiry is deliberately not checked here,
 * so the use cases are shown to refuse an ended or expired session on their own.
 */
export function refreshClaims(refreshToken: string): RefreshPrincipal {
  const payload = verifyRefresh(refreshToken);
  return { userId: String(payload.sub), sessionId: payload.sid, tokenId: payload.jti };
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the promise to reject');
}

/** Asserts a DomainError with this stable code (never the message) and returns it. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<DomainError> {
  const error = await rejectionOf(promise);
  expect(error).to.be.instanceOf(DomainError);
  expect((error as DomainError).code).to.equal(code);
  return error as DomainError;
}

export const userWithoutPassword = (email: string): Omit<User, 'githubLogin' | 'mfa'> & { githubLogin: string } => ({
  id: `github-only-${email}`,
  email: email as User['email'],
  name: 'GitHub Only' as DisplayName,
  passwordHash: null,
  emailVerified: false,
  githubLogin: 'octocat',
  roles: [],
  disabled: false,
  lastSignInAt: new Date('2026-01-01T00:00:00.000Z'),
  createdAt: new Date('2026-01-01T00:00:00.000Z'),
});
