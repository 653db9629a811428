import type { Db } from './db.js';
import type { WebhookTable } from './schema.js';
import type { WebhookConfig } from '../domain/types.js';
import { bit, flag, fromJson, toJson } from './json.js';
import { nowIso, rowId } from '../domain/ids.js';
import type { Executor } from './instanceRepository.js';
import type { SecretBox } from '../security/secrets.js';

/** `secret`: undefined keeps the stored one, null removes it. */
export type WebhookInput = Pick<WebhookConfig, 'url' | 'headers' | 'enabled' | 'events' | 'webhookByEvents' | 'webhookBase64'> & { secret?: string | null };

export class WebhookRepository {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  async upsert(instanceId: string, input: WebhookInput, tx: Executor = this.db.kysely): Promise<WebhookConfig> {
    const now = nowIso();
    const values = {
      url: input.url,
      headers: input.headers ? toJson(input.headers) : null,
      enabled: bit(input.enabled),
      events: toJson(input.events),
      webhookByEvents: bit(input.webhookByEvents),
      webhookBase64: bit(input.webhookBase64),
      ...(input.secret !== undefined ? { secret: input.secret === null ? null : this.box.seal(input.secret) } : {}),
      updatedAt: now,
    };
    const updated = await tx.updateTable('webhooks').set(values).where('instanceId', '=', instanceId).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      await tx.insertInto('webhooks').values({ secret: null, ...values, id: rowId(), instanceId, createdAt: now }).execute();
    }
    const row = await tx.selectFrom('webhooks').selectAll().where('instanceId', '=', instanceId).executeTakeFirstOrThrow();
    return this.toDomain(row);
  }

  async find(instanceId: string): Promise<WebhookConfig | undefined> {
    const row = await this.db.kysely.selectFrom('webhooks').selectAll().where('instanceId', '=', instanceId).executeTakeFirst();
    return row && this.toDomain(row);
  }

  async findAll(): Promise<WebhookConfig[]> {
    const rows = await this.db.kysely.selectFrom('webhooks').selectAll().execute();
    return rows.map((r) => this.toDomain(r));
  }

  private toDomain(r: WebhookTable): WebhookConfig {
    return toDomain(r, r.secret ? this.box.open(r.secret) : null);
  }
}

function toDomain(r: WebhookTable, secret: string | null): WebhookConfig {
  return {
    secret,
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
