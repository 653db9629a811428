import type { Db } from './db.js';
import type { SettingTable } from './schema.js';
import { DEFAULT_SETTINGS, type Settings } from '../domain/types.js';
import { bit, flag } from './json.js';
import { nowIso, rowId } from '../domain/ids.js';
import type { Executor } from './instanceRepository.js';

export type SettingsRow = Settings & { id: string; instanceId: string; createdAt: string; updatedAt: string };

export class SettingsRepository {
  constructor(private readonly db: Db) {}

  async upsert(instanceId: string, settings: Settings, tx: Executor = this.db.kysely): Promise<SettingsRow> {
    const now = nowIso();
    const values = {
      rejectCall: bit(settings.rejectCall),
      msgCall: settings.msgCall,
      groupsIgnore: bit(settings.groupsIgnore),
      alwaysOnline: bit(settings.alwaysOnline),
      readMessages: bit(settings.readMessages),
      readStatus: bit(settings.readStatus),
      syncFullHistory: bit(settings.syncFullHistory),
      wavoipToken: settings.wavoipToken,
      updatedAt: now,
    };
    const updated = await tx.updateTable('settings').set(values).where('instanceId', '=', instanceId).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      await tx.insertInto('settings').values({ ...values, id: rowId(), instanceId, createdAt: now }).execute();
    }
    const row = await tx.selectFrom('settings').selectAll().where('instanceId', '=', instanceId).executeTakeFirstOrThrow();
    return toDomain(row);
  }

  async find(instanceId: string): Promise<SettingsRow | undefined> {
    const row = await this.db.kysely.selectFrom('settings').selectAll().where('instanceId', '=', instanceId).executeTakeFirst();
    return row && toDomain(row);
  }

  async findMany(instanceIds: string[]): Promise<Map<string, SettingsRow>> {
    const out = new Map<string, SettingsRow>();
    if (!instanceIds.length) return out;
    const rows = await this.db.kysely.selectFrom('settings').selectAll().where('instanceId', 'in', instanceIds).execute();
    for (const r of rows) out.set(r.instanceId, toDomain(r));
    return out;
  }
}

function toDomain(r: SettingTable): SettingsRow {
  return {
    ...DEFAULT_SETTINGS,
    id: r.id,
    instanceId: r.instanceId,
    rejectCall: flag(r.rejectCall),
    msgCall: r.msgCall,
    groupsIgnore: flag(r.groupsIgnore),
    alwaysOnline: flag(r.alwaysOnline),
    readMessages: flag(r.readMessages),
    readStatus: flag(r.readStatus),
    syncFullHistory: flag(r.syncFullHistory),
    wavoipToken: r.wavoipToken,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
