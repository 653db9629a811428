import type { Db } from './db.js';
import type { Executor } from './instanceRepository.js';
import type { SecretBox } from '../security/secrets.js';
import { nowIso } from '../domain/ids.js';
import { deserialize, serialize } from './serialize.js';

/** Channel credentials (what lets a channel reconnect without a new QR), sealed at rest. Buffers inside round-trip as Buffers. */
export class AuthStateRepository {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  async load<T>(instanceId: string, tx: Executor = this.db.kysely): Promise<T | undefined> {
    const row = await tx.selectFrom('channelAuth').select('data').where('instanceId', '=', instanceId).executeTakeFirst();
    return row ? deserialize<T>(this.box.open(row.data)) : undefined;
  }

  async save(instanceId: string, state: unknown, tx: Executor = this.db.kysely): Promise<void> {
    const data = this.box.seal(serialize(state));
    const updatedAt = nowIso();
    const res = await tx.updateTable('channelAuth').set({ data, updatedAt }).where('instanceId', '=', instanceId).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) await tx.insertInto('channelAuth').values({ instanceId, data, updatedAt }).execute();
  }

  async clear(instanceId: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx.deleteFrom('channelAuth').where('instanceId', '=', instanceId).execute();
  }
}
