import { LRUCache } from 'lru-cache';
import type { CacheStore } from 'baileys';

/**
 * The library's CacheStore over a bounded LRU: every per-instance cache the library keeps (signal keys, retry counters,
 * user devices, call offers, media uploads) is given one of these, so no cache grows with traffic.
 */
export function lruStore(max: number, ttlMs?: number): CacheStore & { readonly size: number } {
  const lru = new LRUCache<string, NonNullable<unknown>>({ max, ...(ttlMs ? { ttl: ttlMs } : {}) });
  return {
    get: <T>(key: string) => lru.get(key) as T | undefined,
    set: <T>(key: string, value: T) => {
      if (value === undefined || value === null) lru.delete(key);
      else lru.set(key, value);
    },
    del: (key: string) => lru.delete(key),
    flushAll: () => lru.clear(),
    get size() {
      return lru.size;
    },
  };
}

/** Sizes per instance: enough for a busy account, small enough that 1,000 instances fit in a few hundred MB. */
export const CACHE_LIMITS = {
  signalKeys: 2_000,
  userDevices: 2_000,
  retryCounters: 1_000,
  callOffers: 100,
  media: 100,
  groups: 500,
  lids: 10_000,
} as const;
