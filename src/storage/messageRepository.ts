import type { Db } from './db.js';
import type { MessageKey, StoredMessage } from '../domain/types.js';
import { bit } from './json.js';
import { toDomain, toRow } from './messageRows.js';
import { MessageWrites } from './messageWrites.js';
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

export class MessageRepository {
  /** The batched writes of the ingest path. */
  readonly writes: MessageWrites;

  constructor(private readonly db: Db) {
    this.writes = new MessageWrites(db);
  }

  async insert(messages: StoredMessage[], tx: Executor = this.db.kysely): Promise<void> {
    if (!messages.length) return;
    await tx.insertInto('messages').values(messages.map(toRow)).execute();
  }

  /**
   * The newest message with this key id, on the unique (instanceId, keyId, remoteJid, fromMe) index. The few rows of a key
   * id are sorted here: with ORDER BY, SQLite may walk the time index over the whole instance instead.
   */
  async findByKeyId(instanceId: string, keyId: string, remoteJid?: string): Promise<StoredMessage | undefined> {
    let q = this.db.kysely.selectFrom('messages').selectAll().where('instanceId', '=', instanceId).where('keyId', '=', keyId);
    if (remoteJid) q = q.where('remoteJid', '=', remoteJid);
    const rows = await q.execute();
    const newest = rows.reduce<(typeof rows)[number] | undefined>((a, r) => (!a || Number(r.messageTimestamp) > Number(a.messageTimestamp) ? r : a), undefined);
    return newest && toDomain(newest);
  }

  /** One status change, appended to the history and set as current (tests and tools; the ingest path batches). */
  async recordStatus(u: StatusUpdate, tx: Executor = this.db.kysely): Promise<void> {
    const row = { messageId: u.messageId, instanceId: u.instanceId, keyId: u.key.id, remoteJid: u.key.remoteJid, fromMe: u.key.fromMe, participant: u.key.participant ?? null, status: u.status };
    await this.writes.recordStatuses([row], new Map([[u.messageId, u.status]]), tx);
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

