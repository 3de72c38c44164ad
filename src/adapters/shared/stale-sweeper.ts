/** How often in-process caches drop their expired entries. */
export const SWEEP_INTERVAL_MS = 5_000;

/**
 * Drops a cache's expired entries every few seconds. lru-cache otherwise keeps an expired entry
 * until it is read or pushed out by size, so memory would grow to the size bound under traffic
 * that never repeats a key; swept, it stays at what the TTL window holds. The timer is unref'd
 * and holds the cache only weakly, so neither keeps anything alive.
 */
export function sweepStale(cache: { purgeStale(): boolean }, everyMs = SWEEP_INTERVAL_MS): void {
  const ref = new WeakRef(cache);
  const timer: NodeJS.Timeout = setInterval(() => {
    const target = ref.deref();
    if (target) target.purgeStale();
    else clearInterval(timer);
  }, everyMs);
  timer.unref();
}
