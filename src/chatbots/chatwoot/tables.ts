import type { Kysely } from 'kysely';
import type { Executor } from '../../storage/instanceRepository.js';

/** The rows of migration 015, as Kysely sees them. */
export interface ChatwootConfigTable {
  id: string;
  instanceId: string;
  enabled: number;
  accountId: string;
  /** Sealed. */
  token: string;
  url: string;
  nameInbox: string | null;
  signMsg: number;
  signDelimiter: string | null;
  number: string | null;
  reopenConversation: number;
  conversationPending: number;
  mergeBrazilContacts: number;
  importContacts: number;
  importMessages: number;
  daysLimitImportMessages: number;
  organization: string | null;
  logo: string | null;
  ignoreJids: string;
  autoCreate: number;
  inboxId: string | null;
  /** Sealed. */
  webhookToken: string;
  createdAt: string;
  updatedAt: string;
}

export interface ChatwootMessageTable {
  id: string;
  instanceId: string;
  waKeyId: string;
  remoteJid: string;
  chatwootMessageId: string;
  part: number;
  conversationId: string;
  createdAt: string;
}

export interface ChatwootOutboxTable {
  seq: number;
  instanceId: string;
  dedupeKey: string;
  kind: string;
  remoteJid: string;
  payload: string;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
}

export interface ChatwootTables {
  chatwootConfigs: ChatwootConfigTable;
  chatwootMessages: ChatwootMessageTable;
  chatwootOutbox: ChatwootOutboxTable;
}

/** The Chatwoot tables on the gateway's database or inside one of its transactions (same connection, typed for these tables). */
export const cw = (executor: Executor): Kysely<ChatwootTables> => executor as unknown as Kysely<ChatwootTables>;
