import { randomBytes } from 'node:crypto';
import { initAuthCreds, type AuthenticationCreds } from 'baileys';
import type { Simulator } from '../../sim/waweb/index.js';
import { openDatabase } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';
import { sha256Hex } from '../../src/security/secrets.js';

/**
 * `n` instances that are already linked, written straight into the database with their credentials, their devices
 * registered on the simulator with a key bundle of 30 one-time prekeys (so no instance uploads prekeys when it logs in).
 * Linking 1,000 devices by QR would mostly measure prekey generation; a restore is what is measured here.
 */
export async function provisionLinked(sim: Simulator, dbFile: string, encryptionKey: string, integration: 'WHATSAPP-BAILEYS' | 'SANDBOX', n: number, prefix: string): Promise<string[]> {
  const db = await openDatabase('sqlite', dbFile);
  await migrateToLatest(db);
  const repos = new Repositories(db, encryptionKey);
  const names: string[] = [];
  const now = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    const name = `${prefix}-${i}`;
    const phone = `1${integration === 'SANDBOX' ? '6' : '7'}${prefix.length}${String(i).padStart(8, '0')}`.slice(0, 13);
    const id = `${prefix}-${i}-${randomBytes(4).toString('hex')}`;
    const token = randomBytes(16).toString('hex');
    await repos.instances.insert({ id, name, connectionStatus: 'close', ownerJid: null, profileName: null, profilePicUrl: null, integration, number: null, businessId: null, token, tokenHash: sha256Hex(token), clientName: 'evolution', disconnectionReasonCode: null, disconnectionObject: null, disconnectionAt: null, createdAt: now, updatedAt: now });
    await repos.authState.save(id, integration === 'SANDBOX' ? { number: phone, profileName: name } : linkedCreds(sim, phone));
    names.push(name);
  }
  await db.close();
  return names;
}

function linkedCreds(sim: Simulator, phone: string): AuthenticationCreds {
  const creds = initAuthCreds();
  const user = sim.registry.user(phone);
  const preKeys = new Map<number, Buffer>();
  for (let k = 1; k <= 30; k++) preKeys.set(k, randomBytes(32));
  const device = sim.registry.addCompanion(user, {
    noiseKey: Buffer.from(creds.noiseKey.public),
    identityKey: Buffer.from(creds.signedIdentityKey.public),
    keys: {
      registrationId: creds.registrationId,
      keyType: Buffer.from([5]),
      identity: Buffer.from(creds.signedIdentityKey.public),
      signedPreKey: { id: creds.signedPreKey.keyId, value: Buffer.from(creds.signedPreKey.keyPair.public), signature: Buffer.from(creds.signedPreKey.signature) },
      preKeys,
    },
  });
  creds.me = { id: device.jid, lid: device.lid, name: `Bench ${phone.slice(-4)}` };
  creds.registered = true;
  return creds;
}
