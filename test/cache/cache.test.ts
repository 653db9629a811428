import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../src/cache/cache.js';
import { LruCache } from '../../src/cache/lruCache.js';
import { RedisCache } from '../../src/cache/redisCache.js';
import { createCache } from '../../src/cache/factory.js';
import { InstanceCache } from '../../src/domain/instanceCache.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { NumberCheck } from '../../src/channels/channel.js';

const REDIS = 'redis://127.0.0.1:6379';
const PREFIX = `test-cache-${randomUUID()}`;
const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A logger whose lines are kept, to count warnings. */
function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  return { lines, logger: pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) }) };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const raw = new Redis(REDIS);
const redisCaches: RedisCache[] = [];
async function redisCache(): Promise<RedisCache> {
  const cache = new RedisCache({ uri: REDIS, prefix: PREFIX, logger: silent });
  await cache.connect();
  redisCaches.push(cache);
  return cache;
}

afterAll(async () => {
  await Promise.all(redisCaches.map((c) => c.close()));
  const keys = await raw.keys(`${PREFIX}:*`);
  if (keys.length) await raw.del(...keys);
  raw.disconnect();
});

describe.each([
  ['memory', async (): Promise<Cache> => new LruCache(100)],
  ['redis', redisCache],
])('%s cache', (kind, make) => {
  it('stores JSON values, misses unknown keys, deletes', async () => {
    const cache = await make();
    expect(cache.kind).toBe(kind);
    const ns = randomUUID();
    await cache.set(`${ns}:a`, { jid: '1@s.whatsapp.net', exists: true, tags: ['x'], n: null }, 60);
    expect(await cache.get(`${ns}:a`)).toEqual({ jid: '1@s.whatsapp.net', exists: true, tags: ['x'], n: null });
    expect(await cache.get(`${ns}:missing`)).toBeUndefined();
    await cache.delete(`${ns}:a`);
    expect(await cache.get(`${ns}:a`)).toBeUndefined();
    expect(await cache.ping()).toBe(true);
  });

  it('hands out copies: mutating a read value does not change the cache', async () => {
    const cache = await make();
    const key = `${randomUUID()}:obj`;
    await cache.set(key, { list: [1] }, 60);
    (await cache.get<{ list: number[] }>(key))!.list.push(2);
    expect(await cache.get(key)).toEqual({ list: [1] });
  });

  it('expires entries after their TTL', async () => {
    const cache = await make();
    const ns = randomUUID();
    await cache.set(`${ns}:short`, 1, 0.05);
    await cache.set(`${ns}:long`, 2, 60);
    expect(await cache.get(`${ns}:short`)).toBe(1);
    await sleep(120);
    expect(await cache.get(`${ns}:short`)).toBeUndefined();
    expect(await cache.get(`${ns}:long`)).toBe(2);
  });

  it('deletes by prefix, leaving other namespaces alone', async () => {
    const cache = await make();
    const [a, b] = [randomUUID(), randomUUID()];
    for (const k of [`${a}:number:1`, `${a}:number:2`, `${a}:picture:1`, `${b}:number:1`]) await cache.set(k, k, 60);
    await cache.deletePrefix(`${a}:number:`);
    expect(await cache.get(`${a}:number:1`)).toBeUndefined();
    expect(await cache.get(`${a}:number:2`)).toBeUndefined();
    expect(await cache.get(`${a}:picture:1`)).toBe(`${a}:picture:1`);
    await cache.deletePrefix(`${a}:`);
    expect(await cache.get(`${a}:picture:1`)).toBeUndefined();
    expect(await cache.get(`${b}:number:1`)).toBe(`${b}:number:1`);
  });
});

describe('memory cache', () => {
  it('is bounded: the least recently used entry goes first', async () => {
    const cache = new LruCache(2);
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.get('a');
    await cache.set('c', 3, 60);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('c')).toBe(3);
  });
});

describe('redis cache', () => {
  it('stores under CACHE_REDIS_PREFIX_KEY with the TTL in Redis', async () => {
    const cache = await redisCache();
    const key = `${randomUUID()}:number:5511@s.whatsapp.net`;
    await cache.set(key, { exists: true }, 3600);
    expect(JSON.parse((await raw.get(`${PREFIX}:${key}`))!)).toEqual({ exists: true });
    const pttl = await raw.pttl(`${PREFIX}:${key}`);
    expect(pttl).toBeGreaterThan(3_590_000);
    expect(pttl).toBeLessThanOrEqual(3_600_000);
  });

  it('treats glob characters in a prefix literally', async () => {
    const cache = await redisCache();
    const ns = randomUUID();
    await cache.set(`${ns}:a*:1`, 1, 60);
    await cache.set(`${ns}:ab:1`, 2, 60);
    await cache.deletePrefix(`${ns}:a*`);
    expect(await cache.get(`${ns}:a*:1`)).toBeUndefined();
    expect(await cache.get(`${ns}:ab:1`)).toBe(2);
  });

  it('Redis down: reads miss, writes are dropped, ping is false, nothing throws, one warning', async () => {
    const { lines, logger } = capturingLogger();
    const cache = new RedisCache({ uri: `redis://127.0.0.1:${await closedPort()}`, prefix: PREFIX, logger });
    const t0 = Date.now();
    await cache.connect(1000);
    try {
      await cache.set('k', 1, 60);
      expect(await cache.get('k')).toBeUndefined();
      await cache.delete('k');
      await cache.deletePrefix('k');
      expect(await cache.ping()).toBe(false);
      expect(Date.now() - t0).toBeLessThan(1500);
      await sleep(500); // a few reconnect attempts fail meanwhile
      expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    } finally {
      await cache.close();
    }
  });
});

