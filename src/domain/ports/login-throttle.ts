/** One password attempt, as the throttle counts it. */
export interface LoginAttempt {
  /** The normalised email, known to an account or not. */
  readonly email: string;
  readonly clientIp: string;
}

/**
 * Three counts stand between an attempt and bcrypt (docs/security.md, Throttling): failures of the
 * (email, IP) pair and of the IP within the window, and the account's consecutive failures from
 * every address together (NIST SP 800-63B §5.2.2), which do not bind the addresses the account
 * signed in from in the last 30 days. Unknown emails are counted exactly like known ones.
 */
export interface LoginThrottle {
  /** Whole seconds until this attempt may be made; 0 when it may be made now. Counts nothing. */
  retryAfter(attempt: LoginAttempt): Promise<number>;
  /**
   * Counts the attempt against the account before its password is checked, so that attempts in
   * flight together (a botnet's burst) cannot pass the account's limit together. Answers 0 when
   * it may go on; otherwise the whole seconds to wait, and nothing stays counted.
   */
  begin(attempt: LoginAttempt): Promise<number>;
  /** The password was wrong: counts a failure against the pair and the IP (`begin` counted the account's). */
  recordFailure(attempt: LoginAttempt): Promise<void>;
  /**
   * The password was right: clears the pair's and the account's failures and remembers the address
   * as one the account signed in from (for 30 days from now); the per-IP count stands.
   */
  recordSuccess(attempt: LoginAttempt): Promise<void>;
  /** The check gave no verdict (it failed): takes back what `begin` counted. */
  abandon(attempt: LoginAttempt): Promise<void>;
  /**
   * A new account from this address counts as a sign-in from it: the address is remembered and
   * the email's earlier failures (against no account) are forgotten; the pair and IP counts stand.
   */
  recordSignUp(attempt: LoginAttempt): Promise<void>;
  /** A password reset ends the account's lockout: its consecutive failures are forgotten. */
  clearAccount(email: string): Promise<void>;
}
