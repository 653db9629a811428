import type { Db } from './db.js';
import { nowIso, rowId } from '../domain/ids.js';
import { sha256Hex, type SecretBox } from '../security/secrets.js';

export interface OpenaiCreds {
  id: string;
  name: string;
  /** Opened. */
  apiKey: string;
  instanceId: string;
  createdAt: string;
  updatedAt: string;
}

/** OpenAI credentials of an instance: the key sealed, unique per instance by name and by key (its hash). */
export class OpenaiCredsRepository {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  /** Undefined when the instance already has these credentials (by name or by key): the database says so. */
  async create(instanceId: string, name: string, apiKey: string): Promise<OpenaiCreds | undefined> {
    const now = nowIso();
    const id = rowId();
    try {
      await this.db.kysely.insertInto('openaiCreds').values({ id, instanceId, name, apiKey: this.box.seal(apiKey), apiKeyHash: sha256Hex(apiKey), createdAt: now, updatedAt: now }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
    return this.find(instanceId, id);
  }

  async find(instanceId: string, id: string): Promise<OpenaiCreds | undefined> {
    const r = await this.db.kysely.selectFrom('openaiCreds').selectAll().where('instanceId', '=', instanceId).where('id', '=', id).executeTakeFirst();
    return r && { id: r.id, name: r.name, apiKey: this.box.open(r.apiKey), instanceId: r.instanceId, createdAt: r.createdAt, updatedAt: r.updatedAt };
  }

  async list(instanceId: string): Promise<OpenaiCreds[]> {
    const rows = await this.db.kysely.selectFrom('openaiCreds').selectAll().where('instanceId', '=', instanceId).orderBy('createdAt').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, apiKey: this.box.open(r.apiKey), instanceId: r.instanceId, createdAt: r.createdAt, updatedAt: r.updatedAt }));
  }

  async delete(instanceId: string, id: string): Promise<boolean> {
    const r = await this.db.kysely.deleteFrom('openaiCreds').where('instanceId', '=', instanceId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string };
  return e?.code === '23505' || e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062 || /UNIQUE constraint failed/i.test(e?.message ?? '');
}
