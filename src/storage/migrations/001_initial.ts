import type { CreateTableBuilder, Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/** The first schema: instances with their settings and webhook, messages, status updates, chats, contacts, channel auth state. */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { json, bool, stamp, table } = dialectHelpers(db, provider);
  // Foreign keys as table constraints: MySQL parses but silently ignores REFERENCES written inline in a column definition.
  const owned = (name: string) => (t: CreateTableBuilder<any, any>) =>
    t.addForeignKeyConstraint(`${name}_instance_fk`, ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'));

  await table('instances')
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

  await table('settings')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull().unique())
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
    .$call(owned('settings'))
    .execute();

  await table('webhooks')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('headers', json)
    .addColumn('enabled', bool, (c) => c.notNull())
    .addColumn('events', json, (c) => c.notNull())
    .addColumn('webhookByEvents', bool, (c) => c.notNull())
    .addColumn('webhookBase64', bool, (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .$call(owned('webhooks'))
    .execute();

  await table('messages')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
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
    .$call(owned('messages'))
    .execute();
  await db.schema.createIndex('messages_instance_key').on('messages').columns(['instanceId', 'keyId', 'messageTimestamp']).execute();
  await db.schema.createIndex('messages_instance_time').on('messages').columns(['instanceId', 'messageTimestamp', 'id']).execute();
  await db.schema.createIndex('messages_instance_chat_time').on('messages').columns(['instanceId', 'remoteJid', 'messageTimestamp', 'id']).execute();

  await table('messageUpdates')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('messageId', 'varchar(64)', (c) => c.notNull())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('keyId', 'varchar(128)', (c) => c.notNull())
    .addColumn('remoteJid', 'varchar(128)', (c) => c.notNull())
    .addColumn('fromMe', bool, (c) => c.notNull())
    .addColumn('participant', 'varchar(128)')
    .addColumn('status', 'varchar(30)', (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addForeignKeyConstraint('messageUpdates_message_fk', ['messageId'], 'messages', ['id'], (c) => c.onDelete('cascade'))
    .$call(owned('messageUpdates'))
    .execute();
  await db.schema.createIndex('message_updates_message').on('messageUpdates').column('messageId').execute();
  await db.schema.createIndex('message_updates_instance_key').on('messageUpdates').columns(['instanceId', 'keyId']).execute();

  await table('chats')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('remoteJid', 'varchar(128)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)')
    .addColumn('unreadMessages', 'integer', (c) => c.notNull())
    .addColumn('lastMessage', json)
    .addColumn('lastMessageTimestamp', 'bigint')
    .addColumn('lastInboundAt', 'bigint')
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('chats_instance_jid', ['instanceId', 'remoteJid'])
    .$call(owned('chats'))
    .execute();
  await db.schema.createIndex('chats_instance_last').on('chats').columns(['instanceId', 'lastMessageTimestamp']).execute();

  await table('contacts')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('remoteJid', 'varchar(128)', (c) => c.notNull())
    .addColumn('pushName', 'varchar(255)')
    .addColumn('profilePicUrl', 'varchar(1024)')
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('contacts_instance_jid', ['instanceId', 'remoteJid'])
    .$call(owned('contacts'))
    .execute();

  await table('channelAuth')
    .addColumn('instanceId', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('data', json, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .$call(owned('channelAuth'))
    .execute();
}
