import { counterAdvances, type Passkey } from '../../../domain/passkey.js';
import type { PasskeyStore } from '../../../domain/ports/passkey-store.js';
import type { InMemoryAccounts } from './in-memory-accounts.js';

const copy = (p: Passkey): Passkey => ({
  ...p,
  publicKey: new Uint8Array(p.publicKey),
  transports: [...p.transports],
  createdAt: new Date(p.createdAt),
  lastUsedAt: p.lastUsedAt === null ? null : new Date(p.lastUsedAt),
});

/** Single-threaded JavaScript makes each method atomic: no await between read and write. */
export class InMemoryPasskeyStore implements PasskeyStore {
  private readonly passkeys = new Map<string, Passkey>();

  /** With `accounts`, the in-memory users read their passkey count (`mfa.passkeys`) from here. */
  constructor(accounts?: InMemoryAccounts) {
    if (accounts) accounts.factors.passkeyCount = (userId) => this.of(userId).length;
  }

  add(passkey: Passkey): Promise<boolean> {
    if (this.passkeys.has(passkey.id)) return Promise.resolve(false);
    this.passkeys.set(passkey.id, copy(passkey));
    return Promise.resolve(true);
  }

  listFor(userId: string): Promise<Passkey[]> {
    return Promise.resolve(this.of(userId).map(copy));
  }

  countFor(userId: string): Promise<number> {
    return Promise.resolve(this.of(userId).length);
  }

  findById(id: string): Promise<Passkey | null> {
    const found = this.passkeys.get(id);
    return Promise.resolve(found ? copy(found) : null);
  }

  removeFor(userId: string, id: string): Promise<boolean> {
    if (this.passkeys.get(id)?.userId !== userId) return Promise.resolve(false);
    this.passkeys.delete(id);
    return Promise.resolve(true);
  }

  recordUse(id: string, counter: number, at: Date): Promise<boolean> {
    const found = this.passkeys.get(id);
    if (!found || !counterAdvances(found.counter, counter)) return Promise.resolve(false);
    this.passkeys.set(id, { ...found, counter, lastUsedAt: new Date(at) });
    return Promise.resolve(true);
  }

  private of(userId: string): Passkey[] {
    return [...this.passkeys.values()]
      .filter((p) => p.userId === userId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  }
}