describe('createCache and the cache settings', () => {
  it('defaults to the in-process LRU; Redis with CACHE_REDIS_ENABLED + URI; none with CACHE_LOCAL_ENABLED=false', async () => {
    const def = loadConfig({}).cache;
    expect(def).toMatchObject({ redis: undefined, local: { enabled: true }, ttlSeconds: { number: 604800, missingNumber: 900, profilePicture: 3600, contact: 604800 } });
    expect((await createCache(def, silent)).kind).toBe('memory');
    expect((await createCache(loadConfig({ CACHE_LOCAL_ENABLED: 'false' }).cache, silent)).kind).toBe('none');
    const redisConfig = loadConfig({ CACHE_REDIS_ENABLED: 'true', CACHE_REDIS_URI: REDIS, CACHE_REDIS_PREFIX_KEY: PREFIX, CACHE_REDIS_TTL: '60' }).cache;
    expect(redisConfig).toMatchObject({ redis: { uri: REDIS, prefix: PREFIX }, ttlSeconds: { number: 60, contact: 60 } });
    const redis = await createCache(redisConfig, silent);
    expect(redis.kind).toBe('redis');
    expect(await redis.ping()).toBe(true);
    await redis.close();
    expect(loadConfig({ CACHE_REDIS_URI: REDIS }).cache.redis).toBeUndefined();
    expect(loadConfig({ CACHE_REDIS_ENABLED: 'true', CACHE_REDIS_URI: REDIS }).cache.redis?.prefix).toBe('evolution-cache');
  });

  it('refuses Redis without a URI, a URI that is not redis://, and bad TTLs', () => {
    expect(() => loadConfig({ CACHE_REDIS_ENABLED: 'true' })).toThrow(/CACHE_REDIS_URI is required/);
    expect(() => loadConfig({ CACHE_REDIS_URI: 'http://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ CACHE_REDIS_TTL: '0' })).toThrow(/CACHE_REDIS_TTL/);
    expect(() => loadConfig({ CACHE_PROFILE_PICTURE_TTL: 'soon' })).toThrow(/CACHE_PROFILE_PICTURE_TTL/);
  });
});

describe('InstanceCache', () => {
  const ttl = { number: 1000, missingNumber: 10, profilePicture: 100, contact: 1000 };

  it('asks the channel only for numbers it has not seen; negatives get the shorter TTL', async () => {
    const sets: Array<[string, number]> = [];
    class RecordingCache extends LruCache {
      override async set(key: string, value: unknown, ttlSeconds: number) {
        sets.push([key, ttlSeconds]);
        await super.set(key, value, ttlSeconds);
      }
    }
    const cache = new InstanceCache(new RecordingCache(100), ttl);
    const asked: string[][] = [];
    const channel = async (numbers: string[]): Promise<NumberCheck[]> => {
      asked.push(numbers);
      return numbers.map((n) => ({ jid: `${n.replace(/\D/g, '')}@s.whatsapp.net`, exists: !n.startsWith('000'), number: n, ...(n.endsWith('1') ? { name: 'One' } : {}) }));
    };
    const first = await cache.checkNumbers('i1', ['5511900000001', '0001234567'], channel);
    expect(first).toEqual([
      { jid: '5511900000001@s.whatsapp.net', exists: true, number: '5511900000001', name: 'One' },
      { jid: '0001234567@s.whatsapp.net', exists: false, number: '0001234567' },
    ]);
    expect(sets).toEqual([['i1:number:5511900000001@s.whatsapp.net', 1000], ['i1:number:0001234567@s.whatsapp.net', 10]]);
    // Same numbers written differently, plus one new: only the new one goes to the channel; `number` echoes the input.
    const second = await cache.checkNumbers('i1', ['+55 11 90000-0001', '5511900000002'], channel);
    expect(asked).toEqual([['5511900000001', '0001234567'], ['5511900000002']]);
    expect(second[0]).toEqual({ jid: '5511900000001@s.whatsapp.net', exists: true, number: '+55 11 90000-0001', name: 'One' });
    // Other instances have their own entries.
    await cache.checkNumbers('i2', ['5511900000001'], channel);
    expect(asked).toHaveLength(3);
    await cache.forgetAccount('i1');
    await cache.checkNumbers('i1', ['5511900000001'], channel);
    expect(asked).toHaveLength(4);
  });

  it('caches profile pictures, hidden ones (null) included, and contact names until the instance is forgotten', async () => {
    const cache = new InstanceCache(new LruCache(100), ttl);
    let calls = 0;
    const fetch = async () => (calls++, null);
    expect(await cache.profilePictureUrl('i1', 'x@s.whatsapp.net', fetch)).toBeNull();
    expect(await cache.profilePictureUrl('i1', 'x@s.whatsapp.net', fetch)).toBeNull();
    expect(calls).toBe(1);
    expect(await cache.contactName('i1', 'x@s.whatsapp.net')).toBeUndefined();
    await cache.rememberContact('i1', 'x@s.whatsapp.net', null);
    expect(await cache.contactName('i1', 'x@s.whatsapp.net')).toEqual({ pushName: null });
    await cache.forgetAccount('i1');
    expect(await cache.contactName('i1', 'x@s.whatsapp.net')).toEqual({ pushName: null });
    await cache.forgetInstance('i1');
    expect(await cache.contactName('i1', 'x@s.whatsapp.net')).toBeUndefined();
    await cache.profilePictureUrl('i1', 'x@s.whatsapp.net', fetch);
    expect(calls).toBe(2);
  });
});
