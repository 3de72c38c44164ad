import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ACCOUNT_LIFETIMES } from '../../src/adapters/throttle/account-lockouts.js';
import type { ThrottleLimits } from '../../src/adapters/throttle/limiters.js';
import type { LoginAttempt, LoginThrottle } from '../../src/domain/ports/login-throttle.js';
import { FixedClock } from '../support/fixed-clock.js';

/** What a stored counter counts: the two windowed limits, or the long-lived per-account state. */
export type CounterKind = 'pair' | 'ip' | 'account' | 'address';

/** One counter as the rate-limit store holds it. */
export interface StoredCounter {
  readonly kind: CounterKind;
  readonly key: string;
  /** Milliseconds the counter has left; -1 when it never expires. */
  readonly ttlMs: number;
}

export interface LoginThrottleFixture {
  readonly throttle: LoginThrottle;
  /** Every counter this fixture's throttle has stored, or null when the adapter cannot show them (checks skipped). */
  readonly storedCounters: (() => Promise<StoredCounter[]>) | null;
  teardown(): Promise<void>;
}

/** A throttle with these limits whose per-account state reads time from `clock` (the windows run on the store's own time). */
export type LoginThrottleSetup = (limits: ThrottleLimits, clock: FixedClock) => Promise<LoginThrottleFixture>;

const LIMITS: ThrottleLimits = { maxFailures: 3, windowSeconds: 60, ipMaxFailures: 10, accountMaxFailures: 50 };
const CONCURRENT_FAILURES = 20;
const DAY = 24 * 3600;
const THIRTY_DAYS = 30 * DAY;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Blocks the event loop until `deadline` (epoch ms): a process too busy to run its timers. */
const busyUntil = (deadline: number): void => {
  while (Date.now() < deadline) {
    /* spin */
  }
};

/** A normalised email no other test uses. */
const anEmail = (label = 'user') => `${label}.${randomBytes(4).toString('hex')}@example.com`;
let ipSequence = 0;
/** A documentation-range address (RFC 5737); the 762 of them come round in turn, far more than one run uses. */
const anotherIp = (): string => {
  ipSequence += 1;
  const block = ['192.0.2', '198.51.100', '203.0.113'][Math.floor(ipSequence / 254) % 3] ?? '192.0.2';
  return `${block}.${(ipSequence % 254) + 1}`;
};

const attempt = (email: string, clientIp: string): LoginAttempt => ({ email, clientIp });

