import type { Db } from './db.js';
import type { EventTransportTable } from './schema.js';
import { bit, flag, fromJson, toJson } from './json.js';
import { nowIso, rowId } from '../domain/ids.js';
import type { Executor } from './instanceRepository.js';
import type { SecretBox } from '../security/secrets.js';

/** An instance's setting of one event transport (the /rabbitmq|nats|sqs|kafka|pusher|websocket|mqtt/set routes). */
export interface TransportSetting {
  id: string;
  instanceId: string;
  kind: string;
  enabled: boolean;
  events: string[];
  /** The kind's own settings (Pusher's app credentials), sealed at rest. */
  settings: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
}

export type TransportInput = Pick<TransportSetting, 'enabled' | 'events' | 'settings'>;

export class EventTransportRepository {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  async upsert(instanceId: string, kind: string, input: TransportInput, tx: Executor = this.db.kysely): Promise<TransportSetting> {
    const now = nowIso();
    const values = { enabled: bit(input.enabled), events: toJson(input.events), settings: input.settings ? this.box.seal(toJson(input.settings)) : null, updatedAt: now };
    const updated = await tx.updateTable('eventTransports').set(values).where('instanceId', '=', instanceId).where('kind', '=', kind).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) await tx.insertInto('eventTransports').values({ ...values, id: rowId(), instanceId, kind, createdAt: now }).execute();
    const row = await tx.selectFrom('eventTransports').selectAll().where('instanceId', '=', instanceId).where('kind', '=', kind).executeTakeFirstOrThrow();
    return this.toDomain(row);
  }

  async findAll(): Promise<TransportSetting[]> {
    return (await this.db.kysely.selectFrom('eventTransports').selectAll().execute()).map((r) => this.toDomain(r));
  }

  private toDomain(r: EventTransportTable): TransportSetting {
    return {
      id: r.id,
      instanceId: r.instanceId,
      kind: r.kind,
      enabled: flag(r.enabled),
      events: fromJson<string[]>(r.events, []),
      settings: r.settings ? fromJson<Record<string, unknown> | null>(this.box.open(r.settings), null) : null,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }
}
