import type { EventBus } from '../events/bus.js';
import type { Repositories } from '../storage/repositories.js';
import type { ChatFlag } from '../storage/chatStateRepository.js';
import type { LastMessageRef } from '../channels/operations/chats.js';
import type { Presence } from '../channels/channel.js';
import type { InstanceService } from './instances.js';
import type { InstanceCache } from './instanceCache.js';
import type { LiveInstance } from './registry.js';
import { operations } from './capabilities.js';
import { badRequest, notFound } from './errors.js';
import { isGroupJid, toJid } from './jid.js';
import type { MessageKey } from './types.js';

export interface LastMessageInput {
  key: { id?: string; fromMe?: boolean; remoteJid?: string };
  messageTimestamp?: number;
}

export interface ChatModifyInput {
  lastMessage?: LastMessageInput;
  chat?: string;
}

/** What the phone does to a chat (archive, mark unread, block its contact, show typing), recorded where findChats shows it. */
export class ChatStateService {
  constructor(private readonly repos: Repositories, private readonly bus: EventBus, private readonly instances: InstanceService, private readonly cache: InstanceCache) {}

  async archive(live: LiveInstance, input: ChatModifyInput & { archive: boolean }): Promise<{ chatId: string; archived: true }> {
    const { chatId, jid, last } = await this.target(live, input);
    const ops = operations(live, 'chats');
    await this.instances.channelCall(() => ops.archive(jid, input.archive, last));
    await this.record(live, jid, 'archived', input.archive, last.messageTimestamp);
    return { chatId, archived: true };
  }

  async markUnread(live: LiveInstance, input: ChatModifyInput): Promise<{ chatId: string; markedChatUnread: true }> {
    const { chatId, jid, last } = await this.target(live, input);
    const ops = operations(live, 'chats');
    await this.instances.channelCall(() => ops.markUnread(jid, last));
    await this.record(live, jid, 'markedUnread', true, last.messageTimestamp);
    return { chatId, markedChatUnread: true };
  }

  async updateBlockStatus(live: LiveInstance, number: string, status: 'block' | 'unblock'): Promise<{ block: 'success' }> {
    const ops = operations(live, 'chats');
    await this.instances.channelCall(() => ops.updateBlockStatus(toJid(number), status));
    return { block: 'success' };
  }

  /** Shows the presence to the chat for `delay` ms, then "paused"; the request waits as long (upstream blocks too). */
  async sendPresence(live: LiveInstance, number: string, presence: Presence, delay: number): Promise<{ presence: Presence }> {
    const ops = operations(live, 'presence');
    const jid = toJid(number);
    if (!isGroupJid(jid) && !jid.includes('@broadcast')) {
      const numbers = operations(live, 'numbers');
      const [check] = await this.cache.checkNumbers(live.id, [number], (missing) => this.instances.channelCall(() => numbers.checkNumbers(missing)));
      if (check && !check.exists) throw badRequest({ jid: check.jid, exists: false, number });
    }
    await this.instances.channelCall(() => ops.sendPresence(presence, jid));
    if (delay > 0) {
      await new Promise((r) => setTimeout(r, delay));
      await this.instances.channelCall(() => ops.sendPresence('paused', jid));
    }
    return { presence };
  }

  /** Upstream's rule: the chat is `chat` (its last stored message is looked up) or the given last message's chat. */
  private async target(live: LiveInstance, input: ChatModifyInput): Promise<{ chatId: string; jid: string; last: LastMessageRef }> {
    if (input.lastMessage) {
      const remoteJid = input.lastMessage.key.remoteJid ?? input.chat;
      if (!remoteJid || !input.lastMessage.key.id) throw notFound('Last message not found');
      const key: MessageKey = { remoteJid: toJid(remoteJid), fromMe: input.lastMessage.key.fromMe ?? false, id: input.lastMessage.key.id };
      return { chatId: remoteJid, jid: key.remoteJid, last: { key, messageTimestamp: input.lastMessage.messageTimestamp ?? Math.floor(Date.now() / 1000) } };
    }
    if (!input.chat) throw notFound('Last message not found');
    const jid = toJid(input.chat);
    const { records } = await this.repos.messages.find({ instanceId: live.id, remoteJid: jid, page: 1, pageSize: 1 });
    const newest = records[0];
    if (!newest) throw notFound('Messages not found');
    return { chatId: input.chat, jid, last: { key: newest.key, messageTimestamp: newest.messageTimestamp } };
  }

  private record(live: LiveInstance, jid: string, flag: ChatFlag, value: boolean, timestamp: number): Promise<void> {
    return this.bus.commit(async (tx, emit) => {
      const { created } = await this.repos.chatState.set(live.id, jid, flag, value, timestamp, tx);
      if (created) await this.repos.counters.increment([{ instanceId: live.id, messages: 0, contacts: 0, chats: 1 }], tx);
      emit(live.eventSource, 'chats.update', [{ remoteJid: jid, instanceId: live.id }], jid);
    });
  }
}
