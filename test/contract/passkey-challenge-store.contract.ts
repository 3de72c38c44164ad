import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { PasskeyChallenge, PasskeyChallengeStore } from '../../src/domain/ports/passkey-challenge-store.js';
import type { FixedClock } from '../support/fixed-clock.js';

export interface PasskeyChallengeStoreFixture {
  readonly store: PasskeyChallengeStore;
  /** The clock the store was built on (Redis keys take their TTL from it). */
  readonly clock: FixedClock;
}

const CONCURRENT_CALLERS = 10;
const LIFETIME_MS = 5 * 60 * 1000;

/** What every PasskeyChallengeStore must do: single use, bound to its ceremony and user, dead at its expiry. */
export function passkeyChallengeStoreContract(name: string, setup: () => PasskeyChallengeStoreFixture): void {
  describe(`PasskeyChallengeStore contract: ${name}`, () => {
    let store: PasskeyChallengeStore;
    let clock: FixedClock;

    const issued = async (overrides: Partial<PasskeyChallenge> = {}): Promise<PasskeyChallenge> => {
      const challenge: PasskeyChallenge = {
        value: randomBytes(32).toString('base64url'),
        ceremony: 'registration',
        userId: 'user-1',
        expiresAt: new Date(clock.now().getTime() + LIFETIME_MS),
        ...overrides,
      };
      await store.issue(challenge);
      return challenge;
    };

    beforeEach(() => {
      ({ store, clock } = setup());
    });

    it('spends a challenge once: the second consume answers false', async () => {
      const c = await issued();
      expect(await store.consume(c.value, 'registration', 'user-1', clock.now())).to.equal(true);
      expect(await store.consume(c.value, 'registration', 'user-1', clock.now())).to.equal(false);
    });

    it('gives exactly one true to ten concurrent consumes of one challenge', async () => {
      const c = await issued({ ceremony: 'authentication', userId: null });
      const results = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => store.consume(c.value, 'authentication', null, clock.now())));
      expect(results.filter(Boolean)).to.have.length(1);
    });

    it('answers false at its expiry and after, true a millisecond before', async () => {
      const early = await issued();
      const late = await issued();
      expect(await store.consume(early.value, 'registration', 'user-1', new Date(early.expiresAt.getTime() - 1))).to.equal(true);
      expect(await store.consume(late.value, 'registration', 'user-1', late.expiresAt)).to.equal(false);
    });

    it('answers false for another ceremony, and the challenge is spent by it', async () => {
      const c = await issued({ ceremony: 'registration' });
      expect(await store.consume(c.value, 'authentication', null, clock.now())).to.equal(false);
      expect(await store.consume(c.value, 'registration', 'user-1', clock.now())).to.equal(false);
    });

    it('tells the ceremonies apart by themselves, not only by the user they bind', async () => {
      const c = await issued({ ceremony: 'authentication', userId: null });
      expect(await store.consume(c.value, 'registration', null, clock.now())).to.equal(false);
    });

    it("answers false for another user's registration challenge", async () => {
      const c = await issued({ userId: 'user-1' });
      expect(await store.consume(c.value, 'registration', 'user-2', clock.now())).to.equal(false);
    });

    it('answers false for a value it never issued', async () => {
      expect(await store.consume(randomBytes(32).toString('base64url'), 'authentication', null, clock.now())).to.equal(false);
    });
  });
}
