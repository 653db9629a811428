import { sql, type Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/**
 * The batched ingest path: a message is unique per (instance, key id, chat, direction), so duplicates are refused by
 * the database instead of a SELECT first; and per-instance counters that fetchInstances reads instead of COUNT(*).
 */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { table } = dialectHelpers(db, provider);
  // Key id first, so the same index serves lookups by key id alone (acks, quotes) and replaces the old key index.
  await db.schema.createIndex('messages_instance_key_unique').unique().on('messages').columns(['instanceId', 'keyId', 'remoteJid', 'fromMe']).execute();
  await db.schema.dropIndex('messages_instance_key').$call((b) => (provider === 'mysql' ? b.on('messages') : b)).execute();

  await table('instanceCounters')
    .addColumn('instanceId', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('messages', 'bigint', (c) => c.notNull())
    .addColumn('contacts', 'bigint', (c) => c.notNull())
    .addColumn('chats', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('instanceCounters_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();
  const count = (t: string) => sql`(select count(*) from ${sql.table(t)} x where x.${sql.ref('instanceId')} = i.${sql.ref('id')})`;
  await sql`insert into ${sql.table('instanceCounters')} (${sql.ref('instanceId')}, ${sql.ref('messages')}, ${sql.ref('contacts')}, ${sql.ref('chats')})
    select i.${sql.ref('id')}, ${count('messages')}, ${count('contacts')}, ${count('chats')} from ${sql.table('instances')} i`.execute(db);
}
