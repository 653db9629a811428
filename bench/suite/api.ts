import { openDatabase, type Provider } from '../../src/storage/db.js';
import { Repositories } from '../../src/storage/repositories.js';
import { rowId } from '../../src/domain/ids.js';
import type { StoredMessage } from '../../src/domain/types.js';
import { runLoad, type LoadResult } from '../load.js';
import { api, BENCH_KEY, startServerProcess } from './process.js';
import type { TimingResult } from './lifecycle.js';
import { lifecycle } from './lifecycle.js';

export interface ApiSuiteOptions {
  db: { provider: Provider; uri: string };
  seconds: number;
  concurrencies: number[];
  messages: number;
}

/** Inserts `count` messages over 500 chats straight into the server's database (SQLite in WAL lets both processes in). */
async function seedMessages(target: { provider: Provider; uri: string }, instanceId: string, count: number): Promise<number> {
  const db = await openDatabase(target.provider, target.uri);
  const repos = new Repositories(db, BENCH_KEY);
  const t0 = performance.now();
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i += 500) {
    const rows: StoredMessage[] = [];
    for (let j = i; j < Math.min(i + 500, count); j++) {
      const remoteJid = `55118${String(j % 500).padStart(8, '0')}@s.whatsapp.net`;
      rows.push({ id: rowId(), key: { remoteJid, fromMe: j % 2 === 0, id: `SEED${j}` }, pushName: 'Seed', messageType: 'conversation', message: { conversation: `seeded ${j}` }, contextInfo: null, source: 'android', messageTimestamp: now - (count - j), instanceId, status: 'DELIVERY_ACK' });
    }
    await repos.messages.insert(rows);
  }
  await db.close();
  return (performance.now() - t0) / 1000;
}

/**
 * The hot routes (sendText, findMessages over `messages` rows, connectionState, fetchInstances) at each concurrency,
 * seed 003's "100 concurrent sends" and "50 simultaneous QR scans", against a server in its own process.
 */
export async function apiSuite(o: ApiSuiteOptions): Promise<{ load: LoadResult[]; timings: TimingResult[]; seedSeconds: number }> {
  const server = await startServerProcess({ DATABASE_PROVIDER: o.db.provider, DATABASE_CONNECTION_URI: o.db.uri });
  try {
    const created = await api(server.url, 'POST', '/instance/create', { instanceName: 'hot', integration: 'SANDBOX', qrcode: true });
    await api(server.url, 'POST', '/sandbox/scan/hot', { number: '5511900009999' });
    const seedSeconds = await seedMessages(o.db, created.body.instance.instanceId, o.messages);
    const headers = { apikey: BENCH_KEY };
    const load: LoadResult[] = [];
    const durationMs = o.seconds * 1000;
    for (const concurrency of o.concurrencies) {
      const common = { url: server.url, concurrency, durationMs, headers };
      load.push(await runLoad({ ...common, name: 'sendText', expectStatus: 201, request: (i) => ({ method: 'POST', path: '/message/sendText/hot', body: { number: `55119${String(i % 1000).padStart(8, '0')}`, text: `bench ${i}` } }) }));
      load.push(await runLoad({ ...common, name: `findMessages (${o.messages} rows, one chat)`, expectStatus: 200, request: (i) => ({ method: 'POST', path: '/chat/findMessages/hot', body: { where: { key: { remoteJid: `55118${String(i % 500).padStart(8, '0')}` } }, offset: 20 } }) }));
      load.push(await runLoad({ ...common, name: 'connectionState', expectStatus: 200, request: () => ({ method: 'GET', path: '/instance/connectionState/hot' }) }));
      load.push(await runLoad({ ...common, name: 'fetchInstances', expectStatus: 200, request: () => ({ method: 'GET', path: '/instance/fetchInstances?instanceName=hot' }) }));
    }
    // Seed 003: 100 concurrent sends (one burst), 50 simultaneous QR scans.
    load.push(await runLoad({ url: server.url, concurrency: 100, durationMs: Math.max(2000, durationMs / 2), headers, name: 'seed003: 100 concurrent sends', expectStatus: 201, request: (i) => ({ method: 'POST', path: '/message/sendText/hot', body: { number: `55119${String(i % 1000).padStart(8, '0')}`, text: `burst ${i}` } }) }));
    const timings = await lifecycle(server, 'scan', 50, 50);
    return { load, timings, seedSeconds };
  } finally {
    await server.stop();
  }
}
