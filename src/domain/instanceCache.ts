import type { NumberCheck } from '../channels/channel.js';
import { cacheKey, type Cache } from '../cache/cache.js';
import type { CacheConfig } from '../config.js';
import { toJid } from './jid.js';

type CachedCheck = Omit<NumberCheck, 'number'>;

/**
 * What the gateway remembers per instance, keyed `<instanceId>:<kind>:<jid>`: number checks and profile
 * pictures (each a network round trip on a real channel) and the contact name last stored in the database.
 */
export class InstanceCache {
  constructor(private readonly cache: Cache, private readonly ttl: CacheConfig['ttlSeconds']) {}

  /** Checks numbers, asking the channel (`fetch`) only for those not cached; answers keep the caller's `number`. */
  async checkNumbers(instanceId: string, numbers: string[], fetch: (numbers: string[]) => Promise<NumberCheck[]>): Promise<NumberCheck[]> {
    const cached = await Promise.all(numbers.map((n) => this.cache.get<CachedCheck>(cacheKey(instanceId, 'number', toJid(n)))));
    const missing = [...new Set(numbers.filter((_, i) => !cached[i]))];
    const fetched = missing.length ? await fetch(missing) : [];
    // Channels answer in request order with the number as given; the order only counts when nothing was dropped.
    const answerFor = (n: string) => fetched.find((c) => c.number === n) ?? (fetched.length === missing.length ? fetched[missing.indexOf(n)] : undefined);
    await Promise.all(
      missing.map((n) => {
        const c = answerFor(n);
        if (!c) return undefined;
        const value: CachedCheck = { jid: c.jid, exists: c.exists, ...(c.name !== undefined ? { name: c.name } : {}) };
        return this.cache.set(cacheKey(instanceId, 'number', toJid(n)), value, c.exists ? this.ttl.number : this.ttl.missingNumber);
      }),
    );
    return numbers.flatMap((n, i) => {
      const hit = cached[i];
      if (hit) return [{ jid: hit.jid, exists: hit.exists, number: n, ...(hit.name !== undefined ? { name: hit.name } : {}) }];
      const c = answerFor(n);
      return c ? [c] : [];
    });
  }

  async profilePictureUrl(instanceId: string, jid: string, fetch: () => Promise<string | null>): Promise<string | null> {
    const key = cacheKey(instanceId, 'picture', jid);
    const hit = await this.cache.get<{ url: string | null }>(key);
    if (hit) return hit.url;
    const url = await fetch();
    await this.cache.set(key, { url }, this.ttl.profilePicture);
    return url;
  }

  /** The contact's picture changed (contacts.update): the next question goes to the channel. */
  async forgetPicture(instanceId: string, jid: string): Promise<void> {
    await this.cache.delete(cacheKey(instanceId, 'picture', jid));
  }

  /** The pushName stored in the contact row, if known (`undefined` = unknown, not "no row"). */
  async contactName(instanceId: string, jid: string): Promise<{ pushName: string | null } | undefined> {
    return this.cache.get(cacheKey(instanceId, 'contact', jid));
  }

  /** Call only after the contact row is committed with this name. */
  async rememberContact(instanceId: string, jid: string, pushName: string | null): Promise<void> {
    await this.cache.set(cacheKey(instanceId, 'contact', jid), { pushName }, this.ttl.contact);
  }

  /** Logged out: another account may connect next, and what it sees (names, pictures) can differ. */
  async forgetAccount(instanceId: string): Promise<void> {
    await this.cache.deletePrefix(cacheKey(instanceId, 'number', ''));
    await this.cache.deletePrefix(cacheKey(instanceId, 'picture', ''));
  }

  async forgetInstance(instanceId: string): Promise<void> {
    await this.cache.deletePrefix(cacheKey(instanceId, ''));
  }
}
