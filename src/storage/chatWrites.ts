import type { Db } from './db.js';
import type { Executor } from './instanceRepository.js';
import { BulkInsert, chunks } from './sql/bulk.js';
import { toJson } from './json.js';
import { rowId } from '../domain/ids.js';
import { updateStamp } from './messageWrites.js';

/** What a batch of messages did to one chat. */
export interface ChatDelta {
  instanceId: string;
  remoteJid: string;
  /** Taken only when the chat has no name yet. */
  name: string | null;
  unreadIncrement: number;
  lastMessage: unknown;
  lastMessageTimestamp: number;
  lastInboundAt: number | null;
}

export interface ContactDelta {
  instanceId: string;
  remoteJid: string;
  pushName: string | null;
}

export interface ContactResult {
  created: boolean;
  id: string;
  pushName: string | null;
  profilePicUrl: string | null;
}

const CHAT_COLUMNS = ['id', 'instanceId', 'remoteJid', 'name', 'unreadMessages', 'lastMessage', 'lastMessageTimestamp', 'lastInboundAt', 'createdAt', 'updatedAt'] as const;
const CONTACT_COLUMNS = ['id', 'instanceId', 'remoteJid', 'pushName', 'profilePicUrl', 'createdAt', 'updatedAt'] as const;

/** Chats and contacts upserted in one statement per batch: never read first, the database merges. */
export class ChatWrites {
  private readonly chats: BulkInsert;
  private readonly contacts: BulkInsert;

  constructor(db: Db) {
    this.chats = new BulkInsert(db.provider, {
      table: 'chats',
      columns: CHAT_COLUMNS,
      returning: ['id'],
      onConflict: {
        target: ['instanceId', 'remoteJid'],
        // Newer wins for the last message and the last inbound time; history never moves them backwards. MySQL applies its list left to right,
        // so lastMessage is decided before lastMessageTimestamp changes.
        update: (d) => [
          `${d.id('unreadMessages')} = ${d.old('unreadMessages')} + ${d.neu('unreadMessages')}`,
          `${d.id('lastMessage')} = CASE WHEN ${d.neu('lastMessageTimestamp')} >= COALESCE(${d.old('lastMessageTimestamp')}, 0) THEN ${d.neu('lastMessage')} ELSE ${d.old('lastMessage')} END`,
          `${d.id('lastMessageTimestamp')} = CASE WHEN ${d.neu('lastMessageTimestamp')} >= COALESCE(${d.old('lastMessageTimestamp')}, 0) THEN ${d.neu('lastMessageTimestamp')} ELSE ${d.old('lastMessageTimestamp')} END`,
          `${d.id('lastInboundAt')} = CASE WHEN ${d.neu('lastInboundAt')} IS NULL OR ${d.neu('lastInboundAt')} < COALESCE(${d.old('lastInboundAt')}, 0) THEN ${d.old('lastInboundAt')} ELSE ${d.neu('lastInboundAt')} END`,
          `${d.id('name')} = COALESCE(${d.old('name')}, ${d.neu('name')})`,
          `${d.id('updatedAt')} = ${d.neu('updatedAt')}`,
        ].join(', '),
        mysqlUpdate: (d) => [
          `${d.id('unreadMessages')} = ${d.id('unreadMessages')} + ${d.neu('unreadMessages')}`,
          `${d.id('lastMessage')} = IF(${d.neu('lastMessageTimestamp')} >= COALESCE(${d.id('lastMessageTimestamp')}, 0), ${d.neu('lastMessage')}, ${d.id('lastMessage')})`,
          `${d.id('lastMessageTimestamp')} = GREATEST(COALESCE(${d.id('lastMessageTimestamp')}, 0), ${d.neu('lastMessageTimestamp')})`,
          `${d.id('lastInboundAt')} = IF(${d.neu('lastInboundAt')} IS NULL, ${d.id('lastInboundAt')}, GREATEST(COALESCE(${d.id('lastInboundAt')}, 0), ${d.neu('lastInboundAt')}))`,
          `${d.id('name')} = COALESCE(${d.id('name')}, ${d.neu('name')})`,
          `${d.id('updatedAt')} = ${d.neu('updatedAt')}`,
        ].join(', '),
      },
    });
    this.contacts = new BulkInsert(db.provider, {
      table: 'contacts',
      columns: CONTACT_COLUMNS,
      returning: ['id', 'instanceId', 'remoteJid', 'pushName', 'profilePicUrl'],
      onConflict: {
        target: ['instanceId', 'remoteJid'],
        // A name only replaces a different one; an unchanged row is not touched (and not returned).
        update: (d) => `${d.id('pushName')} = ${d.neu('pushName')}, ${d.id('updatedAt')} = ${d.neu('updatedAt')}`,
        where: (d) => `${d.neu('pushName')} IS NOT NULL AND ${d.distinct(d.old('pushName'), d.neu('pushName'))}`,
        mysqlUpdate: (d) => {
          const changes = `${d.neu('pushName')} IS NOT NULL AND ${d.distinct(d.id('pushName'), d.neu('pushName'))}`;
          return `${d.id('updatedAt')} = IF(${changes}, ${d.neu('updatedAt')}, ${d.id('updatedAt')}), ${d.id('pushName')} = IF(${d.neu('pushName')} IS NOT NULL, ${d.neu('pushName')}, ${d.id('pushName')})`;
        },
      },
    });
  }

