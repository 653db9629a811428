import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.js';

/** The in-process cache: bounded by entry count, least recently used first out, TTL per entry. */
export class LruCache implements Cache {
  readonly kind = 'memory';
  // Values are kept as JSON text, as in Redis, so callers never share (and mutate) a cached object.
  private readonly lru: LRUCache<string, string>;

  constructor(maxEntries: number) {
    // A default ttl turns on TTL tracking; every set() passes its own.
    this.lru = new LRUCache({ max: maxEntries, ttl: 3_600_000 });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = this.lru.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.lru.set(key, JSON.stringify(value), { ttl: Math.max(1, Math.round(ttlSeconds * 1000)) });
  }

  async delete(key: string): Promise<void> {
    this.lru.delete(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (const key of [...this.lru.keys()]) if (key.startsWith(prefix)) this.lru.delete(key);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}
