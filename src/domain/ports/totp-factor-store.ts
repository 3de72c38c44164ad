import type { TotpFactor } from '../mfa.js';

/** TOTP factors and recovery codes, one factor per user. Returned objects are copies. */
export interface TotpFactorStore {
  /** The user's factor, pending or confirmed, or null. */
  find(userId: string): Promise<TotpFactor | null>;
  /**
   * Starts an enrolment: stores a pending factor, replacing a pending one; false (nothing
   * changed) when the user already has a confirmed factor.
   */
  savePending(factor: TotpFactor): Promise<boolean>;
  /**
   * Confirms the pending factor whose sealed secret is this one, accepting `step`, and stores the
   * recovery codes' digests in the same transaction: false when there is no such pending factor
   * (another enrolment replaced it, or it was confirmed meanwhile).
   */
  confirm(userId: string, sealedSecret: string, step: number, recoveryCodeDigests: readonly string[], at: Date): Promise<boolean>;
  /**
   * Accepts a code of time step `step` for a confirmed factor, atomically: true only when `step`
   * is later than the last accepted one (of concurrent callers with the same step, one wins).
   */
  acceptStep(userId: string, step: number): Promise<boolean>;
  /** Spends an unused recovery code of a confirmed factor, atomically: true for the one caller that spends it. */
  spendRecoveryCode(userId: string, digest: string, at: Date): Promise<boolean>;
  /** How many unused recovery codes the user has left. */
  recoveryCodesLeft(userId: string): Promise<number>;
  /** Forgets the factor and its recovery codes; false when there was none. */
  remove(userId: string): Promise<boolean>;
  /** A few confirmed factors' sealed secrets (for the start-up check that the key opens them); [] when nobody has TOTP. */
  sampleSealedSecrets(limit: number): Promise<{ readonly userId: string; readonly sealedSecret: string }[]>;
}
