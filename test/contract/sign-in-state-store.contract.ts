import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { SignInStateStore } from '../../src/domain/ports/sign-in-state-store.js';
import type { FixedClock } from '../support/fixed-clock.js';

export interface SignInStateStoreFixture {
  readonly store: SignInStateStore;
  /** The clock the store was built on (Redis keys take their TTL from it). */
  readonly clock: FixedClock;
}

const CONCURRENT_CALLBACKS = 10;
const LIFETIME_MS = 10 * 60 * 1000;

/** What every SignInStateStore must do: single use, bound to its provider, dead at its expiry. */
export function signInStateStoreContract(name: string, setup: () => SignInStateStoreFixture): void {
  describe(`SignInStateStore contract: ${name}`, () => {
    let store: SignInStateStore;
    let clock: FixedClock;
    const digest = () => randomBytes(32).toString('hex');
    const issued = async (provider = 'google'): Promise<string> => {
      const d = digest();
      await store.issue(d, provider, new Date(clock.now().getTime() + LIFETIME_MS));
      return d;
    };

    beforeEach(() => {
      ({ store, clock } = setup());
    });

    it('spends a state once: a replayed callback answers false', async () => {
      const d = await issued();
      expect(await store.consume(d, 'google', clock.now())).to.equal(true);
      expect(await store.consume(d, 'google', clock.now())).to.equal(false);
    });

    it('gives exactly one true to ten concurrent callbacks with one state', async () => {
      const d = await issued('github');
      const results = await Promise.all(Array.from({ length: CONCURRENT_CALLBACKS }, () => store.consume(d, 'github', clock.now())));
      expect(results.filter(Boolean)).to.have.length(1);
    });

    it('answers false for a state it never issued, and for one of another provider (which is then spent too)', async () => {
      expect(await store.consume(digest(), 'google', clock.now())).to.equal(false);
      const d = await issued('google');
      expect(await store.consume(d, 'acme', clock.now())).to.equal(false);
      expect(await store.consume(d, 'google', clock.now()), 'spent by the wrong try').to.equal(false);
    });

    it('answers false at its expiry, true a millisecond before', async () => {
      const early = await issued();
      const late = await issued();
      clock.advance(LIFETIME_MS / 1000 - 0.001);
      expect(await store.consume(early, 'google', clock.now())).to.equal(true);
      clock.advance(0.001);
      expect(await store.consume(late, 'google', clock.now())).to.equal(false);
    });
  });
}
