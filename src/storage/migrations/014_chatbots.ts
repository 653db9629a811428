import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/**
 * Chatbots on one engine: the bots of every kind (one table, the kind's own fields as JSON and its secrets sealed),
 * the per-instance default settings of each kind, the sessions (one per chat: a chat talks to one bot at a time) with
 * the input waiting for its debounce, and OpenAI credentials (sealed).
 */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { json, bool, stamp, table } = dialectHelpers(db, provider);

  await table('chatbots')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('enabled', bool, (c) => c.notNull())
    .addColumn('description', 'varchar(1024)')
    .addColumn('triggerType', 'varchar(16)', (c) => c.notNull())
    .addColumn('triggerOperator', 'varchar(16)')
    .addColumn('triggerValue', 'varchar(1024)')
    // The common behaviour fields (expire, keywordFinish, ...), as given or filled from the kind's settings.
    .addColumn('behaviour', json, (c) => c.notNull())
    // The kind's own fields (url, apiUrl, botType, model...), secrets left out.
    .addColumn('config', json, (c) => c.notNull())
    // SecretBox-sealed JSON of the kind's secret fields (apiKey, basicAuthPass); '' when none.
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addForeignKeyConstraint('chatbots_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('chatbots_instance_kind_idx').on('chatbots').columns(['instanceId', 'kind']).execute();

  await table('chatbotSettings')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('settings', json, (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('chatbot_settings_kind_uq', ['instanceId', 'kind'])
    .addForeignKeyConstraint('chatbot_settings_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();

  await table('chatbotSessions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('botId', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('remoteJid', 'varchar(128)', (c) => c.notNull())
    .addColumn('pushName', 'varchar(255)')
    // The bot platform's own conversation id (Typebot session, Dify conversation, OpenAI thread); the chat until it has one.
    .addColumn('sessionId', 'varchar(255)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('awaitUser', bool, (c) => c.notNull())
    .addColumn('context', json)
    .addColumn('parameters', json)
    // Inputs received and not yet handed to the bot (debounce), and when they are due: survives a restart.
    .addColumn('pending', json)
    .addColumn('dueAt', 'bigint')
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('chatbot_sessions_chat_uq', ['instanceId', 'remoteJid'])
    .addForeignKeyConstraint('chatbot_sessions_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('chatbot_sessions_bot_fk', ['botId'], 'chatbots', ['id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('chatbot_sessions_bot_idx').on('chatbotSessions').columns(['botId']).execute();
  await db.schema.createIndex('chatbot_sessions_due_idx').on('chatbotSessions').columns(['dueAt']).execute();

  await table('openaiCreds')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    // Sealed; the SHA-256 beside it lets the database refuse the same key twice per instance.
    .addColumn('apiKey', 'text', (c) => c.notNull())
    .addColumn('apiKeyHash', 'varchar(64)', (c) => c.notNull())
    .addColumn('createdAt', stamp, (c) => c.notNull())
    .addColumn('updatedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('openai_creds_name_uq', ['instanceId', 'name'])
    .addUniqueConstraint('openai_creds_key_uq', ['instanceId', 'apiKeyHash'])
    .addForeignKeyConstraint('openai_creds_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();
}
