import type { Db } from './db.js';
import type { Executor } from './instanceRepository.js';
import type { StoredMessage } from '../domain/types.js';
import { BulkInsert, chunks } from './sql/bulk.js';
import { toRow } from './messageRows.js';
import { bit, toJson } from './json.js';
import { rowId } from '../domain/ids.js';

const MESSAGE_COLUMNS = ['id', 'instanceId', 'keyId', 'remoteJid', 'fromMe', 'participant', 'key', 'pushName', 'messageType', 'message', 'contextInfo', 'source', 'messageTimestamp', 'status'] as const;
const UPDATE_COLUMNS = ['id', 'messageId', 'instanceId', 'keyId', 'remoteJid', 'fromMe', 'participant', 'status', 'createdAt'] as const;

/** The message a status update belongs to. */
export interface UpdateTarget {
  id: string;
  keyId: string;
  remoteJid: string;
  fromMe: boolean;
  status: string | null;
}

export interface StatusRow {
  messageId: string;
  instanceId: string;
  keyId: string;
  remoteJid: string;
  fromMe: boolean;
  participant: string | null;
  status: string;
}

/** createdAt of status updates strictly increases within the process: the history is read back in createdAt order. */
let lastUpdateAt = 0;
export function updateStamp(): string {
  lastUpdateAt = Math.max(Date.now(), lastUpdateAt + 1);
  return new Date(lastUpdateAt).toISOString();
}

/** The hot writes of the ingest path, in batches: duplicates refused by the unique key (instanceId, keyId, remoteJid, fromMe), never looked up first. */
export class MessageWrites {
  private readonly insert: BulkInsert;
  private readonly updates: BulkInsert;

  constructor(db: Db) {
    this.insert = new BulkInsert(db.provider, {
      table: 'messages',
      columns: MESSAGE_COLUMNS,
      onConflict: { target: ['instanceId', 'keyId', 'remoteJid', 'fromMe'], mysqlUpdate: (d) => `${d.id('id')} = ${d.id('id')}` },
      returning: ['id'],
    });
    this.updates = new BulkInsert(db.provider, { table: 'messageUpdates', columns: UPDATE_COLUMNS });
  }

  /** Inserts the messages that are new; returns the ids of those inserted (a duplicate keeps the stored one). */
  async insertNew(messages: StoredMessage[], tx: Executor): Promise<Set<string>> {
    const inserted = new Set<string>();
    if (!messages.length) return inserted;
    for (const chunk of chunks(messages, MESSAGE_COLUMNS.length)) {
      const rows = chunk.map((m) => {
        const r = toRow(m) as unknown as Record<string, unknown>;
        return MESSAGE_COLUMNS.map((c) => r[c]);
      });
      const res = await tx.executeQuery<{ id: string }>(this.insert.compile(rows));
      if (this.insert.returns) for (const r of res.rows) inserted.add(r.id);
      else {
        // MySQL has no RETURNING: the fresh ids that made it into the table are the inserted rows.
        const found = await tx.selectFrom('messages').select('id').where('id', 'in', chunk.map((m) => m.id)).execute();
        for (const r of found) inserted.add(r.id);
      }
    }
    return inserted;
  }

  /** The stored messages these key ids belong to, newest first, keyed by `chatKey(instanceId, keyId)`. */
  async targets(instanceIds: string[], keyIds: string[], tx: Executor): Promise<Map<string, UpdateTarget[]>> {
    const out = new Map<string, UpdateTarget[]>();
    if (!keyIds.length) return out;
    for (const chunk of chunks([...new Set(keyIds)], 1, 500)) {
      // Sorted here, not in SQL: with ORDER BY, SQLite may walk the time index over the whole instance instead of the key index.
      const rows = await tx.selectFrom('messages').select(['id', 'instanceId', 'keyId', 'remoteJid', 'fromMe', 'status', 'messageTimestamp']).where('instanceId', 'in', instanceIds).where('keyId', 'in', chunk).execute();
      rows.sort((a, b) => Number(b.messageTimestamp) - Number(a.messageTimestamp));
      for (const r of rows) {
        const key = `${r.instanceId}|${r.keyId}`;
        const list = out.get(key) ?? [];
        list.push({ id: r.id, keyId: r.keyId, remoteJid: r.remoteJid, fromMe: Number(r.fromMe) === 1, status: r.status });
        out.set(key, list);
      }
    }
    return out;
  }

  /** Appends status history rows and sets each message's current status (one statement per distinct status). */
  async recordStatuses(rows: StatusRow[], current: Map<string, string>, tx: Executor): Promise<void> {
    if (rows.length) {
      for (const chunk of chunks(rows, UPDATE_COLUMNS.length)) {
        const values = chunk.map((u) => [rowId(), u.messageId, u.instanceId, u.keyId, u.remoteJid, bit(u.fromMe), u.participant, u.status, updateStamp()]);
        await tx.executeQuery(this.updates.compile(values));
      }
    }
    const byStatus = new Map<string, string[]>();
    for (const [id, status] of current) byStatus.set(status, [...(byStatus.get(status) ?? []), id]);
    for (const [status, ids] of byStatus) {
      for (const chunk of chunks(ids, 1, 500)) await tx.updateTable('messages').set({ status }).where('id', 'in', chunk).execute();
    }
  }

  /** Replaces a stored message's content (an edit). */
  async replaceContent(id: string, message: Record<string, unknown>, tx: Executor): Promise<void> {
    await tx.updateTable('messages').set({ message: toJson(message) }).where('id', '=', id).execute();
  }
}
