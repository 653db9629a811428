import { sql } from 'kysely';
import type { Db } from './db.js';
import type { TemplateTable } from './schema.js';
import { fromJson, toJson } from './json.js';
import { nowIso, rowId } from '../domain/ids.js';
import type { Executor } from './instanceRepository.js';

/** The Template row as upstream returns it from /template/create. */
export interface TemplateRow {
  id: string;
  templateId: string;
  name: string;
  /** What the business platform answered when the template was created (Graph: `{id, status, category}`). */
  template: Record<string, unknown>;
  webhookUrl: string | null;
  createdAt: string;
  updatedAt: string;
  instanceId: string;
}

export interface NewTemplate {
  templateId: string;
  name: string;
  language: string;
  template: Record<string, unknown>;
  webhookUrl: string | null;
}

/** Templates an instance created; unique per (instance, platform id) and per (instance, name, language). */
export class TemplateRepository {
  constructor(private readonly db: Db) {}

  /**
   * Records a template the platform accepted. The platform refuses a second (name, language) itself, so a row already
   * there is stale (the account lost it) and is replaced.
   */
  async save(instanceId: string, t: NewTemplate, tx: Executor = this.db.kysely): Promise<TemplateRow> {
    const now = nowIso();
    const row: TemplateTable = { id: rowId(), instanceId, templateId: t.templateId, name: t.name, language: t.language, template: toJson(t.template), webhookUrl: t.webhookUrl, createdAt: now, updatedAt: now };
    const insert = tx.insertInto('templates').values(row);
    const replaced = ['templateId', 'template', 'webhookUrl', 'createdAt', 'updatedAt'] as const;
    await (this.db.provider === 'mysql'
      ? insert.onDuplicateKeyUpdate(Object.fromEntries(replaced.map((c) => [c, sql`values(${sql.ref(c)})`])))
      : insert.onConflict((oc) => oc.columns(['instanceId', 'name', 'language']).doUpdateSet((eb) => Object.fromEntries(replaced.map((c) => [c, eb.ref(`excluded.${c}`)]))))
    ).execute();
    const stored = await tx.selectFrom('templates').selectAll().where('instanceId', '=', instanceId).where('name', '=', t.name).where('language', '=', t.language).executeTakeFirstOrThrow();
    return toDomain(stored);
  }

  async findByTemplateId(instanceId: string, templateId: string): Promise<TemplateRow | undefined> {
    const row = await this.db.kysely.selectFrom('templates').selectAll().where('instanceId', '=', instanceId).where('templateId', '=', templateId).executeTakeFirst();
    return row && toDomain(row);
  }

  async list(instanceId: string): Promise<TemplateRow[]> {
    const rows = await this.db.kysely.selectFrom('templates').selectAll().where('instanceId', '=', instanceId).orderBy('createdAt').orderBy('id').execute();
    return rows.map(toDomain);
  }

  /** Deletes the instance's templates of that name (every language), or only the one with that platform id. */
  async deleteByName(instanceId: string, name: string, templateId?: string, tx: Executor = this.db.kysely): Promise<number> {
    let q = tx.deleteFrom('templates').where('instanceId', '=', instanceId).where('name', '=', name);
    if (templateId) q = q.where('templateId', '=', templateId);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function toDomain(r: TemplateTable): TemplateRow {
  return { id: r.id, templateId: r.templateId, name: r.name, template: fromJson<Record<string, unknown>>(r.template, {}), webhookUrl: r.webhookUrl, createdAt: r.createdAt, updatedAt: r.updatedAt, instanceId: r.instanceId };
}
