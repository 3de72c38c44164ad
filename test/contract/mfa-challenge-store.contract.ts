import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { MFA_MAX_FAILURES, MFA_TOKEN_SECONDS, type MfaChallenge } from '../../src/domain/mfa.js';
import type { MfaChallengeStore } from '../../src/domain/ports/mfa-challenge-store.js';
import type { FixedClock } from '../support/fixed-clock.js';
import { anEmail, type Mutable } from './builders.js';

export interface MfaChallengeStoreFixture {
  readonly store: MfaChallengeStore;
  /** The clock the store was built on (Redis keys take their TTL from it). */
  readonly clock: FixedClock;
}

const CONCURRENT_CALLERS = 10;

/** What every MfaChallengeStore must do: single use, voided by too many wrong codes, dead at its expiry. */
export function mfaChallengeStoreContract(name: string, setup: () => MfaChallengeStoreFixture): void {
  describe(`MfaChallengeStore contract: ${name}`, () => {
    let store: MfaChallengeStore;
    let clock: FixedClock;

    const issued = async (overrides: Partial<MfaChallenge> = {}): Promise<MfaChallenge> => {
      const challenge: MfaChallenge = {
        tokenDigest: randomBytes(32).toString('base64url'),
        userId: 'user-1',
        mode: 'bearer',
        amr: ['pwd'],
        throttleKey: { email: anEmail(), clientIp: '203.0.113.7' },
        expiresAt: new Date(clock.now().getTime() + MFA_TOKEN_SECONDS * 1000),
        ...overrides,
      };
      await store.issue(challenge);
      return challenge;
    };

    beforeEach(() => {
      ({ store, clock } = setup());
    });

    describe('find', () => {
      it('finds an issued challenge with every field intact, and finding does not spend it', async () => {
        const c = await issued({ mode: 'cookie', amr: ['fed'], userId: 'user-2' });
        expect(await store.find(c.tokenDigest, clock.now())).to.deep.equal(c);
        expect(await store.find(c.tokenDigest, clock.now())).to.deep.equal(c);
        expect(await store.consume(c.tokenDigest, clock.now())).to.deep.equal(c);
      });

      it('judges expiry at the `now` it is given: found a millisecond before, null at the expiry and after', async () => {
        const c = await issued();
        const expiry = c.expiresAt.getTime();
        expect(await store.find(c.tokenDigest, new Date(expiry - 1))).to.deep.equal(c);
        expect(await store.find(c.tokenDigest, new Date(expiry))).to.equal(null);
        expect(await store.find(c.tokenDigest, new Date(expiry + 60_000))).to.equal(null);
      });

      it('answers null for a digest it never issued', async () => {
        await issued();
        expect(await store.find(randomBytes(32).toString('base64url'), clock.now())).to.equal(null);
      });

      it('hands out copies: changing a returned challenge changes nothing stored', async () => {
        const c = await issued();
        type Writable = Omit<Mutable<MfaChallenge>, 'amr' | 'throttleKey'> & { amr: string[]; throttleKey: Mutable<MfaChallenge['throttleKey']> };
        const found = (await store.find(c.tokenDigest, clock.now())) as unknown as Writable;
        found.expiresAt.setTime(found.expiresAt.getTime() + 3_600_000);
        found.amr.push('otp');
        found.throttleKey.email = 'someone.else@example.com';
        found.userId = 'user-9';
        expect(await store.find(c.tokenDigest, clock.now())).to.deep.equal(c);
        expect(await store.find(c.tokenDigest, c.expiresAt), 'its expiry did not move').to.equal(null);
      });
    });

    describe('consume', () => {
      it('spends a challenge once: the second consume and any find answer null', async () => {
        const c = await issued();
        expect(await store.consume(c.tokenDigest, clock.now())).to.deep.equal(c);
        expect(await store.consume(c.tokenDigest, clock.now())).to.equal(null);
        expect(await store.find(c.tokenDigest, clock.now())).to.equal(null);
      });

      it('gives the challenge to exactly one of ten concurrent consumes', async () => {
        const c = await issued();
        const results = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => store.consume(c.tokenDigest, clock.now())));
        expect(results.filter((r) => r !== null)).to.deep.equal([c]);
      });

      it('answers null at the expiry, and nobody gets the challenge after that, even with an earlier time', async () => {
        const c = await issued();
        expect(await store.consume(c.tokenDigest, c.expiresAt)).to.equal(null);
        expect(await store.consume(c.tokenDigest, clock.now())).to.equal(null);
      });

      it('answers null for a digest it never issued', async () => {
        expect(await store.consume(randomBytes(32).toString('base64url'), clock.now())).to.equal(null);
      });
    });

    describe('recordFailure', () => {
      it(`counts wrong codes, and voids the challenge at the limit (${MFA_MAX_FAILURES})`, async () => {
        const c = await issued();
        for (let n = 1; n < MFA_MAX_FAILURES; n++) {
          expect(await store.recordFailure(c.tokenDigest, MFA_MAX_FAILURES)).to.equal(n);
          expect(await store.find(c.tokenDigest, clock.now()), `live after ${n}`).to.deep.equal(c);
        }
        expect(await store.recordFailure(c.tokenDigest, MFA_MAX_FAILURES)).to.equal(MFA_MAX_FAILURES);
        expect(await store.find(c.tokenDigest, clock.now())).to.equal(null);
        expect(await store.consume(c.tokenDigest, clock.now())).to.equal(null);
        expect(await store.recordFailure(c.tokenDigest, MFA_MAX_FAILURES), 'gone').to.equal(0);
      });

      it('counts each challenge apart', async () => {
        const a = await issued();
        const b = await issued();
        await store.recordFailure(a.tokenDigest, MFA_MAX_FAILURES);
        await store.recordFailure(a.tokenDigest, MFA_MAX_FAILURES);
        expect(await store.recordFailure(b.tokenDigest, MFA_MAX_FAILURES)).to.equal(1);
      });

      it('counts 0 for a digest it never issued, and for a spent challenge', async () => {
        const c = await issued();
        expect(await store.recordFailure(randomBytes(32).toString('base64url'), MFA_MAX_FAILURES)).to.equal(0);
        await store.consume(c.tokenDigest, clock.now());
        expect(await store.recordFailure(c.tokenDigest, MFA_MAX_FAILURES)).to.equal(0);
      });

      it('a right code after a few wrong ones still spends the challenge', async () => {
        const c = await issued();
        for (let n = 1; n < MFA_MAX_FAILURES; n++) await store.recordFailure(c.tokenDigest, MFA_MAX_FAILURES);
        expect(await store.consume(c.tokenDigest, clock.now())).to.deep.equal(c);
      });
    });
  });
}
