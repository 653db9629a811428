import type { Repositories } from '../storage/repositories.js';
import type { InstanceService } from './instances.js';
import type { LiveInstance } from './registry.js';
import { isGroupJid, jidUser, toJid } from './jid.js';
import type { InstanceCache } from './instanceCache.js';
import { operations } from './capabilities.js';

export interface FindMessagesInput {
  where?: {
    id?: string;
    source?: string;
    messageType?: string;
    key?: { id?: string; fromMe?: boolean; remoteJid?: string; participant?: string; remoteJidAlt?: string };
    messageTimestamp?: { gte?: number | string; lte?: number | string };
  };
  page?: number;
  offset?: number;
}

export interface FindChatsInput {
  where?: { remoteJid?: string; messageTimestamp?: { gte?: number | string; lte?: number | string } };
  take?: number;
  skip?: number;
}

export interface FindStatusInput {
  where?: { remoteJid?: string; id?: string };
  page?: number;
  offset?: number;
}

export interface FindContactsInput {
  where?: { remoteJid?: string };
  page?: number;
  offset?: number;
}

const WINDOW_MS = 24 * 60 * 60 * 1000;

/** Reading back what the gateway stored: messages, chats and contacts, in upstream shapes. */
export class ChatQueries {
  constructor(private readonly repos: Repositories, private readonly instances: InstanceService, private readonly cache: InstanceCache) {}

  async findMessages(live: LiveInstance, input: FindMessagesInput) {
    const w = input.where ?? {};
    const pageSize = input.offset && input.offset > 0 ? input.offset : 50;
    const page = input.page && input.page > 0 ? input.page : 1;
    const remoteJid = w.key?.remoteJid ?? w.key?.remoteJidAlt;
    const { total, records } = await this.repos.messages.find({
      instanceId: live.id,
      id: w.id,
      source: w.source,
      messageType: w.messageType,
      keyId: w.key?.id,
      fromMe: w.key?.fromMe,
      remoteJid: remoteJid === undefined ? undefined : toJid(remoteJid),
      participant: w.key?.participant,
      timestampGte: toSeconds(w.messageTimestamp?.gte),
      timestampLte: toSeconds(w.messageTimestamp?.lte),
      page,
      pageSize,
    });
    return {
      messages: {
        total,
        pages: Math.ceil(total / pageSize),
        currentPage: page,
        records: records.map((r) => ({ ...r, sessionId: null })),
      },
    };
  }

  async findChats(live: LiveInstance, input: FindChatsInput) {
    const w = input.where ?? {};
    const chats = await this.repos.chats.find({
      instanceId: live.id,
      remoteJid: w.remoteJid === undefined ? undefined : toJid(w.remoteJid),
      timestampGte: toSeconds(w.messageTimestamp?.gte),
      timestampLte: toSeconds(w.messageTimestamp?.lte),
      take: input.take,
      skip: input.skip,
    });
    const now = Date.now();
    const labels = await this.repos.labels.ofChats(live.id, chats.map((c) => c.remoteJid));
    return chats.map((c) => {
      const windowStart = c.lastInboundAt === null ? null : new Date(c.lastInboundAt * 1000);
      const windowExpires = windowStart && new Date(windowStart.getTime() + WINDOW_MS);
      return {
        id: c.id,
        remoteJid: c.remoteJid,
        pushName: c.pushName ?? c.name,
        profilePicUrl: c.profilePicUrl,
        updatedAt: c.updatedAt,
        windowStart: windowStart?.toISOString() ?? null,
        windowExpires: windowExpires?.toISOString() ?? null,
        windowActive: windowExpires ? windowExpires.getTime() > now : false,
        lastMessage: c.lastMessage,
        unreadCount: c.unreadCount,
        isSaved: c.pushName !== null,
        // The phone's chat state, named as Baileys' Chat names it, and the chat's label ids.
        archived: c.archived,
        markedAsUnread: c.markedUnread,
        labels: labels.get(c.remoteJid) ?? [],
      };
    });
  }

  /** Status history rows (upstream's MessageUpdate), page by page like upstream: `offset` rows per page. */
  async findStatusMessage(live: LiveInstance, input: FindStatusInput) {
    const take = input.offset && input.offset > 0 ? input.offset : undefined;
    const page = input.page && input.page > 0 ? input.page : 1;
    const remoteJid = input.where?.remoteJid;
    return this.repos.messageUpdates.find({ instanceId: live.id, remoteJid: remoteJid === undefined ? undefined : toJid(remoteJid), keyId: input.where?.id, take, skip: take ? take * (page - 1) : undefined });
  }

  /** The chat row as upstream's Chat model has it, or null. */
  async findChatByRemoteJid(live: LiveInstance, remoteJid: string) {
    const jid = toJid(remoteJid);
    const chat = await this.repos.chatState.find(live.id, jid);
    if (!chat) return null;
    const labels = (await this.repos.labels.ofChats(live.id, [jid])).get(jid) ?? [];
    return { id: chat.id, remoteJid: chat.remoteJid, name: chat.name, labels, createdAt: chat.createdAt, updatedAt: chat.updatedAt, instanceId: chat.instanceId, unreadMessages: chat.unreadMessages, archived: chat.archived, markedAsUnread: chat.markedUnread };
  }

  async findContacts(live: LiveInstance, input: FindContactsInput) {
    const remoteJid = input.where?.remoteJid;
    const page = input.offset && input.offset > 0 ? { take: input.offset, skip: ((input.page ?? 1) - 1) * input.offset } : undefined;
    const rows = await this.repos.contacts.find(live.id, remoteJid === undefined ? undefined : toJid(remoteJid), page);
    return rows.map((c) => ({
      id: c.id,
      remoteJid: c.remoteJid,
      pushName: c.pushName,
      profilePicUrl: c.profilePicUrl,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      instanceId: c.instanceId,
      isGroup: isGroupJid(c.remoteJid),
      isSaved: true,
      type: isGroupJid(c.remoteJid) ? 'group' : 'contact',
    }));
  }

  async whatsappNumbers(live: LiveInstance, numbers: string[]) {
    const ops = operations(live, 'numbers');
    return this.cache.checkNumbers(live.id, numbers, (missing) => this.instances.channelCall(() => ops.checkNumbers(missing)));
  }

  async profilePicture(live: LiveInstance, number: string) {
    const jid = toJid(number);
    const ops = operations(live, 'profile');
    const profilePictureUrl = await this.cache.profilePictureUrl(live.id, jid, () => this.instances.channelCall(() => ops.pictureUrl(jid)));
    return { wuid: jid.endsWith('@g.us') ? jid : `${jidUser(jid)}@s.whatsapp.net`, profilePictureUrl };
  }
}

/** Timestamps arrive as seconds, milliseconds or ISO strings; stored ones are seconds. */
function toSeconds(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v) / 1000;
  if (!Number.isFinite(n)) return undefined;
  return n > 1e11 ? Math.floor(n / 1000) : Math.floor(n);
}
