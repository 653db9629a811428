import { it, expect, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { availableProviders, createTestDatabase } from '/work/main/test/helpers/databases.js';
import { openDatabase } from '/work/main/src/storage/db.js';
import { migrateToLatest } from '/work/main/src/storage/migrate.js';
import { Repositories } from '/work/main/src/storage/repositories.js';
import { rowId } from '/work/main/src/domain/ids.js';
const { run } = await availableProviders();
for (const p of run) it(`ties ${p}`, async () => {
  const t = await createTestDatabase(p); const db = await openDatabase(p, t.uri); await migrateToLatest(db);
  const repos = new Repositories(db, 'k');
  const id = randomUUID();
  await repos.instances.insert({ id, name: 'x', connectionStatus: 'close', ownerJid: null, profileName: null, profilePicUrl: null, integration: 'SANDBOX', number: null, businessId: null, token: 't', tokenHash: 'h', clientName: 'c', disconnectionReasonCode: null, disconnectionObject: null, disconnectionAt: null, createdAt: 'a', updatedAt: 'a' });
  const statuses = ['SERVER_ACK', 'DELIVERY_ACK', 'READ', 'PLAYED'];
  const many = Array.from({ length: 40 }, (_, i) => ({ id: rowId(), key: { remoteJid: 'r', fromMe: true, id: `H${i}` }, pushName: null, messageType: 'c', message: {}, source: 'web', messageTimestamp: i, instanceId: id, status: null }));
  await repos.messages.insert(many);
  vi.useFakeTimers({ toFake: ['Date'] }); vi.setSystemTime(new Date('2024-05-05T00:00:00Z'));
  try { for (const status of statuses) for (const x of many) await repos.messages.recordStatus({ messageId: x.id, instanceId: id, key: x.key, status }); } finally { vi.useRealTimers(); }
  const hist = await repos.messages.find({ instanceId: id, page: 1, pageSize: 50 });
  const bad = hist.records.filter((r) => r.MessageUpdate.map((u) => u.status).join() !== statuses.join());
  await db.close(); await t.drop();
  expect(bad.length).toBe(0);
});
