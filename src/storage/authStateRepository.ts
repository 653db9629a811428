import type { Db } from './db.js';
import type { SecretBox } from '../security/secrets.js';
import { nowIso } from '../domain/ids.js';

/** Channel credentials (what lets a channel reconnect without a new QR), sealed at rest. */
export class AuthStateRepository {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  async load<T>(instanceId: string): Promise<T | undefined> {
    const row = await this.db.kysely.selectFrom('channelAuth').select('data').where('instanceId', '=', instanceId).executeTakeFirst();
    return row ? (JSON.parse(this.box.open(row.data)) as T) : undefined;
  }

  async save(instanceId: string, state: unknown): Promise<void> {
    const data = this.box.seal(JSON.stringify(state));
    const updatedAt = nowIso();
    const res = await this.db.kysely.updateTable('channelAuth').set({ data, updatedAt }).where('instanceId', '=', instanceId).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) await this.db.kysely.insertInto('channelAuth').values({ instanceId, data, updatedAt }).execute();
  }

  async clear(instanceId: string): Promise<void> {
    await this.db.kysely.deleteFrom('channelAuth').where('instanceId', '=', instanceId).execute();
  }
}
