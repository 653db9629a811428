import type { MessageTable } from './schema.js';
import type { MessageKey, StoredMessage } from '../domain/types.js';
import { bit, fromJson, toJson } from './json.js';

/** A message as stored (one row) and back. */
export function toRow(m: StoredMessage): MessageTable {
  return {
    id: m.id,
    instanceId: m.instanceId,
    keyId: m.key.id,
    remoteJid: m.key.remoteJid,
    fromMe: bit(m.key.fromMe),
    participant: m.participant ?? m.key.participant ?? null,
    key: toJson(m.key),
    pushName: m.pushName,
    messageType: m.messageType,
    message: toJson(m.message),
    contextInfo: m.contextInfo ? toJson(m.contextInfo) : null,
    source: m.source,
    messageTimestamp: m.messageTimestamp,
    status: m.status,
  };
}

export function toDomain(r: MessageTable): StoredMessage {
  return {
    id: r.id,
    key: fromJson<MessageKey>(r.key, { remoteJid: r.remoteJid, fromMe: r.fromMe === 1, id: r.keyId }),
    pushName: r.pushName,
    participant: r.participant,
    messageType: r.messageType,
    message: fromJson<Record<string, unknown>>(r.message, {}),
    contextInfo: fromJson<Record<string, unknown> | null>(r.contextInfo, null),
    source: r.source,
    messageTimestamp: Number(r.messageTimestamp),
    instanceId: r.instanceId,
    status: r.status,
  };
}
