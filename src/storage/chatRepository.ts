import type { Db } from './db.js';
import { fromJson, toJson } from './json.js';
import { nowIso, rowId } from '../domain/ids.js';
import type { Executor } from './instanceRepository.js';

export interface ChatTouch {
  instanceId: string;
  remoteJid: string;
  name: string | null;
  lastMessage: unknown;
  timestamp: number;
  inbound: boolean;
  countUnread: boolean;
}

export interface ChatQuery {
  instanceId: string;
  remoteJid?: string;
  timestampGte?: number;
  timestampLte?: number;
  take?: number;
  skip?: number;
}

export interface ChatView {
  id: string;
  remoteJid: string;
  name: string | null;
  pushName: string | null;
  profilePicUrl: string | null;
  unreadCount: number;
  lastMessage: unknown;
  lastInboundAt: number | null;
  archived: boolean;
  markedUnread: boolean;
  createdAt: string;
  updatedAt: string;
}

export class ChatRepository {
  constructor(private readonly db: Db) {}

  /** Records a message in its chat (last message, unread count); tells whether the chat is new. */
  async touch(t: ChatTouch, tx: Executor = this.db.kysely): Promise<{ created: boolean; unreadMessages: number }> {
    const existing = await tx.selectFrom('chats').select(['id', 'unreadMessages', 'name']).where('instanceId', '=', t.instanceId).where('remoteJid', '=', t.remoteJid).executeTakeFirst();
    const now = nowIso();
    const unread = t.countUnread ? 1 : 0;
    if (!existing) {
      await tx
        .insertInto('chats')
        .values({ id: rowId(), instanceId: t.instanceId, remoteJid: t.remoteJid, name: t.name, unreadMessages: unread, lastMessage: toJson(t.lastMessage), lastMessageTimestamp: t.timestamp, lastInboundAt: t.inbound ? t.timestamp : null, createdAt: now, updatedAt: now })
        .execute();
      return { created: true, unreadMessages: unread };
    }
    const unreadMessages = existing.unreadMessages + unread;
    await tx
      .updateTable('chats')
      .set({ unreadMessages, lastMessage: toJson(t.lastMessage), lastMessageTimestamp: t.timestamp, updatedAt: now, ...(t.inbound ? { lastInboundAt: t.timestamp } : {}), ...(t.name && !existing.name ? { name: t.name } : {}) })
      .where('id', '=', existing.id)
      .execute();
    return { created: false, unreadMessages };
  }

  /** Deletes chats; returns how many there were. */
  async remove(instanceId: string, remoteJids: string[], tx: Executor = this.db.kysely): Promise<number> {
    if (!remoteJids.length) return 0;
    const res = await tx.deleteFrom('chats').where('instanceId', '=', instanceId).where('remoteJid', 'in', remoteJids).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async markRead(instanceId: string, remoteJid: string, tx: Executor = this.db.kysely): Promise<boolean> {
    // Reading a chat also clears the phone's "marked as unread".
    const res = await tx.updateTable('chats').set({ unreadMessages: 0, markedUnread: 0, updatedAt: nowIso() }).where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).where((eb) => eb.or([eb('unreadMessages', '>', 0), eb('markedUnread', '=', 1)])).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async find(q: ChatQuery): Promise<ChatView[]> {
    let query = this.db.kysely
      .selectFrom('chats')
      .leftJoin('contacts', (j) => j.onRef('contacts.instanceId', '=', 'chats.instanceId').onRef('contacts.remoteJid', '=', 'chats.remoteJid'))
      .select(['chats.id', 'chats.remoteJid', 'chats.name', 'contacts.pushName', 'contacts.profilePicUrl', 'chats.unreadMessages', 'chats.lastMessage', 'chats.lastInboundAt', 'chats.archived', 'chats.markedUnread', 'chats.createdAt', 'chats.updatedAt'])
      .where('chats.instanceId', '=', q.instanceId);
    if (q.remoteJid !== undefined) query = query.where('chats.remoteJid', '=', q.remoteJid);
    if (q.timestampGte !== undefined) query = query.where('chats.lastMessageTimestamp', '>=', q.timestampGte);
    if (q.timestampLte !== undefined) query = query.where('chats.lastMessageTimestamp', '<=', q.timestampLte);
    query = query.orderBy('chats.lastMessageTimestamp', 'desc').orderBy('chats.id', 'desc');
    if (q.take !== undefined) query = query.limit(q.take);
    if (q.skip !== undefined) query = (q.take === undefined ? query.limit(2 ** 31 - 1) : query).offset(q.skip);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      remoteJid: r.remoteJid,
      name: r.name,
      pushName: r.pushName ?? r.name,
      profilePicUrl: r.profilePicUrl ?? null,
      unreadCount: Number(r.unreadMessages),
      lastMessage: fromJson(r.lastMessage, null),
      lastInboundAt: r.lastInboundAt === null ? null : Number(r.lastInboundAt),
      archived: Number(r.archived) === 1,
      markedUnread: Number(r.markedUnread) === 1,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  }
}
