import type { Repositories } from '../storage/repositories.js';
import { ChannelError } from '../channels/errors.js';
import type { InstanceService } from './instances.js';
import type { InstanceCache } from './instanceCache.js';
import type { LiveInstance } from './registry.js';
import { operations } from './capabilities.js';
import { badRequest, notFound } from './errors.js';

/** WhatsApp Business labels: the stored list (kept current by labels.edit) and putting labels on chats. */
export class LabelService {
  constructor(private readonly repos: Repositories, private readonly instances: InstanceService, private readonly cache: InstanceCache) {}

  /** Upstream stores the colour as text and answers it so. */
  async findLabels(live: LiveInstance) {
    const labels = await this.repos.labels.list(live.id);
    return labels.map((l) => ({ color: String(l.color), name: l.name, id: l.labelId, predefinedId: l.predefinedId }));
  }

  async handleLabel(live: LiveInstance, input: { number: string; labelId: string; action: 'add' | 'remove' }) {
    const ops = operations(live, 'labels');
    const numbers = operations(live, 'numbers');
    const [contact] = await this.cache.checkNumbers(live.id, [input.number], (missing) => this.instances.channelCall(() => numbers.checkNumbers(missing)));
    if (!contact) throw notFound('Number not found');
    if (!contact.exists) throw notFound('Number is not on WhatsApp');
    await this.instances.channelCall(async () => {
      try {
        await (input.action === 'add' ? ops.addChatLabel(contact.jid, input.labelId) : ops.removeChatLabel(contact.jid, input.labelId));
      } catch (e) {
        if (e instanceof ChannelError && e.code !== 'NOT_CONNECTED') throw badRequest(`Unable to ${input.action} label to chat`, e.message);
        throw e;
      }
    });
    return input.action === 'add' ? { numberJid: contact.jid, labelId: input.labelId, add: true } : { numberJid: contact.jid, labelId: input.labelId, remove: true };
  }
}
