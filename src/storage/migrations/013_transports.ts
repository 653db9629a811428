import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/**
 * The outbox becomes transport-neutral: a row names the kind of its destination (webhook, rabbitmq, nats, mqtt,
 * websocket, sqs, pusher, kafka) and a target within it (the URL of a webhook, the routing key of a broker...);
 * `options` holds the sealed, kind-specific extras (a webhook's custom headers). Per-instance event-transport
 * settings (the /rabbitmq|nats|sqs|kafka|pusher|websocket/set routes, and MQTT) live in one table, one row per
 * instance and kind.
 */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { json, bool, stamp, table } = dialectHelpers(db, provider);

  await db.schema.alterTable('eventOutbox').renameColumn('url', 'target').execute();
  await db.schema.alterTable('eventOutbox').renameColumn('headers', 'options').execute();
  await db.schema.alterTable('eventOutbox').addColumn('kind', 'varchar(16)', (c) => c.notNull().defaultTo('webhook')).execute();

  await table('eventTransports')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('enabled', bool, (c) => c.notNull())
    .addColumn('events', json, (c) => c.notNull())
    // Sealed JSON of the kind's own settings (Pusher's app credentials); null when it has none.
    .addColumn('settings', 'varchar(4096)')
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('event_transports_instance_kind_uq', ['instanceId', 'kind'])
    .addForeignKeyConstraint('event_transports_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();
}
