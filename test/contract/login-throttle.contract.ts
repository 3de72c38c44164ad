import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { ThrottleLimits } from '../../src/adapters/throttle/limiters.js';
import type { LoginAttempt, LoginThrottle } from '../../src/domain/ports/login-throttle.js';

/** One counter as the rate-limit store holds it. */
export interface StoredCounter {
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

export type LoginThrottleSetup = (limits: ThrottleLimits) => Promise<LoginThrottleFixture>;

const LIMITS: ThrottleLimits = { maxFailures: 3, windowSeconds: 60, ipMaxFailures: 10 };
const CONCURRENT_FAILURES = 20;

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

    /** A throttle with these limits, torn down after the test. */
    const throttleWith = async (limits: Partial<ThrottleLimits> = {}): Promise<LoginThrottleFixture> => {
      const fixture = await setup({ ...LIMITS, ...limits });
      fixtures.push(fixture);
      return fixture;
    };

    const failTimes = async (throttle: LoginThrottle, at: LoginAttempt, times: number): Promise<void> => {
      for (let i = 0; i < times; i++) await throttle.recordFailure(at);
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

    describe('what the store holds', () => {
      it('stores neither the email nor the IP in clear', async function () {
        const fixture = await throttleWith();
        if (!fixture.storedCounters) this.skip();
        const email = anEmail('alice.secret');
        const ip = anotherIp();
        await fixture.throttle.recordFailure(attempt(email, ip));

        const keys = (await fixture.storedCounters()).map((c) => c.key);

        expect(keys.length, `counters stored: ${keys.join(', ')}`).to.be.at.least(2);
        for (const text of [email, email.split('@')[0] ?? email, ip]) {
          expect(keys.filter((k) => k.toLowerCase().includes(text.toLowerCase())), `keys containing ${text}`).to.deep.equal([]);
        }
      });

      it('gives every stored counter a lifetime no longer than the window', async function () {
        const fixture = await throttleWith();
        if (!fixture.storedCounters) this.skip();
        const ip = anotherIp();
        await failTimes(fixture.throttle, attempt(anEmail(), ip), LIMITS.maxFailures + 1);
        await fixture.throttle.recordFailure(attempt(anEmail('other'), ip));

        const counters = await fixture.storedCounters();

        expect(counters.length).to.be.at.least(3);
        for (const counter of counters) {
          expect(counter.ttlMs, `${counter.key} expires`).to.be.greaterThan(0);
          expect(counter.ttlMs, `${counter.key} lives no longer than the window`).to.be.at.most(LIMITS.windowSeconds * 1000);
        }
      });
    });
  });
}
