import { sql } from 'kysely';
import type { Db } from '../../storage/db.js';
import type { Executor } from '../../storage/instanceRepository.js';
import { fromJson, toJson } from '../../storage/json.js';
import { cw } from './tables.js';

/** What a row delivers: a message (its event data), or a contact to create (import). */
export type OutboxKind = 'message' | 'contact';

export interface NewOutboxItem {
  instanceId: string;
  dedupeKey: string;
  kind: OutboxKind;
  remoteJid: string;
  payload: unknown;
}

export interface OutboxItem extends NewOutboxItem {
  seq: number;
  attempts: number;
  nextAttemptAt: number;
}

/** Rows to deliver to Chatwoot: appended in the transaction that stores the message, deleted once Chatwoot has it. */
export class ChatwootOutboxRepository {
  constructor(private readonly db: Db) {}

  /** Appends in the caller's transaction; an item already queued (same dedupe key) is not queued twice. */
  async append(items: NewOutboxItem[], tx: Executor = this.db.kysely): Promise<void> {
    const now = Date.now();
    for (let i = 0; i < items.length; i += 200) {
      const values = items.slice(i, i + 200).map((it) => ({ instanceId: it.instanceId, dedupeKey: it.dedupeKey.slice(0, 255), kind: it.kind, remoteJid: it.remoteJid, payload: toJson(it.payload), attempts: 0, nextAttemptAt: now, lastError: null, createdAt: now }));
      const insert = cw(tx).insertInto('chatwootOutbox').values(values as never);
      await (this.db.provider === 'mysql' ? insert.onDuplicateKeyUpdate({ seq: sql`seq` }) : insert.onConflict((oc) => oc.doNothing())).execute();
    }
  }

  /** The rows of these instances due by `now`, oldest first. */
  async due(instanceIds: string[], now: number, limit: number): Promise<OutboxItem[]> {
    if (!instanceIds.length) return [];
    const rows = await cw(this.db.kysely).selectFrom('chatwootOutbox').selectAll().where('nextAttemptAt', '<=', now).where('instanceId', 'in', instanceIds).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ seq: Number(r.seq), instanceId: r.instanceId, dedupeKey: r.dedupeKey, kind: r.kind as OutboxKind, remoteJid: r.remoteJid, payload: fromJson(r.payload, null), attempts: Number(r.attempts), nextAttemptAt: Number(r.nextAttemptAt) }));
  }

  /** The first row of a chat: the one that must go before the others. */
  async head(instanceId: string, remoteJid: string): Promise<{ seq: number; nextAttemptAt: number } | undefined> {
    const r = await cw(this.db.kysely).selectFrom('chatwootOutbox').select(['seq', 'nextAttemptAt']).where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).orderBy('seq').limit(1).executeTakeFirst();
    return r && { seq: Number(r.seq), nextAttemptAt: Number(r.nextAttemptAt) };
  }

  /** Holds a chat's rows from `fromSeq` on until `until`: while its head waits, the rest of the chat is not due either. */
  async deferLane(instanceId: string, remoteJid: string, fromSeq: number, until: number): Promise<void> {
    await cw(this.db.kysely).updateTable('chatwootOutbox').set({ nextAttemptAt: until }).where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).where('seq', '>=', fromSeq).execute();
  }

  /** Recorded before each attempt: after a crash, a row with attempts > 0 may already be in Chatwoot. */
  async attempting(seq: number, attempts: number): Promise<void> {
    await cw(this.db.kysely).updateTable('chatwootOutbox').set({ attempts }).where('seq', '=', seq).execute();
  }

  /** A failed attempt: the error kept on the row, and its chat held until the retry. */
  async failed(row: Pick<OutboxItem, 'seq' | 'instanceId' | 'remoteJid'>, nextAttemptAt: number, error: string): Promise<void> {
    await cw(this.db.kysely).updateTable('chatwootOutbox').set({ lastError: error.slice(0, 1000) }).where('seq', '=', row.seq).execute();
    await this.deferLane(row.instanceId, row.remoteJid, row.seq, nextAttemptAt);
  }

  async done(seq: number): Promise<void> {
    await cw(this.db.kysely).deleteFrom('chatwootOutbox').where('seq', '=', seq).execute();
  }

  async dropInstance(instanceId: string): Promise<void> {
    await cw(this.db.kysely).deleteFrom('chatwootOutbox').where('instanceId', '=', instanceId).execute();
  }

  async count(instanceId: string): Promise<number> {
    const r = await cw(this.db.kysely).selectFrom('chatwootOutbox').select((eb) => eb.fn.countAll<number>().as('n')).where('instanceId', '=', instanceId).executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
