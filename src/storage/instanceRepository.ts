import type { Kysely, Transaction } from 'kysely';
import type { Db } from './db.js';
import type { InstanceCounts } from './counterRepository.js';
import type { Database, InstanceTable } from './schema.js';
import type { ConnectionState, Instance } from '../domain/types.js';
import { SecretBox } from '../security/secrets.js';
import { nowIso } from '../domain/ids.js';

export type Executor = Kysely<Database> | Transaction<Database>;

export interface InstanceFilter {
  name?: string;
  id?: string;
  number?: string;
  tokenHash?: string;
}


/** Instances with their token sealed at rest (hash for lookups, ciphertext to show it back to its owner). */
export class InstanceRepository {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  async insert(row: Instance, tx: Executor = this.db.kysely): Promise<void> {
    const { token, ...rest } = row;
    await tx.insertInto('instances').values({ ...rest, tokenEnc: this.box.seal(token) }).execute();
  }

  async findByName(name: string): Promise<Instance | undefined> {
    const row = await this.db.kysely.selectFrom('instances').selectAll().where('name', '=', name).executeTakeFirst();
    return row && this.toDomain(row);
  }

  async list(filter: InstanceFilter = {}): Promise<Instance[]> {
    let q = this.db.kysely.selectFrom('instances').selectAll();
    if (filter.name !== undefined) q = q.where('name', '=', filter.name);
    if (filter.id !== undefined) q = q.where('id', '=', filter.id);
    if (filter.number !== undefined) q = q.where('number', '=', filter.number);
    if (filter.tokenHash !== undefined) q = q.where('tokenHash', '=', filter.tokenHash);
    const rows = await q.orderBy('createdAt').execute();
    return rows.map((r) => this.toDomain(r));
  }

  async updateState(id: string, patch: Partial<Pick<Instance, 'connectionStatus' | 'ownerJid' | 'profileName' | 'profilePicUrl' | 'number' | 'disconnectionReasonCode' | 'disconnectionObject' | 'disconnectionAt'>>, tx: Executor = this.db.kysely): Promise<void> {
    await tx.updateTable('instances').set({ ...patch, updatedAt: nowIso() }).where('id', '=', id).execute();
  }

  async delete(id: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx.deleteFrom('instances').where('id', '=', id).execute();
  }

  /** The row counts by COUNT(*): what the kept counters (CounterRepository) must equal; too slow for every request. */
  async counts(ids: string[]): Promise<Map<string, InstanceCounts>> {
    const out = new Map<string, InstanceCounts>();
    for (const id of ids) out.set(id, { Message: 0, Contact: 0, Chat: 0 });
    if (!ids.length) return out;
    const tables = [['messages', 'Message'], ['contacts', 'Contact'], ['chats', 'Chat']] as const;
    for (const [table, label] of tables) {
      const rows = await this.db.kysely
        .selectFrom(table)
        .select(['instanceId', (eb) => eb.fn.countAll<number>().as('n')])
        .where('instanceId', 'in', ids)
        .groupBy('instanceId')
        .execute();
      for (const r of rows) out.get(r.instanceId)![label] = Number(r.n);
    }
    return out;
  }

  private toDomain(row: InstanceTable): Instance {
    const { tokenEnc, ...rest } = row;
    return { ...rest, connectionStatus: row.connectionStatus as ConnectionState, token: this.box.open(tokenEnc) };
  }
}
