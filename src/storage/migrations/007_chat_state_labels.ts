import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/**
 * Chat state the phone keeps (archived, marked unread) and WhatsApp Business labels with their chat associations.
 * Upstream keeps labels in a Label table (unique per instance and label id) and a chat's labels as a JSON list on the
 * chat; here the associations are rows of their own, so adding or removing one never rewrites a JSON column.
 */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { bool, stamp, table } = dialectHelpers(db, provider);
  await db.schema.alterTable('chats').addColumn('archived', bool, (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('chats').addColumn('markedUnread', bool, (c) => c.notNull().defaultTo(0)).execute();

  await table('labels')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('labelId', 'varchar(100)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('color', 'integer', (c) => c.notNull())
    .addColumn('predefinedId', 'varchar(100)')
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('labels_instance_label', ['instanceId', 'labelId'])
    .addForeignKeyConstraint('labels_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();

  // (64 + 128 + 100) characters x 4 bytes = 1,168 bytes of key in utf8mb4, within InnoDB's limit.
  await table('chatLabels')
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('remoteJid', 'varchar(128)', (c) => c.notNull())
    .addColumn('labelId', 'varchar(100)', (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('chatLabels_pk', ['instanceId', 'remoteJid', 'labelId'])
    .addForeignKeyConstraint('chatLabels_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('chat_labels_instance_label').on('chatLabels').columns(['instanceId', 'labelId']).execute();
}
