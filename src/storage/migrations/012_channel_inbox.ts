import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/**
 * Webhook payloads a channel accepted from its platform (Meta's /webhook/meta) and has not processed yet: written
 * before the platform gets its 200, removed once what they carry is stored.
 */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { json, table, serial, stamp } = dialectHelpers(db, provider);
  await table('channelInbox')
    .addColumn('seq', serial, (c) => (provider === 'postgresql' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('channel', 'varchar(32)', (c) => c.notNull())
    .addColumn('payload', json, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lastError', 'varchar(1024)')
    .addColumn('receivedAt', stamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('channel_inbox_channel_idx').on('channelInbox').columns(['channel', 'seq']).execute();
}
