import type { InstanceService } from './instances.js';
import type { InstanceCache } from './instanceCache.js';
import type { LiveInstance } from './registry.js';
import { operations } from './capabilities.js';
import { badRequest } from './errors.js';
import { toJid } from './jid.js';

/** Upstream reads a catalog in pages of `limit`, following at most four further pages. */
const CATALOG_PAGES = 5;
const MAX_COLLECTIONS = 20;

/** Catalogs and collections of business numbers (the instance's own when no number is given). */
export class BusinessService {
  constructor(private readonly instances: InstanceService, private readonly cache: InstanceCache) {}

  async catalog(live: LiveInstance, input: { number?: string; limit?: number }) {
    const { check, isBusiness } = await this.subject(live, input.number);
    const ops = operations(live, 'business');
    const pageSize = input.limit && input.limit >= 1 ? Math.floor(input.limit) : 10;
    const catalog = isBusiness ? await this.instances.channelCall(() => ops.catalog(check.jid, pageSize * CATALOG_PAGES)) : [];
    return { wuid: check.jid, numberExists: check.exists, isBusiness, catalogLength: catalog.length, catalog };
  }

  async collections(live: LiveInstance, input: { number?: string; limit?: number }) {
    const { check, isBusiness } = await this.subject(live, input.number);
    const ops = operations(live, 'business');
    const limit = input.limit !== undefined && input.limit <= MAX_COLLECTIONS ? Math.max(0, Math.floor(input.limit)) : MAX_COLLECTIONS;
    const collections = isBusiness ? await this.instances.channelCall(() => ops.collections(check.jid, limit)) : [];
    return { wuid: check.jid, name: check.name, numberExists: check.exists, isBusiness, collectionsLength: collections.length, collections };
  }

  private async subject(live: LiveInstance, number?: string) {
    const ops = operations(live, 'business');
    const numbers = operations(live, 'numbers');
    const target = number || live.instance.ownerJid;
    if (!target) throw badRequest(`The "${live.name}" instance is not connected`);
    const [found] = await this.cache.checkNumbers(live.id, [target], (missing) => this.instances.channelCall(() => numbers.checkNumbers(missing)));
    const check = found ?? { jid: toJid(target), exists: false, number: target };
    if (!check.exists) throw badRequest(check);
    const profile = await this.instances.channelCall(() => ops.profile(check.jid));
    return { check, isBusiness: profile !== null };
  }
}
