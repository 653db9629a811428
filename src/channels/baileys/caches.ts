import type { CacheStore } from 'baileys';

/**
 * A bounded LRU map over a plain Map (insertion order = recency): unlike lru-cache, it allocates nothing up front, so
 * a thousand idle instances with several caches each cost only what the caches hold.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, { value: V; expires: number }>();

  constructor(private readonly max: number, private readonly ttlMs = 0) {}

  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    if (hit.expires && hit.expires < Date.now()) return undefined;
    this.map.set(key, hit);
    return hit.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, { value, expires: this.ttlMs ? Date.now() + this.ttlMs : 0 });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * The library's CacheStore over a BoundedMap: every per-instance cache the library keeps (signal keys, retry counters,
 * user devices, call offers, media uploads) is given one of these, so no cache grows with traffic.
 */
export function lruStore(max: number, ttlMs?: number): CacheStore & { readonly size: number } {
  const lru = new BoundedMap<string, unknown>(max, ttlMs);
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

/** Sizes per instance: enough for a busy account; nothing is allocated until used. */
export const CACHE_LIMITS = {
  signalKeys: 2_000,
  userDevices: 2_000,
  retryCounters: 1_000,
  callOffers: 100,
  media: 100,
  groups: 500,
  lids: 10_000,
} as const;
