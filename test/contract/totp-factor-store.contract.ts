import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { totpStepAt, type TotpFactor } from '../../src/domain/mfa.js';
import type { PasskeyStore } from '../../src/domain/ports/passkey-store.js';
import type { TotpFactorStore } from '../../src/domain/ports/totp-factor-store.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import { anEmailTokenDigest, at, aUser, type Mutable } from './builders.js';
import { aPasskey } from './passkey-store.contract.js';

export interface TotpFactorStoreFixture {
  readonly store: TotpFactorStore;
  /** Of the same family as the store: SQL factors need their user row (foreign key), and the users read `mfa` from them. */
  readonly users: UserRepository;
  /** Of the same family too: the users' `mfa.passkeys` counts these. */
  readonly passkeys: PasskeyStore;
  teardown(): Promise<void>;
}

const CONCURRENT_CALLERS = 10;
const CREATED_AT = at('2026-03-01T10:00:00.001Z');
const CONFIRMED_AT = at('2026-03-01T10:01:02.345Z');
/** A real time step of 2026 (about 59 million): the column must hold it exactly. */
const STEP = totpStepAt(CONFIRMED_AT);
const SPENT_AT = at('2026-03-02T08:00:00.000Z');

/** Shaped like what AesGcmSecretBox seals a 32-character base32 secret into (the column holds 200). */
const aSealedSecret = (): string => ['v1', randomBytes(12), randomBytes(16), randomBytes(32)].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');

/** A pending factor as StartTotpEnrolment stores it. */
export const aPendingFactor = (userId: string, overrides: Partial<TotpFactor> = {}): TotpFactor => ({
  userId,
  sealedSecret: aSealedSecret(),
  createdAt: CREATED_AT,
  confirmedAt: null,
  lastUsedStep: null,
  ...overrides,
});

/** Ten recovery code digests, as OtplibTotpCodes makes them (SHA-256, hex). */
const digests = (count = 10): string[] => Array.from({ length: count }, anEmailTokenDigest);

