import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { forgetEntry } from '../shared/lru-forget.js';
import type { Clock } from '../../domain/ports/clock.js';

/**
 * How long the per-account state is kept (docs/security.md "Throttling"):
 * - an account's consecutive failures, for 30 days after the last one counted: a run of
 *   failures ends only with a success, a password reset or a month without a failure, so an
 *   attacker who waits gains nothing (a window fixed from the first failure could be straddled:
 *   almost twice the limit in a row, across its end);
 * - an address the account signed in from, for 30 days after its last success there.
 */
export const ACCOUNT_LIFETIMES = {
  failuresSeconds: 30 * 24 * 3600,
  knownAddressSeconds: 30 * 24 * 3600,
} as const;

export interface AccountLifetimes {
  readonly failuresSeconds: number;
  readonly knownAddressSeconds: number;
}

export interface AccountFailures {
  readonly count: number;
  /** Milliseconds until they are forgotten. */
  readonly msLeft: number;
}

/**
 * The long-lived per-account state of login throttling, by keyed digest (never an email or an
 * address in clear). Times come from the Clock, so tests move them by hand; each count is atomic.
 */
export interface AccountLockoutStore {
  /** Adds `by` (1, or -1 to take one back) to the account's failures, never below 0, and restarts their lifetime; what is kept now. */
  add(account: string, by: number): Promise<AccountFailures>;
  /** The account's failures, or null when none are kept. */
  failures(account: string): Promise<AccountFailures | null>;
  /** Forgets the account's failures. */
  clear(account: string): Promise<void>;
  /** Remembers an (account, address) digest as a sign-in, for the address lifetime from now. */
  remember(address: string): Promise<void>;
  /** Whether the account signed in from the address within the address lifetime. */
  knows(address: string): Promise<boolean>;
}

interface Timed<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * In-process state for one instance. Bounded: past `maxEntries` accounts (or addresses) the least
 * recently touched are forgotten first, so a spray of made-up emails cannot exhaust memory;
 * behind a public endpoint at that scale, use Redis.
 */
export class InMemoryAccountLockoutStore implements AccountLockoutStore {
  private readonly counts: LRUCache<string, Timed<number>>;
  private readonly addresses: LRUCache<string, Timed<true>>;

  constructor(
    private readonly clock: Clock,
    private readonly lifetimes: AccountLifetimes = ACCOUNT_LIFETIMES,
    maxEntries = 100_000,
  ) {
    this.counts = new LRUCache({ max: maxEntries });
    this.addresses = new LRUCache({ max: maxEntries });
  }

  private live<T>(cache: LRUCache<string, Timed<T>>, key: string): Timed<T> | null {
    const entry = cache.get(key);
    return entry && entry.expiresAt > this.clock.now().getTime() ? entry : null;
  }

  add(account: string, by: number): Promise<AccountFailures> {
    const count = Math.max(0, (this.live(this.counts, account)?.value ?? 0) + by);
    const msLeft = count === 0 ? 0 : this.lifetimes.failuresSeconds * 1000;
    if (count === 0) forgetEntry(this.counts, account);
    else this.counts.set(account, { value: count, expiresAt: this.clock.now().getTime() + msLeft });
    return Promise.resolve({ count, msLeft });
  }

  failures(account: string): Promise<AccountFailures | null> {
    const entry = this.live(this.counts, account);
    return Promise.resolve(entry && { count: entry.value, msLeft: entry.expiresAt - this.clock.now().getTime() });
  }

  clear(account: string): Promise<void> {
    forgetEntry(this.counts, account);
    return Promise.resolve();
  }

  remember(address: string): Promise<void> {
    this.addresses.set(address, { value: true, expiresAt: this.clock.now().getTime() + this.lifetimes.knownAddressSeconds * 1000 });
    return Promise.resolve();
  }

  knows(address: string): Promise<boolean> {
    return Promise.resolve(this.live(this.addresses, address) !== null);
  }
}

// KEYS[1] the account's hash { n: count, x: forgotten at (epoch ms, the app's clock) }.
// ARGV: [1] by, [2] now, [3] lifetime (ms). A count at 0 holds nothing: its key goes.
const ADD = `
local now = tonumber(ARGV[2])
local n = 0
local x = tonumber(redis.call('HGET', KEYS[1], 'x'))
if x and x > now then n = tonumber(redis.call('HGET', KEYS[1], 'n')) or 0 end
n = math.max(0, n + tonumber(ARGV[1]))
if n == 0 then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('HSET', KEYS[1], 'n', n, 'x', now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return n
`;

interface AccountScripts {
  accountLockoutAdd(key: string, by: number, now: number, lifetimeMs: number): Promise<number>;
}

/**
 * Shared state in Redis, for many instances:
 * - `<prefix>login-account:<digest>`: the account's failures, expiring with them (30 days after
 *   the last one counted);
 * - `<prefix>login-known:<digest>`: an address the account signed in from, expiring 30 days after
 *   the last success there.
 * The values carry their end in the app's clock and the keys a TTL of the same length, so no key
 * outlives what it holds.
 */
export class RedisAccountLockoutStore implements AccountLockoutStore {
  private readonly scripts: AccountScripts;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly clock: Clock,
    private readonly lifetimes: AccountLifetimes = ACCOUNT_LIFETIMES,
  ) {
    redis.defineCommand('accountLockoutAdd', { numberOfKeys: 1, lua: ADD });
    this.scripts = redis as unknown as AccountScripts;
  }

  private accountKey(account: string): string {
    return `${this.prefix}login-account:${account}`;
  }

  private addressKey(address: string): string {
    return `${this.prefix}login-known:${address}`;
  }

  async add(account: string, by: number): Promise<AccountFailures> {
    const lifetimeMs = this.lifetimes.failuresSeconds * 1000;
    const count = Number(await this.scripts.accountLockoutAdd(this.accountKey(account), by, this.clock.now().getTime(), lifetimeMs));
    return { count, msLeft: count === 0 ? 0 : lifetimeMs };
  }

  async failures(account: string): Promise<AccountFailures | null> {
    const [n, x] = await this.redis.hmget(this.accountKey(account), 'n', 'x');
    const left = Number(x) - this.clock.now().getTime();
    return n !== null && x !== null && left > 0 ? { count: Number(n), msLeft: left } : null;
  }

  async clear(account: string): Promise<void> {
    await this.redis.del(this.accountKey(account));
  }

  async remember(address: string): Promise<void> {
    const lifetimeMs = this.lifetimes.knownAddressSeconds * 1000;
    await this.redis.set(this.addressKey(address), String(this.clock.now().getTime() + lifetimeMs), 'PX', lifetimeMs);
  }

  async knows(address: string): Promise<boolean> {
    const until = await this.redis.get(this.addressKey(address));
    return until !== null && Number(until) > this.clock.now().getTime();
  }
}
