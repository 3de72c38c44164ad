/**
 * Removes `key` from an lru-cache in O(1). lru-cache (11.x) deletes the last entry it holds by
 * clear(), which fills arrays as long as its `max`: a cache that often holds one entry (a
 * session cache under refresh load, where every rotation forgets the session it just read) then
 * pays for its whole capacity on every write — a fifth of a refresh's CPU at max 50,000. Evicting
 * the only entry (pop) is O(1); it is the same entry, or one a miss will read again.
 */
export function forgetEntry<K>(cache: { readonly size: number; pop(): unknown; delete(key: K): boolean }, key: K): void {
  if (cache.size === 1) cache.pop();
  else cache.delete(key);
}
