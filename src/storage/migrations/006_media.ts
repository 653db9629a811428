import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/** Media kept in the media store, one row per message (upstream's Media): the bytes are in the store under `storageKey`. */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { stamp, table } = dialectHelpers(db, provider);
  await table('media')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('messageId', 'varchar(255)', (c) => c.notNull())
    .addColumn('fileName', 'varchar(500)', (c) => c.notNull())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('mimetype', 'varchar(255)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('storageKey', 'varchar(500)', (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addForeignKeyConstraint('media_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();
  // One row per message of an instance; also serves lookups by instance.
  await db.schema.createIndex('media_instance_message_uq').on('media').columns(['instanceId', 'messageId']).unique().execute();
}
