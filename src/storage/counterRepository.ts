import type { Db } from './db.js';
import type { Executor } from './instanceRepository.js';
import { BulkInsert } from './sql/bulk.js';

export interface InstanceCounts {
  Message: number;
  Contact: number;
  Chat: number;
}

/** Per-instance row counts kept up to date in the transactions that add rows: fetchInstances reads them, never COUNT(*). */
export class CounterRepository {
  private readonly add: BulkInsert;

  constructor(private readonly db: Db) {
    this.add = new BulkInsert(db.provider, {
      table: 'instanceCounters',
      columns: ['instanceId', 'messages', 'contacts', 'chats'],
      onConflict: {
        target: ['instanceId'],
        update: (d) => ['messages', 'contacts', 'chats'].map((c) => `${d.id(c)} = ${d.old(c)} + ${d.neu(c)}`).join(', '),
        mysqlUpdate: (d) => ['messages', 'contacts', 'chats'].map((c) => `${d.id(c)} = ${d.id(c)} + ${d.neu(c)}`).join(', '),
      },
    });
  }

  /** Adds to the counts of each instance (negative to subtract), in one statement. */
  async increment(deltas: Array<{ instanceId: string; messages: number; contacts: number; chats: number }>, tx: Executor = this.db.kysely): Promise<void> {
    const rows = deltas.filter((d) => d.messages || d.contacts || d.chats).map((d) => [d.instanceId, d.messages, d.contacts, d.chats]);
    if (rows.length) await tx.executeQuery(this.add.compile(rows));
  }

  async counts(ids: string[]): Promise<Map<string, InstanceCounts>> {
    const out = new Map<string, InstanceCounts>();
    for (const id of ids) out.set(id, { Message: 0, Contact: 0, Chat: 0 });
    if (!ids.length) return out;
    const rows = await this.db.kysely.selectFrom('instanceCounters').selectAll().where('instanceId', 'in', ids).execute();
    for (const r of rows) out.set(r.instanceId, { Message: Number(r.messages), Contact: Number(r.contacts), Chat: Number(r.chats) });
    return out;
  }
}
