import { LRUCache } from 'lru-cache';
import { forgetEntry } from '../../shared/lru-forget.js';
import type { SharedInvalidation } from '../../shared/shared-invalidation.js';
import { sweepStale } from '../../shared/stale-sweeper.js';

export interface ReadThroughCacheOptions {
  /** How many entries stay in memory. */
  readonly max: number;
  /** How long an entry may be served without asking the store again, in ms. */
  readonly ttlMs: number;
  /**
   * Other instances' writes, heard and told: with it, every write here is published to them, what
   * they publish is forgotten here, and nothing is served from memory while the channel is down.
   */
  readonly shared?: SharedInvalidation;
}

/**
 * A bounded, short-lived read-through cache with write invalidation. A read that raced with a
 * write never fills the cache (a generation counter), so an invalidation can't be undone by a
 * slower read that started before it.
 */
export class ReadThroughCache<V extends object> {
  private readonly entries: LRUCache<string, V>;
  private readonly shared: SharedInvalidation | null;
  private generation = 0;

  constructor(
    options: ReadThroughCacheOptions,
    private readonly clone: (value: V) => V,
  ) {
    this.entries = new LRUCache<string, V>({ max: options.max, ttl: options.ttlMs, ttlAutopurge: false });
    if (options.ttlMs > 0) sweepStale(this.entries);
    this.shared = options.shared ?? null;
    this.shared?.listen({ forget: (key) => this.invalidate(key), forgetAll: () => this.invalidateWhere(() => true) });
  }

  async get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    if (this.shared && !this.shared.isLive()) return load();
    const hit = this.entries.get(key);
    if (hit) return this.clone(hit);
    const generation = this.generation;
    const value = await load();
    if (value && generation === this.generation) this.entries.set(key, this.clone(value));
    return value;
  }

  /** Forgets one key, and stops every read in flight from filling the cache. */
  invalidate(key: string): void {
    this.generation += 1;
    forgetEntry(this.entries, key);
  }

  /**
   * Runs a write to the store with `key` forgotten before it starts and again once it has ended,
   * so neither an entry read before it nor a read racing with it outlives what it replaced; other
   * instances are told once it has ended, before its caller answers.
   */
  writing<T>(key: string, write: () => Promise<T>): Promise<T> {
    return this.forgettingAround(() => this.invalidate(key), write, key);
  }

  /** `writing` for every entry the predicate picks (other instances forget everything). */
  writingWhere<T>(pick: (value: V) => boolean, write: () => Promise<T>): Promise<T> {
    return this.forgettingAround(() => this.invalidateWhere(pick), write, null);
  }

  private async forgettingAround<T>(forget: () => void, write: () => Promise<T>, published: string | null): Promise<T> {
    forget();
    try {
      return await write();
    } finally {
      forget();
      // A failed write may still have reached the store: the others forget it either way.
      await this.shared?.publish(published);
    }
  }

  /** Forgets every key the predicate picks. */
  invalidateWhere(pick: (value: V) => boolean): void {
    this.generation += 1;
    for (const [key, value] of [...this.entries.entries()]) if (pick(value)) forgetEntry(this.entries, key);
  }
}