/** What every TotpFactorStore must do, whatever stores it. */
export function totpFactorStoreContract(name: string, setup: () => Promise<TotpFactorStoreFixture>, { cascadesUserDeletion = true } = {}): void {
  describe(`TotpFactorStore contract: ${name}`, () => {
    let fixture: TotpFactorStoreFixture | undefined;
    let store: TotpFactorStore;
    let users: UserRepository;
    let userId: string;

    const newUserId = async (): Promise<string> => (await users.create(aUser())).id;
    const pending = async (owner = userId, overrides: Partial<TotpFactor> = {}): Promise<TotpFactor> => {
      const factor = aPendingFactor(owner, overrides);
      expect(await store.savePending(factor)).to.equal(true);
      return factor;
    };
    /** A confirmed factor at STEP with ten recovery codes; returns the codes' digests. */
    const confirmed = async (owner = userId): Promise<{ factor: TotpFactor; codes: string[] }> => {
      const factor = await pending(owner);
      const codes = digests();
      expect(await store.confirm(owner, factor.sealedSecret, STEP, codes, CONFIRMED_AT)).to.equal(true);
      return { factor, codes };
    };

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
      users = fixture.users;
      userId = await newUserId();
    });

    afterEach(async () => {
      await fixture?.teardown();
      fixture = undefined;
    });

    describe('savePending and find', () => {
      it('finds a pending factor with every field intact, the creation time to the millisecond', async () => {
        const factor = await pending();
        const found = await store.find(userId);
        expect(found).to.deep.equal(factor);
        expect(found?.createdAt.toISOString()).to.equal('2026-03-01T10:00:00.001Z');
      });

      it('answers null for a user without a factor', async () => {
        await pending();
        expect(await store.find(await newUserId())).to.equal(null);
      });

      it('replaces a pending factor with a new enrolment: only the new secret can be confirmed', async () => {
        const first = await pending();
        const second = await pending(userId, { createdAt: at('2026-03-01T10:05:00.000Z') });
        expect(await store.find(userId)).to.deep.equal(second);
        expect(await store.confirm(userId, first.sealedSecret, STEP, digests(), CONFIRMED_AT)).to.equal(false);
        expect(await store.confirm(userId, second.sealedSecret, STEP, digests(), CONFIRMED_AT)).to.equal(true);
      });

      it('refuses a new enrolment over a confirmed factor and changes nothing: secret, step, recovery codes', async () => {
        const { factor, codes } = await confirmed();
        expect(await store.savePending(aPendingFactor(userId))).to.equal(false);
        const found = await store.find(userId);
        expect(found?.sealedSecret).to.equal(factor.sealedSecret);
        expect(found?.confirmedAt?.toISOString()).to.equal(CONFIRMED_AT.toISOString());
        expect(found?.lastUsedStep).to.equal(STEP);
        expect(await store.recoveryCodesLeft(userId)).to.equal(codes.length);
      });

      it('hands out copies: changing a returned factor, or the one saved, changes nothing stored', async () => {
        const factor = aPendingFactor(userId);
        const saved = { ...factor, createdAt: new Date(factor.createdAt) } as Mutable<TotpFactor>;
        expect(await store.savePending(saved)).to.equal(true);
        saved.createdAt.setTime(0);
        saved.sealedSecret = 'changed';
        const found = (await store.find(userId)) as Mutable<TotpFactor>;
        found.createdAt.setTime(0);
        found.sealedSecret = 'changed';
        found.lastUsedStep = 1;
        expect(await store.find(userId)).to.deep.equal(factor);
      });
    });

    describe('confirm', () => {
      it('confirms the pending factor: confirmation time to the millisecond, the confirming step as the last one used', async () => {
        const factor = await pending();
        expect(await store.confirm(userId, factor.sealedSecret, STEP, digests(), CONFIRMED_AT)).to.equal(true);
        expect(await store.find(userId)).to.deep.equal({ ...factor, confirmedAt: CONFIRMED_AT, lastUsedStep: STEP });
      });

      it('stores the recovery codes it is given, each spendable', async () => {
        const factor = await pending();
        const codes = digests();
        expect(await store.confirm(userId, factor.sealedSecret, STEP, codes, CONFIRMED_AT)).to.equal(true);
        expect(await store.recoveryCodesLeft(userId)).to.equal(10);
        for (const code of codes) expect(await store.spendRecoveryCode(userId, code, SPENT_AT)).to.equal(true);
        expect(await store.recoveryCodesLeft(userId)).to.equal(0);
      });

      it('refuses another sealed secret than the pending one, and the factor stays pending', async () => {
        const factor = await pending();
        expect(await store.confirm(userId, aSealedSecret(), STEP, digests(), CONFIRMED_AT)).to.equal(false);
        expect(await store.find(userId)).to.deep.equal(factor);
        expect(await store.recoveryCodesLeft(userId)).to.equal(0);
      });

      it('refuses to confirm twice: the first recovery codes and step stand', async () => {
        const { factor, codes } = await confirmed();
        const later = digests();
        expect(await store.confirm(userId, factor.sealedSecret, STEP + 5, later, at('2026-03-01T11:00:00.000Z'))).to.equal(false);
        expect((await store.find(userId))?.lastUsedStep).to.equal(STEP);
        expect(await store.spendRecoveryCode(userId, later[0] ?? '', SPENT_AT)).to.equal(false);
        expect(await store.spendRecoveryCode(userId, codes[0] ?? '', SPENT_AT)).to.equal(true);
      });

      it('refuses when nothing is pending', async () => {
        expect(await store.confirm(userId, aSealedSecret(), STEP, digests(), CONFIRMED_AT)).to.equal(false);
        expect(await store.find(userId)).to.equal(null);
      });

      it("does not confirm another user's pending factor with its secret", async () => {
        const other = await newUserId();
        const factor = await pending(other);
        expect(await store.confirm(userId, factor.sealedSecret, STEP, digests(), CONFIRMED_AT)).to.equal(false);
        expect((await store.find(other))?.confirmedAt).to.equal(null);
      });

      it('a new enrolment after removal holds only its own recovery codes: the old ones are gone', async () => {
        const { codes: old } = await confirmed();
        expect(await store.remove(userId)).to.equal(true);
        const { codes: fresh } = await confirmed();
        expect(await store.recoveryCodesLeft(userId)).to.equal(fresh.length);
        expect(await store.spendRecoveryCode(userId, old[0] ?? '', SPENT_AT)).to.equal(false);
        expect(await store.spendRecoveryCode(userId, fresh[0] ?? '', SPENT_AT)).to.equal(true);
      });
    });

    describe('acceptStep: each step once, never an earlier one', () => {
      it('accepts a later step and records it; refuses that step again, the confirming step, and earlier ones', async () => {
        await confirmed();
        expect(await store.acceptStep(userId, STEP), 'the confirming step').to.equal(false);
        expect(await store.acceptStep(userId, STEP - 1), 'an earlier step').to.equal(false);
        expect(await store.acceptStep(userId, STEP + 1)).to.equal(true);
        expect((await store.find(userId))?.lastUsedStep).to.equal(STEP + 1);
        expect(await store.acceptStep(userId, STEP + 1), 'the same step again').to.equal(false);
        expect(await store.acceptStep(userId, STEP), 'a step before the last accepted').to.equal(false);
        expect(await store.acceptStep(userId, STEP + 3), 'a step after a gap').to.equal(true);
        expect((await store.find(userId))?.lastUsedStep).to.equal(STEP + 3);
      });

      it('refuses any step for a pending factor and for a user without one', async () => {
        await pending();
        expect(await store.acceptStep(userId, STEP)).to.equal(false);
        expect((await store.find(userId))?.lastUsedStep).to.equal(null);
        expect(await store.acceptStep(await newUserId(), STEP)).to.equal(false);
      });

      it("leaves another user's last step alone", async () => {
        const other = await newUserId();
        await confirmed();
        await confirmed(other);
        expect(await store.acceptStep(userId, STEP + 2)).to.equal(true);
        expect((await store.find(other))?.lastUsedStep).to.equal(STEP);
        expect(await store.acceptStep(other, STEP + 1)).to.equal(true);
      });

      it('gives exactly one true to ten concurrent callers presenting the same step', async () => {
        await confirmed();
        const results = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => store.acceptStep(userId, STEP + 1)));
        expect(results.filter(Boolean)).to.have.length(1);
        expect((await store.find(userId))?.lastUsedStep).to.equal(STEP + 1);
      });
    });

    describe('recovery codes', () => {
      it('spends a code once and counts what is left', async () => {
        const { codes } = await confirmed();
        const [code] = codes as [string];
        expect(await store.spendRecoveryCode(userId, code, SPENT_AT)).to.equal(true);
        expect(await store.recoveryCodesLeft(userId)).to.equal(9);
        expect(await store.spendRecoveryCode(userId, code, SPENT_AT)).to.equal(false);
        expect(await store.recoveryCodesLeft(userId)).to.equal(9);
      });

      it('answers false for a digest it never stored, and for another user’s code', async () => {
        const { codes } = await confirmed();
        const other = await newUserId();
        await confirmed(other);
        expect(await store.spendRecoveryCode(userId, anEmailTokenDigest(), SPENT_AT)).to.equal(false);
        expect(await store.spendRecoveryCode(other, codes[0] ?? '', SPENT_AT)).to.equal(false);
        expect(await store.recoveryCodesLeft(userId)).to.equal(10);
        expect(await store.recoveryCodesLeft(other)).to.equal(10);
      });

      it('refuses to spend anything for a pending factor, and counts 0 for it and for a user without a factor', async () => {
        await pending();
        expect(await store.spendRecoveryCode(userId, anEmailTokenDigest(), SPENT_AT)).to.equal(false);
        expect(await store.recoveryCodesLeft(userId)).to.equal(0);
        expect(await store.recoveryCodesLeft(await newUserId())).to.equal(0);
      });

      it('gives exactly one true to ten concurrent callers spending the same code', async () => {
        const { codes } = await confirmed();
        const results = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => store.spendRecoveryCode(userId, codes[3] ?? '', SPENT_AT)));
        expect(results.filter(Boolean)).to.have.length(1);
        expect(await store.recoveryCodesLeft(userId)).to.equal(9);
      });
    });

    describe('remove', () => {
      it('forgets the factor and its recovery codes; a second remove answers false', async () => {
        const { codes } = await confirmed();
        expect(await store.remove(userId)).to.equal(true);
        expect(await store.find(userId)).to.equal(null);
        expect(await store.recoveryCodesLeft(userId)).to.equal(0);
        expect(await store.spendRecoveryCode(userId, codes[0] ?? '', SPENT_AT)).to.equal(false);
        expect(await store.acceptStep(userId, STEP + 1)).to.equal(false);
        expect(await store.remove(userId)).to.equal(false);
      });

      it("removes a pending factor too, and leaves another user's factor in place", async () => {
        const other = await newUserId();
        await confirmed(other);
        await pending();
        expect(await store.remove(userId)).to.equal(true);
        expect(await store.find(userId)).to.equal(null);
        expect((await store.find(other))?.confirmedAt).to.not.equal(null);
        expect(await store.recoveryCodesLeft(other)).to.equal(10);
      });

      it('lets a removed factor be enrolled again', async () => {
        await confirmed();
        await store.remove(userId);
        await pending();
        expect((await store.find(userId))?.confirmedAt).to.equal(null);
      });
    });

    describe('sampleSealedSecrets', () => {
      it('answers [] when nobody has TOTP on, pending enrolments not counting', async () => {
        await pending();
        expect(await store.sampleSealedSecrets(3)).to.deep.equal([]);
      });

      it('samples only confirmed factors, with their owner, at most `limit`', async () => {
        const first = await confirmed();
        const secondUser = await newUserId();
        const second = await confirmed(secondUser);
        await pending(await newUserId());
        const all = await store.sampleSealedSecrets(3);
        const byOwner = (a: { userId: string }, b: { userId: string }) => (a.userId < b.userId ? -1 : 1);
        expect([...all].sort(byOwner)).to.deep.equal(
          [
            { userId, sealedSecret: first.factor.sealedSecret },
            { userId: secondUser, sealedSecret: second.factor.sealedSecret },
          ].sort(byOwner),
        );
        expect(await store.sampleSealedSecrets(1)).to.have.length(1);
      });
    });

    describe("the user's `mfa` summary, read by the users of the same family", () => {
      it('shows TOTP on only once the factor is confirmed, and off again once removed', async () => {
        expect((await users.findById(userId))?.mfa).to.deep.equal({ totp: false, passkeys: 0 });
        const factor = await pending();
        expect((await users.findById(userId))?.mfa.totp, 'pending').to.equal(false);
        await store.confirm(userId, factor.sealedSecret, STEP, digests(), CONFIRMED_AT);
        expect((await users.findById(userId))?.mfa).to.deep.equal({ totp: true, passkeys: 0 });
        await store.remove(userId);
        expect((await users.findById(userId))?.mfa.totp, 'removed').to.equal(false);
      });

      it("counts the user's passkeys, and only theirs", async () => {
        const passkeys = (fixture as TotpFactorStoreFixture).passkeys;
        const other = await newUserId();
        await passkeys.add(aPasskey(userId));
        await passkeys.add(aPasskey(userId));
        await passkeys.add(aPasskey(other));
        await confirmed();
        expect((await users.findById(userId))?.mfa).to.deep.equal({ totp: true, passkeys: 2 });
        expect((await users.findById(other))?.mfa).to.deep.equal({ totp: false, passkeys: 1 });
      });
    });

    if (cascadesUserDeletion) {
      it("forgets a user's factor and recovery codes when the user is deleted", async () => {
        await confirmed();
        await users.delete(userId);
        expect(await store.find(userId)).to.equal(null);
        expect(await store.recoveryCodesLeft(userId)).to.equal(0);
        expect(await store.sampleSealedSecrets(3)).to.deep.equal([]);
      });
    }
  });
}
