import { randomUUID } from 'node:crypto';
import type { Instance, StoredMessage } from '../../src/domain/types.js';
import { rowId } from '../../src/domain/ids.js';
import { sha256Hex } from '../../src/security/secrets.js';

/** An instance row with a unique name, number and token; createdAt grows with `seq`. */
export function instanceRow(seq: number, prefix: string, over: Partial<Instance> = {}): Instance {
  const token = randomUUID().toUpperCase();
  const stamp = new Date(Date.UTC(2024, 0, 1, 0, 0, seq)).toISOString();
  return {
    id: randomUUID(),
    name: `${prefix}-${seq}-${randomUUID().slice(0, 8)}`,
    connectionStatus: 'close',
    ownerJid: null,
    profileName: null,
    profilePicUrl: null,
    integration: 'SANDBOX',
    number: `55${prefix === 'inst' ? '11' : '21'}${String(900000000 + seq)}`,
    businessId: null,
    token,
    tokenHash: sha256Hex(token),
    clientName: 'evolution',
    disconnectionReasonCode: null,
    disconnectionObject: null,
    disconnectionAt: null,
    createdAt: stamp,
    updatedAt: stamp,
    ...over,
  };
}

export type MessageOverrides = Partial<StoredMessage> & { keyId?: string; remoteJid?: string; fromMe?: boolean };

/** A stored message of `instanceId` (a text from "Alice"); `keyId`, `remoteJid` and `fromMe` shape its key. */
export function messageRow(instanceId: string, over: MessageOverrides = {}, defaults: { remoteJid: string; keyId: () => string }): StoredMessage {
  const { keyId, remoteJid, fromMe, ...rest } = over;
  return {
    id: rowId(),
    key: { remoteJid: remoteJid ?? defaults.remoteJid, fromMe: fromMe ?? false, id: keyId ?? defaults.keyId() },
    pushName: 'Alice',
    messageType: 'conversation',
    message: { conversation: 'hello' },
    source: 'web',
    messageTimestamp: 1_700_000_000,
    instanceId,
    status: 'DELIVERY_ACK',
    ...rest,
  };
}
