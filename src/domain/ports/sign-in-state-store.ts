/**
 * The `state` of provider sign-ins handed out and not yet spent (API.md "Sign-in providers"): kept
 * on the server, so a replayed callback fails even at a provider that would accept its code twice.
 * Only a digest of each state is kept. Times are the application's clock.
 */
export interface SignInStateStore {
  /** Records a state (its digest), for this provider, until its expiry. */
  issue(stateDigest: string, provider: string, expiresAt: Date): Promise<void>;
  /**
   * Spends the state: true only for the one caller that finds it unexpired at `now` and issued for
   * this provider (of concurrent callers one wins). Whatever the answer, it is never accepted again.
   */
  consume(stateDigest: string, provider: string, now: Date): Promise<boolean>;
}
