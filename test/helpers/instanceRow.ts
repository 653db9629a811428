import { randomUUID } from 'node:crypto';
import type { Instance } from '../../src/domain/types.js';
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
