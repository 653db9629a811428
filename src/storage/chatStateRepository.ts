import type { Db } from './db.js';
import type { Executor } from './instanceRepository.js';
import { nowIso, rowId } from '../domain/ids.js';
import { bit, fromJson } from './json.js';

export type ChatFlag = 'archived' | 'markedUnread';

/** A chat row as upstream's Chat model shows it (findChatByRemoteJid). */
export interface ChatRecord {
  id: string;
  remoteJid: string;
  name: string | null;
  unreadMessages: number;
  archived: boolean;
  markedUnread: boolean;
  lastMessage: unknown;
  createdAt: string;
  updatedAt: string;
  instanceId: string;
}

/** Phone-side state of chats (archived, marked unread), which the phone sets and findChats shows. */
export class ChatStateRepository {
  constructor(private readonly db: Db) {}

  /**
   * Sets a flag on a chat, creating the chat when the gateway has none yet (a chat archived before any message was
   * stored; it sorts by the time of the last message the phone named). Returns whether it was created, for the counter.
   */
  async set(instanceId: string, remoteJid: string, flag: ChatFlag, value: boolean, lastMessageTimestamp: number, tx: Executor = this.db.kysely): Promise<{ created: boolean }> {
    const now = nowIso();
    const update = async () => Number((await tx.updateTable('chats').set({ [flag]: bit(value), updatedAt: now }).where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).executeTakeFirst()).numUpdatedRows) > 0;
    if (await update()) return { created: false };
    const insert = tx.insertInto('chats').values({ id: rowId(), instanceId, remoteJid, name: null, unreadMessages: 0, lastMessage: null, lastMessageTimestamp, lastInboundAt: null, [flag]: bit(value), createdAt: now, updatedAt: now });
    const res = await (this.db.provider === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.doNothing())).executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) return { created: true };
    // A message stored meanwhile created the chat: set the flag on that row.
    await update();
    return { created: false };
  }

  async find(instanceId: string, remoteJid: string): Promise<ChatRecord | null> {
    const r = await this.db.kysely.selectFrom('chats').select(['id', 'remoteJid', 'name', 'unreadMessages', 'archived', 'markedUnread', 'lastMessage', 'createdAt', 'updatedAt', 'instanceId']).where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).executeTakeFirst();
    if (!r) return null;
    return { ...r, unreadMessages: Number(r.unreadMessages), archived: Number(r.archived) === 1, markedUnread: Number(r.markedUnread) === 1, lastMessage: fromJson(r.lastMessage, null) };
  }
}
