import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/**
 * Chatwoot: one configuration per instance, the map between WhatsApp and Chatwoot message ids (the database refuses a
 * second Chatwoot message for one WhatsApp message, and a second WhatsApp send for one part of a Chatwoot message),
 * and the outbox of messages still to deliver to Chatwoot (written in the transaction that stores the message).
 */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { json, bool, stamp, table, serial } = dialectHelpers(db, provider);

  await table('chatwootConfigs')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('enabled', bool, (c) => c.notNull())
    .addColumn('accountId', 'varchar(64)', (c) => c.notNull())
    // Sealed (SecretBox): the Chatwoot user's api_access_token.
    .addColumn('token', 'varchar(1024)', (c) => c.notNull())
    .addColumn('url', 'varchar(2048)', (c) => c.notNull())
    .addColumn('nameInbox', 'varchar(255)')
    .addColumn('signMsg', bool, (c) => c.notNull())
    .addColumn('signDelimiter', 'varchar(64)')
    .addColumn('number', 'varchar(64)')
    .addColumn('reopenConversation', bool, (c) => c.notNull())
    .addColumn('conversationPending', bool, (c) => c.notNull())
    .addColumn('mergeBrazilContacts', bool, (c) => c.notNull())
    .addColumn('importContacts', bool, (c) => c.notNull())
    .addColumn('importMessages', bool, (c) => c.notNull())
    .addColumn('daysLimitImportMessages', 'integer', (c) => c.notNull())
    .addColumn('organization', 'varchar(255)')
    .addColumn('logo', 'varchar(2048)')
    .addColumn('ignoreJids', json, (c) => c.notNull())
    .addColumn('autoCreate', bool, (c) => c.notNull())
    .addColumn('inboxId', 'varchar(64)')
    // Sealed: the secret of the webhook URL Chatwoot posts to.
    .addColumn('webhookToken', 'varchar(1024)', (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addForeignKeyConstraint('chatwoot_configs_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();

  await table('chatwootMessages')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('waKeyId', 'varchar(128)', (c) => c.notNull())
    .addColumn('remoteJid', 'varchar(255)', (c) => c.notNull())
    .addColumn('chatwootMessageId', 'varchar(64)', (c) => c.notNull())
    // Which part of an agent's Chatwoot message (each attachment, then its text) this WhatsApp message carries; -1 for a
    // WhatsApp message the gateway posted to Chatwoot.
    .addColumn('part', 'integer', (c) => c.notNull())
    .addColumn('conversationId', 'varchar(64)', (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('chatwoot_messages_wa_uq', ['instanceId', 'waKeyId'])
    .addUniqueConstraint('chatwoot_messages_cw_uq', ['instanceId', 'chatwootMessageId', 'part'])
    .addForeignKeyConstraint('chatwoot_messages_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();

  await table('chatwootOutbox')
    .addColumn('seq', serial, (c) => (provider === 'postgresql' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    // What the row delivers ("msg:<keyId>", "contact:<jid>"): the same thing is queued once.
    .addColumn('dedupeKey', 'varchar(255)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('remoteJid', 'varchar(255)', (c) => c.notNull())
    .addColumn('payload', json, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('nextAttemptAt', 'bigint', (c) => c.notNull())
    .addColumn('lastError', 'varchar(1024)')
    .addColumn('createdAt', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('chatwoot_outbox_dedupe_uq', ['instanceId', 'dedupeKey'])
    .addForeignKeyConstraint('chatwoot_outbox_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();
  // A chat's rows in order (its head, and deferring it), and the rows due next.
  await db.schema.createIndex('chatwoot_outbox_lane').on('chatwootOutbox').columns(['instanceId', 'remoteJid', 'seq']).execute();
  await db.schema.createIndex('chatwoot_outbox_due').on('chatwootOutbox').columns(['nextAttemptAt', 'seq']).execute();
}
