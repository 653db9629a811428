import type { SentMessage } from '../channels/content.js';
import type { StoredMessage } from './types.js';
import { rowId } from './ids.js';
import { contextInfoOf, messageTypeOf } from './messageContent.js';

/** Upstream's literal pushName for messages the instance itself sent. */
export const OWN_PUSH_NAME = 'Você';

/** A stored message as clients see it in responses and events (upstream omits the database id). */
export function publicView(m: StoredMessage): Omit<StoredMessage, 'id'> {
  const { id: _id, ...rest } = m;
  return rest;
}

/**
 * The record of what a channel sent, as upstream keeps it: extendedTextMessage is recorded as conversation (its
 * contextInfo beside it) and documentWithCaptionMessage as the document inside.
 */
export function sentRecord(instanceId: string, sent: SentMessage, source = 'web'): StoredMessage {
  let message = sent.message;
  let messageType = messageTypeOf(message);
  let contextInfo = contextInfoOf(message, messageType);
  const ext = message.extendedTextMessage as { text?: string; contextInfo?: Record<string, unknown> } | undefined;
  if (messageType === 'extendedTextMessage' && ext) {
    message = { conversation: ext.text ?? '' };
    contextInfo = ext.contextInfo ?? null;
    messageType = 'conversation';
  }
  const wrapped = (message.documentWithCaptionMessage as { message?: { documentMessage?: unknown } } | undefined)?.message?.documentMessage;
  if (wrapped) {
    message = { documentMessage: wrapped };
    messageType = 'documentMessage';
  }
  return {
    id: rowId(),
    key: sent.key,
    pushName: OWN_PUSH_NAME,
    status: sent.status ?? 'PENDING',
    message,
    ...(contextInfo ? { contextInfo } : {}),
    messageType,
    messageTimestamp: sent.messageTimestamp,
    instanceId,
    source,
  };
}
