import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/** An instance's outbound proxy (one per instance) and the message templates it created on its business account. */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { json, bool, stamp, table } = dialectHelpers(db, provider);

  await table('proxies')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('enabled', bool, (c) => c.notNull())
    .addColumn('host', 'varchar(255)', (c) => c.notNull())
    .addColumn('port', 'varchar(16)', (c) => c.notNull())
    .addColumn('protocol', 'varchar(16)', (c) => c.notNull())
    .addColumn('username', 'varchar(255)', (c) => c.notNull())
    // Sealed (SecretBox); '' when there is none.
    .addColumn('password', 'varchar(1024)', (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addForeignKeyConstraint('proxies_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();

  // Graph keeps one template per (name, language); its id is unique within the account. (64 + 512 + 16) x 4 bytes stays
  // within InnoDB's 3,072-byte key limit.
  await table('templates')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('templateId', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(512)', (c) => c.notNull())
    .addColumn('language', 'varchar(16)', (c) => c.notNull())
    .addColumn('template', json, (c) => c.notNull())
    .addColumn('webhookUrl', 'varchar(2048)')
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('templates_template_id_uq', ['instanceId', 'templateId'])
    .addUniqueConstraint('templates_name_language_uq', ['instanceId', 'name', 'language'])
    .addForeignKeyConstraint('templates_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();
}
