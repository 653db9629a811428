import type { Db } from './db.js';

export interface MessageUpdateQuery {
  instanceId: string;
  remoteJid?: string;
  keyId?: string;
  take?: number;
  skip?: number;
}

/** Reads the status history rows (upstream's MessageUpdate table) that the ingest path writes. */
export class MessageUpdateRepository {
  constructor(private readonly db: Db) {}

  async find(q: MessageUpdateQuery) {
    let query = this.db.kysely.selectFrom('messageUpdates').select(['id', 'keyId', 'remoteJid', 'fromMe', 'participant', 'status', 'messageId', 'instanceId']).where('instanceId', '=', q.instanceId);
    if (q.remoteJid !== undefined) query = query.where('remoteJid', '=', q.remoteJid);
    if (q.keyId !== undefined) query = query.where('keyId', '=', q.keyId);
    query = query.orderBy('createdAt').orderBy('id');
    if (q.take !== undefined) query = query.limit(q.take);
    if (q.skip) query = (q.take === undefined ? query.limit(2 ** 31 - 1) : query).offset(q.skip);
    const rows = await query.execute();
    return rows.map((r) => ({ id: r.id, keyId: r.keyId, remoteJid: r.remoteJid, fromMe: Number(r.fromMe) === 1, participant: r.participant, pollUpdates: null, status: r.status, messageId: r.messageId, instanceId: r.instanceId }));
  }
}