/** What every LoginThrottle must do, whatever store holds its counters. */
export function loginThrottleContract(name: string, setup: LoginThrottleSetup): void {
  describe(`LoginThrottle contract: ${name}`, () => {
    const fixtures: LoginThrottleFixture[] = [];

    let clock: FixedClock;
    beforeEach(() => {
      clock = new FixedClock('2026-03-01T12:00:00.000Z');
    });

    /** A throttle with these limits, torn down after the test. */
    const throttleWith = async (limits: Partial<ThrottleLimits> = {}): Promise<LoginThrottleFixture> => {
      const fixture = await setup({ ...LIMITS, ...limits }, clock);
      fixtures.push(fixture);
      return fixture;
    };

    const failTimes = async (throttle: LoginThrottle, at: LoginAttempt, times: number): Promise<void> => {
      for (let i = 0; i < times; i++) await throttle.recordFailure(at);
    };

    /** A whole failed attempt, as ThrottledPasswordCheck makes one: begun (the account counts it), then a wrong password. */
    const failedAttempt = async (throttle: LoginThrottle, at: LoginAttempt): Promise<void> => {
      expect(await throttle.begin(at), 'begin').to.equal(0);
      await throttle.recordFailure(at);
    };

    const expectBlocked = async (throttle: LoginThrottle, at: LoginAttempt, windowSeconds: number, label: string): Promise<number> => {
      const wait = await throttle.retryAfter(at);
      expect(Number.isInteger(wait), `${label}: whole seconds, got ${wait}`).to.equal(true);
      expect(wait, `${label}: blocked`).to.be.greaterThan(0);
      expect(wait, `${label}: no longer than the window`).to.be.at.most(windowSeconds);
      return wait;
    };

    const expectFree = async (throttle: LoginThrottle, at: LoginAttempt, label: string): Promise<void> => {
      expect(await throttle.retryAfter(at), `${label}: may be made now`).to.equal(0);
    };

    afterEach(async () => {
      for (const fixture of fixtures.splice(0)) await fixture.teardown();
    });

    describe('the (email, IP) pair', () => {
      it('lets a first attempt through: retryAfter is 0 before any failure', async () => {
        const { throttle } = await throttleWith();
        await expectFree(throttle, attempt(anEmail(), anotherIp()), 'a fresh pair');
      });

      it('blocks the pair after maxFailures failures, for whole seconds no longer than the window', async () => {
        const { throttle } = await throttleWith();
        const pair = attempt(anEmail(), anotherIp());

        await failTimes(throttle, pair, LIMITS.maxFailures - 1);
        await expectFree(throttle, pair, `after ${LIMITS.maxFailures - 1} failures`);

        await throttle.recordFailure(pair);
        await expectBlocked(throttle, pair, LIMITS.windowSeconds, `after ${LIMITS.maxFailures} failures`);
      });

      it('does not block another email from the same IP', async () => {
        const { throttle } = await throttleWith();
        const ip = anotherIp();
        const blocked = attempt(anEmail('victim'), ip);
        await failTimes(throttle, blocked, LIMITS.maxFailures);
        await expectBlocked(throttle, blocked, LIMITS.windowSeconds, 'the failing pair');

        await expectFree(throttle, attempt(anEmail('other'), ip), 'another email, same IP');
      });

      it('does not block the same email from another IP', async () => {
        const { throttle } = await throttleWith();
        const email = anEmail();
        const blocked = attempt(email, anotherIp());
        await failTimes(throttle, blocked, LIMITS.maxFailures);
        await expectBlocked(throttle, blocked, LIMITS.windowSeconds, 'the failing pair');

        await expectFree(throttle, attempt(email, anotherIp()), 'same email, another IP');
      });

      it('clears the pair on success: it takes maxFailures new failures to block it again', async () => {
        const { throttle } = await throttleWith();
        const pair = attempt(anEmail(), anotherIp());
        await failTimes(throttle, pair, LIMITS.maxFailures);
        await expectBlocked(throttle, pair, LIMITS.windowSeconds, 'before the success');

        await throttle.recordSuccess(pair);
        await expectFree(throttle, pair, 'right after the success');

        await failTimes(throttle, pair, LIMITS.maxFailures - 1);
        await expectFree(throttle, pair, `${LIMITS.maxFailures - 1} failures after the success`);
        await throttle.recordFailure(pair);
        await expectBlocked(throttle, pair, LIMITS.windowSeconds, `${LIMITS.maxFailures} failures after the success`);
      });

      it('accepts a success for a pair that never failed', async () => {
        const { throttle } = await throttleWith();
        const pair = attempt(anEmail(), anotherIp());
        await throttle.recordSuccess(pair);
        await expectFree(throttle, pair, 'after a success alone');
      });
    });

    describe('the per-IP ceiling', () => {
      const limits = { maxFailures: 3, ipMaxFailures: 5 };

      it('blocks every email from an IP after ipMaxFailures failures across emails, and no other IP', async () => {
        const { throttle } = await throttleWith(limits);
        const ip = anotherIp();
        const emails = Array.from({ length: limits.ipMaxFailures }, (_, i) => anEmail(`spray${i}`));

        for (const email of emails.slice(0, -1)) await throttle.recordFailure(attempt(email, ip));
        await expectFree(throttle, attempt(anEmail('fresh'), ip), `a fresh email after ${limits.ipMaxFailures - 1} failures from the IP`);

        await throttle.recordFailure(attempt(emails.at(-1) ?? '', ip));
        await expectBlocked(throttle, attempt(anEmail('fresh'), ip), LIMITS.windowSeconds, 'a fresh email from the sprayed IP');
        await expectBlocked(throttle, attempt(emails[0] ?? '', ip), LIMITS.windowSeconds, 'an email that failed only once');
        await expectFree(throttle, attempt(emails[0] ?? '', anotherIp()), 'the same email from another IP');
      });

      it('keeps the IP count when a success clears a pair', async () => {
        const { throttle } = await throttleWith(limits);
        const ip = anotherIp();
        const pair = attempt(anEmail('owner'), ip);
        await failTimes(throttle, pair, limits.maxFailures);
        await throttle.recordSuccess(pair);
        await expectFree(throttle, pair, 'the pair after its success');

        // 3 before the success + 2 now = the ceiling of 5: the success did not reset the IP.
        await failTimes(throttle, attempt(anEmail('other'), ip), limits.ipMaxFailures - limits.maxFailures);
        await expectBlocked(throttle, attempt(anEmail('fresh'), ip), LIMITS.windowSeconds, 'a fresh email from the IP');
        await expectBlocked(throttle, pair, LIMITS.windowSeconds, 'the cleared pair, under the IP ceiling');
      });
    });

    describe('counting', () => {
      it('counts nothing when asked: 50 retryAfter calls do not block, one failure then does', async () => {
        const { throttle } = await throttleWith({ maxFailures: 1, ipMaxFailures: 1 });
        const pair = attempt(anEmail(), anotherIp());

        for (let i = 0; i < 50; i++) expect(await throttle.retryAfter(pair), `call ${i + 1}`).to.equal(0);
        const concurrent = await Promise.all(Array.from({ length: 50 }, () => throttle.retryAfter(pair)));
        expect(concurrent).to.deep.equal(Array(50).fill(0));

        await throttle.recordFailure(pair);
        await expectBlocked(throttle, pair, LIMITS.windowSeconds, 'after the single allowed failure');
      });

      it(`counts ${CONCURRENT_FAILURES} concurrent failures on one pair as ${CONCURRENT_FAILURES}, on the pair and on the IP`, async () => {
        // One more failure than the concurrent ones blocks the pair; two more reach the IP ceiling.
        const limits = { maxFailures: CONCURRENT_FAILURES + 1, ipMaxFailures: CONCURRENT_FAILURES + 2 };
        const { throttle } = await throttleWith(limits);
        const ip = anotherIp();
        const pair = attempt(anEmail(), ip);

        await Promise.all(Array.from({ length: CONCURRENT_FAILURES }, () => throttle.recordFailure(pair)));

        await expectFree(throttle, pair, `the pair after ${CONCURRENT_FAILURES} failures (limit ${limits.maxFailures})`);
        await throttle.recordFailure(pair);
        await expectBlocked(throttle, pair, LIMITS.windowSeconds, `the pair after ${CONCURRENT_FAILURES + 1} failures: none was lost`);

        await expectFree(throttle, attempt(anEmail('other'), ip), `another email with the IP at ${CONCURRENT_FAILURES + 1}`);
        await throttle.recordFailure(attempt(anEmail('other'), ip));
        await expectBlocked(throttle, attempt(anEmail('fresh'), ip), LIMITS.windowSeconds, 'the IP at its ceiling: none was lost');
      });
    });

    describe('the window', () => {
      const short = { maxFailures: 2, windowSeconds: 1, ipMaxFailures: 3 };

      it('forgets the pair and the IP failures once the window has passed', async () => {
        const { throttle } = await throttleWith(short);
        const ip = anotherIp();
        const pair = attempt(anEmail(), ip);
        await failTimes(throttle, pair, short.maxFailures);
        await throttle.recordFailure(attempt(anEmail('other'), ip));
        expect(await expectBlocked(throttle, pair, short.windowSeconds, 'the pair')).to.equal(1);
        await expectBlocked(throttle, attempt(anEmail('fresh'), ip), short.windowSeconds, 'the IP');

        await sleep(1100);

        await expectFree(throttle, pair, 'the pair after the window');
        await expectFree(throttle, attempt(anEmail('fresh'), ip), 'the IP after the window');
        await throttle.recordFailure(pair);
        await expectFree(throttle, pair, 'one failure in a new window');
      });

      it('lets the pair through once its window has passed, even when the process was too busy to sweep expired counters', async () => {
        const { throttle } = await throttleWith({ ...short, maxFailures: 1, ipMaxFailures: 100 });
        const pair = attempt(anEmail(), anotherIp());
        const started = Date.now();
        await throttle.recordFailure(pair);
        await expectBlocked(throttle, pair, 1, 'within the window');

        // Event-loop lag: the window ends while the process is busy, before any timer can run.
        await sleep(700);
        busyUntil(started + 1150);
        const wait = await throttle.retryAfter(pair);

        expect(wait, 'retryAfter 1.15 s after the only failure of a 1 s window').to.equal(0);
      });
    });

    describe('the account: consecutive failures from every address together (NIST SP 800-63B §5.2.2)', () => {
      const limits = { maxFailures: 3, ipMaxFailures: 10, accountMaxFailures: 5 };

      /** One failure for the email from each of `times` fresh addresses (so no pair and no IP limit is met). */
      const failFromBotnet = async (throttle: LoginThrottle, email: string, times: number): Promise<void> => {
        for (let i = 0; i < times; i++) await failedAttempt(throttle, attempt(email, anotherIp()));
      };

      it('blocks the email from every fresh address after accountMaxFailures failures from as many addresses, and not one failure earlier', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail('victim');

        await failFromBotnet(throttle, email, limits.accountMaxFailures - 1);
        await expectFree(throttle, attempt(email, anotherIp()), `a fresh address after ${limits.accountMaxFailures - 1} failures`);

        await failFromBotnet(throttle, email, 1);
        for (let i = 0; i < 3; i++) await expectBlocked(throttle, attempt(email, anotherIp()), THIRTY_DAYS, `fresh address ${i + 1}`);
        await expectFree(throttle, attempt(anEmail('bystander'), anotherIp()), 'another email');
      });

      it('answers the time until the failures are forgotten: 30 days after the last one', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail();
        await failFromBotnet(throttle, email, limits.accountMaxFailures);

        expect(await throttle.retryAfter(attempt(email, anotherIp()))).to.equal(THIRTY_DAYS);
        clock.advance(DAY);
        expect(await throttle.retryAfter(attempt(email, anotherIp()))).to.equal(THIRTY_DAYS - DAY);
      });

      it('keeps the failures for 30 days after the last one counted, so waiting between failures gains nothing', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail();
        // Spread over more than 30 days, but never 30 days without one.
        for (let i = 0; i < limits.accountMaxFailures; i++) {
          await failFromBotnet(throttle, email, 1);
          clock.advance(20 * DAY);
        }
        await expectBlocked(throttle, attempt(email, anotherIp()), THIRTY_DAYS, '20 days after the last of failures 20 days apart');

        clock.advance(10 * DAY - 1);
        await expectBlocked(throttle, attempt(email, anotherIp()), THIRTY_DAYS, 'a second before 30 days after the last failure');
        clock.advance(1);
        await expectFree(throttle, attempt(email, anotherIp()), '30 days after the last failure');
        await failFromBotnet(throttle, email, limits.accountMaxFailures - 1);
        await expectFree(throttle, attempt(email, anotherIp()), 'counted from zero again');
      });

      it('lets the owner in from an address it signed in from, while the lockout keeps every other address out', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail('owner');
        const home = anotherIp();
        await throttle.recordSuccess(attempt(email, home));

        await failFromBotnet(throttle, email, limits.accountMaxFailures);
        for (let i = 0; i < 10; i++) expect(await throttle.begin(attempt(email, anotherIp())), 'the botnet, past the limit').to.equal(THIRTY_DAYS);

        await expectFree(throttle, attempt(email, home), 'the owner at home');
        expect(await throttle.begin(attempt(email, home)), 'the owner’s attempt begins').to.equal(0);
        await expectBlocked(throttle, attempt(email, anotherIp()), THIRTY_DAYS, 'a fresh address');
        // The address is the owner's for this email only.
        await throttle.recordSuccess(attempt(anEmail('neighbour'), home));
        await expectFree(throttle, attempt(email, home), 'still the owner at home');
        const other = anEmail('other');
        await failFromBotnet(throttle, other, limits.accountMaxFailures);
        await expectBlocked(throttle, attempt(other, home), THIRTY_DAYS, 'another locked email from the owner’s address');
      });

      it('ends the lockout for every address with a success from the known address', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail('owner');
        const home = anotherIp();
        await throttle.recordSuccess(attempt(email, home));
        await failFromBotnet(throttle, email, limits.accountMaxFailures);
        await expectBlocked(throttle, attempt(email, anotherIp()), THIRTY_DAYS, 'before the success');

        await throttle.recordSuccess(attempt(email, home));

        await expectFree(throttle, attempt(email, anotherIp()), 'a fresh address after the owner’s success');
        await failFromBotnet(throttle, email, limits.accountMaxFailures - 1);
        await expectFree(throttle, attempt(email, anotherIp()), 'counted from zero again');
      });

      it('counts the known address’s own failures with the others, and still binds it by its pair', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail('owner');
        const home = anotherIp();
        await throttle.recordSuccess(attempt(email, home));

        await failedAttempt(throttle, attempt(email, home));
        await failFromBotnet(throttle, email, limits.accountMaxFailures - 1);
        await expectBlocked(throttle, attempt(email, anotherIp()), THIRTY_DAYS, 'a fresh address: home’s failure counted');

        for (let i = 1; i < limits.maxFailures; i++) await failedAttempt(throttle, attempt(email, home));
        await expectBlocked(throttle, attempt(email, home), LIMITS.windowSeconds, 'home after its pair’s own limit');
      });

      it('remembers a sign-up as a sign-in from its address, and forgets the email’s failures from before the account', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail('newcomer');
        await failFromBotnet(throttle, email, limits.accountMaxFailures);
        await expectBlocked(throttle, attempt(email, anotherIp()), THIRTY_DAYS, 'the email before it was registered');
        const home = anotherIp();

        await throttle.recordSignUp(attempt(email, home));

        await expectFree(throttle, attempt(email, anotherIp()), 'a fresh address after the sign-up');
        await failFromBotnet(throttle, email, limits.accountMaxFailures);
        await expectFree(throttle, attempt(email, home), 'the sign-up address during a new lockout');
        await expectBlocked(throttle, attempt(email, anotherIp()), THIRTY_DAYS, 'a fresh address during the new lockout');
      });

      it('keeps the pair’s failures through a sign-up', async () => {
        const { throttle } = await throttleWith(limits);
        const pair = attempt(anEmail(), anotherIp());
        await failTimes(throttle, pair, limits.maxFailures);

        await throttle.recordSignUp(pair);

        await expectBlocked(throttle, pair, LIMITS.windowSeconds, 'the pair');
      });

      it('forgets an address 30 days after its last success there, not a second earlier', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail('owner');
        const home = anotherIp();
        await throttle.recordSuccess(attempt(email, home));

        clock.advance(THIRTY_DAYS - 1);
        await failFromBotnet(throttle, email, limits.accountMaxFailures);
        await expectFree(throttle, attempt(email, home), 'a second before 30 days');

        clock.advance(1);
        await expectBlocked(throttle, attempt(email, home), THIRTY_DAYS, '30 days after the last success');
      });

      it('restarts an address’s 30 days with each success there', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail('owner');
        const home = anotherIp();
        await throttle.recordSuccess(attempt(email, home));
        clock.advance(20 * DAY);
        await throttle.recordSuccess(attempt(email, home));
        clock.advance(20 * DAY);

        await failFromBotnet(throttle, email, limits.accountMaxFailures);

        await expectFree(throttle, attempt(email, home), '40 days after the first success, 20 after the last');
      });

      it('ends the lockout when the account is cleared (a password reset), for that email only', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail('reset');
        const other = anEmail('other');
        await failFromBotnet(throttle, email, limits.accountMaxFailures);
        await failFromBotnet(throttle, other, limits.accountMaxFailures);

        await throttle.clearAccount(email);

        await expectFree(throttle, attempt(email, anotherIp()), 'the reset email');
        await expectBlocked(throttle, attempt(other, anotherIp()), THIRTY_DAYS, 'another locked email');
        await failFromBotnet(throttle, email, limits.accountMaxFailures - 1);
        await expectFree(throttle, attempt(email, anotherIp()), 'counted from zero after the reset');
      });
    });

    describe('counting the account before the password is checked (begin, abandon)', () => {
      const limits = { maxFailures: 100, ipMaxFailures: 1000, accountMaxFailures: 2 };

      it('begins attempts up to the account’s limit and refuses the one past it for the time left, counting nothing for it', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail();
        expect(await throttle.begin(attempt(email, anotherIp())), 'the 1st').to.equal(0);
        expect(await throttle.begin(attempt(email, anotherIp())), 'the 2nd').to.equal(0);

        expect(await throttle.begin(attempt(email, anotherIp())), 'the 3rd').to.equal(THIRTY_DAYS);

        await expectBlocked(throttle, attempt(email, anotherIp()), THIRTY_DAYS, 'the account with two begun');
        await throttle.abandon(attempt(email, anotherIp()));
        await expectFree(throttle, attempt(email, anotherIp()), 'one taken back: the refused 3rd had counted nothing');
      });

      it('refuses past the account’s limit only an address the account did not sign in from', async () => {
        const { throttle } = await throttleWith(limits);
        const email = anEmail();
        const home = anotherIp();
        await throttle.recordSuccess(attempt(email, home));
        await failedAttempt(throttle, attempt(email, anotherIp()));
        await failedAttempt(throttle, attempt(email, anotherIp()));

        expect(await throttle.begin(attempt(email, anotherIp())), 'a fresh address').to.equal(THIRTY_DAYS);
        expect(await throttle.begin(attempt(email, home)), 'the owner’s address').to.equal(0);
      });

      it(`lets exactly the account’s limit of ${CONCURRENT_FAILURES} attempts begun at once from as many addresses go on`, async () => {
        const { throttle } = await throttleWith({ ...limits, accountMaxFailures: 7 });
        const email = anEmail();

        const waits = await Promise.all(Array.from({ length: CONCURRENT_FAILURES }, () => throttle.begin(attempt(email, anotherIp()))));

        expect(waits.filter((w) => w === 0), 'answered 0').to.have.length(7);
        expect(waits.filter((w) => w === THIRTY_DAYS), 'refused').to.have.length(CONCURRENT_FAILURES - 7);
        await expectBlocked(throttle, attempt(email, anotherIp()), THIRTY_DAYS, 'the account');
        for (let i = 0; i < 7; i++) await throttle.abandon(attempt(email, anotherIp()));
        await expectFree(throttle, attempt(email, anotherIp()), 'all 7 taken back: the 13 refused counted nothing');
      });

      it('counts nothing against the pair or the IP when an attempt begins', async () => {
        const { throttle } = await throttleWith({ maxFailures: 2, ipMaxFailures: 2, accountMaxFailures: 100 });
        const pair = attempt(anEmail(), anotherIp());

        for (let i = 0; i < 5; i++) expect(await throttle.begin(pair)).to.equal(0);

        await expectFree(throttle, pair, 'the pair and the IP after 5 begun attempts');
      });

      it('never takes a cleared count below zero: after a success, abandoning leaves no free extra failure', async () => {
        const { throttle } = await throttleWith(limits);
        const pair = attempt(anEmail(), anotherIp());
        expect(await throttle.begin(pair)).to.equal(0);
        await throttle.recordSuccess(pair);

        await throttle.abandon(pair);
        await throttle.abandon(pair);

        await failedAttempt(throttle, attempt(pair.email, anotherIp()));
        await failedAttempt(throttle, attempt(pair.email, anotherIp()));
        await expectBlocked(throttle, attempt(pair.email, anotherIp()), THIRTY_DAYS, 'the account after two failures');
      });
    });

    describe('what the store holds', () => {
      it('stores neither the email nor the IP in clear', async function () {
        const fixture = await throttleWith();
        if (!fixture.storedCounters) this.skip();
        const email = anEmail('alice.secret');
        const ip = anotherIp();
        await failedAttempt(fixture.throttle, attempt(email, ip));
        await fixture.throttle.recordSuccess(attempt(email, ip));
        await failedAttempt(fixture.throttle, attempt(email, ip));

        const keys = (await fixture.storedCounters()).map((c) => c.key);

        expect(keys.length, `counters stored: ${keys.join(', ')}`).to.be.at.least(2);
        for (const text of [email, email.split('@')[0] ?? email, ip]) {
          expect(keys.filter((k) => k.toLowerCase().includes(text.toLowerCase())), `keys containing ${text}`).to.deep.equal([]);
        }
      });

      it('gives every stored counter a lifetime no longer than what it holds: the window, or 30 days for the account’s state', async function () {
        const fixture = await throttleWith();
        if (!fixture.storedCounters) this.skip();
        const ip = anotherIp();
        await failTimes(fixture.throttle, attempt(anEmail(), ip), LIMITS.maxFailures + 1);
        await failedAttempt(fixture.throttle, attempt(anEmail('other'), ip));
        await fixture.throttle.recordSuccess(attempt(anEmail('owner'), ip));

        const counters = await fixture.storedCounters();

        expect(counters.length).to.be.at.least(3);
        const bound: Record<CounterKind, number> = {
          pair: LIMITS.windowSeconds,
          ip: LIMITS.windowSeconds,
          account: ACCOUNT_LIFETIMES.failuresSeconds,
          address: ACCOUNT_LIFETIMES.knownAddressSeconds,
        };
        for (const counter of counters) {
          expect(counter.ttlMs, `${counter.kind} ${counter.key} expires`).to.be.greaterThan(0);
          expect(counter.ttlMs, `${counter.kind} ${counter.key} lives no longer than it counts`).to.be.at.most(bound[counter.kind] * 1000);
        }
      });
    });
  });
}
