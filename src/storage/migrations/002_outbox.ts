import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/** Number of outbox partitions; each is leased by one delivery process at a time (per-chat order across processes). */
export const OUTBOX_PARTITIONS = 64;

/** The durable event outbox: one row per event and destination, its attempts, and the partition leases. */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { json, table, serial } = dialectHelpers(db, provider);

  await table('eventOutbox')
    .addColumn('seq', serial, (c) => (provider === 'postgresql' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'varchar(64)', (c) => c.notNull())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('instanceName', 'varchar(255)', (c) => c.notNull())
    .addColumn('event', 'varchar(64)', (c) => c.notNull())
    .addColumn('lane', 'varchar(40)', (c) => c.notNull())
    .addColumn('partition', 'integer', (c) => c.notNull())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('headers', json)
    .addColumn('secret', 'varchar(1024)')
    .addColumn('body', json, (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('nextAttemptAt', 'bigint', (c) => c.notNull())
    .addColumn('createdAt', 'bigint', (c) => c.notNull())
    .addColumn('deliveredAt', 'bigint')
    .addColumn('lastStatus', 'integer')
    .addColumn('lastError', 'varchar(1024)')
    .execute();
  await db.schema.createIndex('event_outbox_pending').on('eventOutbox').columns(['state', 'partition', 'seq']).execute();
  await db.schema.createIndex('event_outbox_instance').on('eventOutbox').columns(['instanceId', 'state', 'seq']).execute();
  await db.schema.createIndex('event_outbox_id').on('eventOutbox').column('id').execute();

  await table('eventAttempts')
    .addColumn('seq', serial, (c) => (provider === 'postgresql' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('outboxSeq', 'bigint', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('statusCode', 'integer')
    .addColumn('latencyMs', 'integer', (c) => c.notNull())
    .addColumn('error', 'varchar(1024)')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_attempts_outbox').on('eventAttempts').column('outboxSeq').execute();

  await table('outboxPartitions')
    .addColumn('partition', 'integer', (c) => c.primaryKey())
    .addColumn('owner', 'varchar(64)')
    .addColumn('leaseUntil', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('outboxPartitions').values(Array.from({ length: OUTBOX_PARTITIONS }, (_, partition) => ({ partition, owner: null, leaseUntil: 0 }))).execute();

  await db.schema.alterTable('webhooks').addColumn('secret', 'varchar(1024)').execute();
}
