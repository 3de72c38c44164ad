import { InvalidCredentialsError, TooManyAttemptsError } from '../../domain/errors.js';
import type { User } from '../../domain/user.js';
import type { LoginAttempt, LoginThrottle } from '../../domain/ports/login-throttle.js';
import type { PasswordHasher } from '../../domain/ports/password-hasher.js';
import { presentedPassword } from '../../domain/password.js';

/** The throttle's key for a signed-in user's attempt: the email, or the id of an account without one (GitHub-only). */
export const attemptOf = (user: Pick<User, 'id' | 'email'>, clientIp: string): LoginAttempt => ({ email: user.email ?? `id:${user.id}`, clientIp });

/**
 * The one way a password is checked (sign-in and password change alike), so each request counts
 * once: a throttled pair, address or account is refused before any bcrypt work; a failure counts
 * against the pair, the address and the account; a success clears the pair and the account and
 * remembers the address. A null hash (no account, or no password) costs the same as a real one.
 */
export class ThrottledPasswordCheck {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  async verify(attempt: LoginAttempt, password: string, hash: string | null): Promise<boolean> {
    const wait = await this.throttle.retryAfter(attempt);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    // The account's count is taken before bcrypt runs: of requests in flight at once (a botnet's
    // burst from many addresses) only as many as the account has failures left are checked.
    const over = await this.throttle.begin(attempt);
    if (over > 0) throw new TooManyAttemptsError(over);
    let matches: boolean;
    try {
      // Compared in NFC; one bcrypt would truncate (72 bytes, NUL) can never match: refused after the same work.
      const presented = presentedPassword(password);
      matches = await this.hasher.verify(presented ?? password, presented === null ? null : hash);
    } catch (err) {
      await this.throttle.abandon(attempt);
      throw err;
    }
    await (matches ? this.throttle.recordSuccess(attempt) : this.throttle.recordFailure(attempt));
    return matches;
  }

  /**
   * A signed-in user's current password, asked again before a sensitive change: a wrong one is
   * InvalidCredentialsError and counts as a failed sign-in. An account without an email
   * (GitHub-only) is throttled under its id instead.
   */
  async confirmCurrent(user: User, password: string, clientIp: string): Promise<void> {
    if (!(await this.verify(attemptOf(user, clientIp), password, user.passwordHash))) throw new InvalidCredentialsError();
  }
}
