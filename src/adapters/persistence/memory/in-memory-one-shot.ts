import { LRUCache } from 'lru-cache';
import { forgetEntry } from '../../shared/lru-forget.js';

/**
 * Single-use records in this process, the mechanism under the in-memory passkey challenges and
 * provider sign-in states (several instances need REDIS_URL, as the login throttle does). Bounded:
 * past `maxEntries` the oldest are forgotten first, so a flood of starts cannot exhaust memory; a
 * forgotten record fails its ceremony or callback, never opens one.
 */
export class InMemoryOneShot<T extends object> {
  private readonly records: LRUCache<string, T>;

  constructor(maxEntries = 100_000) {
    this.records = new LRUCache({ max: maxEntries });
  }

  put(key: string, record: T): void {
    this.records.set(key, record);
  }

  /** The record, gone for every later caller; null when there is none. */
  take(key: string): T | null {
    const found = this.records.get(key);
    if (!found) return null;
    forgetEntry(this.records, key);
    return found;
  }
}
