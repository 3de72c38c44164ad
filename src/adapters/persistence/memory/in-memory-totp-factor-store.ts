import type { TotpFactor } from '../../../domain/mfa.js';
import type { TotpFactorStore } from '../../../domain/ports/totp-factor-store.js';
import type { InMemoryAccounts } from './in-memory-accounts.js';

const copy = (f: TotpFactor): TotpFactor => ({ ...f, createdAt: new Date(f.createdAt), confirmedAt: f.confirmedAt && new Date(f.confirmedAt) });

interface Stored {
  factor: TotpFactor;
  /** Recovery code digest → when it was spent (null: unused). */
  readonly recovery: Map<string, Date | null>;
}

/** Single-threaded JavaScript makes each method atomic: no await between read and write. */
export class InMemoryTotpFactorStore implements TotpFactorStore {
  private readonly factors = new Map<string, Stored>();

  /** With `accounts`, the in-memory users read whether TOTP is on (`mfa.totp`) from here. */
  constructor(accounts?: InMemoryAccounts) {
    if (accounts) accounts.factors.totpOn = (userId) => Boolean(this.factors.get(userId)?.factor.confirmedAt);
  }

  find(userId: string): Promise<TotpFactor | null> {
    const stored = this.factors.get(userId);
    return Promise.resolve(stored ? copy(stored.factor) : null);
  }

  savePending(factor: TotpFactor): Promise<boolean> {
    if (this.factors.get(factor.userId)?.factor.confirmedAt) return Promise.resolve(false);
    this.factors.set(factor.userId, { factor: copy({ ...factor, confirmedAt: null, lastUsedStep: null }), recovery: new Map() });
    return Promise.resolve(true);
  }

  confirm(userId: string, sealedSecret: string, step: number, recoveryCodeDigests: readonly string[], at: Date): Promise<boolean> {
    const stored = this.factors.get(userId);
    if (!stored || stored.factor.confirmedAt || stored.factor.sealedSecret !== sealedSecret) return Promise.resolve(false);
    stored.factor = { ...stored.factor, confirmedAt: new Date(at), lastUsedStep: step };
    for (const digest of recoveryCodeDigests) stored.recovery.set(digest, null);
    return Promise.resolve(true);
  }

  acceptStep(userId: string, step: number): Promise<boolean> {
    const stored = this.factors.get(userId);
    if (!stored?.factor.confirmedAt) return Promise.resolve(false);
    const last = stored.factor.lastUsedStep;
    if (last !== null && step <= last) return Promise.resolve(false);
    stored.factor = { ...stored.factor, lastUsedStep: step };
    return Promise.resolve(true);
  }

  spendRecoveryCode(userId: string, digest: string, at: Date): Promise<boolean> {
    const stored = this.factors.get(userId);
    if (!stored?.factor.confirmedAt || stored.recovery.get(digest) !== null) return Promise.resolve(false);
    stored.recovery.set(digest, new Date(at));
    return Promise.resolve(true);
  }

  recoveryCodesLeft(userId: string): Promise<number> {
    const stored = this.factors.get(userId);
    return Promise.resolve(stored ? [...stored.recovery.values()].filter((v) => v === null).length : 0);
  }

  remove(userId: string): Promise<boolean> {
    return Promise.resolve(this.factors.delete(userId));
  }

  sampleSealedSecrets(limit: number): Promise<{ readonly userId: string; readonly sealedSecret: string }[]> {
    const confirmed = [...this.factors.values()].filter((s) => s.factor.confirmedAt).slice(0, limit);
    return Promise.resolve(confirmed.map((s) => ({ userId: s.factor.userId, sealedSecret: s.factor.sealedSecret })));
  }
}
