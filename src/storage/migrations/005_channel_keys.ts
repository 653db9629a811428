import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/** A channel's keyed auth entries (e.g. Baileys' signal keys: type 'session', id '5511...:0'), one sealed value per row. */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { json, stamp, table } = dialectHelpers(db, provider);
  // The primary key is (64 + 64 + 255) characters x 4 bytes in utf8mb4 = 1,532 bytes, within InnoDB's 3,072-byte key limit.
  // It also serves lookups by instanceId alone (clear, the cascade), so no separate index.
  await table('channelKeys')
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('keyId', 'varchar(255)', (c) => c.notNull())
    .addColumn('value', json, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('channelKeys_pk', ['instanceId', 'type', 'keyId'])
    .addForeignKeyConstraint('channelKeys_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();
}
