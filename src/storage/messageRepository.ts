import type { Db } from './db.js';
import type { MessageTable } from './schema.js';
import type { MessageKey, StoredMessage } from '../domain/types.js';
import { bit, fromJson, toJson } from './json.js';
import { rowId } from '../domain/ids.js';
import type { Executor } from './instanceRepository.js';

export interface MessageQuery {
  instanceId: string;
  id?: string;
  source?: string;
  messageType?: string;
  keyId?: string;
  fromMe?: boolean;
  remoteJid?: string;
  participant?: string;
  timestampGte?: number;
  timestampLte?: number;
  page: number;
  pageSize: number;
}

export interface MessageWithUpdates extends StoredMessage {
  MessageUpdate: Array<{ status: string }>;
}

export interface StatusUpdate {
  messageId: string;
  instanceId: string;
  key: MessageKey;
  status: string;
}

/** createdAt of status updates strictly increases within the process: the history is read back in createdAt order, and equal timestamps would leave that order to the database. */
let lastUpdateAt = 0;
function updateStamp(): string {
  lastUpdateAt = Math.max(Date.now(), lastUpdateAt + 1);
  return new Date(lastUpdateAt).toISOString();
}

export class MessageRepository {
  constructor(private readonly db: Db) {}

  async insert(messages: StoredMessage[], tx: Executor = this.db.kysely): Promise<void> {
    if (!messages.length) return;
    await tx.insertInto('messages').values(messages.map(toRow)).execute();
  }

  /** The newest message with this key id; served by the (instanceId, keyId, messageTimestamp) index so it never scans. */
  async findByKeyId(instanceId: string, keyId: string, remoteJid?: string): Promise<StoredMessage | undefined> {
    let q = this.db.kysely.selectFrom('messages').selectAll().where('instanceId', '=', instanceId).where('keyId', '=', keyId);
    if (remoteJid) q = q.where('remoteJid', '=', remoteJid);
    const row = await q.orderBy('messageTimestamp', 'desc').executeTakeFirst();
    return row && toDomain(row);
  }

  async recordStatus(update: StatusUpdate, tx: Executor = this.db.kysely): Promise<void> {
    await tx
      .insertInto('messageUpdates')
      .values({
        id: rowId(),
        messageId: update.messageId,
        instanceId: update.instanceId,
        keyId: update.key.id,
        remoteJid: update.key.remoteJid,
        fromMe: bit(update.key.fromMe),
        participant: update.key.participant ?? null,
        status: update.status,
        createdAt: updateStamp(),
      })
      .execute();
    await tx.updateTable('messages').set({ status: update.status }).where('id', '=', update.messageId).execute();
  }

  /** One page, newest first, with each message's status history; and the total matching count. */
  async find(q: MessageQuery): Promise<{ total: number; records: MessageWithUpdates[] }> {
    let base = this.db.kysely.selectFrom('messages').where('instanceId', '=', q.instanceId);
    if (q.id !== undefined) base = base.where('id', '=', q.id);
    if (q.source !== undefined) base = base.where('source', '=', q.source);
    if (q.messageType !== undefined) base = base.where('messageType', '=', q.messageType);
    if (q.keyId !== undefined) base = base.where('keyId', '=', q.keyId);
    if (q.fromMe !== undefined) base = base.where('fromMe', '=', bit(q.fromMe));
    if (q.remoteJid !== undefined) base = base.where('remoteJid', '=', q.remoteJid);
    if (q.participant !== undefined) base = base.where('participant', '=', q.participant);
    if (q.timestampGte !== undefined) base = base.where('messageTimestamp', '>=', q.timestampGte);
    if (q.timestampLte !== undefined) base = base.where('messageTimestamp', '<=', q.timestampLte);
    const countRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy('messageTimestamp', 'desc')
      .orderBy('id', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute();
    const updates = new Map<string, Array<{ status: string }>>();
    if (rows.length) {
      const ups = await this.db.kysely
        .selectFrom('messageUpdates')
        .select(['messageId', 'status'])
        .where('messageId', 'in', rows.map((r) => r.id))
        .orderBy('createdAt')
        .execute();
      for (const u of ups) {
        const list = updates.get(u.messageId) ?? [];
        list.push({ status: u.status });
        updates.set(u.messageId, list);
      }
    }
    return { total: Number(countRow.n), records: rows.map((r) => ({ ...toDomain(r), MessageUpdate: updates.get(r.id) ?? [] })) };
  }
}

function toRow(m: StoredMessage): MessageTable {
  return {
    id: m.id,
    instanceId: m.instanceId,
    keyId: m.key.id,
    remoteJid: m.key.remoteJid,
    fromMe: bit(m.key.fromMe),
    participant: m.participant ?? m.key.participant ?? null,
    key: toJson(m.key),
    pushName: m.pushName,
    messageType: m.messageType,
    message: toJson(m.message),
    contextInfo: m.contextInfo ? toJson(m.contextInfo) : null,
    source: m.source,
    messageTimestamp: m.messageTimestamp,
    status: m.status,
  };
}

function toDomain(r: MessageTable): StoredMessage {
  return {
    id: r.id,
    key: fromJson<MessageKey>(r.key, { remoteJid: r.remoteJid, fromMe: r.fromMe === 1, id: r.keyId }),
    pushName: r.pushName,
    participant: r.participant,
    messageType: r.messageType,
    message: fromJson<Record<string, unknown>>(r.message, {}),
    contextInfo: fromJson<Record<string, unknown> | null>(r.contextInfo, null),
    source: r.source,
    messageTimestamp: Number(r.messageTimestamp),
    instanceId: r.instanceId,
    status: r.status,
  };
}
