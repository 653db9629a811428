import { sql, type Kysely } from 'kysely';
import type { Provider } from '../db.js';

/** The first schema: instances with their settings and webhook, messages, status updates, chats, contacts, channel auth state. */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const json = provider === 'mysql' ? sql`longtext` : sql`text`;
  const bool = sql`smallint`;
  const stamp = 'varchar(32)';
  const fk = (col: string) => (c: any) => c.notNull().references(`instances.${col}`).onDelete('cascade');

  await db.schema
    .createTable('instances')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('connectionStatus', 'varchar(16)', (c) => c.notNull())
    .addColumn('ownerJid', 'varchar(128)')
    .addColumn('profileName', 'varchar(255)')
    .addColumn('profilePicUrl', 'varchar(1024)')
    .addColumn('integration', 'varchar(32)', (c) => c.notNull())
    .addColumn('number', 'varchar(64)')
    .addColumn('businessId', 'varchar(64)')
    .addColumn('tokenHash', 'varchar(64)', (c) => c.notNull())
    .addColumn('tokenEnc', 'varchar(1024)', (c) => c.notNull())
    .addColumn('clientName', 'varchar(128)', (c) => c.notNull())
    .addColumn('disconnectionReasonCode', 'integer')
    .addColumn('disconnectionObject', json)
    .addColumn('disconnectionAt', stamp)
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('instances_token_hash').on('instances').column('tokenHash').execute();

  await db.schema
    .createTable('settings')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => fk('id')(c).unique())
    .addColumn('rejectCall', bool, (c) => c.notNull())
    .addColumn('msgCall', 'varchar(1024)', (c) => c.notNull())
    .addColumn('groupsIgnore', bool, (c) => c.notNull())
    .addColumn('alwaysOnline', bool, (c) => c.notNull())
    .addColumn('readMessages', bool, (c) => c.notNull())
    .addColumn('readStatus', bool, (c) => c.notNull())
    .addColumn('syncFullHistory', bool, (c) => c.notNull())
    .addColumn('wavoipToken', 'varchar(512)', (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => fk('id')(c).unique())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('headers', json)
    .addColumn('enabled', bool, (c) => c.notNull())
    .addColumn('events', json, (c) => c.notNull())
    .addColumn('webhookByEvents', bool, (c) => c.notNull())
    .addColumn('webhookBase64', bool, (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', fk('id'))
    .addColumn('keyId', 'varchar(128)', (c) => c.notNull())
    .addColumn('remoteJid', 'varchar(128)', (c) => c.notNull())
    .addColumn('fromMe', bool, (c) => c.notNull())
    .addColumn('participant', 'varchar(128)')
    .addColumn('key', json, (c) => c.notNull())
    .addColumn('pushName', 'varchar(255)')
    .addColumn('messageType', 'varchar(64)', (c) => c.notNull())
    .addColumn('message', json, (c) => c.notNull())
    .addColumn('contextInfo', json)
    .addColumn('source', 'varchar(16)', (c) => c.notNull())
    .addColumn('messageTimestamp', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(30)')
    .execute();
  await db.schema.createIndex('messages_instance_key').on('messages').columns(['instanceId', 'keyId']).execute();
  await db.schema.createIndex('messages_instance_time').on('messages').columns(['instanceId', 'messageTimestamp']).execute();
  await db.schema.createIndex('messages_instance_chat_time').on('messages').columns(['instanceId', 'remoteJid', 'messageTimestamp']).execute();

  await db.schema
    .createTable('messageUpdates')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('messageId', 'varchar(64)', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('instanceId', 'varchar(64)', fk('id'))
    .addColumn('keyId', 'varchar(128)', (c) => c.notNull())
    .addColumn('remoteJid', 'varchar(128)', (c) => c.notNull())
    .addColumn('fromMe', bool, (c) => c.notNull())
    .addColumn('participant', 'varchar(128)')
    .addColumn('status', 'varchar(30)', (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_updates_message').on('messageUpdates').column('messageId').execute();
  await db.schema.createIndex('message_updates_instance_key').on('messageUpdates').columns(['instanceId', 'keyId']).execute();

  await db.schema
    .createTable('chats')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', fk('id'))
    .addColumn('remoteJid', 'varchar(128)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)')
    .addColumn('unreadMessages', 'integer', (c) => c.notNull())
    .addColumn('lastMessage', json)
    .addColumn('lastMessageTimestamp', 'bigint')
    .addColumn('lastInboundAt', 'bigint')
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('chats_instance_jid', ['instanceId', 'remoteJid'])
    .execute();
  await db.schema.createIndex('chats_instance_last').on('chats').columns(['instanceId', 'lastMessageTimestamp']).execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', fk('id'))
    .addColumn('remoteJid', 'varchar(128)', (c) => c.notNull())
    .addColumn('pushName', 'varchar(255)')
    .addColumn('profilePicUrl', 'varchar(1024)')
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('contacts_instance_jid', ['instanceId', 'remoteJid'])
    .execute();

  await db.schema
    .createTable('channelAuth')
    .addColumn('instanceId', 'varchar(64)', (c) => c.primaryKey().references('instances.id').onDelete('cascade'))
    .addColumn('data', json, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .execute();
}
