import type { Passkey } from '../passkey.js';

/** The passkeys of every account, by credential id. Returned objects are copies. */
export interface PasskeyStore {
  /** Stores a new passkey; false (and nothing stored) when a passkey with its credential id exists, whoever owns it. */
  add(passkey: Passkey): Promise<boolean>;
  /** The user's passkeys, oldest first. */
  listFor(userId: string): Promise<Passkey[]>;
  /** How many passkeys the user has (the MFA_REQUIRED answer's `methods` and the user's `mfa.passkeys`). */
  countFor(userId: string): Promise<number>;
  /** The passkey with this credential id, or null. */
  findById(id: string): Promise<Passkey | null>;
  /** Forgets the passkey when it is the user's: false when it is unknown or another user's. */
  removeFor(userId: string, id: string): Promise<boolean>;
  /**
   * Records a sign-in: sets the counter and lastUsedAt in one atomic step, only when the counter
   * advances (counterAdvances: greater than stored, or 0 kept at 0). False when it does not, or
   * the passkey is gone; of concurrent callers presenting the same counter, one at most wins.
   */
  recordUse(id: string, counter: number, at: Date): Promise<boolean>;
}
