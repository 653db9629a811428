export type CacheKind = 'redis' | 'memory' | 'none';

/**
 * A cache of JSON values with a TTL per entry. Keys are namespaced with ':' (see `cacheKey`).
 * Implementations never throw: when the store fails, a read is a miss and a write is lost.
 */
export interface Cache {
  readonly kind: CacheKind;
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Removes every entry whose key starts with `prefix` (e.g. everything of one instance). */
  deletePrefix(prefix: string): Promise<void>;
  /** Whether the store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function cacheKey(...parts: string[]): string {
  return parts.join(':');
}

/** CACHE_LOCAL_ENABLED=false without Redis: every read misses. */
export class NoCache implements Cache {
  readonly kind = 'none';
  async get<T>(): Promise<T | undefined> {
    return undefined;
  }
  async set(): Promise<void> {}
  async delete(): Promise<void> {}
  async deletePrefix(): Promise<void> {}
  async ping(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {}
}
