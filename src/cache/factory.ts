import type { Logger } from 'pino';
import type { CacheConfig } from '../config.js';
import { NoCache, type Cache } from './cache.js';
import { LruCache } from './lruCache.js';
import { RedisCache } from './redisCache.js';

/** Redis when configured, else the in-process LRU (or nothing with CACHE_LOCAL_ENABLED=false). */
export async function createCache(config: CacheConfig, logger: Logger): Promise<Cache> {
  if (config.redis) {
    const cache = new RedisCache({ ...config.redis, logger: logger.child({ component: 'cache' }) });
    await cache.connect();
    return cache;
  }
  return config.local.enabled ? new LruCache(config.local.maxEntries) : new NoCache();
}
