import type { Db } from './db.js';
import type { WebhookTable } from './schema.js';
import type { WebhookConfig } from '../domain/types.js';
import { bit, flag, fromJson, toJson } from './json.js';
import { nowIso, rowId } from '../domain/ids.js';
import type { Executor } from './instanceRepository.js';

export type WebhookInput = Pick<WebhookConfig, 'url' | 'headers' | 'enabled' | 'events' | 'webhookByEvents' | 'webhookBase64'>;

export class WebhookRepository {
  constructor(private readonly db: Db) {}

  async upsert(instanceId: string, input: WebhookInput, tx: Executor = this.db.kysely): Promise<WebhookConfig> {
    const now = nowIso();
    const values = {
      url: input.url,
      headers: input.headers ? toJson(input.headers) : null,
      enabled: bit(input.enabled),
      events: toJson(input.events),
      webhookByEvents: bit(input.webhookByEvents),
      webhookBase64: bit(input.webhookBase64),
      updatedAt: now,
    };
    const updated = await tx.updateTable('webhooks').set(values).where('instanceId', '=', instanceId).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      await tx.insertInto('webhooks').values({ ...values, id: rowId(), instanceId, createdAt: now }).execute();
    }
    const row = await tx.selectFrom('webhooks').selectAll().where('instanceId', '=', instanceId).executeTakeFirstOrThrow();
    return toDomain(row);
  }

  async find(instanceId: string): Promise<WebhookConfig | undefined> {
    const row = await this.db.kysely.selectFrom('webhooks').selectAll().where('instanceId', '=', instanceId).executeTakeFirst();
    return row && toDomain(row);
  }

  async findAll(): Promise<WebhookConfig[]> {
    const rows = await this.db.kysely.selectFrom('webhooks').selectAll().execute();
    return rows.map(toDomain);
  }
}

function toDomain(r: WebhookTable): WebhookConfig {
  return {
    id: r.id,
    instanceId: r.instanceId,
    url: r.url,
    headers: fromJson<Record<string, string> | null>(r.headers, null),
    enabled: flag(r.enabled),
    events: fromJson<string[]>(r.events, []),
    webhookByEvents: flag(r.webhookByEvents),
    webhookBase64: flag(r.webhookBase64),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
