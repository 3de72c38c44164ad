/**
 * How instances of the service tell one another that a cached record changed. A cache that uses
 * it serves hits only while `isLive()`: while the channel is down a notice could be lost, so every
 * read then goes to the store, and when the channel comes back the cache is emptied first.
 */
export interface SharedInvalidation {
  /** True while notices from other instances are arriving. */
  isLive(): boolean;
  /** Tells every other instance to forget `key` (`null`: everything); resolves once the notice is sent. Never rejects. */
  publish(key: string | null): Promise<void>;
  /** Whom to tell when another instance publishes a key (`null`: everything), or when notices may have been missed (`forgetAll`). */
  listen(listener: InvalidationListener): void;
  /** Stops listening and closes what it opened. */
  close(): Promise<void>;
}

export interface InvalidationListener {
  forget(key: string): void;
  forgetAll(): void;
}
