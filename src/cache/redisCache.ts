import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Cache } from './cache.js';

export interface RedisCacheOptions {
  uri: string;
  /** CACHE_REDIS_PREFIX_KEY: every key is stored as `<prefix>:<key>`. */
  prefix: string;
  logger: Logger;
  commandTimeoutMs?: number;
}

/** The cache in Redis. A Redis failure is logged once per outage and served as a miss: the cache is never a reason to fail. */
export class RedisCache implements Cache {
  readonly kind = 'redis';
  private readonly client: Redis;
  private failing = false;

  constructor(private readonly opts: RedisCacheOptions) {
    this.client = new Redis(opts.uri, {
      lazyConnect: true,
      // Without this, commands wait in a queue while Redis is down: a slow cache is worse than a miss.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 1000,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
    });
    this.client.on('error', (err) => this.failed(err));
    this.client.on('ready', () => this.recovered());
  }

  /** Connects, waiting at most `timeoutMs`; Redis being down is not an error (it keeps reconnecting). */
  async connect(timeoutMs = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.client.connect().catch(() => undefined), timeout]);
    clearTimeout(timer);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.attempt(async () => {
      const raw = await this.client.get(this.full(key));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    });
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.attempt(() => this.client.set(this.full(key), JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlSeconds * 1000))));
  }

  async delete(key: string): Promise<void> {
    await this.attempt(() => this.client.unlink(this.full(key)));
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.attempt(async () => {
      const match = `${this.full(prefix).replace(/[*?[\]\\]/g, '\\$&')}*`;
      for await (const keys of this.client.scanStream({ match, count: 500 })) {
        if ((keys as string[]).length) await this.client.unlink(...(keys as string[]));
      }
    });
  }

  async ping(): Promise<boolean> {
    return (await this.attempt(() => this.client.ping())) === 'PONG';
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  private full(key: string): string {
    return `${this.opts.prefix}:${key}`;
  }

  private async attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await fn();
      this.recovered();
      return result;
    } catch (err) {
      this.failed(err);
      return undefined;
    }
  }

  private failed(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.opts.logger.warn({ err }, 'redis cache unavailable: serving misses until it is back');
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.opts.logger.info('redis cache available again');
  }
}
