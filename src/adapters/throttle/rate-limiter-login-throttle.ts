import type { KeyObject } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LoginAttempt, LoginThrottle } from '../../domain/ports/login-throttle.js';
import type { AccountFailures, AccountLockoutStore } from './account-lockouts.js';
import { counterKey, failClosed, wholeSeconds } from './counter-key.js';
import type { LoginLimiters } from './limiters.js';

/**
 * Login throttling on rate-limiter-flexible: one limiter for (email, IP) pairs, one for IPs,
 * and the account lockout store for each email's consecutive failures and the addresses it
 * signed in from. The same class serves the memory store (one instance) and Redis (many).
 */
export class RateLimiterLoginThrottle implements LoginThrottle {
  private readonly pairs: RateLimiterAbstract;
  private readonly ips: RateLimiterAbstract;
  private readonly accounts: AccountLockoutStore;
  private readonly accountMaxFailures: number;

  constructor(
    limiters: LoginLimiters,
    private readonly keySecret: KeyObject,
  ) {
    ({ pairs: this.pairs, ips: this.ips, accounts: this.accounts, accountMaxFailures: this.accountMaxFailures } = limiters);
  }

  private keys(attempt: LoginAttempt) {
    return {
      pair: counterKey(this.keySecret, attempt.email, attempt.clientIp),
      ip: counterKey(this.keySecret, attempt.clientIp),
      account: this.accountKey(attempt.email),
      // Another digest than the pair's, so the two stores' keys cannot be matched up.
      address: counterKey(this.keySecret, 'known address', attempt.email, attempt.clientIp),
    };
  }

  private accountKey(email: string): string {
    return counterKey(this.keySecret, 'account', email);
  }

  async retryAfter(attempt: LoginAttempt): Promise<number> {
    const k = this.keys(attempt);
    const [pair, ip, account, known] = await failClosed(() =>
      Promise.all([this.pairs.get(k.pair), this.ips.get(k.ip), this.accounts.failures(k.account), this.accounts.knows(k.address)]),
    );
    const wait = (limiter: RateLimiterAbstract, res: RateLimiterRes | null) =>
      // A counter whose window has passed but was not swept yet (busy event loop) blocks nothing.
      res !== null && res.consumedPoints >= limiter.points && res.msBeforeNext > 0 ? wholeSeconds(res.msBeforeNext) : 0;
    return Math.max(wait(this.pairs, pair), wait(this.ips, ip), this.accountWait(account, known, this.accountMaxFailures));
  }

  async begin(attempt: LoginAttempt): Promise<number> {
    const k = this.keys(attempt);
    const [account, known] = await failClosed(() => Promise.all([this.accounts.add(k.account, 1), this.accounts.knows(k.address)]));
    // Past the limit means this attempt would be failure limit + 1: refused, and not counted.
    const wait = this.accountWait(account, known, this.accountMaxFailures + 1);
    if (wait > 0) await failClosed(() => this.accounts.add(k.account, -1));
    return wait;
  }

  async recordFailure(attempt: LoginAttempt): Promise<void> {
    const k = this.keys(attempt);
    await failClosed(() => Promise.all([consume(this.pairs, k.pair), consume(this.ips, k.ip)]));
  }

  async abandon(attempt: LoginAttempt): Promise<void> {
    await failClosed(() => this.accounts.add(this.keys(attempt).account, -1));
  }

  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    const k = this.keys(attempt);
    await failClosed(() => Promise.all([this.pairs.delete(k.pair), this.accounts.clear(k.account), this.accounts.remember(k.address)]));
  }

  async recordSignUp(attempt: LoginAttempt): Promise<void> {
    const k = this.keys(attempt);
    await failClosed(() => Promise.all([this.accounts.clear(k.account), this.accounts.remember(k.address)]));
  }

  async clearAccount(email: string): Promise<void> {
    await failClosed(() => this.accounts.clear(this.accountKey(email)));
  }

  /** The account's consecutive failures bind every address it did not sign in from lately. */
  private accountWait(account: AccountFailures | null, known: boolean, blockedFrom: number): number {
    return !known && account !== null && account.count >= blockedFrom ? wholeSeconds(account.msLeft) : 0;
  }
}

/** Counts one point; going over the limit is expected here, not an error. */
async function consume(limiter: RateLimiterAbstract, k: string): Promise<void> {
  try {
    await limiter.consume(k);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
  }
}