  /** Applies the deltas (of any instances); returns the `chatKey`s of the chats this batch created. */
  async upsertChats(deltas: ChatDelta[], tx: Executor): Promise<Set<string>> {
    const created = new Set<string>();
    if (!deltas.length) return created;
    const now = updateStamp();
    for (const chunk of chunks(deltas, CHAT_COLUMNS.length)) {
      // A row that keeps the id this batch proposed was inserted by it.
      const proposed = new Map(chunk.map((c) => [rowId(), chatKey(c.instanceId, c.remoteJid)]));
      const ids = [...proposed.keys()];
      const rows = chunk.map((c, i) => [ids[i], c.instanceId, c.remoteJid, c.name, c.unreadIncrement, toJson(c.lastMessage), c.lastMessageTimestamp, c.lastInboundAt, now, now]);
      const res = await tx.executeQuery<{ id: string }>(this.chats.compile(rows));
      const stored = this.chats.returns ? res.rows : await tx.selectFrom('chats').select('id').where('id', 'in', ids).execute();
      for (const r of stored) {
        const key = proposed.get(r.id);
        if (key) created.add(key);
      }
    }
    return created;
  }

  /** Creates missing contacts and renames changed ones (of any instances); returns only those created or changed, by `chatKey`. */
  async upsertContacts(deltas: ContactDelta[], tx: Executor): Promise<Map<string, ContactResult>> {
    const out = new Map<string, ContactResult>();
    for (const chunk of chunks(deltas, CONTACT_COLUMNS.length)) {
      // Each chunk its own stamp: on MySQL the stamp is how a chunk recognises the rows it touched.
      const now = updateStamp();
      const ids = chunk.map(() => rowId());
      const proposed = new Set(ids);
      const rows = chunk.map((c, i) => [ids[i], c.instanceId, c.remoteJid, c.pushName, null, now, now]);
      type Touched = { id: string; instanceId: string; remoteJid: string; pushName: string | null; profilePicUrl: string | null };
      let touched = (await tx.executeQuery<Touched>(this.contacts.compile(rows))).rows;
      if (!this.contacts.returns) {
        // No RETURNING on MySQL: rows carrying this batch's stamp were inserted or renamed by it.
        const instances = [...new Set(chunk.map((c) => c.instanceId))];
        const found = await tx.selectFrom('contacts').select(['id', 'instanceId', 'remoteJid', 'pushName', 'profilePicUrl', 'updatedAt']).where('instanceId', 'in', instances).where('remoteJid', 'in', chunk.map((c) => c.remoteJid)).execute();
        const asked = new Set(chunk.map((c) => chatKey(c.instanceId, c.remoteJid)));
        touched = found.filter((r) => r.updatedAt === now && asked.has(chatKey(r.instanceId, r.remoteJid)));
      }
      for (const r of touched) out.set(chatKey(r.instanceId, r.remoteJid), { created: proposed.has(r.id), id: r.id, pushName: r.pushName, profilePicUrl: r.profilePicUrl });
    }
    return out;
  }
}

/** Chats and contacts of several instances in one map. */
export const chatKey = (instanceId: string, remoteJid: string): string => `${instanceId}|${remoteJid}`;
