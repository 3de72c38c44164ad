/** One password attempt, as the throttle counts it. */
export interface LoginAttempt {
  /** The normalised email, known to an account or not. */
  readonly email: string;
  readonly clientIp: string;
}

export interface LoginThrottle {
  /** Whole seconds until this attempt may be made; 0 when it may be made now. Counts nothing. */
  retryAfter(attempt: LoginAttempt): Promise<number>;
  /** Counts a failure against the (email, IP) pair and against the IP alone. */
  recordFailure(attempt: LoginAttempt): Promise<void>;
  /** A success clears the pair's failures; the per-IP count stands. */
  recordSuccess(attempt: LoginAttempt): Promise<void>;
}
