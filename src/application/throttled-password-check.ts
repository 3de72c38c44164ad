import { TooManyAttemptsError } from '../domain/errors.js';
import type { LoginAttempt, LoginThrottle } from '../domain/ports/login-throttle.js';
import type { PasswordHasher } from '../domain/ports/password-hasher.js';
import { presentedPassword } from '../domain/password.js';

/**
 * The one way a password is checked (sign-in and password change alike): a throttled pair is
 * refused before any bcrypt work; a failure counts against the pair and the address; a success
 * clears the pair. A null hash (no account, or no password) costs the same as a real one.
 */
export class ThrottledPasswordCheck {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  async verify(attempt: LoginAttempt, password: string, hash: string | null): Promise<boolean> {
    const wait = await this.throttle.retryAfter(attempt);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    // Compared in NFC; one bcrypt would truncate (72 bytes, NUL) can never match: refused after the same work.
    const presented = presentedPassword(password);
    const matches = await this.hasher.verify(presented ?? password, presented === null ? null : hash);
    await (matches ? this.throttle.recordSuccess(attempt) : this.throttle.recordFailure(attempt));
    return matches;
  }
}
