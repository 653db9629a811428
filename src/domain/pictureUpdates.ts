import type { EventBus } from '../events/bus.js';
import type { InstanceCache } from './instanceCache.js';

/**
 * Upstream asks the network for a contact's picture on every contacts.update; here fetchProfilePictureUrl answers from
 * the cache, so a contacts.update drops the cached picture of each contact it names and the next answer is fresh.
 */
export function followPictureUpdates(bus: EventBus, cache: InstanceCache): () => void {
  return bus.subscribe((e) => {
    if (e.event !== 'contacts.update') return;
    const contacts = (Array.isArray(e.data) ? e.data : [e.data]) as Array<{ remoteJid?: unknown } | null>;
    for (const c of contacts) if (typeof c?.remoteJid === 'string') void cache.forgetPicture(e.instanceId, c.remoteJid);
  });
}
